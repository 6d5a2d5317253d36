"""Glyph reader: a toner speck right next to a glyph, too close to be told from the text by its
position, is read as a "character" matching nothing; it is erased and the line read again.
Real small marks (、・ small kana, dakuten) match their templates and stay."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from glyph_testkit import FONTS, printed_line

from ocr.glyphs.bank import expand_charset, load_bank
from ocr.glyphs.match import Matcher
from ocr.readers import glyph as glyph_reader

SIZE = 46


@pytest.fixture(scope="module")
def matchers() -> dict[str, Matcher]:
    bank = load_bank(FONTS)
    return {"all": Matcher(bank, expand_charset(None)),
            "relation": Matcher(bank, expand_charset(["本人妻夫子父母孫"])),
            "kana": Matcher(bank, expand_charset(["katakana"]))}


def ink_of(text: str, font: str, specks: list, seed: int) -> np.ndarray:
    """The line's ink with round specks at the given x positions (in em from the text's
    start; negative: before it), on the text's mid-height, then cleaned like a scan."""
    gray = printed_line(text, font, SIZE, margin=3)
    for pos in specks:  # x in em, or (x, y) in em from the text's middle
        x, y = pos if isinstance(pos, tuple) else (pos, 0.1)
        cv2.circle(gray, (int(SIZE + x * SIZE), SIZE + int(y * SIZE)), 4, 70.0, -1)
    rng = np.random.default_rng(seed)
    gray = np.clip(cv2.GaussianBlur(gray, (3, 3), 0.8) + rng.normal(0, 6, gray.shape), 0, 255)
    ink = np.clip((255.0 - gray) / 255.0, 0.0, 1.0)
    ink[ink < 0.12] = 0.0
    return glyph_reader.drop_stray_blots(glyph_reader.drop_streaks(ink))


CASES = [  # text, charset, speck positions in em
    ("子", "relation", [1.12]),  # just after the word
    ("妻", "relation", [-0.2]),  # just before it
    ("本人", "relation", [2.15]),
    ("本人", "relation", [(1.45, -0.62)]),  # on top of 人, touching the text band
    ("関根　和子", "all", [2.5]),  # in the gap between surname and given name
    ("中野　隆", "all", [-0.22]),
    ("埼玉県坂戸市鎌倉町528番地", "all", [14.1]),
    ("オオタ　ケンジ", "kana", [3.5]),
]


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("text", "charset", "specks"), CASES)
def test_speck_next_to_glyphs_is_not_a_character(matchers, font, text, charset, specks):
    match = matchers[charset]
    for seed in (1, 2):
        line, dropped, _ink = glyph_reader.read_and_clean(match, ink_of(text, font, specks, seed))
        detail = (seed, line.text, dropped, [(c.char, round(c.score, 3)) for c in line.chars])
        assert line.text == text, detail
        assert glyph_reader.usable(line), detail


TOUCHING = [  # a speck touching a glyph (it then matches nothing): cut off, the line reads
    ("タカダ　ケンイチ", "kana", 6.95),
    ("ケンジ", "kana", 1.03),
    ("高田　由美子", "all", 2.95),
]


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("text", "charset", "at"), TOUCHING)
def test_speck_touching_a_glyph_is_cut_off(matchers, font, text, charset, at):
    for seed in (1, 2):
        line, dropped, _ink = glyph_reader.read_and_clean(matchers[charset], ink_of(text, font, [at], seed))
        assert (line.text, dropped) == (text, 1), (seed, [(c.char, round(c.score, 3)) for c in line.chars])
        assert glyph_reader.usable(line)


@pytest.mark.parametrize("font", FONTS)
def test_blots_are_only_taken_away_for_a_right_read(matchers, font):
    """Cutting a blot off a glyph can also leave a different glyph that matches fairly: a
    line is only changed when every glyph then matches well (here: read right)."""
    for at in (2.9, 2.95, 3.0, 3.05, 3.1, 3.5, 3.6):
        for seed in (1, 2):
            line, dropped, _ink = glyph_reader.read_and_clean(matchers["all"], ink_of("高田　由美子", font, [at], seed))
            assert dropped == 0 or line.text == "高田　由美子", (at, seed, line.text)


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("text", ["メゾン坂戸・第2　306号室", "キョウコ　ジュンイチ", "東町1丁目、2番", "〒350-0214"])
def test_small_marks_of_the_text_stay(matchers, font, text):
    line, dropped, _ink = glyph_reader.read_and_clean(matchers["all"], ink_of(text, font, [], 3))
    assert (line.text, dropped) == (text, 0)
