"""Three robot processes work one PostgreSQL queue of 150 registrations; one is killed (SIGKILL).

Every application must end up registered exactly once, no item is registered by two robots,
and the items the killed robot left in progress are taken over by the surviving robots while
they run (in doubt → the scenario's ``check`` block decides), so a robot started again later
has nothing left to do.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from scenarios.lib.sample_rows import confirmed_rows, fetch_households, write_jsonl

REPO = Path(__file__).resolve().parents[2]
SCENARIO = REPO / "scenarios" / "benefit_registration.yaml"
ITEMS = 150
LEASE_SECONDS = 10


def _yomikaki(*args: str) -> list[str]:
    return [sys.executable, "-m", "yomikaki", *args]


def _run_logs(data_dir: Path) -> list[dict]:
    events = []
    for log in sorted((data_dir / "outputs").glob("*/run.jsonl")):
        events += [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return events


def _steps_done(events: list[dict]) -> set[str]:
    """References this robot registered by running the steps (not found done by `check`)."""
    checked = {e["reference"] for e in events if e.get("event") == "item_started" and e.get("check_first")}
    return {e["reference"] for e in events if e.get("event") == "item_finished" and e.get("outcome") == "done"} - checked


def _wait(predicate, timeout: float, what: str, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for proc in procs:
            if proc.poll() not in (None, 0):
                pytest.fail(f"a robot exited with {proc.returncode} while waiting for {what}")
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.timeout(420)
def test_cluster_three_robots_one_killed_every_application_once(
    fresh_postgres_url, start_core_system, tmp_path
):
    core = start_core_system()
    rows = confirmed_rows(fetch_households(core.url), ITEMS)
    assert len({r["application_id"] for r in rows}) == ITEMS
    inputs = write_jsonl(rows, tmp_path / "confirmed.jsonl")
    base_env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "YOMIKAKI_DATABASE_URL": fresh_postgres_url,
        "YOMIKAKI_ROBOTS__LEASE_SECONDS": str(LEASE_SECONDS),
        "CORE_USER": "staff01",
        "CORE_PASSWORD": "yomikaki-demo",
    }
    run_args = ["run", str(SCENARIO), "--input", str(inputs), "--set", f"core_url={core.url}",
                "--workers", "2", "--no-progress"]

    def robot(name: str) -> tuple[subprocess.Popen, Path]:
        data = tmp_path / name  # each robot PC has its own data folder; the queue is shared
        log = open(tmp_path / f"{name}.log", "wb")
        proc = subprocess.Popen(
            _yomikaki(*run_args), cwd=tmp_path, env={**base_env, "YOMIKAKI_DATA_DIR": str(data)},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        return proc, data

    # the operator prepares the shared database once
    upgraded = subprocess.run(_yomikaki("db", "upgrade"), cwd=tmp_path, env=base_env,
                              capture_output=True, text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr

    engine = create_engine(fresh_postgres_url)
    from robots.queue import WorkItem

    def in_progress_of(pid: int) -> list[str]:
        with engine.connect() as conn:
            owners = conn.execute(
                select(WorkItem.reference, WorkItem.lease_owner).where(WorkItem.status == "in_progress")
            ).all()
        return [ref for ref, owner in owners if owner and owner.split(":")[1] == str(pid)]

    robots = [robot(f"pc{i}") for i in range(3)]
    procs = [p for p, _ in robots]
    victim, victim_data = robots[0]
    try:
        # midway: a third of the applications registered and the victim in the middle of items
        _wait(lambda: len(core.inspect("applications")) >= ITEMS // 3, 240, "a third registered", procs)
        _wait(lambda: bool(in_progress_of(victim.pid)), 60, "the victim holding an item", procs)
        os.killpg(victim.pid, signal.SIGKILL)  # the robot PC dies, browser and all
        victim.wait(30)
        left_in_progress = set(in_progress_of(victim.pid))
        assert left_in_progress, "the killed robot should leave items in progress"
        for proc, _ in robots[1:]:
            assert proc.wait(300) == 0, (tmp_path / "pc1.log").read_text(errors="replace")[-3000:]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)

    # the survivors took over what the dead robot left in progress: in doubt, then `check` first
    with engine.connect() as conn:
        stuck = conn.execute(select(WorkItem.reference).where(WorkItem.status == "in_progress")).scalars().all()
    assert stuck == []
    survivor_events = _run_logs(tmp_path / "pc1") + _run_logs(tmp_path / "pc2")
    recovered = {ref for e in survivor_events if e.get("event") == "recovered_in_doubt" for ref in e["references"]}
    checked = {e["reference"] for e in survivor_events if e.get("event") == "item_started" and e.get("check_first")}
    assert left_in_progress <= recovered
    assert left_in_progress <= checked

    # a robot started again later has nothing left to do
    rerun = subprocess.run(_yomikaki(*run_args), cwd=tmp_path,
                           env={**base_env, "YOMIKAKI_DATA_DIR": str(tmp_path / "pc3")},
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert not [e for e in _run_logs(tmp_path / "pc3") if e.get("event") == "item_started"]

    # every application registered exactly once in the core system
    applications = core.inspect("applications")
    per_id = Counter(a["application_id"] for a in applications)
    assert set(per_id) == {r["application_id"] for r in rows}
    assert max(per_id.values()) == 1, [k for k, v in per_id.items() if v > 1]

    # every item done; nobody registered an item another robot registered
    with engine.connect() as conn:
        statuses = Counter(conn.execute(select(WorkItem.status)).scalars())
    assert statuses == {"done": ITEMS}
    registered_by = [_steps_done(_run_logs(tmp_path / f"pc{i}")) for i in range(4)]
    assert all(registered_by[:3]), "all three robots should have worked the queue"
    assert not registered_by[3]
    total = sum(len(s) for s in registered_by)
    union = set().union(*registered_by)
    # an in-doubt item the victim had already submitted is found done by `check`, not re-registered
    assert total == len(union), "an item was registered by two robots"
    # the rest were confirmed done by a `check` (after a lost lease) — never submitted twice
    confirmed = set().union(*(
        {e["reference"] for e in _run_logs(tmp_path / f"pc{i}")
         if e.get("event") == "item_finished" and e.get("outcome") == "done"} - registered_by[i]
        for i in range(4)))
    assert union | left_in_progress | confirmed >= {r["application_id"] for r in rows}
    # the run ledger and the audit log live in the shared database too
    from scheduler.ledger import RunRecord
    from yomikaki.audit import AuditEvent

    with engine.connect() as conn:
        ledger = conn.execute(select(RunRecord.run_ref, RunRecord.items_done)).all()
        audited = conn.execute(select(AuditEvent.action).where(AuditEvent.action == "robot.run")).all()
    assert len(ledger) == 3 and len(audited) == 3  # two survivors and the re-run; the killed one never finished
    # each registration counts once in the hours-saved ledger, whichever robot did it; only the
    # items the killed robot finished itself are missing (it died before recording its run)
    with engine.connect() as conn:
        finished_by = Counter(conn.execute(select(WorkItem.run_id)).scalars())
    recorded = {ref for ref, _done in ledger}
    unrecorded = sum(n for run, n in finished_by.items() if run not in recorded)
    assert sum(done for _ref, done in ledger) + unrecorded == ITEMS, (ledger, finished_by)
    assert sum(done for _ref, done in ledger) == sum(n for run, n in finished_by.items() if run in recorded)
    print(f"registered per robot: {[len(s) for s in registered_by]}, left in progress by the killed "
          f"robot: {sorted(left_in_progress)}, taken over and checked by the survivors: {sorted(checked)}")
    engine.dispose()
