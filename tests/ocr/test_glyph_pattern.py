"""Structured printed lines (engine ``pattern``): a date or postal code whose fixed part (the
era, 〒) is damaged keeps the glyph read when the line fits the pattern and every digit is
clear; a damaged digit, or a line that does not fit, still goes to the fallback."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr.glyphs.bank import expand_charset, font_path, load_bank
from ocr.glyphs.match import Matcher
from ocr.readers import glyph as glyph_reader
from ocr.template import Engine, load_template

FONTS = ("ipaex-gothic", "ipaex-mincho")
SIZE = 46


@pytest.fixture(scope="module")
def engines() -> dict[str, Engine]:
    return load_template("benefit-application").engines


def _matcher(engine: Engine) -> Matcher:
    return Matcher(load_bank(tuple(engine.fonts)), expand_charset(list(engine.charset)))


def ink_of(text: str, font: str, damage: int | None, seed: int, wiped: float = 0.6) -> np.ndarray:
    """The line's ink; character ``damage`` loses the left ``wiped`` of its strokes."""
    face = ImageFont.truetype(str(font_path(font)), SIZE)
    image = Image.new("L", (int(face.getlength(text)) + 2 * SIZE, 2 * SIZE), 255)
    draw = ImageDraw.Draw(image)
    draw.text((SIZE, SIZE), text, font=face, fill=0, anchor="lm")
    if damage is not None:
        x0 = SIZE + int(face.getlength(text[:damage]))
        draw.rectangle([x0, 0, x0 + int(wiped * face.getlength(text[damage])), 2 * SIZE], fill=255)
    rng = np.random.default_rng(seed)
    gray = np.clip(np.asarray(image, np.float32) + rng.normal(0, 6, (2 * SIZE, image.width)), 0, 255)
    ink = np.clip((255.0 - gray) / 255.0, 0.0, 1.0)
    ink[ink < 0.12] = 0.0
    return ink


def read(engine: Engine, match: Matcher, ink: np.ndarray):
    """The glyph reader's read of a structured line, as ``_read_all`` makes it."""
    line, _, _ink = glyph_reader.read_and_clean(match, ink)
    detail = {"usable": glyph_reader.usable(line, match.charset_size <= glyph_reader.SMALL_CHARSET)}
    line = glyph_reader.apply_pattern(line, engine.pattern, match, detail)
    return line, detail


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize("wiped", [0.3, 0.5, 0.6])
@pytest.mark.parametrize(("engine_name", "text", "damage", "must_read"), [
    ("printed_date", "平成6年7月3日", 0, True),  # the era's first glyph partly wiped
    ("printed_date", "昭和45年11月20日", 1, True),  # ... its second
    ("printed_date", "令和2年1月15日", 3, False),  # 年 (wiped most, it takes the 1 with it)
    ("printed_digits", "〒350-0245", 0, True),
])
def test_damaged_fixed_part_is_settled_by_the_pattern(engines, font, wiped, engine_name, text, damage, must_read):
    """Read right, or (when a digit went with the damage) not kept: never a wrong read kept."""
    engine = engines[engine_name]
    match = _matcher(engine)
    for seed in (1, 2):
        line, detail = read(engine, match, ink_of(text, font, damage, seed, wiped))
        info = (seed, line.text, detail, [(c.char, round(c.score, 3)) for c in line.chars])
        if not must_read and not detail["usable"]:
            continue  # to the fallback
        assert line.text.lstrip("〒") == text.lstrip("〒"), info  # 〒 is optional
        assert detail["usable"], info
        if detail.get("pattern"):
            assert glyph_reader.confidence(line) < 0.6, info  # settled by the pattern: for review


@pytest.mark.parametrize("font", FONTS)
def test_a_damaged_digit_is_never_guessed(engines, font):
    engine = engines["printed_date"]
    match = _matcher(engine)
    for position in (2, 4, 6):  # 6, 7, 3 of 平成6年7月3日
        line, detail = read(engine, match, ink_of("平成6年7月3日", font, position, 1, 0.6))
        if detail.get("pattern"):
            assert line.text[position] == line.chars[position].char
            assert glyph_reader.confidence(line) < 0.6


def test_only_one_way_to_fit_is_taken():
    from ocr.glyphs.match import CharMatch, LineMatch

    def line(*chars):
        return LineMatch("".join(c for c, _ in chars), "ipaex-mincho",
                         [CharMatch(c, s, 0.1, 40 * k, 40 * k + 36) for k, (c, s) in enumerate(chars)])

    pattern = load_template("benefit-application").engines["printed_date"].pattern
    charset = set("0123456789明治大正昭和平成令和元年月日")
    era_lost = line(("1", 0.3), ("成", 0.95), ("6", 0.97), ("年", 0.9), ("7", 0.96), ("月", 0.9), ("3", 0.96), ("日", 0.9))
    assert glyph_reader.decode_pattern(era_lost, pattern, charset).text == "平成6年7月3日"
    digit_lost = line(("平", 0.95), ("成", 0.95), ("6", 0.97), ("年", 0.9), ("1", 0.5), ("日", 0.9), ("3", 0.96), ("日", 0.9))
    assert glyph_reader.decode_pattern(digit_lost, pattern, charset) is None  # 年1日3日: no fill fits
    both_era = line(("平", 0.4), ("成", 0.4), ("6", 0.97), ("年", 0.9), ("7", 0.96), ("月", 0.9), ("3", 0.96), ("日", 0.9))
    assert glyph_reader.decode_pattern(both_era, pattern, charset) is None  # any era fits


def test_a_bad_pattern_is_a_template_error():
    with pytest.raises(ValueError, match="pattern"):
        Engine(reader="glyph", pattern="(平成")
