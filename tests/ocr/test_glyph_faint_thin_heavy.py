"""Glyph reader: Mincho's thin strokes printed with little toner (the bars of 正, the hook of 子)
weigh too little against the dark ones; the line is read again with them darkened."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from glyph_testkit import engine_matcher, printed_line

from ocr.readers import glyph as glyph_reader


@pytest.fixture(scope="module")
def printed():
    return engine_matcher("printed")


def thin_strokes_faint(text: str, share: float) -> np.ndarray:
    """``text`` in IPAex Mincho at the form's size as ink 0..1; ink away from the thick strokes'
    cores (thin bars, hooks, serifs' hairlines) at ``share`` of its darkness."""
    ink = cv2.GaussianBlur((255.0 - printed_line(text, "ipaex-mincho", 44)) / 255.0, (3, 3), 0.8)
    core = cv2.erode((ink > 0.5).astype(np.uint8), np.ones((3, 3), np.uint8))
    near_core = cv2.dilate(core, np.ones((3, 3), np.uint8)) > 0
    return np.where(near_core, ink, ink * share)


@pytest.mark.parametrize("text", ["山本\u3000正子", "菅原\u3000久美子", "三上\u3000王子"])
def test_faint_thin_strokes_are_read_again_darkened(printed, text):
    ink = thin_strokes_faint(text, 0.4)
    line = printed.read(ink)
    assert line.text != text  # 正子 read 上P, 久美子 read 久劣P: the thin strokes are lost
    assert not glyph_reader.usable(line) or glyph_reader.faint_doubt(line)  # so the darker read is tried
    again = printed.read(np.clip(ink * glyph_reader.FAINT_GAIN, 0.0, 1.0))
    assert again.text == text
    assert glyph_reader.better_read(again, line)


def test_a_well_printed_line_is_no_doubt(printed):
    line = printed.read(thin_strokes_faint("山本\u3000正子", 1.0))
    assert line.text == "山本\u3000正子" and not glyph_reader.faint_doubt(line)
