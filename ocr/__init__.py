"""OCR pipeline: load, clean, align, classify, read fields, normalise/validate, review, evaluate.

Public API::

    from ocr import extract, evaluate
    summary = extract([Path("scans/")], template="benefit-application", out=Path("rows.jsonl"))
    report = evaluate(Path("truth/"), Path("rows.jsonl"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocr.batch import ExtractSummary

__all__ = ["ExtractSummary", "evaluate", "extract", "read_page", "load_template"]


def extract(*args, **kwargs) -> ExtractSummary:
    from ocr.batch import extract as _extract

    return _extract(*args, **kwargs)


def evaluate(truth_dir, pred_jsonl) -> dict:
    from ocr.evaluation import evaluate as _evaluate

    return _evaluate(truth_dir, pred_jsonl)


def __getattr__(name: str):
    if name == "ExtractSummary":
        from ocr.batch import ExtractSummary

        return ExtractSummary
    if name == "read_page":
        from ocr.pipeline import read_page

        return read_page
    if name == "load_template":
        from ocr.template import load_template

        return load_template
    raise AttributeError(name)
