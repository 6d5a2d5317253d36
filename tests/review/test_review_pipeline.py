"""Export from real pipeline output: two dev scans through `ocr.extract`, reviewed, imported."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from review_testkit import dev_dir, read_jsonl, reviewer_edit, sheet_index, truth_fields

from ocr.review import export_review, import_review
from ocr.review.corrections import corrections_for
from ocr.review.layout import MEMBER_GROUPS, flatten_fields, value_fields
from ocr.review.values import to_cell_text

SCANS = ["dev_0003.jpg", "dev_0008.png"]  # printed + handwritten, jpg + png


def test_review_export_from_real_pipeline_output(tmp_path):
    try:
        from ocr.batch import extract
    except ImportError as exc:  # the pipeline is another package of this repo
        pytest.skip(f"ocr.extract not available: {exc}")
    scans = [dev_dir() / name for name in SCANS]
    rows_file = tmp_path / "ocr" / "rows.jsonl"
    extract(scans, out=rows_file, progress=False)
    rows = read_jsonl(rows_file)
    ok = [r for r in rows if r["status"] == "ok"]
    assert ok, f"the pipeline read no form: {[r['errors'] for r in rows]}"

    summary = export_review(rows_file, tmp_path / "review" / "review.xlsx")
    assert summary.forms == len(ok) and summary.unreadable == len(rows) - len(ok)
    wb = load_workbook(summary.workbook)
    ws = wb["確認"]
    headers, sheet_rows = sheet_index(ws)
    kinds = {path: (header, kind) for path, header, kind in value_fields(MEMBER_GROUPS)}
    flagged_total = 0
    edits, wrong = {}, set()
    for row in ok:
        r = sheet_rows[row["source"]]
        review = [k for k in row["review"] if k in kinds]
        flagged_total += len(review)
        assert ws.cell(r, headers["要確認"]).value == len(review)
        for key in review:  # every flagged value is coloured; its crop sits beside it
            assert ws.cell(r, headers[kinds[key][0]]).fill.fill_type == "solid", key
        link = ws.cell(r, headers["ページ画像"])
        if row.get("page_image"):
            assert (summary.workbook.parent / link.hyperlink.target).is_file()
        # the reviewer puts the paper form's values into the flagged cells
        truth = flatten_fields(truth_fields(row["source"]), MEMBER_GROUPS)
        ocr = flatten_fields(row["fields"], MEMBER_GROUPS)
        for key in review:
            header, kind = kinds[key]
            want = to_cell_text(key.rsplit(".", 1)[-1], kind, truth[key])
            have = to_cell_text(key.rsplit(".", 1)[-1], kind, ocr[key])
            edits[(row["source"], header)] = want
            if (want or "") != (have or ""):
                wrong.add((row["source"], key))
    assert summary.fields_to_review == flagged_total
    n_crops = sum(1 for row in ok for k in row["review"] if k in (row.get("crops") or {}) and k in kinds)
    assert summary.crops == n_crops == len(ws._images)

    edited = reviewer_edit(summary.workbook, tmp_path / "edited.xlsx", edits)
    result = import_review(edited, tmp_path / "confirmed.jsonl", partial=True)
    assert result.rows_accepted + result.rows_rejected == len(ok)
    accepted = {r["source"] for r in read_jsonl(tmp_path / "confirmed.jsonl")}
    recorded = {(c.source, c.field) for c in corrections_for(summary.export_id)}
    assert recorded == {w for w in wrong if w[0] in accepted}
    from ocr.normalize import normalize_fields

    for row in read_jsonl(tmp_path / "confirmed.jsonl"):
        truth = flatten_fields(normalize_fields(truth_fields(row["source"])), MEMBER_GROUPS)
        got = flatten_fields(row, MEMBER_GROUPS)
        flagged = [k for k in next(o for o in ok if o["source"] == row["source"])["review"] if k in kinds]
        assert {k: got[k] for k in flagged} == {k: truth[k] for k in flagged}, json.dumps(row, ensure_ascii=False)
