"""A red round seal (認印) with the surname, stamped over the printed 印 circle.

The stamp is a ring with the surname written top to bottom in a seal-like font, pressed
unevenly (speckles of missing ink) and slightly rotated; it is blended by multiplication
so the printed circle and 「印」 stay visible through the red ink, as on paper.
"""

from __future__ import annotations

import random

import cv2
import numpy as np
from PIL import Image, ImageDraw

from samples.forms.fonts import font
from samples.forms.layout import SEAL_CIRCLE


def _seal_mask(surname: str, diameter: int, font_name: str, rng: random.Random) -> np.ndarray:
    canvas = Image.new("L", (diameter, diameter), 0)
    draw = ImageDraw.Draw(canvas)
    ring = max(5, diameter // 22)
    draw.ellipse((ring // 2, ring // 2, diameter - ring // 2 - 1, diameter - ring // 2 - 1),
                 outline=255, width=ring)
    chars = list(surname)[:3]
    inner = diameter - 4 * ring
    size = int(min(inner / len(chars) * 0.98, inner * 0.74))
    face = font(font_name, size)
    total = size * len(chars)
    top = (diameter - total) / 2
    for i, ch in enumerate(chars):
        left, t, right, b = face.getbbox(ch)
        x = (diameter - (right - left)) / 2 - left
        y = top + i * size + (size - (b - t)) / 2 - t
        draw.text((x, y), ch, font=face, fill=255, stroke_width=max(1, size // 22), stroke_fill=255)
    mask = np.asarray(canvas, np.float32) / 255.0
    # uneven pressure: low-frequency strength field and speckles of missing ink
    field = cv2.resize(np.float32([[rng.uniform(0.55, 1.0) for _ in range(4)] for _ in range(4)]),
                       (diameter, diameter), interpolation=cv2.INTER_CUBIC)
    seed = rng.randrange(2**31)
    speckle = np.random.default_rng(seed).random((diameter, diameter), dtype=np.float32)
    mask *= np.clip(field, 0.35, 1.0) * (speckle > rng.uniform(0.03, 0.18))
    return cv2.GaussianBlur(mask, (3, 3), 0.8)


def stamp_seal(page: Image.Image, surname: str, rng: random.Random) -> dict:
    """Stamp the seal near the 印 circle; returns what was done (for ``_meta``)."""
    cx, cy, r = SEAL_CIRCLE
    diameter = int(2 * r * rng.uniform(0.85, 1.05))
    font_name = rng.choice(("print-mincho", "print-gothic"))
    mask = _seal_mask(surname, diameter, font_name, rng)
    angle = rng.uniform(-15, 15)
    matrix = cv2.getRotationMatrix2D((diameter / 2, diameter / 2), angle, 1.0)
    mask = cv2.warpAffine(mask, matrix, (diameter, diameter))
    x = int(cx - diameter / 2 + rng.uniform(-0.3, 0.3) * r)
    y = int(cy - diameter / 2 + rng.uniform(-0.3, 0.3) * r)
    color = np.array([rng.randint(185, 225), rng.randint(25, 60), rng.randint(45, 80)], np.float32) / 255
    region = np.asarray(page.crop((x, y, x + diameter, y + diameter)), np.float32)
    alpha = mask[..., None] * rng.uniform(0.8, 0.95)
    blended = region * (1 - alpha + alpha * color)
    page.paste(Image.fromarray(blended.clip(0, 255).astype(np.uint8), "RGB"), (x, y))
    return {"seal_offset_px": [int(x + diameter / 2 - cx), int(y + diameter / 2 - cy)],
            "seal_angle_deg": round(angle, 1)}
