"""A job that runs an OCR batch (real tesseract on a real scan) through `schedule run-now`:
the rows file is written in the job's output folder and the ledger counts the pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.ledger import runs
from yomikaki.cli import app

REPO = Path(__file__).resolve().parents[2]
SCAN = REPO.parent / "shared" / "ocr-samples" / "dev" / "dev_0001.jpg"


def test_ocr_job_run_now_records_pages(tmp_path):
    if not SCAN.exists():
        pytest.skip(f"../shared not available: {SCAN}")
    scan = SCAN
    (tmp_path / "scans").mkdir()
    shutil.copy(scan, tmp_path / "scans" / scan.name)
    template = REPO / "samples" / "forms" / "benefit-application" / "template.yaml"
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text(f"""jobs:
  - id: ocr-month-end
    name: 申請書 OCR
    process: benefit-application-ocr
    run:
      ocr: {{inputs: [scans], template: "{template}", out: ocr-out}}
    when: {{monthly: {{day: last}}, adjust: previous, offset_business_days: -3, at: "18:00"}}
    manual_minutes_per_item: {{minutes: 5, exception_minutes: 8}}
""", encoding="utf-8")
    result = CliRunner().invoke(app, ["schedule", "run-now", "ocr-month-end", "--jobs", str(jobs)])
    assert result.exit_code == 0, f"{result.output}{result.exception!r}"
    (rows_file,) = (tmp_path / "ocr-out").glob("rows-*.jsonl")
    pages = rows_file.read_text(encoding="utf-8").splitlines()
    assert len(pages) == 1
    (run,) = runs()
    assert (run.job_id, run.kind, run.items_total) == ("ocr-month-end", "job", 1)
    assert run.items_done + run.items_failed == 1
    assert run.gross_hours == run.items_done * 5 / 60
