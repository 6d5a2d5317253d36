"""Pages and files that are not a benefit application: the odd things found in real intake.

A blank sheet, a letter (another document), a copy of an ID card, a 40 × 40 thumbnail and a
truncated JPEG. Each comes with the ``expected`` result the OCR pipeline should report.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from samples.forms.fonts import font
from samples.forms.layout import PAGE_SIZE
from samples.forms.printed import era_date

INK = (25, 25, 25)


def blank_sheet() -> Image.Image:
    return Image.new("RGB", PAGE_SIZE, (255, 255, 255))


def letter_page(household: dict, rng: random.Random) -> Image.Image:
    """A city notice letter addressed to the household: printed text, no form, no QR code."""
    page = blank_sheet()
    draw = ImageDraw.Draw(page)
    mincho, gothic = font("print-mincho", 46), font("print-gothic", 46)
    head = household["members"][0]
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    draw.text((2200, 260), f"令和8年{month}月{day}日", font=mincho, fill=INK, anchor="ra")
    draw.text((260, 420), f"〒{household['postal_code'][:3]}-{household['postal_code'][3:]}", font=mincho, fill=INK)
    draw.text((260, 490), household["address"], font=mincho, fill=INK)
    draw.text((260, 600), f"{head['name']}　様", font=font("print-mincho", 64), fill=INK)
    draw.text((2200, 760), "坂戸市 福祉部 福祉総務課", font=mincho, fill=INK, anchor="ra")
    title = rng.choice(("健康診査のご案内", "国民健康保険料の納付について", "ごみ収集日の変更のお知らせ"))
    draw.text((1240, 980), title, font=font("print-gothic", 72), fill=INK, anchor="mm")
    body = (
        "拝啓　時下ますますご清祥のこととお喜び申し上げます。",
        "平素より市政にご理解とご協力を賜り、厚くお礼申し上げます。",
        "さて、標記の件につきまして、下記のとおりご案内いたします。",
        "ご不明な点がございましたら、担当課までお問い合わせください。",
        "なお、この通知は大切に保管してください。",
        "敬具",
    )
    y = 1180
    for line in body:
        draw.text((300, y), line, font=mincho, fill=INK)
        y += 95
    draw.text((1240, y + 80), "記", font=mincho, fill=INK, anchor="mm")
    items = ("１　対象者　　" + head["name"] + "　様（" + era_date(head["birth_date"]) + "生）",
             "２　期　間　　令和8年4月1日から令和9年3月31日まで",
             "３　問合せ　　坂戸市役所　電話 049-283-1331")
    y += 200
    for line in items:
        draw.text((360, y), line, font=gothic, fill=INK)
        y += 100
    draw.text((2200, y + 60), "以上", font=mincho, fill=INK, anchor="ra")
    return page


def id_card_page(household: dict, rng: random.Random) -> Image.Image:
    """A photocopy of an ID card (本人確認書類の写し) on an A4 page."""
    page = blank_sheet()
    draw = ImageDraw.Draw(page)
    head = household["members"][0]
    x0, y0 = rng.randint(300, 900), rng.randint(350, 1400)
    w, h = 1011, 638  # 85.6 × 54 mm at 300 dpi
    draw.rounded_rectangle((x0, y0, x0 + w, y0 + h), radius=40, outline=(60, 60, 60), width=4,
                           fill=(236, 238, 240))
    draw.rectangle((x0 + 20, y0 + 20, x0 + w - 20, y0 + 90), fill=(205, 215, 225))
    draw.text((x0 + 40, y0 + 55), "本人確認カード（見本）", font=font("print-gothic", 40), fill=INK, anchor="lm")
    small = font("print-gothic", 30)
    rows = (("氏名", head["name"]), ("生年月日", era_date(head["birth_date"]) + "生"),
            ("住所", household["address"][:18]), ("", household["address"][18:36]),
            ("交付", f"令和{rng.randint(3, 7)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"))
    y = y0 + 140
    for label, value in rows:
        draw.text((x0 + 40, y), label, font=small, fill=INK)
        draw.text((x0 + 190, y), value, font=small, fill=INK)
        y += 70
    draw.rectangle((x0 + w - 290, y0 + 150, x0 + w - 50, y0 + 470), fill=(170, 170, 175))
    draw.ellipse((x0 + w - 220, y0 + 190, x0 + w - 120, y0 + 300), fill=(120, 120, 125))
    draw.text((x0, y0 + h + 50), "※本人確認書類の写し", font=font("print-mincho", 40), fill=INK)
    return page


def tiny_image(page: Image.Image) -> Image.Image:
    """A 40 × 40 thumbnail: too small to read anything from."""
    return page.convert("RGB").resize((40, 40), Image.BILINEAR)


def truncate_jpeg(image: Image.Image, rng: random.Random, quality: int = 85) -> tuple[bytes, int]:
    """The JPEG bytes of ``image`` cut off part-way (as an interrupted transfer); and the full size."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, dpi=(300, 300))
    data = buffer.getvalue()
    return data[: int(len(data) * rng.uniform(0.3, 0.6))], len(data)
