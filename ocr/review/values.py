"""Values between the canonical form, the workbook's cells and the confirmed output."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from ocr.review.layout import BOOL_TEXT, Column

TRUE_WORDS = {"true", "1", "yes", "y", "はい", "あり", "有", "○", "〇", "✓", "レ", "済"}
FALSE_WORDS = {"false", "0", "no", "n", "いいえ", "なし", "無", "×", "-", "ー"}


class FormulaInCell(ValueError):
    """A reviewer typed a formula where a value belongs."""


def to_cell_text(sub_key: str, kind: str, value: object) -> str | None:
    """The text a reviewer sees for a canonical value (None stays an empty cell)."""
    if value is None or value == "":
        return None
    if kind == "bool" or isinstance(value, bool):
        yes, no = BOOL_TEXT.get(sub_key, ("はい", "いいえ"))
        return yes if value is True or str(value).lower() == "true" else no
    return str(value)


def read_cell_text(cell) -> str | None:
    """The text typed in a cell, whatever Excel or LibreOffice turned it into.

    Raises FormulaInCell for a formula; numbers keep their digits (no '.0'), dates become ISO.
    """
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "f" or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
        raise FormulaInCell(str(getattr(value, "text", value)))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    return text or None


def from_cell_text(col: Column, text: str | None) -> tuple[object, str | None]:
    """Cell text → raw canonical value, or a problem message for booleans."""
    if text is None:
        return None, None
    if col.kind == "bool":
        folded = text.strip().lower()
        yes, no = BOOL_TEXT.get(col.sub_key, ("はい", "いいえ"))
        if folded in TRUE_WORDS or text == yes:
            return True, None
        if folded in FALSE_WORDS or text == no:
            return False, None
        return None, f"「{yes}」か「{no}」を選んでください（入力値: {text}）"
    return text, None


def same_text(a: str | None, b: str | None) -> bool:
    return (a or "") == (b or "")


def row_hash(export_id: str, seq: int, source: str, page: int, form: str, original: dict) -> str:
    """SHA-256 over the row as exported (its identity and the OCR values)."""
    payload = json.dumps(
        [export_id, seq, source, page, form, original], ensure_ascii=False, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
