"""The OCR pipeline, as named stages. ``read_page`` reads like a table of contents:

    load → blank? → align → identify → read fields → assemble (normalise + priors)
         → validate → registry cross-check → confidence + review list → assets

``run_pages`` streams the rows of many inputs in input order, one page per task, in this
process (``workers=1``) or a process pool / Dask cluster (``ocr.cluster``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr import classify, confidence
from ocr.align import align_page, blank_for, to_gray
from ocr.assemble import assemble_fields
from ocr.load import PageLoadError, PageRef, load_page, plan_pages
from ocr.readers.base import FieldRead, Item, PageContext, get_reader
from ocr.template import Template, load_template

log = logging.getLogger(__name__)

CANONICAL_KEYS = (
    "application_id", "household_head_name", "household_head_kana", "household_head_birth_date",
    "postal_code", "address", "members", "application_date", "phone", "bank_kind", "bank_name",
    "branch_kind", "branch_name", "account_type", "account_number", "yucho_symbol", "yucho_number",
    "account_holder_kana", "applicant_signature", "seal_present",
)


def empty_row(ref: PageRef, status: str, errors: list[str], form: str | None = None) -> dict[str, Any]:
    return {"source": ref.source, "page": ref.page, "form": form, "status": status,
            "fields": {}, "confidence": {}, "review": [], "errors": errors}


# -- stages ---------------------------------------------------------------------------------

def stage_load(ref: PageRef, max_pixels: int, dpi: int) -> np.ndarray:
    return load_page(ref, max_pixels=max_pixels, dpi=dpi)


def stage_items(template: Template) -> list[Item]:
    """Every zone to read on the page; table cells get keys like ``members.2.name``."""
    items: list[Item] = []
    for spec in template.fields:
        if spec.type == "table":
            for row, (y, height) in enumerate(spec.rows, start=1):
                for col in spec.columns:
                    items.append(Item(f"{spec.key}.{row}.{col.key}", col.type, (col.x, y, col.width, height),
                                      choices=list(col.choices)))
        else:
            items.append(Item(spec.key, spec.type, spec.zone, engine=spec.engine, boxes=spec.boxes,
                              options=dict(spec.options), parts=dict(spec.parts),
                              choices=list(spec.choices), min_red_ratio=spec.min_red_ratio))
    return items


def stage_read(ctx: PageContext, items: list[Item]) -> dict[str, FieldRead]:
    by_type: dict[str, list[Item]] = {}
    for item in items:
        by_type.setdefault(item.type, []).append(item)
    reads: dict[str, FieldRead] = {}
    for type_name, group in by_type.items():
        reads.update(get_reader(type_name).read(group, ctx))
    return reads


def stage_review(conf: dict[str, float], template: Template) -> list[str]:
    thresholds = {spec.key: template.threshold(spec) for spec in template.fields}
    review = []
    for key, value in conf.items():
        top = key.split(".", 1)[0]
        if value < thresholds.get(top, template.review_threshold):
            review.append(key)
    return review


PAGE_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 1]
if hasattr(cv2, "IMWRITE_PNG_FILTER"):  # OpenCV ≥ 4.10
    PAGE_PNG += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_PAETH]


def stage_assets(row: dict, aligned: np.ndarray, reads: dict[str, FieldRead], assets_dir: Path,
                 rel_base: Path) -> None:
    """The aligned page (downscaled) and a crop per field under review, for the workbook."""
    assets_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{Path(row['source']).stem}_p{row['page']}"
    page_path = assets_dir / f"{stem}.png"
    small = cv2.resize(aligned, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    # zlib level 1 with the Paeth filter: same pixels and file size as level 1 with adaptive
    # filters, ≈ 4× faster than level 6 (the page image was ~15 % of a page's time)
    cv2.imwrite(str(page_path), small, PAGE_PNG)
    row["page_image"] = os.path.relpath(page_path, rel_base)
    crops = {}
    for key in row["review"]:
        box = _box_for(key, reads)
        if box is None:
            continue
        x0, y0, x1, y1 = box
        pad = 15
        h, w = aligned.shape[:2]
        crop = aligned[max(0, y0 - pad):min(h, y1 + pad), max(0, x0 - pad):min(w, x1 + pad)]
        if crop.size == 0:
            continue
        path = assets_dir / f"{stem}_{key.replace('.', '_')}.png"
        cv2.imwrite(str(path), crop)
        crops[key] = os.path.relpath(path, rel_base)
    row["crops"] = crops


def _box_for(key: str, reads: dict[str, FieldRead]):
    if key in reads and reads[key].box_px:
        return reads[key].box_px
    related = {"application_id": "application_id_printed", "members": "members.1.name"}
    alt = related.get(key)
    return reads[alt].box_px if alt in reads else None


# -- one page -------------------------------------------------------------------------------

def read_page(ref: PageRef, *, template: str = "benefit-application", registry: str | None = None,
              assets_dir: str | None = None, rel_base: str | None = None) -> dict[str, Any]:
    """One page → one output row. Never raises for a bad page: the row says what went wrong."""
    from yomikaki.settings import get_settings

    settings = get_settings().ocr
    tpl = load_template(template)
    try:
        image = stage_load(ref, settings.max_pixels, settings.dpi)
    except PageLoadError as exc:
        return empty_row(ref, "error", [str(exc)])
    gray = to_gray(image)  # once, for every stage below
    if classify.is_blank(gray):
        return empty_row(ref, "blank", ["白紙のページです"])
    alignment = align_page(image, tpl, gray=gray)
    kind = classify.identify(gray, alignment, tpl)
    if kind.status != "ok":
        return empty_row(ref, kind.status, [kind.reason], form=kind.form)
    ctx = PageContext(alignment.image, tpl, blank_for(tpl), is_color=_is_color(image), gray=alignment.gray)
    ctx.qr_text = kind.qr_text
    reads = stage_read(ctx, stage_items(tpl))
    fields, conf, errors = assemble_fields(reads, tpl, qr_text=kind.qr_text, registry=registry)
    if not os.environ.get("YOMIKAKI_OCR_UNCALIBRATED"):  # set by ``python -m ocr.calibrate``
        conf = confidence.calibrate_all(conf, fields)
    else:
        conf = {key: round(float(value), 4) for key, value in conf.items()}
    row = {"source": ref.source, "page": ref.page, "form": tpl.id, "status": "ok",
           "fields": {key: fields.get(key) for key in CANONICAL_KEYS},
           "confidence": conf, "review": stage_review(conf, tpl), "errors": errors}
    log.debug("%s p%s aligned: rotation %s, %s, score %.3f", ref.source, ref.page, alignment.rotation,
              alignment.method, alignment.score)
    if assets_dir:
        stage_assets(row, alignment.image, reads, Path(assets_dir), Path(rel_base or assets_dir))
    return row


def _is_color(image: np.ndarray) -> bool:
    if image.ndim == 2:
        return False
    sample = image[::8, ::8].astype(np.int16)
    spread = np.abs(sample[..., 0] - sample[..., 1]) + np.abs(sample[..., 1] - sample[..., 2])
    return bool((spread > 30).mean() > 0.0005)


# -- many pages -----------------------------------------------------------------------------

def run_pages(inputs: Iterable[Path], *, template: str = "benefit-application", workers: int = 1,
              cluster: str | None = None, registry: str | None = None, assets_dir: Path | None = None,
              rel_base: Path | None = None) -> Iterator[dict[str, Any]]:
    """Rows for every page of ``inputs``, streamed in input order."""
    from yomikaki.settings import get_settings

    settings = get_settings().ocr
    cluster = cluster or settings.cluster  # --cluster, else the setting ocr.cluster (YOMIKAKI_OCR__CLUSTER)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    load_template(template)  # fail early on a bad template
    refs = plan_pages(inputs, max_pixels=settings.max_pixels, dpi=settings.dpi)
    kwargs = {"template": template, "registry": registry,
              "assets_dir": str(assets_dir) if assets_dir else None,
              "rel_base": str(rel_base) if rel_base else None}
    if workers <= 1 and not cluster:
        for ref in refs:
            yield _safe(ref, **kwargs)
        return
    from ocr.cluster import make_executor, run_ordered

    with make_executor(workers=workers, cluster=cluster) as pool:
        for ref, row, error in run_ordered(pool, _safe, refs, **kwargs):
            yield row if error is None else empty_row(ref, "error", [f"内部エラー: {error}"])


def _safe(ref: PageRef, **kwargs) -> dict[str, Any]:
    try:
        return read_page(ref, **kwargs)
    except Exception as exc:  # noqa: BLE001 - one bad page never stops the batch
        log.exception("page failed: %s p%s", ref.source, ref.page)
        return empty_row(ref, "error", [f"内部エラー: {type(exc).__name__}: {exc}"])
