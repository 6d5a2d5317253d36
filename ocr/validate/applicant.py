"""Rules for what the resident writes outside the account block: date, phone, signature, seal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocr.validate.base import (
    ERROR,
    WARNING,
    is_empty,
    iso_date,
    wareki,
)
from ocr.validate.household import check_name
from yomikaki.japanese import normalize_text


def check_application_date(value, fields, rules):
    if is_empty(value):
        yield ERROR, "申請日が空です"
        return
    day = iso_date(value)
    if day is None:
        yield ERROR, "申請日が正しい日付ではありません"
    elif not (rules.application_from <= day <= rules.application_to):
        yield ERROR, (f"申請日が受付期間外です（{wareki(rules.application_from)}〜"
                      f"{wareki(rules.application_to)}）")


def check_phone(value, fields, rules):
    if is_empty(value):
        yield WARNING, "電話番号が空です"
        return
    problem = phone_problem(value)
    if problem:
        yield ERROR, problem


def phone_problem(value: Any) -> str | None:
    """Why ``value`` is not a plausible Japanese phone number, or None."""
    text = normalize_text(value, fullwidth_space=False)
    if any(ch not in "0123456789-" for ch in text):
        return "電話番号は数字とハイフンで書きます"
    digits = text.replace("-", "")
    if not digits.startswith("0"):
        return "電話番号は0から始まります"
    if digits[:3] in {"070", "080", "090", "050"} and len(digits) != 11:
        return "携帯電話番号は11桁です"
    if len(digits) not in (10, 11):
        return "電話番号の桁数が正しくありません"
    try:
        import phonenumbers

        if not phonenumbers.is_valid_number(phonenumbers.parse(digits, "JP")):
            return "電話番号が正しくありません"
    except Exception:  # noqa: BLE001 - library trouble: the digit checks above stand
        return None
    return None


def check_signature(value, fields, rules):
    yield from check_name("申請者氏名（自署）")(value, fields, rules)
    if is_empty(value):
        return
    names = {fields.get("household_head_name")}
    names |= {m.get("name") for m in fields.get("members") or [] if isinstance(m, Mapping)}
    names.discard(None)
    if names and value not in names:
        yield WARNING, "申請者氏名が世帯員の氏名にありません"


def check_seal(value, fields, rules):
    if value is not None and not isinstance(value, bool):
        yield ERROR, "印の有無が正しくありません"
