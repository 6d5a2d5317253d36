"""Helpers for the scheduler-process tests: a job module, jobs files, a real `schedule start`."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

JOB_MODULE = '''
import json, os, time

def work(path, items=3, failed=0, sleep=0.0):
    with open(path, "a") as fh:
        fh.write(json.dumps({"event": "start", "t": time.time(), "pid": os.getpid()}) + "\\n")
    time.sleep(sleep)
    with open(path, "a") as fh:
        fh.write(json.dumps({"event": "end", "t": time.time(), "pid": os.getpid()}) + "\\n")
    return {"items_total": items, "items_done": items - failed, "items_failed": failed}
'''


def write_job_module(folder: Path) -> None:
    (folder / "sched_test_jobs.py").write_text(JOB_MODULE, encoding="utf-8")


def job_yaml(job_id: str, when: str, *, out: str = "out.jsonl", grace: str = "60", sleep: float = 0,
             items: int = 3, failed: int = 0, minutes: float = 2.0) -> str:
    return f"""
  - id: {job_id}
    name: テスト業務 {job_id}
    process: proc_{job_id.replace('-', '_')}
    run:
      function: "sched_test_jobs:work"
      kwargs: {{path: {out}, items: {items}, failed: {failed}, sleep: {sleep}}}
    when:
{when}
    manual_minutes_per_item: {minutes}
    misfire_grace: {grace}
"""


def every_seconds(n: int) -> str:
    return f'      cron: {{second: "*/{n}"}}'


def daily_at(moment: datetime) -> str:
    local = moment.astimezone(TOKYO)
    return f'      cron: {{hour: "{local.hour}", minute: "{local.minute}", second: "{local.second}"}}'


def write_jobs(path: Path, *jobs: str) -> Path:
    path.write_text("timezone: Asia/Tokyo\njobs:" + "".join(jobs) + "\n", encoding="utf-8")
    return path


class SchedulerProcess:
    def __init__(self, cwd: Path, jobs: Path, *extra: str, env: dict | None = None):
        self.cwd = cwd
        self.log = cwd / f"scheduler-{time.monotonic_ns()}.log"
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join([str(cwd), environment.get("PYTHONPATH", "")])
        environment.update(env or {})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yomikaki", "schedule", "start", "--jobs", str(jobs), *extra],
            cwd=cwd, env=environment, stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"scheduler exited ({self.proc.returncode}):\n{self.output()}")
            time.sleep(0.1)
        raise AssertionError(f"'{text}' not seen within {timeout}s:\n{self.output()}")

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def lines(path: Path) -> list[dict]:
    import json

    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_until(predicate, timeout: float = 20, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def sleep_until(moment: datetime) -> None:
    delay = (moment - datetime.now(TOKYO)).total_seconds()
    if delay > 0:
        time.sleep(delay)


def db_rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db, timeout=30) as conn:
        return conn.execute(sql, params).fetchall()


def next_whole_second(seconds_ahead: float) -> datetime:
    moment = datetime.now(TOKYO) + timedelta(seconds=seconds_ahead)
    return moment.replace(microsecond=0) + timedelta(seconds=1)


def assert_no_overlap(events: list[dict], killed_at: dict[int, float]) -> None:
    """Each run is a start/end pair of one pid; a run cut by SIGKILL ends at the kill time."""
    open_runs: dict[int, float] = {}
    intervals = []
    for event in sorted(events, key=lambda e: e["t"]):
        if event["event"] == "start":
            open_runs[event["pid"]] = event["t"]
        else:
            intervals.append((open_runs.pop(event["pid"]), event["t"]))
    for pid, started in open_runs.items():
        intervals.append((started, killed_at.get(pid, float("inf"))))
    intervals.sort()
    for (_, end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
        assert next_start >= end, "two runs of the job overlapped"
