"""Printed lines in the city's fonts for the glyph reader's tests: the rendering, the ink the
reader makes of a grey line, and the matchers of the template's engines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.glyphs.bank import font_path
from ocr.glyphs.match import Matcher
from ocr.readers import glyph as glyph_reader
from ocr.template import load_template
from yomikaki.fonts import ipaex_path

FONTS = ("ipaex-gothic", "ipaex-mincho")


def printed_line(text: str, font: str, size: int, *, margin: int = 2) -> np.ndarray:
    """``text`` in black on white paper as float grey, ``size`` px to the em, its start and
    middle at (size, size); ``margin`` em of paper around the text (its height is 2 em)."""
    face = ImageFont.truetype(str(font_path(font)), size)
    image = Image.new("L", (int(face.getlength(text)) + margin * size, 2 * size), 255)
    ImageDraw.Draw(image).text((size, size), text, font=face, fill=0, anchor="lm")
    return np.asarray(image, np.float32)


def line_ink(gray: np.ndarray, lift: bool = False) -> np.ndarray:
    """The glyph reader's ink of a grey line: cores where the page threshold keeps ink, lighter
    strokes grown back (see ``glyph.grey_ink``), streaks and stray blots dropped."""
    robust = ((gray < 140) * 255).astype(np.uint8)  # what the cleaned page mask keeps
    blank = np.zeros(gray.shape, bool)
    return glyph_reader.drop_stray_blots(glyph_reader.drop_streaks(glyph_reader.grey_ink(gray, robust, blank, lift)))


def engine_matcher(engine: str) -> Matcher:
    """The matcher the benefit form's ``engine`` reads with (skips without the IPAex fonts)."""
    if ipaex_path("ipaexm.ttf") is None:
        pytest.skip("fonts-ipaexfont is not installed")
    spec = load_template("benefit-application").engines[engine]
    return glyph_reader.matcher(tuple(spec.fonts), tuple(spec.charset))
