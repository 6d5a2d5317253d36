"""Make the README pictures from a demo run's real outputs.

    .venv/bin/python docs/make_images.py [DEMO_DIR]      # default: var/demo (after `make demo`)

- docs/images/review-workbook.png: the review workbook as LibreOffice Calc prints it
  (first page of the 確認 sheet), through PDF and pdftoppm.
- docs/images/hours-report.png: the HTML hours report, rendered by Chromium.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops
from playwright.sync_api import sync_playwright

from yomikaki.browser import launch_chromium

OUT = Path(__file__).resolve().parent / "images"


def trim(path: Path, margin: int = 12) -> None:
    image = Image.open(path).convert("RGB")
    background = Image.new("RGB", image.size, (255, 255, 255))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        left, top, right, bottom = box
        image = image.crop((max(left - margin, 0), max(top - margin, 0),
                            min(right + margin, image.width), min(bottom + margin, image.height)))
    image.save(path, optimize=True)


def workbook_picture(workbook: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        copy = tmp_path / "review.xlsx"
        shutil.copy(workbook, copy)
        copy.chmod(0o644)
        subprocess.run(
            ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
             "--convert-to", "pdf", "--outdir", str(tmp_path), str(copy)],
            check=True, capture_output=True, timeout=180,
        )
        subprocess.run(["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", "-singlefile",
                        str(tmp_path / "review.pdf"), str(tmp_path / "page")], check=True, timeout=60)
        shutil.copy(tmp_path / "page.png", out)
    trim(out)


def report_picture(html: Path, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, headless=True)
        page = browser.new_page(viewport={"width": 1100, "height": 800}, device_scale_factor=1)
        page.goto(html.resolve().as_uri())
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    trim(out)


def main() -> int:
    demo = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/demo")
    OUT.mkdir(parents=True, exist_ok=True)
    workbook_picture(demo / "review.xlsx", OUT / "review-workbook.png")
    report_picture(demo / "hours_report.html", OUT / "hours-report.png")
    for name in ("review-workbook.png", "hours-report.png"):
        print(OUT / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
