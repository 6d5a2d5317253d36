"""Export OCR rows (rows.jsonl) to the review workbook reviewers correct in Excel."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ocr.review import sheets
from ocr.review.layout import (
    BOOL_TEXT,
    DEFAULT_CHOICES,
    FIRST_DATA_ROW,
    FORM_ID,
    HEADER_ROW,
    LEGEND_ROW,
    MEMBER_GROUPS,
    SHEET_REVIEW,
    Column,
    build_columns,
    flatten_fields,
    member_count,
    value_fields,
)
from ocr.review.values import row_hash, to_cell_text
from yomikaki.errors import InputError, Location, ValidationFailed
from yomikaki.exports import set_cell_text
from yomikaki.paths import replace_private

CROP_MAX = (480, 44)  # px: downscaled crop size in the workbook (wide fields stay legible)
CROP_ROW_HEIGHT = 36  # pt for rows that carry a crop
BANDS = (  # (upper bound, name, fill colour, legend)
    (0.5, "low", "FFC7CE", "要確認：信頼度 低（0.50 未満）"),
    (0.8, "mid", "FFE699", "要確認：信頼度 中（0.50〜0.80）"),
    (1.01, "high", "FFF2CC", "要確認：信頼度 高（0.80 以上）"),
)
FILL_HEADER = PatternFill("solid", fgColor="D9D9D9")
FILL_KEY = PatternFill("solid", fgColor="F2F2F2")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)
WIDTHS = {"text": 18, "digits": 14, "date": 13, "choice": 11, "bool": 9}
WIDE = {"address": 38, "household_head_name": 16, "account_holder_kana": 24}


@dataclass
class ExportSummary:
    workbook: Path
    export_id: str
    forms: int
    unreadable: int
    fields: int
    fields_to_review: int
    crops: int
    images_dir: Path | None
    seconds: float = 0.0
    review_by_field: dict[str, int] = field(default_factory=dict)


def band_of(confidence: float | None) -> tuple[str, str]:
    conf = 0.0 if confidence is None else float(confidence)
    for upper, name, colour, _ in BANDS:
        if conf < upper:
            return name, colour
    return BANDS[-1][1], BANDS[-1][2]


def read_rows(path: Path) -> list[dict]:
    """Read rows.jsonl; every bad line is reported (file:line), nothing is half-exported."""
    if not path.is_file():
        raise InputError(f"OCR結果ファイルが見つかりません: {path}", hint="yomikaki ocr extract の --out で作ったファイルを指定してください")
    rows, problems = [], []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{Location(str(path), lineno)}: JSON として読めません ({exc.msg})")
                continue
            if not isinstance(row, dict) or "source" not in row:
                problems.append(f"{Location(str(path), lineno)}: 'source' を持つ JSON オブジェクトではありません")
                continue
            try:
                row["page"] = int(row.get("page") or 1)
            except (TypeError, ValueError):
                problems.append(f"{Location(str(path), lineno)}: 'page' が整数ではありません ({row.get('page')!r})")
                continue
            row["_line"] = lineno
            rows.append(row)
    if problems:
        raise ValidationFailed(problems, title="OCR結果ファイルに読めない行があります")
    return rows


def is_form_row(row: dict) -> bool:
    return row.get("status", "ok") == "ok" and bool(row.get("form")) and isinstance(row.get("fields"), dict)


def review_paths(row: dict, flat: dict) -> set[str]:
    """Field paths flagged for review; 'members' alone flags every filled member cell."""
    out = set()
    for key in row.get("review") or []:
        if key in flat:
            out.add(key)
        elif key == "members":
            n = member_count(row["fields"])
            out.update(p for p in flat if p.startswith("members.") and int(p.split(".")[1]) <= n)
        elif key.startswith("members."):
            out.update(p for p in flat if p.startswith(key + "."))
    return out


def confidence_of(row: dict, path: str) -> float | None:
    conf = row.get("confidence") or {}
    if path in conf:
        return conf[path]
    if path.startswith("members."):
        return conf.get(path.rsplit(".", 1)[0], conf.get("members"))
    return None


def _choices(sub_key: str) -> tuple[str, ...]:
    try:
        from ocr.validate import CHOICES  # the pipeline's own list, when it has one
        values = CHOICES.get(sub_key)
        if values and all(isinstance(v, str) for v in values):
            return tuple(values)
    except (ImportError, AttributeError):
        pass
    return DEFAULT_CHOICES.get(sub_key, ())


def _crop_image(path: Path) -> XLImage | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img = img.convert("L")
            img.thumbnail(CROP_MAX)
            buf = io.BytesIO()
            img.save(buf, format="PNG", optimize=True)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    buf.seek(0)
    return XLImage(buf)


def _page_image(row: dict, base: Path, page_images_dir: Path | None) -> Path | None:
    rel = row.get("page_image")
    if rel:
        path = (base / rel) if not Path(rel).is_absolute() else Path(rel)
        if path.is_file():
            return path
    if page_images_dir:
        path = Path(page_images_dir) / str(row["source"])
        if path.is_file() and path.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"):
            return path
    return None


def _prepare_images_dir(folder: Path) -> None:
    """The workbook's own page-image folder (0700); images of an earlier export there are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for old in folder.iterdir():
        if old.is_file() and old.name[:5].isdigit() and old.name[5:6] == "_":
            old.unlink()


def _safe_name(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
    return keep.strip("._")[:60] or "page"


def export_review(rows_jsonl: Path, out: Path, *, page_images_dir: Path | None = None,
                  settings=None) -> ExportSummary:
    """Write the review workbook for ``rows_jsonl`` to ``out``; page images go next to it."""
    started = time.perf_counter()
    rows_jsonl, out = Path(rows_jsonl), Path(out)
    if out.suffix.lower() != ".xlsx":
        raise InputError(f"出力ファイルは .xlsx にしてください: {out}")
    rows = read_rows(rows_jsonl)
    base = rows_jsonl.parent
    forms = [r for r in rows if is_form_row(r)]
    unreadable = [r for r in rows if not is_form_row(r)]
    others = sorted({str(r["form"]) for r in forms if r["form"] != FORM_ID})
    if others:
        raise InputError(f"この確認用ワークブックは {FORM_ID} の帳票用です。別の帳票が含まれています: {', '.join(others)}")
    groups = max([MEMBER_GROUPS] + [member_count(r["fields"]) for r in forms])
    export_id = f"{datetime.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"

    prepared = []  # (row, flat texts, review paths)
    crop_fields: set[str] = set()
    kinds = {p: k for p, _, k in value_fields(groups)}
    for row in forms:
        flat = flatten_fields(row["fields"], groups)
        texts = {p: to_cell_text(p.rsplit(".", 1)[-1], kinds[p], v) for p, v in flat.items()}
        review = review_paths(row, flat)
        crops = row.get("crops") or {}
        crop_fields.update(p for p in review if p in crops)
        prepared.append((row, texts, review))
    columns = build_columns(groups, crop_fields)
    index = {c.id: i + 1 for i, c in enumerate(columns)}

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_REVIEW
    _write_header(ws, columns)
    images_dir = out.parent / f"{out.stem}_images"
    copied_images = False
    n_fields = n_review = n_crops = 0
    review_by_field: dict[str, int] = {}
    crop_px: dict[str, int] = {}  # widest crop per field, to size its column
    data_rows, hashes = [], []
    hidden_cols = [index[f"tech:{n}"] for n in ("source", "page", "form", "export_id", "seq", "row_hash")]
    for seq, (row, texts, review) in enumerate(prepared, 1):
        r = FIRST_DATA_ROW + seq - 1
        source, page = str(row["source"]), int(row.get("page") or 1)
        original = {"cells": texts, "review": sorted(review),
                    "confidence": {p: confidence_of(row, p) for p in sorted(review)}}
        digest = row_hash(export_id, seq, source, page, FORM_ID, texts)
        hashes.append(digest)
        data_rows.append([seq, source, page, FORM_ID, digest, json.dumps(original, ensure_ascii=False)])
        for cid, value in (("no", seq), ("file", source), ("page_no", page), ("to_review", len(review))):
            cell = ws.cell(r, index[cid])
            set_cell_text(cell, value)
            cell.fill, cell.protection = FILL_KEY, LOCKED
        link = ws.cell(r, index["page_link"])
        link.fill, link.protection = FILL_KEY, LOCKED
        page_path = _page_image(row, base, page_images_dir)
        if page_path is not None:
            if not copied_images:
                _prepare_images_dir(images_dir)
                copied_images = True
            target = images_dir / f"{seq:05d}_{_safe_name(Path(source).stem)}_p{page}{page_path.suffix.lower()}"
            shutil.copyfile(page_path, target)
            os.chmod(target, 0o600)
            set_cell_text(link, "開く")
            link.hyperlink = f"{images_dir.name}/{target.name}"
            link.font = Font(color="0563C1", underline="single")
        crops = row.get("crops") or {}
        has_crop = False
        for col in columns:
            if col.role != "value":
                continue
            cell = ws.cell(r, index[col.id])
            set_cell_text(cell, texts[col.field])
            cell.protection = UNLOCKED
            cell.number_format = "@"
            n_fields += texts[col.field] is not None
            if col.field in review:
                n_review += 1
                review_by_field[col.field] = review_by_field.get(col.field, 0) + 1
                cell.fill = PatternFill("solid", fgColor=band_of(confidence_of(row, col.field))[1])
                crop_rel = crops.get(col.field)
                if crop_rel and f"crop:{col.field}" in index:
                    img = _crop_image(base / crop_rel)
                    if img is not None:
                        ws.add_image(img, f"{get_column_letter(index['crop:' + col.field])}{r}")
                        n_crops += 1
                        crop_px[col.field] = max(crop_px.get(col.field, 0), img.width)
                        has_crop = True
        if has_crop:
            ws.row_dimensions[r].height = CROP_ROW_HEIGHT
        for cid, value in zip(hidden_cols, (source, page, FORM_ID, export_id, seq, digest), strict=True):
            set_cell_text(ws.cell(r, cid), value)
    last_row = FIRST_DATA_ROW + len(prepared) - 1
    _finish_review_sheet(ws, columns, last_row, crop_px)
    summary = ExportSummary(out, export_id, len(prepared), len(unreadable), n_fields, n_review,
                            n_crops, images_dir if copied_images else None,
                            review_by_field=review_by_field)
    sheets.write_help(wb.create_sheet(sheets.SHEET_HELP), BANDS)
    sheets.write_summary(wb.create_sheet(sheets.SHEET_SUMMARY), summary, columns)
    sheets.write_unreadable(wb.create_sheet(sheets.SHEET_UNREADABLE), unreadable)
    sheets.write_data(wb.create_sheet(sheets.SHEET_DATA), data_rows)
    sheets.write_meta(wb.create_sheet(sheets.SHEET_META), export_id=export_id, form=FORM_ID,
                      rows=len(prepared), member_groups=groups, columns=columns,
                      rows_file=rows_jsonl.name)
    wb.active = 0
    wb.properties.creator = "yomikaki"
    wb.properties.lastModifiedBy = "yomikaki"
    wb.properties.title = f"確認用ワークブック {export_id}"
    replace_private(out, wb.save)
    from ocr.review.corrections import register_export
    register_export(export_id, form=FORM_ID, rows=len(prepared), workbook=str(out.resolve()),
                    rows_file=str(rows_jsonl.resolve()), row_hashes=hashes, settings=settings)
    try:
        from yomikaki.audit import record
        record("ocr.review.export", out.name, settings=settings, export_id=export_id,
               forms=len(prepared), fields_to_review=n_review)
    except Exception:  # the audit log must never lose an export that was written
        pass
    summary.seconds = time.perf_counter() - started
    return summary


def _write_header(ws, columns: list[Column]) -> None:
    legend = ws.cell(LEGEND_ROW, 1)
    set_cell_text(legend, "凡例（色の意味） →")
    legend.font = Font(bold=True)
    ws.merge_cells(start_row=LEGEND_ROW, start_column=1, end_row=LEGEND_ROW, end_column=4)
    first_value = next(i for i, c in enumerate(columns, 1) if c.role == "value")
    entries = [(text, colour) for _, _, colour, text in BANDS] + [("自動確定（誤りがあれば修正可）", None)]
    for offset, (text, colour) in enumerate(entries):
        start = first_value + offset * 3
        cell = ws.cell(LEGEND_ROW, start)
        set_cell_text(cell, text)
        if colour:
            cell.fill = PatternFill("solid", fgColor=colour)
        ws.merge_cells(start_row=LEGEND_ROW, start_column=start, end_row=LEGEND_ROW, end_column=start + 2)
    for i, col in enumerate(columns, 1):
        cell = ws.cell(HEADER_ROW, i)
        set_cell_text(cell, col.header)
        cell.font = Font(bold=True)
        cell.fill = FILL_HEADER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[HEADER_ROW].height = 30


def _finish_review_sheet(ws, columns: list[Column], last_row: int, crop_px: dict[str, int]) -> None:
    last_row = max(last_row, FIRST_DATA_ROW)
    first_value = next(i for i, c in enumerate(columns, 1) if c.role == "value")
    last_visible = max(i for i, c in enumerate(columns, 1) if c.role != "tech")
    for i, col in enumerate(columns, 1):
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        if col.role == "tech":
            dim.hidden = True
        elif col.role == "crop":
            dim.width = max(14, min(70, crop_px.get(col.field, 240) / 7 + 2))  # ~7 px per width unit
        elif col.role == "key":
            dim.width = {"no": 6, "file": 18, "page_no": 6, "to_review": 7, "page_link": 10}[col.id]
        else:
            dim.width = WIDE.get(col.field, WIDTHS.get(col.kind, 16))
        if col.role == "value" and col.kind in ("choice", "bool"):
            options = (BOOL_TEXT.get(col.sub_key, ("はい", "いいえ")) if col.kind == "bool"
                       else _choices(col.sub_key))
            if options:
                dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle="入力できない値です",
                                    error="一覧から選んでください", showDropDown=False)
                dv.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
                ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, first_value)
    ws.print_title_rows = f"{LEGEND_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(last_visible)}{last_row}"
    prot = ws.protection
    prot.sheet = True  # no password: it stops slips, not people
    prot.autoFilter = False
    prot.sort = True
    prot.formatColumns = False
    prot.formatRows = False
    prot.selectLockedCells = False
    prot.selectUnlockedCells = False
