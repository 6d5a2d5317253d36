"""The tesseract fallback of a printed line: specks and hairlines off the line's ends are not read."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import clean
from ocr.readers.text import trim_edge_dirt
from ocr.tools.tesseract import read_lines
from yomikaki.fonts import ipaex_path

TEXT = "埼玉県坂戸市塚越1478番地"


@pytest.fixture(scope="module")
def line():
    font_file = ipaex_path("ipaexm.ttf")
    if font_file is None:
        pytest.skip("fonts-ipaexfont is not installed")
    image = Image.new("L", (1400, 90), 255)
    ImageDraw.Draw(image).text((20, 20), TEXT, font=ImageFont.truetype(str(font_file), 44), fill=0)
    return np.array(image)


def _dirty(gray):
    dirty = gray.copy()
    cv2.circle(dirty, (900, 45), 4, 0, -1)       # toner specks after the text
    cv2.circle(dirty, (1150, 30), 3, 0, -1)
    cv2.line(dirty, (1300, 2), (1300, 88), 0, 2)  # what a ruled line left
    cv2.circle(dirty, (8, 60), 3, 0, -1)          # and a speck before it, close: kept
    return dirty


def test_specks_and_hairlines_off_the_ends_are_dropped(line):
    clean_mask = clean.ink_mask(line, 128)
    mask = clean.ink_mask(_dirty(line), 128)
    trimmed = trim_edge_dirt(mask)
    x0, _, x1, _ = clean.ink_bbox(trimmed)
    cx0, _, cx1, _ = clean.ink_bbox(clean_mask)
    assert x1 == cx1  # everything after the text is gone
    assert x0 < cx0  # the close speck before it is kept (it could be a character's part)
    assert trim_edge_dirt(clean_mask) is clean_mask  # a clean line is left alone


def test_the_trimmed_line_reads_without_junk(line):
    bbox = clean.ink_bbox(trim_edge_dirt(clean.ink_mask(_dirty(line), 128)), 4)
    crop = _dirty(line)[bbox[1]:bbox[3], bbox[0]:bbox[2]]
    (result,) = read_lines([crop], lang="jpn", psm=7)
    assert result.text.replace(" ", "").endswith("番地")
