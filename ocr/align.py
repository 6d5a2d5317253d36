"""Orientation and registration of a scanned page to the template's blank form.

1. Orientation: portrait pages are tried at 0° and 180°, landscape pages at 90° and 270°.
2. Registration: the four solid corner marks give a perspective transform; if they are not
   all found, ORB features + RANSAC homography against the blank form are tried.
3. Sanity check: the warped page's ink map must correlate with the blank form's ink map
   (and a homography must be close to a similarity). The candidate orientation with the best
   correlation wins. A page that fails is *not aligned* and is never read with shifted zones.

The aligned page has the blank form's size (300 dpi A4), whatever the scan's dpi.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocr.template import Template

MAP_SCALE = 1 / 8  # resolution of the ink maps used for the correlation check
MIN_CORRELATION = 0.45  # below this the page is not this form / not aligned


@dataclass
class Alignment:
    ok: bool
    image: np.ndarray | None  # aligned BGR page, blank-form size
    rotation: int  # degrees applied to the scan (0/90/180/270, counter-clockwise)
    method: str  # "marks" | "features" | "none"
    score: float  # ink-map correlation with the blank form
    reason: str = ""
    gray: np.ndarray | None = None  # the aligned page in grey (computed once, shared by the stages)


@dataclass(frozen=True, eq=False)
class BlankForm:
    gray: np.ndarray
    ink_map: np.ndarray
    marks_px: np.ndarray  # 4×2 mark centres in blank pixels
    mark_px: float  # mark side in blank pixels
    px_per_mm: float


@lru_cache(maxsize=4)
def blank_form(blank_path: Path, page_w_mm: float, marks: tuple | None, mark_mm: float) -> BlankForm:
    gray = cv2.imread(str(blank_path), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise FileNotFoundError(f"blank form image not readable: {blank_path}")
    ppm = gray.shape[1] / page_w_mm
    centres = np.array(marks, dtype=np.float32) * ppm if marks else np.zeros((0, 2), np.float32)
    return BlankForm(gray, ink_map(gray), centres, mark_mm * ppm, ppm)


def blank_for(template: Template) -> BlankForm:
    marks = template.recognise.marks
    return blank_form(
        template.blank_path,
        template.page.width_mm,
        tuple(map(tuple, marks.centres)) if marks else None,
        marks.size_mm if marks else 0.0,
    )


def to_gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def ink_map(gray: np.ndarray, size: tuple[int, int] | None = None) -> np.ndarray:
    """Low-resolution map of dark (ink) density, zero mean, unit norm."""
    h, w = gray.shape
    target = size or (max(1, int(w * MAP_SCALE)), max(1, int(h * MAP_SCALE)))
    small = cv2.resize(gray, target, interpolation=cv2.INTER_AREA).astype(np.float32)
    ink = 255.0 - small
    ink = cv2.GaussianBlur(ink, (0, 0), 1.5)
    ink -= ink.mean()
    norm = float(np.linalg.norm(ink))
    return ink / norm if norm > 0 else ink


def correlation(gray_aligned: np.ndarray, blank: BlankForm) -> float:
    h, w = blank.ink_map.shape
    return float((ink_map(gray_aligned, (w, h)) * blank.ink_map).sum())


def rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    return image if degrees % 360 == 0 else cv2.rotate(image, codes[degrees % 360])


def quarter(gray: np.ndarray) -> np.ndarray:
    """The page at 1/4 size (4×4 pixel averages), as ``find_marks`` and ``_score`` use it."""
    return cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)


def _quarters(gray: np.ndarray, rotations) -> dict[int, np.ndarray] | None:
    """``quarter(rotate(gray, r))`` for every rotation, from one resize: when both sides are
    multiples of 4 the 4×4 blocks are the same whatever the rotation, so rotating the small
    page gives exactly the same pixels. None for other sizes (each is then made on its own)."""
    h, w = gray.shape
    if h % 4 or w % 4:
        return None
    small = quarter(gray)
    return {rot: rotate(small, rot) for rot in rotations}


def find_marks(gray: np.ndarray, blank: BlankForm, small: np.ndarray | None = None) -> np.ndarray | None:
    """Centres (4×2, order TL, TR, BL, BR) of the solid corner squares, or None.

    ``small``: ``quarter(gray)`` if the caller has it."""
    h, w = gray.shape
    scale = w / blank.gray.shape[1]  # scan px per blank px (e.g. 0.67 at 200 dpi)
    f = 0.25
    if small is None or small.shape != (int(h * f), int(w * f)):
        small = cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
    _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    side = blank.mark_px * scale * f
    k = max(3, int(side * 0.55))
    opened = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    n, _, stats, cents = cv2.connectedComponentsWithStats(opened)
    sh, sw = small.shape
    found = []
    for corner, (cx, cy) in enumerate(blank.marks_px * scale * f):
        best, best_d = None, None
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            if not (0.6 * side <= bw <= 1.5 * side and 0.6 * side <= bh <= 1.5 * side):
                continue
            if area < 0.7 * bw * bh:
                continue
            px, py = cents[i]
            right, bottom = corner in (1, 3), corner in (2, 3)
            if (px > sw * 0.75) != right or (px < sw * 0.25) != (not right):
                continue
            if (py > sh * 0.8) != bottom or (py < sh * 0.2) != (not bottom):
                continue
            d = (px - cx) ** 2 + (py - cy) ** 2
            if best_d is None or d < best_d:
                best, best_d = (px, py), d
        if best is None:
            return None
        found.append(_refine_centre(gray, best[0] / f, best[1] / f, side / f))
    return np.array(found, dtype=np.float32)


def _refine_centre(gray: np.ndarray, x: float, y: float, side: float) -> tuple[float, float]:
    r = int(side)
    x0, y0 = max(0, int(x) - r), max(0, int(y) - r)
    win = gray[y0:int(y) + r, x0:int(x) + r]
    if win.size == 0:
        return x, y
    _, binary = cv2.threshold(win, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    # A band of low toner across the mark (a weak print row) splits it in two: close such gaps
    # so the centre is the whole square's, not its larger half's.
    k = max(3, int(side * 0.3)) | 1
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    n, _, stats, cents = cv2.connectedComponentsWithStats(binary)
    if n < 2:
        return x, y
    i = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return x0 + float(cents[i][0]), y0 + float(cents[i][1])


def _warp(image: np.ndarray, matrix: np.ndarray, blank: BlankForm) -> np.ndarray:
    h, w = blank.gray.shape
    return cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))


def _score(gray: np.ndarray, matrix: np.ndarray, blank: BlankForm, small: np.ndarray | None = None) -> float:
    """Ink-map correlation of the warped page with the blank, computed at low resolution."""
    f = 0.25
    if small is None:
        small = quarter(gray)
    h, w = blank.gray.shape
    scale = np.diag([f, f, 1.0])
    small_matrix = scale @ matrix @ np.linalg.inv(scale)
    warped = cv2.warpPerspective(small, small_matrix, (int(w * f), int(h * f)), flags=cv2.INTER_LINEAR,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    bh, bw = blank.ink_map.shape
    return float((ink_map(warped, (bw, bh)) * blank.ink_map).sum())


def _plausible(matrix: np.ndarray, expected_scale: float) -> bool:
    """The homography must be close to a similarity (little shear / perspective)."""
    if matrix is None or not np.all(np.isfinite(matrix)):
        return False
    a = matrix[:2, :2] / matrix[2, 2]
    sx, sy = np.linalg.norm(a[:, 0]), np.linalg.norm(a[:, 1])
    if not (0.7 < sx / sy < 1.4):
        return False
    if not (0.6 * expected_scale < (sx + sy) / 2 < 1.6 * expected_scale):
        return False
    return abs(matrix[2, 0]) < 1e-3 and abs(matrix[2, 1]) < 1e-3


def _by_marks(gray: np.ndarray, blank: BlankForm, small: np.ndarray | None = None) -> np.ndarray | None:
    if len(blank.marks_px) != 4:
        return None
    marks = find_marks(gray, blank, small)
    if marks is None:
        return None
    matrix = cv2.getPerspectiveTransform(marks, blank.marks_px.astype(np.float32))
    return matrix if _plausible(matrix, blank.gray.shape[1] / gray.shape[1]) else None


@lru_cache(maxsize=4)
def _blank_features(blank: BlankForm):
    f = 0.35
    small = cv2.resize(blank.gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    orb = cv2.ORB_create(3000)
    return f, orb.detectAndCompute(small, None)


def _by_features(gray: np.ndarray, blank: BlankForm) -> np.ndarray | None:
    f_blank, (kp_b, des_b) = _blank_features(blank)
    f = f_blank * blank.gray.shape[1] / gray.shape[1]
    small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    orb = cv2.ORB_create(3000)
    kp_s, des_s = orb.detectAndCompute(small, None)
    if des_s is None or des_b is None or len(kp_s) < 50:
        return None
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(des_s, des_b, k=2)
    good = [m for m, *rest in pairs if rest and m.distance < 0.8 * rest[0].distance]
    if len(good) < 30:
        return None
    src = np.float32([kp_s[m.queryIdx].pt for m in good]) / f
    dst = np.float32([kp_b[m.trainIdx].pt for m in good]) / f_blank
    matrix, mask = cv2.findHomography(src, dst, cv2.RANSAC, 8.0)
    if matrix is None or int(mask.sum()) < 25:
        return None
    return matrix if _plausible(matrix, blank.gray.shape[1] / gray.shape[1]) else None


def align_page(image: np.ndarray, template: Template, gray: np.ndarray | None = None) -> Alignment:
    """``gray``: the scan in grey when the caller has it already (``to_gray(image)``)."""
    blank = blank_for(template)
    gray = to_gray(image) if gray is None else gray
    h, w = gray.shape
    rotations = (0, 180) if h >= w else (90, 270)
    best: Alignment | None = None
    smalls = _quarters(gray, rotations) or {}
    for method in ("marks", "features"):
        for rot in rotations:
            g = rotate(gray, rot)
            small = smalls.get(rot)
            matrix = _by_marks(g, blank, small) if method == "marks" else _by_features(g, blank)
            if matrix is None:
                continue
            score = _score(g, matrix, blank, small)
            if best is None or score > best.score:
                best = Alignment(True, None, rot, method, score)
                best_matrix = matrix
        if best is not None and best.score >= MIN_CORRELATION:
            break
    if best is None:
        return Alignment(False, None, 0, "none", 0.0, "用紙の四隅の位置合わせマークも特徴点も見つかりません")
    if best.score < MIN_CORRELATION:
        return Alignment(False, None, best.rotation, best.method, best.score,
                         f"位置合わせの確認に失敗しました (ひな形との一致度 {best.score:.2f} < {MIN_CORRELATION})")
    best.image = _warp(rotate(image, best.rotation), best_matrix, blank)
    best.gray = to_gray(best.image)
    return best
