"""Batch extraction behind ``ocr.extract``: inputs → rows.jsonl (+ CSV / xlsx), progress bar, summary."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr.pipeline import CANONICAL_KEYS, run_pages
from yomikaki.paths import private_dir


@dataclass
class ExtractSummary:
    out: Path
    pages: int = 0
    statuses: Counter = field(default_factory=Counter)
    fields: int = 0
    fields_to_review: int = 0
    assets: Path | None = None
    csv: Path | None = None
    xlsx: Path | None = None

    @property
    def straight_through_rate(self) -> float | None:
        return 1 - self.fields_to_review / self.fields if self.fields else None

    def to_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "pages": self.pages, "statuses": dict(self.statuses),
                "fields": self.fields, "fields_to_review": self.fields_to_review,
                "straight_through_rate": self.straight_through_rate}


def _count_fields(row: dict) -> int:
    n = 0
    for key, value in row.get("fields", {}).items():
        n += 4 * len(value or []) if key == "members" else 1
    return n


def extract(inputs: list[Path], *, template: str = "benefit-application", out: Path, workers: int = 1,
            registry: str | None = None, assets: Path | None = None, progress: bool = True,
            csv: Path | None = None, xlsx: Path | None = None, cluster: str | None = None) -> ExtractSummary:
    """Read every page of ``inputs`` and write one JSON line per page to ``out``.

    ``assets`` (default ``<out stem>_assets/`` beside ``out``) receives the aligned page images
    and the crops of the fields to review, referenced from each row relative to ``out``'s folder.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    assets = Path(assets) if assets else out.parent / f"{out.stem}_assets"
    private_dir(assets)  # crops and page images show personal data
    summary = ExtractSummary(out=out, assets=assets, csv=csv, xlsx=xlsx)
    rows_for_export: list[dict] = [] if (csv or xlsx) else None
    bar = _progress(progress)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # rows hold account numbers
    os.chmod(out, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh, bar as live:
        task = live.add_task("読み取り中", total=None) if live else None
        for row in run_pages(inputs, template=template, workers=workers, cluster=cluster,
                             registry=registry, assets_dir=assets, rel_base=out.parent):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            fh.flush()
            summary.pages += 1
            summary.statuses[row["status"]] += 1
            summary.fields += _count_fields(row)
            summary.fields_to_review += len(row.get("review", []))
            if rows_for_export is not None:
                rows_for_export.append(_flat(row))
            if live:
                live.update(task, advance=1, description=f"読み取り中 {row['source']} p{row['page']}")
    if csv:
        write_rows_csv(rows_for_export, csv)
    if xlsx:
        write_rows_xlsx(rows_for_export, xlsx)
    return summary


class _NoBar:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(enabled: bool):
    if not enabled:
        return _NoBar()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), transient=False)


EXPORT_HEADER = ["source", "page", "form", "status", *CANONICAL_KEYS, "review", "errors"]


def _flat(row: dict) -> list[Any]:
    fields = row.get("fields", {})
    values = [row["source"], row["page"], row.get("form"), row["status"]]
    for key in CANONICAL_KEYS:
        value = fields.get(key)
        if key == "members":
            value = " / ".join(
                f"{m.get('name') or ''}({m.get('relation') or ''},{m.get('birth_date') or ''}"
                f"{',受給を希望しない' if m.get('opt_out') else ''})" for m in (value or []))
        elif isinstance(value, bool):
            value = "はい" if value else "いいえ"
        values.append(value)
    values.append(", ".join(row.get("review", [])))
    values.append(" / ".join(row.get("errors", [])))
    return values


def write_rows_csv(rows: list[list[Any]], path: Path) -> None:
    from yomikaki.exports import write_csv

    write_csv(Path(path), EXPORT_HEADER, rows, encoding="utf-8-sig")


def write_rows_xlsx(rows: list[list[Any]], path: Path) -> None:
    from openpyxl import Workbook

    from yomikaki.exports import set_cell_text

    wb = Workbook()
    ws = wb.active
    ws.title = "読み取り結果"
    ws.append(EXPORT_HEADER)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and c == 2:
                cell.value = value
            else:
                set_cell_text(cell, "" if value is None else str(value))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
