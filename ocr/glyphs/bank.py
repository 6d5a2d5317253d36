"""The template bank: every character of the known print fonts, rendered and turned into features.

A glyph is rendered alone at ``RENDER_EM`` px, cut into an em-square *cell* centred on its ink
horizontally and on the em box vertically (so size and height on the line stay part of the
shape: ッ vs ツ, ー vs 一 vs -), and reduced by :func:`cell_features`, the same function the
reader applies to a scanned cell. The bank (both IPAex fonts, JIS X 0208 level 1 + 2 kanji,
kana, digits, Latin capitals and the symbols of printed forms) is built once and cached as
``<data_dir>/cache/glyph-bank-<key>.npz`` (about 30 MB; ~10 s to build once, 0.1 s to load;
parallel workers wait for the one that builds it).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from yomikaki.errors import ConfigError
from yomikaki.fonts import IPAEX_FILES, MISSING_HINT, ipaex_path

FEATURE_SIZE = 32  # cells are compared as FEATURE_SIZE² blurred coverage images
RENDER_EM = 64
PCA_DIMS = 96  # coarse shortlist space
LOOKALIKE = 0.955  # templates this similar (same font) are look-alikes, settled by context
BANK_VERSION = 5

FONT_FILES = {"ipaex-gothic": IPAEX_FILES["gothic"], "ipaex-mincho": IPAEX_FILES["mincho"]}


def _jis_rows(first: int, last: int) -> str:
    out = []
    for row in range(first, last + 1):
        for cell in range(1, 95):
            try:
                out.append(bytes([0xA0 + row, 0xA0 + cell]).decode("euc-jp"))
            except UnicodeDecodeError:
                continue
    return "".join(out)


CHARSETS: dict[str, str] = {
    "kanji": _jis_rows(16, 84),  # JIS X 0208 level 1 (16–47) and level 2 (48–84)
    "hiragana": "".join(chr(c) for c in range(0x3041, 0x3094)),
    "katakana": "".join(chr(c) for c in range(0x30A1, 0x30F7)) + "ー",
    "digits": "0123456789",
    "latin": "ABCDEFGHJKLMNPQRSTUVWXYZ",  # no I / O: they are 1 / 0 or a stroke of a kanji
    "symbols": "〒-ー・、。（）々〆〇",
}
CHARSETS["all"] = "".join(CHARSETS[k] for k in ("kanji", "hiragana", "katakana", "digits", "latin", "symbols"))


def expand_charset(names: list[str] | None) -> str:
    """Named sets (``kanji``, ``katakana``, ``digits``…) or literal characters, deduplicated."""
    if not names:
        return _dedupe(CHARSETS["all"])
    return _dedupe("".join(CHARSETS.get(name, name) for name in names))


def _dedupe(chars: str) -> str:
    return "".join(dict.fromkeys(c for c in chars if not c.isspace()))


def font_path(name: str) -> Path:
    if name not in FONT_FILES:
        raise ConfigError(f"フォント「{name}」は使えません (使えるもの: {', '.join(FONT_FILES)})")
    path = ipaex_path(FONT_FILES[name])
    if path is None:
        raise ConfigError(f"IPAex フォント {FONT_FILES[name]} が見つかりません", hint=MISSING_HINT)
    return path


FINE_SIZE = 48  # near-ties (バ/パ, 土/士) are settled on sharper FINE_SIZE² features
FINE_SIGMA = 0.8


def cell_features(cell: np.ndarray, size: int = FEATURE_SIZE, sigma: float = 1.0) -> np.ndarray:
    """An em-square ink cell (float, ink = 1, any size) → unit-length feature vector."""
    interp = cv2.INTER_AREA if cell.shape[0] >= size else cv2.INTER_LINEAR
    small = cv2.resize(cell.astype(np.float32), (size, size), interpolation=interp)
    small = cv2.GaussianBlur(small, (5, 5), sigma)
    vec = small.ravel()
    vec = vec - vec.mean()
    norm = float(np.linalg.norm(vec))
    return vec / norm if norm > 1e-6 else vec


@dataclass
class Bank:
    chars: np.ndarray  # (n,) str: the character of each template
    fonts: np.ndarray  # (n,) int: index into font_names
    font_names: list[str]
    features: np.ndarray  # (n, FEATURE_SIZE²) float32, unit rows
    mean: np.ndarray  # PCA centre
    basis: np.ndarray  # (FEATURE_SIZE², PCA_DIMS)
    coarse: np.ndarray  # (n, PCA_DIMS) projected templates
    ink_box: np.ndarray  # (n, 4) ink left, top, right, bottom in em units (cell centre = 0, 0)
    advance: np.ndarray  # (n,) advance width in em
    alike: np.ndarray  # (m, 2) str: pairs of characters whose templates (one font) nearly coincide

    def subset(self, charset: str) -> np.ndarray:
        """Indices of the templates whose character is in ``charset``."""
        wanted = set(charset)
        return np.array([i for i, c in enumerate(self.chars) if c in wanted], dtype=np.int64)


def render_glyph(face: ImageFont.FreeTypeFont, char: str) -> tuple[np.ndarray, tuple, float] | None:
    """The em cell of one glyph (ink = 1.0) with its ink box (em units) and advance, or None."""
    em = RENDER_EM
    size = 3 * em
    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).text((em, size / 2), char, font=face, fill=255, anchor="lm")
    ink = np.asarray(image, dtype=np.float32) / 255.0
    cols = np.nonzero(ink.max(axis=0) > 0.25)[0]
    rows = np.nonzero(ink.max(axis=1) > 0.25)[0]
    if len(cols) == 0:
        return None
    cx = (cols[0] + cols[-1] + 1) / 2
    cy = size / 2
    x0 = int(round(cx - em / 2))
    y0 = int(round(cy - em / 2))
    cell = ink[y0:y0 + em, x0:x0 + em]
    box = ((cols[0] - cx) / em, (rows[0] - cy) / em, (cols[-1] + 1 - cx) / em, (rows[-1] + 1 - cy) / em)
    return cell, box, face.getlength(char) / em


def _notdef(face: ImageFont.FreeTypeFont) -> bytes:
    return bytes(face.getmask("\ue000"))


def build_bank(font_names: list[str]) -> Bank:
    chars, fonts, feats, boxes, advances = [], [], [], [], []
    charset = CHARSETS["all"]
    for index, name in enumerate(font_names):
        face = ImageFont.truetype(str(font_path(name)), RENDER_EM)
        missing = _notdef(face)
        for char in charset:
            if bytes(face.getmask(char)) == missing:
                continue
            rendered = render_glyph(face, char)
            if rendered is None:
                continue
            cell, box, advance = rendered
            chars.append(char)
            fonts.append(index)
            feats.append(cell_features(cell))
            boxes.append(box)
            advances.append(advance)
    features = np.asarray(feats, dtype=np.float32)
    mean = features.mean(axis=0)
    centred = features - mean
    _, vectors = np.linalg.eigh(centred.T @ centred)  # PCA: eigenvalues ascending
    basis = vectors[:, ::-1][:, :PCA_DIMS].astype(np.float32).copy()
    chars_arr, fonts_arr = np.asarray(chars), np.asarray(fonts, dtype=np.int16)
    return Bank(chars_arr, fonts_arr, list(font_names), features,
                mean.astype(np.float32), basis, (features - mean) @ basis,
                np.asarray(boxes, dtype=np.float32), np.asarray(advances, dtype=np.float32),
                _lookalikes(chars_arr, fonts_arr, features))


def _lookalikes(chars: np.ndarray, fonts: np.ndarray, feats: np.ndarray) -> np.ndarray:
    """Pairs of characters of different scripts whose templates in one font nearly coincide
    (カ/力, ー/一, へ/ヘ): one of the two is never a kanji, which keeps this cheap."""
    kanji = set(CHARSETS["kanji"])
    pairs: set[tuple[str, str]] = set()
    for font in np.unique(fonts):
        idx = np.nonzero(fonts == font)[0]
        other = idx[[str(chars[i]) not in kanji for i in idx]]
        a, b = np.nonzero(feats[other] @ feats[idx].T > LOOKALIKE)
        for i, j in zip(a, b, strict=True):
            ca, cb = str(chars[other[i]]), str(chars[idx[j]])
            if ca != cb:
                pairs.update({(ca, cb), (cb, ca)})
    return np.asarray(sorted(pairs), dtype=str).reshape(-1, 2)


def _cache_path(font_names: list[str]) -> Path | None:
    try:
        from yomikaki.settings import get_settings

        folder = Path(get_settings().data_dir) / "cache"
    except Exception:  # noqa: BLE001 — settings unavailable: build in memory only
        return None
    key = hashlib.sha1()
    key.update(f"{BANK_VERSION}|{FEATURE_SIZE}|{RENDER_EM}|{PCA_DIMS}|{CHARSETS['all']}".encode())
    for name in font_names:
        stat = font_path(name).stat()
        key.update(f"|{name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return folder / f"glyph-bank-{key.hexdigest()[:16]}.npz"


@lru_cache(maxsize=4)
def _face(name: str) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(name)), RENDER_EM)


def fine_image(cell: np.ndarray) -> np.ndarray:
    """An em cell as the sharper FINE_SIZE² blurred image (matched with a small shift search)."""
    interp = cv2.INTER_AREA if cell.shape[0] >= FINE_SIZE else cv2.INTER_LINEAR
    small = cv2.resize(cell.astype(np.float32), (FINE_SIZE, FINE_SIZE), interpolation=interp)
    return cv2.GaussianBlur(small, (5, 5), FINE_SIGMA)


def fine_templates(char: str, font_name: str) -> list[np.ndarray]:
    """The sharper images of one glyph as printed, bolder (ink bleed, toner) and thinner (fax,
    low ink), rendered on demand (callers cache them)."""
    rendered = render_glyph(_face(font_name), char)
    if rendered is None:
        return [np.zeros((FINE_SIZE, FINE_SIZE), np.float32)]
    cell = rendered[0]
    kernel = np.ones((3, 3), np.uint8)
    return [fine_image(cell), fine_image(cv2.dilate(cell, kernel)), fine_image(cv2.erode(cell, kernel))]


@lru_cache(maxsize=4)
def load_bank(font_names: tuple[str, ...]) -> Bank:
    """The bank for these fonts: from the on-disk cache, else built (and cached when possible)."""
    path = _cache_path(list(font_names))
    if path is not None and path.is_file():
        try:
            return _load(path, font_names)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is rebuilt below
    if path is None:
        return build_bank(list(font_names))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "w")  # noqa: SIM115 — held while building
    except OSError:
        return build_bank(list(font_names))
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel workers: one builds, the others then load
        if path.is_file():
            try:
                return _load(path, font_names)
            except (OSError, ValueError, KeyError):
                pass
        bank = build_bank(list(font_names))
        # read with the features as the cache stores them, so the process that built the bank
        # and the processes that load it give the very same confidences
        bank.features = bank.features.astype(np.float16).astype(np.float32)
        try:
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, chars=bank.chars, fonts=bank.fonts, features=bank.features.astype(np.float16),
                     mean=bank.mean, basis=bank.basis, coarse=bank.coarse, ink_box=bank.ink_box,
                     advance=bank.advance, alike=bank.alike)
            os.replace(tmp, path)
        except OSError:
            pass
    return bank


def _load(path: Path, font_names: tuple[str, ...]) -> Bank:
    with np.load(path, allow_pickle=False) as data:
        return Bank(data["chars"], data["fonts"], list(font_names), data["features"].astype(np.float32),
                    data["mean"], data["basis"], data["coarse"], data["ink_box"], data["advance"], data["alike"])
