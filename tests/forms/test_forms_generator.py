"""A generated batch with hard cases: real files, real decoders, truth in the canonical format."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from samples.core_system.seed import generate_households
from samples.forms import layout
from samples.forms.generator import generate_batch

CANONICAL_KEYS = {
    "application_id", "household_head_name", "household_head_kana", "household_head_birth_date",
    "postal_code", "address", "members", "application_date", "phone", "bank_kind", "bank_name",
    "branch_kind", "branch_name", "account_type", "account_number", "yucho_symbol", "yucho_number",
    "account_holder_kana", "applicant_signature", "seal_present",
}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
KANA_NAME = re.compile(r"^[\u30a1-\u30fc]+\u3000[\u30a1-\u30fc]+$")  # full-width katakana, one full-width space
NAME = re.compile(r"^\S+\u3000\S+$")
SIZES = {300: (2480, 3508), 200: (1653, 2339)}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("scans")
    households = generate_households(7, 60)
    paths = generate_batch(households, out, count=9, seed=3, hard_cases=True)
    return out, paths


def truth_pages(out: Path, path: Path) -> list[dict]:
    data = json.loads((out / "truth" / f"{path.name}.json").read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def check_form_truth(t: dict) -> None:
    assert CANONICAL_KEYS <= set(t), CANONICAL_KEYS - set(t)
    assert t["form"] == "benefit-application" and "expected" not in t
    assert re.fullmatch(r"\d{10}", t["application_id"])
    assert re.fullmatch(r"\d{7}", t["postal_code"])
    assert t["address"].startswith("埼玉県坂戸市")
    for key in ("household_head_birth_date", "application_date"):
        assert ISO.match(t[key]), key
    assert t["application_date"].startswith("2026-")
    assert KANA_NAME.match(t["household_head_kana"]) and KANA_NAME.match(t["account_holder_kana"])
    assert NAME.match(t["household_head_name"]) and NAME.match(t["applicant_signature"])
    assert 1 <= len(t["members"]) <= 4
    assert t["members"][0]["relation"] == "本人" and t["members"][0]["name"] == t["household_head_name"]
    for m in t["members"]:
        assert set(m) == {"name", "relation", "birth_date", "opt_out"}
        assert m["relation"] in {"本人", "妻", "夫", "子", "父", "母", "孫"}
        assert ISO.match(m["birth_date"]) and isinstance(m["opt_out"], bool)
    assert re.fullmatch(r"0\d{1,4}-\d{1,4}-\d{4}", t["phone"])
    bank_keys = ("bank_kind", "bank_name", "branch_kind", "account_type", "account_number")
    if t["yucho_symbol"] is None:  # exactly one account block
        assert t["yucho_number"] is None
        assert all(t[k] is not None for k in bank_keys)
        assert re.fullmatch(r"\d{7}", t["account_number"])
        assert t["bank_kind"] in {"銀行", "信用金庫", "信用組合", "農協", "労働金庫"}
        assert t["branch_kind"] in {"本店", "支店", "出張所"}
        assert (t["branch_name"] is None) == (t["branch_kind"] == "本店")
        assert t["account_type"] in {"普通", "当座"}
        assert unicodedata.normalize("NFKC", t["bank_name"]) == t["bank_name"]
        assert not t["bank_name"].endswith(("銀行", "信金", "信用金庫", "農協", "労金"))
    else:
        assert all(t[k] is None for k in (*bank_keys, "branch_name"))
        assert re.fullmatch(r"1\d{4}", t["yucho_symbol"])
        assert re.fullmatch(r"\d{7,8}", t["yucho_number"])
    assert isinstance(t["seal_present"], bool)
    meta = t["_meta"]
    assert meta["dpi"] in (200, 300) and meta["hand_font"] in {"yomogi", "kiwi-maru"}
    assert meta["ink"] in {"blue", "black"}


def load_pages(path: Path) -> list[Image.Image]:
    if path.suffix == ".pdf":
        from pdf2image import convert_from_path

        return convert_from_path(str(path), dpi=300)
    image = Image.open(path)
    pages = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        pages.append(image.copy())
    return pages


def test_every_file_has_truth_and_opens_at_its_size_and_dpi(batch):
    out, paths = batch
    assert sorted(p.name for p in paths) == sorted(p.name for p in out.iterdir() if p.is_file())
    assert sorted(f"{p.name}.json" for p in paths) == sorted(p.name for p in (out / "truth").iterdir())
    forms = 0
    for path in paths:
        truths = truth_pages(out, path)
        assert [t["page"] for t in truths] == list(range(1, len(truths) + 1))
        kind = truths[0]["_meta"].get("kind")
        if kind in ("truncated_jpeg", "tiny_40x40"):
            continue
        pages = load_pages(path)
        assert len(pages) == len(truths), path.name
        for page, t in zip(pages, truths, strict=True):
            dpi = t["_meta"]["dpi"]
            if path.suffix == ".pdf":  # rendered back at 300 dpi from the page size in the PDF
                assert abs(page.width - 2480) <= 2 and abs(page.height - 3508) <= 2
            else:
                assert page.size == SIZES[dpi], path.name
                assert round(page.info["dpi"][0]) == dpi
                assert page.mode == t["_meta"]["mode"]
            assert cv2.imread(str(path)) is not None or path.suffix in (".pdf", ".tif")
            if t["form"]:
                check_form_truth(t)
                forms += 1
            else:
                assert t["expected"] in {"blank", "unknown_form"}
    assert forms == 9


def test_hard_cases_are_all_there_with_the_right_expected_result(batch):
    out, paths = batch
    cases = {}
    for path in paths:
        truths = truth_pages(out, path)
        cases[truths[0]["_meta"].get("hard_case")] = (path, truths)
    expected_single = {"blank": "blank", "letter": "unknown_form", "tiny": "rejected",
                       "truncated_jpeg": "error"}
    for case, expected in expected_single.items():
        truths = cases[case][1]
        assert len(truths) == 1 and truths[0]["form"] is None and truths[0]["expected"] == expected
    assert Image.open(cases["tiny"][0]).size == (40, 40)
    truncated = cases["truncated_jpeg"][0]
    meta = cases["truncated_jpeg"][1][0]["_meta"]
    assert truncated.stat().st_size == meta["written_bytes"] < meta["full_bytes"]
    with pytest.raises(OSError), Image.open(truncated) as image:
        image.load()
    path, truths = cases["pdf_with_id_card"]
    assert path.suffix == ".pdf" and [t["form"] for t in truths] == ["benefit-application", None]
    assert truths[1]["expected"] == "unknown_form" and truths[1]["_meta"]["kind"] == "id_card_copy"
    path, truths = cases["tiff_two_forms"]
    assert path.suffix == ".tif" and len(truths) == 2 and all(t["form"] for t in truths)
    assert Image.open(path).n_frames == 2
    assert abs(cases["skewed"][1][0]["_meta"]["rotation_deg"]) >= 4.5
    assert cases["upside_down"][1][0]["_meta"]["upside_down"] is True
    assert cases["dpi200"][1][0]["_meta"]["dpi"] == 200
    fax = cases["fax"][1][0]["_meta"]
    assert fax["fax"] and fax["mode"] == "1" and Image.open(cases["fax"][0]).mode == "1"
    assert cases["grayscale"][1][0]["_meta"]["mode"] == "L"


def test_qr_code_decodes_to_the_application_id(batch):
    out, paths = batch
    detector = cv2.QRCodeDetector()
    checked = 0
    for path in paths:
        truths = truth_pages(out, path)
        if not any(t["form"] for t in truths):
            continue
        for page, t in zip(load_pages(path), truths, strict=True):
            if not t["form"] or t["_meta"]["mode"] == "1":
                continue
            gray = np.asarray(page.convert("L"))
            h, w = gray.shape
            # the QR code sits in the top-right corner (bottom-left when upside down)
            corner = gray[: h // 5, w // 2:] if not t["_meta"]["upside_down"] else gray[-h // 5:, : w // 2]
            text, _points, _ = detector.detectAndDecode(corner)
            assert text == t["application_id"], (path.name, t["page"])
            checked += 1
    assert checked >= 8


def unscan(page: Image.Image, meta: dict) -> np.ndarray:
    """Undo the scan's rotation and shift recorded in ``_meta`` (300 dpi, not upside down)."""
    gray = np.asarray(page.convert("L"))
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), meta["rotation_deg"], 1.0)
    matrix[:, 2] += meta["shift_px"]
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderValue=255)


def _tesseract_digits(gray: np.ndarray) -> str:
    import pytesseract

    text = pytesseract.image_to_string(Image.fromarray(gray), lang="jpn", config="--psm 7")
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())


def test_tesseract_reads_the_printed_application_id(batch):
    out, paths = batch
    read = []
    for path in paths:
        t = truth_pages(out, path)[0]
        meta = t["_meta"]
        if not t["form"] or path.suffix not in (".jpg", ".png") or meta["dpi"] != 300 or meta["upside_down"]:
            continue
        gray = unscan(Image.open(path), meta)
        # the Gothic number beside the QR code
        top, right = layout.ID_NUMBER_TOP, layout.ID_NUMBER_RIGHT
        read.append((_tesseract_digits(gray[top - 12: top + 60, right - 300: right + 12]), t["application_id"]))
        if meta["print_font"] == "print-gothic":  # and the 申請書番号 row of Section 1
            x0, y0, _x1, y1 = layout.ID_CELL
            read.append((_tesseract_digits(gray[y0 + 8: y1 - 6, x0 + 12: x0 + 600]), t["application_id"]))
    assert len(read) >= 4
    assert all(digits == expected for digits, expected in read), read
