"""Glyph reader: what is left of a vertical ruled line next to a zone (subtracted a pixel off,
a dashed remnant over the whole height) is removed before the text band is found; the text,
including tall strokes like 1 and 丨, stays."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.glyphs.bank import font_path
from ocr.readers.glyph import drop_rule_remnants

PPM = 11.81  # 300 dpi


def text_mask(text: str, height: int, size: int = 44) -> np.ndarray:
    face = ImageFont.truetype(str(font_path("ipaex-mincho")), size)
    image = Image.new("L", (int(face.getlength(text)) + 2 * size, height), 0)
    ImageDraw.Draw(image).text((size, height // 2), text, font=face, fill=255, anchor="lm")
    return np.where(np.asarray(image) > 100, 255, 0).astype(np.uint8)


@pytest.mark.parametrize("height", [90, 205])
def test_dashed_rule_remnant_removed_text_kept(height):
    text = text_mask("昭和32年10月5日", height)
    page = text.copy()
    for y in range(0, height, 14):  # a dashed line 6 px wide at the zone's left edge
        page[y:y + 10, 1:7] = 255
    out = drop_rule_remnants(page, PPM)
    assert not out[:, :8].any()
    assert np.array_equal(out[:, 8:], text[:, 8:])


@pytest.mark.parametrize("text", ["1111", "川口丨11"])
def test_tall_strokes_of_text_are_not_rules(text):
    mask = text_mask(text, 60, size=48)  # a tight crop: strokes cover most of its height
    assert np.array_equal(drop_rule_remnants(mask, PPM), mask)
