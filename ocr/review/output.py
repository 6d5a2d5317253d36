"""Confirmed rows out of an import (.jsonl / .csv / .xlsx) and the workbook of rejected rows."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ocr.normalize import field_value
from ocr.review.layout import CANONICAL_ORDER, MEMBER_KEYS, Column
from yomikaki.exports import set_cell_text, write_csv
from yomikaki.paths import replace_private


def flat_header(rows: list[dict]) -> list[str]:
    groups = max([1] + [len(r.get("members") or []) for r in rows])
    header = ["source", "page"]
    for key in CANONICAL_ORDER:
        if key == "members":
            header += [f"members.{i}.{k}" for i in range(1, groups + 1) for k in MEMBER_KEYS]
        else:
            header.append(key)
    return header


def flat_values(row: dict, header: list[str]) -> list[object]:
    return [field_value(row, key) for key in header]


def write_confirmed(out: Path, rows: list[dict]) -> Path:
    suffix = out.suffix.lower()
    if suffix == ".jsonl":
        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return replace_private(out, write)
    header = flat_header(rows)
    if suffix == ".csv":
        def csv_text(v: object) -> object:
            if isinstance(v, bool):
                return "true" if v else "false"
            return "" if v is None else v
        return replace_private(out, lambda tmp: write_csv(tmp, header, ([csv_text(v) for v in flat_values(r, header)]
                                                                for r in rows)))

    def write_xlsx(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "confirmed"
        for c, key in enumerate(header, 1):
            set_cell_text(ws.cell(1, c), key)
            ws.cell(1, c).font = Font(bold=True)
        for r, row in enumerate(rows, 2):
            for c, value in enumerate(flat_values(row, header), 1):
                cell = ws.cell(r, c)
                set_cell_text(cell, value)
                if isinstance(value, str):
                    cell.number_format = "@"
        ws.freeze_panes = "C2"
        wb.save(tmp)
    return replace_private(out, write_xlsx)


def write_rejected(path: Path, rejected: list, columns: list[Column]) -> Path:
    """Rows that were not imported, with every reason, for the reviewer to fix and re-send."""
    values = [c for c in columns if c.role == "value"]

    def write(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "差し戻し"
        header = ["No.", "ファイル", "ページ", "確認シートの行", "理由"] + [c.header for c in values]
        for c, text in enumerate(header, 1):
            set_cell_text(ws.cell(1, c), text)
            ws.cell(1, c).font = Font(bold=True)
        for r, o in enumerate(rejected, 2):
            row = [o.seq if o.seq > 0 else None, o.source, o.page, o.excel_row, "\n".join(o.problems)]
            row += [o.texts.get(c.field) for c in values]
            for c, value in enumerate(row, 1):
                set_cell_text(ws.cell(r, c), value)
            ws.cell(r, 5).alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["E"].width = 70
        ws.freeze_panes = "F2"
        wb.save(tmp)
    return replace_private(path, write)
