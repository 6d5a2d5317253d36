"""Printed and handwritten text lines: tesseract ``jpn``, one batched call per engine setting.

Each crop is cleaned (the blank form's print removed, specks dropped), trimmed to its ink,
scaled to a common text height and pasted into one strip image; the TSV words are split
back to fields by position (see ``ocr.tools.tesseract``).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr import clean
from ocr.readers.base import FieldRead, Item, PageContext, Reader, register
from ocr.readers.glyph import drop_rule_remnants, read_glyph_lines
from ocr.tools.tesseract import read_lines, read_pages

SPACE_GAP = 0.8  # a white gap wider than this × text height is a word space
EDGE_GAP = 1.5  # ink this far (× text height) before or after a printed line ...
EDGE_DIRT = 0.5  # ... and at most this tall and wide is dirt, not a character

TEXT_HEIGHT = {"printed_text": 48, "handwritten_text": 44}


def text_crop(item: Item, ctx: PageContext, height: int) -> tuple[np.ndarray | None, tuple]:
    box = ctx.px(item.zone)
    x0, y0, x1, y1 = box
    mask = ctx.new_ink(box, speck=20)
    if item.type == "printed_text":  # one printed line: no rule remnants, no specks off its ends
        mask = trim_edge_dirt(drop_rule_remnants(mask, ctx.ppm))
    bbox = clean.ink_bbox(mask, 4)
    min_height = min(0.3 * (y1 - y0), 1.8 * ctx.ppm)  # specks are not a line of text
    if bbox is None or int((mask > 0).sum()) < 120 or (bbox[3] - bbox[1]) < min_height:
        return None, box
    bx0, by0, bx1, by1 = bbox
    crop = ctx.crop_gray(box).copy()
    crop[ctx.blank_ink[y0:y1, x0:x1] > 0] = 255
    crop[(mask == 0) & (crop < ctx.threshold)] = 255  # specks and noise
    crop = crop[by0:by1, bx0:bx1]
    scale = height / max(1, by1 - by0)
    scale = min(scale, 3.0)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interp)
    crop = cv2.erode(crop, np.ones((2, 2), np.uint8))  # thin Mincho strokes survive tesseract
    return crop, (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


def trim_edge_dirt(mask: np.ndarray) -> np.ndarray:
    """A printed line's mask without the specks before and after it: ink at either end, a wide
    gap (EDGE_GAP × the text height) away from the text, that is small in both directions
    (EDGE_DIRT × the height) or a thin upright hairline. Read with the line, such dirt
    comes back as 「。」「]」「填一」 after an address."""
    rows = np.count_nonzero(mask, axis=1)
    if not rows.any():
        return mask
    # the text height: rows holding a fair share of the busiest row's ink (specks hold little)
    strong = np.nonzero(rows >= 0.1 * rows.max())[0]
    height = int(strong[-1] + 1 - strong[0])
    cols = np.nonzero(mask.any(axis=0))[0]
    clusters = np.split(cols, np.nonzero(np.diff(cols) > EDGE_GAP * height)[0] + 1)
    out = mask
    for end in (-1, 0):
        while len(clusters) > 1 and _is_dirt(out[:, clusters[end][0]:clusters[end][-1] + 1], height):
            if out is mask:
                out = mask.copy()
            out[:, clusters[end][0]:clusters[end][-1] + 1] = 0
            clusters.pop(end)
    return out


def _is_dirt(part: np.ndarray, height: int) -> bool:
    ys = np.nonzero(part.any(axis=1))[0]
    tall, wide = int(ys[-1] + 1 - ys[0]), part.shape[1]
    return (tall <= EDGE_DIRT * height and wide <= EDGE_DIRT * height) or (wide <= 4 and tall > 2 * wide)


def space_gaps(crop: np.ndarray, min_gap: float) -> list[tuple[int, int]]:
    """Column ranges of white wider than ``min_gap`` px between inked columns (word spaces)."""
    ink = (crop < 128).any(axis=0)
    cols = np.nonzero(ink)[0]
    if len(cols) == 0:
        return []
    gaps = []
    start = None
    for x in range(cols[0], cols[-1] + 1):
        if not ink[x]:
            start = x if start is None else start
        elif start is not None:
            if x - start >= min_gap:
                gaps.append((start, x))
            start = None
    return gaps


def _char_width(ch: str) -> float:
    return 0.5 if ch.isascii() else 1.0


def insert_spaces(words: list[tuple[int, int, str]], gaps: list[tuple[int, int]]) -> str:
    """Join words left to right; a space wherever the image has a wide gap, also inside a word
    (split where the gap falls, counting half-width characters as half a character)."""
    out = ""
    prev_right = None
    for left, right, text in sorted(words):
        if prev_right is not None and any(prev_right <= (g0 + g1) / 2 <= left for g0, g1 in gaps):
            out += " "
        inner = [g for g in gaps if left < (g[0] + g[1]) / 2 < right]
        if inner and len(text) > 1:
            widths = np.cumsum([_char_width(c) for c in text])
            total = widths[-1]
            pieces, last = [], 0
            for g0, g1 in inner:
                frac = ((g0 + g1) / 2 - left) / max(1, right - left)
                cut = int(np.argmin(np.abs(widths - frac * total))) + 1
                if last < cut < len(text):
                    pieces.append(text[last:cut])
                    last = cut
            pieces.append(text[last:])
            text = " ".join(p for p in pieces if p)
        out += text
        prev_right = right
    return out


def engine_of(item: Item, ctx: PageContext) -> str:
    """The item's engine name; table cells (``members.2.name``) take their column's."""
    if item.engine:
        return item.engine
    parts = item.key.split(".")
    if len(parts) == 3:
        for spec in ctx.template.fields:
            if spec.key == parts[0]:
                for col in spec.columns:
                    if col.key == parts[2] and col.engine:
                        return col.engine
    return "handwritten" if item.type == "handwritten_text" else "printed"


@register
class TextReader(Reader):
    type_names = ("printed_text", "handwritten_text")

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        groups: dict[str, list[Item]] = {}
        for item in items:
            groups.setdefault(engine_of(item, ctx), []).append(item)
        out: dict[str, FieldRead] = {}
        for engine_name, group in groups.items():
            engine = ctx.template.engines.get(engine_name)
            if engine is not None and engine.reader == "glyph":
                reads, group = read_glyph_lines(group, ctx, engine)
                out.update(reads)
                if not group:
                    continue
            crops, keys, boxes = [], [], {}
            for item in group:
                crop, box = text_crop(item, ctx, TEXT_HEIGHT.get(item.type, 40))
                boxes[item.key] = box
                if crop is None:
                    out[item.key] = FieldRead("", 0.97, box, {"empty": True})
                else:
                    crops.append(crop)
                    keys.append(item.key)
            lang = engine.lang if engine else "jpn"
            results = read_lines(crops, lang=lang, psm=6, whitelist=engine.whitelist if engine else None)
            empty = [i for i, res in enumerate(results) if not res.words]
            if empty:  # layout analysis dropped the line: read it again as one raw line
                again = read_pages([crops[i] for i in empty], lang=lang, psm=13)
                for i, res in zip(empty, again, strict=True):
                    res.confidence = min(res.confidence, 0.6)
                    results[i] = res
            for key, crop, res in zip(keys, crops, results, strict=True):
                gaps = space_gaps(crop, SPACE_GAP * crop.shape[0])
                text = insert_spaces(res.boxes, gaps) if res.boxes else res.text
                out[key] = FieldRead(text, res.confidence, boxes[key], {"words": res.words})
        return out
