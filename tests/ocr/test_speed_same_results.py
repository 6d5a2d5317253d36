"""The speed-ups of the OCR stages give exactly what the plain versions gave.

- decoding: OpenCV's fast path gives PIL's pixels for every JPEG / PNG variant, and whatever it
  cannot vouch for (alpha, 16-bit, truncated, EXIF-rotated, multi-frame) still goes through PIL;
- the long-line filter of ``new_ink`` equals one ``cv2.morphologyEx`` over the whole mask;
- ``drop_specks`` equals the plain label filter;
- the blank-line map is made once per process, whatever the number of pages.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr import clean
from ocr.load import PageLoadError, PageRef, _decode_fast, _to_bgr, load_page
from ocr.readers import base
from ocr.readers.base import horizontal_runs

MAX_PIXELS = 60_000_000


def _pil_pixels(path) -> np.ndarray:
    with Image.open(path) as img:
        img.load()
        return _to_bgr(img)


def _load(path) -> np.ndarray:
    return load_page(PageRef(path, path.name, 1, "image"), max_pixels=MAX_PIXELS)


@pytest.fixture(scope="module")
def scan_crop(dev_dir) -> Image.Image:
    with Image.open(dev_dir / "dev_0001.jpg") as img:
        return img.convert("RGB").crop((200, 300, 1400, 1800))


@pytest.mark.parametrize("name, save", [
    ("baseline.jpg", {"quality": 80}),
    ("progressive.jpg", {"quality": 80, "progressive": True}),
    ("444.jpg", {"quality": 95, "subsampling": 0}),
    ("422.jpg", {"quality": 70, "subsampling": 1}),
    ("gray.jpg", {"mode": "L", "quality": 80}),
    ("rgb.png", {}),
    ("gray.png", {"mode": "L"}),
    ("bilevel.png", {"mode": "1"}),
    ("palette.png", {"mode": "P"}),
])
def test_fast_decode_gives_pil_pixels(tmp_path, scan_crop, name, save):
    save = dict(save)
    mode = save.pop("mode", None)
    img = scan_crop.convert(mode) if mode == "L" or mode == "1" else scan_crop
    if mode == "P":
        img = scan_crop.convert("P", palette=Image.ADAPTIVE)
    path = tmp_path / name
    img.save(path, **save)
    with Image.open(path) as opened:
        assert _decode_fast(path, opened) is not None  # really the fast path
    assert np.array_equal(_load(path), _pil_pixels(path))


def test_exif_rotation_is_ignored_as_before(tmp_path, scan_crop):
    exif = scan_crop.getexif()
    exif[0x0112] = 6  # "rotate 90° CW" — PIL's decode (the reference) does not apply it
    path = tmp_path / "exif.jpg"
    scan_crop.save(path, exif=exif, quality=80)
    page = _load(path)
    assert page.shape[:2] == (scan_crop.height, scan_crop.width)
    assert np.array_equal(page, _pil_pixels(path))


@pytest.mark.parametrize("name, mode", [("rgba.png", "RGBA"), ("la.png", "LA"), ("i16.png", "I;16")])
def test_other_modes_go_through_pil(tmp_path, scan_crop, name, mode):
    path = tmp_path / name
    img = scan_crop.convert("L").convert("I;16") if mode == "I;16" else scan_crop.convert(mode)
    img.save(path)
    with Image.open(path) as opened:
        assert _decode_fast(path, opened) is None
    assert np.array_equal(_load(path), _pil_pixels(path))


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_truncated_files_still_fail_with_the_truncated_reason(tmp_path, scan_crop, suffix):
    full = tmp_path / f"full{suffix}"
    scan_crop.save(full)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(PageLoadError, match="truncated|壊れ"):
        _load(cut)


def test_jpeg_with_trailing_bytes_reads_like_pil(tmp_path, scan_crop):
    path = tmp_path / "trailing.jpg"
    scan_crop.save(path, quality=80)
    path.write_bytes(path.read_bytes() + b"\x00\x00scanner junk")
    assert np.array_equal(_load(path), _pil_pixels(path))


def _real_masks(dev_dir) -> list[np.ndarray]:
    """Ink masks of wide zones of a real scan (text lines, ruled lines, noise)."""
    gray = cv2.imread(str(dev_dir / "dev_0005.jpg"), cv2.IMREAD_GRAYSCALE)
    masks = []
    for y in range(400, 3200, 230):
        crop = gray[y:y + 140, 150:2300]
        masks.append(clean.ink_mask(crop, 150))
    return masks


def test_horizontal_runs_equals_full_opening(dev_dir):
    rng = np.random.default_rng(4)
    masks = _real_masks(dev_dir)
    for _ in range(30):  # random rows of ink with long runs, touching the edges too
        m = np.zeros((rng.integers(5, 60), rng.integers(200, 900)), np.uint8)
        for _ in range(rng.integers(0, 12)):
            r, a = rng.integers(0, m.shape[0]), rng.integers(-100, m.shape[1])
            m[r, max(0, a):max(0, a + rng.integers(10, 500))] = 255
        m[rng.random(m.shape) < 0.05] = 255
        masks.append(m)
    checked = 0
    for mask in masks:
        width = mask.shape[1]
        for run in (120, max(120, int(0.45 * width)), width):
            full = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
            fast = horizontal_runs(mask, run)
            if full.any():
                checked += 1
                assert fast is not None and np.array_equal(fast, full)
            else:
                assert fast is None
    assert checked >= 5  # the comparison saw real long runs, not only empty results


def test_drop_specks_equals_plain_label_filter(dev_dir):
    def plain(mask, min_area):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        keep = np.zeros(n, bool)
        keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
        return np.where(keep[labels], 255, 0).astype(np.uint8)

    masks = _real_masks(dev_dir) + [np.zeros((30, 40), np.uint8), np.full((30, 40), 255, np.uint8)]
    for mask in masks:
        for min_area in (1, 6, 20, 400):
            out = clean.drop_specks(mask, min_area)
            assert out.dtype == np.uint8 and np.array_equal(out, plain(mask, min_area))


def test_blank_line_map_is_made_once_per_process(dev_dir):
    from ocr.align import blank_for
    from ocr.template import load_template

    blank = blank_for(load_template("benefit-application"))
    first = base._blank_lines_cached(blank)
    assert base._blank_lines_cached(blank) is first
    assert first.dtype == np.uint8 and set(np.unique(first)) <= {0, 1}
    assert np.array_equal(first, (blank.gray < 160).astype(np.uint8))


def test_one_quarter_resize_serves_every_rotation(dev_dir):
    from ocr.align import _quarters, quarter, rotate

    gray = cv2.imread(str(dev_dir / "dev_0003.jpg"), cv2.IMREAD_GRAYSCALE)
    assert gray.shape[0] % 4 == 0 and gray.shape[1] % 4 == 0
    smalls = _quarters(gray, (0, 90, 180, 270))
    for rot, small in smalls.items():
        assert np.array_equal(small, quarter(rotate(gray, rot)))
        h, w = rotate(gray, rot).shape  # what find_marks resizes to
        assert np.array_equal(small, cv2.resize(rotate(gray, rot), (w // 4, h // 4), interpolation=cv2.INTER_AREA))
    assert _quarters(gray[:-1], (0, 180)) is None  # other sizes: each rotation is resized itself


def _thread_settings() -> tuple[int, list[int]]:
    import cv2 as cv
    from threadpoolctl import threadpool_info

    return cv.getNumThreads(), [pool["num_threads"] for pool in threadpool_info()]


def test_pool_workers_share_the_cores_and_run_blas_single_threaded():
    import os

    from ocr.cluster import make_executor

    with make_executor(workers=2) as pool:
        cv_threads, blas_threads = pool.submit(_thread_settings).result(timeout=120)
    assert cv_threads == max(1, (os.cpu_count() or 1) // 2)
    assert blas_threads and set(blas_threads) == {1}  # as on Dask workers: same sums, same rows
