"""The review workbook in LibreOffice Calc: opens, converts (CSV, ODS and back), edits, imports."""

from __future__ import annotations

import csv
import json

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from review_testkit import calc_edit, convert, read_jsonl, sheet_index, truth_edits

from ocr.review import export_review, import_review
from ocr.review.corrections import corrections_for
from yomikaki.errors import ValidationFailed


def test_review_libreoffice_csv_ods_roundtrip(truth_rows, tmp_path):
    rows_file, truths = truth_rows
    lines = [json.loads(x) for x in rows_file.read_text(encoding="utf-8").splitlines()]
    lines[1]["fields"]["address"] = "=1+1 で始まる住所"  # must stay text in every program
    injected = rows_file.with_name("injected.jsonl")
    injected.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    risky = export_review(injected, tmp_path / "risky.xlsx")
    summary = export_review(rows_file, tmp_path / "review.xlsx")

    (csv_file,) = convert([risky.workbook], 'csv:Text - txt - csv (StarCalc):44,34,76,1', tmp_path / "csv")
    with open(csv_file, encoding="utf-8", newline="") as fh:
        table = list(csv.reader(fh))
    header = table[1]
    assert header[:6] == ["No.", "ファイル", "ページ", "要確認", "ページ画像", "申請書番号"]
    by_file = {row[1]: dict(zip(header, row, strict=False)) for row in table[2:]}
    assert set(by_file) == set(truths)
    assert by_file["dev_0001.jpg"]["ゆうちょ番号"].startswith("0")  # leading zero survived Calc
    assert by_file["dev_0001.jpg"]["申請書番号"] == truths["dev_0001.jpg"]["application_id"]
    assert by_file["dev_0002.jpg"]["住所"] == "=1+1 で始まる住所"  # text, not evaluated to 2

    (ods,) = convert([summary.workbook], "ods", tmp_path / "ods")
    (back,) = convert([ods], "xlsx", tmp_path / "back")
    wb = load_workbook(back)
    ws = wb["確認"]
    assert ws.protection.sheet and not ws.protection.password
    headers, rows = sheet_index(ws)
    assert ws.cell(rows["dev_0001.jpg"], headers["ゆうちょ番号"]).data_type == "s"
    # an untouched round trip imports cleanly, with nothing counted as a correction
    result = import_review(back, tmp_path / "confirmed.jsonl")
    assert result.rows_accepted == 4 and result.corrections == 0
    confirmed = {r["source"]: r for r in read_jsonl(tmp_path / "confirmed.jsonl")}
    assert confirmed["dev_0001.jpg"]["yucho_number"] == by_file["dev_0001.jpg"]["ゆうちょ番号"]


def test_review_libreoffice_reviewer_edits_in_calc(exported, tmp_path):
    summary, truths = exported
    ws = load_workbook(summary.workbook)["確認"]
    headers, rows = sheet_index(ws)

    def ref(source: str, header: str) -> str:
        return f"{get_column_letter(headers[header])}{rows[source]}"

    good = [["確認", ref(source, header), value, "string"] for (source, header), value in truth_edits(truths).items()]
    bad = good + [["確認", ref("dev_0003.jpg", "住所"), "=1+2", "formula"],
                  ["確認", ref("dev_0002.jpg", "口座番号"), "123456", "string"]]
    calc_edit([
        {"src": str(summary.workbook), "dst": str(tmp_path / "good.xlsx"), "author": "確認者 鈴木", "cells": good},
        {"src": str(summary.workbook), "dst": str(tmp_path / "bad.xlsx"), "author": "確認者 鈴木", "cells": bad},
    ], tmp_path)

    try:
        import_review(tmp_path / "bad.xlsx", tmp_path / "bad.jsonl")
        raise AssertionError("a workbook with a formula and a 6-digit account number was accepted")
    except ValidationFailed as exc:
        assert exc.problems == [f"確認!{ref('dev_0002.jpg', '口座番号')}: 口座番号は7桁の数字です",
                                f"確認!{ref('dev_0003.jpg', '住所')}: 数式は入力できません（値を直接入力してください）"]
    assert not (tmp_path / "bad.jsonl").exists()

    result = import_review(tmp_path / "good.xlsx", tmp_path / "confirmed.jsonl")
    assert result.rows_accepted == 4
    from ocr.normalize import normalize_fields

    for row in read_jsonl(tmp_path / "confirmed.jsonl"):
        assert row == {"source": row["source"], "page": 1, **normalize_fields(truths[row["source"]])}
    corrections = corrections_for(summary.export_id)
    assert len(corrections) == len(good) == result.corrections
    assert {c.modified_by for c in corrections} == {"確認者 鈴木"}
