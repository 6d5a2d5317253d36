"""ocr.normalize: raw readings → the README's value formats, key by key."""

from __future__ import annotations

import pytest

from ocr.normalize import normalize_field, normalize_fields, parse_member_key

S = "\u3000"

CASES = [
    # names: one full-width space
    ("household_head_name", "斎藤 真理", f"斎藤{S}真理"),
    ("household_head_name", f"斎藤{S}{S} 真理 ", f"斎藤{S}真理"),
    ("household_head_name", "ｻｲﾄｳ ﾏﾘ", f"サイトウ{S}マリ"),
    ("applicant_signature", "高田　昭二", f"高田{S}昭二"),
    ("household_head_name", "", None),
    ("household_head_name", f"斎 藤{S}真 理", f"斎藤{S}真理"),  # OCR gaps inside the names dropped
    ("household_head_kana", f"サト一{S}ケン二", f"サトー{S}ケンニ"),  # kanji look-alikes in kana fields
    ("household_head_kana", f"力ワ口{S}夕ロウ", f"カワロ{S}タロウ"),
    ("account_holder_kana", list("サイトウ") + [None] + list("マリ") + [None] * 13, f"サイトウ{S}マリ"),
    ("account_holder_kana", ["ジ", "ョ", "ー", "ジ", "", "ハ", "ナ"], f"ジョージ{S}ハナ"),
    # kana: full-width katakana, one full-width space
    ("household_head_kana", "さいとう　まり", f"サイトウ{S}マリ"),
    ("household_head_kana", "ｻｲﾄｳ ﾏﾘ", f"サイトウ{S}マリ"),
    ("account_holder_kana", "ｻｲﾄｳ  ﾏﾘ", f"サイトウ{S}マリ"),
    ("account_holder_kana", "カトウ　ユ−コ", f"カトウ{S}ユーコ"),  # minus sign between kana → ー
    ("account_holder_kana", "ｼﾞｮｰｼﾞ", "ジョージ"),
    # dates → ISO
    ("household_head_birth_date", "昭和52年11月8日", "1977-11-08"),
    ("household_head_birth_date", "平成元年1月8日", "1989-01-08"),
    ("household_head_birth_date", "S52.11.8", "1977-11-08"),
    ("household_head_birth_date", "平成31年5月1日", "平成31年5月1日"),  # left for the validator
    ("household_head_birth_date", None, None),
    # application_date from boxed 令和 parts
    ("application_date", {"year": "08", "month": "7", "day": "1"}, "2026-07-01"),
    ("application_date", {"year": "8", "month": "07", "day": "01"}, "2026-07-01"),
    ("application_date", {"year": "０８", "month": " 7", "day": "1"}, "2026-07-01"),
    ("application_date", ["8", "12", "19"], "2026-12-19"),
    ("application_date", "令和8年7月1日", "2026-07-01"),
    ("application_date", "令和 ８年 ７月 １日", "2026-07-01"),
    ("application_date", "8/7/1", "2026-07-01"),
    ("application_date", "080701", "2026-07-01"),
    ("application_date", "2026-07-01", "2026-07-01"),
    ("application_date", {"year": "08", "month": "2", "day": "30"}, "令和8年2月30日"),
    ("application_date", {"year": "08", "month": "", "day": "1"}, "令和8年?月1日"),
    ("application_date", {"year": "", "month": "", "day": ""}, None),
    # postal code, ids, boxed digits
    ("postal_code", "〒350-0214", "3500214"),
    ("postal_code", "３５０ー０２１４", "3500214"),
    ("postal_code", "350-021", "350021"),
    ("postal_code", "〒350一0214", "3500214"),  # kanji 一 read for the hyphen
    ("phone", "049一283一1331", "049-283-1331"),
    ("application_id", "４６７８４６２１２０", "4678462120"),
    ("application_id", 467846212, "0467846212"),  # a spreadsheet number lost its leading zero
    ("account_number", "０５０８８２１", "0508821"),
    ("account_number", "508821", "508821"),  # typed text is never padded: the validator reports it
    ("account_number", [None, "5", "0", "8", "8", "2", "1"], "0508821"),  # right-aligned boxes
    ("account_number", ["0", "5", "0", "8", "8", "2", "1"], "0508821"),
    ("account_number", "05O8821", "05O8821"),  # a letter O stays visible
    ("yucho_symbol", ["1", "4", "3", "7", "0"], "14370"),
    ("yucho_number", [None, "8", "7", "0", "1", "0", "7", "1"], "8701071"),
    ("yucho_number", "04330621", "04330621"),
    ("yucho_number", "", None),
    # phone
    ("phone", "０４９ー２８３ー１３３１", "049-283-1331"),
    ("phone", "09012345678", "090-1234-5678"),
    # choices
    ("bank_kind", "信金", "信用金庫"),
    ("bank_kind", "ＪＡ", "農協"),
    ("bank_kind", "銀行", "銀行"),
    ("branch_kind", "本所", "本店"),
    ("account_type", "普通預金", "普通"),
    ("account_type", "当座", "当座"),
    ("bank_kind", None, None),
    ("bank_kind", ["信用金庫"], "信用金庫"),  # a tick group's ticked options
    ("bank_kind", ["銀行", "信金"], "銀行・信用金庫"),  # two ticks: the validator reports it
    ("account_type", [], None),
    ("application_date", {"year": ["", "8"], "month": ["0", "7"], "day": [None, "1"]}, "2026-07-01"),
    # bank and branch names without their kind suffix
    ("bank_name", "埼玉りそな銀行", "埼玉りそな"),
    ("bank_name", "三菱ＵＦＪ", "三菱UFJ"),
    ("bank_name", "JAいるま野", "いるま野"),
    ("bank_name", "中央ろうきん", "中央"),
    ("branch_name", "坂戸支店", "坂戸"),
    ("branch_name", "土呂出張所", "土呂"),
    ("branch_name", "川越駅前", "川越駅前"),
    # address: as printed, building after full-width spaces; NFKC folds full-width letters
    ("address", "埼玉県坂戸市千代田３丁目１２番５号", "埼玉県坂戸市千代田3丁目12番5号"),
    ("address", "〒350-0214 埼玉県坂戸市千代田3丁目12番5号", "埼玉県坂戸市千代田3丁目12番5号"),
    ("address", f"埼玉県坂戸市森戸156番地7{S}レジデンスＡ{S}108号室", f"埼玉県坂戸市森戸156番地7{S}レジデンスA{S}108号室"),
    ("address", "坂戸市本町1−2", "坂戸市本町1-2"),
    # spaces before the building and the room: read as " " or lost by OCR, printed as "　"
    ("address", "埼玉県坂戸市芦山町60番地レジデンス第2 308号室", f"埼玉県坂戸市芦山町60番地{S}レジデンス第2{S}308号室"),
    ("address", "埼玉県坂戸市中富町1516番地コーポ中富町405号室", f"埼玉県坂戸市中富町1516番地{S}コーポ中富町{S}405号室"),
    ("address", "埼玉県坂戸市森戸156番地7レジデンスＡ108号室", f"埼玉県坂戸市森戸156番地7{S}レジデンスA{S}108号室"),
    ("address", "埼玉県坂戸市泉町5丁目27番21号パレス101号室", f"埼玉県坂戸市泉町5丁目27番21号{S}パレス{S}101号室"),
    ("address", "埼玉県坂戸市花影町156番地コーポ第1304号室", f"埼玉県坂戸市花影町156番地{S}コーポ第1{S}304号室"),
    ("address", "埼玉県坂戸市北浅羽1150番地5", "埼玉県坂戸市北浅羽1150番地5"),
    ("address", "埼玉県坂戸市沢木1669番地", "埼玉県坂戸市沢木1669番地"),
    # booleans
    ("seal_present", True, True),
    ("seal_present", "はい", True),
    ("seal_present", "なし", False),
    ("seal_present", None, False),
    ("seal_present", "たぶん", "たぶん"),
    # member keys, flattened as the workbook has them
    ("members.1.name", "斎藤 真理", f"斎藤{S}真理"),
    ("members.2.relation", "世帯主", "本人"),
    ("members.1.relation", "本入", "本人"),  # OCR look-alike
    ("members.3.relation", "孑", "子"),
    ("members.2.birth_date", "昭和52年11月8日", "1977-11-08"),
    ("members.3.opt_out", "はい", True),
    ("members[0].opt_out", "", False),
]


@pytest.mark.parametrize(("key", "raw", "expected"), CASES, ids=[f"{k}={r!r}" for k, r, _e in CASES])
def test_normalize_field(key, raw, expected):
    assert normalize_field(key, raw) == expected


def test_members_list_drops_empty_rows_and_normalises_each():
    raw = [
        {"name": "斎藤 真理", "relation": "本人", "birth_date": "昭和52年11月8日", "opt_out": ""},
        {"name": "", "relation": "", "birth_date": "", "opt_out": False},
        {"name": "斎藤　一郎", "relation": "夫", "birth_date": "S50.1.2", "opt_out": "✓"},
    ]
    assert normalize_field("members", raw) == [
        {"name": f"斎藤{S}真理", "relation": "本人", "birth_date": "1977-11-08", "opt_out": False},
        {"name": f"斎藤{S}一郎", "relation": "夫", "birth_date": "1975-01-02", "opt_out": True},
    ]
    assert normalize_field("members", None) == []


def test_normalize_fields_folds_flattened_member_keys():
    fields = normalize_fields({
        "form": "benefit-application",
        "application_id": "4678462120",
        "members.1.name": "斎藤 真理", "members.1.relation": "本人", "members.1.birth_date": "1977-11-08",
        "members.1.opt_out": "いいえ",
        "members.2.name": "斎藤 一郎", "members.2.relation": "夫", "members.2.birth_date": "昭和50年1月2日",
        "members.2.opt_out": "はい",
        "members.3.name": "", "members.3.relation": "", "members.3.birth_date": "", "members.3.opt_out": "",
        "_meta": {"x": 1},
    })
    assert fields["form"] == "benefit-application" and fields["_meta"] == {"x": 1}
    assert fields["members"] == [
        {"name": f"斎藤{S}真理", "relation": "本人", "birth_date": "1977-11-08", "opt_out": False},
        {"name": f"斎藤{S}一郎", "relation": "夫", "birth_date": "1975-01-02", "opt_out": True},
    ]


def test_parse_member_key():
    assert parse_member_key("members.2.name") == (2, "name")
    assert parse_member_key("members[0].opt_out") == (1, "opt_out")
    assert parse_member_key("members") is None
    assert parse_member_key("members.x.name") is None


def test_application_id_read_with_its_label():
    assert normalize_field("application_id", "申請書番号 ４６７８４６２１２０") == "4678462120"
    assert normalize_field("application_id", "4678 4621 20") == "4678462120"
    assert normalize_field("application_id", "46784621A0") == "46784621A0"  # left for the validator


def test_named_normalizers_and_validators_resolve_with_did_you_mean():
    from ocr.normalize import get_normalizer
    from ocr.validate import get_validator
    from yomikaki.errors import ConfigError

    assert get_normalizer("relation")("世帯主") == "本人"
    assert get_normalizer("household_head_birth_date")("S52.11.8") == "1977-11-08"
    assert get_validator("phone")("090-1234-567") == ["携帯電話番号は11桁です"]
    assert get_validator("date")("2026-02-30") == ["正しい日付ではありません"]
    assert get_validator("account_number")("0508821", {"bank_name": "みずほ"}) == []
    with pytest.raises(ConfigError) as info:
        get_normalizer("phnoe")
    assert str(info.value).startswith("正規化ルール「phnoe」はありません（もしかして「phone」？）")
    with pytest.raises(ConfigError) as info:
        get_validator("acount_number")
    assert str(info.value).startswith("検証ルール「acount_number」はありません（もしかして「account_number」？）")


def test_every_name_in_the_benefit_template_resolves():
    from pathlib import Path

    import yaml

    from ocr.normalize import get_normalizer
    from ocr.validate import get_validator

    path = Path(__file__).resolve().parents[2] / "samples" / "forms" / "benefit-application" / "template.yaml"
    if not path.exists():
        pytest.skip("the benefit template is not in the repository yet")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = 0
    for spec in doc["fields"]:
        for column in [spec, *spec.get("columns", [])]:
            if column.get("normalizer"):
                get_normalizer(column["normalizer"])
                names += 1
        for name in spec.get("validators", []):
            get_validator(name)
            names += 1
    assert names >= 5


def test_every_seeded_address_survives_lost_or_halfwidth_spaces():
    """The sample system's 800 addresses: OCR dropping or narrowing the spaces changes nothing."""
    import unicodedata

    from samples.core_system.seed import generate_households

    for household in generate_households(seed=1, count=800):
        address = household["address"]
        canonical = normalize_field("address", address)
        assert unicodedata.normalize("NFKC", canonical) == unicodedata.normalize("NFKC", address)
        assert normalize_field("address", address.replace(S, "")) == canonical, address
        assert normalize_field("address", address.replace(S, " ")) == canonical, address


def test_spreadsheet_cell_types():
    """openpyxl / LibreOffice may hand back numbers and datetimes instead of the typed text."""
    from datetime import date, datetime

    assert normalize_field("application_date", datetime(2026, 7, 1)) == "2026-07-01"
    assert normalize_field("application_date", date(2026, 7, 1)) == "2026-07-01"
    assert normalize_field("household_head_birth_date", datetime(1977, 11, 8)) == "1977-11-08"
    assert normalize_field("members.2.birth_date", "1977-11-08 00:00:00") == "1977-11-08"
    assert normalize_field("account_number", 508821.0) == "508821"  # not 5088210: still 6 digits
    assert normalize_field("account_number", 1508821.0) == "1508821"
    assert normalize_field("postal_code", 600000) == "0600000"
    assert normalize_field("postal_code", 3500214.0) == "3500214"
    assert normalize_field("application_id", 467846212.0) == "0467846212"
    assert normalize_field("yucho_number", 8701071.0) == "8701071"
