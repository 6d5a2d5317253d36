"""申請登録 validation rules (in-process) and the ゆうちょ path over HTTP."""

from __future__ import annotations

from core_system_helpers import HttpClient, entry_form, unregistered_households
from werkzeug.datastructures import MultiDict

from samples.core_system.benefit_form import validate

MEMBERS = [{"resident_no": "100000101", "name": "斎藤　真理"},
           {"resident_no": "100000102", "name": "斎藤　翼"}]
HOUSEHOLD = {"members": [{"kana": "サイトウ　マリ"}]}


def _validate(**overrides):
    form = MultiDict(entry_form(HOUSEHOLD, **overrides))
    return validate(form, MEMBERS)


def test_valid_bank_form_is_cleaned():
    data, errors = _validate(application_date="２０２６/０７/０１", account_number="０５０８８２１",
                             account_holder_kana="サイトウ マリ")
    assert errors == {}
    assert data["application_date"] == "2026-07-01"
    assert data["account_number"] == "0508821"
    assert data["account_holder_kana"] == "サイトウ　マリ"
    assert (data["bank_name"], data["branch_name"]) == ("埼玉りそな銀行", "坂戸支店")


def test_each_rule_reports_beside_its_field():
    _, errors = _validate(application_date="2026-02-30", phone="12-34", bank_code="9999",
                          account_type="", account_number="123456",
                          account_holder_kana="ｻｲﾄｳ ﾏﾘ")
    assert errors == {
        "application_date": "申請日を正しく入力してください",
        "phone": "電話番号を正しく入力してください（例: 049-283-1331）",
        "bank_code": "金融機関を選択してください",
        "account_type": "預金種別を選択してください",
        "account_number": "口座番号は7桁の数字で入力してください",
        "account_holder_kana": "口座名義は全角カタカナで入力してください",
    }
    _, errors = _validate(branch_code="999")
    assert errors == {"branch_code": "支店を選択してください"}
    _, errors = _validate(bank_code="9900")
    assert "ゆうちょ銀行" in errors["bank_code"]
    _, errors = _validate(account_kind="")
    assert list(errors) == ["account_kind"]


def test_yucho_rules_and_opt_out():
    form = MultiDict(entry_form(HOUSEHOLD, account_kind="yucho", yucho_symbol="14370",
                                yucho_number="0864891", bank_code="", branch_code=""))
    form.add("opt_out", "100000102")
    form.add("opt_out", "999999999")  # not a member of this household: ignored
    data, errors = validate(form, MEMBERS)
    assert errors == {}
    assert (data["bank_code"], data["bank_name"], data["yucho_symbol"], data["yucho_number"]) == (
        "9900", "ゆうちょ銀行", "14370", "0864891")
    assert data["account_number"] is None and data["account_type"] is None
    assert data["opt_out_members"] == ["斎藤　翼"]
    _, errors = _validate(account_kind="yucho", yucho_symbol="1437", yucho_number="123")
    assert errors == {"yucho_symbol": "記号は5桁の数字で入力してください",
                      "yucho_number": "番号は8桁（または7桁）の数字で入力してください"}


def test_yucho_registration_over_http(core_system):
    household = unregistered_households(core_system, 1)[0]
    client = HttpClient(core_system.url)
    client.login()
    status, path, _ = client.request("/benefit/new", {"application_id": household["application_id"]})
    assert path == f"/benefit/new/{household['application_id']}"
    form = entry_form(household, account_kind="yucho", yucho_symbol="19500",
                      yucho_number="08648910")
    status, path, text = client.request(path, form)
    assert path.startswith("/benefit/confirm/") and "ゆうちょ銀行" in text and "08648910" in text
    status, path, text = client.request(path, {})
    assert path.startswith("/benefit/done/")
    receipt_no = path.rsplit("/", 1)[1]
    assert f"<dd>{receipt_no}</dd>" in text
    app = next(a for a in core_system.inspect("applications") if a["receipt_no"] == receipt_no)
    assert (app["bank_code"], app["bank_name"], app["yucho_symbol"], app["yucho_number"]) == (
        "9900", "ゆうちょ銀行", "19500", "08648910")
    assert app["branch_code"] is None and app["account_number"] is None
