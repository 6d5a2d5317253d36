"""A 0..1 confidence per field: engine confidence × validators × lexicon, then calibrated.

``combine`` folds the validators' verdict into the engine/prior confidence; ``calibrate``
maps it through a per-field-kind table fitted on generated and dev data
(``ocr/calibration.json``, written by ``python -m ocr.calibrate``) so that fields at or
above the review threshold are right at least 99.5 % of the time.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ocr.normalize import field_value
from ocr.validate.base import is_empty

CALIBRATION_PATH = Path(__file__).with_name("calibration.json")

KIND_OF_KEY = {
    "application_id": "printed",
    "household_head_kana": "printed",
    "household_head_name": "printed",
    "household_head_birth_date": "printed",
    "postal_code": "printed",
    "address": "printed",
    "name": "printed",
    "relation": "printed",
    "birth_date": "printed",
    "opt_out": "tick",
    "application_date": "digits",
    "phone": "digits",
    "account_number": "digits",
    "yucho_symbol": "digits",
    "yucho_number": "digits",
    "bank_kind": "tick",
    "branch_kind": "tick",
    "account_type": "tick",
    "seal_present": "seal",
    "bank_name": "handwritten",
    "branch_name": "handwritten",
    "applicant_signature": "handwritten",
    "account_holder_kana": "handwritten",
}


PROBLEM_CAP = 0.35  # a field a validator objects to is at most this sure (never auto-accepted)


def combine(engine: float, *, problems: list[str] | None = None) -> float:
    """Engine (or prior) confidence, cut down when a validator objects."""
    conf = float(np.clip(engine, 0.0, 1.0))
    if problems:
        conf = min(conf * 0.4, PROBLEM_CAP)
    return conf


@lru_cache(maxsize=1)
def _table() -> dict[str, list[list[float]]]:
    if CALIBRATION_PATH.exists():
        return json.loads(CALIBRATION_PATH.read_text(encoding="utf-8"))
    return {}


def leaf_of(key: str) -> str:
    """``members.2.relation`` → ``relation``: table cells share their column's calibration."""
    return key.rsplit(".", 1)[-1]


def kind_of(key: str) -> str:
    return KIND_OF_KEY.get(leaf_of(key), "printed")


def calibrate(key: str, conf: float, *, empty: bool = False) -> float:
    """Piecewise-linear map of a raw confidence to an empirical probability of being right:
    the field's own table when it was fitted on enough samples, else its kind's. A field read
    as empty (the unused account block, no member row) has its own table per kind
    (``empty:<kind>``): "nothing written" is right or wrong on another scale than a reading."""
    table = _table()
    points = (table.get(f"empty:{kind_of(key)}") if empty else None) \
        or table.get(f"field:{leaf_of(key)}") or table.get(kind_of(key))
    if not points:
        return round(float(conf), 4)
    xs, ys = zip(*points, strict=True)
    return round(float(np.interp(conf, xs, ys)), 4)


def calibrate_all(conf: dict[str, float], fields: dict) -> dict[str, float]:
    """Every raw confidence of a page calibrated, each with the table for its field's value
    (read as empty or not)."""
    return {key: calibrate(key, value, empty=is_empty(field_value(fields, key))) for key, value in conf.items()}
