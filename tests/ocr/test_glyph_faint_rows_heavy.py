"""Glyph reader: a band of rows printed with too little toner (a weak print row across the
line) thins the strokes there below the ink threshold (フ's bar goes, it reads ノ). A line
that cannot be kept is read again with such rows lifted to the line's darkness; lines of
normal print are not changed by the lift."""

from __future__ import annotations

import numpy as np
import pytest
from glyph_testkit import FONTS, line_ink, printed_line

from ocr.readers import glyph as glyph_reader

SIZE = 46


def scan_of(text: str, font: str, band: tuple[float, float] | None, strength: float, seed: int) -> np.ndarray:
    """The line in grey; rows ``band`` (em from the text's top) keep only ``strength`` of their ink."""
    gray = printed_line(text, font, SIZE)
    rows = np.nonzero((gray < 128).any(axis=1))[0]
    if band is not None:
        y0, y1 = rows[0] + int(band[0] * SIZE), rows[0] + int(band[1] * SIZE)
        gray[y0:y1] = 255 - (255 - gray[y0:y1]) * strength
    rng = np.random.default_rng(seed)
    return np.clip(gray + rng.normal(0, 5, gray.shape), 0, 255)


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("text", "charset"), [("フルカワ　マサル", "kana"), ("古川　美代子", "all")])
def test_a_weak_print_row_over_the_top_strokes_is_lifted(glyph_matchers, font, text, charset):
    match = glyph_matchers[charset]
    for seed, strength in ((1, 0.3), (2, 0.4)):
        gray = scan_of(text, font, (0.06, 0.2), strength, seed)
        line = match.read(line_ink(gray, lift=True))
        info = (seed, line.text, [(c.char, round(c.score, 3)) for c in line.chars])
        assert line.text == text, info
        assert glyph_reader.usable(line), info


@pytest.mark.parametrize("font", FONTS)
def test_normal_print_is_not_changed_by_the_lift(font):
    gray = scan_of("埼玉県坂戸市中小坂2247番地21", font, None, 1.0, 3)
    plain, lifted = line_ink(gray, lift=False), line_ink(gray, lift=True)
    assert float(np.abs(plain - lifted).max()) < 0.05
