"""Safe spreadsheet and CSV output: formula injection is neutralised everywhere.

A cell value that starts with ``= + - @`` or a tab / carriage return would be run as a
formula by Excel or LibreOffice. Such strings are prefixed with an apostrophe in CSV and
written as explicit text (data type ``s``) in xlsx. Negative numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES)


def neutralise_csv(value: Any) -> Any:
    """For CSV: prefix a dangerous string with ``'`` so no spreadsheet evaluates it."""
    if value is None:
        return ""
    if is_dangerous(value):
        return "'" + value
    return value


def set_cell_text(cell, value: Any) -> None:
    """Write ``value`` into an openpyxl cell; strings are always stored as text, never formulas."""
    if value is None:
        cell.value = None
        return
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        return
    cell.value = value


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    encoding: str = "utf-8-sig",
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding, errors="strict") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralise_csv(h) for h in header])
        for row in rows:
            writer.writerow([neutralise_csv(v) for v in row])
    return path
