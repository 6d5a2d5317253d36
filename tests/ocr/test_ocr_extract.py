"""End to end on real scans with real tesseract: ``ocr extract`` → rows.jsonl → ``ocr eval``.

Targets asserted here were measured on the dev samples (see the report in benchmarks/):
a subset keeps the folder fast; the full sets run in ``make bench``.
"""

from __future__ import annotations

import json
import shutil

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from ocr import evaluate, extract
from yomikaki.cli import app

SUBSET = ["dev_0003.jpg", "dev_0008.png", "dev_0012.jpg", "dev_0021.jpg", "dev_0027.jpg", "dev_0036.jpg"]
CANONICAL = {"application_id", "household_head_name", "household_head_kana", "household_head_birth_date",
             "postal_code", "address", "members", "application_date", "phone", "bank_kind", "bank_name",
             "branch_kind", "branch_name", "account_type", "account_number", "yucho_symbol", "yucho_number",
             "account_holder_kana", "applicant_signature", "seal_present"}


@pytest.fixture(scope="module")
def subset(dev_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dev_subset")
    (folder / "truth").mkdir()
    for name in SUBSET:
        shutil.copy(dev_dir / name, folder / name)
        shutil.copy(dev_dir / "truth" / f"{name}.json", folder / "truth" / f"{name}.json")
    return folder


@pytest.fixture(scope="module")
def extracted(subset, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "rows.jsonl"
    runner = CliRunner()
    result = runner.invoke(app, ["ocr", "extract", *[str(subset / n) for n in SUBSET], "--out", str(out),
                                 "--csv", str(out.with_suffix(".csv")), "--xlsx", str(out.with_suffix(".xlsx")),
                                 "--no-progress"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_rows_have_the_documented_shape(extracted):
    out, output = extracted
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in rows] == SUBSET  # input order
    assert "6 ページ" in output
    for row in rows:
        assert row["status"] == "ok" and row["form"] == "benefit-application" and row["page"] == 1
        assert set(row["fields"]) == CANONICAL
        assert all(0 <= c <= 1 for c in row["confidence"].values())
        assert set(row["review"]) <= set(row["confidence"])
        assert isinstance(row["fields"]["members"], list) and row["fields"]["members"][0]["relation"] == "本人"
        assert "members.1.opt_out" in row["confidence"]


def test_assets_for_the_review_workbook(extracted):
    out, _ = extracted
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for row in rows:
        assert (out.parent / row["page_image"]).is_file()
        assert set(row["crops"]) <= set(row["review"])
        for rel in row["crops"].values():
            assert (out.parent / rel).is_file()


def test_csv_and_xlsx_exports_hold_the_same_rows(extracted):
    out, _ = extracted
    csv_text = out.with_suffix(".csv").read_text(encoding="utf-8-sig")
    assert csv_text.count("\n") == len(SUBSET) + 1
    ws = load_workbook(out.with_suffix(".xlsx")).active
    assert ws.max_row == len(SUBSET) + 1
    header = [c.value for c in ws[1]]
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert ws.cell(2, header.index("application_id") + 1).value == first["fields"]["application_id"]


def test_eval_meets_the_measured_targets(extracted, subset, tmp_path):
    out, _ = extracted
    result = evaluate(subset / "truth", out)
    kinds = result["by_kind"]
    assert result["pages"]["status_accuracy"] == 1.0
    assert kinds["tick"]["accuracy"] >= 0.995
    assert kinds["digits"]["accuracy"] >= 0.97
    assert kinds["printed"]["accuracy"] >= 0.90
    assert result["overall"]["accuracy"] >= 0.92
    assert result["straight_through_rate"] >= 0.70
    assert result["accepted_error_rate"] <= 0.01
    # the CLI prints the same and writes JSON
    runner = CliRunner()
    res = runner.invoke(app, ["ocr", "eval", "--truth", str(subset / "truth"), "--pred", str(out),
                              "--json", str(tmp_path / "eval.json")])
    assert res.exit_code == 0, res.output
    assert "自動確定率" in res.output
    assert json.loads((tmp_path / "eval.json").read_text())["overall"]["n"] == result["overall"]["n"]


def test_eval_counts_non_form_pages(tmp_path):
    truth = tmp_path / "truth"
    truth.mkdir()
    (truth / "tiny.png.json").write_text(json.dumps({"form": None, "expected": "rejected"}))
    (truth / "blank.jpg.json").write_text(json.dumps({"form": None, "expected": "blank"}))
    pred = tmp_path / "rows.jsonl"
    rows = [{"source": "tiny.png", "page": 1, "form": None, "status": "error", "fields": {}, "confidence": {},
             "review": [], "errors": ["画像が小さすぎます (rejected)"]},
            {"source": "blank.jpg", "page": 1, "form": None, "status": "unknown_form", "fields": {},
             "confidence": {}, "review": [], "errors": []}]
    pred.write_text("\n".join(json.dumps(r) for r in rows))
    result = evaluate(truth, pred)
    assert result["pages"]["status_correct"] == 1 and result["pages"]["n"] == 2


def test_public_api_with_two_workers_gives_the_same_rows(subset, tmp_path):
    files = [subset / n for n in SUBSET[:3]]
    one = extract(files, out=tmp_path / "one.jsonl", progress=False)
    two = extract(files, out=tmp_path / "two.jsonl", workers=2, progress=False)
    assert one.pages == two.pages == 3 and one.statuses["ok"] == 3
    rows1 = [json.loads(x) for x in (tmp_path / "one.jsonl").read_text().splitlines()]
    rows2 = [json.loads(x) for x in (tmp_path / "two.jsonl").read_text().splitlines()]
    assert [r["fields"] for r in rows1] == [r["fields"] for r in rows2]
    assert one.fields_to_review <= one.fields


def test_registry_cross_check_flags_a_mismatch(dev_dir, tmp_path):
    """``--registry`` with a CSV export: the household is found by the QR id; a differing
    member name is flagged and sent to review."""
    from ocr_testkit import truth_of

    from ocr.load import plan_pages
    from ocr.pipeline import read_page

    scan = dev_dir / "dev_0012.jpg"
    truth = truth_of(scan)
    lines = ["application_id,postal_code,address,name,kana,relation,birth_date"]
    for i, m in enumerate(truth["members"]):
        name = "別人　太郎" if i == 1 else m["name"]
        kana = truth["household_head_kana"] if i == 0 else ""
        lines.append(f"{truth['application_id']},{truth['postal_code']},{truth['address']},{name},{kana},"
                     f"{m['relation']},{m['birth_date']}")
    registry = tmp_path / "registry.csv"
    registry.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ref = next(iter(plan_pages([scan], max_pixels=60_000_000)))
    row = read_page(ref, registry=str(registry))
    assert row["status"] == "ok"
    flagged = [e for e in row["errors"] if "住民記録" in e]
    assert any("members.2" in e for e in flagged), row["errors"]
    assert "members.2.name" in row["review"]
