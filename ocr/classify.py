"""Page classification: blank page, this template's form, or an unknown document.

- blank: almost no ink once scanner noise (specks, faint streaks) is discounted;
- the form: the page aligns with the blank form (see ``ocr.align``) and its QR code holds an
  application number, or its title reads like the template's title, or the alignment
  correlation alone is very high;
- a QR code with an application number on a page that does not align → the form, but it
  cannot be read safely (flagged as an error, never read with shifted zones);
- anything else → ``unknown_form``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import cv2
import numpy as np

from ocr.align import Alignment
from ocr.readers.qr import decode_qr
from ocr.template import Template

BLANK_INK_RATIO = 0.0015  # share of the page in text-like ink components
STREAK_COVER = 0.25  # share of a page column or row inked by a scanner streak (text never is)
NEIGHBOUR_PX = 4  # on the page scaled to 1000 px (≈ 1.2 mm on A4): closer ink is a neighbour
DOT_AREA = 100  # px at that scale (≈ 3 mm across): smaller lone components are dots or blots
LONE_GROUP = 2  # text comes in lines of three or more neighbouring components; dots alone or in pairs
STRONG_ALIGNMENT = 0.7


@dataclass
class Classification:
    status: str  # "ok" | "blank" | "unknown_form" | "error"
    form: str | None
    reason: str = ""
    qr_text: str | None = None
    title_text: str | None = None


def ink_ratio(image: np.ndarray) -> float:
    """Share of the page covered by text-like ink (specks and long streaks ignored).

    ``image``: BGR or already grey."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    f = 1000 / max(gray.shape)
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    margin = int(0.03 * max(h, w))
    small = small[margin:h - margin, margin:w - margin]
    background = cv2.medianBlur(small, 31)
    dark = ((background.astype(np.int16) - small) > 60).astype(np.uint8)
    for view in (dark, dark.T):  # scanner streaks, even broken into dashes: a column (row) inked over a quarter
        streak = np.flatnonzero(view.mean(axis=0) >= STREAK_COVER)
        for offset in (-1, 0, 1):
            view[:, np.clip(streak + offset, 0, view.shape[1] - 1)] = 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    longest = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = (area >= 4) & (longest <= 0.5 * min(small.shape))  # not a speck, not a scanner streak
    keep[0] = False
    if keep.any():
        keep &= ~_isolated_dots(labels, keep, area)
    return int(area[keep].sum()) / small.size


def _isolated_dots(labels: np.ndarray, keep: np.ndarray, area: np.ndarray) -> np.ndarray:
    """Components that are small and alone (or in a pair) within ~1 mm: the toner dots of a dirty
    drum scattered over a blank page. Print and handwriting come in lines of touching neighbours."""
    kept = keep[labels].astype(np.uint8)
    grown = cv2.dilate(kept, np.ones((2 * NEIGHBOUR_PX + 1, 2 * NEIGHBOUR_PX + 1), np.uint8))
    _, clusters = cv2.connectedComponents(grown, connectivity=8)
    inked = kept > 0
    component, first = np.unique(labels[inked], return_index=True)
    cluster = np.zeros(len(keep), np.int64)
    cluster[component] = clusters[inked][first]
    members = np.bincount(cluster[keep], minlength=int(cluster.max()) + 1)
    return keep & (members[cluster] <= LONE_GROUP) & (area < DOT_AREA)


def is_blank(image: np.ndarray) -> bool:
    return ink_ratio(image) < BLANK_INK_RATIO


def identify(image: np.ndarray, alignment: Alignment, template: Template) -> Classification:
    """``image``: the scan (BGR or grey)."""
    pattern = re.compile(template.recognise.qr_pattern)
    if alignment.ok:
        ppm = alignment.image.shape[1] / template.page.width_mm
        qr_text = None
        if template.recognise.qr_field:
            spec = template.field(template.recognise.qr_field)
            x, y, w, h = spec.zone
            gray = _aligned_gray(alignment)
            crop = gray[max(0, int((y - 3) * ppm)):int((y + h + 3) * ppm),
                        max(0, int((x - 3) * ppm)):int((x + w + 3) * ppm)]
            qr_text = decode_qr(crop)
        if qr_text and pattern.match(qr_text):
            return Classification("ok", template.id, qr_text=qr_text)
        if alignment.score >= STRONG_ALIGNMENT:
            return Classification("ok", template.id, qr_text=qr_text)
        title = _title_text(_aligned_gray(alignment), template, ppm)
        if title is not None and _similar(title, template.recognise.title.text) >= template.recognise.title.min_similarity:
            return Classification("ok", template.id, qr_text=qr_text, title_text=title)
        return Classification("unknown_form", None,
                              f"ひな形と形は似ていますが、QRコードも表題も確認できません (一致度 {alignment.score:.2f})")
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    qr_text = decode_qr(cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    if qr_text and pattern.match(qr_text):
        return Classification("error", template.id,
                              f"{template.title} と思われますが位置合わせできないため読み取りません: {alignment.reason}",
                              qr_text=qr_text)
    return Classification("unknown_form", None, f"{template.title} ではありません ({alignment.reason})")


def _title_text(aligned: np.ndarray, template: Template, ppm: float) -> str | None:
    rule = template.recognise.title
    if rule is None:
        return None
    from ocr.tools.tesseract import read_lines

    x, y, w, h = rule.zone
    gray = aligned if aligned.ndim == 2 else cv2.cvtColor(aligned, cv2.COLOR_BGR2GRAY)
    crop = gray[int(y * ppm):int((y + h) * ppm), int(x * ppm):int((x + w) * ppm)]
    result = read_lines([crop], lang="jpn", psm=7)
    return result[0].text if result else None


def _aligned_gray(alignment: Alignment) -> np.ndarray:
    if alignment.gray is not None:
        return alignment.gray
    return cv2.cvtColor(alignment.image, cv2.COLOR_BGR2GRAY)


def _similar(a: str, b: str) -> float:
    a = re.sub(r"\s", "", a)
    b = re.sub(r"\s", "", b)
    return SequenceMatcher(None, a, b).ratio()
