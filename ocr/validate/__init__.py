"""Validators for the benefit application's canonical fields, with short Japanese messages.

The same rules serve the OCR pipeline (confidence, review list) and the review import
(``確認!F12: 口座番号は7桁の数字です``). Values are expected in the README's formats, i.e. after
``ocr.normalize.normalize_field``.

- ``validate_fields(fields) -> {key: [message, …]}``: errors only (what blocks an import);
  ``include_warnings=True`` adds warnings (e.g. the account holder is not the household head).
- ``validate_field(key, value, fields) -> [message, …]``: one key (members: ``members.2.name``).
- ``check_fields(fields) -> [Problem]``: everything, each a ``str`` with ``.key`` and ``.level``
  ("error" / "warning").
- ``field_is_valid(key, value, fields) -> bool``: no error for that key (for confidences).
- ``yucho_to_bank_account(symbol, number) -> (branch_code, branch_name_kana, account_number)``.

Layout: ``base`` (labels, choices, ``Problem``, ``Rules``), one module of rules per part of
the form (``household``: Section 1; ``applicant``: date, phone, signature, seal; ``account``:
bank or ゆうちょ block), and this facade with the public functions.

Keys of messages for members are ``members.N.name`` etc. (N from 1); cross-field rules are
reported on one key: both or no account block → ``yucho_symbol`` / ``account_number``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocr.normalize import parse_member_key
from ocr.reference.lexicon import lexicon_match
from ocr.reference.yucho import yucho_branch_name, yucho_to_bank_account
from ocr.validate import account, applicant, household
from ocr.validate.applicant import phone_problem
from ocr.validate.base import (
    CHOICES,
    ERROR,
    FIELD_LABELS,
    WARNING,
    Problem,
    Rules,
    field_label,
    is_empty,
    iso_date,
)

__all__ = [
    "CHOICES",
    "ERROR",
    "FIELD_LABELS",
    "VALIDATOR_NAMES",
    "WARNING",
    "Problem",
    "Rules",
    "check_field",
    "check_fields",
    "field_is_valid",
    "field_label",
    "get_validator",
    "lexicon_match",
    "phone_problem",
    "validate_field",
    "validate_fields",
    "yucho_branch_name",
    "yucho_to_bank_account",
]

CHECKS = {
    "application_id": household.check_application_id,
    "household_head_name": household.check_head_name,
    "household_head_kana": household.check_kana("フリガナ"),
    "household_head_birth_date": household.check_head_birth_date,
    "postal_code": household.check_postal_code,
    "address": household.check_address,
    "members": household.check_members,
    "application_date": applicant.check_application_date,
    "phone": applicant.check_phone,
    "bank_kind": account.check_bank_kind,
    "bank_name": account.check_bank_name,
    "branch_kind": account.check_branch_kind,
    "branch_name": account.check_branch_name,
    "account_type": account.check_account_type,
    "account_number": account.check_account_number,
    "yucho_symbol": account.check_yucho_symbol,
    "yucho_number": account.check_yucho_number,
    "account_holder_kana": account.check_holder_kana,
    "applicant_signature": applicant.check_signature,
    "seal_present": applicant.check_seal,
}
FIELD_KEYS = tuple(CHECKS)


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
def check_field(key: str, value: Any, fields: Mapping[str, Any] | None = None,
                rules: Rules | None = None) -> list[Problem]:
    """Every problem (errors and warnings) of one key; ``fields`` gives the other values."""
    rules = rules or Rules.from_settings()
    fields = dict(fields or {})
    member = parse_member_key(key)
    if member is not None:
        index, sub = member
        results = household.check_member(index, sub, value, fields, rules)
    elif key in CHECKS:
        fields[key] = value
        results = CHECKS[key](value, fields, rules)
    else:
        return []
    return [Problem(key, message, level) for level, message in results]


def check_fields(fields: Mapping[str, Any], rules: Rules | None = None) -> list[Problem]:
    """Every problem of a whole form, in the form's order (members as ``members.N.*``)."""
    rules = rules or Rules.from_settings()
    problems: list[Problem] = []
    for key in FIELD_KEYS:
        problems += check_field(key, fields.get(key), fields, rules)
        if key == "members" and isinstance(fields.get("members"), list):
            for index, member in enumerate(fields["members"], start=1):
                member = member if isinstance(member, Mapping) else {}
                for sub in (*MEMBER_SUBKEYS, *(("kana",) if "kana" in member else ())):
                    problems += check_field(f"members.{index}.{sub}", member.get(sub), fields, rules)
    return problems


MEMBER_SUBKEYS = ("name", "relation", "birth_date", "opt_out")


def validate_field(key: str, value: Any, fields: Mapping[str, Any] | None = None, *,
                   include_warnings: bool = False, rules: Rules | None = None) -> list[str]:
    """The error messages of one key (plus warnings when asked); [] when it is valid."""
    return [p for p in check_field(key, value, fields, rules) if include_warnings or p.is_error]


def validate_fields(fields: Mapping[str, Any], *, include_warnings: bool = False,
                    rules: Rules | None = None) -> dict[str, list[str]]:
    """{key: [messages]} for the keys with errors (and warnings when asked); {} when all valid."""
    out: dict[str, list[str]] = {}
    for problem in check_fields(fields, rules):
        if include_warnings or problem.is_error:
            out.setdefault(problem.key, []).append(problem)
    return out


def field_is_valid(key: str, value: Any, fields: Mapping[str, Any] | None = None,
                   rules: Rules | None = None) -> bool:
    """True when ``key`` has no error (warnings allowed)."""
    return not validate_field(key, value, fields, rules=rules)


def check_any_date(value, fields, rules):
    if not is_empty(value) and iso_date(value) is None:
        yield ERROR, "正しい日付ではありません"


_GENERICCHECKS = {
    "date": check_any_date,
    "relation": lambda value, fields, rules: household.check_member(1, "relation", value, fields, rules),
}
#: every name a template's ``validators:`` may use: the canonical keys plus generic ones
VALIDATOR_NAMES = tuple(sorted(set(CHECKS) | set(_GENERICCHECKS)))


def get_validator(name: str):
    """``check(value, fields=None, rules=None) -> [Problem]`` for a template's validator name.

    A canonical key (``phone``, ``account_number`` …) runs that key's rules; ``date`` checks an
    ISO date. ConfigError with a "did you mean" for an unknown name.
    """
    func = CHECKS.get(name) or _GENERICCHECKS.get(name)
    if func is None:
        import difflib

        from yomikaki.errors import ConfigError

        close = difflib.get_close_matches(name, VALIDATOR_NAMES, n=1)
        hint = f"（もしかして「{close[0]}」？）" if close else ""
        raise ConfigError(f"検証ルール「{name}」はありません{hint}", hint="使える名前: " + ", ".join(VALIDATOR_NAMES))

    def check(value: Any, fields: Mapping[str, Any] | None = None, rules: Rules | None = None) -> list[Problem]:
        merged = dict(fields or {})
        if name in CHECKS:
            merged[name] = value
        return [Problem(name, message, level) for level, message in func(value, merged, rules or Rules.from_settings())]

    return check
