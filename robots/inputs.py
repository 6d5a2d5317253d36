"""Input rows for a run: xlsx, csv (UTF-8 or CP932) or jsonl.

- The header row names the columns; ``members.1.name`` style columns become lists
  (``item.members[0].name``) so xlsx/csv and jsonl give the same items.
- Declared text columns keep leading zeros ("0012345"); csv values are always text.
- Boolean columns (``members.*.opt_out``) accept TRUE/FALSE, 1/0, ○/×, はい/いいえ, ✓.
- Every problem is reported with its place (``file:line`` or ``Sheet!B7``); a broken input is
  refused as a whole before anything is submitted.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from robots.model import InputSpec
from yomikaki.errors import InputError, Location, ValidationFailed

TRUE_WORDS = {"true", "1", "yes", "y", "○", "〇", "✓", "✔", "はい", "有", "レ", "x", "×x"}
FALSE_WORDS = {"false", "0", "no", "n", "", "×", "いいえ", "無", "-"}


@dataclass
class InputRow:
    number: int  # 1-based data row number (for messages)
    where: str  # file:line or Sheet!A7
    data: dict[str, Any]
    reference: str


def load_rows(path: Path, spec: InputSpec | None) -> tuple[list[str], list[InputRow]]:
    """Read ``path``; return (column names, rows). Raises ``InputError`` / ``ValidationFailed``."""
    spec = spec or InputSpec()
    path = Path(path)
    if not path.exists():
        raise InputError("入力ファイルがありません", location=Location(str(path)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        columns, raw = _read_xlsx(path, spec)
    elif suffix in (".csv", ".txt"):
        columns, raw = _read_csv(path, spec)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        columns, raw = _read_jsonl(path)
    else:
        raise InputError(f"この形式は読めません: {suffix}（xlsx / csv / jsonl が使えます）",
                         location=Location(str(path)))
    problems: list[str] = []
    rows: list[InputRow] = []
    seen: dict[str, str] = {}
    keys = spec.key
    for column in keys:
        if column not in columns and not any(c.startswith(column + ".") for c in columns):
            raise InputError(f"キー列 '{column}' が入力にありません（列: {', '.join(columns[:12])}…）",
                             location=Location(str(path), 1), hint="シナリオの input.key と列名を合わせてください")
    for number, (where, flat) in enumerate(raw, start=1):
        if all(v in (None, "") for v in flat.values()):
            continue  # blank row
        data = unflatten(_booleans(flat, spec.boolean_columns, where, problems))
        for column in spec.required + keys:
            if data.get(column) in (None, ""):
                problems.append(f"{where}: 列 '{column}' が空です")
        reference = "|".join(str(data.get(k, "")) for k in keys) if keys else str(number)
        if reference in seen and keys:
            problems.append(f"{where}: キー {reference} が重複しています（最初は {seen[reference]}）")
        seen.setdefault(reference, where)
        rows.append(InputRow(number, where, data, reference))
    if problems:
        raise ValidationFailed(problems, title=f"入力ファイル {path.name} にエラーがあります")
    top = list(dict.fromkeys(c.split(".", 1)[0] for c in columns))
    return top, rows


def _text(value: Any, force_text: bool) -> Any:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if force_text and value is not None and not isinstance(value, str | bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


def _is_text_column(column: str, spec: InputSpec) -> bool:
    return any(fnmatch.fnmatch(column, pattern) for pattern in spec.text_columns)


def _read_xlsx(path: Path, spec: InputSpec):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zipfile / xml errors
        raise InputError(f"Excel ファイルを開けません: {exc}", location=Location(str(path))) from None
    if spec.sheet and spec.sheet not in book.sheetnames:
        raise InputError(f"シート '{spec.sheet}' がありません（{', '.join(book.sheetnames)}）",
                         location=Location(str(path)))
    sheet = book[spec.sheet] if spec.sheet else book.worksheets[0]
    rows = sheet.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration:
        raise InputError("シートが空です", location=Location(str(path), cell=f"{sheet.title}!A1")) from None
    columns = [str(c.value).strip() if c.value is not None else "" for c in header_cells]
    _check_header(columns, path, lambda i: f"{sheet.title}!{get_column_letter(i + 1)}1")
    out = []
    for row in rows:
        record = {}
        row_number = row[0].row if row else 0
        for index, column in enumerate(columns):
            if not column:
                continue
            cell = row[index] if index < len(row) else None
            value = cell.value if cell is not None else None
            forced = _is_text_column(column, spec) or (cell is not None and getattr(cell, "number_format", "") == "@")
            record[column] = _text(value, forced)
        out.append((f"{path.name}:{sheet.title}!{row_number}行", record))
    book.close()
    return [c for c in columns if c], out


def _decode(path: Path, encoding: str | None) -> tuple[str, str]:
    raw = path.read_bytes()
    candidates = [encoding] if encoding else ["utf-8-sig", "cp932"]
    for name in candidates:
        try:
            return raw.decode(name), name
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError("文字コードが判定できません（UTF-8 か Shift_JIS (CP932) で保存してください）",
                     location=Location(str(path)))


def _read_csv(path: Path, spec: InputSpec):
    text, _ = _decode(path, spec.encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        columns = [c.strip() for c in next(reader)]
    except StopIteration:
        raise InputError("CSV が空です", location=Location(str(path), 1)) from None
    _check_header(columns, path, lambda i: f"{path}:1:{i + 1}")
    out = []
    for row in reader:
        line = reader.line_num
        if len(row) > len(columns) and any(v.strip() for v in row[len(columns):]):
            raise InputError(f"列が見出しより多くなっています（{len(row)} 列 / 見出し {len(columns)} 列）",
                             location=Location(str(path), line))
        record = {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(columns) if c}
        out.append((f"{path}:{line}", record))
    return [c for c in columns if c], out


def _read_jsonl(path: Path):
    text, _ = _decode(path, None)
    out = []
    columns: dict[str, None] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"JSON として読めません: {exc.msg}", location=Location(str(path), line_no, exc.colno)) \
                from None
        if isinstance(record, dict) and isinstance(record.get("fields"), dict):
            record = record["fields"]  # an OCR result line: {"source", "page", "fields": {...}}
        if not isinstance(record, dict):
            raise InputError("1 行に 1 つの JSON オブジェクト {…} を書いてください", location=Location(str(path), line_no))
        columns.update(dict.fromkeys(flatten(record)))
        out.append((f"{path}:{line_no}", record))
    return list(columns), out


def _check_header(columns: list[str], path: Path, where) -> None:
    seen: dict[str, int] = {}
    for index, column in enumerate(columns):
        if not column:
            continue
        if column in seen:
            raise InputError(f"見出し '{column}' が 2 回あります", location=Location(str(path), cell=where(index)))
        seen[column] = index


def _booleans(flat: dict[str, Any], patterns: list[str], where: str, problems: list[str]) -> dict[str, Any]:
    if not patterns:
        return flat
    out = dict(flat)
    for key, value in flat.items():
        if "." not in key and isinstance(value, list | dict):
            continue
        if any(fnmatch.fnmatch(key, p) for p in patterns) and not isinstance(value, bool):
            word = "" if value is None else str(value).strip().lower()
            if word in TRUE_WORDS:
                out[key] = True
            elif word in FALSE_WORDS:
                out[key] = False
            else:
                problems.append(f"{where}: 列 '{key}' の値 {value!r} は真偽値として読めません（TRUE / FALSE）")
    return out


_INDEX = re.compile(r"^\d+$")


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"members.1.name": "…"}`` → ``{"members": [{"name": "…"}]}``; empty list entries dropped."""
    if not any("." in k for k in flat):
        return dict(flat)
    root: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        node = {k: _lists(v) for k, v in node.items()}
        if node and all(_INDEX.match(k) for k in node):
            ordered = [node[k] for k in sorted(node, key=int)]
            return [v for v in ordered if not _empty(v)]
        return node
    return node


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_empty(v) or v is False for v in value.values())
    return value in (None, "")


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """The inverse of ``unflatten`` (lists numbered from 1)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, entry in enumerate(value, start=1):
                out.update(flatten(entry, f"{name}.{index}."))
        else:
            out[name] = value
    return out
