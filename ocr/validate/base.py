"""Shared parts of the validators: labels, choices, ``Problem``, ``Rules`` and small helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from ocr.normalize import parse_member_key
from ocr.reference import banks
from yomikaki.japanese import normalize_text

ERROR = "error"
WARNING = "warning"
MAX_MEMBERS = 4

FIELD_LABELS: dict[str, str] = {
    "application_id": "申請書番号",
    "household_head_kana": "フリガナ",
    "household_head_name": "世帯主氏名",
    "household_head_birth_date": "世帯主 生年月日",
    "postal_code": "郵便番号",
    "address": "住所",
    "members": "世帯員",
    "application_date": "申請日",
    "phone": "電話番号",
    "bank_kind": "金融機関の種類",
    "bank_name": "金融機関名",
    "branch_kind": "本店・支店・出張所",
    "branch_name": "支店名",
    "account_type": "預金種別",
    "account_number": "口座番号",
    "yucho_symbol": "ゆうちょ銀行 記号",
    "yucho_number": "ゆうちょ銀行 番号",
    "account_holder_kana": "口座名義（カナ）",
    "applicant_signature": "申請者氏名（自署）",
    "seal_present": "印",
}
MEMBER_LABELS = {"name": "氏名", "kana": "カナ氏名", "relation": "続柄", "birth_date": "生年月日",
                  "opt_out": "受給を希望しない"}
for _n in range(1, MAX_MEMBERS + 1):
    for _sub, _label in MEMBER_LABELS.items():
        if _sub != "kana":
            FIELD_LABELS[f"members.{_n}.{_sub}"] = f"世帯員{_n} {_label}"

CHOICES: dict[str, tuple[str, ...]] = {
    "account_type": ("普通", "当座"),
    "bank_kind": banks.BANK_KINDS,
    "branch_kind": ("本店", "支店", "出張所"),
    "relation": ("本人", "妻", "夫", "子", "父", "母", "孫"),
    "opt_out": ("はい", "いいえ"),  # how the workbook shows the boolean
    "seal_present": ("あり", "なし"),
}

BANK_KEYS = ("bank_kind", "bank_name", "branch_kind", "branch_name", "account_type", "account_number")
YUCHO_KEYS = ("yucho_symbol", "yucho_number")


def field_label(key: str) -> str:
    """The label printed on the form for a canonical or member key (``members.7.name`` works)."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    member = parse_member_key(key)
    if member:
        return f"世帯員{member[0]} {MEMBER_LABELS[member[1]]}"
    return key


class Problem(str):
    """A message (a plain ``str``) that also knows its field ``key`` and ``level``."""

    key: str
    level: str

    def __new__(cls, key: str, message: str, level: str = ERROR) -> Problem:
        obj = super().__new__(cls, message)
        obj.key = key
        obj.level = level
        return obj

    def __reduce__(self):  # picklable across worker processes
        return (Problem, (self.key, str(self), self.level))

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


@dataclass(frozen=True)
class Rules:
    """Tunable parts of the rules; ``Rules.from_settings()`` reads ``[ocr]`` of yomikaki.toml."""

    application_from: date = date(2026, 1, 1)
    application_to: date = date(2026, 12, 31)
    today: date | None = None  # birth dates must be before this (default: the real today)
    earliest_birth: date = date(1900, 1, 1)
    bank_cutoff: float = 0.5  # fuzzy score under which no "did you mean" is offered

    @classmethod
    def from_settings(cls, **overrides: Any) -> Rules:
        """The rules with the 申請日 window of ``[ocr] application_date_from/to`` (ConfigError if bad)."""
        from yomikaki.errors import ConfigError
        from yomikaki.settings import get_settings

        ocr = get_settings().ocr
        values: dict[str, Any] = {}
        for field, setting in (("application_from", "application_date_from"),
                               ("application_to", "application_date_to")):
            raw = getattr(ocr, setting, None)
            if raw in (None, ""):
                continue
            try:
                values[field] = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            except ValueError:
                raise ConfigError(f"設定 ocr.{setting} の日付が読めません: {raw!r}",
                                  hint="YYYY-MM-DD で書いてください（例: 2026-07-01）") from None
        values.update(overrides)
        rules = cls(**values)
        if rules.application_from > rules.application_to:
            raise ConfigError("設定 ocr.application_date_from が application_date_to より後です")
        return rules

    def current_day(self) -> date:
        return self.today or date.today()


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def is_digits(value: Any, n: int | tuple[int, ...]) -> bool:
    sizes = (n,) if isinstance(n, int) else n
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) in sizes


def iso_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def wareki(day: date) -> str:
    from yomikaki.japanese import iso_to_wareki

    return iso_to_wareki(day)


def kana_key(text: Any) -> str:
    import jaconv

    return jaconv.enlarge_smallkana(normalize_text(text).replace("\u3000", "").replace(" ", ""))


def several_ticked(value: Any, key: str) -> bool:
    """Several options of a tick group ticked (``ocr.normalize`` joins them with 「・」)."""
    if not isinstance(value, str) or "・" not in value:
        return False
    return sum(part in CHOICES[key] for part in value.split("・")) >= 2


def has_bank_block(fields: Mapping[str, Any]) -> bool:
    return any(not is_empty(fields.get(k)) for k in BANK_KEYS)


def has_yucho_block(fields: Mapping[str, Any]) -> bool:
    return any(not is_empty(fields.get(k)) for k in YUCHO_KEYS)
