"""The jobs file: located errors (file:line:col), "did you mean", the sample, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.jobs_file import load_jobs
from yomikaki.cli import app
from yomikaki.errors import ValidationFailed

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "jobs.yaml"


def _problems(tmp_path, text: str) -> str:
    path = tmp_path / "jobs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_jobs(path)
    return str(info.value)


def test_errors_have_file_line_column_and_suggestions(tmp_path):
    text = """timezone: Asia/Tokyo
jobs:
  - id: pay
    name: 児童手当 支払
    process: jidou
    run:
      function: "os.path:join"
    when:
      monthly: {day: 10}
      adjsut: previous
      at: "25:00"
  - id: notice
    name: 通知
    process: tax
    run: {function: "os.path:join"}
    when: {yearly: {month: 2, day: 30}}
    manual_minutes_per_item: {minutes: -1}
"""
    message = _problems(tmp_path, text)
    path = tmp_path / "jobs.yaml"
    assert f"{path}:10:7: 知らない項目 'adjsut' (もしかして 'adjust'?)" in message
    assert f"{path}:11:11:" in message and "25:00" in message
    assert f"{path}:16:" in message and "2月30日" in message
    assert f"{path}:17:" in message and "minutes" in message


def test_second_stage_errors_duplicate_ids_bad_function_bad_csv(tmp_path):
    (tmp_path / "extra.csv").write_text("ExcludedDate\n2026-12-01\n2026-02-30\n", encoding="utf-8")
    text = """calendar:
  excluded_dates_csv: extra.csv
jobs:
  - id: a
    name: A
    process: p
    run: {function: "os.path:jion"}
    when: {weekly: {weekdays: [mon]}}
  - id: a
    name: B
    process: p
    run: {function: "no_such_module_xyz:run"}
    when: {cron: {minute: "*/5"}}
"""
    path = tmp_path / "jobs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_jobs(path)
    message = str(info.value)
    assert "(もしかして 'join'?)" in message
    assert f"{path}:9:" in message and "重複" in message
    assert "no_such_module_xyz" in message
    assert "extra.csv:3:" in message and "2026-02-30" in message


def test_rule_choices_are_checked(tmp_path):
    message = _problems(tmp_path, """jobs:
  - id: a
    name: A
    process: p
    run: {function: "os:getcwd"}
    when: {cron: {minute: "*/5", secnd: "0"}, adjust: previous}
""")
    assert "secnd" in message and "second" in message


def test_sample_jobs_file_has_the_four_example_rules():
    loaded = load_jobs(SAMPLE, base_dir=REPO, check_targets=False)
    describe = {job.id: job.when.to_rule().describe() for job in loaded.jobs}
    assert describe["benefit-payment"] == "毎月10日 (休日なら前営業日)"
    assert describe["yearly-tax-notice"] == "毎年6月1日 (休日なら翌営業日)"
    assert describe["monthly-reconciliation"] == "毎月最初の営業日"
    assert describe["month-end-ocr"] == "毎月末日 (休日なら前営業日、その3営業日前)"
    assert loaded.job("monthly-reconciliation").when.at == "08:30"
    # the sample's excluded-dates CSV is part of the calendar
    assert loaded.calendar.excluded
    assert {job.run.kind for job in loaded.jobs} == {"scenario", "ocr"}


def test_schedule_next_prints_weekday_and_why(tmp_path):
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text("""jobs:
  - id: new-year
    name: 年始 処理
    process: p
    run: {function: "os:getcwd"}
    when: {yearly: {month: 1, day: 1}, adjust: next, at: "09:00"}
  - id: payment
    name: 支払
    process: p
    run: {function: "os:getcwd"}
    when: {monthly: {day: 10}, adjust: previous, at: "09:00"}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["schedule", "next", "--jobs", str(jobs), "--from", "2026-11-27",
                                      "--count", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "2027-01-04 (月) ← 2027-01-01 元日  09:00" in result.output
    assert "2027-01-08 (金) ← 2027-01-10 日曜日" in result.output
    assert "※国民の祝日が未確定の年" in result.output  # 2029 is not official yet
    single = CliRunner().invoke(app, ["schedule", "next", "--jobs", str(jobs), "--job", "paymnt"])
    assert single.exit_code != 0


def test_check_and_run_now_cli(tmp_path, monkeypatch):
    (tmp_path / "sched_cli_jobs.py").write_text(
        "def count(n):\n    return {'items_total': n, 'items_done': n, 'items_failed': 0}\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text("""jobs:
  - id: cnt
    name: 件数
    process: counting
    run: {function: "sched_cli_jobs:count", args: [7]}
    when: {monthly: {business_day: 1}, at: "08:30"}
    manual_minutes_per_item: {minutes: 3, measured_by: 総務課, sample_size: 12, measured_on: 2026-04-01}
""", encoding="utf-8")
    runner = CliRunner()

    def cli(*args):
        result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
        assert result.exit_code == 0, f"{result.output}{result.exception!r}"
        return result.output

    out = cli("schedule", "check", str(jobs))
    assert "OK" in out and "毎月最初の営業日" in out
    out = cli("schedule", "run-now", "cnt", "--jobs", str(jobs))
    assert "完了 7 件" in out
    assert "件数" in cli("schedule", "status", "--jobs", str(jobs))
    assert "0.3" in cli("hours", "report")  # 7 × 3 min = 0.35 h
    bad = tmp_path / "bad.yaml"
    bad.write_text("jobs:\n  - id: x\n    nmae: y\n", encoding="utf-8")
    result = runner.invoke(app, ["schedule", "check", str(bad)])
    assert isinstance(result.exception, ValidationFailed) and result.exception.exit_code == 2
    assert f"{bad}:3:5" in str(result.exception) and "name" in str(result.exception)


def test_check_exit_code_through_the_console_entry_point(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("jobs:\n  - id: x\n    nmae: y\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "yomikaki", "schedule", "check", str(bad)],
                            capture_output=True, text=True, timeout=60, env=dict(os.environ, COLUMNS="200"))
    assert result.returncode == 2 and f"{bad}:3:5" in result.stderr
