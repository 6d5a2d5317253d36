"""Boxed handwriting: digits (口座番号, ゆうちょ 記号/番号), 申請日 boxes, phone digits, kana.

Each box is cut from the aligned page with the blank form's print (borders, dashed
separators) removed; an empty box is recognised by its ink, a digit by the classifier in
``ocr.digits`` and the kana boxes by one tesseract call over the composed boxes.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr import clean
from ocr.digits import classify
from ocr.readers.base import FieldRead, Item, PageContext, Reader, register
from ocr.tools.tesseract import read_lines

MIN_INK = 0.012  # share of a box's pixels that must be ink for the box to count as written
KANA_HEIGHT = 44


def cell_masks(zone, n: int, ctx: PageContext, *, inset: float = 0.06) -> tuple[list[np.ndarray], tuple]:
    box = ctx.px(zone)
    x0, y0, x1, y1 = box
    mask = ctx.new_ink(box, speck=0)
    mask = bridge_gaps(cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)))
    width = (x1 - x0) / n
    cells = []
    for i in range(n):
        cx0 = int(round(i * width + width * inset))
        cx1 = int(round((i + 1) * width - width * inset))
        cy0 = int(round((y1 - y0) * inset))
        cy1 = int(round((y1 - y0) * (1 - inset)))
        cell = mask[cy0:cy1, cx0:cx1]
        cells.append(_written(cell))
    return cells, box


def bridge_gaps(mask: np.ndarray) -> np.ndarray:
    """Close thin white streaks across strokes (low-ink scanner lines cut digits in pieces)."""
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((4, 1), np.uint8))


def _written(cell: np.ndarray) -> np.ndarray:
    """The cell's mask, or an all-zero mask when the box is empty (noise only)."""
    cleaned = clean.drop_specks(cell, max(8, cell.size // 800))
    if (cleaned > 0).sum() < MIN_INK * cell.size:
        return np.zeros_like(cell)
    return cleaned


def read_digit_boxes(zone, n: int, ctx: PageContext) -> tuple[list[str | None], float, tuple]:
    cells, box = cell_masks(zone, n, ctx)
    results = classify(cells)
    digits = [d for d, _ in results]
    conf = float(np.prod([p for d, p in results if d is not None])) if any(digits) else 0.98
    return digits, conf, box


@register
class BoxedDigitsReader(Reader):
    type_names = ("boxed_digits",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            digits, conf, box = read_digit_boxes(item.zone, item.boxes or 1, ctx)
            out[item.key] = FieldRead(digits if any(digits) else None, conf, box, {"boxes": digits})
        return out


@register
class BoxedDateReader(Reader):
    type_names = ("boxed_date",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            parts, confs, boxes = {}, [], []
            for name in ("year", "month", "day"):
                digits, conf, box = read_digit_boxes(item.parts[name], item.boxes or 2, ctx)
                parts[name] = "".join(d for d in digits if d)
                confs.append(conf)
                boxes.append(box)
            union = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                     max(b[2] for b in boxes), max(b[3] for b in boxes))
            raw = parts if any(parts.values()) else None
            out[item.key] = FieldRead(raw, float(np.prod(confs)), union, {"parts": parts})
        return out


@register
class HandwrittenDigitsReader(Reader):
    """A freely written digit string with hyphens (phone numbers): segment and classify."""

    type_names = ("handwritten_digits",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            box = ctx.px(item.zone)
            mask = bridge_gaps(ctx.new_ink(box, speck=12))
            symbols = segment_symbols(mask)
            if not symbols:
                out[item.key] = FieldRead(None, 0.95, box, {"empty": True})
                continue
            digit_masks = [m for kind, m in symbols if kind == "digit"]
            results = iter(classify(digit_masks))
            text, probs = "", []
            for kind, _ in symbols:
                if kind == "-":
                    text += "-"
                else:
                    d, p = next(results)
                    text += d or ""
                    probs.append(p)
            conf = float(np.prod(probs)) if probs else 0.0
            out[item.key] = FieldRead(text, conf, box, {"symbols": len(symbols)})
        return out


def segment_symbols(mask: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Split a line of handwriting into symbols: columns of ink separated by gaps."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    comps = [(stats[i][0], stats[i][0] + stats[i][2], stats[i][1], stats[i][1] + stats[i][3], i)
             for i in range(1, n) if stats[i][4] >= 15]
    if not comps:
        return []
    heights = sorted(c[3] - c[2] for c in comps)
    tall = heights[len(heights) // 2 :]
    line_h = max(tall) if tall else 1
    comps.sort()
    groups: list[list] = []
    for comp in comps:  # merge components that overlap horizontally (parts of one digit)
        if groups:
            gx0, gx1 = min(c[0] for c in groups[-1]), max(c[1] for c in groups[-1])
            overlap = min(gx1, comp[1]) - max(gx0, comp[0])
            if overlap > 0.4 * min(comp[1] - comp[0], gx1 - gx0):
                groups[-1].append(comp)
                continue
        groups.append([comp])
    symbols = []
    digit_w = DIGIT_ASPECT * line_h
    for group in groups:
        x0, x1 = min(c[0] for c in group), max(c[1] for c in group)
        y0, y1 = min(c[2] for c in group), max(c[3] for c in group)
        w, h = x1 - x0, y1 - y0
        if h < 0.45 * line_h and w > 1.2 * h:
            symbols.append(("-", None))
        elif h < 0.3 * line_h:
            continue  # a dot or speck
        else:
            sub = np.isin(labels[y0:y1, x0:x1], [c[4] for c in group]).astype(np.uint8) * 255
            for part in split_touching(sub, digit_w):
                ys = np.nonzero(part.any(axis=1))[0]
                part_h = (ys.max() - ys.min() + 1) if len(ys) else 0
                if part_h < 0.45 * line_h and part.shape[1] > 1.2 * part_h:
                    symbols.append(("-", None))  # a hyphen touching a digit
                elif part_h >= 0.3 * line_h:
                    symbols.append(("digit", part))
    return symbols


DIGIT_ASPECT = 0.62  # a handwritten digit's width ÷ the line height, roughly


def split_touching(mask: np.ndarray, digit_w: float) -> list[np.ndarray]:
    """Split a blob of touching digits at the thinnest columns near the expected cuts."""
    w = mask.shape[1]
    k = int(round(w / digit_w))
    if w < 1.35 * digit_w or k < 2:
        return [mask]
    profile = (mask > 0).sum(axis=0).astype(float)
    cuts = [0]
    for i in range(1, k):
        centre = int(i * w / k)
        lo, hi = max(cuts[-1] + 3, centre - int(0.3 * w / k)), min(w - 3, centre + int(0.3 * w / k))
        if hi <= lo:
            continue
        span = np.arange(lo, hi)
        cost = profile[lo:hi] + 0.6 * profile.max() * np.abs(span - centre) / max(1.0, 0.3 * w / k)
        cuts.append(lo + int(np.argmin(cost)))
    cuts.append(w)
    return [mask[:, a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b - a > 2]


KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30FB)) + "ー"


@register
class BoxedKanaReader(Reader):
    """One katakana per box; the written boxes are composed into one line for tesseract."""

    type_names = ("boxed_kana",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            n = item.boxes or 1
            cells, box = cell_masks(item.zone, n, ctx, inset=0.04)
            written = [i for i, c in enumerate(cells) if c.any()]
            if not written:
                out[item.key] = FieldRead(None, 0.95, box, {"cells": []})
                continue
            # group the written boxes into words separated by empty boxes
            words: list[list[int]] = []
            for i in written:
                if words and i == words[-1][-1] + 1:
                    words[-1].append(i)
                else:
                    words.append([i])
            images = [_compose([cells[i] for i in word]) for word in words]
            results = read_lines(images, lang="jpn", psm=6)
            text = "　".join(r.text.replace(" ", "") for r in results)
            conf = min(r.confidence for r in results)
            # a count mismatch between boxes and characters is a strong sign of a misread
            if len(text.replace("　", "")) != len(written):
                conf = min(conf, 0.4)
            out[item.key] = FieldRead(text, conf, box, {"cells": written})
        return out


def _compose(cells: list[np.ndarray]) -> np.ndarray:
    glyphs = []
    for cell in cells:
        bbox = clean.ink_bbox(cell, 2)
        if bbox is None:
            continue
        x0, y0, x1, y1 = bbox
        glyph = cell[y0:y1, x0:x1]
        s = KANA_HEIGHT / max(glyph.shape)
        glyph = cv2.resize(glyph, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        canvas = np.zeros((KANA_HEIGHT + 8, KANA_HEIGHT + 8), np.uint8)
        gy, gx = (canvas.shape[0] - glyph.shape[0]) // 2, (canvas.shape[1] - glyph.shape[1]) // 2
        canvas[gy:gy + glyph.shape[0], gx:gx + glyph.shape[1]] = glyph
        glyphs.append(canvas)
    gap = np.zeros((KANA_HEIGHT + 8, 6), np.uint8)
    row = np.hstack([part for g in glyphs for part in (g, gap)])
    return 255 - row
