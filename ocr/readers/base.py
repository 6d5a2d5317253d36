"""Reader family: one module per field type, all reading from an aligned page.

A reader gets every item of its type on a page at once (so tesseract is called once per
engine setting, not once per field) and returns a :class:`FieldRead` per item key.
``get_reader(type)`` resolves a template's ``type:`` name, with "did you mean".
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from ocr import clean
from ocr.align import BlankForm
from ocr.template import Template

Zone = tuple[float, float, float, float]
LOCAL_MARGIN = 25  # px of form print around a zone used to refine its position
LOCAL_SEARCH = 18  # px searched in every direction


@dataclass
class Item:
    """One thing to read: a field, or one cell of a table row (key ``members.2.name``)."""

    key: str
    type: str
    zone: Zone | None
    engine: str | None = None
    boxes: int | None = None
    options: dict[str, Zone] = field(default_factory=dict)
    parts: dict[str, Zone] = field(default_factory=dict)
    choices: list[str] = field(default_factory=list)
    min_red_ratio: float = 0.012


@dataclass
class FieldRead:
    raw: Any  # what the engine saw, before normalisation
    confidence: float  # the engine's own 0..1
    box_px: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 on the aligned page
    detail: dict[str, Any] = field(default_factory=dict)


class PageContext:
    """An aligned page plus everything readers share (threshold, blank form, scale)."""

    def __init__(self, image: np.ndarray, template: Template, blank: BlankForm, *, is_color: bool,
                 gray: np.ndarray | None = None):
        self.image = image
        self.gray = clean.gray(image) if gray is None else gray  # ``gray``: the page in grey, if known
        self.template = template
        self.blank = blank
        self.ppm = blank.px_per_mm
        self.threshold = clean.ink_threshold(self.gray)
        self.is_color = is_color
        self.qr_text: str | None = None  # the form's QR code, when classification decoded it already
        self._blank_ink: np.ndarray | None = None
        self._offsets: dict[tuple[int, int, int, int], tuple[int, int]] = {}

    @property
    def blank_ink(self) -> np.ndarray:
        if self._blank_ink is None:
            self._blank_ink = _blank_ink_cached(self.blank)
        return self._blank_ink

    def px(self, zone: Zone, pad_mm: float = 0.0) -> tuple[int, int, int, int]:
        x, y, w, h = zone
        H, W = self.gray.shape
        x0 = int(round((x - pad_mm) * self.ppm))
        y0 = int(round((y - pad_mm) * self.ppm))
        x1 = int(round((x + w + pad_mm) * self.ppm))
        y1 = int(round((y + h + pad_mm) * self.ppm))
        return max(0, x0), max(0, y0), min(W, x1), min(H, y1)

    def local_offset(self, box: tuple[int, int, int, int]) -> tuple[int, int]:
        """Residual shift (dx, dy) of the page around ``box`` against the blank form, found by
        matching the form's own lines near the box (corrects local skew / paper stretch)."""
        if box in self._offsets:
            return self._offsets[box]
        x0, y0, x1, y1 = box
        H, W = self.gray.shape
        m, s = LOCAL_MARGIN, LOCAL_SEARCH
        tx0, ty0, tx1, ty1 = max(0, x0 - m), max(0, y0 - m), min(W, x1 + m), min(H, y1 + m)
        sx0, sy0, sx1, sy1 = max(0, tx0 - s), max(0, ty0 - s), min(W, tx1 + s), min(H, ty1 + s)
        lines = _blank_lines_cached(self.blank)[ty0:ty1, tx0:tx1]  # 0/1
        offset = (0, 0)
        if lines.any() and not lines.all():  # some form print, not a solid block
            search = (self.gray[sy0:sy1, sx0:sx1] < self.threshold).astype(np.float32)
            result = cv2.matchTemplate(search, lines.astype(np.float32), cv2.TM_CCORR_NORMED)
            _, best, _, loc = cv2.minMaxLoc(result)
            if best > 0.3:
                offset = (loc[0] - (tx0 - sx0), loc[1] - (ty0 - sy0))
        self._offsets[box] = offset
        return offset

    def crop_gray(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """The page's grey pixels of ``box``, shifted by the local offset."""
        dx, dy = self.local_offset(box)
        x0, y0, x1, y1 = box
        H, W = self.gray.shape
        if dx == 0 and dy == 0:
            return self.gray[y0:y1, x0:x1]
        out = np.full((y1 - y0, x1 - x0), 255, np.uint8)
        sx0, sy0, sx1, sy1 = max(0, x0 + dx), max(0, y0 + dy), min(W, x1 + dx), min(H, y1 + dy)
        out[sy0 - (y0 + dy):sy1 - (y0 + dy), sx0 - (x0 + dx):sx1 - (x0 + dx)] = self.gray[sy0:sy1, sx0:sx1]
        return out

    def new_ink(self, box: tuple[int, int, int, int], *, speck: int = 6) -> np.ndarray:
        """Ink mask of a pixel box with the blank form's own print removed."""
        x0, y0, x1, y1 = box
        mask = clean.ink_mask(self.crop_gray(box), self.threshold)
        mask = cv2.subtract(mask, self.blank_ink[y0:y1, x0:x1])
        width = x1 - x0
        if width >= 200:  # scanner streaks / low-ink lines run across the whole zone
            mask = drop_horizontal_lines(mask, max(120, int(0.45 * width)))
        return clean.drop_specks(mask, speck) if speck else mask


def drop_horizontal_lines(mask: np.ndarray, run: int) -> np.ndarray:
    """``mask`` without its horizontal lines of ``run`` px or longer (scanner streaks, roller
    marks), a pixel above and below them included."""
    lines = horizontal_runs(mask, run)
    return mask if lines is None else cv2.subtract(mask, cv2.dilate(lines, np.ones((3, 1), np.uint8)))


def horizontal_runs(mask: np.ndarray, run: int) -> np.ndarray | None:
    """``mask`` opened with a ``run``×1 line (ink in horizontal runs of about ``run`` px or
    more), or None when that is empty. Same result as one ``cv2.morphologyEx`` over the whole
    mask, but only rows that can hold such a run are filtered: the erosion keeps a pixel only
    when at least ⌈run/2⌉ consecutive pixels of its row are ink (fewer at the mask's edge is
    impossible: outside counts as ink for the erosion, at most ⌊run/2⌋ of the window)."""
    rows = np.flatnonzero(np.count_nonzero(mask, axis=1) >= (run + 1) // 2)
    if rows.size == 0:
        return None
    opened = cv2.morphologyEx(mask[rows], cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    if not opened.any():
        return None
    lines = np.zeros_like(mask)
    lines[rows] = opened
    return lines


# Per-process caches keyed by the (identity-hashed) BlankForm: made once, not once per page.
_BLANK_INK: dict[BlankForm, np.ndarray] = {}
_BLANK_LINES: dict[BlankForm, np.ndarray] = {}


def _blank_lines_cached(blank: BlankForm) -> np.ndarray:
    """uint8 0/1 map of the blank form's print (the lines local offsets are matched on)."""
    if blank not in _BLANK_LINES:
        _BLANK_LINES[blank] = (blank.gray < 160).astype(np.uint8)
    return _BLANK_LINES[blank]


def _blank_ink_cached(blank: BlankForm) -> np.ndarray:
    if blank not in _BLANK_INK:
        _BLANK_INK[blank] = clean.blank_ink(blank.gray, 5)
    return _BLANK_INK[blank]


class Reader(ABC):
    type_names: tuple[str, ...] = ()

    @abstractmethod
    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        """Read every item (all of this reader's type) on one page."""


_REGISTRY: dict[str, type[Reader]] = {}


def register(cls: type[Reader]) -> type[Reader]:
    for name in cls.type_names:
        _REGISTRY[name] = cls
    return cls


def get_reader(type_name: str) -> Reader:
    from ocr import readers  # noqa: F401  (imports every reader module, filling the registry)

    cls = _REGISTRY.get(type_name)
    if cls is None:
        close = difflib.get_close_matches(type_name, list(_REGISTRY), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise KeyError(f"no reader for field type '{type_name}'{hint}")
    return cls()
