"""Pen strokes: text in a handwriting font with jitter, one character per box, tick marks.

Each character is drawn on its own small mask with a random size, rotation and baseline
offset, then pasted onto the page in the ink colour. Ticks are pen strokes drawn with
anti-aliased OpenCV polylines: a ✓, an X or a filled scribble, sometimes partly outside the box.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFilter

from samples.forms.fonts import font
from samples.forms.strokes import SKELETONS, StrokeHand

INKS = {
    "blue": ((22, 38, 128), (40, 60, 165)),
    "black": ((18, 18, 24), (45, 45, 52)),
}


@dataclass(frozen=True)
class Pen:
    """One writer: font, ink colour, habits."""

    font: str
    ink: str
    color: tuple[int, int, int]
    jitter: float      # 0.5 (tidy) … 1.5 (sloppy)
    bold: bool         # a thicker pen (strokes dilated by one pixel)
    hand: StrokeHand | None = None  # digits drawn as pen strokes instead of the font

    @classmethod
    def random(cls, rng: random.Random, font_name: str, ink: str, stroke_digits: bool = False) -> Pen:
        low, high = INKS[ink]
        color = tuple(rng.randint(a, b) for a, b in zip(low, high, strict=True))
        hand = StrokeHand(rng) if stroke_digits else None
        return cls(font_name, ink, color, rng.uniform(0.6, 1.4), rng.random() < 0.35, hand)


def paste_mask(page: Image.Image, mask: Image.Image, x: int, y: int, color: tuple[int, int, int]) -> None:
    """Paint ``color`` through ``mask`` (L) with its top-left corner at (x, y)."""
    page.paste(color, (int(x), int(y)), mask)


def char_mask(pen: Pen, char: str, size: float, angle: float) -> Image.Image:
    """The character as a cropped L mask, rotated by ``angle`` degrees."""
    face = font(pen.font, round(size))
    left, top, right, bottom = face.getbbox(char)
    pad = 6
    mask = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    from PIL import ImageDraw

    ImageDraw.Draw(mask).text((pad - left, pad - top), char, font=face, fill=255)
    if pen.bold:
        mask = mask.filter(ImageFilter.MaxFilter(3))
    if abs(angle) > 0.05:
        mask = mask.rotate(angle, resample=Image.BILINEAR, expand=True)
    return mask


def write_text(page: Image.Image, pen: Pen, text: str, x: float, baseline: float, size: float,
               rng: random.Random, spacing: float = 0.04, space_width: float = 0.9) -> float:
    """Write ``text`` from (x, baseline) with per-character jitter; returns the end x."""
    j = pen.jitter
    slant = rng.gauss(0, 2.0 * j)  # a writer keeps roughly the same slant on a line
    drift = rng.gauss(0, 0.015 * j)  # and drifts up or down along the line
    start = x
    for char in text:
        if char in (" ", "\u3000"):
            x += size * space_width * (0.5 if char == " " else 1.0) * rng.uniform(0.85, 1.2)
            continue
        s = size * rng.uniform(1 - 0.07 * j, 1 + 0.07 * j)
        if pen.hand is not None and char in SKELETONS:
            height = s * (0.3 if char == "-" else 0.72)
            mask = pen.hand.mask(char, height, rng)
            cy = baseline - s * 0.36 + rng.gauss(0, 0.04 * j * size) + drift * (x - start)
            cx = x + s * 0.3
            paste_mask(page, mask, round(cx - mask.width / 2), round(cy - mask.height / 2), pen.color)
            x += s * (0.62 if char != "-" else 0.5) * pen.hand.squeeze / 0.8 + size * spacing * rng.uniform(0.3, 1.7)
            continue
        angle = slant + rng.gauss(0, 2.5 * j)
        face = font(pen.font, round(s))
        left, top, right, bottom = face.getbbox(char)
        ascent = face.getmetrics()[0]
        mask = char_mask(pen, char, s, angle)
        glyph_w = right - left
        dy = rng.gauss(0, 0.045 * j * size) + drift * (x - start)
        cx = x + glyph_w / 2
        cy = baseline - ascent + (top + bottom) / 2 + dy
        paste_mask(page, mask, round(cx - mask.width / 2), round(cy - mask.height / 2), pen.color)
        advance = face.getlength(char)
        x += advance * rng.uniform(0.96, 1.08) + size * spacing * rng.uniform(0.3, 1.7)
    return x


def write_in_cell(page: Image.Image, pen: Pen, char: str, cell: tuple[int, int, int, int],
                  rng: random.Random, fill: float = 0.62) -> None:
    """One character roughly centred in a box, its height about ``fill`` of the box."""
    x0, y0, x1, y1 = cell
    w, h = x1 - x0, y1 - y0
    j = pen.jitter
    size = min(h * fill, w * 1.05) * rng.uniform(1 - 0.09 * j, 1 + 0.07 * j)
    if pen.hand is not None and char in SKELETONS:
        mask = pen.hand.mask(char, size * 0.85, rng)
    else:
        mask = char_mask(pen, char, size, rng.gauss(0, 3.5 * j))
    cx = (x0 + x1) / 2 + rng.gauss(0, 0.06 * j * w)
    cy = (y0 + y1) / 2 + rng.gauss(0, 0.05 * j * h)
    paste_mask(page, mask, round(cx - mask.width / 2), round(cy - mask.height / 2), pen.color)


def _stroke_mask(size: int, strokes: list[np.ndarray], width: int) -> Image.Image:
    canvas = np.zeros((size, size), np.uint8)
    for points in strokes:
        cv2.polylines(canvas, [np.round(points).astype(np.int32)], False, 255, width, cv2.LINE_AA)
    return Image.fromarray(canvas, "L")


def tick(page: Image.Image, pen: Pen, box: tuple[int, int, int], rng: random.Random,
         style: str | None = None) -> str:
    """Mark the tick box ``(x, y, size)``; returns the style used (check / cross / scribble)."""
    x, y, s = box
    style = style or rng.choices(("check", "cross", "scribble"), weights=(60, 22, 18))[0]
    canvas = int(s * 2.4)
    ox = oy = (canvas - s) / 2  # the box inside the canvas
    # partly outside the box now and then: shift the whole mark
    off = s * (0.28 if rng.random() < 0.25 else 0.08)
    dx, dy = rng.uniform(-off, off), rng.uniform(-off, off)
    width = rng.randint(4, 7) if s > 40 else rng.randint(3, 6)
    if style == "check":
        a = np.array([ox + s * rng.uniform(0.05, 0.25), oy + s * rng.uniform(0.4, 0.6)])
        b = np.array([ox + s * rng.uniform(0.35, 0.5), oy + s * rng.uniform(0.8, 1.0)])
        c = np.array([ox + s * rng.uniform(0.85, 1.25), oy + s * rng.uniform(-0.35, 0.1)])
        mid = (b + c) / 2 + np.array([rng.uniform(-4, 4), rng.uniform(-4, 4)])
        strokes = [np.array([a, (a + b) / 2 + rng.uniform(-3, 3), b, mid, c])]
    elif style == "cross":
        e = s * 0.1
        strokes = [
            np.array([[ox + rng.uniform(-e, e * 2), oy + rng.uniform(-e, e * 2)],
                      [ox + s - rng.uniform(-e, e * 2), oy + s - rng.uniform(-e, e * 2)]]),
            np.array([[ox + s - rng.uniform(-e, e * 2), oy + rng.uniform(-e, e * 2)],
                      [ox + rng.uniform(-e, e * 2), oy + s - rng.uniform(-e, e * 2)]]),
        ]
    else:  # a filled scribble: zig-zag lines covering most of the box
        rows = rng.randint(6, 9)
        pts = []
        for i in range(rows):
            yy = oy + s * (0.08 + 0.84 * i / (rows - 1)) + rng.uniform(-2, 2)
            xs = (ox + s * rng.uniform(0.02, 0.15), ox + s * rng.uniform(0.85, 0.98))
            pts.append([xs[i % 2], yy])
        strokes = [np.array(pts)]
        width += 3
    mask = _stroke_mask(canvas, [p + np.array([dx, dy]) for p in strokes], width)
    paste_mask(page, mask, round(x - ox), round(y - oy), pen.color)
    return style
