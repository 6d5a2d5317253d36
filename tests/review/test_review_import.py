"""Import: corrected workbooks come back as confirmed rows; bad edits are refused, located."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from review_testkit import (
    copy_row,
    read_jsonl,
    reviewer_edit,
    sheet_index,
    swap_columns,
    swap_rows,
    truth_edits,
)
from sqlalchemy import select

from ocr.review import correction_stats, export_review, import_review
from ocr.review.corrections import corrections_for
from yomikaki.db import session_scope
from yomikaki.errors import InputError, ValidationFailed
from yomikaki.settings import get_settings


def _truth_row(source: str, truth: dict) -> dict:
    """The truth in canonical form (README: values compare after NFKC, as the normaliser folds them)."""
    from ocr.normalize import normalize_fields

    return {"source": source, "page": 1, **normalize_fields(truth)}


def test_review_import_corrected_workbook_gives_the_truth(exported, tmp_path):
    summary, truths = exported
    edited = reviewer_edit(summary.workbook, tmp_path / "edited.xlsx", truth_edits(truths))
    result = import_review(edited, tmp_path / "confirmed.jsonl")
    assert result.rows_accepted == 4 and result.rows_rejected == 0
    confirmed = read_jsonl(tmp_path / "confirmed.jsonl")
    assert [r["source"] for r in confirmed] == sorted(truths)
    for row in confirmed:
        assert row == _truth_row(row["source"], truths[row["source"]])
        assert list(row)[:3] == ["source", "page", "application_id"]

    # every correction is in the database, with the workbook's last-modified-by
    corrections = corrections_for(summary.export_id)
    expected = {(s, k) for (s, _label), k in
                ((key, {"口座番号": "account_number", "ゆうちょ番号": "yucho_number", "電話番号": "phone"}[key[1]])
                 for key in truth_edits(truths))}
    assert {(c.source, c.field) for c in corrections} == expected
    assert result.corrections == len(expected)
    for c in corrections:
        assert c.modified_by == "確認者 山田" and c.flagged
        assert c.corrected_value == truths[c.source][c.field] != c.ocr_value

    stats = {s.field: s for s in correction_stats()}
    n_phone = sum(1 for t in truths.values() if t.get("phone"))
    assert stats["phone"].changed == stats["phone"].flagged == n_phone
    assert stats["phone"].change_rate == 1.0
    assert stats["address"].changed == 0 and stats["address"].checked == 4
    assert stats["members.name"].checked == sum(len(t["members"]) for t in truths.values())

    # reviewer time went to the hours-saved ledger
    from scheduler.ledger import RunRecord

    with session_scope() as session:
        runs = list(session.scalars(select(RunRecord).where(RunRecord.kind == "review")))
    assert len(runs) == 1
    assert runs[0].review_minutes == pytest.approx(result.fields_reviewed * get_settings().ocr.review_minutes_per_field)
    assert runs[0].items_total == 4 and runs[0].process_id == "benefit-registration"


def test_review_import_csv_and_xlsx_are_flat(exported, tmp_path):
    summary, truths = exported
    edited = reviewer_edit(summary.workbook, tmp_path / "edited.xlsx", truth_edits(truths))
    import_review(edited, tmp_path / "confirmed.csv")
    with open(tmp_path / "confirmed.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4
    header = list(rows[0])
    assert header[:3] == ["source", "page", "application_id"]
    assert "members.1.name" in header and "members.1.opt_out" in header and "members" not in header
    by_source = {r["source"]: r for r in rows}
    yucho = by_source["dev_0001.jpg"]
    assert yucho["yucho_number"] == truths["dev_0001.jpg"]["yucho_number"]  # leading zero kept
    assert yucho["bank_name"] == "" and "None" not in yucho.values()
    t2 = truths["dev_0002.jpg"]
    assert by_source["dev_0002.jpg"]["members.2.opt_out"] == str(t2["members"][1]["opt_out"]).lower()
    assert by_source["dev_0002.jpg"]["account_number"] == t2["account_number"]

    import_review(edited, tmp_path / "confirmed.xlsx")
    ws = load_workbook(tmp_path / "confirmed.xlsx").active
    head = [c.value for c in ws[1]]
    assert head == header
    values = {ws.cell(r, 1).value: {h: ws.cell(r, i + 1).value for i, h in enumerate(head)} for r in range(2, 6)}
    assert values["dev_0001.jpg"]["bank_name"] is None
    assert values["dev_0001.jpg"]["yucho_number"] == truths["dev_0001.jpg"]["yucho_number"]
    assert values["dev_0002.jpg"]["members.1.opt_out"] is t2["members"][0]["opt_out"]


def _bad(summary, tmp_path, edits=None, then=None):
    bad = reviewer_edit(summary.workbook, tmp_path / "bad.xlsx", edits or {}, then=then)
    out = tmp_path / "out" / "confirmed.jsonl"
    with pytest.raises(ValidationFailed) as info:
        import_review(bad, out)
    assert not out.exists() and not out.parent.exists(), "nothing may be written"
    assert corrections_for(summary.export_id) == []
    return info.value.problems


def _ref(summary, source: str, header: str) -> str:
    ws = load_workbook(summary.workbook, read_only=True)["確認"]
    headers = {c.value: c.column for c in next(ws.iter_rows(min_row=2, max_row=2))}
    rows = {}
    for r, row in enumerate(ws.iter_rows(min_row=3, max_col=2, values_only=True), 3):
        rows[row[1]] = r
    return f"確認!{get_column_letter(headers[header])}{rows[source]}"


def test_review_import_invalid_date(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0002.jpg", "申請日"): "2026-02-30"}
    assert _bad(summary, tmp_path, edits) == [f"{_ref(summary, 'dev_0002.jpg', '申請日')}: 申請日が正しい日付ではありません"]


def test_review_import_six_digit_account_number(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0002.jpg", "口座番号"): "123456"}
    assert _bad(summary, tmp_path, edits) == [f"{_ref(summary, 'dev_0002.jpg', '口座番号')}: 口座番号は7桁の数字です"]


def test_review_import_formula_typed_into_a_cell(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0003.jpg", "住所"): '=CONCATENATE("埼玉県","坂戸市")'}
    assert _bad(summary, tmp_path, edits) == [
        f"{_ref(summary, 'dev_0003.jpg', '住所')}: 数式は入力できません（値を直接入力してください）"]


def test_review_import_deleted_row(exported, tmp_path):
    summary, truths = exported
    problems = _bad(summary, tmp_path, truth_edits(truths),
                    then=lambda wb, ws, h, rows: ws.delete_rows(rows["dev_0002.jpg"]))
    assert problems == ["確認: No. 2（dev_0002.jpg 1ページ）の行が削除されています"]


def test_review_import_renamed_and_moved_header(exported, tmp_path):
    summary, truths = exported

    def rename(wb, ws, headers, rows):
        ws.cell(2, headers["口座番号"]).value = "口座番号（修正後）"

    letter = get_column_letter(sheet_index(load_workbook(summary.workbook)["確認"])[0]["口座番号"])
    assert _bad(summary, tmp_path, truth_edits(truths), then=rename) == [
        f"確認!{letter}2: 列見出し「口座番号」が「口座番号（修正後）」に変更されています（元の「口座番号」に戻してください）"]

    def move(wb, ws, headers, rows):
        swap_columns(ws, headers["支店名"], headers["預金種別"])

    h = sheet_index(load_workbook(summary.workbook)["確認"])[0]
    a, b = get_column_letter(h["支店名"]), get_column_letter(h["預金種別"])
    assert _bad(summary, tmp_path, then=move) == [
        f"確認!{b}2: 列「支店名」が {a} 列から {b} 列に移動しています（元の位置に戻してください）",
        f"確認!{a}2: 列「預金種別」が {b} 列から {a} 列に移動しています（元の位置に戻してください）"]


def test_review_import_edited_hidden_column(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0004.jpg", "source"): "dev_0099.jpg"}
    assert _bad(summary, tmp_path, edits) == [
        f"{_ref(summary, 'dev_0004.jpg', 'source')}: 非表示の保護された列「source」が編集されています"]


def test_review_import_value_typed_into_the_crop_column(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0002.jpg", "口座番号（画像）"): "1234567"}
    assert _bad(summary, tmp_path, edits) == [
        f"{_ref(summary, 'dev_0002.jpg', '口座番号（画像）')}: 「口座番号（画像）」の列には入力できません。"
        "値は「口座番号」の列に入力してください"]


def test_review_import_duplicated_and_reordered_rows(exported, tmp_path):
    summary, _ = exported

    def duplicate(wb, ws, headers, rows):
        copy_row(ws, rows["dev_0001.jpg"], ws.max_row + 1)

    problems = _bad(summary, tmp_path, then=duplicate)
    assert problems[0] == "確認!A3: 7 行目に同じ申請書の行が重複しています"
    assert problems[1] == "確認!A7: 3 行目と同じ申請書の行が重複しています（行をコピーしないでください）"

    def reorder(wb, ws, headers, rows):
        swap_rows(ws, rows["dev_0002.jpg"], rows["dev_0003.jpg"])

    assert _bad(summary, tmp_path, then=reorder) == [
        "確認!A5: 行の順序が変わっています（No. 2 は 4 行目にあるはずです。並べ替えないでください）"]


def test_review_import_all_errors_at_once(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0001.jpg", "申請日"): "2026-13-01", ("dev_0002.jpg", "口座番号"): "12345",
                                   ("dev_0003.jpg", "押印"): "たぶん", ("dev_0004.jpg", "電話番号"): "=1+1"}
    problems = _bad(summary, tmp_path, edits)
    assert len(problems) == 4
    assert [p.split(":")[0] for p in problems] == [
        _ref(summary, "dev_0001.jpg", "申請日"), _ref(summary, "dev_0002.jpg", "口座番号"),
        _ref(summary, "dev_0003.jpg", "押印"), _ref(summary, "dev_0004.jpg", "電話番号")]
    assert problems[2].endswith("押印: 「あり」か「なし」を選んでください（入力値: たぶん）")


def test_review_import_rows_from_another_export(truth_rows, tmp_path):
    rows_file, truths = truth_rows
    first = export_review(rows_file, tmp_path / "one" / "review.xlsx")
    second = export_review(rows_file, tmp_path / "two" / "review.xlsx")
    assert first.export_id != second.export_id
    other = load_workbook(second.workbook)["確認"]

    def paste(wb, ws, headers, rows):  # a reviewer pastes row 4 of the other export over row 4
        for c in range(1, ws.max_column + 1):
            ws.cell(4, c).value = other.cell(4, c).value

    problems = _bad(first, tmp_path, truth_edits(truths), then=paste)
    assert problems == [f"{_ref(first, 'dev_0002.jpg', 'export_id')}: この行は別のエクスポート"
                        f"（ID {second.export_id}）の行です。別のワークブックから行をコピーしないでください",
                        "確認: No. 2（dev_0002.jpg 1ページ）の行が削除されています"]


def test_review_import_unknown_export_and_not_a_review_workbook(exported, tmp_path, monkeypatch):
    summary, _ = exported
    monkeypatch.setenv("YOMIKAKI_DATA_DIR", str(tmp_path / "another-office"))
    from yomikaki.db import dispose_engines
    from yomikaki.settings import reset_settings_cache

    dispose_engines()
    reset_settings_cache()
    with pytest.raises(ValidationFailed) as info:
        import_review(summary.workbook, tmp_path / "c.jsonl")
    assert info.value.problems == [f"review.xlsx: エクスポート ID {summary.export_id} の記録がありません。"
                                   "このシステムで作られた確認用ワークブックか確かめてください"]
    plain = tmp_path / "plain.xlsx"
    from openpyxl import Workbook

    Workbook().save(plain)
    with pytest.raises(InputError, match="確認用ワークブックではありません"):
        import_review(plain, tmp_path / "c.jsonl")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError, match="開けません"):
        import_review(tmp_path / "broken.xlsx", tmp_path / "c.jsonl")
    assert not (tmp_path / "c.jsonl").exists()


def test_review_import_partial(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0002.jpg", "口座番号"): "123456", ("dev_0004.jpg", "申請日"): "2026-02-30"}
    edited = reviewer_edit(summary.workbook, tmp_path / "edited.xlsx", edits)
    out = tmp_path / "confirmed.jsonl"
    result = import_review(edited, out, partial=True)
    assert result.rows_accepted == 2 and result.rows_rejected == 2
    assert [r["source"] for r in read_jsonl(out)] == ["dev_0001.jpg", "dev_0003.jpg"]
    for row in read_jsonl(out):
        assert row == _truth_row(row["source"], truths[row["source"]])
    assert result.rejected_workbook == tmp_path / "confirmed_rejected.xlsx"
    ws = load_workbook(result.rejected_workbook).active
    rejected = {ws.cell(r, 2).value: ws.cell(r, 5).value for r in range(2, ws.max_row + 1)}
    assert rejected == {
        "dev_0002.jpg": f"{_ref(summary, 'dev_0002.jpg', '口座番号')}: 口座番号は7桁の数字です",
        "dev_0004.jpg": f"{_ref(summary, 'dev_0004.jpg', '申請日')}: 申請日が正しい日付ではありません",
    }
    assert {c.source for c in corrections_for(summary.export_id)} <= {"dev_0001.jpg", "dev_0003.jpg"}

    # fixed and imported again: the latest import replaces the earlier corrections
    fixed = reviewer_edit(summary.workbook, tmp_path / "fixed.xlsx", truth_edits(truths))
    again = import_review(fixed, out)
    assert again.rejected_workbook is None and not (tmp_path / "confirmed_rejected.xlsx").exists()
    assert again.rows_accepted == 4 and again.replaced_earlier_import and not result.replaced_earlier_import
    assert len(corrections_for(summary.export_id)) == again.corrections


def test_review_import_wrong_output_suffix(exported, tmp_path):
    summary, _ = exported
    with pytest.raises(InputError, match=r"\.jsonl"):
        import_review(summary.workbook, tmp_path / "confirmed.txt")


def test_review_import_untouched_workbook_has_no_corrections(truth_rows, tmp_path):
    from review_testkit import build_rows

    rows_file, truths = build_rows(tmp_path / "clean", ["dev_0005.jpg", "dev_0006.jpg"], mistakes=False)
    summary = export_review(rows_file, tmp_path / "clean.xlsx")
    result = import_review(summary.workbook, tmp_path / "c.jsonl")
    assert result.corrections == 0 and result.rows_accepted == 2
    assert json.loads((tmp_path / "c.jsonl").read_text().splitlines()[1]) == _truth_row(
        "dev_0006.jpg", truths["dev_0006.jpg"])


def test_review_import_added_row_and_ledger_setting(exported, tmp_path, monkeypatch):
    summary, truths = exported

    def add(wb, ws, headers, rows):
        r = ws.max_row + 1
        ws.cell(r, headers["申請書番号"]).value = "1234567890"
        ws.cell(r, headers["世帯主氏名"]).value = "新規　太郎"

    assert _bad(summary, tmp_path, truth_edits(truths), then=add) == [
        "確認!A7: 行が追加されています。確認用ワークブックに申請書の行は追加できません"
        "（行を削除するか、新しい申請書は OCR から読み取ってください）"]

    monkeypatch.setenv("YOMIKAKI_OCR__REVIEW_MINUTES_PER_FIELD", "2")
    from yomikaki.settings import reset_settings_cache

    reset_settings_cache()
    edited = reviewer_edit(summary.workbook, tmp_path / "edited.xlsx", truth_edits(truths))
    result = import_review(edited, tmp_path / "c.jsonl")
    from scheduler.ledger import RunRecord

    with session_scope() as session:
        (run,) = session.scalars(select(RunRecord).where(RunRecord.kind == "review")).all()
    assert run.review_minutes == pytest.approx(2 * result.fields_reviewed) and result.fields_reviewed > 0


def test_review_fill_review_types_the_truth_into_flagged_cells(exported, tmp_path):
    from ocr.review import fill_review

    summary, truths = exported
    out = tmp_path / "filled.xlsx"
    changed = fill_review(summary.workbook, lambda source, page: truths.get(source), out=out, reviewer="模擬 確認者")
    assert changed == len(truth_edits(truths))  # exactly the values the OCR got wrong
    result = import_review(out, tmp_path / "c.jsonl")
    assert result.corrections == changed and result.modified_by == "模擬 確認者"
    for row in read_jsonl(tmp_path / "c.jsonl"):
        assert row == _truth_row(row["source"], truths[row["source"]])


def test_review_import_again_does_not_count_reviewer_time_twice(exported, tmp_path):
    summary, truths = exported
    edits = truth_edits(truths) | {("dev_0002.jpg", "口座番号"): "123456"}
    first = import_review(reviewer_edit(summary.workbook, tmp_path / "e1.xlsx", edits), tmp_path / "a.jsonl",
                          partial=True)
    second = import_review(reviewer_edit(summary.workbook, tmp_path / "e2.xlsx", truth_edits(truths)),
                           tmp_path / "b.jsonl")
    third = import_review(tmp_path / "e2.xlsx", tmp_path / "c.jsonl")
    assert first.rows_rejected == 1 and second.rows_rejected == 0 and third.replaced_earlier_import
    from scheduler.ledger import RunRecord

    with session_scope() as session:
        minutes = [r.review_minutes for r in session.scalars(
            select(RunRecord).where(RunRecord.kind == "review").order_by(RunRecord.id))]
    # the first import counted the accepted rows, the second only the rest, the third nothing
    assert len(minutes) == 2 and sum(minutes) == pytest.approx(second.fields_reviewed * get_settings().ocr.review_minutes_per_field)
    assert 0 < minutes[1] < minutes[0] + minutes[1]


def test_review_import_accepts_what_reviewers_type(exported, tmp_path):
    """和暦 dates and full-width digits, as docs/review.md promises, come out canonical."""
    import jaconv

    summary, truths = exported
    y, m, d = (int(x) for x in truths["dev_0001.jpg"]["application_date"].split("-"))
    account = truths["dev_0002.jpg"]["account_number"]
    edits = truth_edits(truths) | {("dev_0001.jpg", "申請日"): f"令和{y - 2018}年{m}月{d}日",
                                   ("dev_0002.jpg", "口座番号"): jaconv.h2z(account, digit=True)}
    result = import_review(reviewer_edit(summary.workbook, tmp_path / "e.xlsx", edits), tmp_path / "c.jsonl")
    assert result.rows_accepted == 4
    for row in read_jsonl(tmp_path / "c.jsonl"):
        assert row == _truth_row(row["source"], truths[row["source"]])
