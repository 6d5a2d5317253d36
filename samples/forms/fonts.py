"""Fonts of the sample forms: IPAex (printed by the city) and two OFL handwriting fonts.

The handwriting fonts (``fonts/yomogi.ttf``, ``fonts/kiwi-maru.ttf``, SIL OFL 1.1, licences
beside them) ship in the repository. IPAex Gothic / Mincho come from Debian's
``fonts-ipaexfont`` package (or ``YOMIKAKI_IPAEX_DIR``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from yomikaki.fonts import ipaex_path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
HAND_FONTS = {"yomogi": FONT_DIR / "yomogi.ttf", "kiwi-maru": FONT_DIR / "kiwi-maru.ttf"}
PRINT_FONT_FILES = {"print-gothic": "ipaexg.ttf", "print-mincho": "ipaexm.ttf"}


class FontMissing(RuntimeError):
    """A font the sample generator needs is not installed."""


def print_font_path(name: str) -> Path:
    """Path of ``print-gothic`` (IPAex Gothic) or ``print-mincho`` (IPAex Mincho)."""
    file_name = PRINT_FONT_FILES[name]
    path = ipaex_path(file_name)
    if path is None:
        raise FontMissing(
            f"IPAex フォント {file_name} が見つかりません。Debian では `apt-get install fonts-ipaexfont` で"
            " 入れるか、YOMIKAKI_IPAEX_DIR にフォルダを指定してください。"
        )
    return path


@lru_cache(maxsize=512)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """A font by name (``yomogi``, ``kiwi-maru``, ``print-gothic``, ``print-mincho``) and px size."""
    path = HAND_FONTS[name] if name in HAND_FONTS else print_font_path(name)
    return ImageFont.truetype(str(path), size=max(4, int(size)))


@lru_cache(maxsize=4)
def _notdef(name: str) -> bytes:
    return bytes(font(name, 40).getmask("\ue000"))


@lru_cache(maxsize=8192)
def has_glyph(name: str, char: str) -> bool:
    """True when the font draws ``char`` (not its empty or .notdef box)."""
    if char.isspace():
        return True
    mask = font(name, 40).getmask(char)
    return bool(mask.getbbox()) and bytes(mask) != _notdef(name)


def covers(name: str, text: str) -> bool:
    return all(has_glyph(name, ch) for ch in text)
