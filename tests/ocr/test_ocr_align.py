"""Orientation and registration: rotated, upside-down, 200 dpi and 1-bit scans align to the
blank form; a page that does not fit is not aligned (never read with shifted zones)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from ocr_testkit import write_letter

from ocr.align import align_page, blank_for, find_marks
from ocr.load import load_page, plan_pages
from ocr.template import load_template


def _load(path):
    ref = next(iter(plan_pages([path], max_pixels=60_000_000)))
    return load_page(ref, max_pixels=60_000_000)


def _marks_error(aligned, template) -> float:
    blank = blank_for(template)
    marks = find_marks(cv2.cvtColor(aligned, cv2.COLOR_BGR2GRAY), blank)
    assert marks is not None
    return float(np.abs(marks - blank.marks_px).max())


@pytest.fixture(scope="module")
def page(dev_dir):
    return _load(dev_dir / "dev_0007.jpg")


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_any_quarter_turn_is_undone(page, rotation):
    template = load_template("benefit-application")
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    turned = page if rotation == 0 else cv2.rotate(page, codes[rotation])
    result = align_page(turned, template)
    assert result.ok and result.method == "marks"
    assert result.image.shape[:2] == blank_for(template).gray.shape
    assert _marks_error(result.image, template) < 4  # px at 300 dpi, i.e. < 0.35 mm


def test_200_dpi_and_fax_like_pages_are_normalised(page):
    template = load_template("benefit-application")
    low = cv2.resize(page, None, fx=200 / 300, fy=200 / 300, interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(low, cv2.COLOR_BGR2GRAY)
    fax = cv2.cvtColor(np.where(gray < 150, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    for scan in (low, fax):
        result = align_page(scan, template)
        assert result.ok, result.reason
        assert result.image.shape[:2] == (3508, 2480)
        assert _marks_error(result.image, template) < 5


def test_hard_upside_down_scan(hard_dir):
    result = align_page(_load(hard_dir / "hard_0001.jpg"), load_template("benefit-application"))
    assert result.ok and result.rotation == 180


def test_page_without_marks_falls_back_to_features(page):
    template = load_template("benefit-application")
    covered = page.copy()
    covered[:400, :400] = 255  # the top-left mark is cut off
    result = align_page(covered, template)
    assert result.ok and result.method == "features"
    assert result.score > 0.6


def test_a_foreign_page_is_not_aligned(tmp_path):
    letter = _load(write_letter(tmp_path / "letter.png"))
    result = align_page(letter, load_template("benefit-application"))
    assert not result.ok and result.image is None and result.reason
