"""yomikaki.japanese: NFKC + dash table, 和暦, widths, kana, digits, phone numbers."""

from __future__ import annotations

from datetime import date

import pytest

from yomikaki.japanese import (
    digits_only,
    era_of,
    is_fullwidth_katakana,
    iso_to_wareki,
    normalize_phone,
    normalize_text,
    parse_date,
    to_hankaku,
    to_katakana,
    to_zenkaku,
    wareki_to_iso,
    zero_pad,
)

# -- hyphen / minus / 長音 table ------------------------------------------------------------
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\u30fc", "\uff70",
          "\uff0d", "\u2500", "\ufe63"]


@pytest.mark.parametrize("dash", DASHES)
def test_dash_between_katakana_becomes_long_vowel(dash):
    assert normalize_text(f"コ{dash}ポ坂戸") == "コーポ坂戸"
    assert normalize_text(f"サッカ{dash}") == "サッカー"  # at the end, after kana


@pytest.mark.parametrize("dash", DASHES)
def test_dash_between_digits_becomes_hyphen(dash):
    assert normalize_text(f"049{dash}283{dash}1331") == "049-283-1331"
    assert normalize_text(f"〒350{dash}0214") == "〒350-0214"


def test_dash_context_mixed():
    assert normalize_text("１丁目−２") == "1丁目-2"  # kanji then digit: hyphen
    assert normalize_text("スーパー-ABC") == "スーパー-ABC"  # a run is decided dash by dash
    assert normalize_text("らーめん") == "らーめん"  # hiragana keeps its long vowel
    assert normalize_text("ｺｰﾎﾟ") == "コーポ"  # half-width kana folded by NFKC, ｰ stays a vowel mark
    assert normalize_text("ー") == "ー"
    assert normalize_text("坂戸市西インター1丁目") == "坂戸市西インター1丁目"  # a real ー before digits stays
    assert normalize_text("コーポ−101") == "コーポ-101"  # a minus after kana, before digits: hyphen
    # the kanji 一 between katakana is a 長音 look-alike; next to kanji or digits it stays 一
    assert normalize_text("コ一ポ第１　センタ一ビル") == "コーポ第1　センタービル"
    assert normalize_text("坂戸市西インター一丁目　コーポ第一") == "坂戸市西インター一丁目　コーポ第一"


def test_nfkc_keeps_fullwidth_space_and_folds_whitespace():
    assert normalize_text("ＡＢＣ１２３") == "ABC123"
    assert normalize_text("レジデンスＡ") == "レジデンスA"
    assert normalize_text("  斎藤\u3000\u3000 真理 ") == "斎藤\u3000真理"
    assert normalize_text("a  b") == "a b"
    assert normalize_text("斎藤\u3000真理", fullwidth_space=False) == "斎藤 真理"
    assert normalize_text(None) == ""
    assert normalize_text("\ufeff0508\u200b821\x00") == "0508821"  # BOM, zero-width space, NUL
    assert normalize_text("a\tb\nc") == "a b c"


# -- 和暦 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和8年7月1日", "2026-07-01"),
        ("令和元年5月1日", "2019-05-01"),
        ("令和 ８年 ７月 １日", "2026-07-01"),
        ("令和八年七月一日", "2026-07-01"),
        ("平成三十一年四月三十日", "2019-04-30"),
        ("R8.7.1", "2026-07-01"),
        ("r08/07/01", "2026-07-01"),
        ("Ｒ８．７．１", "2026-07-01"),
        ("H31.4.30", "2019-04-30"),
        ("平成元年1月8日", "1989-01-08"),
        ("昭和64年1月7日", "1989-01-07"),
        ("昭和52年11月8日", "1977-11-08"),
        ("S52.11.8", "1977-11-08"),
        ("大正15年12月24日", "1926-12-24"),
        ("昭和元年12月25日", "1926-12-25"),
        ("明治45年7月29日", "1912-07-29"),
        ("大正元年7月30日", "1912-07-30"),
        ("㍻31.4.30", "2019-04-30"),
        ("令和6年2月29日", "2024-02-29"),  # leap year
        ("2026-07-01", "2026-07-01"),
        ("2026/7/1", "2026-07-01"),
        ("2026年7月1日", "2026-07-01"),
        ("20260701", "2026-07-01"),
        ("昭和52年11月8日生", "1977-11-08"),
        ("（令和8年7月1日）", "2026-07-01"),
        ("合和8年7月1曰", "2026-07-01"),  # OCR look-alikes of 令 and 日
        ("平戌元年1月8日", "1989-01-08"),
        ("昭和52年1l月8日", "1977-11-08"),  # a letter l read for 1
        ("R8.1O.1", "2026-10-01"),  # O for 0; R is the era
    ],
)
def test_wareki_to_iso(text, iso):
    assert wareki_to_iso(text) == iso


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("平成31年5月1日", "「平成31年5月1日」は平成の期間外です（平成は平成31年4月30日まで）"),
        ("昭和64年1月8日", "「昭和64年1月8日」は昭和の期間外です（昭和は昭和64年1月7日まで）"),
        ("平成元年1月7日", "「平成元年1月7日」は平成の期間外です（平成は平成元年1月8日から）"),
        ("令和元年4月30日", "「令和元年4月30日」は令和の期間外です（令和は令和元年5月1日から）"),
        ("H31.5.1", "「H31.5.1」は平成の期間外です（平成は平成31年4月30日まで）"),
        ("令和8年2月30日", "「令和8年2月30日」は存在しない日付です"),
        ("令和7年2月29日", "「令和7年2月29日」は存在しない日付です"),
        ("令和0年1月1日", "「令和0年1月1日」: 令和の年が正しくありません"),
        ("2026-13-01", "「2026-13-01」は存在しない日付です"),
        ("きのう", "「きのう」は日付として読めません（例: 令和8年7月1日、R8.7.1、2026-07-01）"),
        ("", "日付が空です"),
    ],
)
def test_wareki_errors_are_japanese(text, message):
    with pytest.raises(ValueError) as info:
        wareki_to_iso(text)
    assert str(info.value) == message


def test_iso_to_wareki_both_styles_and_round_trip():
    assert iso_to_wareki("2019-05-01") == "令和元年5月1日"
    assert iso_to_wareki("2019-04-30") == "平成31年4月30日"
    assert iso_to_wareki("1989-01-07") == "昭和64年1月7日"
    assert iso_to_wareki("1989-01-08") == "平成元年1月8日"
    assert iso_to_wareki("2026-07-01", style="short") == "R8.7.1"
    assert iso_to_wareki(date(1977, 11, 8), style="short") == "S52.11.8"
    for day in (date(1900, 1, 1), date(1926, 12, 25), date(1989, 1, 8), date(2019, 5, 1), date(2026, 12, 31)):
        assert parse_date(iso_to_wareki(day)) == day
        assert parse_date(iso_to_wareki(day, style="short")) == day
    with pytest.raises(ValueError):
        iso_to_wareki("2026-07-01", style="long")
    assert era_of(date(2019, 4, 30)).name == "平成"


# -- widths, kana, digits ---------------------------------------------------------------------
def test_width_conversions():
    assert to_zenkaku("ｻｲﾄｳ 123 abc") == "サイトウ　１２３　ａｂｃ"
    assert to_hankaku("サイトウ　１２３ＡＢＣ") == "ｻｲﾄｳ 123ABC"
    assert to_hankaku("サイトウ　１２３", kana=False) == "サイトウ 123"


def test_to_katakana_and_check():
    assert to_katakana("さいとう　まり") == "サイトウ　マリ"
    assert to_katakana("ｶﾞｯｺｳ ﾊﾟﾝ") == "ガッコウ　パン"  # dakuten joined, small kana kept, space widened
    assert to_katakana("ゔぁいおりん") == "ヴァイオリン"
    assert is_fullwidth_katakana("サイトウ　マリ")
    assert is_fullwidth_katakana("ヴァイオリン")
    assert not is_fullwidth_katakana("サイトウ　")  # dangling space
    assert not is_fullwidth_katakana("ｻｲﾄｳ")
    assert not is_fullwidth_katakana("さいとう")
    assert not is_fullwidth_katakana("サイトウ　マリ", allow_space=False)
    assert not is_fullwidth_katakana("")


def test_digits():
    assert digits_only("〒３５０－０２１４") == "3500214"
    assert digits_only(None) == ""
    assert zero_pad("５０８８２１", 7) == "0508821"
    assert zero_pad("", 7) == ""
    assert zero_pad("12345678", 7) == "12345678"


# -- phone numbers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("049-283-1331", "049-283-1331"),
        ("０４９ー２８３ー１３３１", "049-283-1331"),
        ("049−283―1331", "049-283-1331"),
        ("049(283)1331", "049-283-1331"),
        ("0492831331", "049-283-1331"),  # grouped by area code
        ("09012345678", "090-1234-5678"),
        ("090 1234 5678", "090-1234-5678"),
        ("0312345678", "03-1234-5678"),
        ("0285123456", "0285-12-3456"),
        ("0120123456", "0120-123-456"),
        ("04-2912-3456", "04-2912-3456"),  # as written
        ("049-2831331", "049-283-1331"),  # a missed hyphen: grouped by area code
        ("090-12345678", "090-1234-5678"),
        ("03-1234-567", "03-1234-567"),  # too short: kept as written for the validator
        ("TEL 03-1234-5678", "03-1234-5678"),
        ("なし", ""),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_jinja_filters_for_scenarios():
    from jinja2.sandbox import SandboxedEnvironment

    from yomikaki.japanese import JINJA_FILTERS

    env = SandboxedEnvironment()
    env.filters.update(JINJA_FILTERS)
    text = env.from_string(
        "{{ d | wareki }}/{{ d | wareki('short') }}/{{ w | iso_date }}/{{ n | zero_pad(7) }}/"
        "{{ k | hiragana }}/{{ h | katakana }}/{{ p | phone }}/{{ p | digits }}/{{ z | hankaku }}/{{ a | zenkaku }}"
    ).render(d="2019-05-01", w="令和8年7月1日", n="508821", k="サイトウ", h="さいとう", p="049(283)1331",
             z="ＡＢＣ１２３", a="ABC")
    assert text == "令和元年5月1日/R1.5.1/2026-07-01/0508821/さいとう/サイトウ/049-283-1331/0492831331/ABC123/ＡＢＣ"
