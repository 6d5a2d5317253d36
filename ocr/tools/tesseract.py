"""tesseract (via pytesseract): one batched call per engine setting.

``read_lines(images, lang, psm)`` pastes the images one under the other into a single strip
with wide white gaps, runs tesseract once (TSV output) and splits the words back by their
vertical position, so a page costs a few tesseract processes instead of one per field.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pytesseract

from yomikaki.errors import ExternalToolError

TIMEOUT_S = 60
GAP = 80  # px of white between lines in the strip
MARGIN = 20
SPACE_GAP = 0.75  # a gap wider than this × line height is a space


@dataclass
class LineResult:
    text: str
    confidence: float  # 0..1, the lowest word confidence (a word's is its weakest char's)
    words: list[tuple[str, float]]
    boxes: list[tuple[int, int, str]] = field(default_factory=list)  # left, right, text (line px)


def _configure() -> None:
    from yomikaki.settings import get_settings

    pytesseract.pytesseract.tesseract_cmd = get_settings().ocr.tesseract_cmd
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def compose_strip(images: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Stack grayscale images (white background) vertically; return the strip and y-ranges."""
    width = max(img.shape[1] for img in images) + 2 * MARGIN
    height = sum(img.shape[0] for img in images) + GAP * (len(images) - 1) + 2 * MARGIN
    strip = np.full((height, width), 255, np.uint8)
    ranges = []
    y = MARGIN
    for img in images:
        h, w = img.shape
        strip[y:y + h, MARGIN:MARGIN + w] = img
        ranges.append((y, y + h))
        y += h + GAP
    return strip, ranges


def read_lines(images: list[np.ndarray], *, lang: str = "jpn", psm: int = 6,
               whitelist: str | None = None) -> list[LineResult]:
    """OCR many one-line images with one tesseract call."""
    if not images:
        return []
    _configure()
    strip, ranges = compose_strip(images)
    config = f"--psm {psm} -c preserve_interword_spaces=1"
    if whitelist:
        config += f" -c tessedit_char_whitelist={whitelist}"
    try:
        data = pytesseract.image_to_data(strip, lang=lang, config=config, timeout=TIMEOUT_S,
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
        raise ExternalToolError(f"tesseract が {TIMEOUT_S} 秒以内に終わりませんでした: {exc}") from None
    except pytesseract.TesseractNotFoundError:
        raise ExternalToolError("tesseract が見つかりません",
                                hint="apt install tesseract-ocr tesseract-ocr-jpn") from None
    except pytesseract.TesseractError as exc:
        raise ExternalToolError(f"tesseract が失敗しました: {exc.message}") from None
    buckets: list[list[tuple[int, int, str, float]]] = [[] for _ in images]
    for text, conf, left, top, width, height in zip(data["text"], data["conf"], data["left"],
                                                    data["top"], data["width"], data["height"],
                                                    strict=False):
        text = (text or "").strip()
        if not text:
            continue
        centre = top + height / 2
        for index, (y0, y1) in enumerate(ranges):
            if y0 - GAP / 2 <= centre < y1 + GAP / 2:
                buckets[index].append((left, left + width, text, max(float(conf), 0.0) / 100))
                break
    results = []
    for words, (y0, y1) in zip(buckets, ranges, strict=True):
        words.sort()
        space = SPACE_GAP * (y1 - y0)
        text, prev_right = "", None
        for left, right, word, _ in words:
            if prev_right is not None and left - prev_right > space:
                text += " "
            text += word
            prev_right = right
        results.append(LineResult(
            text=text,
            confidence=min((c for *_, c in words), default=0.0),
            words=[(t, c) for _, _, t, c in words],
            boxes=[(left - MARGIN, right - MARGIN, t) for left, right, t, _ in words],
        ))
    return results


def read_pages(images: list[np.ndarray], *, lang: str = "jpn", psm: int = 7,
               whitelist: str | None = None, dpi: int = 300) -> list[LineResult]:
    """OCR many images with one tesseract process, each image as its own page (list file)."""
    import subprocess
    import tempfile
    from pathlib import Path

    import cv2

    if not images:
        return []
    _configure()
    cmd = pytesseract.pytesseract.tesseract_cmd
    with tempfile.TemporaryDirectory(prefix="yomikaki-tess-") as tmp:
        names = []
        for index, img in enumerate(images):
            name = Path(tmp) / f"{index:04d}.png"
            cv2.imwrite(str(name), img)
            names.append(str(name))
        listing = Path(tmp) / "list.txt"
        listing.write_text("\n".join(names) + "\n")
        args = [cmd, str(listing), "stdout", "-l", lang, "--psm", str(psm), "--dpi", str(dpi),
                "-c", "preserve_interword_spaces=1"]
        if whitelist:
            args += ["-c", f"tessedit_char_whitelist={whitelist}"]
        args.append("tsv")
        try:
            proc = subprocess.run(args, capture_output=True, timeout=TIMEOUT_S, check=False,
                                  env={**os.environ, "OMP_THREAD_LIMIT": "1"})
        except FileNotFoundError:
            raise ExternalToolError("tesseract が見つかりません",
                                    hint="apt install tesseract-ocr tesseract-ocr-jpn") from None
        except subprocess.TimeoutExpired:
            raise ExternalToolError(f"tesseract が {TIMEOUT_S} 秒以内に終わりませんでした") from None
    if proc.returncode != 0:
        raise ExternalToolError(f"tesseract が失敗しました: {proc.stderr.decode('utf-8', 'replace')[:300]}")
    buckets: list[list[tuple[int, int, str, float]]] = [[] for _ in images]
    heights = [img.shape[0] for img in images]
    for line in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        page = int(cols[1]) - 1
        left, width, conf = int(cols[6]), int(cols[8]), float(cols[10])
        if 0 <= page < len(buckets):
            buckets[page].append((left, left + width, cols[11].strip(), max(conf, 0.0) / 100))
    return [_join(words, h) for words, h in zip(buckets, heights, strict=True)]


def _join(words: list[tuple[int, int, str, float]], height: int) -> LineResult:
    words.sort()
    space = SPACE_GAP * height
    text, prev_right = "", None
    for left, right, word, _ in words:
        if prev_right is not None and left - prev_right > space:
            text += " "
        text += word
        prev_right = right
    return LineResult(text=text, confidence=min((c for *_, c in words), default=0.0),
                      words=[(t, c) for _, _, t, c in words],
                      boxes=[(left, right, t) for left, right, t, _ in words])
