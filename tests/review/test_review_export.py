"""Export: the review workbook's structure, as a reviewer and as the import see it."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from review_testkit import sheet_index

from ocr.review.export import BANDS
from yomikaki.errors import InputError, ValidationFailed


def test_review_export_sheets_and_layout(exported):
    summary, truths = exported
    assert summary.forms == 4 and summary.unreadable == 1
    wb = load_workbook(summary.workbook)
    assert wb.sheetnames[:4] == ["確認", "使い方", "集計", "読み取り不可"]
    assert wb["_meta"].sheet_state == "veryHidden" and wb["_data"].sheet_state == "veryHidden"
    ws = wb["確認"]
    headers, rows = sheet_index(ws)
    assert set(rows) == set(truths)
    for header in ("申請書番号", "口座番号", "預金種別", "世帯員1 氏名", "世帯員4 受給を希望しない", "口座番号（画像）"):
        assert header in headers
    # frozen legend + header rows and the key columns; filters on the header row
    assert ws.freeze_panes == "F3"
    assert ws.auto_filter.ref.startswith("A2:")
    # protected without a password; value cells unlocked, key cells and technical columns locked
    assert ws.protection.sheet is True and not ws.protection.password
    r = rows["dev_0002.jpg"]
    assert ws.cell(r, headers["住所"]).protection.locked is False
    assert ws.cell(r, headers["ファイル"]).protection.locked is True
    for name in ("source", "page", "form", "export_id", "seq", "row_hash"):
        letter = ws.cell(2, headers[name]).column_letter
        assert ws.column_dimensions[letter].hidden, name
        assert ws.cell(r, headers[name]).protection.locked is not False
    assert ws.cell(r, headers["export_id"]).value == summary.export_id


def test_review_export_values_text_and_colours(exported):
    summary, truths = exported
    ws = load_workbook(summary.workbook)["確認"]
    headers, rows = sheet_index(ws)
    # digit fields are text, leading zeros kept (dev_0001 pays into ゆうちょ 0864891)
    cell = ws.cell(rows["dev_0001.jpg"], headers["ゆうちょ番号"])
    assert cell.data_type == "s" and cell.value.startswith("0") and len(cell.value) == 7
    assert cell.number_format == "@"
    assert ws.cell(rows["dev_0001.jpg"], headers["申請書番号"]).value == truths["dev_0001.jpg"]["application_id"]
    # review cells coloured by confidence band; others not
    colours = {name: colour for _, name, colour, _ in BANDS}
    r = rows["dev_0001.jpg"]
    assert ws.cell(r, headers["ゆうちょ番号"]).fill.fgColor.rgb.endswith(colours["low"])  # 0.35
    assert ws.cell(r, headers["電話番号"]).fill.fgColor.rgb.endswith(colours["mid"])  # 0.62
    assert ws.cell(r, headers["申請日"]).fill.fgColor.rgb.endswith(colours["high"])  # 0.86
    assert ws.cell(r, headers["住所"]).fill.fill_type is None
    legend = [c.value for c in ws[1] if c.value]
    assert all(text in legend for *_, text in BANDS)
    # booleans shown in words, members as column groups
    assert ws.cell(r, headers["押印"]).value in ("あり", "なし")
    members = truths["dev_0001.jpg"]["members"]
    assert ws.cell(r, headers["世帯員2 氏名"]).value == members[1]["name"]
    assert ws.cell(r, headers["世帯員2 受給を希望しない"]).value == ("はい" if members[1]["opt_out"] else "いいえ")
    assert ws.cell(r, headers["世帯員4 氏名"]).value is None


def test_review_export_crops_links_dropdowns(exported, truth_rows):
    summary, _ = exported
    rows_file, _ = truth_rows
    n_crops = sum(len(json.loads(line).get("crops") or {}) for line in rows_file.read_text().splitlines())
    wb = load_workbook(summary.workbook)
    ws = wb["確認"]
    headers, rows = sheet_index(ws)
    assert summary.crops == n_crops == len(ws._images)
    anchors = {(img.anchor._from.row + 1, img.anchor._from.col + 1) for img in ws._images}
    assert (rows["dev_0001.jpg"], headers["ゆうちょ番号（画像）"]) in anchors
    for img in ws._images:  # downscaled
        assert img.width <= 480 and img.height <= 44
    link = ws.cell(rows["dev_0003.jpg"], headers["ページ画像"])
    assert link.value == "開く" and link.hyperlink is not None
    target = summary.workbook.parent / link.hyperlink.target
    assert target.is_file() and target.parent == summary.images_dir
    lists = {dv.formula1: str(dv.sqref) for dv in ws.data_validations.dataValidation}
    assert '"普通,当座"' in lists and '"本店,支店,出張所"' in lists and '"あり,なし"' in lists
    assert lists['"普通,当座"'].startswith(ws.cell(3, headers["預金種別"]).column_letter + "3:")
    assert any(f.startswith('"本人,妻,夫') for f in lists)


def test_review_export_help_summary_unreadable(exported):
    summary, _ = exported
    wb = load_workbook(summary.workbook)
    help_text = "\n".join(str(c.value) for c in wb["使い方"]["A"] if c.value)
    assert "色の付いたセル" in help_text and "数式" in help_text and "並べ替え" in help_text
    counts = {r[0].value: r[1].value for r in wb["集計"].iter_rows(max_col=2) if r[0].value}
    assert counts["申請書（ページ）数"] == 4
    assert counts["要確認の項目数"] == summary.fields_to_review > 0
    assert counts["読み取り不可のページ数"] == 1
    unreadable = [[c.value for c in row] for row in wb["読み取り不可"].iter_rows(min_row=2)]
    assert unreadable == [["blank_page.png", 1, "白紙", "白紙のページです（インクがほとんどありません）"]]


def test_review_export_never_writes_formulas(truth_rows, tmp_path):
    from ocr.review import export_review

    rows_file, _ = truth_rows
    lines = [json.loads(x) for x in rows_file.read_text(encoding="utf-8").splitlines()]
    lines[0]["source"] = "=cmd|' /C calc'!A0.jpg"
    lines[0]["fields"]["address"] = '=HYPERLINK("http://example.com","x")'
    lines[0]["fields"]["household_head_name"] = "@SUM(1)"
    lines[0]["errors"] = []
    rows_file.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    summary = export_review(rows_file, tmp_path / "inj.xlsx")
    ws = load_workbook(summary.workbook)["確認"]
    headers, _ = sheet_index(ws)
    for header in ("ファイル", "住所", "世帯主氏名", "source"):
        cell = ws.cell(3, headers[header])
        assert cell.data_type == "s", header
    assert ws.cell(3, headers["住所"]).value.startswith("=HYPERLINK")


def test_review_export_bad_input(tmp_path):
    from ocr.review import export_review

    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"source": "a.jpg", "page": 1, "status": "blank"}\n{not json\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        export_review(rows, tmp_path / "x.xlsx")
    assert [p.split(": ")[0] for p in info.value.problems] == [f"{rows}:2", f"{rows}:3"]
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(InputError, match="見つかりません"):
        export_review(tmp_path / "missing.jsonl", tmp_path / "x.xlsx")
    with pytest.raises(InputError, match=r"\.xlsx"):
        export_review(rows, tmp_path / "x.csv")


def test_review_export_again_replaces_page_images(truth_rows, tmp_path):
    from ocr.review import export_review

    rows_file, _ = truth_rows
    first = export_review(rows_file, tmp_path / "r.xlsx")
    names = sorted(p.name for p in first.images_dir.iterdir())
    assert len(names) == 4 and oct(first.images_dir.stat().st_mode & 0o777) == "0o700"
    lines = rows_file.read_text(encoding="utf-8").splitlines()
    rows_file.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # one form fewer
    second = export_review(rows_file, tmp_path / "r.xlsx")
    assert second.forms == 3 and len(list(second.images_dir.iterdir())) == 3
    assert (tmp_path / "r.xlsx").stat().st_mode & 0o777 == 0o600


def test_review_export_page_images_from_the_scan_folder(truth_rows, tmp_path):
    from review_testkit import dev_dir

    from ocr.review import export_review

    rows_file, truths = truth_rows
    lines = [json.loads(x) for x in rows_file.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        line.pop("page_image", None)
    rows_file.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    bare = export_review(rows_file, tmp_path / "bare.xlsx")
    assert bare.images_dir is None
    scans = dev_dir()
    summary = export_review(rows_file, tmp_path / "linked.xlsx", page_images_dir=scans)
    ws = load_workbook(summary.workbook)["確認"]
    headers, rows = sheet_index(ws)
    for source in truths:
        link = ws.cell(rows[source], headers["ページ画像"]).hyperlink
        copied = summary.workbook.parent / link.target
        assert copied.read_bytes() == (scans / source).read_bytes()
