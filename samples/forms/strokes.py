"""Handwritten digits drawn as pen strokes instead of a font: "other people's handwriting".

Each digit is a skeleton of control points in a unit box, jittered per writing, passed through
a Catmull-Rom spline, slanted / squeezed / rotated and drawn with an anti-aliased pen of
varying width. No training data of any digit classifier is used, so OCR accuracy measured on
these digits is honest.
"""

from __future__ import annotations

import math
import random

import cv2
import numpy as np
from PIL import Image

# strokes per digit, points (x, y) in a unit box, y downwards
SKELETONS: dict[str, list[list[tuple[float, float]]]] = {
    "0": [[(0.5, 0.04), (0.24, 0.16), (0.14, 0.5), (0.24, 0.84), (0.5, 0.96), (0.76, 0.84), (0.86, 0.5),
           (0.76, 0.16), (0.5, 0.04), (0.4, 0.08)]],
    "1": [[(0.32, 0.22), (0.52, 0.05), (0.52, 0.96)]],
    "2": [[(0.18, 0.26), (0.32, 0.08), (0.58, 0.04), (0.78, 0.2), (0.74, 0.42), (0.45, 0.68), (0.18, 0.95),
           (0.5, 0.94), (0.86, 0.94)]],
    "3": [[(0.18, 0.14), (0.46, 0.04), (0.74, 0.16), (0.7, 0.38), (0.44, 0.5), (0.74, 0.6), (0.8, 0.8),
           (0.54, 0.96), (0.2, 0.88)]],
    "4": [[(0.6, 0.05), (0.38, 0.38), (0.14, 0.68), (0.5, 0.68), (0.88, 0.68)], [(0.66, 0.32), (0.66, 0.98)]],
    "5": [[(0.78, 0.06), (0.5, 0.06), (0.3, 0.06)], [(0.3, 0.06), (0.25, 0.46), (0.52, 0.4), (0.76, 0.54),
                                                     (0.78, 0.8), (0.5, 0.96), (0.2, 0.88)]],
    "6": [[(0.7, 0.05), (0.42, 0.24), (0.22, 0.58), (0.28, 0.88), (0.56, 0.96), (0.78, 0.76), (0.64, 0.54),
           (0.38, 0.54), (0.24, 0.68)]],
    "7": [[(0.14, 0.16), (0.16, 0.07), (0.5, 0.07), (0.86, 0.07), (0.62, 0.5), (0.46, 0.96)]],
    "8": [[(0.52, 0.48), (0.28, 0.32), (0.3, 0.1), (0.52, 0.04), (0.74, 0.12), (0.72, 0.32), (0.5, 0.5),
           (0.22, 0.7), (0.3, 0.92), (0.52, 0.97), (0.78, 0.88), (0.78, 0.68), (0.52, 0.5)]],
    "9": [[(0.78, 0.3), (0.56, 0.48), (0.3, 0.42), (0.24, 0.2), (0.46, 0.05), (0.72, 0.1), (0.78, 0.3),
           (0.74, 0.62), (0.66, 0.96)]],
    "-": [[(0.18, 0.52), (0.5, 0.5), (0.82, 0.5)]],
}


def catmull_rom(points: np.ndarray, per_segment: int = 10) -> np.ndarray:
    """A smooth curve through ``points`` (n × 2)."""
    if len(points) < 3:
        return points
    padded = np.vstack([points[0], points, points[-1]])
    t = np.linspace(0, 1, per_segment, endpoint=False)[:, None]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        out.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                          + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3))
    out.append(points[-1:])
    return np.vstack(out)


class StrokeHand:
    """One writer's way of drawing digits (slant, width, shakiness stay the same on a form)."""

    def __init__(self, rng: random.Random):
        self.slant = rng.uniform(-0.25, 0.1)        # shear: negative leans right
        self.squeeze = rng.uniform(0.65, 0.95)      # narrow or round digits
        self.shaky = rng.uniform(0.015, 0.045)
        self.width = rng.uniform(0.07, 0.12)        # pen width relative to the digit height
        self.seven_bar = rng.random() < 0.25        # continental 7 with a bar
        self.one_base = rng.random() < 0.2          # 1 with a foot

    def mask(self, char: str, height: float, rng: random.Random) -> Image.Image:
        """The digit (or hyphen) as an L mask about ``height`` px tall."""
        strokes = [np.array(s, np.float64) for s in SKELETONS[char]]
        if char == "7" and self.seven_bar:
            strokes.append(np.array([(0.42, 0.5), (0.82, 0.5)]))
        if char == "1" and self.one_base:
            strokes.append(np.array([(0.3, 0.96), (0.74, 0.96)]))
        h = height * rng.uniform(0.9, 1.08)
        w = h * self.squeeze * rng.uniform(0.92, 1.08)
        angle = math.radians(rng.gauss(0, 4))
        shear = self.slant + rng.gauss(0, 0.05)
        pad = int(h * 0.25) + 4
        size = (int(w + 2 * pad + h * 0.4), int(h + 2 * pad))
        canvas = np.zeros((size[1], size[0]), np.uint8)
        cos, sin = math.cos(angle), math.sin(angle)
        thickness = max(2, round(h * self.width * rng.uniform(0.85, 1.15)))
        for stroke in strokes:
            pts = stroke + np.array([[rng.gauss(0, self.shaky), rng.gauss(0, self.shaky)] for _ in stroke])
            curve = catmull_rom(pts)
            x = (curve[:, 0] - 0.5) * w - shear * (curve[:, 1] - 0.5) * h
            y = (curve[:, 1] - 0.5) * h
            xr, yr = x * cos - y * sin, x * sin + y * cos
            poly = np.stack([xr + size[0] / 2, yr + size[1] / 2], axis=1)
            cv2.polylines(canvas, [np.round(poly * 4).astype(np.int32)], False, 255, thickness,
                          cv2.LINE_AA, shift=2)
        return Image.fromarray(canvas, "L")
