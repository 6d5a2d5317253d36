"""Printed and handwritten text lines: tesseract ``jpn``, one batched call per engine setting.

Each crop is cleaned (the blank form's print removed, specks dropped), trimmed to its ink,
scaled to a common text height and pasted into one strip image; the TSV words are split
back to fields by position (see ``ocr.tools.tesseract``).
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr import clean
from ocr.readers.base import FieldRead, Item, PageContext, Reader, register
from ocr.tools.tesseract import read_lines

TEXT_HEIGHT = {"printed_text": 40, "handwritten_text": 44}


def text_crop(item: Item, ctx: PageContext, height: int) -> tuple[np.ndarray | None, tuple]:
    box = ctx.px(item.zone)
    x0, y0, x1, y1 = box
    mask = ctx.new_ink(box, speck=10)
    bbox = clean.ink_bbox(mask, 4)
    if bbox is None or int((mask > 0).sum()) < 40:
        return None, box
    bx0, by0, bx1, by1 = bbox
    crop = ctx.gray[y0:y1, x0:x1].copy()
    crop[ctx.blank_ink[y0:y1, x0:x1] > 0] = 255
    crop[(mask == 0) & (crop < ctx.threshold)] = 255  # specks and noise
    crop = crop[by0:by1, bx0:bx1]
    scale = height / max(1, by1 - by0)
    scale = min(scale, 3.0)
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=interp)
    return crop, (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)


@register
class TextReader(Reader):
    type_names = ("printed_text", "handwritten_text")

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        groups: dict[str, list[Item]] = {}
        for item in items:
            engine = item.engine or ("handwritten" if item.type == "handwritten_text" else "printed")
            groups.setdefault(engine, []).append(item)
        out: dict[str, FieldRead] = {}
        for engine_name, group in groups.items():
            engine = ctx.template.engines.get(engine_name)
            crops, keys, boxes = [], [], {}
            for item in group:
                crop, box = text_crop(item, ctx, TEXT_HEIGHT.get(item.type, 40))
                boxes[item.key] = box
                if crop is None:
                    out[item.key] = FieldRead("", 0.97, box, {"empty": True})
                else:
                    crops.append(crop)
                    keys.append(item.key)
            results = read_lines(crops, lang=engine.lang if engine else "jpn", psm=6,
                                 whitelist=engine.whitelist if engine else None)
            for key, res in zip(keys, results, strict=True):
                out[key] = FieldRead(res.text, res.confidence, boxes[key], {"words": res.words})
        return out
