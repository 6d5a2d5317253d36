"""The side sheets of the review workbook: 使い方, 集計, 読み取り不可 and the hidden _data/_meta."""

from __future__ import annotations

import json

from openpyxl.styles import Alignment, Font, PatternFill

from ocr.review.layout import (
    FIRST_DATA_ROW,
    SHEET_DATA,
    SHEET_HELP,
    SHEET_META,
    SHEET_REVIEW,
    SHEET_SUMMARY,
    SHEET_UNREADABLE,
    Column,
)
from yomikaki.exports import set_cell_text

__all__ = ["SHEET_DATA", "SHEET_HELP", "SHEET_META", "SHEET_SUMMARY", "SHEET_UNREADABLE"]

META_VERSION = "1"
DATA_HEADER = ("seq", "source", "page", "form", "row_hash", "original")
STATUS_JA = {"blank": "白紙", "unknown_form": "別の書類", "error": "読み取りエラー", "rejected": "処理できない画像"}

HELP_LINES = (
    "確認用ワークブックの使い方",
    "",
    "1. シート「確認」の1行が申請書1ページです。色の付いたセルが確認の必要な項目です（凡例は1行目）。",
    "2. 「（画像）」列に、その項目の読み取り元の画像（縮小）があります。ページ全体は「ページ画像」の「開く」で見られます。",
    "3. 値が画像と違うときは、セルの値を正しく書き直してください。色の付いていないセルも、誤りに気付いたら直してかまいません。",
    "4. 日付は 2026-07-01 の形（年-月-日）で入力します。令和8年7月1日 と入力しても取り込めます。",
    "5. 口座番号などの数字は先頭の 0 も入力してください（例: 0508821）。文字として保存されます。",
    "6. 金融機関種別・店舗種別・預金種別・続柄・押印・受給を希望しない は一覧（▼）から選びます。",
    "7. 空欄にすると「値なし」として取り込まれます（ゆうちょの場合の口座番号など）。",
    "8. 数式（= で始まる式）は入力しないでください。値だけを入力します。",
    "9. 行の削除・追加・並べ替え、列の名前の変更・移動・削除はしないでください。取り込み時にエラーになります。",
    "   絞り込み（フィルター）と列幅の変更は使えます。シートの保護はパスワードなしですが、解除しないでください。",
    "10. 保存したら担当者に渡してください（取り込み: yomikaki ocr review import）。エラーがあれば「確認!F12: …」の形でセルごとに知らされます。",
    "",
    "色の意味",
)


def write_help(ws, bands) -> None:
    for i, line in enumerate(HELP_LINES, 1):
        set_cell_text(ws.cell(i, 1), line)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    row = len(HELP_LINES) + 1
    for _, _, colour, text in bands:
        cell = ws.cell(row, 1)
        set_cell_text(cell, text)
        cell.fill = PatternFill("solid", fgColor=colour)
        row += 1
    set_cell_text(ws.cell(row, 1), "色なし：自動確定（誤りがあれば修正可）")
    ws.column_dimensions["A"].width = 120
    ws.protection.sheet = True


def write_summary(ws, summary, columns: list[Column]) -> None:
    lines = [
        ("集計", None),
        ("エクスポートID", summary.export_id),
        ("申請書（ページ）数", summary.forms),
        ("読み取り不可のページ数", summary.unreadable),
        ("入力のある項目数", summary.fields),
        ("要確認の項目数", summary.fields_to_review),
        ("画像を付けた項目数", summary.crops),
        ("要確認の割合", round(summary.fields_to_review / summary.fields, 4) if summary.fields else 0),
        ("", None),
        ("項目別の要確認件数", None),
    ]
    for i, (label, value) in enumerate(lines, 1):
        set_cell_text(ws.cell(i, 1), label)
        if value is not None:
            set_cell_text(ws.cell(i, 2), value)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    row = len(lines) + 1
    for col in columns:
        if col.role == "value" and summary.review_by_field.get(col.field):
            set_cell_text(ws.cell(row, 1), col.header)
            set_cell_text(ws.cell(row, 2), summary.review_by_field[col.field])
            row += 1
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 26
    ws.protection.sheet = True


def write_unreadable(ws, rows: list[dict]) -> None:
    for i, header in enumerate(("ファイル", "ページ", "状態", "理由"), 1):
        cell = ws.cell(1, i)
        set_cell_text(cell, header)
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, 2):
        status = str(row.get("status") or ("unknown_form" if not row.get("form") else "error"))
        reasons = "; ".join(str(e) for e in row.get("errors") or [])
        for c, value in enumerate((str(row["source"]), int(row.get("page") or 1),
                                   STATUS_JA.get(status, status), reasons), 1):
            set_cell_text(ws.cell(r, c), value)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["D"].width = 80
    for cell in ws["D"]:
        cell.alignment = Alignment(wrap_text=True)
    ws.protection.sheet = True


def write_data(ws, data_rows: list[list]) -> None:
    ws.append(list(DATA_HEADER))
    for r, values in enumerate(data_rows, 2):
        for c, value in enumerate(values, 1):
            set_cell_text(ws.cell(r, c), value)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def write_meta(ws, *, export_id: str, form: str, rows: int, member_groups: int,
               columns: list[Column], rows_file: str) -> None:
    items = [
        ("kind", "yomikaki-review"),
        ("version", META_VERSION),
        ("export_id", export_id),
        ("form", form),
        ("rows", rows),
        ("member_groups", member_groups),
        ("first_data_row", FIRST_DATA_ROW),
        ("sheet", SHEET_REVIEW),
        ("rows_file", rows_file),
        ("columns", json.dumps([[c.id, c.header] for c in columns], ensure_ascii=False)),
    ]
    for r, (key, value) in enumerate(items, 1):
        set_cell_text(ws.cell(r, 1), key)
        set_cell_text(ws.cell(r, 2), value)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def read_meta(wb) -> dict | None:
    if SHEET_META not in wb.sheetnames:
        return None
    meta = {}
    for row in wb[SHEET_META].iter_rows(min_row=1, max_col=2, values_only=True):
        if row and row[0]:
            meta[str(row[0])] = row[1]
    if meta.get("kind") != "yomikaki-review":
        return None
    try:
        meta["columns"] = json.loads(meta["columns"])
        meta["rows"] = int(meta["rows"])
        meta["member_groups"] = int(meta["member_groups"])
    except (KeyError, TypeError, ValueError):
        return None
    return meta


def read_data(wb) -> dict[int, dict] | None:
    """seq → {source, page, form, row_hash, original}; None when the sheet is missing or broken."""
    if SHEET_DATA not in wb.sheetnames:
        return None
    out: dict[int, dict] = {}
    try:
        for row in wb[SHEET_DATA].iter_rows(min_row=2, max_col=len(DATA_HEADER), values_only=True):
            if not row or row[0] is None:
                continue
            seq = int(row[0])
            out[seq] = {"source": str(row[1]), "page": int(row[2]), "form": str(row[3]),
                        "row_hash": str(row[4]), "original": json.loads(row[5])}
    except (TypeError, ValueError):
        return None
    return out
