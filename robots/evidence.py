"""Evidence of failures: trace chunk, masked screenshot and page HTML, kept private.

Layout: ``<data_dir>/evidence/<run_id>/<reference>/`` (0700), files 0600. Traces are
recorded per item but only kept when the item failed; secret values are scrubbed from every
kept file. ``purge()`` removes run folders older than the retention setting.
"""

from __future__ import annotations

import re
import shutil
import time
import zipfile
from pathlib import Path

from yomikaki.paths import private_dir, private_file, write_private
from yomikaki.redaction import _secrets, redact

SAFE = re.compile(r"[^0-9A-Za-z._\-\u3040-\u30ff\u4e00-\u9fff]+")


def safe_name(text: str) -> str:
    return SAFE.sub("_", text)[:80] or "item"


def item_dir(root: Path, run_id: str, reference: str) -> Path:
    return private_dir(private_dir(private_dir(root) / run_id) / safe_name(reference))


def _secret_bytes() -> list[bytes]:
    values = sorted(set(_secrets), key=len, reverse=True)
    out = []
    for value in values:
        out.append(value.encode("utf-8"))
        escaped = value.encode("unicode_escape")
        if escaped != out[-1]:
            out.append(escaped)
    return out


def scrub_zip(path: Path) -> None:
    """Rewrite a trace zip with every registered secret value replaced by ``****``."""
    secrets = _secret_bytes()
    if not secrets or not path.exists():
        return
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            for secret in secrets:
                data = data.replace(secret, b"****")
            dst.writestr(info, data)
    tmp.replace(path)
    private_file(path)


def scrub_file(path: Path) -> None:
    if path.suffix == ".zip":
        scrub_zip(path)
        return
    data = path.read_bytes()
    for secret in _secret_bytes():
        data = data.replace(secret, b"****")
    write_private(path, data)


async def masked_screenshot(ctx, path: Path, *, full_page: bool = True) -> Path:
    from robots.locators.base import LocatorSpec, resolve

    masks = []
    for raw in ctx.scenario.spec.mask:
        try:
            masks.append(await resolve(ctx.page, LocatorSpec.model_validate(raw), ctx.template_context()))
        except Exception:  # noqa: BLE001 - a mask that cannot be resolved is skipped
            continue
    private_dir(path.parent)
    await ctx.page.screenshot(path=str(path), full_page=full_page, mask=masks, mask_color="#000000",
                              timeout=10_000, animations="disabled")
    private_file(path)
    return path


async def capture_failure(ctx, directory: Path) -> list[Path]:
    """Screenshot (masked) + HTML of the page as it was when the item failed."""
    saved = []
    try:
        saved.append(await masked_screenshot(ctx, directory / "screenshot.png"))
    except Exception:  # noqa: BLE001 - a closed page: nothing to capture
        pass
    try:
        html = await ctx.page.content()
        saved.append(write_private(directory / "page.html", redact(html)))
    except Exception:  # noqa: BLE001
        pass
    return saved


def purge(root: Path, retention_days: int, *, now: float | None = None) -> list[Path]:
    """Delete run folders under ``root`` older than ``retention_days``; return what was removed."""
    if not root.exists():
        return []
    cutoff = (now or time.time()) - retention_days * 86400
    removed = []
    for run_dir in sorted(root.iterdir()):
        if run_dir.is_dir() and run_dir.stat().st_mtime < cutoff:
            shutil.rmtree(run_dir, ignore_errors=True)
            removed.append(run_dir)
    return removed
