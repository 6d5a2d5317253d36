"""`yomikaki demo` end to end (fewer forms than `make demo`), asserting on its summary."""

from __future__ import annotations

import json
import subprocess
import sys

import openpyxl


def run_demo(cwd, forms: int) -> tuple[subprocess.CompletedProcess, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "yomikaki", "demo", "--forms", str(forms)],
        capture_output=True, text=True, timeout=900, cwd=cwd,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((cwd / "var" / "demo" / "summary.json").read_text(encoding="utf-8"))
    return result, summary


def test_demo_runs_end_to_end_and_never_registers_twice(tmp_path):
    forms = 5
    result, first = run_demo(tmp_path, forms)
    truth_pages = 0
    for path in (tmp_path / "var/demo/scans/truth").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        truth_pages += sum(1 for page in (data if isinstance(data, list) else [data]) if page.get("form"))
    assert first["forms_generated"] == forms
    assert first["pages_ok"] == truth_pages, "every generated form page is read"
    # the hard cases are rejected, each with its reason
    assert first["pages_rejected"].get("blank"), first["pages_rejected"]
    assert first["pages_rejected"].get("error"), first["pages_rejected"]
    assert first["fields_auto_accepted"] + first["fields_reviewed"] == first["fields_total"] > 0
    assert first["ocr_accuracy_accepted"] >= 0.97
    # reviewed with the (simulated) corrections, every form is registered
    assert first["items_failed"] == 0
    assert first["items_registered"] == truth_pages
    assert int(first["paths"]["core_applications"]) == truth_pages
    assert first["hours_gross"] > 0
    for label in ("デモの結果", "確認用ワークブック", "削減時間レポート"):
        assert label in result.stdout
    results = openpyxl.load_workbook(first["paths"]["results"])
    assert results.active.max_row >= truth_pages + 1
    assert "<svg" in (tmp_path / "var/demo/hours_report.html").read_text(encoding="utf-8")

    _, second = run_demo(tmp_path, forms)
    assert second["items_registered"] == 0
    assert second["items_skipped_already_done"] == truth_pages
    assert int(second["paths"]["core_applications"]) == truth_pages, "nothing registered twice"
