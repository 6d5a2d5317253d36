"""Glyph-matching reader (``reader: glyph``): real IPAex fonts, real scans, real template files."""

from __future__ import annotations

import unicodedata

import cv2
import numpy as np
import pytest
from ocr_testkit import truth_of
from PIL import Image, ImageDraw, ImageFont

from ocr.glyphs.bank import expand_charset, font_path, load_bank
from ocr.glyphs.match import Matcher
from ocr.readers import glyph as glyph_reader
from ocr.template import parse_template
from yomikaki.errors import InputError

FONTS = ("ipaex-gothic", "ipaex-mincho")


@pytest.fixture(scope="module")
def everything() -> Matcher:
    return Matcher(load_bank(FONTS), expand_charset(None))


def render_line(text: str, font: str, size: int, *, font_file: str | None = None) -> np.ndarray:
    face = ImageFont.truetype(font_file or str(font_path(font)), size)
    image = Image.new("L", (int(face.getlength(text)) + 2 * size, 2 * size), 255)
    ImageDraw.Draw(image).text((size, size), text, font=face, fill=0, anchor="lm")
    return np.asarray(image)


def ink_of(gray: np.ndarray) -> np.ndarray:
    return np.clip((255.0 - gray.astype(np.float32)) / 255.0, 0.0, 1.0)


def degrade(gray: np.ndarray, seed: int) -> np.ndarray:
    """Scanner-like: 200 dpi and back, blur, noise, then 1-bit (fax)."""
    rng = np.random.default_rng(seed)
    h, w = gray.shape
    small = cv2.resize(gray, (w * 2 // 3, h * 2 // 3), interpolation=cv2.INTER_AREA)
    back = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    back = cv2.GaussianBlur(back, (3, 3), 0.8) + rng.normal(0, 18, back.shape)
    return np.where(back < 150, 0, 255).astype(np.uint8)


LINES = [
    ("サイトウ　マリ", 40),
    ("キョウコ　ジュンペイ", 40),  # small kana, dakuten, handakuten
    ("斎藤　真理", 62),
    ("昭和52年11月8日", 46),
    ("平成元年1月8日", 46),
    ("〒350-0214", 44),
    ("埼玉県坂戸市千代田3丁目12番5号", 44),
    ("川越市小川町1374番地8　コーポ坂戸　208号室", 36),
]


@pytest.mark.parametrize("font", FONTS)
@pytest.mark.parametrize(("text", "size"), LINES)
def test_clean_lines_in_both_fonts_read_exactly(everything, font, text, size):
    line = everything.read(ink_of(render_line(text, font, size)))
    assert line.text == text
    assert line.font == font
    assert glyph_reader.usable(line)


def test_clean_lines_are_confident_unless_a_handakuten_is_at_stake(everything):
    """ペ/ベ, ポ/ボ differ by a ring or two dots of a few pixels: even a clean line with one goes
    to review (the reader asks a wider margin of kana with a voicing twin); every other clean
    line is auto-accepted."""
    for text, size in LINES:
        for font in FONTS:
            line = everything.read(ink_of(render_line(text, font, size)))
            assert line.text == text
            conf = glyph_reader.confidence(line)
            if any(ch in "パピプペポぱぴぷぺぽ" for ch in text):
                assert 0.5 <= conf < 0.9, (text, font, conf)
            else:
                assert conf >= 0.9, (text, font, conf)


@pytest.mark.parametrize("font", FONTS)
def test_a_restricted_charset_reads_kana_and_dates(font):
    kana = Matcher(load_bank(FONTS), expand_charset(["katakana"]))
    assert kana.read(ink_of(render_line("ヘンミ　カツヤ", font, 40))).text == "ヘンミ　カツヤ"  # ヘ, カ: never へ, 力
    dates = Matcher(load_bank(FONTS), expand_charset(["digits", "明治大正昭和平成令和元年月日"]))
    assert dates.read(ink_of(render_line("令和2年12月31日", font, 46))).text == "令和2年12月31日"


@pytest.mark.parametrize("seed", range(4))
def test_degraded_lines_are_right_or_sent_to_review(everything, seed):
    wrong_but_sure = []
    for text, size in LINES:
        for font in FONTS:
            line = everything.read(ink_of(degrade(render_line(text, font, size), seed)))
            sure = glyph_reader.usable(line) and glyph_reader.confidence(line) >= 0.9
            if sure and line.text != text:
                wrong_but_sure.append((text, line.text))
    assert wrong_but_sure == []


def test_another_font_is_not_mistaken_for_the_known_ones(everything):
    from samples.forms.fonts import HAND_FONTS

    line = everything.read(ink_of(render_line("埼玉県坂戸市千代田", "", 48, font_file=str(HAND_FONTS["yomogi"]))))
    assert not (glyph_reader.usable(line) and glyph_reader.confidence(line) >= 0.9)


def test_bank_is_cached_on_disk_and_covers_jis_level_1_and_2(tmp_path, monkeypatch):
    bank = load_bank(FONTS)
    assert len(expand_charset(["kanji"])) == 6355
    chars = set(bank.chars.tolist())
    assert {"髙", "〒", "ッ", "ヶ", "々"} - chars == {"髙"}  # 髙 is not JIS X 0208
    assert bank.features.shape[0] == len(bank.chars) > 12000
    assert set(bank.font_names) == set(FONTS)


# -- templates ----------------------------------------------------------------------------------

BASE = """\
id: demo
blank: blank.png
engines:
  printed: {reader: glyph, fonts: [ipaex-gothic], charset: [katakana]}
fields:
  - key: name
    type: printed_text
    zone: [10, 10, 50, 8]
"""


def test_template_glyph_engine_loads():
    tpl = parse_template(BASE, source="t.yaml")
    assert tpl.engines["printed"].reader == "glyph"
    assert tpl.engines["printed"].fallback == "tesseract"


@pytest.mark.parametrize(("bad", "expect"), [
    ("reader: glyph", "reader: glph"),
    ("charset: [katakana]", "charset: [katakan]"),
    ("fonts: [ipaex-gothic]", "fonts: [ipa-gothic]"),
])
def test_bad_engine_settings_name_the_file_and_line(bad, expect):
    with pytest.raises(InputError) as err:
        parse_template(BASE.replace(bad, expect), source="t.yaml")
    assert "t.yaml:4" in str(err.value)
    if "katakan" in expect:
        assert "did you mean 'katakana'" in str(err.value)


def test_unknown_engine_of_a_table_column_is_named():
    text = BASE + """\
  - key: members
    type: table
    rows: [[20, 7]]
    columns:
      - {key: name, type: printed_text, engine: printd, x: 10, width: 50}
"""
    with pytest.raises(InputError) as err:
        parse_template(text, source="t.yaml")
    assert "members.name" in str(err.value) and "did you mean 'printed'" in str(err.value)
    assert "t.yaml:9" in str(err.value)  # the line of the field


# -- real scans ---------------------------------------------------------------------------------

PRINTED = ("household_head_kana", "household_head_name", "household_head_birth_date", "postal_code", "address")


def _nf(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


@pytest.mark.parametrize("folder", ["dev_dir", "hard_dir"])
def test_real_scans_printed_fields_accepted_ones_are_right(folder, request):
    from ocr.pipeline import run_pages

    scans = sorted(p for p in request.getfixturevalue(folder).iterdir() if p.suffix == ".jpg")[:6]
    accepted = right = total = 0
    for row in run_pages(scans):
        truth = truth_of(next(p for p in scans if p.name == row["source"]))
        truth = truth[row["page"] - 1] if isinstance(truth, list) else truth
        if not truth.get("form"):
            continue
        for key in PRINTED:
            total += 1
            ok = _nf(row["fields"][key]) == _nf(truth[key])
            right += ok
            if key not in row["review"]:
                accepted += 1
                assert ok, (row["source"], key, row["fields"][key], truth[key])
    assert total and right / total >= 0.9
    assert accepted / total >= 0.6


def test_missing_fonts_fall_back_to_tesseract(dev_dir, monkeypatch):
    from ocr.glyphs import bank
    from ocr.pipeline import run_pages

    monkeypatch.setattr(bank, "ipaex_path", lambda _file_name: None)  # the glyph bank finds no font
    monkeypatch.delenv("YOMIKAKI_IPAEX_DIR", raising=False)
    glyph_reader.matcher.cache_clear()
    bank.load_bank.cache_clear()
    try:
        scan = dev_dir / "dev_0002.jpg"
        row = next(iter(run_pages([scan])))
    finally:
        glyph_reader.matcher.cache_clear()
        bank.load_bank.cache_clear()
    assert row["status"] == "ok"
    assert _nf(row["fields"]["address"]) == _nf(truth_of(scan)["address"])
