"""Loading: every bad input becomes its own row with a clear reason, and the batch goes on."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from ocr_testkit import blank_page, write_letter
from PIL import Image

from ocr.load import PageLoadError, load_page, plan_pages
from ocr.pipeline import run_pages


def _bomb_png(path: Path, width: int = 30000, height: int = 30000) -> Path:
    """A tiny PNG file that declares 900 megapixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
    return path


@pytest.fixture
def bad_inputs(tmp_path, dev_dir) -> dict[str, Path]:
    files = {}
    files["empty"] = tmp_path / "empty.jpg"
    files["empty"].write_bytes(b"")
    data = (dev_dir / "dev_0002.jpg").read_bytes()
    files["truncated"] = tmp_path / "truncated.jpg"
    files["truncated"].write_bytes(data[: len(data) // 3])
    files["bomb"] = _bomb_png(tmp_path / "bomb.png")
    files["tiny"] = tmp_path / "tiny.png"
    Image.new("L", (40, 40), 255).save(files["tiny"])
    files["text"] = tmp_path / "notes.pdf"
    files["text"].write_text("this is not a pdf at all")
    files["broken_pdf"] = tmp_path / "broken.pdf"
    files["broken_pdf"].write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF garbage")
    return files


def test_each_bad_input_gets_its_own_clear_error(bad_inputs, dev_dir):
    good = dev_dir / "dev_0003.jpg"
    order = ["empty", "truncated", "bomb", "tiny", "text", "broken_pdf"]
    rows = list(run_pages([bad_inputs[k] for k in order[:3]] + [good] + [bad_inputs[k] for k in order[3:]]))
    by_source = {r["source"]: r for r in rows}
    assert [r["source"] for r in rows] == [bad_inputs[k].name for k in order[:3]] + [good.name] + [
        bad_inputs[k].name for k in order[3:]]
    assert by_source["empty.jpg"]["status"] == "error" and "空" in by_source["empty.jpg"]["errors"][0]
    assert "truncated" in by_source["truncated.jpg"]["errors"][0]
    assert "大きすぎ" in by_source["bomb.png"]["errors"][0]
    assert "小さすぎ" in by_source["tiny.png"]["errors"][0] and "rejected" in by_source["tiny.png"]["errors"][0]
    assert by_source["notes.pdf"]["status"] == "error"
    assert by_source["broken.pdf"]["status"] == "error" and "PDF" in by_source["broken.pdf"]["errors"][0]
    # the batch went on: the good scan in the middle was read
    assert by_source[good.name]["status"] == "ok"
    assert by_source[good.name]["fields"]["application_id"]


@pytest.mark.skipif(shutil.which("gs") is None, reason="ghostscript needed to make an encrypted PDF")
def test_encrypted_pdf_is_reported(tmp_path, dev_dir):
    plain = tmp_path / "plain.pdf"
    Image.open(dev_dir / "dev_0001.jpg").convert("L").save(plain, resolution=300)
    locked = tmp_path / "locked.pdf"
    subprocess.run(["gs", "-q", "-sDEVICE=pdfwrite", "-sOwnerPassword=owner", "-sUserPassword=user",
                    "-dEncryptionR=3", "-dKeyLength=128", "-o", str(locked), str(plain)], check=True,
                   capture_output=True, timeout=120)
    refs = list(plan_pages([locked], max_pixels=60_000_000))
    assert len(refs) == 1 and refs[0].error and "パスワード" in refs[0].error


def test_multipage_tiff_and_pdf_are_split_into_pages(tmp_path, dev_dir):
    pages = [Image.open(dev_dir / n).convert("L").reduce(4) for n in ("dev_0001.jpg", "dev_0002.jpg", "dev_0004.jpg")]
    tif = tmp_path / "batch.tif"
    pages[0].save(tif, save_all=True, append_images=pages[1:], compression="tiff_deflate")
    pdf = tmp_path / "batch.pdf"
    pages[0].save(pdf, save_all=True, append_images=pages[1:2], resolution=75)
    refs = list(plan_pages([tmp_path], max_pixels=60_000_000))
    assert [(r.source, r.page) for r in refs] == [("batch.pdf", 1), ("batch.pdf", 2),
                                                   ("batch.tif", 1), ("batch.tif", 2), ("batch.tif", 3)]
    third = load_page(refs[4], max_pixels=60_000_000)
    assert third.shape[:2] == (pages[2].height, pages[2].width)
    assert np.abs(third[..., 0].astype(int) - np.asarray(pages[2]).astype(int)).mean() < 1
    pdf_page = load_page(refs[1], max_pixels=60_000_000)
    assert pdf_page.shape[1] > 2000  # rendered at 300 dpi whatever the PDF's image resolution


def test_pixel_limit_comes_from_settings(tmp_path, monkeypatch, dev_dir):
    refs = list(plan_pages([dev_dir / "dev_0001.jpg"], max_pixels=1_000_000))
    assert refs[0].error and "大きすぎ" in refs[0].error
    with pytest.raises(PageLoadError):
        load_page(refs[0], max_pixels=1_000_000)


def test_blank_and_foreign_pages(tmp_path):
    blank = blank_page(tmp_path / "blank.png")
    letter = write_letter(tmp_path / "letter.png")
    rows = {r["source"]: r for r in run_pages([blank, letter])}
    assert rows["blank.png"]["status"] == "blank"
    assert rows["letter.png"]["status"] == "unknown_form"
    assert rows["letter.png"]["form"] is None and rows["letter.png"]["errors"]


def test_grayscale_and_one_bit_images_load_as_bgr(tmp_path, dev_dir):
    img = Image.open(dev_dir / "dev_0005.jpg").convert("1")
    path = tmp_path / "fax.png"
    img.save(path)
    ref = next(iter(plan_pages([path], max_pixels=60_000_000)))
    page = load_page(ref, max_pixels=60_000_000)
    assert page.ndim == 3 and page.dtype == np.uint8 and set(np.unique(page)) <= {0, 255}
    assert cv2.cvtColor(page, cv2.COLOR_BGR2GRAY).shape == (img.height, img.width)
