"""pdfinfo / pdftoppm (poppler-utils): page count, page size and one page rendered to pixels.

Every call has a timeout; failures become :class:`PdfError` with a message for operators.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from yomikaki.errors import ExternalToolError

INFO_TIMEOUT_S = 30
RENDER_TIMEOUT_S = 120


class PdfError(Exception):
    """The PDF cannot be read (encrypted, broken, not a PDF)."""


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    width_pt: float
    height_pt: float
    encrypted: bool


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess:
    if shutil.which(args[0]) is None:
        raise ExternalToolError(f"{args[0]} が見つかりません",
                                hint="poppler-utils をインストールしてください (apt install poppler-utils)")
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise PdfError(f"{args[0]} が {timeout} 秒以内に終わりませんでした (PDF が大きすぎるか壊れています)") from None


def _explain(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace")
    if "Incorrect password" in text or "encrypted" in text.lower():
        return "PDF がパスワードで保護されています (暗号化 PDF)。保護を外してから読み取ってください"
    if "May not be a PDF" in text or "Couldn't find trailer" in text or "Syntax Error" in text:
        return "PDF が壊れているか、PDF ではありません"
    line = next((ln for ln in text.splitlines() if ln.strip()), "不明なエラー")
    return f"PDF を読めません: {line[:200]}"


def pdf_info(path: Path) -> PdfInfo:
    proc = _run(["pdfinfo", str(path)], INFO_TIMEOUT_S)
    out = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or "Pages:" not in out:
        raise PdfError(_explain(proc.stderr))
    pages = int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", out, re.M)
    width, height = (float(size.group(1)), float(size.group(2))) if size else (595.0, 842.0)
    encrypted = bool(re.search(r"^Encrypted:\s+yes", out, re.M))
    return PdfInfo(pages, width, height, encrypted)


def render_page(path: Path, page: int, dpi: int) -> np.ndarray:
    """Page ``page`` (1-based) as a BGR image at ``dpi``."""
    proc = _run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), str(path)],
                RENDER_TIMEOUT_S)
    if proc.returncode != 0 or not proc.stdout:
        raise PdfError(_explain(proc.stderr))
    image = cv2.imdecode(np.frombuffer(proc.stdout, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise PdfError("PDF のページを画像に変換できませんでした")
    return image
