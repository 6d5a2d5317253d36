"""Helpers for the OCR tests (imported as ``ocr_testkit``): shared samples, made-up pages."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not available: {path}")
    return path


def truth_of(scan: Path) -> dict | list:
    return json.loads((scan.parent / "truth" / f"{scan.name}.json").read_text(encoding="utf-8"))


def write_letter(path: Path) -> Path:
    """A page of another document: a letter in a Japanese font."""
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf", 56)
    lines = ["お知らせ", "", "拝啓　時下ますますご清栄のこととお慶び申し上げます。",
             "さて、このたび窓口の受付時間を変更いたしました。", "ご不便をおかけしますがよろしくお願いいたします。",
             "", "敬具", "令和8年4月1日", "坂戸市 市民課"]
    for i, line in enumerate(lines):
        draw.text((250, 400 + i * 120), line, fill=0, font=font)
    img.save(path)
    return path


def blank_page(path: Path, noise: bool = True) -> Path:
    rng = np.random.default_rng(3)
    page = np.full((3508, 2480), 245, np.uint8)
    if noise:
        page = np.clip(page + rng.normal(0, 4, page.shape), 0, 255).astype(np.uint8)
        for _ in range(30):  # scanner specks
            y, x = rng.integers(0, 3500), rng.integers(0, 2470)
            page[y:y + 2, x:x + 2] = 60
    cv2.imwrite(str(path), page)
    return path
