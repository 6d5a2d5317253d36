"""High availability on PostgreSQL: one active scheduler (advisory lock), a standby on the same
database that takes over when the active one dies, no overlapping runs.

Uses the private PostgreSQL server of tests/cluster (Debian's postgresql); skipped with the
reason when no server can be started.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest
from sched_service_helpers import (
    SchedulerProcess,
    assert_no_overlap,
    every_seconds,
    job_yaml,
    lines,
    wait_until,
    write_job_module,
    write_jobs,
)

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(180)]

CLUSTER_CONFTEST = Path(__file__).resolve().parents[1] / "cluster" / "conftest.py"


@pytest.fixture(scope="module")
def postgres_url():
    if not CLUSTER_CONFTEST.exists():
        pytest.skip("tests/cluster/conftest.py (PostgreSQL test server) is not available")
    spec = importlib.util.spec_from_file_location("sched_cluster_pg", CLUSTER_CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    bin_dir = module.postgres_bin_dir()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL is not installed. {module.ENABLE_HINT}")
    server = module.PrivateServer(bin_dir, dbname="yomikaki_sched")
    try:
        url = server.start()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL could not be started: {exc}. {module.ENABLE_HINT}")
    yield url
    server.stop()


def test_active_and_standby_on_postgres(tmp_path, postgres_url):
    pytest.importorskip("psycopg")
    write_job_module(tmp_path)
    jobs = write_jobs(tmp_path / "jobs.yaml", job_yaml("tick", every_seconds(1), sleep=0.3))
    env = {"YOMIKAKI_DATABASE_URL": postgres_url}
    processes = []
    try:
        active = SchedulerProcess(tmp_path, jobs, env=env)
        processes.append(active)
        active.wait_for("スケジューラを開始しました", timeout=30)
        refused = SchedulerProcess(tmp_path, jobs, env=env)
        processes.append(refused)
        assert refused.proc.wait(30) == 6 and "既に動いています" in refused.output()
        standby = SchedulerProcess(tmp_path, jobs, "--standby", env=env)
        processes.append(standby)
        assert wait_until(lambda: len(lines(tmp_path / "out.jsonl")) >= 4, 15)
        assert "スケジューラを開始しました" not in standby.output()
        killed_at = time.time()
        active.kill()  # the server drops the advisory lock with the connection
        standby.wait_for("スケジューラを開始しました", timeout=30)
        count = len(lines(tmp_path / "out.jsonl"))
        assert wait_until(lambda: len(lines(tmp_path / "out.jsonl")) >= count + 4, 15)
        assert standby.stop() == 0
    finally:
        for process in processes:
            process.kill()
    events = sorted(lines(tmp_path / "out.jsonl"), key=lambda e: e["t"])
    pids = {e["pid"] for e in events}
    assert pids == {active.proc.pid, standby.proc.pid}
    assert_no_overlap(events, {active.proc.pid: killed_at})
