"""Printed lines in a known font, read by glyph matching (``engines: {x: {reader: glyph}}``).

For every line: the ink of the zone (the blank form's print removed), keeping the main text
band; :class:`ocr.glyphs.match.Matcher` reads it against the IPAex templates. A line whose
glyphs do not match the fonts well (another font, heavy damage) is handed back for the
tesseract fallback. The confidence comes from the weakest character: its match score and
its margin to the best other character.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from functools import lru_cache

import cv2
import numpy as np

from ocr import clean
from ocr.glyphs.bank import expand_charset, load_bank
from ocr.glyphs.match import CharMatch, LineMatch, Matcher, voicing_twins
from ocr.readers.base import FieldRead, Item, PageContext
from ocr.template import Engine
from yomikaki.errors import ConfigError

log = logging.getLogger(__name__)
_warned: list[bool] = []

MIN_LINE_SCORE = 0.80  # mean similarity below this: the line is not in a known font
MIN_CHAR_SCORE = 0.62  # a character below this: damaged or unknown, use the fallback
SURE_SCORE = (0.75, 0.90)  # a character's confidence rises from the first score to the second
SURE_MARGIN = 0.045  # ... and with its margin to the best other character up to this
VOICED_MARGIN = 0.08  # ... or this for ダ/タ, ペ/ベ (a wrong タ for ダ was seen at 0.058)
RULE_COVER = 0.5  # a column inked over this much of the zone's height ...
RULE_MARGIN = 0.15  # ... with ink in the top and bottom margins (this much of the height) ...
RULE_WIDTH_MM = 0.8  # ... in a run of columns at most this wide is a line, not text
CORE_INK = 0.6  # glyph cores are at least this dark (0 = paper, 1 = the line's darkest ink)
FAINT_ROW = 0.75  # a row inside the text band whose darkest ink is below this × the line's ...
FAINT_ROW_MIN = 0.2  # ... (but holds some ink) is a weak print row: lifted ...
FAINT_ROW_GAIN = 2.5  # ... by at most this factor, when full rows lie both above and below ...
FAINT_ROW_REACH = 0.3  # ... within this much of the text's height
GROW_PX = 2  # lighter ink is kept this far from a core
FAINT_STROKE = 0.4  # a short stroke apart from the cores this dark (at least FAINT_AREA px) is kept
FAINT_BAR = 0.12  # ... and a thin horizontal bar this faint ending on a kept stroke ...
FAINT_BAR_HEIGHT = 0.12  # ... at most this tall (of the text's height; 3 px at least) ...
FAINT_SPAN = 1.05  # ... neither more than this long (the bars of 二 span the em)
FAINT_REACH = 0.15  # the text's box for them: the glyph cores' box widened by this much of its height
FAINT_LINE_SHARE = 0.4  # a bar whose course (slope up to FAINT_LINE_SLOPE, within FAINT_LINE_GAP px) ...
FAINT_LINE_SLOPE = 0.08  # ... meets faint ink in this share of the columns beside the text ...
FAINT_LINE_GAP = 2  # ... is a piece of a faint line across the zone
FAINT_AREA = 8
FAINT_ELONGATED = 2.5  # a stroke apart from the cores is this many times longer than thick
CORE_SPECK = 4  # smaller cores are specks; a dakuten stroke of small kana is only ~6 px
STREAK_WIDTH = 3  # px: scanner streaks and scratches are thinner than glyph strokes ...
STREAK_LENGTH = 1.2  # ... and run longer than the text is tall
STREAK_DARK = 0.55  # streaks are also fainter than glyph cores
STRAY_SIZE = 0.5  # a blot at most this tall and wide (of the line's tallest glyph part) ...
STRAY_GAP = 0.9  # ... this far (same unit) from every glyph part, or off the text band, is dirt
STRAY_EDGE_GAP = 0.35  # ... or this far before the first / after the last glyph part
STRAY_PARTS_GAP = 0.2  # (parts of a glyph this close together whose box is a glyph's size ...
STRAY_PART_MIN = 0.25  # ... both sides over this, one over STRAY_SIZE, are not dirt far off)
STRAY_NEAR = 0.12  # ... unless it is this close to a glyph part, above it (a dakuten) ...
STRAY_SOLID = 0.62  # ... and not a solid speck (filling this much of its box; a disc fills 0.785, ...
STRAY_ROUND = 1.4  # ... at most this elongated; a dakuten stroke is a thin slanted line)
DIRT_SIZE = 0.45  # em: a "character" whose ink is at most this wide and tall ...
DIRT_SCORE = 0.70  # ... and that matches no glyph better than this is a blot next to the text
DIRT_FILL = 0.5  # ... and is a solid blot: it fills this much of its box at least
DIRT_ASPECT = 2.5  # ... or whose ink box is this much wider / taller than its glyph's
DIRT_ROUNDS = 2
SPECK_DISC = 3.4  # a blot surviving an opening by a disc this many times the strokes' half width ...
SPECK_EM = 0.35  # ... at most this wide and tall (with the stroke end under it), roundish,
#                  inside a glyph matching nothing, is tried away
SPECK_TRIES = 3
SPECK_SURE = 0.8  # ... and kept away if every glyph then matches at least this well
SPECK_CONFIDENCE = 0.5  # a read a speck may have changed (see doubtful_marks) is no surer than a bare usable read
SPECK_BLOB = 1.5  # ... a speck left among the glyphs: a solid round blob at least this × the disc ...
SPECK_MIN_EM = 0.28  # ... and this much of the em wide ...
SPECK_SHARE = 0.35  # ... that is this much of its ink part at least (on its own, or on a short stroke)
SMALL_CHARSET = 40  # characters: a set this small (dates, 続柄) also takes weak but clear matches ...
WEAK_CHAR_SCORE = 0.45  # ... down to this score when their margin is CHOICE_MARGIN
CHOICE_MARGIN = 0.15  # a word of a closed list whose glyphs all match this clearly is read
PATTERN_WEAK = 2  # weak glyphs a structured line's pattern may fill in (decode_pattern)
DIRT_CONFIDENCE = 0.9  # a line read once its blots are removed is at most this sure (open text)
FAINT_DOUBT_SCORE = 0.75  # a glyph matching under this ...
FAINT_DOUBT_MARGIN = 0.03  # ... and this close to another is read again with its ink ...
FAINT_GAIN = 1.8  # ... this much darker (faint strokes as dark as the cores) ...
FAINT_MEAN_SLACK = 0.01  # ... and the new read kept if better (see better_read)
CHOICE_DIRT_CONFIDENCE = 0.45  # a word of the list beside a blot it touches: right, a person checks


@lru_cache(maxsize=16)
def matcher(fonts: tuple[str, ...], charset: tuple[str, ...]) -> Matcher:
    return Matcher(load_bank(fonts), expand_charset(list(charset)))


def line_ink(item: Item, ctx: PageContext, lift: bool = False
             ) -> tuple[np.ndarray | None, tuple[int, int, int, int]]:
    """Ink of a text zone (float 0..1) trimmed to its main text band, and its box on the page.
    ``lift``: weak print rows are lifted (see :func:`lift_faint_rows`)."""
    box = ctx.px(item.zone)
    x0, y0, x1, y1 = box
    robust = drop_rule_remnants(ctx.new_ink(box, speck=10), ctx.ppm)
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
    ink = drop_stray_blots(drop_streaks(grey_ink(gray, robust[ty0:ty1, tx0:tx1], blank, lift)))
    return ink, (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


def drop_rule_remnants(mask: np.ndarray, ppm: float) -> np.ndarray:
    """Remove what is left of a vertical ruled line of the form (subtracted a pixel off, it
    leaves a dashed or broken line) or a scanner line: a few columns with ink over much of the
    zone's height, reaching its top and bottom margins where text never is. Left in, it
    makes the whole zone the text band and its darkness hides the real print."""
    h, w = mask.shape
    if h < 10:
        return mask
    inked = mask > 0
    margin = max(1, int(RULE_MARGIN * h))
    tall = ((inked.sum(axis=0) >= RULE_COVER * h) & inked[:margin].any(axis=0)
            & inked[h - margin:].any(axis=0))
    if not tall.any():
        return mask
    out = mask.copy()
    widest = max(3, int(RULE_WIDTH_MM * ppm))
    x = 0
    while x < w:
        if not tall[x]:
            x += 1
            continue
        start = x
        while x < w and tall[x]:
            x += 1
        if x - start <= widest:
            out[:, max(0, start - 1):x + 1] = 0
    return out


def grey_ink(gray: np.ndarray, robust: np.ndarray, blank: np.ndarray, lift: bool = False) -> np.ndarray:
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
    if lift:
        ink = lift_faint_rows(ink)
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
    grown |= faint_strokes(ink, grown, blank)
    # ... the lightest only next to it (anti-aliased edges, hairlines)
    sensitive = ((ink > 0.2) & ~blank).astype(np.uint8)
    for _ in range(GROW_PX):
        grown = cv2.dilate(grown, kernel) & sensitive | grown
    ink[grown == 0] = 0.0
    return ink


def faint_strokes(ink: np.ndarray, kept: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Strokes printed in a weak print row, too faint to hold a core: a whole short stroke in
    mid grey apart from the others (a tick of シ, a dakuten stroke) inside the text's box, or
    a thin horizontal bar that ends on a kept stroke (the middle bar of 大 or ヨ, at a fifth
    of the ink). A bar on the course of a faint line that runs out of the zone's ink (a
    scanner line across the zone) is not a stroke. Returns the 0/1 map of the strokes found."""
    out = np.zeros_like(kept)
    ys, xs = np.nonzero(kept)
    if len(ys) == 0:
        return out
    top, bottom = ys.min(), ys.max() + 1
    height = bottom - top
    reach = int(FAINT_REACH * height)
    left, right = max(0, xs.min() - reach), xs.max() + 1 + reach
    halo = cv2.dilate(kept, np.ones((2 * GROW_PX + 1, 2 * GROW_PX + 1), np.uint8))
    cand = ((ink > FAINT_BAR) & ~blank & (halo == 0)).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cand, connectivity=8)
    near = cv2.dilate(halo, np.ones((3, 3), np.uint8))
    faint = ink > FAINT_BAR
    span = (int(xs.min()), int(xs.max()) + 1)
    for k in range(1, n):
        x, y, w, h, area = stats[k]
        if y < top or y + h > bottom or area < FAINT_AREA or max(w, h) > FAINT_SPAN * height:
            continue
        comp = labels[y:y + h, x:x + w] == k
        if float(ink[y:y + h, x:x + w][comp].max()) >= FAINT_STROKE:
            if x >= left and x + w <= right and _elongated(comp) and not (w >= 2 * h and _on_a_line(faint, comp, x, y, span)):
                out[y:y + h, x:x + w][comp] = 1
            continue
        if w < 2 * h or h > max(3, FAINT_BAR_HEIGHT * height):
            continue
        touch = near[y:y + h, x:x + w] & comp
        ends = max(1, w // 5)
        if not (touch[:, :ends].any() or touch[:, w - ends:].any()):
            continue
        if not _on_a_line(faint, comp, x, y, span):
            out[y:y + h, x:x + w][comp] = 1
    if out.any():  # the strokes' ends in the kept strokes' halo
        grow = np.ones((2 * GROW_PX + 1, 2 * GROW_PX + 1), np.uint8)
        out |= cv2.dilate(out, grow) & (ink > FAINT_BAR) & (kept == 0) & ~blank
    return out


def _spread(blob: np.ndarray) -> tuple[float, float] | None:
    """The variances of a blob's pixels along its short and its long axis (None under 3 px)."""
    ys, xs = np.nonzero(blob)
    if len(xs) < 3:
        return None
    low, high = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
    return max(float(low), 1e-6), float(high)


def _elongated(blob: np.ndarray) -> bool:
    """A stroke (a thin line), not a blot or a patch of grain: far longer than it is thick."""
    axes = _spread(blob)
    return axes is not None and axes[1] >= FAINT_ELONGATED ** 2 * axes[0]


def _on_a_line(faint: np.ndarray, blob: np.ndarray, x: int, y: int, span: tuple[int, int]) -> bool:
    """A faint bar (``blob`` at x, y) on the course of a faint line that also runs through the
    margins beside the text (columns outside ``span``): a piece of a scanner line or roller
    mark across the zone, split by the strokes it crosses."""
    py, px = np.nonzero(blob)
    px, py = px + x, py + y
    slope = float(np.clip(np.polyfit(px, py, 1)[0], -FAINT_LINE_SLOPE, FAINT_LINE_SLOPE)) if np.ptp(px) > 2 else 0.0
    cx, cy = float(px.mean()), float(py.mean())
    cols = np.r_[0:span[0], span[1]:faint.shape[1]]
    if cols.size < 4:
        return False
    hits = 0
    for c in cols:
        reach = FAINT_LINE_GAP + FAINT_LINE_SLOPE / 2 * abs(c - cx)
        r0, r1 = int(cy + slope * (c - cx) - reach), int(cy + slope * (c - cx) + reach) + 1
        hits += bool(faint[max(0, r0):max(0, r1), c].any())
    return hits >= FAINT_LINE_SHARE * cols.size


def lift_faint_rows(ink: np.ndarray) -> np.ndarray:
    """A band of rows printed with too little toner (a weak print row across the line) leaves
    the strokes there faint: the top bars of フ ワ マ fall below the ink threshold and the glyphs
    read as ノ リ. Rows whose darkest ink is well below the line's, with rows of full darkness
    both above and below them (a dip inside the text, not the anti-aliased edge of the line),
    are scaled up to it (at most FAINT_ROW_GAIN times)."""
    peak = cv2.blur(ink, (3, 1)).max(axis=1)
    strong = peak[peak > 0.5 * peak.max()]
    if strong.size == 0:
        return ink
    ref = float(np.median(strong))
    full = np.nonzero(peak >= FAINT_ROW * ref)[0]
    if ref < 0.3 or len(full) < 3:
        return ink
    gain = np.ones(len(peak), np.float32)
    reach = max(3, int(FAINT_ROW_REACH * (full[-1] + 1 - full[0])))
    for r in range(full[0] + 1, full[-1]):
        if not FAINT_ROW_MIN <= peak[r] < FAINT_ROW * ref:
            continue
        above, below = full[(full < r) & (full >= r - reach)], full[(full > r) & (full <= r + reach)]
        if above.size and below.size:
            gain[r] = min(ref / peak[r], FAINT_ROW_GAIN)
    if (gain == 1).all():
        return ink
    return np.clip(ink * gain[:, None], 0.0, 1.0)


def drop_streaks(ink: np.ndarray) -> np.ndarray:
    """Remove faint near-vertical lines (scanner streaks, scratches) that run through the text
    and beyond it: they would stretch the line's em box and cut glyphs apart. Only ink fainter
    than glyph cores is removed, where it runs in a line longer than the text is tall (or, as
    a hairline apart from every stroke, for a good part of that)."""
    dark = (ink >= STREAK_DARK).astype(np.uint8)
    wide = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((1, STREAK_WIDTH), np.uint8))
    weak = ((ink > 0.2) & (dark == 0)).astype(np.uint8)  # thin dark strokes are glyphs' (Mincho)
    if not weak.any():
        return ink
    band = _main_band(wide.any(axis=1), 2)
    if band is None:
        return ink
    length = int(STREAK_LENGTH * (band[1] - band[0])) + 1
    if length >= ink.shape[0]:
        return ink
    # pieces of a streak split by the glyph strokes it crosses are joined first
    joined = cv2.morphologyEx(weak, cv2.MORPH_CLOSE, np.ones((2 * STREAK_WIDTH + 3, 1), np.uint8))
    long = cv2.morphologyEx(joined, cv2.MORPH_OPEN, np.ones((length, 1), np.uint8))
    # the end of a streak that runs into a glyph's stroke: a hairline apart from every stroke
    faint = (ink > 0.2).astype(np.uint8)
    hair = faint & (1 - cv2.morphologyEx(faint, cv2.MORPH_OPEN, np.ones((1, STREAK_WIDTH + 2), np.uint8)))
    hair &= 1 - cv2.dilate(wide, np.ones((5, 5), np.uint8))
    tail = max(8, int(0.35 * (band[1] - band[0])))
    long |= cv2.morphologyEx(hair, cv2.MORPH_OPEN, np.ones((tail, 1), np.uint8))
    streak = cv2.dilate(long, np.ones((1, 3), np.uint8)) & weak
    if not streak.any():
        return ink
    out = ink.copy()
    out[streak > 0] = 0.0
    return out


def drop_stray_blots(ink: np.ndarray) -> np.ndarray:
    """Remove dirt that is not part of the text: small blots (toner specks, scanner dust)
    lying above or below the text band, or far from every glyph along the line. Such a blot
    would otherwise stretch the line's em box (all glyphs then misread) or become a stray
    character. Small marks next to glyphs (dakuten, 、。・, small kana) stay."""
    mask = (ink > 0.25).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 2:
        return ink
    x, y = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_TOP]
    w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    # a vertical hairline (what a ruled line or a scanner streak left in the zone) is no glyph
    # part however tall (glyph stems are wider): far from the glyphs, it is dirt
    hair = (w <= STREAK_WIDTH) & (h > 2 * w)
    tall = float(h[~hair].max()) if (~hair).any() else float(h.max())
    main = ((h > STRAY_SIZE * tall) | (w > STRAY_SIZE * tall)) & ~hair
    if not main.any() or main.all():
        return ink
    top, bottom = (y[main]).min(), (y[main] + h[main]).max()
    small = ~main & (((w <= STRAY_SIZE * tall) & (h <= STRAY_SIZE * tall)) | hair)
    cy = y + h / 2
    off_band = (cy < top) | (cy > bottom)
    mx0, mx1 = x[main], x[main] + w[main]
    gap = np.array([np.clip(np.maximum(mx0 - (x[k] + w[k]), x[k] - mx1), 0, None).min()
                    for k in range(n - 1)])
    edge = (x + w <= mx0.min()) | (x >= mx1.max())  # before the first glyph / after the last
    far = (gap > STRAY_GAP * tall) | (edge & ~hair & (gap > STRAY_EDGE_GAP * tall))
    stray = small & (off_band | (far & ~_small_part_glyphs(mask, labels, tall)))
    # a mark on a glyph's shoulder stays (the dakuten of ブ tops the line): strokes, not a
    # solid round speck; nothing of the text hangs below the band
    mark = stray & (cy < top) & (y + h >= top - STRAY_NEAR * tall) & (gap <= STRAY_NEAR * tall)
    for k in np.nonzero(mark)[0]:
        stray[k] = _is_speck(labels[y[k]:y[k] + h[k], x[k]:x[k] + w[k]] == k + 1)
    if not stray.any():
        return ink
    drop = np.concatenate([[False], stray])[labels].astype(np.uint8)
    # a blot's faint halo (below the mask threshold) goes with it, other ink stays
    halo = cv2.dilate(drop, np.ones((5, 5), np.uint8)) & (1 - (mask & (1 - drop)))
    out = ink.copy()
    out[halo > 0] = 0.0
    return out


def _small_part_glyphs(mask: np.ndarray, labels: np.ndarray, tall: float) -> np.ndarray:
    """Per component: whether it is one of several small parts close together that make up a
    glyph's size (the strokes of a faint ミ or ニ at the end of the line), not a lone blot."""
    n = int(labels.max())
    r = max(1, int(round(STRAY_PARTS_GAP * tall / 2)))  # parts up to 2r apart are joined
    groups = cv2.connectedComponentsWithStats(cv2.dilate(mask, np.ones((2 * r + 1, 2 * r + 1), np.uint8)),
                                              connectivity=8)
    group_of = np.zeros(n + 1, np.int32)
    group_of[labels[mask > 0]] = groups[1][mask > 0]
    members = np.bincount(group_of[1:], minlength=groups[0])
    w = groups[2][:, cv2.CC_STAT_WIDTH] - 2 * r
    h = groups[2][:, cv2.CC_STAT_HEIGHT] - 2 * r
    glyph = (members >= 2) & (np.maximum(w, h) > STRAY_SIZE * tall) & (np.minimum(w, h) > STRAY_PART_MIN * tall)
    return glyph[group_of[1:]]


def _is_speck(blob: np.ndarray) -> bool:
    """A solid roundish blot (toner), not a dakuten stroke (elongated) or a handakuten ring."""
    axes = _spread(blob)
    return axes is not None and blob.mean() >= STRAY_SOLID and axes[1] <= STRAY_ROUND ** 2 * axes[0]


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


def has_voicing_twin(ch: str) -> bool:
    """タ/ダ, ヘ/ベ/ペ: kana that differ from another only by a (han)dakuten of a few pixels."""
    return len(voicing_twins(ch)) > 1


def confidence(line: LineMatch) -> float:
    """0..1 from the weakest character: a clear, unambiguous match of every glyph is sure.
    A kana with a voicing twin needs a wider margin: the mark that tells them apart is small."""
    if not line.chars:
        return 0.0
    worst = 1.0
    for ch in line.chars:
        score = np.clip((ch.score - SURE_SCORE[0]) / (SURE_SCORE[1] - SURE_SCORE[0]), 0.0, 1.0)
        needed = VOICED_MARGIN if has_voicing_twin(ch.char) else SURE_MARGIN
        margin = np.clip(ch.margin / needed, 0.0, 1.0)
        worst = min(worst, 0.5 + 0.495 * float(score * margin))
    return round(worst, 4)


def dirt_chars(match: Matcher, ink: np.ndarray, line: LineMatch) -> list[CharMatch]:
    """The line's "characters" that are blots: small ink that matches no glyph well, or whose
    shape is unlike its glyph's (a round speck read as "-"): toner specks or dust near a glyph,
    too close to it for :func:`drop_stray_blots`. Real small marks (、・ッ, a dakuten) match
    their templates far better than a round speck."""
    out = []
    for ch in line.chars:
        inked = ink[:, ch.x0:ch.x1] > 0.25
        rows = np.nonzero(inked.any(axis=1))[0]
        tall = (rows[-1] + 1 - rows[0]) if len(rows) else 0
        if max(ch.x1 - ch.x0, tall) > DIRT_SIZE * line.em:
            continue
        if inked.sum() < DIRT_FILL * max(tall, 1) * (ch.x1 - ch.x0):
            continue  # a thin stroke (what a faded glyph left), not a solid blot
        if ch.score < DIRT_SCORE or _aspect_unlike(match, ch, line.font, max(tall, 1)):
            out.append(ch)
    return out


def _aspect_unlike(match: Matcher, ch: CharMatch, font: str | None, tall: int) -> bool:
    """The ink box's width/height and the template's differ by more than DIRT_ASPECT times."""
    fonts = match.bank.font_names
    idx = np.nonzero((match.chars == ch.char) & (match.fonts == fonts.index(font)))[0] if font in fonts else []
    if len(idx) == 0:
        return False
    x0, y0, x1, y1 = match.ink_box[idx[0]]
    expected = max(x1 - x0, 0.02) / max(y1 - y0, 0.02)
    seen = max(ch.x1 - ch.x0, 1) / tall
    return max(seen / expected, expected / seen) > DIRT_ASPECT


def read_and_clean(match: Matcher, ink: np.ndarray) -> tuple[LineMatch, int, np.ndarray]:
    """Read a line; blots read as characters are erased from the ink and the line read
    again (the em box and the spaces then come from the glyphs alone). Also returns how
    many blots were removed, and the ink without them."""
    line = match.read(ink)
    dropped = 0
    for _ in range(DIRT_ROUNDS):
        dirt = dirt_chars(match, ink, line)
        if not dirt or len(dirt) >= len(line.chars):
            break
        cleaned = _erase_within(ink, [(ch.x0, ch.x1) for ch in dirt])
        if cleaned is None:
            break
        ink = cleaned
        line = match.read(ink)
        dropped += len(dirt)
    if line.chars and line.min_score < MIN_CHAR_SCORE:
        line, ink, cut = _cut_attached_speck(match, ink, line)
        dropped += cut
    return line, dropped, ink


def _speck_blobs(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Round blobs thicker than the strokes: what survives an opening by a disc of about twice
    the stroke width (toner specks; strokes and dakuten do not, thick crossings of bold print
    leave a blob of about the disc). Returns the ink mask, the blobs' labels, their stats
    (row 0: the background) and the disc's size in px."""
    mask = (ink > 0.25).astype(np.uint8)
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    ridge = (dist >= cv2.dilate(dist, np.ones((3, 3), np.uint8))) & (dist > 0)
    if not ridge.any():
        return mask, np.zeros(mask.shape, np.int32), np.zeros((1, 5), np.int32), 1
    disc = int(round(SPECK_DISC * float(np.median(dist[ridge])))) | 1
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (disc, disc)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    return mask, labels, stats, disc


def doubtful_marks(ink: np.ndarray, cleaned: np.ndarray, line: LineMatch) -> bool:
    """A read whose glyph shapes a blot may have changed: a round speck left among the glyphs
    (ノ with a speck where ツ has its ticks reads ツ), or a blot erased next to a kana with a
    voicing twin (the blot may have hidden its dakuten: ジ read as シ). Such a read, right as
    it may be, is not sure."""
    if not line.chars:
        return False
    mask, _, stats, disc = _speck_blobs(cleaned)
    x0, x1 = line.chars[0].x0, line.chars[-1].x1
    parts = None
    for x, y, w, h, area in stats[1:]:
        least = max(SPECK_BLOB * disc, SPECK_MIN_EM * line.em)
        if not (x >= x0 and x + w <= x1 and least <= min(w, h) and max(w, h) <= DIRT_SIZE * line.em
                and max(w, h) <= 1.5 * min(w, h) and area >= STRAY_SOLID * w * h):
            continue
        if parts is None:
            parts = cv2.connectedComponentsWithStats(mask, connectivity=8)
        k = parts[1][y + h // 2, x + w // 2]
        if k and area >= SPECK_SHARE * parts[2][k, cv2.CC_STAT_AREA]:  # a blot, not a thick crossing of a glyph
            return True
    erased = (ink > 0.25) & (cleaned <= 0.25)
    erased[int(line.cy):] = False  # a dakuten is in the line's top half
    if not erased.any():
        return False
    cols = np.nonzero(erased.any(axis=0))[0]
    return any(has_voicing_twin(c.char) and ((cols >= (c.x0 + c.x1) // 2) & (cols < c.x1 + 0.3 * line.em)).any()
               for c in line.chars)


def _cut_attached_speck(match: Matcher, ink: np.ndarray, line: LineMatch
                        ) -> tuple[LineMatch, np.ndarray, int]:
    """A toner speck touching a glyph makes it match nothing. Round blobs thicker than the
    strokes (what survives an opening by a disc of about twice the stroke width) inside the
    worst glyph are tried away one by one; the read is kept if every glyph then matches well
    (cutting a blot off a glyph can also make a wrong glyph match fairly)."""
    worst = min(line.chars, key=lambda c: c.score)
    mask, labels, stats, _ = _speck_blobs(ink)
    n = len(stats)
    tried = 0
    for k in range(1, n):
        x, y, w, h = stats[k, :4]
        if x < worst.x0 or x + w > worst.x1 or max(w, h) > SPECK_EM * line.em or max(w, h) > 1.5 * min(w, h):
            continue
        if tried == SPECK_TRIES:
            break
        tried += 1
        blot = cv2.dilate((labels == k).astype(np.uint8), np.ones((3, 3), np.uint8)) & mask
        cleaned = ink.copy()
        cleaned[cv2.dilate(blot, np.ones((3, 3), np.uint8)) > 0] = 0.0
        again = match.read(cleaned)
        if again.chars and again.min_score >= SPECK_SURE and again.mean_score > line.mean_score:
            return again, cleaned, 1
    return line, ink, 0


def _erase_within(ink: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray | None:
    """The ink without its blobs that lie wholly within one of the column spans (a blob
    touching a glyph outside the span stays); None if nothing was erased."""
    mask = (ink > 0.05).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x0s, x1s = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_LEFT] + stats[:, cv2.CC_STAT_WIDTH]
    drop = np.zeros(n, bool)
    for a, b in spans:
        drop |= (x0s >= a - 1) & (x1s <= b + 1)
    drop[0] = False
    if not drop.any():
        return None
    out = ink.copy()
    out[drop[labels]] = 0.0
    return out


def choice_beside_dirt(match: Matcher, ink: np.ndarray, line: LineMatch, choices) -> LineMatch | None:
    """A word of the list read clearly next to a blot that touches it (「父」 and a toner speck
    on its last stroke, read 「父人」): the blot cannot be erased without the glyph, but the
    glyphs that are not dirt spell the word. None otherwise."""
    dirt = dirt_chars(match, ink, line)
    if not dirt or len(dirt) >= len(line.chars):
        return None
    rest = [c for c in line.chars if c not in dirt]
    text = "".join(c.char for c in rest)
    if text not in choices or min(c.score for c in rest) < MIN_CHAR_SCORE:
        return None
    return LineMatch(text, line.font, rest, line.em, line.cy, line.total)


def faint_doubt(line: LineMatch) -> bool:
    """A glyph that matches weakly and hardly apart from another (正 read 卍, 子 read 予)."""
    return any(c.score < FAINT_DOUBT_SCORE and c.margin < FAINT_DOUBT_MARGIN for c in line.chars)


def better_read(again: LineMatch, line: LineMatch) -> bool:
    """The same number of glyphs, the weakest matching better, the others about as well."""
    return len(again.chars) == len(line.chars) and again.min_score > line.min_score \
        and again.mean_score >= line.mean_score - FAINT_MEAN_SLACK


def _clear_choice(line: LineMatch) -> bool:
    """A faded or blurred word of a closed list whose every glyph still stands clearly apart
    from the other words' glyphs: the glyph read is better evidence than the whole-word
    shape (which a blot next to the word distorts)."""
    return line.min_score >= MIN_CHAR_SCORE and line.min_margin >= CHOICE_MARGIN


def usable(line: LineMatch, small_charset: bool = False) -> bool:
    """The line matches the fonts well enough to keep the glyph read. With a small character
    set (dates, postal codes, 続柄) a damaged glyph may match weakly, yet still stand clearly
    apart from every other character of the set: better evidence than a general OCR."""
    if not line.chars or line.mean_score < MIN_LINE_SCORE:
        return False
    if small_charset:
        return all(c.score >= MIN_CHAR_SCORE or (c.score >= WEAK_CHAR_SCORE and c.margin >= CHOICE_MARGIN)
                   for c in line.chars)
    return line.min_score >= MIN_CHAR_SCORE


def fits_pattern(line: LineMatch, pattern: str) -> bool:
    """A structured line (a date, a postal code, an id) damaged on a fixed part of it: the
    line fits the engine's pattern (era, 年月日, 〒 and - at their places, digits where digits
    must be), every digit matches well, and the other glyphs, weak as they may be, are still
    the best of the small set. The pattern stands in for the damaged glyph's evidence."""
    if not line.chars or line.mean_score < MIN_LINE_SCORE:
        return False
    if not re.fullmatch(pattern, "".join(c.char for c in line.chars)):
        return False
    return all(c.score >= (MIN_CHAR_SCORE if c.char.isdigit() else WEAK_CHAR_SCORE) for c in line.chars)


def decode_pattern(line: LineMatch, pattern: str, charset: set[str]) -> LineMatch | None:
    """A structured line that does not fit its pattern because of a damaged glyph (a wiped
    平 read as "1"): its weakly matched glyphs (at most PATTERN_WEAK), or else any one glyph,
    are replaced by characters of the set that make the line fit, if exactly one way does and
    only fixed parts (era, 年月日, 〒, -) are filled in that way: digits are never guessed.
    A filled-in glyph keeps a weak score, so the line goes to review. None if no single way."""
    chars = line.chars
    letters = [c.char for c in chars]
    if not chars or re.fullmatch(pattern, "".join(letters)):
        return None
    sure = [c.score for c in chars if c.score >= SURE_SCORE[0]]
    if len(sure) < len(chars) - PATTERN_WEAK or float(np.mean(sure or [0.0])) < MIN_LINE_SCORE:
        return None
    fillers = sorted(ch for ch in charset if not ch.isdigit() and not ch.isspace())
    weak = tuple(k for k, c in enumerate(chars) if c.score < SURE_SCORE[0])
    tries = [weak] if weak else [(k,) for k in range(len(chars))]
    found: dict[str, tuple[int, ...]] = {}
    for places in tries:
        for fill in itertools.product(fillers, repeat=len(places)):
            candidate = list(letters)
            for k, ch in zip(places, fill, strict=True):
                candidate[k] = ch
            text = "".join(candidate)
            if re.fullmatch(pattern, text):
                found[text] = places
    if len(found) != 1:
        return None
    (decoded, places), = found.items()
    out = [CharMatch(ch, min(c.score, WEAK_CHAR_SCORE) if k in places else c.score, c.margin, c.x0, c.x1)
           for k, (ch, c) in enumerate(zip(decoded, chars, strict=True))]
    return LineMatch(decoded, line.font, out, line.em, line.cy, line.total)


def read_glyph_lines(items: list[Item], ctx: PageContext, engine: Engine
                     ) -> tuple[dict[str, FieldRead], list[Item]]:
    """Read every item with the glyph matcher; return the reads and the items to fall back."""
    try:
        match = matcher(tuple(engine.fonts), tuple(engine.charset))
    except ConfigError as exc:  # fonts not installed: every line goes to the fallback
        if items and all(item.choices for item in items):  # closed lists: the word matcher
            return {item.key: _read_choice(item, ctx, None) for item in items}, []
        if engine.fallback == "none":
            raise
        if not _warned:
            log.warning("字形照合を使えません (tesseract で読みます): %s", exc)
            _warned.append(True)
        return {}, list(items)
    with _one_blas_thread():  # small matrix products: threads only add overhead
        return _read_all(items, ctx, engine, match)


def apply_pattern(line: LineMatch, pattern: str, match: Matcher, detail: dict) -> LineMatch:
    """Structured lines: a damaged fixed part is settled by the pattern (see fits_pattern,
    decode_pattern); the line then stays for review (its weak glyph keeps the confidence low)."""
    text = "".join(c.char for c in line.chars)
    if detail["usable"] and re.fullmatch(pattern, text):
        return line
    if not detail["usable"] and fits_pattern(line, pattern):
        detail["usable"] = detail["pattern"] = True
        return line
    decoded = decode_pattern(line, pattern, set(match.chars.tolist()))
    if decoded is None:
        return line
    detail["usable"], detail["pattern"], detail["glyph"] = True, True, line.text
    return decoded


def _read_choice(item: Item, ctx: PageContext, line: LineMatch | None,
                 ink: np.ndarray | None = None, box: tuple[int, int, int, int] | None = None) -> FieldRead:
    """A line of a closed list of words whose glyphs did not match well (heavy damage):
    the whole-word matcher decides, as it sees the word's shape even with strokes missing.
    It looks at the zone's plain ink and at the line's cleaned ink (specks and blots removed,
    but faint strokes can go with them) and keeps the surer, then the clearer, of the two.
    The glyph read is kept in the detail."""
    from ocr.readers.choice import MIN_WORD_SCORE, ChoiceReader, read_word

    read = ChoiceReader().read([item], ctx)[item.key]
    raw, conf, detail = read.raw, read.confidence, dict(read.detail or {})
    word = read_word(ink > 0.25, tuple(item.choices)) if ink is not None else None
    if word is not None and (word[1], word[2]["margin"]) > (conf, detail.get("margin", -1.0)):
        raw, conf, detail = word
        detail["cleaned"] = True
    box = box or read.box_px
    if raw and detail.get("score", 1.0) <= MIN_WORD_SCORE:  # ink that is no word (dirt in an empty row)
        detail["usable"] = False
    if line is not None:
        detail["glyph"] = line.text
    return FieldRead(raw, conf, box, detail)


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - scikit-learn brings threadpoolctl
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _glyph_read(ink: np.ndarray, item: Item, engine: Engine, match: Matcher
                ) -> tuple[LineMatch, int, np.ndarray, dict, bool]:
    """The glyph read of a line's ink: the line, blots dropped, cleaned ink, detail, and
    whether the read can be kept (a usable line, or a clear word of the item's list)."""
    line, dropped, clean_ink = read_and_clean(match, ink)
    detail = {"reader": "glyph", "font": line.font, "score": round(line.mean_score, 4),
              "margin": round(line.min_margin, 4),
              "chars": [(c.char, round(c.score, 3), round(c.margin, 3)) for c in line.chars]}
    detail["usable"] = usable(line, match.charset_size <= SMALL_CHARSET)
    if engine.pattern:
        line = apply_pattern(line, engine.pattern, match, detail)
    if item.choices:
        kept = line.text in item.choices and (detail["usable"] or _clear_choice(line))
    else:
        kept = detail["usable"]
    return line, dropped, clean_ink, detail, kept


def _read_all(items: list[Item], ctx: PageContext, engine: Engine, match: Matcher
              ) -> tuple[dict[str, FieldRead], list[Item]]:
    out: dict[str, FieldRead] = {}
    rest: list[Item] = []
    for item in items:
        ink, box = line_ink(item, ctx)
        if ink is None:
            out[item.key] = FieldRead("", 0.97, box, {"empty": True, "reader": "glyph"})
            continue
        line, dropped, clean_ink, detail, kept = _glyph_read(ink, item, engine, match)
        if not kept:  # a weak print row may have thinned the strokes: lift it and read again
            lifted, _ = line_ink(item, ctx, lift=True)
            if lifted is not None:
                again = _glyph_read(lifted, item, engine, match)
                if again[4]:
                    line, dropped, clean_ink, detail, kept = again
                    detail["lifted"] = True
        if not engine.pattern and not item.choices and (not kept or faint_doubt(line)):
            # thin strokes printed with little toner (正's bars, 子's hook) weigh too little
            # against the dark ones: read the ink again with them made as dark
            again = _glyph_read(np.clip(clean_ink * FAINT_GAIN, 0.0, 1.0), item, engine, match)
            if again[4] and (not kept or better_read(again[0], line)):
                line, _, clean_ink, detail, kept = again
                detail["darkened"] = True
        conf = confidence(line)
        if not engine.pattern and not item.choices and doubtful_marks(ink, clean_ink, line):
            detail["speck"] = True
            conf = min(conf, SPECK_CONFIDENCE)
        if detail.get("lifted"):
            conf = min(conf, DIRT_CONFIDENCE)
        if dropped:
            detail["dirt"] = dropped
            if not (item.choices and line.text in item.choices):
                conf = min(conf, DIRT_CONFIDENCE)
        if item.choices:  # a word of a closed list; a damaged one goes to the whole-word matcher
            if kept:
                out[item.key] = FieldRead(line.text, conf, box, detail)
            elif (word := choice_beside_dirt(match, clean_ink, line, item.choices)) is not None:
                detail["beside_dirt"] = True
                out[item.key] = FieldRead(word.text, min(confidence(word), CHOICE_DIRT_CONFIDENCE), box, detail)
            else:
                out[item.key] = _read_choice(item, ctx, line, clean_ink, box)
        elif kept or engine.fallback == "none":
            out[item.key] = FieldRead(line.text, conf, box, detail)
        else:
            rest.append(item)
    return out, rest
