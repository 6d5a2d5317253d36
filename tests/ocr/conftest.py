"""Fixtures for the OCR tests: real scans from ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ocr_testkit import shared_path


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    return shared_path("ocr-samples", "dev")


@pytest.fixture(scope="session")
def hard_dir() -> Path:
    return shared_path("ocr-samples", "dev-hard")
