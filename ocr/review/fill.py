"""Type values into a review workbook programmatically, the way a reviewer would in Excel.

For demos and simulations (clearly labelled as such by the caller) and for tests:
``fill_review(workbook, values)`` writes canonical field values (members as a list of
objects, as in the form README) into the value cells of the 確認 sheet — by default only into
the cells the pipeline flagged for review — and records ``reviewer`` as the last modifier.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from openpyxl import load_workbook

from ocr.review.layout import FIRST_DATA_ROW, SHEET_REVIEW, columns_from_meta, flatten_fields
from ocr.review.sheets import read_data, read_meta
from ocr.review.values import same_text, to_cell_text
from yomikaki.errors import InputError
from yomikaki.exports import set_cell_text

Values = Mapping[tuple[str, int], Mapping] | Callable[[str, int], Mapping | None]


def fill_review(workbook: Path, values: Values, *, out: Path | None = None, only_flagged: bool = True,
                reviewer: str = "確認者（模擬）") -> int:
    """Write ``values[(source, page)]`` (canonical fields) into the workbook; returns cells changed."""
    workbook = Path(workbook)
    wb = load_workbook(workbook)
    meta, data = read_meta(wb), read_data(wb)
    if meta is None or data is None:
        raise InputError(f"{workbook.name}: yomikaki の確認用ワークブックではありません")
    lookup = values if callable(values) else (lambda source, page: values.get((source, page)))
    columns = columns_from_meta(meta["columns"])
    col_index = {c.field: i + 1 for i, c in enumerate(columns) if c.role == "value"}
    kinds = {c.field: c.kind for c in columns if c.role == "value"}
    seq_col = next(i + 1 for i, c in enumerate(columns) if c.id == "tech:seq")
    ws = wb[SHEET_REVIEW]
    changed = 0
    for r in range(FIRST_DATA_ROW, ws.max_row + 1):
        seq = ws.cell(r, seq_col).value
        if seq is None or int(seq) not in data:
            continue
        d = data[int(seq)]
        fields = lookup(d["source"], d["page"])
        if not fields:
            continue
        flat = flatten_fields(dict(fields), meta["member_groups"])
        targets = d["original"].get("review") or [] if only_flagged else list(col_index)
        for path in targets:
            if path not in col_index:
                continue
            text = to_cell_text(path.rsplit(".", 1)[-1], kinds[path], flat.get(path))
            cell = ws.cell(r, col_index[path])
            if not same_text(cell.value if cell.value is None else str(cell.value), text):
                set_cell_text(cell, text)
                changed += 1
    wb.properties.lastModifiedBy = reviewer
    wb.save(out or workbook)
    return changed
