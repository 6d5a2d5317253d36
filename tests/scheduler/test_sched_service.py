"""A real scheduler process (`python -m yomikaki schedule start`): firing, the single-instance
lock, graceful stop, restart after downtime, and a job store repaired from the YAML."""

from __future__ import annotations

import pickle
import time

import pytest
from sched_service_helpers import (
    SchedulerProcess,
    assert_no_overlap,
    daily_at,
    db_rows,
    every_seconds,
    job_yaml,
    lines,
    next_whole_second,
    sleep_until,
    wait_until,
    write_job_module,
    write_jobs,
)
from typer.testing import CliRunner

from yomikaki.cli import app

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def workdir(tmp_path, isolated_data_dir):
    write_job_module(tmp_path)
    return tmp_path


@pytest.fixture
def db(isolated_data_dir):
    return isolated_data_dir / "yomikaki.db"


@pytest.fixture
def started():
    processes: list[SchedulerProcess] = []

    def _start(*args, **kwargs) -> SchedulerProcess:
        process = SchedulerProcess(*args, **kwargs)
        processes.append(process)
        return process

    yield _start
    for process in processes:
        process.kill()


def test_job_fires_within_seconds_and_is_recorded(workdir, db, started):
    jobs = write_jobs(workdir / "jobs.yaml", job_yaml("tick", every_seconds(2), items=5, failed=1))
    service = started(workdir, jobs)
    service.wait_for("スケジューラを開始しました")
    assert wait_until(lambda: len([e for e in lines(workdir / "out.jsonl") if e["event"] == "end"]) >= 2, 15)
    assert service.stop() == 0
    runs = db_rows(db, "SELECT job_id, kind, status, items_done, items_failed, baseline_minutes, gross_hours,"
                       " net_hours FROM hours_runs")
    assert len(runs) >= 2
    for job_id, kind, status, done, failed, baseline, gross, net in runs:
        assert (job_id, kind, status, done, failed, baseline) == ("tick", "job", "failed_items", 4, 1, 2.0)
        assert gross == pytest.approx(4 * 2.0 / 60) and net == pytest.approx((4 * 2.0 - 1 * 2.0) / 60)
    alerts = db_rows(db, "SELECT kind FROM scheduler_alerts WHERE job_id='tick'")
    assert {a[0] for a in alerts} == {"failed_items"}
    # the jobs-file baseline went into the history
    assert db_rows(db, "SELECT process_id, minutes_per_item FROM hours_baselines") == [("proc_tick", 2.0)]


def test_second_scheduler_is_refused(workdir, db, started):
    jobs = write_jobs(workdir / "jobs.yaml", job_yaml("slow", every_seconds(30)))
    first = started(workdir, jobs)
    first.wait_for("スケジューラを開始しました")
    second = started(workdir, jobs)
    assert second.proc.wait(30) == 6
    assert "既に動いています" in second.output() and f"pid {first.proc.pid}" in second.output()
    assert first.proc.poll() is None
    status = CliRunner().invoke(app, ["schedule", "status", "--jobs", str(jobs)], env={"COLUMNS": "200"})
    assert "スケジューラ: 稼働中" in status.output and f"pid {first.proc.pid}" in status.output
    assert first.stop() == 0
    status = CliRunner().invoke(app, ["schedule", "status", "--jobs", str(jobs)], env={"COLUMNS": "200"})
    assert "スケジューラ: 停止中" in status.output


def test_standby_takes_over_when_the_active_one_dies(workdir, db, started):
    jobs = write_jobs(workdir / "jobs.yaml", job_yaml("tick", every_seconds(1)))
    active = started(workdir, jobs)
    active.wait_for("スケジューラを開始しました")
    standby = started(workdir, jobs, "--standby")
    time.sleep(2)
    assert "スケジューラを開始しました" not in standby.output()
    killed_at = time.time()
    active.kill()  # SIGKILL: the OS releases the file lock
    standby.wait_for("スケジューラを開始しました", timeout=15)
    count = len(lines(workdir / "out.jsonl"))
    assert wait_until(lambda: len(lines(workdir / "out.jsonl")) > count + 1, 10)
    assert standby.stop() == 0
    # never two runs of the job at the same time
    assert_no_overlap(lines(workdir / "out.jsonl"), {active.proc.pid: killed_at})


def test_sigterm_lets_a_running_job_finish(workdir, db, started):
    jobs = write_jobs(workdir / "jobs.yaml", job_yaml("long", every_seconds(1), sleep=2.5))
    service = started(workdir, jobs)
    assert wait_until(lambda: any(e["event"] == "start" for e in lines(workdir / "out.jsonl")), 15)
    time.sleep(1.5)  # the next second's run is refused: the job is still running (max_instances=1)
    assert service.stop() == 0
    events = lines(workdir / "out.jsonl")
    assert [e["event"] for e in events] == ["start", "end"]  # finished, and nothing new started
    assert db_rows(db, "SELECT status FROM hours_runs WHERE job_id='long'") == [("ok",)]
    skipped = db_rows(db, "SELECT message FROM scheduler_alerts WHERE job_id='long' AND kind='missed'")
    assert skipped and all("前回の実行がまだ終わっていません" in m for (m,) in skipped)


def test_sigterm_beyond_the_shutdown_grace_records_the_interruption(workdir, db, started):
    jobs = write_jobs(workdir / "jobs.yaml", job_yaml("stuck", every_seconds(2), sleep=60))
    service = started(workdir, jobs, env={"YOMIKAKI_SCHEDULER__SHUTDOWN_GRACE_SECONDS": "1"})
    assert wait_until(lambda: any(e["event"] == "start" for e in lines(workdir / "out.jsonl")), 15)
    begun = time.monotonic()
    assert service.stop(timeout=20) == 0
    assert time.monotonic() - begun < 15
    assert db_rows(db, "SELECT status FROM hours_runs WHERE job_id='stuck'") == [("interrupted",)]
    assert db_rows(db, "SELECT kind FROM scheduler_alerts WHERE job_id='stuck'") == [("interrupted",)]


def test_a_run_cut_off_by_a_crash_is_reported_at_the_next_start(workdir, db, started):
    jobs = write_jobs(workdir / "jobs.yaml", job_yaml("crash", every_seconds(2), sleep=60))
    first = started(workdir, jobs)
    assert wait_until(lambda: any(e["event"] == "start" for e in lines(workdir / "out.jsonl")), 15)
    first.kill()  # SIGKILL mid-run: nothing could be recorded
    assert db_rows(db, "SELECT last_status FROM scheduler_job_state WHERE job_id='crash'") == [("running",)]
    write_jobs(jobs, job_yaml("crash", every_seconds(30), sleep=60))
    second = started(workdir, jobs)
    second.wait_for("スケジューラを開始しました")
    assert second.stop() == 0
    alerts = db_rows(db, "SELECT kind, message FROM scheduler_alerts WHERE job_id='crash'")
    assert [a[0] for a in alerts] == ["interrupted"] and "run-now" in alerts[0][1]
    assert db_rows(db, "SELECT last_status FROM scheduler_job_state WHERE job_id='crash'") == [("interrupted",)]


def test_restart_after_downtime_within_and_beyond_grace(workdir, db, started):
    """Two jobs whose time came while the scheduler was down: one still within its grace runs
    once; the other, beyond its grace, is recorded as missed with an alert."""
    jobs = workdir / "jobs.yaml"
    later = daily_at(next_whole_second(3600))
    write_jobs(jobs, job_yaml("within", later, grace="60", out="within.jsonl"),
               job_yaml("beyond", later, grace="1", out="beyond.jsonl"))
    first = started(workdir, jobs)
    first.wait_for("スケジューラを開始しました")
    assert first.stop() == 0
    fire = next_whole_second(1)
    write_jobs(jobs, job_yaml("within", daily_at(fire), grace="60", out="within.jsonl"),
               job_yaml("beyond", daily_at(fire), grace="1", out="beyond.jsonl"))  # today, while down
    sleep_until(fire)
    time.sleep(2.5)
    second = started(workdir, jobs)
    second.wait_for("スケジューラを開始しました")
    assert wait_until(lambda: any(e["event"] == "end" for e in lines(workdir / "within.jsonl")), 15)
    time.sleep(1.5)
    assert second.stop() == 0
    # within the grace: exactly one run
    assert [e["event"] for e in lines(workdir / "within.jsonl")] == ["start", "end"]
    assert db_rows(db, "SELECT status FROM hours_runs WHERE job_id='within'") == [("ok",)]
    # beyond the grace: no run, a missed-run alert and state
    assert lines(workdir / "beyond.jsonl") == []
    missed = db_rows(db, "SELECT job_id, message FROM scheduler_alerts WHERE kind='missed'")
    assert len(missed) == 1 and missed[0][0] == "beyond"
    assert fire.strftime("%H:%M") in missed[0][1]
    assert db_rows(db, "SELECT last_status FROM scheduler_job_state WHERE job_id='beyond'") == [("missed",)]
    status = CliRunner().invoke(app, ["schedule", "status", "--jobs", str(jobs)], env={"COLUMNS": "200"})
    assert status.exit_code == 0 and "実行漏れ" in status.output


def _stored_jobs(db):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    store = SQLAlchemyJobStore(url=f"sqlite:///{db}", tablename="apscheduler_jobs")
    store.start(None, "default")
    try:
        return {job.id: job for job in store.get_all_jobs()}
    finally:
        store.shutdown()


def test_lost_and_corrupt_job_store_rows_are_restored_from_the_yaml(workdir, db, started):
    yearly = job_yaml("yearly-notice", '      yearly: {month: 6, day: 1}\n      adjust: next\n      at: "07:30"')
    monthly = job_yaml("month-end", '      monthly: {day: last}\n      adjust: previous\n'
                                    '      offset_business_days: -3\n      at: "18:00"')
    jobs = write_jobs(workdir / "jobs.yaml", yearly, monthly, job_yaml("old-job", every_seconds(30)))
    first = started(workdir, jobs)
    first.wait_for("スケジューラを開始しました")
    assert first.stop() == 0
    before = _stored_jobs(db)
    assert set(before) == {"yearly-notice", "month-end", "old-job"}
    db_rows(db, "DELETE FROM apscheduler_jobs WHERE id='yearly-notice'")
    db_rows(db, "UPDATE apscheduler_jobs SET job_state=? WHERE id='month-end'", b"\x80\x04garbage")
    with pytest.raises(Exception):  # noqa: B017 - any unpickling error
        pickle.loads(db_rows(db, "SELECT job_state FROM apscheduler_jobs WHERE id='month-end'")[0][0])
    write_jobs(jobs, yearly, monthly)  # old-job is no longer in the YAML
    second = started(workdir, jobs)
    second.wait_for("スケジューラを開始しました")
    assert second.stop() == 0
    after = _stored_jobs(db)
    assert set(after) == {"yearly-notice", "month-end"}
    for job_id in after:
        assert after[job_id].next_run_time == before[job_id].next_run_time
    assert (after["yearly-notice"].next_run_time.month, after["yearly-notice"].next_run_time.hour) == (6, 7)
