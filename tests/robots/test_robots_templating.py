"""Templates: Japanese filters, strictness, sandbox."""

from __future__ import annotations

import pytest

from robots.errors import SystemError_
from robots.templating import evaluate, references, render, render_native


@pytest.mark.parametrize(("text", "iso"), [
    ("令和8年7月1日", "2026-07-01"), ("平成元年1月8日", "1989-01-08"), ("昭和52年11月8日", "1977-11-08"),
    ("R8.7.1", "2026-07-01"), ("２０２６/７/１", "2026-07-01"), ("令和８年７月１日", "2026-07-01"),
])
def test_robots_wareki_to_iso(text, iso):
    assert render("{{ d | iso_date }}", {"d": text}) == iso


def test_robots_iso_to_wareki_and_kana_filters():
    ctx = {"d": "2019-05-01", "e": "1989-01-08", "k": "ｻｲﾄｳ ﾏﾘ", "h": "さいとう　まり", "p": "049-283-1331",
           "n": "12345", "z": "ABC 123"}
    assert render("{{ d | wareki }}", ctx) == "令和元年5月1日"
    assert render("{{ e | wareki }}", ctx) == "平成元年1月8日"
    assert render("{{ k | katakana }}", ctx) == "サイトウ　マリ"
    assert render("{{ h | katakana }}", ctx) == "サイトウ　マリ"
    assert render("{{ p | digits }}", ctx) == "0492831331"
    assert render("{{ n | zero_pad(7) }}", ctx) == "0012345"
    assert render("{{ z | zenkaku }}", ctx) == "ＡＢＣ　１２３"
    assert render("{{ 'ＡＢＣ　１２３' | hankaku }}", ctx) == "ABC 123"
    assert render("{{ '2026-07' | month_end }}", ctx) == "2026-07-31"
    assert render("{{ '2026-02-15' | previous_month }}", ctx) == "2026-01"


def test_robots_native_values_keep_their_type():
    item = {"members": [{"name": "a", "opt_out": True}], "flag": False}
    assert render_native("{{ item.members }}", {"item": item}) == item["members"]
    assert render_native("{{ item.flag }}", {"item": item}) is False
    assert evaluate("item.members[0].opt_out", {"item": item}) is True
    assert render("番号 {{ item.flag }}", {"item": item}) == "番号 False"


def test_robots_japanese_column_names():
    assert render("{{ item.申請書番号 }}", {"item": {"申請書番号": "0012345678"}}) == "0012345678"
    assert references("{{ item.口座番号 | zero_pad(7) }}")[1] == {("item", "口座番号")}


def test_robots_misspelt_column_is_an_error_not_an_empty_string():
    with pytest.raises(SystemError_, match="application_idd"):
        render("{{ item.application_idd }}", {"item": {"application_id": "1"}})


def test_robots_sandbox_blocks_python_internals():
    with pytest.raises(SystemError_):
        render("{{ item.__class__.__mro__[1].__subclasses__() }}", {"item": {}})


def test_robots_static_references():
    names, attrs = references("{{ item.application_id }} {{ vars.core_url }} {% for m in item.members %}{{ m }}{% endfor %}")
    assert names == {"item", "vars"}
    assert ("item", "application_id") in attrs and ("vars", "core_url") in attrs
