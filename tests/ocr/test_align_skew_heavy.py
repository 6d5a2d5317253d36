"""A skewed page whose corner marks are crossed by a band of weak toner (a low-ink print row, as
heavy scans have) aligns as well as a straight one: the mark centre is the whole square's, not
that of its larger half. Checked on the form's ruled lines, not on the marks themselves."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ocr.align import align_page, blank_for
from ocr.load import load_page, plan_pages
from ocr.template import load_template


def _load(path):
    ref = next(iter(plan_pages([path], max_pixels=60_000_000)))
    return load_page(ref, max_pixels=60_000_000)


def _rule_offset_px(gray: np.ndarray, blank: np.ndarray) -> float:
    """Vertical offset (px) of the page's horizontal rules against the blank form's, over the
    applicant block (55-100 mm) and the bank block (170-260 mm)."""
    ppm = blank.shape[1] / 210.0
    x0, x1 = int(30 * ppm), int(190 * ppm)
    offsets = []
    for top, bottom in ((55, 100), (170, 260)):
        y0, y1 = int(top * ppm), int(bottom * ppm)
        page_rows = (gray[y0:y1, x0:x1] < 128).mean(1)
        blank_rows = (blank[y0:y1, x0:x1] < 128).mean(1)
        shifts = range(-40, 41)
        scores = [float((np.roll(page_rows, -s) * blank_rows).sum()) for s in shifts]
        offsets.append(abs(shifts[int(np.argmax(scores))]))
    return float(max(offsets))


def _weak_band_over_marks(page: np.ndarray, angle: float) -> np.ndarray:
    h, w = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    skewed = cv2.warpAffine(page, matrix, (w, h), borderValue=(255, 255, 255))
    gray = cv2.cvtColor(skewed, cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    opened = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((41, 41), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(opened)
    out = skewed.astype(np.float32)
    for i in range(1, n):  # the corner marks: a light band across each
        x, y, bw, bh, _ = stats[i]
        band = slice(y + 2 * bh // 5, y + 2 * bh // 5 + max(6, bh // 8))
        out[band, x:x + bw] = 255 - (255 - out[band, x:x + bw]) * 0.4
    return out.astype(np.uint8)


@pytest.mark.parametrize("angle", [3.1, -2.6])
def test_skewed_page_with_weak_band_over_the_marks_aligns_like_a_straight_one(dev_dir, angle):
    template = load_template("benefit-application")
    blank = blank_for(template).gray
    page = _load(dev_dir / "dev_0007.jpg")
    straight = align_page(page, template)
    assert straight.ok
    straight_offset = _rule_offset_px(straight.gray, blank)

    result = align_page(_weak_band_over_marks(page, angle), template)
    assert result.ok and result.method == "marks", result.reason
    assert _rule_offset_px(result.gray, blank) <= max(3.0, straight_offset + 1)  # 3 px = 0.25 mm

