"""Printed lines in a known font, read by glyph matching (``engines: {x: {reader: glyph}}``).

For every line: the ink of the zone (the blank form's print removed), keeping the main text
band; :class:`ocr.glyphs.match.Matcher` reads it against the IPAex templates. A line whose
glyphs do not match the fonts well (another font, heavy damage) is handed back for the
tesseract fallback. The confidence comes from the weakest character: its match score and
its margin to the best other character.
"""

from __future__ import annotations

import contextlib
import logging
from functools import lru_cache

import cv2
import numpy as np

from ocr import clean
from ocr.glyphs.bank import expand_charset, load_bank
from ocr.glyphs.match import LineMatch, Matcher
from ocr.readers.base import FieldRead, Item, PageContext
from ocr.template import Engine
from yomikaki.errors import ConfigError

log = logging.getLogger(__name__)
_warned: list[bool] = []

MIN_LINE_SCORE = 0.80  # mean similarity below this: the line is not in a known font
MIN_CHAR_SCORE = 0.62  # a character below this: damaged or unknown, use the fallback
SURE_SCORE = (0.75, 0.90)  # a character's confidence rises from the first score to the second
SURE_MARGIN = 0.045  # ... and with its margin to the best other character up to this
CORE_INK = 0.6  # glyph cores are at least this dark (0 = paper, 1 = the line's darkest ink)
GROW_PX = 2  # lighter ink is kept this far from a core
CORE_SPECK = 4  # smaller cores are specks; a dakuten stroke of small kana is only ~6 px


@lru_cache(maxsize=16)
def matcher(fonts: tuple[str, ...], charset: tuple[str, ...]) -> Matcher:
    return Matcher(load_bank(fonts), expand_charset(list(charset)))


def line_ink(item: Item, ctx: PageContext) -> tuple[np.ndarray | None, tuple[int, int, int, int]]:
    """Ink of a text zone (float 0..1) trimmed to its main text band, and its box on the page."""
    box = ctx.px(item.zone)
    x0, y0, x1, y1 = box
    robust = ctx.new_ink(box, speck=10)
    if int((robust > 0).sum()) < 120:
        return None, box
    band = _main_band(robust.any(axis=1), max(3, int(0.6 * ctx.ppm)))
    if band is None:
        return None, box
    robust[:band[0]] = 0
    robust[band[1]:] = 0
    bbox = clean.ink_bbox(robust)
    if bbox is None or bbox[3] - bbox[1] < min(0.3 * robust.shape[0], 1.8 * ctx.ppm):
        return None, box
    bx0, by0, bx1, by1 = bbox
    pad = max(4, (by1 - by0) // 2)
    ty0, ty1 = max(0, by0 - pad), min(robust.shape[0], by1 + pad)
    tx0, tx1 = max(0, bx0 - pad), min(robust.shape[1], bx1 + pad)
    gray = ctx.crop_gray(box)[ty0:ty1, tx0:tx1]
    blank = ctx.blank_ink[y0 + ty0:y0 + ty1, x0 + tx0:x0 + tx1] > 0
    ink = grey_ink(gray, robust[ty0:ty1, tx0:tx1], blank)
    return ink, (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


def grey_ink(gray: np.ndarray, robust: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Ink amount 0..1 from the grey pixels. Glyph cores are the cleaned mask's dark pixels;
    lighter pixels next to them (thin Mincho strokes, anti-aliased edges) are grown back a few
    px, so light noise (scanner streaks, specks) stays out."""
    inked = gray[robust > 0]
    if inked.size == 0:
        return np.zeros(gray.shape, np.float32)
    dark = float(np.percentile(inked, 10))
    light = gray[(robust == 0) & ~blank]
    paper = float(np.percentile(light, 60)) if light.size else 255.0
    span = max(30.0, paper - dark)
    ink = np.clip((paper - gray.astype(np.float32)) / span, 0.0, 1.0)
    core = ((robust > 0) & (ink >= CORE_INK)).astype(np.uint8)
    core = clean.drop_specks(core * 255, CORE_SPECK) // 255
    kernel = np.ones((3, 3), np.uint8)
    # mid-grey ink joined to a core (strokes in a low-ink band) is kept whole ...
    mid = ((ink > 0.3) & ~blank).astype(np.uint8) | core
    n, labels = cv2.connectedComponents(mid, connectivity=8)
    keep = np.zeros(n, bool)
    keep[np.unique(labels[core > 0])] = True
    keep[0] = False
    grown = keep[labels].astype(np.uint8)
    # ... the lightest only next to it (anti-aliased edges, hairlines)
    sensitive = ((ink > 0.2) & ~blank).astype(np.uint8)
    for _ in range(GROW_PX):
        grown = cv2.dilate(grown, kernel) & sensitive | grown
    ink[grown == 0] = 0.0
    return ink


def _main_band(rows: np.ndarray, max_gap: int) -> tuple[int, int] | None:
    """The tallest run of inked rows (gaps up to ``max_gap`` bridged): the text line itself."""
    bands: list[list[int]] = []
    for y in np.nonzero(rows)[0]:
        if bands and y - bands[-1][1] <= max_gap:
            bands[-1][1] = int(y) + 1
        else:
            bands.append([int(y), int(y) + 1])
    if not bands:
        return None
    top, bottom = max(bands, key=lambda b: b[1] - b[0])
    return top, bottom


def confidence(line: LineMatch) -> float:
    """0..1 from the weakest character: a clear, unambiguous match of every glyph is sure."""
    if not line.chars:
        return 0.0
    worst = 1.0
    for ch in line.chars:
        score = np.clip((ch.score - SURE_SCORE[0]) / (SURE_SCORE[1] - SURE_SCORE[0]), 0.0, 1.0)
        margin = np.clip(ch.margin / SURE_MARGIN, 0.0, 1.0)
        worst = min(worst, 0.5 + 0.495 * float(score * margin))
    return round(worst, 4)


def usable(line: LineMatch) -> bool:
    return bool(line.chars) and line.mean_score >= MIN_LINE_SCORE and line.min_score >= MIN_CHAR_SCORE


def read_glyph_lines(items: list[Item], ctx: PageContext, engine: Engine
                     ) -> tuple[dict[str, FieldRead], list[Item]]:
    """Read every item with the glyph matcher; return the reads and the items to fall back."""
    try:
        match = matcher(tuple(engine.fonts), tuple(engine.charset))
    except ConfigError as exc:  # fonts not installed: every line goes to the fallback
        if engine.fallback == "none":
            raise
        if not _warned:
            log.warning("字形照合を使えません (tesseract で読みます): %s", exc)
            _warned.append(True)
        return {}, list(items)
    with _one_blas_thread():  # small matrix products: threads only add overhead
        return _read_all(items, ctx, engine, match)


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings threadpoolctl
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _read_all(items: list[Item], ctx: PageContext, engine: Engine, match: Matcher
              ) -> tuple[dict[str, FieldRead], list[Item]]:
    out: dict[str, FieldRead] = {}
    rest: list[Item] = []
    for item in items:
        ink, box = line_ink(item, ctx)
        if ink is None:
            out[item.key] = FieldRead("", 0.97, box, {"empty": True, "reader": "glyph"})
            continue
        line = match.read(ink)
        detail = {"reader": "glyph", "font": line.font, "score": round(line.mean_score, 4),
                  "margin": round(line.min_margin, 4),
                  "chars": [(c.char, round(c.score, 3), round(c.margin, 3)) for c in line.chars]}
        if usable(line) or engine.fallback == "none":
            out[item.key] = FieldRead(line.text, confidence(line), box, detail)
        else:
            rest.append(item)
    return out, rest
