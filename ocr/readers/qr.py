"""QR codes with OpenCV's detector (the zone first, then the whole page)."""

from __future__ import annotations

import re

import cv2

from ocr.readers.base import FieldRead, Item, PageContext, Reader, register


def decode_qr(gray) -> str | None:
    detector = cv2.QRCodeDetector()
    for img in (gray, cv2.resize(gray, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)):
        try:
            text, _, _ = detector.detectAndDecode(img)
        except cv2.error:
            text = ""
        if text:
            return text
        _, binary = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        try:
            text, _, _ = detector.detectAndDecode(binary)
        except cv2.error:
            text = ""
        if text:
            return text
    return None


@register
class QrReader(Reader):
    type_names = ("qr",)

    def read(self, items: list[Item], ctx: PageContext) -> dict[str, FieldRead]:
        out = {}
        pattern = re.compile(ctx.template.recognise.qr_pattern)
        for item in items:
            box = ctx.px(item.zone, pad_mm=3)
            x0, y0, x1, y1 = box
            if ctx.qr_text and item.key == ctx.template.recognise.qr_field:
                text = ctx.qr_text  # the same code, decoded from the same zone while classifying
            else:
                text = decode_qr(ctx.gray[y0:y1, x0:x1])
            if text is None:
                out[item.key] = FieldRead(None, 0.0, box, {"found": False})
            else:
                ok = bool(pattern.match(text))
                out[item.key] = FieldRead(text, 0.995 if ok else 0.3, box, {"found": True})
        return out
