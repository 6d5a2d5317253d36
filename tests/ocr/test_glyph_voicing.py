"""Glyph reader: kana that differ only by a (han)dakuten (ホ/ボ/ポ, フ/ブ/プ, ツ/ヅ) are settled on
the mark alone; whole-cell similarity barely tells them apart (ボ read for ポ on clean prints).
A dakuten that tops the line (ブ) is part of its glyph, not a stray blot."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from glyph_testkit import FONTS, printed_line

from ocr.glyphs.match import Matcher
from ocr.readers import glyph as glyph_reader

LINES = ["ポプペパピ", "ボブベバビ", "ホフヘハヒ", "ガカザサダタ", "ジシヅツドト", "コーポ坂戸", "パレス坂戸"]


@pytest.fixture(scope="module")
def everything(glyph_matchers) -> Matcher:
    return glyph_matchers["all"]


def raw_ink(text: str, font: str, size: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    gray = cv2.GaussianBlur(printed_line(text, font, size, margin=3), (3, 3), 0.8)
    gray = np.clip(gray + rng.normal(0, 6, gray.shape), 0, 255)
    ink = np.clip((255.0 - gray) / 255.0, 0.0, 1.0)
    ink[ink < 0.12] = 0.0
    return ink


def scanned(text: str, font: str, size: int, seed: int) -> np.ndarray:
    return glyph_reader.drop_stray_blots(glyph_reader.drop_streaks(raw_ink(text, font, size, seed)))


@pytest.mark.parametrize("font", FONTS)
def test_voicing_twins_read_right(everything, font):
    right = total = 0
    wrong = []
    for seed in range(1, 7):
        for size in (42, 48):
            for text in LINES:
                line = everything.read(scanned(text, font, size, seed))
                total += len(text)
                if len(line.text) == len(text):
                    right += sum(a == b for a, b in zip(line.text, text, strict=True))
                if line.text != text:
                    wrong.append((seed, size, text, line.text))
    assert right >= 0.99 * total, (right, total, wrong)


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("text", ["ブンタ", "ゾウ", "ブブ"])
def test_dakuten_on_top_of_the_line_stays(everything, font, text):
    for seed in (1, 2):
        ink = raw_ink(text, font, 46, seed)
        cleaned = glyph_reader.drop_stray_blots(ink)
        assert np.array_equal(cleaned > 0.25, ink > 0.25), (text, seed)
        assert everything.read(cleaned).text == text
