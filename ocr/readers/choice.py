"""Printed word from a closed list (e.g. 続柄 本人/妻/子…): matched against the candidates
rendered in the city's print fonts (IPAex Gothic / Mincho), which beats OCR on single kanji."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr import clean
from ocr.readers.base import FieldRead, Item, PageContext, Reader, register
from yomikaki.fonts import IPAEX_FILES, ipaex_path

HEIGHT, WIDTH = 32, 112  # normalised word image: fixed height, aspect kept, centred


def _normalise(mask: np.ndarray) -> np.ndarray | None:
    bbox = clean.ink_bbox(mask)
    if bbox is None:
        return None
    x0, y0, x1, y1 = bbox
    crop = mask[y0:y1, x0:x1].astype(np.float32)
    w = min(WIDTH, max(1, round(crop.shape[1] * HEIGHT / crop.shape[0])))
    glyph = cv2.resize(crop, (w, HEIGHT), interpolation=cv2.INTER_AREA)
    img = np.zeros((HEIGHT, WIDTH), np.float32)
    img[:, (WIDTH - w) // 2:(WIDTH - w) // 2 + w] = glyph
    img = cv2.GaussianBlur(img, (3, 3), 0)
    img -= img.mean()
    n = np.linalg.norm(img)
    return img / n if n else None


@lru_cache(maxsize=32)
def _templates(choices: tuple[str, ...]) -> dict[str, list[np.ndarray]]:
    out: dict[str, list[np.ndarray]] = {c: [] for c in choices}
    seen = set()
    for path in (ipaex_path(name) for name in IPAEX_FILES.values()):
        if path is None or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        font = ImageFont.truetype(str(path), 48)
        for choice in choices:
            img = Image.new("L", (48 * (len(choice) + 1), 80), 0)
            ImageDraw.Draw(img).text((10, 10), choice, fill=255, font=font)
            ref = _normalise(np.asarray(img))
            if ref is not None:
                out[choice].append(ref)
    return out


MIN_WORD_SCORE = 0.45  # a word matching no better than this is not any word of the list


def read_word(mask: np.ndarray, choices: tuple[str, ...]) -> tuple[str, float, dict] | None:
    """The closest word of ``choices`` to the ink ``mask`` (any dtype, ink > 0), its
    confidence and the scores; None when there is no ink."""
    glyph = _normalise(mask)
    if glyph is None:
        return None
    refs = _templates(tuple(choices))
    scores = sorted(((max(float((glyph * r).sum()) for r in rs), c)
                     for c, rs in refs.items() if rs), reverse=True)
    if not scores:  # no IPAex font installed: tesseract reads the word
        return _tesseract_word(mask, choices)
    best, choice = scores[0]
    second = scores[1][0] if len(scores) > 1 else 0.0
    conf = float(np.clip((best - MIN_WORD_SCORE) * 2.5, 0, 1) * np.clip((best - second) * 8, 0, 1))
    return choice, conf, {"score": best, "margin": best - second}


def _tesseract_word(mask: np.ndarray, choices: tuple[str, ...]) -> tuple[str, float, dict] | None:
    """Without the print fonts: tesseract's reading, the closest word of the list, never sure."""
    from rapidfuzz.distance import Levenshtein

    from ocr.tools.tesseract import read_pages

    bbox = clean.ink_bbox(mask > 0, 6)
    if bbox is None:
        return None
    x0, y0, x1, y1 = bbox
    page = np.where(mask[y0:y1, x0:x1] > 0, 0, 255).astype(np.uint8)
    page = cv2.copyMakeBorder(page, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
    (result,) = read_pages([page], psm=7)
    text = "".join(result.text.split())
    if not text:
        return None
    scored = sorted(((Levenshtein.normalized_similarity(text, c), c) for c in choices), reverse=True)
    best, choice = scored[0]
    conf = min(0.6, best * result.confidence)
    return choice, conf, {"score": best, "margin": best - (scored[1][0] if len(scored) > 1 else 0.0),
                          "reader": "tesseract", "text": text}


@register
class ChoiceReader(Reader):
    type_names = ("printed_choice",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            box = ctx.px(item.zone)
            mask = ctx.new_ink(box, speck=40)
            bbox = clean.ink_bbox(mask)
            tall = bbox is not None and (bbox[3] - bbox[1]) >= 0.25 * (box[3] - box[1])
            word = read_word(mask, tuple(item.choices)) if tall and int((mask > 0).sum()) >= 80 else None
            if word is None:
                out[item.key] = FieldRead("", 0.97, box, {"empty": True})
                continue
            choice, conf, detail = word
            out[item.key] = FieldRead(choice, conf, box, detail)
        return out
