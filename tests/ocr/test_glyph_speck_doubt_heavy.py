"""Glyph reader: a round toner speck left among the glyphs can turn one glyph into another
(ノ with a speck where ツ has its ticks reads ツ), and a blot erased at a kana's shoulder may
have hidden its dakuten (ジ read as シ). Such reads are flagged doubtful (their confidence is
capped for review); plain and bold print, and blots elsewhere, are not."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from glyph_testkit import FONTS, printed_line

from ocr.glyphs.match import Matcher
from ocr.readers import glyph as glyph_reader

SIZE = 42


@pytest.fixture(scope="module")
def kana(glyph_matchers) -> Matcher:
    return glyph_matchers["kana"]


@pytest.fixture(scope="module")
def everything(glyph_matchers) -> Matcher:
    return glyph_matchers["all"]


def ink_of(text: str, font: str, *, bold: int = 0) -> np.ndarray:
    gray = printed_line(text, font, SIZE)
    if bold:  # ink bleed: strokes thickened, crossings filled
        gray = cv2.erode(gray, np.ones((bold, bold), np.uint8))
    return cv2.GaussianBlur((255 - gray).astype(np.float32) / 255, (0, 0), 0.7)


def with_disc(ink: np.ndarray, cx: int, cy: int, r: int) -> np.ndarray:
    out = ink.copy()
    cv2.circle(out, (cx, cy), r, 1.0, -1)
    return out


@pytest.mark.parametrize("font", FONTS)
def test_a_speck_among_the_glyphs_makes_the_read_doubtful(kana, font):
    ink = ink_of("オカノ", font)
    line = kana.read(ink)
    assert line.text == "オカノ" and not glyph_reader.doubtful_marks(ink, ink, line)
    ys = np.nonzero(ink.max(axis=1) > 0.5)[0]
    speck = with_disc(ink, line.chars[-1].x0 + 3, int(ys[0] + 0.2 * SIZE), 7)  # beside ノ's top: ソ
    assert cv2.connectedComponents((speck > 0.25).astype(np.uint8))[0] == 5  # apart from the strokes
    line = kana.read(speck)
    assert line.text != "オカノ"
    assert glyph_reader.doubtful_marks(speck, speck, line), line.text


@pytest.mark.parametrize("font", FONTS)
def test_a_blot_erased_at_a_kana_shoulder_makes_the_read_doubtful(kana, font):
    ink = ink_of("コウシ", font)
    line = kana.read(ink)
    xs = np.nonzero(ink.max(axis=0) > 0.5)[0]
    ys = np.nonzero(ink.max(axis=1) > 0.5)[0]
    before = with_disc(ink, int(xs[-1] - 2), int(ys[0] + 4), 6)  # the blot that was erased
    assert glyph_reader.doubtful_marks(before, ink, line)
    under = with_disc(ink, int(xs[0] + 0.3 * SIZE), int(ys[-1] - 3), 6)  # erased low under コ: no dakuten there
    assert not glyph_reader.doubtful_marks(under, ink, line)


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("text", ["金井　真理", "埼玉県坂戸市東坂戸3丁目"])
def test_plain_and_bold_print_is_not_doubtful(everything, font, text):
    for bold in (0, 3):
        ink = ink_of(text, font, bold=bold)
        line = everything.read(ink)
        assert not glyph_reader.doubtful_marks(ink, ink, line), (bold, line.text)
