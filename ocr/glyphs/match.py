"""Read one printed line by segmenting it into glyph cells and matching them against the bank.

1. The line's ink (binary, the form's own print removed) is cut into column *runs* of ink.
2. Every group of neighbouring runs narrower than ~1.15 em is a candidate character; its em
   cell (centred on its ink, on the line's em box) is compared with the templates: a PCA
   shortlist, then cosine similarity on the full features.
3. Dynamic programming picks, per font, the segmentation whose matches cover the line best;
   the better font wins. The line's em size and centre are then re-fitted from the matched
   glyphs' known ink boxes and the line is read once more.
4. Each character gets a score (similarity) and a margin to the best *other* character;
   look-alikes across scripts (カ/力, ー/一, へ/ヘ) are settled by the neighbours' script.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from ocr.glyphs.bank import Bank, cell_features, fine_image, fine_templates

MAX_WIDTH_EM = 1.15  # a candidate character is at most this wide
MAX_INNER_GAP_EM = 0.45  # components of one character are never further apart
SPACE_EM = 0.55  # a gap this much wider than the glyphs' own side bearings is a space
SHAPE_PENALTY = 1.5  # per em of ink width / height differing from the template's (beyond a tolerance)
SHAPE_TOLERANCE = 0.06
INK = 0.25  # a pixel with more ink than this is part of a glyph (segmentation, ink boxes)
SHORTLIST = 48
FINE_TOP = 6  # candidates per cell re-scored on the sharper features
FINE_SHIFT = 2  # px (of 48) searched in every direction on the sharper features
FINE_WEIGHT = 0.5
SEGMENT_COST = 0.15  # em of line coverage a character boundary costs (favours whole kanji)
FIT_ROUNDS = 3
RETRY_SCORE = 0.93  # a line read with a lower mean score is read again from a smaller em ...
RETRY_EM = 0.88  # ... this much of the first guess
MARK_DIFF = 0.25  # where voicing twins' sharp templates differ by this (of the most): the mark
MARK_SHIFT = 2  # px (of 48): the cell is aligned on the read glyph's template first


@dataclass
class CharMatch:
    char: str
    score: float  # cosine similarity with its template
    margin: float  # score minus the best other (non look-alike) character's
    x0: int
    x1: int


@dataclass
class LineMatch:
    text: str
    font: str | None
    chars: list[CharMatch] = field(default_factory=list)
    em: float = 0.0
    cy: float = 0.0  # the em cells' vertical centre
    total: float = -1e9  # the segmentation's score per px of line (for comparing reads)

    @property
    def mean_score(self) -> float:
        return float(np.mean([c.score for c in self.chars])) if self.chars else 0.0

    @property
    def min_score(self) -> float:
        return min((c.score for c in self.chars), default=0.0)

    @property
    def min_margin(self) -> float:
        return min((c.margin for c in self.chars), default=0.0)


class Matcher:
    """A bank restricted to one character set, ready to read lines."""

    def __init__(self, bank: Bank, charset: str):
        self.bank = bank
        self.index = bank.subset(charset)
        if len(self.index) == 0:
            raise ValueError("the character set has no glyph in the fonts")
        every = len(self.index) == len(bank.chars)  # the whole bank: share it, no copy
        self.chars = bank.chars if every else bank.chars[self.index]
        self.fonts = bank.fonts if every else bank.fonts[self.index]
        self.features = bank.features if every else bank.features[self.index]
        self.coarse = bank.coarse if every else bank.coarse[self.index]
        self.ink_box = bank.ink_box if every else bank.ink_box[self.index]
        wanted = set(charset)
        # look-alikes of different scripts (カ/力, へ/ヘ) are settled by context; within one
        # script (バ/パ, 土/士) they stay rivals and keep the margin, hence the confidence, low
        self.alike = {(str(a), str(b)) for a, b in bank.alike
                      if a in wanted and b in wanted and _script(str(a)) != _script(str(b))}
        self._bearings: dict[tuple[str, int], float] = {}
        self._fine_cache: dict[int, np.ndarray] = {}
        self.by_font = {int(f): np.nonzero(self.fonts == f)[0] for f in np.unique(self.fonts)}
        self.coarse_by_font = {f: self.coarse[idx] for f, idx in self.by_font.items()}
        self._first = {str(c): i for i, c in reversed(list(enumerate(self.chars)))}
        self.charset_size = len(self._first)  # distinct characters

    # -- public -------------------------------------------------------------------------------

    def read(self, ink: np.ndarray) -> LineMatch:
        """Read a line image: ink amount per pixel, float 0..1 (or a 0/255 mask)."""
        ink = ink.astype(np.float32)
        if ink.max() > 1.0:
            ink /= 255.0
        rows = np.nonzero((ink > INK).any(axis=1))[0]
        if len(rows) == 0:
            return LineMatch("", None)
        top, bottom = rows[0], rows[-1] + 1
        em = max(8.0, (bottom - top) / 0.82)
        best = self._fit_and_read(ink, em, (top + bottom) / 2 - 0.04 * em)
        if best.mean_score < RETRY_SCORE:
            # the line's ink may reach above its glyphs (dakuten, dirt): a too large first em
            # can settle on a consistent but wrong read (small kana); start again smaller,
            # on the same baseline, and keep the better read
            em = max(8.0, RETRY_EM * (bottom - top) / 0.82)
            again = self._fit_and_read(ink, em, bottom - 0.45 * em)
            if again.total > best.total:
                best = again
        self._check_marks(ink, best)
        return best

    def _fit_and_read(self, ink: np.ndarray, em: float, cy: float) -> LineMatch:
        best = self._read(ink, em, cy)
        line = best
        font = None  # decided on the first re-fitted read (the first guess of the em is rough)
        for _ in range(FIT_ROUNDS):  # re-fit the em box from what was read, read again
            fitted = self._fit(ink, line)
            if fitted is None:
                break
            em2, cy2 = fitted
            if abs(em2 - em) <= 0.015 * em and abs(cy2 - cy) <= 0.015 * em:
                break
            em, cy = em2, cy2
            line = self._read(ink, em, cy, font)
            if font is None and line.font:
                font = self.bank.font_names.index(line.font)
            if line.total > best.total:
                best = line
        return best

    # -- steps --------------------------------------------------------------------------------

    def _check_marks(self, ink: np.ndarray, line: LineMatch) -> None:
        """Settle voicing twins (ホ/ボ/ポ, フ/ブ/プ) on the mark alone: the (han)dakuten is a few
        pixels of the cell, so whole-cell similarity barely tells them apart. The cell is
        aligned on the read glyph's sharp template, then each twin is compared only where
        the twins differ. The margin stays the whole-cell one (a near tie: not sure)."""
        if not line.font or not line.chars:
            return
        font = self.bank.font_names.index(line.font)
        changed = False
        for ch in line.chars:
            twins = self._twins(ch.char)
            if len(twins) < 2:
                continue
            cell = self._cell(ink, ch.x0, ch.x1, line.em, line.cy)
            pick = _closest_mark(fine_image(cell), twins, ch.char, line.font)
            if pick != ch.char:
                ch.char, changed = pick, True
        if changed:
            line.text = self._join(line.chars, line.em, font)

    def _twins(self, char: str) -> tuple[str, ...]:
        return tuple(f for f in voicing_twins(char) if f in self._first)

    def _read(self, ink: np.ndarray, em: float, cy: float, font: int | None = None) -> LineMatch:
        runs = _runs(ink, em)
        if not runs:
            return LineMatch("", None, em=em)
        cands = []  # (i, j) run spans
        for i in range(len(runs)):
            for j in range(i, min(len(runs), i + 8)):
                if runs[j][1] - runs[i][0] > MAX_WIDTH_EM * em:
                    break
                if j > i and runs[j][0] - runs[j - 1][1] > MAX_INNER_GAP_EM * em:
                    break
                cands.append((i, j))
        cells = [self._cell(ink, runs[i][0], runs[j][1], em, cy) for i, j in cands]
        feats = np.stack([cell_features(cell) for cell in cells])
        coarse = (feats - self.bank.mean) @ self.bank.basis
        pool = self.by_font[font] if font is not None else None
        approx = coarse @ (self.coarse if pool is None else self.coarse_by_font[font]).T
        k = min(SHORTLIST, approx.shape[1])
        short = np.argpartition(-approx, k - 1, axis=1)[:, :k]
        if pool is not None:
            short = pool[short]
        sims = np.einsum("cd,ckd->ck", feats, self.features[short])
        sims = sims - self._shape_penalty(ink, runs, cands, short, em, cy)
        sims = self._refine(cells, short, sims)
        # bounds between runs: half-way through each gap
        bounds = [runs[0][0]] + [(runs[r - 1][1] + runs[r][0]) / 2 for r in range(1, len(runs))] + [runs[-1][1]]
        best_line: LineMatch | None = None
        best_total = -1e9
        for font in np.unique(self.fonts):
            line, total = self._decode(runs, cands, short, sims, bounds, font, em)
            if total > best_total:
                best_line, best_total = line, total
        assert best_line is not None
        best_line.em = em
        best_line.cy = cy
        best_line.total = best_total
        return best_line

    def _decode(self, runs, cands, short, sims, bounds, font, em) -> tuple[LineMatch, float]:
        n = len(runs)
        in_font = self.fonts[short] == font
        masked = np.where(in_font, sims, -1.0)
        pick = masked.argmax(axis=1)
        score = masked[np.arange(len(cands)), pick]
        best = np.full(n + 1, -1e9)
        best[0] = 0.0
        back = [-1] * (n + 1)
        by_end: dict[int, list[int]] = {}
        for c, (_, j) in enumerate(cands):
            by_end.setdefault(j + 1, []).append(c)
        for end in range(1, n + 1):
            for c in by_end.get(end, []):
                i = cands[c][0]
                cover = bounds[end] - bounds[i]
                value = best[i] + score[c] * max(cover, 1.0) - SEGMENT_COST * em
                if value > best[end]:
                    best[end], back[end] = value, c
        path = []
        end = n
        while end > 0 and back[end] >= 0:
            c = back[end]
            path.append(c)
            end = cands[c][0]
        path.reverse()
        chars = []
        for c in path:
            i, j = cands[c]
            t = short[c, pick[c]]
            char = str(self.chars[t])
            rivals = self.chars[short[c]]
            other = rivals != char
            if self.alike:
                other &= np.array([(char, str(r)) not in self.alike for r in rivals])
            margin = score[c] - (float(sims[c][other].max()) if other.any() else 0.0)
            chars.append(CharMatch(char, float(score[c]), float(margin), runs[i][0], runs[j][1]))
        _settle_lookalikes(chars, self.alike)
        text = self._join(chars, em, font)
        total = best[n] / max(1.0, bounds[n] - bounds[0])
        return LineMatch(text, self.bank.font_names[int(font)], chars), float(total)

    def _join(self, chars: list[CharMatch], em: float, font) -> str:
        """The characters, with a full-width space where the gap is wider than the glyphs'
        own side bearings (each glyph's ink assumed centred in its advance) by SPACE_EM."""
        out = ""
        for k, ch in enumerate(chars):
            if k:
                prev = chars[k - 1]
                expected = self._bearing(prev.char, font) + self._bearing(ch.char, font)
                if (ch.x0 - prev.x1) / em - expected > SPACE_EM:
                    out += "\u3000"
            out += ch.char
        return out

    def _bearing(self, char: str, font) -> float:
        key = (char, int(font))
        if key not in self._bearings:
            idx = np.nonzero((self.bank.chars == char) & (self.bank.fonts == font))[0]
            if len(idx) == 0:
                self._bearings[key] = 0.1
            else:
                t = idx[0]
                box = self.bank.ink_box[t]
                self._bearings[key] = max(0.0, float(self.bank.advance[t] - (box[2] - box[0])) / 2)
        return self._bearings[key]

    def _shape_penalty(self, ink, runs, cands, short, em, cy) -> np.ndarray:
        """Penalty for an ink box (width, top, bottom, in em) unlike the template's."""
        obs = np.zeros((len(cands), 3), np.float32)
        for c, (i, j) in enumerate(cands):
            x0, x1 = runs[i][0], runs[j][1]
            rows = np.nonzero((ink[:, x0:x1] > INK).any(axis=1))[0]
            obs[c] = ((x1 - x0) / em, (rows[0] - cy) / em, (rows[-1] + 1 - cy) / em)
        box = self.ink_box[short]  # (c, k, 4)
        tmpl = np.stack([box[..., 2] - box[..., 0], box[..., 1], box[..., 3]], axis=-1)
        diff = np.abs(tmpl - obs[:, None, :]) - SHAPE_TOLERANCE
        return SHAPE_PENALTY * np.clip(diff, 0, None).sum(axis=-1)

    def _refine(self, cells: list[np.ndarray], short: np.ndarray, sims: np.ndarray) -> np.ndarray:
        """Average in, for each cell's best FINE_TOP templates, the sharper images' correlation
        at the best shift of up to FINE_SHIFT px (the em box is only estimated)."""
        top = np.argsort(-sims, axis=1)[:, :FINE_TOP]
        out = sims - 0.1  # the rest stay out of contention
        pad = FINE_SHIFT
        side = 2 * pad + 1
        for c, cell in enumerate(cells):
            fine = cv2.copyMakeBorder(fine_image(cell), pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
            size = fine.shape[0] - 2 * pad
            windows = np.lib.stride_tricks.sliding_window_view(fine, (size, size))
            windows = windows.reshape(side * side, -1)
            norms = np.linalg.norm(windows - windows.mean(axis=1, keepdims=True), axis=1)
            norms[norms < 1e-6] = 1e-6
            templates = [self._fine(int(short[c, k])) for k in top[c]]
            corr = (windows @ np.concatenate(templates).T) / norms[:, None]  # shifts × variants
            best = corr.max(axis=0)
            start = 0
            for k, variants in zip(top[c], templates, strict=True):
                score = float(best[start:start + len(variants)].max())
                start += len(variants)
                out[c, k] = FINE_WEIGHT * score + (1 - FINE_WEIGHT) * sims[c, k]
        return out

    def _fine(self, t: int) -> np.ndarray:
        """(variants, FINE_SIZE²) mean-centred unit rows of template ``t``'s sharper images."""
        rows = self._fine_cache.get(t)
        if rows is None:
            images = fine_templates(str(self.chars[t]), self.bank.font_names[int(self.fonts[t])])
            rows = np.stack([im.ravel() - im.mean() for im in images]).astype(np.float32)
            rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)
            self._fine_cache[t] = rows
        return rows

    def _cell(self, ink: np.ndarray, x0: int, x1: int, em: float, cy: float) -> np.ndarray:
        size = int(round(em))
        cx = (x0 + x1) / 2
        left = int(round(cx - size / 2))
        top = int(round(cy - size / 2))
        h, w = ink.shape
        cell = np.zeros((size, size), np.float32)
        sy0, sy1 = max(0, top), min(h, top + size)
        sx0, sx1 = max(x0, left), min(x1, left + size, w)
        if sy1 > sy0 and sx1 > sx0:
            cell[sy0 - top:sy1 - top, sx0 - left:sx1 - left] = ink[sy0:sy1, sx0:sx1]
        return cell

    def _fit(self, ink: np.ndarray, line: LineMatch) -> tuple[float, float] | None:
        """em size and cell centre from what was read: the em from the pitch of neighbouring
        glyphs (their advances are known; small kana keep a full-width pitch), else from the
        glyphs' ink heights; the centre from their ink boxes (robust medians)."""
        heights, mids, pitches = [], [], []
        lookup = self._first
        prev = None
        for k, ch in enumerate(line.chars):
            t = lookup.get(ch.char)
            if t is None or ch.score < 0.45:
                prev = None
                continue
            _, t_top, _, t_bottom = self.ink_box[t]
            rows = np.nonzero((ink[:, ch.x0:ch.x1] > INK).any(axis=1))[0]
            if len(rows) == 0:
                continue
            o_top, o_bottom = rows[0], rows[-1] + 1
            if t_bottom - t_top > 0.3:
                heights.append((o_bottom - o_top) / (t_bottom - t_top))
            mids.append(((o_top + o_bottom) / 2, (t_top + t_bottom) / 2))
            if prev is not None and prev[0] == k - 1:
                centre_gap = (ch.x0 + ch.x1) / 2 - prev[1]
                advance = (self._advance(prev[2]) + self._advance(t)) / 2
                if advance > 0.3 and centre_gap < 1.6 * advance * line.em:
                    pitches.append(centre_gap / advance)
            prev = (k, (ch.x0 + ch.x1) / 2, t)
        if len(pitches) >= 2:
            em = float(np.median(pitches))
        elif len(heights) >= 2:
            em = float(np.median(heights))
        else:
            return None
        cy = float(np.median([o - em * t for o, t in mids]))
        return em, cy

    def _advance(self, t: int) -> float:
        return float(self.bank.advance[self.index[t]])


def _runs(ink: np.ndarray, em: float) -> list[tuple[int, int]]:
    """Column ranges of ink; a run wider than a character is cut at its thinnest column."""
    cols = ink.sum(axis=0)
    on = (ink > INK).any(axis=0)
    runs = []
    x = 0
    w = len(on)
    while x < w:
        if on[x]:
            start = x
            while x < w and on[x]:
                x += 1
            runs.append((start, x))
        else:
            x += 1
    out = []
    for x0, x1 in runs:
        while x1 - x0 > MAX_WIDTH_EM * em:
            lo, hi = x0 + int(0.4 * em), min(x1 - 2, x0 + int(1.05 * em))
            if hi <= lo:
                break
            cut = lo + int(np.argmin(cols[lo:hi]))
            out.append((x0, cut))
            x0 = cut
        out.append((x0, x1))
    return out


@lru_cache(maxsize=4096)
def voicing_twins(char: str) -> tuple[str, ...]:
    """The character and the kana written on the same base with another (han)dakuten:
    タ → (タ, ダ), ペ → (ヘ, ベ, ペ); a character without any gives just itself."""
    base = unicodedata.normalize("NFD", char)[0]
    forms = (unicodedata.normalize("NFC", base + mark) for mark in ("", "\u3099", "\u309a"))
    return tuple(f for f in forms if len(f) == 1)


@lru_cache(maxsize=1024)
def _mark_templates(twins: tuple[str, ...], font: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per twin: its sharp template (ink scaled to 1) and, in its frame (each template is
    centred on its own ink, which the mark widens), the mask of where the other twins,
    shifted onto it, differ from it: the marks."""
    images = []
    for twin in twins:
        image = fine_templates(twin, font)[0]
        scaled = _ink_to_one(image)
        images.append(image if scaled is None else scaled)
    out = []
    for k, image in enumerate(images):
        diff = np.zeros_like(image)
        for j, other in enumerate(images):
            if j != k:
                diff = np.maximum(diff, np.abs(_best_window(other, image)[0] - image))
        mask = (diff > MARK_DIFF * max(float(diff.max()), 1e-6)).astype(np.uint8)
        out.append((image, cv2.dilate(mask, np.ones((3, 3), np.uint8)) > 0))
    return out


def _best_window(image: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, float]:
    """``image`` shifted by up to MARK_SHIFT px to correlate best with ``ref``."""
    pad = MARK_SHIFT
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    size = image.shape[0]
    windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size)).reshape(-1, size * size)
    centred = windows - windows.mean(axis=1, keepdims=True)
    ref_c = (ref - ref.mean()).ravel()
    corr = centred @ ref_c / np.maximum(np.linalg.norm(centred, axis=1) * np.linalg.norm(ref_c), 1e-6)
    best = int(np.argmax(corr))
    return windows[best].reshape(size, size), float(corr[best])


def _closest_mark(fine: np.ndarray, twins: tuple[str, ...], read: str, font: str) -> str:
    """The twin whose marks are closest to the cell's (mean squared ink difference where the
    twins differ), the cell shifted onto each twin."""
    dist = []
    for image, mask in _mark_templates(twins, font):
        window = _ink_to_one(_best_window(fine, image)[0])
        if window is None:
            return read
        dist.append(float(((window - image)[mask] ** 2).mean()))
    return twins[int(np.argmin(dist))]


def _ink_to_one(image: np.ndarray) -> np.ndarray | None:
    """``image`` scaled so that its ink (the 90th percentile of its inked pixels) is 1; None
    without ink."""
    inked = image[image > 0.05]
    if inked.size == 0:
        return None
    return image / max(float(np.percentile(inked, 90)), 1e-3)


def _script(ch: str) -> str:
    if "\u30a0" <= ch <= "\u30ff":
        return "katakana"
    if "\u3040" <= ch <= "\u309f":
        return "hiragana"
    if ch.isdigit() or ch == "-":
        return "digit"
    if unicodedata.name(ch, "").startswith("CJK"):
        return "kanji"
    return "other"


def _settle_lookalikes(chars: list[CharMatch], alike: set[tuple[str, str]]) -> None:
    """Pick, among look-alikes, the one whose script matches the neighbours (カ in カタカナ, 力 in 努力)."""
    groups: dict[str, set[str]] = {}
    for a, b in alike:
        groups.setdefault(a, {a}).add(b)
    for k, ch in enumerate(chars):
        options = groups.get(ch.char)
        if not options:
            continue
        near = [chars[m].char for m in (k - 1, k + 1) if 0 <= m < len(chars)]
        scripts = [_script(c) for c in near if c not in groups]
        if not scripts:
            continue
        for option in sorted(options):
            if _script(option) in scripts and _script(ch.char) not in scripts:
                ch.char = option
                break
