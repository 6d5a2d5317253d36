"""Hours-saved ledger and report: totals checked against the runs that produced them,
with a baseline change in the middle of a fiscal year."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from scheduler import record_run, set_baseline
from scheduler.ledger import baselines, runs, set_process_name
from scheduler.report import build_report, fiscal_year, write_html, write_xlsx
from yomikaki.cli import app
from yomikaki.errors import InputError

TOKYO = ZoneInfo("Asia/Tokyo")

# (process, started (JST), done, failed, review minutes, run's own minutes)
RUNS = [
    ("benefit", datetime(2026, 4, 10, 9), 120, 4, 30.0, 9.0),
    ("benefit", datetime(2026, 5, 8, 9), 200, 0, 0.0, 9.0),
    ("benefit", datetime(2026, 10, 9, 9), 150, 10, 45.0, 9.0),  # after the new baseline
    ("benefit", datetime(2027, 3, 10, 9), 80, 2, 0.0, 9.0),
    ("tax", datetime(2026, 6, 1, 7, 30), 1000, 0, 120.0, 3.0),  # no history: its own minutes
    ("benefit", datetime(2026, 3, 31, 23, 30), 50, 0, 0.0, 9.0),  # FY2025
    ("benefit", datetime(2026, 3, 31, 16, 0, tzinfo=ZoneInfo("UTC")), 10, 0, 0.0, 9.0),  # 4/1 01:00 JST
]


def _seed():
    set_baseline("benefit", 6.0, date(2026, 4, 1), "福祉課 佐藤", 40, measured_on=date(2026, 3, 12))
    set_baseline("benefit", 5.0, date(2026, 10, 1), "福祉課 佐藤", 60, measured_on=date(2026, 9, 20),
                 exception_minutes_per_item=12.0)
    set_process_name("benefit", "給付金 口座振込データ登録")
    set_process_name("tax", "住民税 通知")
    ids = []
    for process, started, done, failed, review, own in RUNS:
        ids.append(record_run(
            process_id=process, kind="robot", started_at=started, ended_at=started + timedelta(minutes=20),
            status="ok" if not failed else "failed_items", items_total=done + failed, items_done=done,
            items_failed=failed, manual_minutes_per_item=own, review_minutes=review,
        ))
    return ids


def _expected(fy: int):
    """Independent arithmetic from the RUNS table and the two baselines above."""
    totals: dict[str, list[float]] = {}
    for process, started, done, failed, review, own in RUNS:
        local = started.astimezone(TOKYO) if started.tzinfo else started
        if fiscal_year(local.date()) != fy:
            continue
        if process == "benefit":
            if local.date() >= date(2026, 10, 1):
                minutes, exception = 5.0, 12.0
            elif local.date() >= date(2026, 4, 1):
                minutes, exception = 6.0, 6.0
            else:  # before any baseline took effect: the run's own minutes
                minutes, exception = own, own
        else:
            minutes, exception = own, own
        gross = done * minutes / 60
        net = gross - (review + failed * exception) / 60
        entry = totals.setdefault(process, [0.0, 0.0, 0])
        entry[0] += gross
        entry[1] += net
        entry[2] += done
    return totals


def test_record_run_uses_the_baseline_valid_on_the_run_date():
    _seed()
    recorded = {(r.process_id, r.run_date): r for r in runs()}
    april = recorded[("benefit", date(2026, 4, 10))]
    assert (april.baseline_minutes, april.baseline_source) == (6.0, "history")
    assert april.gross_hours == pytest.approx(120 * 6 / 60)
    assert april.net_hours == pytest.approx(120 * 6 / 60 - (30 + 4 * 6) / 60)
    october = recorded[("benefit", date(2026, 10, 9))]
    assert october.baseline_minutes == 5.0 and october.exception_minutes == pytest.approx(120.0)
    tax = recorded[("tax", date(2026, 6, 1))]
    assert (tax.baseline_minutes, tax.baseline_source) == (3.0, "run")
    # the UTC start on 3/31 is 4/1 in Tokyo: fiscal year 2026
    assert ("benefit", date(2026, 4, 1)) in recorded


def test_report_totals_match_the_runs_per_fiscal_year():
    _seed()
    for fy in (2025, 2026):
        expected = _expected(fy)
        report = build_report(fy)
        by_process = {line.process_id: line for line in report.by_process}
        assert set(by_process) == set(expected)
        for process, (gross, net, done) in expected.items():
            assert by_process[process].gross_hours == pytest.approx(gross)
            assert by_process[process].net_hours == pytest.approx(net)
            assert by_process[process].items_done == done
        (total,) = report.totals
        assert total.net_hours == pytest.approx(sum(v[1] for v in expected.values()))
        assert sum(m.net_hours for m in report.by_month) == pytest.approx(total.net_hours)
    benefit = next(line for line in build_report(2026).by_process if line.process_id == "benefit")
    assert benefit.baselines == [6.0, 5.0]


def test_explicit_exception_minutes_win_and_bad_input_is_refused():
    start = datetime(2026, 7, 1, 9, tzinfo=TOKYO)
    run_id = record_run(process_id="p", kind="ocr", started_at=start, ended_at=start, status="failed_items",
                        items_total=10, items_done=8, items_failed=2, manual_minutes_per_item=3.0,
                        exception_minutes=7.5)
    (row,) = runs()
    assert row.id == run_id and row.exception_minutes == 7.5
    assert row.net_hours == pytest.approx((8 * 3 - 7.5) / 60)
    with pytest.raises(InputError, match="kind"):
        record_run(process_id="p", kind="robots", started_at=start, ended_at=start, status="ok",
                   items_total=1, items_done=1, items_failed=0, manual_minutes_per_item=1.0)
    with pytest.raises(InputError):
        record_run(process_id="p", kind="robot", started_at=start, ended_at=start - timedelta(hours=1),
                   status="ok", items_total=1, items_done=1, items_failed=0, manual_minutes_per_item=1.0)


def test_set_baseline_keeps_history_and_is_idempotent():
    first = set_baseline("p", 4.0, date(2026, 4, 1), "A", 10)
    assert set_baseline("p", 4.0, date(2026, 4, 1), "A", 10) == first
    set_baseline("p", 3.5, date(2026, 10, 1), "B", 20)
    assert [(b.minutes_per_item, b.effective_from) for b in baselines("p")] == [
        (4.0, date(2026, 4, 1)), (3.5, date(2026, 10, 1))]


def test_xlsx_and_html_report(tmp_path):
    _seed()
    report = build_report(2026)
    xlsx = write_xlsx(report, tmp_path / "report.xlsx")
    wb = load_workbook(xlsx)
    monthly = wb["月別"]
    rows = list(monthly.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(report.monthly)
    assert sum(r[10] for r in rows) == pytest.approx(report.totals[0].net_hours, abs=0.05)
    totals = wb["年度合計"]
    assert len(totals._charts) == 1
    last = list(totals.iter_rows(values_only=True))[-1]
    assert last[0] == "2026年度" and last[8] == pytest.approx(round(report.totals[0].net_hours, 2))
    html = write_html(report, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html and "給付金 口座振込データ登録" in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_report_workbook(tmp_path):
    _seed()
    xlsx = write_xlsx(build_report(2026), tmp_path / "report.xlsx")
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "csv",
         "--outdir", str(tmp_path / "csv"), str(xlsx)],
        capture_output=True, text=True, timeout=120,
    )
    out = tmp_path / "csv" / "report.csv"
    assert out.exists(), result.stderr
    assert "benefit" in out.read_text(encoding="utf-8", errors="replace")


def test_hours_cli_report_and_baselines(tmp_path):
    runner = CliRunner()

    def cli(*args):
        result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.output

    cli("hours", "baseline", "set", "benefit", "6", "--from", "2026-04-01", "--by", "福祉課", "--sample-size", "30")
    assert "benefit" in cli("hours", "baseline", "list")
    start = datetime(2026, 5, 1, 9, tzinfo=TOKYO)
    record_run(process_id="benefit", kind="robot", started_at=start, ended_at=start, status="ok",
               items_total=60, items_done=60, items_failed=0, manual_minutes_per_item=None)
    out = cli("hours", "report", "--fiscal-year", "2026", "--out", "r.xlsx", "--html", "r.html")
    assert "6.0" in out and "合計 (1 業務)" in out  # 60 items × 6 min = 6.0 h
    assert (tmp_path / "r.xlsx").exists() and (tmp_path / "r.html").exists()
    assert "2026-05" in cli("hours", "report", "--by", "month")
