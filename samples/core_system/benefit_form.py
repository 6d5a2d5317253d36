"""Server-side validation of the 申請登録 input form; messages shown beside each field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from samples.core_system import banks

MSG_ID_FORMAT = "申請書番号は10桁の数字で入力してください"
MSG_ID_UNKNOWN = "申請書番号が見つかりません"
MSG_DUPLICATE = "既に申請済みです"

_KATAKANA = re.compile(r"[ァ-ヴー]+(\u3000[ァ-ヴー]+)*")
_PHONE = re.compile(r"0\d{1,4}-?\d{1,4}-?\d{3,4}")

FIELDS = ("application_date", "phone", "account_kind", "bank_code", "branch_code", "account_type",
          "account_number", "yucho_symbol", "yucho_number", "account_holder_kana")


def digits(value: str) -> str:
    """Full-width digits → ASCII, surrounding blanks removed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def normalise_application_id(value: str) -> str:
    return "".join(digits(value).replace("-", "").split())


def check_application_id(value: str) -> str | None:
    return None if re.fullmatch(r"\d{10}", value) else MSG_ID_FORMAT


def _date(value: str) -> str | None:
    text = digits(value).replace("/", "-")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return date.isoformat() if 2000 <= date.year <= 2100 else None


def validate(form, members: list) -> tuple[dict, dict]:
    """(cleaned data, errors by field). ``form`` is a MultiDict; ``members`` rows of the household."""
    raw = {name: (form.get(name) or "").strip() for name in FIELDS}
    data: dict = {"raw": raw}
    errors: dict[str, str] = {}

    date = _date(raw["application_date"])
    if date is None:
        errors["application_date"] = "申請日を正しく入力してください"
    data["application_date"] = date

    phone = digits(raw["phone"]).replace("ー", "-").replace("−", "-")
    phone_digits = phone.replace("-", "")
    if not _PHONE.fullmatch(phone) or len(phone_digits) not in (10, 11):
        errors["phone"] = "電話番号を正しく入力してください（例: 049-283-1331）"
    data["phone"] = phone

    kind = raw["account_kind"]
    data["account_kind"] = kind
    for key in ("bank_code", "bank_name", "branch_code", "branch_name", "account_type",
                "account_number", "yucho_symbol", "yucho_number"):
        data[key] = None
    if kind == "bank":
        bank = banks.bank(digits(raw["bank_code"]))
        if bank is None:
            errors["bank_code"] = "金融機関を選択してください"
        elif bank.code == "9900":
            errors["bank_code"] = "ゆうちょ銀行は「ゆうちょ銀行」を選び、記号・番号を入力してください"
        else:
            branch = banks.branch(bank.code, digits(raw["branch_code"]))
            if branch is None:
                errors["branch_code"] = "支店を選択してください"
            else:
                data.update(bank_code=bank.code, bank_name=bank.display,
                            branch_code=branch.code, branch_name=branch.display)
        if raw["account_type"] not in ("普通", "当座"):
            errors["account_type"] = "預金種別を選択してください"
        data["account_type"] = raw["account_type"] or None
        number = digits(raw["account_number"])
        if not re.fullmatch(r"\d{7}", number):
            errors["account_number"] = "口座番号は7桁の数字で入力してください"
        data["account_number"] = number
    elif kind == "yucho":
        symbol, number = digits(raw["yucho_symbol"]), digits(raw["yucho_number"])
        if not re.fullmatch(r"\d{5}", symbol):
            errors["yucho_symbol"] = "記号は5桁の数字で入力してください"
        if not re.fullmatch(r"\d{7,8}", number):
            errors["yucho_number"] = "番号は8桁（または7桁）の数字で入力してください"
        data.update(bank_code="9900", bank_name="ゆうちょ銀行", yucho_symbol=symbol,
                    yucho_number=number)
    else:
        errors["account_kind"] = "受取口座の種類（金融機関／ゆうちょ銀行）を選択してください"

    holder = "\u3000".join(raw["account_holder_kana"].replace("\u3000", " ").split())
    if not _KATAKANA.fullmatch(holder):
        errors["account_holder_kana"] = "口座名義は全角カタカナで入力してください"
    data["account_holder_kana"] = holder

    by_no = {m["resident_no"]: m for m in members}
    opt_out = [no for no in form.getlist("opt_out") if no in by_no]
    data["opt_out"] = opt_out
    data["opt_out_members"] = [by_no[no]["name"] for no in opt_out]
    return data, errors
