"""Fixtures for the review workbook tests (helpers live in review_testkit.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from review_testkit import DEV_NAMES, build_rows


@pytest.fixture(scope="session")
def _truth_rows_base(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    rows, truths = build_rows(tmp_path_factory.mktemp("truth") / "ocr", DEV_NAMES)
    return rows, truths


@pytest.fixture
def truth_rows(_truth_rows_base, tmp_path) -> tuple[Path, dict[str, dict]]:
    """rows.jsonl for four dev forms (OCR mistakes injected, crops cut from the scans) and their truth."""
    rows, truths = _truth_rows_base
    folder = shutil.copytree(rows.parent, tmp_path / "ocr")
    return Path(folder) / "rows.jsonl", json.loads(json.dumps(truths))


@pytest.fixture
def exported(truth_rows, tmp_path):
    """(ExportSummary, truths) of a fresh review workbook for four dev forms."""
    from ocr.review import export_review

    rows, truths = truth_rows
    summary = export_review(rows, tmp_path / "review" / "review.xlsx")
    return summary, truths
