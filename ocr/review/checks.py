"""Structure checks of an imported review workbook: headers, row identity, known export."""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter

from ocr.review.layout import HEADER_ROW, SHEET_REVIEW, Column
from ocr.review.values import row_hash
from yomikaki.errors import ValidationFailed

KEY_LABELS = {"no": "No.", "file": "ファイル", "page_no": "ページ", "to_review": "要確認"}


def _text(cell) -> str | None:
    if cell is None or cell.value is None:
        return None
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def check_headers(ws, columns: list[Column]) -> list[str]:
    """Renamed, moved, missing or added columns, as located messages."""
    actual: list[str | None] = []
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW):
        actual = [_text(c) for c in row]
    while actual and actual[-1] is None:
        actual.pop()
    expected = [c.header for c in columns]
    if actual == expected:
        return []
    problems = []
    missing = [(i, h) for i, h in enumerate(expected) if h not in actual]
    added = [(i, h) for i, h in enumerate(actual) if h is not None and h not in expected]
    if missing and len(missing) == len(added):
        for (_i, old), (j, new) in zip(missing, added, strict=True):
            problems.append(f"{SHEET_REVIEW}!{get_column_letter(j + 1)}{HEADER_ROW}: 列見出し「{old}」が"
                            f"「{new}」に変更されています（元の「{old}」に戻してください）")
        return problems
    for i, old in missing:
        problems.append(f"{SHEET_REVIEW}!{get_column_letter(i + 1)}{HEADER_ROW}: 列「{old}」がありません"
                        "（列を削除しないでください）")
    for j, new in added:
        problems.append(f"{SHEET_REVIEW}!{get_column_letter(j + 1)}{HEADER_ROW}: 知らない列「{new}」があります"
                        "（列を追加しないでください）")
    if not problems:
        for i, header in enumerate(expected):
            if i >= len(actual) or actual[i] != header:
                j = actual.index(header)
                problems.append(f"{SHEET_REVIEW}!{get_column_letter(j + 1)}{HEADER_ROW}: 列「{header}」が "
                                f"{get_column_letter(i + 1)} 列から {get_column_letter(j + 1)} 列に移動しています"
                                "（元の位置に戻してください）")
    return problems or [f"{SHEET_REVIEW}!A{HEADER_ROW}: 列見出しの行が変更されています"]


def check_identity(r: int, cells: list, columns: list[Column], index: dict[str, int], meta: dict,
                   data: dict):
    """Which exported row this sheet row is, and whether its protected cells were edited."""
    from ocr.review.importer import RowOutcome

    def ref(cid: str) -> str:
        return f"{SHEET_REVIEW}!{get_column_letter(index[cid] + 1)}{r}"

    def tech(name: str) -> str | None:
        return _text(cells[index[f"tech:{name}"]])

    problems: list[str] = []
    export_id = tech("export_id")
    source, page = tech("source") or _text(cells[index["file"]]) or "?", tech("page") or "?"
    if export_id is None and tech("seq") is None and tech("row_hash") is None:
        problems.append(f"{SHEET_REVIEW}!A{r}: 行が追加されています。確認用ワークブックに申請書の行は追加できません"
                        "（行を削除するか、新しい申請書は OCR から読み取ってください）")
        return RowOutcome(-1, r, source, _int(page), {}, problems=problems)
    if export_id != str(meta["export_id"]):
        problems.append(f"{ref('tech:export_id')}: この行は別のエクスポート（ID {export_id or '不明'}）の行です。"
                        "別のワークブックから行をコピーしないでください")
        return RowOutcome(-1, r, source, _int(page), {}, problems=problems)
    seq = _int(tech("seq"))
    if seq not in data:
        problems.append(f"{ref('tech:seq')}: 非表示の保護された列「seq」が編集されています")
        return RowOutcome(-1, r, source, _int(page), {}, problems=problems)
    d = data[seq]
    for name, want in (("source", d["source"]), ("page", str(d["page"])), ("form", d["form"]),
                       ("row_hash", d["row_hash"])):
        if tech(name) != want:
            problems.append(f"{ref('tech:' + name)}: 非表示の保護された列「{name}」が編集されています")
    if row_hash(str(meta["export_id"]), seq, d["source"], d["page"], d["form"], d["original"]["cells"]) != d["row_hash"]:
        problems.append(f"{ref('tech:row_hash')}: 隠しシート _data のこの行の内容が書き換えられています")
    for cid, want in (("no", str(seq)), ("file", d["source"]), ("page_no", str(d["page"])),
                      ("to_review", str(len(d["original"].get("review") or [])))):
        if _text(cells[index[cid]]) != want:
            problems.append(f"{ref(cid)}: 保護された列「{KEY_LABELS[cid]}」が編集されています（元は {want}）")
    return RowOutcome(seq, r, d["source"], d["page"], {}, problems=problems)


def _int(text: str | None) -> int:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return -1


def check_export_known(workbook: Path, meta: dict, data: dict, settings=None) -> None:
    """The workbook must come from an export recorded in this database, unchanged."""
    from ocr.review.corrections import find_export

    export_id = str(meta["export_id"])
    rec = find_export(export_id, settings)
    title = "ワークブックの構成に問題があります"
    if rec is None:
        raise ValidationFailed([f"{workbook.name}: エクスポート ID {export_id} の記録がありません。"
                                "このシステムで作られた確認用ワークブックか確かめてください"], title=title)
    hashes = [data[s]["row_hash"] for s in sorted(data)]
    if rec.rows != len(data) or list(rec.row_hashes or []) != hashes:
        raise ValidationFailed([f"{workbook.name}: 隠しシート _data がエクスポート時（ID {export_id}）の内容と違います"],
                               title=title)
