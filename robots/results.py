"""Results of a run: a workbook with Japanese headers and a JSON-lines run log."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from robots.inputs import flatten
from robots.queue import STATUS_JA
from yomikaki.exports import set_cell_text
from yomikaki.paths import private_dir, private_file
from yomikaki.redaction import redact


class RunLog:
    """Append-only JSON lines, 0600, every line redacted."""

    def __init__(self, path: Path):
        self.path = path
        private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._fh = os.fdopen(fd, "a", encoding="utf-8")

    def write(self, event: str, **details: Any) -> None:
        record = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event, **details}
        self._fh.write(redact(json.dumps(record, ensure_ascii=False, default=str)) + "\n")
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def write_workbook(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> Path:
    """rows: {"input": {...}, "status", "message", "outputs", "attempts", "evidence"}."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    input_columns: list[str] = []
    for row in rows:
        for key in flatten(row["input"]):
            if key not in input_columns:
                input_columns.append(key)
    output_columns: list[str] = []
    for row in rows:
        for key in row.get("outputs") or {}:
            if key not in output_columns:
                output_columns.append(key)
    header = input_columns + ["状態", "メッセージ"] + output_columns + ["試行回数", "証跡"]
    book = Workbook()
    sheet = book.active
    sheet.title = "結果"
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col)
        set_cell_text(cell, name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r, row in enumerate(rows, start=2):
        flat = flatten(row["input"])
        values = [flat.get(c) for c in input_columns]
        values += [STATUS_JA.get(row["status"], row["status"]), redact(row.get("message") or "")]
        values += [(row.get("outputs") or {}).get(c) for c in output_columns]
        values += [row.get("attempts", 0), row.get("evidence") or ""]
        for c, value in enumerate(values, start=1):
            if isinstance(value, list | dict):
                value = json.dumps(value, ensure_ascii=False)
            set_cell_text(sheet.cell(row=r, column=c), value)
    sheet.freeze_panes = "A2"
    summary = book.create_sheet("集計")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    set_cell_text(summary.cell(row=1, column=1), "状態")
    set_cell_text(summary.cell(row=1, column=2), "件数")
    for i, (status, n) in enumerate(sorted(counts.items()), start=2):
        set_cell_text(summary.cell(row=i, column=1), STATUS_JA.get(status, status))
        summary.cell(row=i, column=2, value=n)
    private_dir(path.parent)
    book.save(path)
    private_file(path)
    return path
