"""Where things go on the benefit application form, in pixels of the 300 dpi blank.

Every position was measured on ``benefit-application/blank.png`` (2480 × 3508 px, A4 at
300 dpi) by finding its ruled lines and boxes with OpenCV; ``tests/forms`` checks them against
the blank again. Rectangles are ``(x0, y0, x1, y1)``; tick boxes are ``(x, y, size)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FORM_ID = "benefit-application"
BLANK_PNG = HERE / FORM_ID / "blank.png"
DPI = 300
PAGE_SIZE = (2480, 3508)  # width, height at 300 dpi


@dataclass(frozen=True)
class Boxes:
    """A row of equal boxes (one character each) inside the rectangle ``rect``."""

    rect: tuple[int, int, int, int]
    count: int

    def cell(self, index: int) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = self.rect
        width = (x1 - x0) / self.count
        return (round(x0 + index * width), y0, round(x0 + (index + 1) * width), y1)


# --- header -----------------------------------------------------------------------------
QR_ORIGIN = (2042, 226)          # top-left of the QR code (quiet zone included)
QR_SIZE = 196                    # px, quiet zone included
ID_LABEL_AT = (1862, 236)        # 「申請書番号」, small Gothic
ID_NUMBER_RIGHT = 2012           # the 10 digits beside the QR code end here
ID_NUMBER_TOP = 300

# --- section 1 (printed by the city) -------------------------------------------------------
ID_CELL = (534, 638, 2298, 724)
KANA_CELL = (534, 729, 1474, 807)
NAME_CELL = (534, 812, 1474, 937)
BIRTH_CELL = (1739, 729, 2298, 937)
ADDRESS_CELL = (534, 942, 2298, 1111)
POSTAL_LINE_Y = 985              # centre line of 「〒350-0214」
ADDRESS_LINE_Y = 1062            # centre line of the address

MEMBER_ROWS = ((1231, 1316), (1321, 1406), (1411, 1496), (1501, 1582))
MEMBER_NAME_X = (183, 1037)
MEMBER_RELATION_X = (1042, 1297)
MEMBER_BIRTH_X = (1302, 1888)
OPT_OUT_BOXES = tuple((2069, y, 55) for y in (1246, 1336, 1426, 1515))

# --- section 2 (handwritten by the resident) -------------------------------------------------
DATE_YEAR = Boxes((655, 1760, 803, 1867), 2)
DATE_MONTH = Boxes((864, 1760, 1012, 1867), 2)
DATE_DAY = Boxes((1073, 1760, 1221, 1867), 2)
PHONE_AREA = (1610, 1790, 2285, 1878)

BANK_NAME_AREA = (534, 1960, 1392, 2117)
BANK_KIND_BOXES = {
    "銀行": (1417, 1977, 51),
    "信用金庫": (1606, 1977, 51),
    "信用組合": (1878, 1977, 51),
    "農協": (1417, 2048, 51),
    "労働金庫": (1606, 2048, 51),
}
BRANCH_NAME_AREA = (534, 2122, 1392, 2259)
BRANCH_KIND_BOXES = {
    "本店": (1417, 2165, 51),
    "支店": (1654, 2165, 51),
    "出張所": (1890, 2165, 51),
}
ACCOUNT_TYPE_BOXES = {"普通": (579, 2307, 51), "当座": (803, 2307, 51)}
ACCOUNT_NUMBER = Boxes((1382, 2278, 2041, 2386), 7)
YUCHO_SYMBOL = Boxes((661, 2450, 1132, 2569), 5)
YUCHO_NUMBER = Boxes((1323, 2450, 2076, 2569), 8)
HOLDER_KANA = Boxes((549, 2633, 2290, 2752), 20)
SIGNATURE_AREA = (534, 2831, 1947, 3023)
SEAL_CIRCLE = (2126, 2928, 77)   # centre x, centre y, radius of the dashed 印 circle

# Solid registration squares near the corners: (x, y, size)
MARKS = ((118, 118, 73), (2291, 118, 73), (118, 3319, 73), (2291, 3319, 73))
