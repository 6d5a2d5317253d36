"""Section 1 and the header, printed by the city in IPAex Gothic or Mincho, plus the QR code.

Dates are printed in the Japanese era (昭和52年11月8日, 平成元年…). The QR code encodes
exactly the 10-digit application id, made with OpenCV's ``QRCodeEncoder``.
"""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np
from PIL import Image, ImageDraw

from samples.forms import layout as L
from samples.forms.fonts import font

INK = (20, 20, 20)
# (era, first day); dates before the first era here are never printed on this form
ERAS = (("令和", dt.date(2019, 5, 1)), ("平成", dt.date(1989, 1, 8)), ("昭和", dt.date(1926, 12, 25)),
        ("大正", dt.date(1912, 7, 30)), ("明治", dt.date(1868, 10, 23)))


def era_date(iso: str) -> str:
    """'1977-11-08' → '昭和52年11月8日'; year 1 is printed 元年."""
    day = dt.date.fromisoformat(iso)
    for era, start in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{era}{year_text}年{day.month}月{day.day}日"
    raise ValueError(f"日付が明治より前です: {iso}")


def qr_image(application_id: str, size: int) -> Image.Image:
    """A QR code holding exactly ``application_id``, ``size`` px square with a quiet zone."""
    encoder = cv2.QRCodeEncoder.create()
    matrix = encoder.encode(application_id)  # includes a quiet zone, 0 = black
    if matrix.ndim == 3:
        matrix = matrix[..., 0]
    modules = matrix.shape[0]
    scale = max(1, size // modules)
    big = cv2.resize(matrix, (modules * scale, modules * scale), interpolation=cv2.INTER_NEAREST)
    image = Image.new("L", (size, size), 255)
    offset = (size - big.shape[0]) // 2
    image.paste(Image.fromarray(np.where(big > 127, 255, 0).astype(np.uint8), "L"), (offset, offset))
    return image


def _text_centered_y(draw: ImageDraw.ImageDraw, x: float, cy: float, text: str, face, anchor="lm"):
    draw.text((x, cy), text, font=face, fill=INK, anchor=anchor)


def print_section1(page: Image.Image, household: dict, print_font: str) -> None:
    """Header id + QR code and every Section 1 field of ``household``."""
    draw = ImageDraw.Draw(page)
    app_id = household["application_id"]
    gothic = "print-gothic"
    draw.text(L.ID_LABEL_AT, "申請書番号", font=font(gothic, 27), fill=INK)
    draw.text((L.ID_NUMBER_RIGHT, L.ID_NUMBER_TOP), app_id, font=font(gothic, 46), fill=INK, anchor="ra")
    page.paste(qr_image(app_id, L.QR_SIZE).convert("RGB"), L.QR_ORIGIN)

    members = household["members"]
    head = members[0]
    face = font(print_font, 50)
    x0, y0, x1, y1 = L.ID_CELL
    _text_centered_y(draw, x0 + 36, (y0 + y1) / 2, app_id, font(print_font, 50))
    x0, y0, x1, y1 = L.KANA_CELL
    _text_centered_y(draw, x0 + 36, (y0 + y1) / 2, head["kana"], font(print_font, 40))
    x0, y0, x1, y1 = L.NAME_CELL
    _text_centered_y(draw, x0 + 36, (y0 + y1) / 2, head["name"], font(print_font, 62))
    x0, y0, x1, y1 = L.BIRTH_CELL
    _text_centered_y(draw, x0 + 32, (y0 + y1) / 2, era_date(head["birth_date"]), font(print_font, 46))
    postal = household["postal_code"]
    x0 = L.ADDRESS_CELL[0]
    _text_centered_y(draw, x0 + 36, L.POSTAL_LINE_Y, f"〒{postal[:3]}-{postal[3:]}", font(print_font, 44))
    address = household["address"]
    size = 52
    while size > 30 and font(print_font, size).getlength(address) > L.ADDRESS_CELL[2] - x0 - 60:
        size -= 2
    _text_centered_y(draw, x0 + 36, L.ADDRESS_LINE_Y, address, font(print_font, size))

    face = font(print_font, 46)
    for member, (top, bottom) in zip(members[:4], L.MEMBER_ROWS, strict=False):
        cy = (top + bottom) / 2
        _text_centered_y(draw, L.MEMBER_NAME_X[0] + 32, cy, member["name"], face)
        rx = sum(L.MEMBER_RELATION_X) / 2
        draw.text((rx, cy), member["relation"], font=face, fill=INK, anchor="mm")
        _text_centered_y(draw, L.MEMBER_BIRTH_X[0] + 30, cy, era_date(member["birth_date"]), face)
