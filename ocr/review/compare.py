"""Double entry: two reviewers' workbooks of the same export → a workbook of disagreements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from ocr.review.importer import open_review_workbook, read_review_rows
from ocr.review.layout import SHEET_REVIEW
from ocr.review.values import same_text
from yomikaki.errors import InputError, ValidationFailed
from yomikaki.exports import set_cell_text
from yomikaki.paths import replace_private

SHEET_DIFF = "不一致"
SHEET_OVERVIEW = "概要"


@dataclass
class CompareResult:
    out: Path
    export_id: str
    rows: int
    fields_compared: int
    disagreements: int
    reviewer_a: str
    reviewer_b: str


def _load(path: Path):
    wb, meta, data, columns = open_review_workbook(path)
    try:
        rows, missing = read_review_rows(wb, meta, data, columns)
        who = (wb.properties.lastModifiedBy or "").strip()
    finally:
        wb.close()
    problems = [p for o in rows + missing for p in o.problems]
    if problems:
        raise ValidationFailed([f"{path.name}: {p}" for p in problems], title=f"{path.name} の構成に問題があります")
    return meta, data, columns, {o.seq: o for o in rows}, who


def compare_reviews(a: Path, b: Path, out: Path) -> CompareResult:
    a, b, out = Path(a), Path(b), Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"出力ファイルは .xlsx にしてください: {out}")
    meta_a, data, columns, rows_a, who_a = _load(a)
    meta_b, _data_b, columns_b, rows_b, who_b = _load(b)
    if meta_a["export_id"] != meta_b["export_id"]:
        raise InputError(f"{a.name} と {b.name} は別のエクスポートのワークブックです"
                         f"（ID {meta_a['export_id']} / {meta_b['export_id']}）",
                         hint="同じエクスポートを二人で入力したワークブックを比べてください")
    if [c.id for c in columns] != [c.id for c in columns_b]:
        raise InputError(f"{a.name} と {b.name} の列の構成が違います")
    index = {c.id: i for i, c in enumerate(columns)}
    values = [c for c in columns if c.role == "value"]
    diffs, compared = [], 0
    for seq in sorted(rows_a):
        ra, rb = rows_a[seq], rows_b[seq]
        original = data[seq]["original"]["cells"]
        for col in values:
            va, vb = ra.texts.get(col.field), rb.texts.get(col.field)
            compared += 1
            if not same_text(va, vb):
                cell = f"{SHEET_REVIEW}!{get_column_letter(index[col.id] + 1)}{ra.excel_row}"
                diffs.append((seq, ra.source, ra.page, original.get("application_id"), col.header, cell,
                              va, vb, original.get(col.field)))
    _write(out, diffs, meta_a["export_id"], a, b, who_a, who_b, len(rows_a), compared)
    return CompareResult(out, str(meta_a["export_id"]), len(rows_a), compared, len(diffs), who_a, who_b)


def _write(out: Path, diffs, export_id, a: Path, b: Path, who_a: str, who_b: str, rows: int,
           compared: int) -> None:

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_DIFF
    header = ("No.", "ファイル", "ページ", "申請書番号", "項目", "セル", f"入力者A（{who_a or a.name}）",
              f"入力者B（{who_b or b.name}）", "OCRの値", "正しい値（記入）")
    for c, text in enumerate(header, 1):
        set_cell_text(ws.cell(1, c), text)
        ws.cell(1, c).font = Font(bold=True)
        ws.cell(1, c).fill = PatternFill("solid", fgColor="D9D9D9")
    for r, diff in enumerate(diffs, 2):
        for c, value in enumerate(diff, 1):
            set_cell_text(ws.cell(r, c), value)
    for letter, width in zip("ABCDEFGHIJ", (6, 18, 6, 13, 18, 12, 22, 22, 22, 22), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    if diffs:
        ws.auto_filter.ref = f"A1:J{len(diffs) + 1}"
    ov = wb.create_sheet(SHEET_OVERVIEW)
    lines = (("二重入力の比較", None), ("エクスポートID", export_id), ("入力者A のファイル", a.name),
             ("入力者A（最終更新者）", who_a), ("入力者B のファイル", b.name), ("入力者B（最終更新者）", who_b),
             ("申請書数", rows), ("比較した項目数", compared), ("不一致の項目数", len(diffs)))
    for r, (label, value) in enumerate(lines, 1):
        set_cell_text(ov.cell(r, 1), label)
        set_cell_text(ov.cell(r, 2), value)
    ov.column_dimensions["A"].width = 24
    ov.column_dimensions["B"].width = 40
    replace_private(out, wb.save)
