"""Scenario files: line-numbered errors, did-you-mean, template checks, schema, codegen, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from robots.checks import check_scenario
from robots.loader import load_scenario
from robots.steps.base import load_all
from yomikaki.cli import app
from yomikaki.errors import ValidationFailed

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
REGISTRATION = SCENARIOS / "benefit_registration.yaml"

HEADER = "name: テスト\nsite:\n  secrets: [CORE_USER]\nvars:\n  core_url: http://x\n"


def problems_of(tmp_path, body: str) -> list[str]:
    path = tmp_path / "s.yaml"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_scenario(path)
    return info.value.problems


def test_robots_misspelt_step_gets_line_column_and_suggestion(tmp_path):
    problems = problems_of(tmp_path, "steps:\n  - goto: /login\n  - clik: {role: button, name: 登録}\n")
    assert problems == [f"{tmp_path / 's.yaml'}:8:5: 'clik' という名前のステップはありません（もしかして 'click'？）"]


def test_robots_every_problem_is_reported_with_its_position(tmp_path):
    body = (
        "steps:\n"
        "  - fill: {label: 氏名}\n"                                   # line 7: value missing
        "  - click: {role: button, label: 登録}\n"                     # line 8: two locator kinds
        "  - if: {visible: {text: x}}\n"                               # line 9
        "    then:\n"
        "      - expect: {text: ok, colour: red}\n"                    # line 11: unknown key
        "  - select: {next_to: 預金種別, optoin: 普通}\n"              # line 12: misspelt key
    )
    problems = problems_of(tmp_path, body)
    text = "\n".join(problems)
    path = tmp_path / "s.yaml"
    assert f"{path}:7:" in text and "'value' がありません" in text
    assert f"{path}:8:" in text and "1 つだけ" in text
    assert f"{path}:11:" in text and "'colour'" in text
    assert f"{path}:12:" in text and "もしかして 'option'" in text
    assert len(problems) == 4


def test_robots_yaml_syntax_error_is_located(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nsteps:\n  - goto: /a\n   - click: {text: b\n", encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_scenario(path)
    assert f"{path}:4:" in str(info.value) or f"{path}:5:" in str(info.value)


def test_robots_unknown_top_level_key_and_missing_steps(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nsetpu: []\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_scenario(path)
    text = "\n".join(info.value.problems)
    assert f"{path}:2:1: 'setpu' という項目はありません（もしかして 'setup'？）" in text
    assert "'steps' がありません" in text


def test_robots_template_checks_against_columns_vars_and_secrets(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(HEADER + "steps:\n  - fill: {label: a, value: '{{ item.application_idd }}'}\n"
                    "  - goto: '{{ vars.core_ur }}/x'\n  - fill: {label: b, value: '{{ secrets.CORE_PASS }}'}\n"
                    "  - log: '{{ undefined_name }}'\n  - log: '{{ item.x | no_such_filter }}'\n", encoding="utf-8")
    scenario = load_scenario(path)
    problems = check_scenario(scenario, ["application_id", "members"])
    text = "\n".join(problems)
    assert f"{path}:7:5: 入力に列 'application_idd' がありません（もしかして 'application_id'？）" in text
    assert f"{path}:8:5: 変数 vars.core_ur が vars にありません（もしかして 'core_url'？）" in text
    assert f"{path}:9:5: 秘密情報 'CORE_PASS' が site.secrets にありません" in text
    assert f"{path}:10:5: 変数 'undefined_name' は定義されていません" in text
    assert f"{path}:11:5:" in text and "no_such_filter" in text


def test_robots_shipped_scenarios_pass_their_own_check():
    for name in ("benefit_registration.yaml", "monthly_reconciliation.yaml", "yearly_tax_notice.yaml"):
        scenario = load_scenario(SCENARIOS / name)
        assert check_scenario(scenario, None) == []
        assert scenario.steps
    columns = ["application_id", "members", "application_date", "phone", "yucho_symbol", "yucho_number",
               "bank_kind", "bank_name", "branch_kind", "branch_name", "account_type", "account_number",
               "account_holder_kana"]
    assert check_scenario(load_scenario(REGISTRATION), columns) == []


def test_robots_cli_check_reports_and_goes_on_past_a_bad_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps:\n  - prss: Enter\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "check", str(bad), str(REGISTRATION)])
    assert result.exit_code == 2
    assert f"{bad}:3:5: 'prss' という名前のステップはありません（もしかして 'press'？）" in result.output
    assert f"{REGISTRATION}: OK" in result.output


def test_robots_schema_lists_every_step_and_locator_kind():
    result = CliRunner().invoke(app, ["scenario", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    step_names = {next(iter(v["required"])) for v in schema["$defs"]["Step"]["anyOf"] if v.get("type") == "object"}
    assert step_names == set(load_all())
    assert {"role", "label", "next_to", "column", "row", "any_of", "within", "frame", "nth"} <= set(
        schema["$defs"]["LocatorSpec"]["properties"])


RECORDING = '''
from playwright.sync_api import Playwright, sync_playwright, expect


def run(playwright: Playwright) -> None:
    browser = playwright.chromium.launch(headless=False)
    context = browser.new_context()
    page = context.new_page()
    page.goto("http://127.0.0.1:8765/login")
    page.get_by_label("ユーザーID").fill("staff01")
    page.get_by_label("パスワード").fill("yomikaki-demo")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="業務メニュー")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV出力").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("dialog", name="金融機関検索").get_by_role("button", name="検索").first.click()
    page.mouse.wheel(0, 100)
    context.close()
    browser.close()
'''


def test_robots_from_codegen_makes_a_loadable_scenario_without_the_password(tmp_path):
    recorded = tmp_path / "recorded.py"
    recorded.write_text(RECORDING, encoding="utf-8")
    out = tmp_path / "recorded.yaml"
    result = CliRunner().invoke(app, ["scenario", "from-codegen", str(recorded), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "yomikaki-demo" not in text and "{{ secrets.PASSWORD }}" in text
    assert "mouse.wheel" in text  # kept as a comment for the writer
    scenario = load_scenario(out)
    assert [c.name for c in scenario.steps] == ["goto", "fill", "fill", "click", "expect", "download", "dialog",
                                                 "click"]
    assert scenario.steps[-1].params.within.role == "dialog" and scenario.steps[-1].params.nth == 0
