"""A small page function for the executor tests: loads one page itself, returns only a row."""

from __future__ import annotations

import hashlib
import os
import time
from typing import NamedTuple

import numpy as np
from PIL import Image


class PageTask(NamedTuple):
    path: str
    page: int  # 0-based frame of the file
    delay: float = 0.0


def read_page(task: PageTask, *, threshold: int = 128) -> dict:
    """Load the page from disk (on the worker) and summarise its pixels."""
    with Image.open(task.path) as img:
        img.seek(task.page)
        gray = np.asarray(img.convert("L"))
    if task.delay:
        time.sleep(task.delay)
    return {
        "source": os.path.basename(task.path),
        "page": task.page + 1,
        "ink": int((gray < threshold).sum()),
        "digest": hashlib.sha256(gray.tobytes()).hexdigest()[:16],
        "pid": os.getpid(),
    }


def write_pages(folder, count: int, *, frames: int = 1) -> list[PageTask]:
    """Real image files (multi-frame TIFF when ``frames`` > 1) with distinct content."""
    rng = np.random.default_rng(8)
    tasks = []
    for i in range(count):
        images = [Image.fromarray(rng.integers(0, 256, (120, 90), dtype=np.uint8)) for _ in range(frames)]
        path = folder / f"scan_{i:03d}.tif"
        images[0].save(path, save_all=True, append_images=images[1:])
        tasks += [PageTask(str(path), f) for f in range(frames)]
    return tasks
