"""Review in Excel: export OCR rows to a workbook, import the corrected workbook safely.

Public API::

    export_review(rows_jsonl, out, *, page_images_dir=None) -> ExportSummary
    import_review(workbook, out, *, partial=False) -> ImportResult   # raises ValidationFailed
    compare_reviews(a, b, out) -> CompareResult                        # double entry
    correction_stats() -> list[FieldStat]                              # per field, from the DB
    fill_review(workbook, values, *, out=None, only_flagged=True, reviewer=…) -> int
        # type canonical values into the flagged cells, as a reviewer would (demos, tests)

Modules: layout (columns), export, importer, corrections (DB tables, stats), compare, cli.
Heavy modules are imported on first use so ``yomikaki --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocr.review.compare import CompareResult
    from ocr.review.corrections import FieldStat
    from ocr.review.export import ExportSummary
    from ocr.review.importer import ImportResult

__all__ = ["compare_reviews", "correction_stats", "export_review", "fill_review", "import_review"]


def export_review(rows_jsonl: Path, out: Path, *, page_images_dir: Path | None = None) -> ExportSummary:
    from ocr.review.export import export_review as _export

    return _export(Path(rows_jsonl), Path(out), page_images_dir=page_images_dir)


def import_review(workbook: Path, out: Path, *, partial: bool = False) -> ImportResult:
    from ocr.review.importer import import_review as _import

    return _import(Path(workbook), Path(out), partial=partial)


def compare_reviews(a: Path, b: Path, out: Path) -> CompareResult:
    from ocr.review.compare import compare_reviews as _compare

    return _compare(Path(a), Path(b), Path(out))


def correction_stats() -> list[FieldStat]:
    from ocr.review.corrections import stats

    return stats()


def fill_review(workbook: Path, values, *, out: Path | None = None, only_flagged: bool = True,
                reviewer: str = "確認者（模擬）") -> int:
    from ocr.review.fill import fill_review as _fill

    return _fill(Path(workbook), values, out=out, only_flagged=only_flagged, reviewer=reviewer)
