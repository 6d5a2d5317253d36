"""Scenario ``interrupts``: the お知らせ notice is closed wherever it appears; other dialogs are left alone."""

from __future__ import annotations

from robots.interrupts import trigger_css
from robots.locators.base import LocatorSpec
from robots.runner import run_scenario
from tests.robots.conftest import REGISTRATION

HANDLED = "割り込み画面を処理します"


def test_robots_interrupt_trigger_is_a_css_superset_only_for_plain_role_locators():
    assert trigger_css(LocatorSpec(role="dialog", name="お知らせ")) == "dialog, [role~=dialog]"
    assert trigger_css(LocatorSpec(role="alertdialog", name="確認", exact=True)) == "[role~=alertdialog]"
    # anything the CSS could not cover is watched as written
    assert trigger_css(LocatorSpec(role="button", name="閉じる")) is None
    assert trigger_css(LocatorSpec(role="dialog", name="お知らせ", has_text="メンテナンス")) is None
    assert trigger_css(LocatorSpec(role="dialog", within=LocatorSpec(css="main"))) is None
    assert trigger_css(LocatorSpec(text="お知らせ")) is None


def test_robots_notice_on_every_screen_is_closed_and_the_bank_dialog_is_not(start_core_system, core_credentials,
                                                                            make_rows, write_rows, robot,
                                                                            isolated_data_dir):
    core = start_core_system(notice_rate=1.0)  # the お知らせ modal covers every screen
    rows = make_rows(core, 4, offset=40)
    assert any(not row["yucho_symbol"] for row in rows), "needs a row that uses the bank search dialog"
    result = run_scenario(REGISTRATION, input_path=write_rows(rows), overrides={"core_url": core.url},
                          progress=False)
    assert result.status == "completed", result.message
    apps = robot.applications(core)
    finished = [e for e in robot.events(result.log_path) if e["event"] == "item_finished"]
    assert [e["outcome"] for e in finished] == ["done"] * len(rows)
    for event in finished:
        assert len(apps[event["reference"]]) == 1
        handled = [note for note in event.get("notes", []) if note["message"] == HANDLED]
        # entry, confirmation and completion screens each showed the notice (the bank search
        # dialog, also role=dialog, opened without being "handled": the row still registered)
        assert len(handled) >= 2, event
