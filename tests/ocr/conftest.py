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


@pytest.fixture(scope="session")
def glyph_matchers():
    """Katakana-only and full-charset matchers over both IPAex fonts (one bank for the session)."""
    from glyph_testkit import FONTS

    from ocr.glyphs.bank import expand_charset, load_bank
    from ocr.glyphs.match import Matcher

    bank = load_bank(FONTS)
    return {"kana": Matcher(bank, expand_charset(["katakana"])), "all": Matcher(bank, expand_charset(None))}
