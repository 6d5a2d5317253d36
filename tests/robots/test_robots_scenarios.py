"""The other shipped scenarios: monthly reconciliation (CSV in CP932) and the yearly tax batch."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from robots.runner import run_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_robots_monthly_reconciliation_lists_the_differences(quiet_core, core_credentials, make_rows, write_rows,
                                                             robot):
    rows = make_rows(quiet_core, 3, offset=120)
    registered = run_scenario(SCENARIOS / "benefit_registration.yaml", input_path=write_rows(rows, "reg.jsonl"),
                              overrides={"core_url": quiet_core.url}, progress=False)
    assert registered.totals["done"] == 3
    unregistered = make_rows(quiet_core, 1, offset=130)[0]
    changed = dict(rows[1], application_date="2026-07-30" if rows[1]["application_date"] != "2026-07-30"
                   else "2026-07-29")
    confirmed = write_rows([rows[0], changed, rows[2], unregistered], "confirmed.csv")
    month = date.today().strftime("%Y-%m")  # the sample system stamps registrations with today's date
    result = run_scenario(SCENARIOS / "monthly_reconciliation.yaml",
                          overrides={"core_url": quiet_core.url, "month": month, "confirmed": str(confirmed)},
                          progress=False)
    assert result.status == "completed" and result.totals["done"] == 1, result
    item = robot.items("benefit-monthly-reconciliation")[month]
    workbook = Path(item.outputs["差異ブック"])
    assert workbook.exists() and Path(item.outputs["差異ブック"]).stat().st_mode & 0o077 == 0
    sheet = load_workbook(workbook)["差異"]
    found = {(r[0].value, r[1].value, r[2].value) for r in sheet.iter_rows(min_row=2)}
    assert (unregistered["application_id"], "未登録", None) in found or \
        (unregistered["application_id"], "未登録", "") in found
    assert (changed["application_id"], "相違", "申請日") in found
    assert not any(app_id in (rows[0]["application_id"], rows[2]["application_id"]) for app_id, _, _ in found
                   if _ != "確認データなし")
    # the month's CSV came down in CP932 next to the workbook
    assert (workbook.parent / f"applications_{month}.csv").read_bytes().decode("cp932").startswith("受付番号")


def test_robots_yearly_tax_batch_runs_once(quiet_core, core_credentials, robot):
    first = run_scenario(SCENARIOS / "yearly_tax_notice.yaml", overrides={"core_url": quiet_core.url, "nendo": "2025"},
                         progress=False)
    assert first.status == "completed" and first.totals["done"] == 1, first
    item = robot.items("tax-yearly-special-notice")["2025-特別徴収税額通知 一括作成"]
    result_file = Path(item.outputs["結果ファイル"])
    assert result_file.exists() and "令和7年度" in result_file.read_bytes().decode("cp932", errors="replace")
    again = run_scenario(SCENARIOS / "yearly_tax_notice.yaml", overrides={"core_url": quiet_core.url, "nendo": "2025"},
                         progress=False)
    assert again.totals["skipped"] == 1 and again.totals["done"] == 0
