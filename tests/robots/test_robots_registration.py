"""End to end: real Chromium registers confirmed rows on the real sample core system."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from robots.runner import run_scenario
from yomikaki.cli import app

REGISTRATION = Path(__file__).resolve().parents[2] / "scenarios" / "benefit_registration.yaml"


def assert_registered_as_input(apps: list[dict], row: dict, receipt: str) -> None:
    assert len(apps) == 1, f"{row['application_id']} registered {len(apps)} times"
    app_ = apps[0]
    assert app_["receipt_no"] == receipt
    assert app_["application_date"] == row["application_date"]
    assert app_["phone"] == row["phone"]
    assert app_["account_holder_kana"] == row["account_holder_kana"]
    assert sorted(app_["opt_out_members"]) == sorted(m["name"] for m in row["members"] if m["opt_out"])
    if row["yucho_symbol"]:
        assert (app_["yucho_symbol"], app_["yucho_number"], app_["account_number"]) == (
            row["yucho_symbol"], row["yucho_number"], None)
    else:
        assert app_["account_number"] == row["account_number"] and app_["account_type"] == row["account_type"]
        assert app_["bank_name"].startswith(row["bank_name"])
        assert app_["branch_name"].startswith(row["branch_name"] or "本店")


def test_robots_registers_50_applications_exactly_once(quiet_core, core_credentials, make_rows, write_rows, robot):
    rows = make_rows(quiet_core, 50, offset=0)
    path = write_rows(rows)
    result = run_scenario(REGISTRATION, input_path=path, overrides={"core_url": quiet_core.url}, workers=2,
                          progress=False)
    assert result.status == "completed" and result.ok, result
    assert result.totals["done"] == 50
    apps = robot.applications(quiet_core)
    items = robot.items()
    for row in rows:
        item = items[row["application_id"]]
        assert item.status == "done" and item.attempts == 1
        assert_registered_as_input(apps.get(row["application_id"], []), row, item.outputs["受付番号"])
    assert sum(1 for r in rows if r["yucho_symbol"]) > 0 and sum(1 for r in rows if not r["yucho_symbol"]) > 0
    assert any(m["opt_out"] for r in rows for m in r["members"])

    # the results workbook: Japanese headers, input columns, status, receipt number
    sheet = load_workbook(result.results_path)["結果"]
    header = [c.value for c in sheet[1]]
    assert {"application_id", "members.1.name", "状態", "メッセージ", "受付番号", "試行回数", "証跡"} <= set(header)
    statuses = [sheet.cell(row=r, column=header.index("状態") + 1).value for r in range(2, 52)]
    assert statuses == ["完了"] * 50
    assert stat.S_IMODE(os.stat(result.results_path).st_mode) == 0o600

    # the same input again: nothing is submitted twice
    again = run_scenario(REGISTRATION, input_path=path, overrides={"core_url": quiet_core.url}, progress=False)
    assert again.totals["skipped"] == 50 and again.totals["done"] == 0
    assert sum(len(v) for v in robot.applications(quiet_core).values()) == 50

    from sqlalchemy import select

    from scheduler.ledger import RunRecord
    from yomikaki.db import session_scope

    with session_scope() as session:  # each finished run is in the hours-saved ledger
        ledger = {r.run_ref: r for r in session.scalars(select(RunRecord).where(RunRecord.kind == "robot"))}
    assert ledger[result.run_id].items_done == 50 and ledger[result.run_id].status == "ok"
    assert ledger[result.run_id].run_manual_minutes == 4.0 and ledger[result.run_id].process_id == \
        "benefit-registration"
    assert ledger[again.run_id].items_done == 0

    listing = CliRunner().invoke(app, ["runs", "show", result.run_id])
    assert listing.exit_code == 0 and "全 50 件: 完了 50" in listing.output


def test_robots_business_errors_evidence_and_csv_input(quiet_core, core_credentials, make_rows, write_rows, robot,
                                                       tmp_path):
    good, duplicate, third, fourth = make_rows(quiet_core, 4, offset=60)
    # register `duplicate` beforehand through another queue, as if a person had done it
    other = tmp_path / "other.yaml"
    other.write_text(REGISTRATION.read_text(encoding="utf-8").replace(
        "process_id: benefit-registration", "process_id: someone-else"), encoding="utf-8")
    first = run_scenario(other, input_path=write_rows([duplicate], "dup.jsonl"),
                         overrides={"core_url": quiet_core.url}, progress=False)
    assert first.totals["done"] == 1
    unknown = dict(good, application_id="0000000001")
    short = dict(good, application_id="12345")
    no_account = dict(third, bank_name=None, account_number=None, yucho_symbol=None, yucho_number=None)
    stranger = dict(fourth, members=fourth["members"] + [{"name": "存在　しない", "relation": "子",
                                                          "birth_date": "2010-01-01", "opt_out": True}])
    path = write_rows([good, duplicate, unknown, short, no_account, stranger], "rows.csv", encoding="cp932")
    result = run_scenario(REGISTRATION, input_path=path, overrides={"core_url": quiet_core.url}, progress=False)
    items = robot.items()
    assert items[good["application_id"]].status == "done"
    assert items[duplicate["application_id"]].status == "business_error"
    assert "既に申請済みです" in items[duplicate["application_id"]].error
    assert items["0000000001"].status == "business_error" and "見つかりません" in items["0000000001"].error
    assert items["12345"].status == "business_error" and "10桁" in items["12345"].error
    assert "受取口座" in items[third["application_id"]].error
    assert "存在　しない" in items[fourth["application_id"]].error
    assert all(items[k].attempts == 1 for k in ("0000000001", "12345"))  # business errors are never retried
    assert len(robot.applications(quiet_core)[duplicate["application_id"]]) == 1
    assert not ({third["application_id"], fourth["application_id"]} & set(robot.applications(quiet_core)))
    assert result.totals == {"total": 6, "done": 1, "skipped": 0, "business_error": 5, "system_error": 0,
                             "in_doubt": 0, "pending": 0}
    # evidence of a failed item: masked screenshot, redacted HTML, trace; private permissions
    evidence = Path(items["0000000001"].evidence)
    assert stat.S_IMODE(evidence.stat().st_mode) == 0o700
    names = sorted(p.name for p in evidence.iterdir())
    assert "screenshot.png" in names and "page.html" in names and any(n.startswith("trace-") for n in names)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in evidence.iterdir())
    assert "yomikaki-demo" not in (evidence / "page.html").read_text(encoding="utf-8")
    # done items keep no evidence
    assert items[good["application_id"]].evidence is None


def test_robots_unexpected_dialog_is_a_system_error_and_nothing_is_submitted(quiet_core, core_credentials,
                                                                            make_rows, write_rows, robot, tmp_path):
    (row,) = make_rows(quiet_core, 1, offset=70)
    text = REGISTRATION.read_text(encoding="utf-8")
    text = text.replace("  - dialog: {action: accept, message: 登録しますか}\n", "")
    text = text.replace("  max_retries: 2", "  max_retries: 1").replace("process_id: benefit-registration",
                                                                        "process_id: no-dialog-plan")
    variant = tmp_path / "no_dialog.yaml"
    variant.write_text(text, encoding="utf-8")
    result = run_scenario(variant, input_path=write_rows([row]), overrides={"core_url": quiet_core.url},
                          progress=False)
    item = robot.items("no-dialog-plan")[row["application_id"]]
    assert item.status == "system_error"
    assert "予期しないダイアログ" in item.error and "登録しますか" in item.error
    # one attempt + max_retries 1 (one owner of retries), then a pass that only ran the check block
    assert item.attempts == 3 and "未登録" in item.error
    events = [e for e in robot.events(result.log_path) if e["event"] == "item_finished"]
    assert [e["code"] for e in events] == ["dialog", "dialog", "retries"]
    assert result.totals["system_error"] == 1
    assert row["application_id"] not in robot.applications(quiet_core)
    # a trace per failed attempt: actions and network; DOM snapshots from the first retry on
    traces = sorted(Path(events[0]["evidence"]).glob("trace-*.zip"))
    by_attempt = {int(t.name.split("-")[1]): t for t in traces if "-part" not in t.name}
    assert sorted(by_attempt) == [1, 2, 3], traces
    assert not _has_dom_snapshots(by_attempt[1]) and _has_dom_snapshots(by_attempt[2])
    assert _has_actions(by_attempt[1], "登録")


def _trace_events(path: Path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".trace")]


def _has_dom_snapshots(path: Path) -> bool:
    return any('"frame-snapshot"' in text for text in _trace_events(path))


def _has_actions(path: Path, button: str) -> bool:
    return any('"type":"before"' in text and button in text for text in _trace_events(path))


def test_robots_dry_run_touches_nothing(quiet_core, core_credentials, make_rows, write_rows, robot):
    rows = make_rows(quiet_core, 3, offset=80)
    result = run_scenario(REGISTRATION, input_path=write_rows(rows), overrides={"core_url": quiet_core.url},
                          dry_run=True, progress=False)
    assert result.status == "dry_run" and result.totals["to_process"] == 3
    assert robot.items() == {}
    assert not any(r["application_id"] in robot.applications(quiet_core) for r in rows)


@pytest.mark.parametrize("bad", ["core_urll=x"])
def test_robots_unknown_override_is_refused(bad, core_credentials, write_rows, make_rows, quiet_core):
    from robots.runner import parse_overrides
    from yomikaki.errors import InputError

    with pytest.raises(InputError, match="core_urll"):
        run_scenario(REGISTRATION, input_path=write_rows(make_rows(quiet_core, 1, offset=90)),
                     overrides=parse_overrides([bad]), progress=False)
