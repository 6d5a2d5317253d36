"""One filled benefit application form: blank + Section 1 print + Section 2 handwriting.

``fill_form(household, rng)`` returns the clean 300 dpi page (before any "scanning"), the
canonical truth fields and a ``_meta`` dict describing how the page was drawn.
"""

from __future__ import annotations

import random
from functools import lru_cache

from PIL import Image

from samples.forms import layout as L
from samples.forms.answers import SPACE, choose_answers
from samples.forms.fonts import HAND_FONTS, covers
from samples.forms.handwriting import Pen, tick, write_in_cell, write_text
from samples.forms.printed import print_section1
from samples.forms.seal import stamp_seal

FIELD_KEYS = (
    "application_id", "household_head_name", "household_head_kana", "household_head_birth_date",
    "postal_code", "address", "members", "application_date", "phone", "bank_kind", "bank_name",
    "branch_kind", "branch_name", "account_type", "account_number", "yucho_symbol", "yucho_number",
    "account_holder_kana", "applicant_signature", "seal_present",
)


@lru_cache(maxsize=1)
def blank_page() -> Image.Image:
    with Image.open(L.BLANK_PNG) as image:
        page = image.convert("RGB")
    if page.size != L.PAGE_SIZE:
        raise RuntimeError(f"{L.BLANK_PNG} の大きさが {page.size} です（{L.PAGE_SIZE} のはず）")
    return page


def _holder_boxes(kana: str) -> list[str]:
    """One box per kana (voiced kana are one character already), one empty box per space."""
    return ["" if ch in (" ", SPACE) else ch for ch in kana][: L.HOLDER_KANA.count]


def _boxed(page, pen, boxes: L.Boxes, digits: str, rng, right_align: bool = True) -> None:
    start = boxes.count - len(digits) if right_align else 0
    for i, digit in enumerate(digits):
        if digit:
            write_in_cell(page, pen, digit, boxes.cell(start + i), rng)


def _date_part(value: int, leading_zero: bool) -> str:
    return f"{value:02d}" if leading_zero or value >= 10 else str(value)


def _write_section2(page: Image.Image, pen: Pen, truth: dict, rng: random.Random) -> dict:
    meta: dict = {}
    year, month, day = (int(p) for p in truth["application_date"].split("-"))
    zero = rng.random() < 0.4
    _boxed(page, pen, L.DATE_YEAR, _date_part(year - 2018, zero and rng.random() < 0.6), rng)
    _boxed(page, pen, L.DATE_MONTH, _date_part(month, zero), rng)
    _boxed(page, pen, L.DATE_DAY, _date_part(day, zero), rng)
    meta["date_leading_zero"] = zero

    x0, y0, x1, y1 = L.PHONE_AREA
    size = rng.uniform(52, 64)
    write_text(page, pen, truth["phone"], x0 + rng.uniform(0, 60), y1 - rng.uniform(10, 22), size, rng,
               spacing=0.02)

    styles = []
    if truth["bank_name"] is not None:
        x0, y0, x1, y1 = L.BANK_NAME_AREA
        size = rng.uniform(66, 84)
        write_text(page, pen, truth["bank_name"], x0 + rng.uniform(50, 220),
                   (y0 + y1) / 2 + size * 0.38 + rng.uniform(-10, 10), size, rng)
        styles.append(tick(page, pen, L.BANK_KIND_BOXES[truth["bank_kind"]], rng))
        styles.append(tick(page, pen, L.BRANCH_KIND_BOXES[truth["branch_kind"]], rng))
        if truth["branch_name"]:
            x0, y0, x1, y1 = L.BRANCH_NAME_AREA
            size = rng.uniform(66, 84)
            write_text(page, pen, truth["branch_name"], x0 + rng.uniform(50, 220),
                       (y0 + y1) / 2 + size * 0.38 + rng.uniform(-10, 10), size, rng)
        styles.append(tick(page, pen, L.ACCOUNT_TYPE_BOXES[truth["account_type"]], rng))
        _boxed(page, pen, L.ACCOUNT_NUMBER, truth["account_number"], rng)
    else:
        _boxed(page, pen, L.YUCHO_SYMBOL, truth["yucho_symbol"], rng)
        _boxed(page, pen, L.YUCHO_NUMBER, truth["yucho_number"], rng)

    for i, ch in enumerate(_holder_boxes(truth["account_holder_kana"])):
        if ch:
            write_in_cell(page, pen, ch, L.HOLDER_KANA.cell(i), rng, fill=0.58)

    x0, y0, x1, y1 = L.SIGNATURE_AREA
    size = rng.uniform(88, 112)
    family, _, given = truth["applicant_signature"].partition(SPACE)
    x = write_text(page, pen, family, x0 + rng.uniform(40, 160), (y0 + y1) / 2 + size * 0.4, size, rng)
    write_text(page, pen, given, x + size * rng.uniform(0.6, 1.5), (y0 + y1) / 2 + size * 0.4, size, rng)

    for member, box in zip(truth["members"], L.OPT_OUT_BOXES, strict=False):
        if member["opt_out"]:
            styles.append(tick(page, pen, box, rng))
    meta["tick_styles"] = styles
    if truth["seal_present"]:
        meta.update(stamp_seal(page, family, rng))
    return meta


REQUIRED = {"application_id": str, "postal_code": str, "address": str, "members": list}
MEMBER_REQUIRED = ("name", "kana", "relation", "birth_date")


def check_household(household: dict, where: str = "世帯") -> None:
    """Raise ValueError naming what is missing or malformed in ``household``."""
    if not isinstance(household, dict):
        raise ValueError(f"{where}: 辞書ではありません（{type(household).__name__}）")
    for key, kind in REQUIRED.items():
        if not isinstance(household.get(key), kind):
            raise ValueError(f"{where}: {key} がないか形が違います（{kind.__name__} のはず）")
    if not household["members"]:
        raise ValueError(f"{where}: members が空です（先頭は世帯主）")
    for number, member in enumerate(household["members"], start=1):
        missing = [key for key in MEMBER_REQUIRED if not member.get(key)]
        if missing:
            raise ValueError(f"{where} の {number} 人目: {', '.join(missing)} がありません")


def fill_form(household: dict, rng: random.Random, stroke_digit_rate: float = 0.25
              ) -> tuple[Image.Image, dict, dict]:
    """The filled, clean page of ``household``, its truth fields and drawing ``_meta``."""
    members = household["members"][:4]
    head = members[0]
    truth: dict = {
        "application_id": household["application_id"],
        "household_head_name": head["name"],
        "household_head_kana": head["kana"],
        "household_head_birth_date": head["birth_date"],
        "postal_code": household["postal_code"],
        "address": household["address"],
        "members": [
            {"name": m["name"], "relation": m["relation"], "birth_date": m["birth_date"],
             "opt_out": i > 0 and rng.random() < 0.11}
            for i, m in enumerate(members)
        ],
    }
    truth.update(choose_answers({**household, "members": members}, rng))
    print_font = rng.choice(("print-gothic", "print-mincho"))
    written = truth["applicant_signature"] + truth["account_holder_kana"]
    fonts = [f for f in sorted(HAND_FONTS) if covers(f, written)]
    hand_font = rng.choice(fonts or sorted(HAND_FONTS))
    ink = rng.choices(("blue", "black"), weights=(55, 45))[0]
    stroke_digits = rng.random() < stroke_digit_rate
    pen = Pen.random(rng, hand_font, ink, stroke_digits)
    page = blank_page().copy()
    print_section1(page, {**household, "members": members}, print_font)
    meta = {"hand_font": hand_font, "ink": ink, "print_font": print_font, "mnist_digits": False,
            "stroke_digits": stroke_digits,
            "pen_jitter": round(pen.jitter, 2), "pen_bold": pen.bold}
    if not fonts:  # a name with a kanji neither handwriting font has: drawn as a blank box
        meta["missing_glyphs"] = sorted({ch for ch in written if not covers(hand_font, ch)})
    meta.update(_write_section2(page, pen, truth, rng))
    return page, {key: truth[key] for key in FIELD_KEYS}, meta
