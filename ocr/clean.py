"""Image cleaning for OCR crops: grayscale, ink mask, blank-form subtraction, line removal.

The page is aligned to the blank form, so the form's own print (ruled lines, boxes, labels)
is removed from a crop by masking the blank's ink (slightly dilated); what is left is what
the city printed or the resident wrote.
"""

from __future__ import annotations

import cv2
import numpy as np


def gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def ink_threshold(page_gray: np.ndarray) -> int:
    """A page-wide dark/light threshold (Otsu on a subsample), kept within sane bounds."""
    sample = page_gray[::4, ::4]
    t, _ = cv2.threshold(sample, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return int(min(max(t, 110), 200))


def ink_mask(crop_gray: np.ndarray, threshold: int) -> np.ndarray:
    """uint8 0/255 mask of ink pixels, with speckle noise removed."""
    mask = (crop_gray < threshold).astype(np.uint8) * 255
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


def blank_ink(blank_gray: np.ndarray, dilate: int = 5) -> np.ndarray:
    mask = (blank_gray < 160).astype(np.uint8) * 255
    if dilate:
        mask = cv2.dilate(mask, np.ones((dilate, dilate), np.uint8))
    return mask


def remove_lines(mask: np.ndarray, min_len: int = 60) -> np.ndarray:
    """Remove long horizontal and vertical runs (ruled lines, box borders) from an ink mask."""
    horiz = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)))
    vert = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)))
    return cv2.subtract(mask, cv2.bitwise_or(horiz, vert))


def drop_specks(mask: np.ndarray, min_area: int) -> np.ndarray:
    """0/255 mask of the ink components (8-connected) of at least ``min_area`` pixels."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(n, np.uint8)
    keep[1:] = np.where(stats[1:, cv2.CC_STAT_AREA] >= min_area, 255, 0)
    if n == 1 or keep[1:].all():  # nothing to drop: every ink pixel stays
        return cv2.compare(mask, 0, cv2.CMP_NE)
    return keep[labels]


def ink_bbox(mask: np.ndarray, pad: int = 0) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    h, w = mask.shape
    return (max(0, xs.min() - pad), max(0, ys.min() - pad), min(w, xs.max() + 1 + pad), min(h, ys.max() + 1 + pad))


def to_ocr_image(mask: np.ndarray) -> np.ndarray:
    """Black text on white, as tesseract prefers."""
    return 255 - mask
