"""Glyph reader: Mincho's thin strokes printed with little toner (the bars of 正, the hook of 子)
weigh too little against the dark ones; the line is read again with them darkened."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.readers import glyph as glyph_reader
from ocr.template import load_template
from yomikaki.fonts import ipaex_path


@pytest.fixture(scope="module")
def printed():
    if ipaex_path("ipaexm.ttf") is None:
        pytest.skip("fonts-ipaexfont is not installed")
    engine = load_template("benefit-application").engines["printed"]
    return glyph_reader.matcher(tuple(engine.fonts), tuple(engine.charset))


def thin_strokes_faint(text: str, share: float) -> np.ndarray:
    """``text`` in IPAex Mincho at the form's size as ink 0..1; ink away from the thick strokes'
    cores (thin bars, hooks, serifs' hairlines) at ``share`` of its darkness."""
    font = ImageFont.truetype(str(ipaex_path("ipaexm.ttf")), 44)
    image = Image.new("L", (60 + 46 * len(text), 90), 0)
    ImageDraw.Draw(image).text((20, 20), text, font=font, fill=255)
    ink = cv2.GaussianBlur(np.asarray(image, np.float32) / 255.0, (3, 3), 0.8)
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
