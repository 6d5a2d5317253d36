"""A word of a closed list (続柄) with a toner speck touching its glyph is still that word."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from glyph_testkit import engine_matcher, printed_line

from ocr.readers import glyph as glyph_reader

CHOICES = ("本人", "妻", "夫", "子", "父", "母", "孫")


@pytest.fixture(scope="module")
def relation_matcher():
    return engine_matcher("printed_relation")


def _word(text: str, speck: tuple[int, int] | None) -> np.ndarray:
    """``text`` printed in IPAex Mincho at the form's size (300 dpi), as ink 0..1, with a solid
    toner speck centred at ``speck`` (px from the text's right end, from its top)."""
    ink = cv2.GaussianBlur((255.0 - printed_line(text, "ipaex-mincho", 48)) / 255.0, (3, 3), 0)
    if speck:
        cols = np.nonzero(ink.max(axis=0) > 0.5)[0]
        rows = np.nonzero(ink.max(axis=1) > 0.5)[0]
        cv2.circle(ink, (int(cols[-1]) + speck[0], int(rows[0]) + speck[1]), 6, 1.0, -1)
    return ink


def test_a_speck_on_the_word_is_left_out(relation_matcher):
    ink = _word("父", (8, 34))  # on the end of the right sweep, sticking out past it
    line = relation_matcher.read(ink)
    assert line.text != "父"  # the speck is read as a glyph of its own
    assert glyph_reader._erase_within(ink, [(c.x0, c.x1) for c in line.chars[1:]]) is None  # it touches 父
    word = glyph_reader.choice_beside_dirt(relation_matcher, ink, line, CHOICES)
    assert word is not None and word.text == "父"
    assert glyph_reader.confidence(word) > 0.5  # the glyph itself is clear ...


def test_a_clean_word_or_a_damaged_glyph_is_not_taken(relation_matcher):
    clean = _word("母", None)
    line = relation_matcher.read(clean)
    assert line.text == "母"
    assert glyph_reader.choice_beside_dirt(relation_matcher, clean, line, CHOICES) is None  # nothing to leave out
    ink = _word("本人", None)
    ink[:, : ink.shape[1] // 2 - 4] *= 0.0  # 本 lost: 人 alone is no word of the list
    line = relation_matcher.read(ink)
    assert glyph_reader.choice_beside_dirt(relation_matcher, ink, line, CHOICES) is None
