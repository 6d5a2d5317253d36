"""Seal on grey scans: a red seal turns light grey (lighter than the ink threshold for dark pen
and print), so it is found as light new ink against the blank form; scanner roller streaks,
noise and a few toner specks in the zone are not a seal."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr.align import blank_for
from ocr.pipeline import stage_items
from ocr.readers.base import PageContext
from ocr.readers.marks import SealReader
from ocr.template import load_template
from samples.forms.seal import stamp_seal


@pytest.fixture(scope="module")
def form():
    template = load_template("benefit-application")
    blank = blank_for(template)
    item = next(i for i in stage_items(template) if i.key == "seal_present")
    return template, blank, item


def scan(blank_gray: np.ndarray, seed: int, *, seal: bool) -> np.ndarray:
    """The blank form, optionally stamped, scanned in grey: light print, roller streaks
    across the seal zone, toner specks, blur and noise."""
    rng = random.Random(seed)
    page = Image.fromarray(cv2.cvtColor(blank_gray, cv2.COLOR_GRAY2RGB))
    if seal:
        stamp_seal(page, "中野", rng)
    gray = np.asarray(page.convert("L")).astype(np.float32)
    gray = 255 - (255 - gray) * 0.8  # a light scan: the seal's red ends near 170 of 250
    noise = np.random.default_rng(seed)
    for y in (2900, 2935, 2975):  # roller streaks through the 印 circle
        gray[y:y + 2, :] = np.minimum(gray[y:y + 2, :], 200.0)
    for _ in range(5):  # toner specks of a dirty drum, about 9 px across
        cx, cy = int(noise.integers(2000, 2250)), int(noise.integers(2850, 3010))
        cv2.circle(gray, (cx, cy), 4, 110.0, -1)
    gray = cv2.GaussianBlur(gray, (3, 3), 0.8) + noise.normal(0, 4, gray.shape)
    return np.clip(gray, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grey_seal_found_and_absent_seal_not(form, seed):
    template, blank, item = form
    for seal in (True, False):
        gray = scan(blank.gray, seed, seal=seal)
        image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
        ctx = PageContext(image, template, blank, is_color=False, gray=gray)
        read = SealReader().read([item], ctx)[item.key]
        assert read.raw is seal, (seed, seal, read.detail)
        assert read.confidence >= 0.6, (seed, seal, read.detail)
