"""The generator's parts: layout against the blank, bank data against zengin-code, era dates,
kana boxes, degradations, determinism and the command line."""

from __future__ import annotations

import json
import random
import unicodedata

import cv2
import numpy as np
import pytest
import zengin_code
from PIL import Image

from samples.core_system.seed import generate_households
from samples.forms import degrade, layout
from samples.forms.answers import choose_answers
from samples.forms.form import _holder_boxes, blank_page
from samples.forms.generator import generate_batch, main
from samples.forms.printed import era_date, qr_image

SUFFIX = {"信用金庫": "信金", "信用組合": "信組", "労働金庫": "労金", "農協": "農協", "銀行": ""}


@pytest.fixture(scope="module")
def blank() -> np.ndarray:
    return np.asarray(blank_page().convert("L"))


def _ink(gray: np.ndarray, rect) -> float:
    x0, y0, x1, y1 = rect
    return float((gray[y0:y1, x0:x1] < 128).mean())


def _line(gray: np.ndarray, rect) -> float:
    """Share of positions along a thin band (horizontal or vertical) that have ink across it."""
    x0, y0, x1, y1 = rect
    band = gray[y0:y1, x0:x1] < 128
    return float(band.any(axis=0 if x1 - x0 > y1 - y0 else 1).mean())


def test_tick_boxes_and_digit_boxes_sit_on_the_printed_boxes(blank):
    boxes = [*layout.OPT_OUT_BOXES, *layout.BANK_KIND_BOXES.values(), *layout.BRANCH_KIND_BOXES.values(),
             *layout.ACCOUNT_TYPE_BOXES.values()]
    for x, y, s in boxes:
        # the four sides are printed lines, the inside is empty paper
        assert _line(blank, (x, y - 2, x + s, y + 4)) > 0.9 and _line(blank, (x, y + s - 4, x + s, y + s + 2)) > 0.9
        assert _line(blank, (x - 2, y, x + 4, y + s)) > 0.9 and _line(blank, (x + s - 4, y, x + s + 2, y + s)) > 0.9
        assert _ink(blank, (x + 8, y + 8, x + s - 8, y + s - 8)) == 0
    for boxes in (layout.DATE_YEAR, layout.DATE_MONTH, layout.DATE_DAY, layout.ACCOUNT_NUMBER,
                  layout.YUCHO_SYMBOL, layout.YUCHO_NUMBER, layout.HOLDER_KANA):
        x0, y0, x1, y1 = boxes.rect
        assert _line(blank, (x0 + 4, y0 - 3, x1 - 4, y0 + 4)) > 0.95  # top and bottom edges
        assert _line(blank, (x0 + 4, y1 - 4, x1 - 4, y1 + 3)) > 0.95
        for i in range(boxes.count):
            cx0, _, cx1, _ = boxes.cell(i)
            assert _ink(blank, (cx0 + 10, y0 + 10, cx1 - 10, y1 - 10)) == 0  # cells are empty
        for i in range(1, boxes.count):  # a dashed divider between neighbouring cells
            x = boxes.cell(i)[0]
            assert _ink(blank, (x - 3, y0 + 5, x + 3, y1 - 5)) > 0.05
    for area in (layout.ID_CELL, layout.KANA_CELL, layout.NAME_CELL, layout.PHONE_AREA,
                 layout.BANK_NAME_AREA, layout.BRANCH_NAME_AREA, layout.SIGNATURE_AREA):
        x0, y0, x1, y1 = area
        assert _ink(blank, (x0 + 10, y0 + 10, x1 - 10, y1 - 10)) < 0.003, area  # room to write


def test_qr_code_holds_exactly_the_id():
    image = np.asarray(qr_image("0012345678", layout.QR_SIZE))
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert text == "0012345678"


@pytest.mark.parametrize(("iso", "printed"), [
    ("1977-11-08", "昭和52年11月8日"), ("1989-01-07", "昭和64年1月7日"), ("1989-01-08", "平成元年1月8日"),
    ("2019-04-30", "平成31年4月30日"), ("2019-05-01", "令和元年5月1日"), ("2026-07-01", "令和8年7月1日"),
    ("1926-12-25", "昭和元年12月25日"),
])
def test_era_dates(iso, printed):
    assert era_date(iso) == printed


def test_holder_kana_one_box_per_kana_and_an_empty_box_between_names():
    assert _holder_boxes("ジョウ\u3000パッパ") == ["ジ", "ョ", "ウ", "", "パ", "ッ", "パ"]
    assert len(_holder_boxes("ア" * 30)) == layout.HOLDER_KANA.count


def test_banks_and_branches_exist_in_zengin_code_with_their_kind():
    households = generate_households(3, 40)
    rng = random.Random(5)
    banks = {unicodedata.normalize("NFKC", b.name): b for b in zengin_code.Bank.all.values()}
    kinds, yucho = set(), 0
    for i in range(400):
        answers = choose_answers(households[i % 40], rng)
        if answers["yucho_symbol"]:
            yucho += 1
            assert answers["yucho_number"].endswith("1") and answers["yucho_symbol"].endswith("0")
            continue
        kinds.add(answers["bank_kind"])
        bank = banks[answers["bank_name"] + SUFFIX[answers["bank_kind"]]]
        if answers["bank_kind"] == "銀行":
            assert bank.code < "1000"
        names = {unicodedata.normalize("NFKC", b.name) for b in bank.branches.values()}
        if answers["branch_kind"] == "本店":
            assert answers["branch_name"] is None and names & {"本店", "本店営業部"}
        else:
            suffix = "出張所" if answers["branch_kind"] == "出張所" else ""
            assert answers["branch_name"] + suffix in names
    assert kinds == {"銀行", "信用金庫", "信用組合", "農協", "労働金庫"}
    assert 30 <= yucho <= 100  # about 15 %


def _page() -> np.ndarray:
    return np.asarray(blank_page())[1600:2200, 100:900].copy()


@pytest.mark.parametrize("name", degrade.HEAVY_EFFECTS)
def test_each_heavy_degradation_changes_the_page_the_way_it_should(name):
    page = _page()
    gray = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    out = degrade.EFFECTS[name](page.copy(), random.Random(1), np.random.default_rng(1))
    assert out.shape == page.shape and out.dtype == np.uint8
    out_gray = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY)
    ink, paper = gray < 100, gray > 200
    if name == "InkBleed":
        assert (out_gray < 100).sum() > ink.sum()  # strokes spread
    elif name.startswith("LowInk"):
        assert out_gray[ink].mean() > gray[ink].mean() + 2  # strokes fade
        assert (out_gray[paper] >= gray[paper]).all()  # nothing darkens
    elif name == "Jpeg":
        assert 0 < np.abs(out_gray.astype(int) - gray).mean() < 10
    else:  # dirt and noise: the paper is no longer clean
        assert np.abs(out_gray[paper].astype(int) - gray[paper]).mean() > 0.3


def test_scan_profiles_geometry_dpi_and_modes():
    page = blank_page()
    for profile, size, mode in (
        (degrade.ScanProfile(dpi=200, rotation_deg=2.0), (1653, 2339), "RGB"),
        (degrade.ScanProfile(mode="L", upside_down=True), (2480, 3508), "L"),
        (degrade.ScanProfile(mode="1", dpi=200), (1653, 2339), "1"),
    ):
        image = degrade.scan(page, random.Random(0), profile)
        assert image.size == size and image.mode == mode
    flipped = np.asarray(degrade.scan(page, random.Random(0), degrade.ScanProfile(upside_down=True, blur=False,
                                                                                  noise_sigma=0)).convert("L"))
    # the registration mark of the top-left corner is now at the bottom right
    x, y, s = layout.MARKS[0]
    assert flipped[3508 - y - s + 10: 3508 - y - 10, 2480 - x - s + 10: 2480 - x - 10].mean() < 60
    # printed "fit to page": the mark moves towards the centre by the scale
    shrunk = np.asarray(degrade.scan(page, random.Random(0), degrade.ScanProfile(scale=0.95, blur=False,
                                                                                 noise_sigma=0)).convert("L"))
    cx, cy = 1240 + (x + s / 2 - 1240) * 0.95, 1754 + (y + s / 2 - 1754) * 0.95
    assert shrunk[int(cy) - 20: int(cy) + 20, int(cx) - 20: int(cx) + 20].mean() < 60
    assert shrunk[y + 2: y + 12, x + 2: x + 12].mean() > 200  # the old place is paper now


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    households = generate_households(2, 30)
    a = generate_batch(households, tmp_path / "a", count=1, seed=9, degradation="heavy")
    b = generate_batch(households, tmp_path / "b", count=1, seed=9, degradation="heavy")
    c = generate_batch(households, tmp_path / "c", count=1, seed=10, degradation="heavy")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
        assert (pa.parent / "truth" / f"{pa.name}.json").read_bytes() == \
            (pb.parent / "truth" / f"{pb.name}.json").read_bytes()
    truth_a = json.loads((a[0].parent / "truth" / f"{a[0].name}.json").read_text())
    truth_c = json.loads((c[0].parent / "truth" / f"{c[0].name}.json").read_text())
    assert truth_a["application_id"] != truth_c["application_id"] or a[0].read_bytes() != c[0].read_bytes()
    assert truth_a["_meta"]["degradations"]  # heavy always adds at least one
    assert set(truth_a["_meta"]["degradations"]) <= set(degrade.HEAVY_EFFECTS)


def test_bad_arguments_get_a_clear_error(tmp_path):
    households = generate_households(2, 3)
    with pytest.raises(ValueError, match="世帯が足りません"):
        generate_batch(households, tmp_path, count=4)
    with pytest.raises(ValueError, match="世帯がありません"):
        generate_batch([], tmp_path, count=0, hard_cases=True)
    with pytest.raises(ValueError, match="degradation"):
        generate_batch(households, tmp_path, count=1, degradation="medium")
    broken = [{**households[0], "members": [{**households[0]["members"][0], "kana": ""}]}]
    with pytest.raises(ValueError, match="1 人目: kana がありません"):
        generate_batch(broken, tmp_path, count=1)
    with pytest.raises(ValueError, match="address"):
        generate_batch([{k: v for k, v in households[0].items() if k != "address"}], tmp_path, count=1)


def test_command_line(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["--out", str(out), "--count", "1", "--seed", "2", "--households-seed", "4"]) == 0
    assert "1 ファイル" in capsys.readouterr().out
    (scan,) = [p for p in out.iterdir() if p.is_file()]
    truth = json.loads((out / "truth" / f"{scan.name}.json").read_text(encoding="utf-8"))
    assert truth["application_id"] in {h["application_id"] for h in generate_households(4, 800)}
    with Image.open(scan) as image:
        assert image.size == (2480, 3508)
    assert main(["--out", str(out), "--count", "-1"]) == 2
    assert "エラー" in capsys.readouterr().err


def test_stroke_digits_are_drawn_differently_by_each_writer():
    from samples.forms.strokes import SKELETONS, StrokeHand

    masks = {}
    for writer in range(2):
        hand = StrokeHand(random.Random(writer))
        for char in SKELETONS:
            mask = np.asarray(hand.mask(char, 80, random.Random(7)))
            ys, xs = np.nonzero(mask > 128)
            assert len(ys) > 150, char  # a visible stroke
            height = ys.max() - ys.min()
            assert (height < 40) if char == "-" else (60 < height < 110), (char, height)
            masks[writer, char] = mask
    assert any(masks[0, c].shape != masks[1, c].shape or not np.array_equal(masks[0, c], masks[1, c])
               for c in SKELETONS)


def test_stroke_digit_rate_is_recorded_per_form(tmp_path):
    households = generate_households(2, 10)
    paths = generate_batch(households, tmp_path, count=1, seed=1, stroke_digit_rate=1.0)
    truth = json.loads((tmp_path / "truth" / f"{paths[0].name}.json").read_text(encoding="utf-8"))
    assert truth["_meta"]["stroke_digits"] is True
    with pytest.raises(ValueError, match="stroke_digit_rate"):
        generate_batch(households, tmp_path, count=1, stroke_digit_rate=2)


def test_a_name_the_handwriting_fonts_lack_is_still_drawn_and_flagged():
    from samples.forms.fonts import HAND_FONTS, has_glyph
    from samples.forms.form import fill_form

    assert not any(has_glyph(f, "髙") for f in HAND_FONTS)
    household = generate_households(2, 1)[0]
    head = {**household["members"][0], "name": "髙橋\u3000一郎", "kana": "タカハシ\u3000イチロウ"}
    household = {**household, "members": [head]}
    page, truth, meta = fill_form(household, random.Random(0))
    assert truth["household_head_name"] == "髙橋\u3000一郎"
    assert truth["applicant_signature"] == "髙橋\u3000一郎" and meta["missing_glyphs"] == ["髙"]
    assert page.size == layout.PAGE_SIZE
