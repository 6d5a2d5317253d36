"""Tick boxes, tick groups and the seal: ink ratio against the blank form, red hue."""

from __future__ import annotations

import cv2
import numpy as np

from ocr import clean
from ocr.readers.base import FieldRead, Item, PageContext, Reader, drop_horizontal_lines, register

TICK_RATIO = 0.05  # new ink / box area above which a box is ticked (empty boxes ≤ 0.041, ticks ≥ 0.059
#                   over the dev, dev-hard and five generated sets, 1,017 empty and 59 ticked boxes)
FILLED_RATIO = 0.55  # above this the box is filled in (a scribble): still a tick, less sure
GROW_MM = 1.2  # ticks often stray outside the box
NEAR_PRINT = np.ones((5, 5), np.uint8)
STROKE = np.ones((3, 3), np.uint8)


def tick_ratio(zone, ctx: PageContext) -> tuple[float, tuple[int, int, int, int]]:
    box = ctx.px(zone, pad_mm=GROW_MM)
    mask = ctx.new_ink(box, speck=0)
    # what is left of the box's own border when a scan thickens or shifts it by a pixel or two is
    # a thin sliver along it: next to the form's print only strokes 3 px thick or more count
    x0, y0, x1, y1 = box
    near = cv2.dilate(ctx.blank_ink[y0:y1, x0:x1], NEAR_PRINT)
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, STROKE)
    mask = clean.drop_specks(np.where(near > 0, opened, mask).astype(np.uint8), 8)
    x, y, w, h = zone
    area = (w * ctx.ppm) * (h * ctx.ppm)
    return float((mask > 0).sum()) / max(area, 1.0), box


def _tick_confidence(ratio: float) -> float:
    """Far from the threshold → sure; near it → unsure."""
    distance = abs(ratio - TICK_RATIO) / TICK_RATIO
    return float(np.clip(0.5 + distance * 0.6, 0.5, 0.999))


@register
class TickBoxReader(Reader):
    type_names = ("tick_box",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            ratio, box = tick_ratio(item.zone, ctx)
            out[item.key] = FieldRead(ratio >= TICK_RATIO, _tick_confidence(ratio), box,
                                      {"ratio": round(ratio, 4), "filled": ratio >= FILLED_RATIO})
        return out


@register
class TickGroupReader(Reader):
    type_names = ("tick_group",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            ratios, boxes = {}, []
            for option, zone in item.options.items():
                ratios[option], box = tick_ratio(zone, ctx)
                boxes.append(box)
            union = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                     max(b[2] for b in boxes), max(b[3] for b in boxes))
            ranked = sorted(ratios.items(), key=lambda kv: -kv[1])
            (best, r1), (_, r2) = ranked[0], ranked[1]
            detail = {"ratios": {k: round(v, 4) for k, v in ratios.items()}}
            if r1 < TICK_RATIO:
                out[item.key] = FieldRead(None, _tick_confidence(r1), union, detail)
            elif r2 >= TICK_RATIO:  # two ticked: ambiguous
                conf = 0.3 if r2 > 0.6 * r1 else 0.75
                out[item.key] = FieldRead(best, conf, union, {**detail, "ambiguous": True})
            else:
                conf = min(_tick_confidence(r1), _tick_confidence(r2))
                out[item.key] = FieldRead(best, conf, union, detail)
        return out


FAINT_DELTA = 45  # grey levels below the paper: a red seal's ink on a grey scan (~170 of 250)
FAINT_SPECK = 30  # px: smaller blobs are noise
# share of the seal zone in new ink of at least FAINT_DELTA on grey / 1-bit scans (generated
# heavy, 200 dpi and fax scans: no seal <= 0.0073 with toner specks and roller streaks, a seal
# >= 0.037); dark ink alone missed light seals, and four toner specks passed its 0.003
GRAY_SEAL_RATIO = 0.017


def faint_ink_ratio(ctx: PageContext, box: tuple[int, int, int, int]) -> float:
    """Share of the zone in new ink at least FAINT_DELTA darker than the paper, the form's own
    print (grown for alignment slack) and scanner roller streaks left out. Red becomes a light
    grey on grey scans, often lighter than the ink threshold for dark pen and print."""
    x0, y0, x1, y1 = box
    gray = ctx.crop_gray(box)
    if gray.size == 0:
        return 0.0
    paper = float(np.percentile(gray, 70))
    faint = ((gray < paper - FAINT_DELTA) * 255).astype(np.uint8)
    faint = cv2.subtract(faint, cv2.dilate(ctx.blank_ink[y0:y1, x0:x1], np.ones((7, 7), np.uint8)))
    faint = drop_horizontal_lines(faint, max(60, int(0.3 * gray.shape[1])))
    faint = clean.drop_specks(faint, FAINT_SPECK)
    return float((faint > 0).sum()) / gray.size


@register
class SealReader(Reader):
    """Red hue area on colour scans; on grey / 1-bit scans, new ink (light grey included)
    against the blank form."""

    type_names = ("seal",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        for item in items:
            box = ctx.px(item.zone)
            x0, y0, x1, y1 = box
            area = max(1, (x1 - x0) * (y1 - y0))
            if ctx.is_color:
                hsv = cv2.cvtColor(ctx.image[y0:y1, x0:x1], cv2.COLOR_BGR2HSV)
                h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
                red = ((h <= 10) | (h >= 165)) & (s >= 70) & (v >= 60)
                ratio = float(red.sum()) / area
                limit = item.min_red_ratio
            else:
                ratio, limit = faint_ink_ratio(ctx, box), GRAY_SEAL_RATIO
            distance = abs(ratio - limit) / limit
            conf = float(np.clip(0.5 + distance * 0.5, 0.5, 0.999))
            if not ctx.is_color:
                conf = min(conf, 0.95)
            out[item.key] = FieldRead(ratio >= limit, conf, box,
                                      {"ratio": round(ratio, 4), "colour": ctx.is_color})
        return out
