""""Scanning" a clean page: paper, print defects, skew, shift, scanner noise, dpi and colour mode.

``scan(page, rng, profile)`` turns a clean 300 dpi RGB page into what a scanner or fax
produces. Heavy degradations are named like the Augraphy augmentations they imitate
(``InkBleed``, ``LowInkPeriodicLines``, ``LowInkRandomLines``, ``DirtyRollers``, ``DirtyDrum``,
``BadPhotoCopy``, ``NoiseTexturize``, ``SubtleNoise``, ``Jpeg``), implemented here with
NumPy/OpenCV so there is no extra dependency.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

from samples.forms.layout import DPI

PRINT_DEFECTS = ("InkBleed", "LowInkPeriodicLines", "LowInkRandomLines")
SCANNER_DEFECTS = ("DirtyRollers", "DirtyDrum", "BadPhotoCopy", "NoiseTexturize", "SubtleNoise", "Jpeg")
HEAVY_EFFECTS = PRINT_DEFECTS + SCANNER_DEFECTS


@dataclass
class ScanProfile:
    """How one page is scanned; ``random_profile`` draws one for a degradation level."""

    dpi: int = DPI
    rotation_deg: float = 0.0
    shift_px: tuple[int, int] = (0, 0)
    upside_down: bool = False
    blur: bool = True
    noise_sigma: float = 1.5
    mode: str = "RGB"               # RGB, L (grayscale) or 1 (fax-like 1-bit)
    perspective_px: int = 0         # corners moved by up to this much (a slanted or lifted page)
    scale: float = 1.0              # < 1 when the form was printed "fit to page"
    effects: list[str] = field(default_factory=list)

    @property
    def fax(self) -> bool:
        return self.mode == "1"

    def meta(self) -> dict:
        return {"dpi": self.dpi, "rotation_deg": round(self.rotation_deg, 2),
                "shift_px": [int(self.shift_px[0]), int(self.shift_px[1])],
                "upside_down": self.upside_down, "blur": self.blur,
                "noise_sigma": round(self.noise_sigma, 2), "fax": self.fax,
                "perspective_px": self.perspective_px, "scale": round(self.scale, 3),
                "degradations": list(self.effects), "mode": self.mode}


def random_profile(rng: random.Random, heavy: bool, dpi: int = DPI) -> ScanProfile:
    if heavy:
        effects = rng.sample(HEAVY_EFFECTS, rng.randint(1, 3))
        effects.sort(key=HEAVY_EFFECTS.index)
        return ScanProfile(
            dpi=dpi, rotation_deg=rng.uniform(-4.0, 4.0),
            shift_px=(rng.randint(-30, 30), rng.randint(-30, 30)),
            upside_down=rng.random() < 0.1, blur=rng.random() < 0.6,
            noise_sigma=rng.uniform(1.5, 4.0),
            mode=rng.choices(("RGB", "L"), weights=(65, 35))[0], effects=effects,
            perspective_px=rng.randint(8, 30) if rng.random() < 0.4 else 0,
            scale=rng.uniform(0.95, 0.99) if rng.random() < 0.25 else 1.0,
        )
    return ScanProfile(
        dpi=dpi, rotation_deg=rng.uniform(-1.2, 1.2),
        shift_px=(rng.randint(-30, 30), rng.randint(-30, 30)),
        blur=rng.random() < 0.7, noise_sigma=rng.uniform(1.0, 2.0),
    )


# --- print defects (on the page, before it is scanned) ----------------------------------------

def _lighten_rows(img: np.ndarray, rows: np.ndarray, strength: float) -> None:
    band = img[rows].astype(np.float32)
    img[rows] = (255 - (255 - band) * strength).astype(np.uint8)


def ink_bleed(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    spread = cv2.erode(img, np.ones((3, 3), np.uint8))
    mixed = cv2.addWeighted(img, 0.45, spread, 0.55, 0)
    return cv2.GaussianBlur(mixed, (3, 3), 0.9)


def low_ink_periodic(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    period, width = rng.randint(18, 48), rng.randint(2, 5)
    start = rng.randrange(period)
    rows = np.concatenate([np.arange(y, min(y + width, img.shape[0])) for y in range(start, img.shape[0], period)])
    _lighten_rows(img, rows, rng.uniform(0.25, 0.6))
    return img


def low_ink_random(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    count = rng.randint(15, 60)
    starts = nrng.integers(0, img.shape[0] - 6, count)
    rows = np.unique(np.concatenate([np.arange(y, y + rng.randint(1, 5)) for y in starts]))
    _lighten_rows(img, rows, rng.uniform(0.2, 0.55))
    return img


# --- scanner defects (after skew, in scanner coordinates) ------------------------------------

def _multiply(img: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """``img`` × ``factor`` (0..1, one value per pixel) in uint8 arithmetic (fast, little memory)."""
    f8 = cv2.convertScaleAbs(factor, alpha=255.0)
    if img.ndim == 3:
        f8 = cv2.merge([f8, f8, f8])
    return cv2.multiply(img, f8, scale=1 / 255.0)


def _low_freq(nrng: np.random.Generator, shape: tuple[int, int], cells: int) -> np.ndarray:
    h, w = shape
    grid = nrng.random((max(2, h // cells), max(2, w // cells)), dtype=np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def dirty_rollers(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    profile = np.ones(h, np.float32)
    period = rng.randint(60, 160)
    lines = nrng.integers(0, period, rng.randint(3, 8))
    for y0 in range(0, h, period):
        for dy in lines:
            y = y0 + int(dy)
            if y < h:
                profile[y: y + rng.randint(1, 3)] *= rng.uniform(0.78, 0.95)
    along = 0.75 + 0.25 * _low_freq(nrng, (1, w), 40)[0]
    factor = 1 - (1 - profile[:, None]) * along[None, :]
    return _multiply(img, factor)


def dirty_drum(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    factor = np.ones((h, w), np.float32)
    for x in nrng.integers(0, w - 4, rng.randint(2, 7)):
        width = rng.randint(1, 4)
        factor[:, x: x + width] *= (rng.uniform(0.55, 0.85) + 0.15 * _low_freq(nrng, (h, 1), 50)[:, :1])
    spots = nrng.random((h // 4, w // 4), dtype=np.float32) > 0.9993
    spots = cv2.resize(spots.astype(np.uint8) * 255, (w, h), interpolation=cv2.INTER_NEAREST)
    spots = cv2.GaussianBlur(cv2.dilate(spots, np.ones((5, 5), np.uint8)), (7, 7), 2)
    factor *= 1 - spots.astype(np.float32) / 255 * 0.7
    return _multiply(img, factor)


def bad_photocopy(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    clusters = _low_freq(nrng, (h, w), 10) > rng.uniform(0.8, 0.88)
    grain = nrng.random((h, w), dtype=np.float32) > rng.uniform(0.8, 0.92)
    darken = np.where(clusters & grain, rng.uniform(0.55, 0.8), 1.0).astype(np.float32)
    shade = 1 - rng.uniform(0.02, 0.08) * _low_freq(nrng, (h, w), max(h, w) // 3)  # uneven toner
    out = _multiply(img, cv2.GaussianBlur(darken, (3, 3), 0.7) * shade)
    contrast = rng.uniform(1.05, 1.2)  # copiers darken strokes and grey the paper a little
    return cv2.convertScaleAbs(out, alpha=contrast, beta=-(contrast - 1) * 255 + rng.uniform(-8, 0))


def noise_texturize(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    coarse = _low_freq(nrng, (h, w), 12)
    fine = _low_freq(nrng, (h, w), 3)
    factor = 1 - rng.uniform(0.03, 0.09) * coarse - rng.uniform(0.02, 0.06) * fine
    return _multiply(img, factor)


def subtle_noise(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    return _add_noise(img, nrng, rng.uniform(3.0, 7.0))


def jpeg_artifacts(img: np.ndarray, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    quality = rng.randint(12, 35)
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


EFFECTS = {
    "InkBleed": ink_bleed, "LowInkPeriodicLines": low_ink_periodic, "LowInkRandomLines": low_ink_random,
    "DirtyRollers": dirty_rollers, "DirtyDrum": dirty_drum, "BadPhotoCopy": bad_photocopy,
    "NoiseTexturize": noise_texturize, "SubtleNoise": subtle_noise, "Jpeg": jpeg_artifacts,
}


@lru_cache(maxsize=1)
def _noise_planes() -> tuple[np.ndarray, np.ndarray]:
    """A fixed field of Gaussian noise (σ = 4), split in positive / negative uint8 planes."""
    values = np.random.default_rng(20260401).standard_normal((3600, 2560), dtype=np.float32) * 4
    return cv2.convertScaleAbs(np.maximum(values, 0)), cv2.convertScaleAbs(np.minimum(values, 0))


def _add_noise(img: np.ndarray, nrng: np.random.Generator, sigma: float) -> np.ndarray:
    """Add Gaussian noise of ``sigma``: a random window of a fixed noise field (fast, uint8 only)."""
    pos, neg = _noise_planes()
    h, w = img.shape[:2]
    oy, ox = int(nrng.integers(0, pos.shape[0] - h + 1)), int(nrng.integers(0, pos.shape[1] - w + 1))
    p, n = pos[oy: oy + h, ox: ox + w], neg[oy: oy + h, ox: ox + w]
    if nrng.random() < 0.5:  # flip the window too, so pages do not share one pattern
        p, n = p[::-1], n[::-1]
    if img.ndim == 3:
        p, n = cv2.merge([p, p, p]), cv2.merge([n, n, n])
    else:
        p, n = np.ascontiguousarray(p), np.ascontiguousarray(n)
    out = cv2.addWeighted(img, 1.0, p, sigma / 4, 0)
    return cv2.addWeighted(out, 1.0, n, -sigma / 4, 0)


def _geometry(img: np.ndarray, profile: ScanProfile, rng: random.Random) -> np.ndarray:
    h, w = img.shape[:2]
    scale = profile.dpi / DPI
    out_w, out_h = round(w * scale), round(h * scale)
    angle = profile.rotation_deg + (180.0 if profile.upside_down else 0.0)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale * profile.scale)
    matrix[0, 2] += (out_w - w) / 2 + profile.shift_px[0] * scale
    matrix[1, 2] += (out_h - h) / 2 + profile.shift_px[1] * scale
    background = rng.randint(238, 252)  # scanner lid
    border = (background,) * (3 if img.ndim == 3 else 1)
    if profile.perspective_px:
        d = profile.perspective_px * scale
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = cv2.transform(src[None], matrix)[0]
        dst += np.float32([[rng.uniform(-d, d), rng.uniform(-d, d)] for _ in range(4)])
        homography = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
        return cv2.warpPerspective(img, homography, (out_w, out_h), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return cv2.warpAffine(img, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def scan(page: Image.Image, rng: random.Random, profile: ScanProfile) -> Image.Image:
    """The scanned image of ``page`` (a clean 300 dpi RGB page) under ``profile``."""
    nrng = np.random.default_rng(rng.randrange(2**63))
    img = np.asarray(page.convert("RGB")).copy()
    tint = np.array([rng.uniform(0.975, 1.0), rng.uniform(0.97, 0.995), rng.uniform(0.955, 0.99)])
    lut = np.clip(np.arange(256)[:, None] * tint[None, :], 0, 255).astype(np.uint8)
    img = cv2.merge([cv2.LUT(img[..., c], lut[:, c]) for c in range(3)])
    for name in profile.effects:
        if name in PRINT_DEFECTS:
            img = EFFECTS[name](img, rng, nrng)
    if profile.mode != "RGB":
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    img = _geometry(img, profile, rng)
    for name in profile.effects:
        if name in SCANNER_DEFECTS:
            img = EFFECTS[name](img, rng, nrng)
    if profile.blur:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.55, 0.9))
    img = _add_noise(img, nrng, profile.noise_sigma)
    if profile.mode == "1":
        threshold = rng.randint(150, 185)
        bits = np.where(img > threshold, 255, 0).astype(np.uint8)
        flips = nrng.random(bits.shape, dtype=np.float32) < 0.0008  # line noise specks
        bits[flips] = 0
        return Image.fromarray(bits, "L").convert("1", dither=Image.Dither.NONE)
    return Image.fromarray(img, "RGB" if img.ndim == 3 else "L")
