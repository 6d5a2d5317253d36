"""``ocr template preview``: draw a template's zones over the blank form or an aligned scan."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ocr.align import align_page, blank_for
from ocr.load import PageLoadError, load_page, plan_pages
from ocr.pipeline import stage_items
from ocr.template import load_template
from yomikaki.errors import InputError

COLOURS = {
    "qr": (0, 128, 255), "printed_text": (255, 0, 0), "printed_choice": (255, 0, 128),
    "handwritten_text": (0, 160, 0), "handwritten_digits": (0, 160, 160), "boxed_digits": (0, 0, 255),
    "boxed_date": (0, 0, 255), "boxed_kana": (160, 0, 160), "tick_box": (0, 140, 255),
    "tick_group": (0, 140, 255), "seal": (0, 0, 200),
}


def render_preview(template: str, scan: Path | None, out: Path) -> str:
    from yomikaki.settings import get_settings

    tpl = load_template(template)
    blank = blank_for(tpl)
    if scan is None:
        page = cv2.cvtColor(blank.gray, cv2.COLOR_GRAY2BGR)
        info = "白紙の様式"
    else:
        settings = get_settings().ocr
        ref = next(iter(plan_pages([Path(scan)], max_pixels=settings.max_pixels, dpi=settings.dpi)), None)
        if ref is None:
            raise InputError(f"スキャンが見つかりません: {scan}")
        try:
            image = load_page(ref, max_pixels=settings.max_pixels, dpi=settings.dpi)
        except PageLoadError as exc:
            raise InputError(f"{scan}: {exc}") from None
        alignment = align_page(image, tpl)
        if not alignment.ok:
            raise InputError(f"{scan}: 位置合わせできません — {alignment.reason}")
        page = alignment.image.copy()
        info = f"回転 {alignment.rotation}°、{alignment.method}、一致度 {alignment.score:.2f}"
    ppm = blank.px_per_mm
    overlay = page.copy()

    def rect(zone, colour, label=None, thick=3):
        x, y, w, h = zone
        p0 = (int(x * ppm), int(y * ppm))
        p1 = (int((x + w) * ppm), int((y + h) * ppm))
        cv2.rectangle(overlay, p0, p1, colour, thick)
        if label:
            cv2.putText(overlay, label, (p0[0] + 2, max(12, p0[1] - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                        colour, 2, cv2.LINE_AA)

    for item in stage_items(tpl):
        colour = COLOURS.get(item.type, (128, 128, 128))
        if item.type == "tick_group":
            for zone in item.options.values():
                rect(zone, colour)
            first = next(iter(item.options.values()))
            rect(first, colour, item.key, 1)
        elif item.type == "boxed_date":
            for zone in item.parts.values():
                rect(zone, colour)
            rect(item.parts["year"], colour, item.key, 1)
        else:
            rect(item.zone, colour, None if item.key.startswith("members.") and not item.key.startswith("members.1.")
                 else item.key)
            if item.boxes and item.zone:
                x, y, w, h = item.zone
                for i in range(1, item.boxes):
                    xx = int((x + w * i / item.boxes) * ppm)
                    cv2.line(overlay, (xx, int(y * ppm)), (xx, int((y + h) * ppm)), colour, 1)
    marks = tpl.recognise.marks
    if marks:
        for cx, cy in marks.centres:
            s = marks.size_mm / 2
            rect((cx - s, cy - s, 2 * s, 2 * s), (0, 200, 255), None, 2)
    result = cv2.addWeighted(overlay, 0.85, page, 0.15, 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(out), np.ascontiguousarray(result)):
        raise InputError(f"画像を書き出せません: {out}")
    return info
