"""Glyph reader: a stroke printed in a weak print row keeps too little toner to hold a dark
core (the middle bar of 大 or ヨ at a fifth of the ink after the blur, a tick of シ): a thin bar joining two
kept strokes, or a short stroke apart from them, is kept. A faint scanner line across the
whole zone is not taken for a bar (人 stays 人), and a hairline left of a ruled line far off
the text is not read as a character."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from glyph_testkit import FONTS, line_ink, printed_line
from PIL import Image, ImageDraw, ImageFont

from ocr.glyphs.bank import font_path
from ocr.readers import glyph as glyph_reader

SIZE = 46


def weak_rows(gray: np.ndarray, rows: np.ndarray, strength: float) -> np.ndarray:
    out = gray.copy()
    out[rows] = 255 - (255 - out[rows]) * strength
    return out


def scanned(gray: np.ndarray, seed: int) -> np.ndarray:
    """Paper a little grey, the scanner's blur and noise."""
    rng = np.random.default_rng(seed)
    gray = cv2.GaussianBlur(250 - (250 - gray) * 0.92, (0, 0), 0.7)
    return np.clip(gray + rng.normal(0, 3, gray.shape), 0, 255)


def bar_rows(text: str, font: str) -> np.ndarray:
    """Three rows across the middle of each of the text's horizontal bars (runs of ink over 0.4 em)."""
    inked = (printed_line(text, font, SIZE) < 128).astype(np.uint8)
    runs = cv2.morphologyEx(inked, cv2.MORPH_OPEN, np.ones((1, int(0.4 * SIZE)), np.uint8))
    rows = np.nonzero(runs.any(axis=1))[0]
    bars = np.split(rows, np.nonzero(np.diff(rows) > 1)[0] + 1) if rows.size else []
    return np.array(sorted({int(b.mean()) + d for b in bars for d in (-1, 0, 1)}), int)


@pytest.mark.parametrize(("text", "font", "charset", "bars"), [
    ("大", "ipaex-mincho", "all", slice(None)), ("大川", "ipaex-mincho", "all", slice(None)),
    ("健二", "ipaex-mincho", "all", slice(-3, None)),  # the bottom bar of 二, as long as the em
    ("ヨシダ", "ipaex-gothic", "kana", slice(None))])
def test_a_bar_in_a_weak_print_row_is_kept(glyph_matchers, text, font, charset, bars):
    rows = bar_rows(text, font)[bars]
    assert rows.size
    for seed, strength in ((1, 0.3), (2, 0.4)):
        gray = scanned(weak_rows(printed_line(text, font, SIZE), rows, strength), seed)
        line = glyph_matchers[charset].read(line_ink(gray))
        assert line.text == text, (seed, line.text, [(c.char, round(c.score, 3)) for c in line.chars])


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("text", "at"), [("人", 0.35), ("田口", 0.55)])
@pytest.mark.parametrize("slope", [0.0, 0.05])  # a line of the scanner on a page deskewed by 3 degrees
def test_a_faint_scanner_line_is_not_a_bar(glyph_matchers, font, text, at, slope):
    gray = printed_line(text, font, SIZE)
    rows = np.nonzero((gray < 128).any(axis=1))[0]
    y = rows[0] + at * (rows[-1] - rows[0])
    for x in range(gray.shape[1]):  # a light grey line across the whole zone
        at = int(round(y + slope * (x - gray.shape[1] / 2)))
        gray[at:at + 2, x] = np.minimum(gray[at:at + 2, x], 205)
    line = glyph_matchers["all"].read(line_ink(scanned(gray, 3)))
    assert line.text == text, [(c.char, round(c.score, 3)) for c in line.chars]


@pytest.mark.parametrize("font", FONTS)
def test_a_ruled_line_hairline_far_off_the_text_is_dropped(glyph_matchers, font):
    gray = printed_line("ミヨコ", font, SIZE)
    rows = np.nonzero((gray < 128).any(axis=1))[0]
    wide = np.full((gray.shape[0], gray.shape[1] + 4 * SIZE), 255, np.float32)
    wide[:, :gray.shape[1]] = gray
    x = gray.shape[1] + 2 * SIZE
    wide[rows[0] - 12:rows[0] + 12, x:x + 2] = 60  # what a cell's ruled line left at the top
    line = glyph_matchers["kana"].read(line_ink(scanned(wide, 4)))
    assert line.text == "ミヨコ", [(c.char, round(c.score, 3)) for c in line.chars]


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("slope", [0.0, 0.05])
def test_a_faint_scanner_line_adds_no_ink_between_the_strokes(font, slope):
    """The pieces of a roller mark between the strokes it crosses (in 口, between 田 and 口)
    join strokes like a bar would, but the mark also runs through the margins: no ink."""
    clean = printed_line("田口", font, SIZE)
    rows = np.nonzero((clean < 128).any(axis=1))[0]
    marked = clean.copy()
    y = rows[0] + 0.55 * (rows[-1] - rows[0])
    for x in range(clean.shape[1]):
        at = int(round(y + slope * (x - clean.shape[1] / 2)))
        marked[at:at + 2, x] = np.minimum(marked[at:at + 2, x], 215)
    added = line_ink(scanned(marked, 5)) - line_ink(scanned(clean, 5))
    assert float(np.clip(added, 0, None).sum()) < 0.18 * SIZE  # where it crosses the strokes only


@pytest.mark.parametrize("font", FONTS)
def test_a_faint_glyph_of_small_parts_at_the_line_end_stays(font):
    """A faint ミ (its strokes thinned to short separate dashes) after a gap at the end of the
    line is a glyph of small parts, not a row of blots after the text."""
    line = printed_line("アケ", font, SIZE)
    small = ImageFont.truetype(str(font_path(font)), int(0.6 * SIZE))
    part = Image.new("L", (SIZE, 2 * SIZE), 255)
    ImageDraw.Draw(part).text((0, SIZE), "ミ", font=small, fill=0, anchor="lm")
    gray = np.hstack([line, np.full((line.shape[0], SIZE // 3), 255, np.float32), np.asarray(part, np.float32)])
    ink = np.clip((250 - gray) / 220, 0, 1).astype(np.float32)
    mi = np.zeros(ink.shape, bool)
    mi[:, line.shape[1]:] = True
    kept = glyph_reader.drop_stray_blots(ink)
    assert float(kept[mi].sum()) > 0.9 * float(ink[mi].sum())
    speck = ink.copy()
    speck[:, line.shape[1]:] = 0
    y = int(np.nonzero((line < 128).any(axis=1))[0].mean())
    speck[y - 3:y + 3, line.shape[1] + SIZE // 2:line.shape[1] + SIZE // 2 + 6] = 1.0  # a lone blot there goes
    assert float(glyph_reader.drop_stray_blots(speck)[mi].sum()) == 0.0
