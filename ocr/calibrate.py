"""Fit the confidence calibration: ``python -m ocr.calibrate --truth DIR --pred rows.jsonl …``.

Run the pipeline with ``YOMIKAKI_OCR_UNCALIBRATED=1`` on scans with truth (dev samples and
generated sets), then give each (truth folder, rows) pair here. Per field kind (printed,
digits, tick, seal, handwritten) the raw confidences are sorted and the lowest raw cut-off
``c*`` is found such that the fields at or above it are wrong at most ``--max-error``
(default 0.3 %, a margin under the 0.5 % target). The calibrated confidence maps
``[0, c*, 1]`` onto ``[0, review_threshold, 1]`` piecewise-linearly, so "at or above the review
threshold" means "in the measured ≤ 0.3 % error zone". Written to ``ocr/calibration.json``.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from ocr.confidence import CALIBRATION_PATH, PROBLEM_CAP, kind_of, leaf_of
from ocr.evaluation import MEMBER_SUBKEYS, fold, load_rows, load_truth
from ocr.pipeline import CANONICAL_KEYS
from ocr.validate.base import is_empty

EMPTY_FLOOR = 0.5  # an empty read a validator objected to (confidence cut under this) is never safe
PROBLEM_FLOOR = PROBLEM_CAP + 0.01  # nor is any field a validator objected to, however often right


def samples(truth_dir: Path, pred: Path) -> list[tuple[str, float, bool, bool]]:
    """(key, raw confidence, right, read as empty) for every field of every page with truth."""
    truth = load_truth(truth_dir)
    rows = load_rows(pred)
    out = []
    for key_page, expected in truth.items():
        row = rows.get(key_page)
        if not expected.get("form") or not row or row.get("status") != "ok":
            continue
        fields, conf = row["fields"], row["confidence"]
        for key in CANONICAL_KEYS:
            if key == "members" or key not in conf:
                continue
            out.append((key, conf[key], fold(expected.get(key)) == fold(fields.get(key)), is_empty(fields.get(key))))
        want, got = expected.get("members") or [], fields.get("members") or []
        for i, g in enumerate(got):
            w = want[i] if i < len(want) else {}
            for sub in MEMBER_SUBKEYS:
                key = f"members.{i + 1}.{sub}"
                if key in conf:
                    right = (bool(w.get(sub)) == bool(g.get(sub))) if sub == "opt_out" and w else \
                        fold(w.get(sub)) == fold(g.get(sub))
                    out.append((key, conf[key], right, is_empty(g.get(sub))))
    return out


def cutoff(points: list[tuple[float, bool]], max_error: float, min_support: int = 100) -> float | None:
    """Lowest raw confidence c such that fields with conf >= c have error <= max_error, or None
    when even the surest fields are wrong too often. Equal confidences are one step: a cut
    accepts all of them or none."""
    points = sorted(points, key=lambda p: -p[0])
    best = None
    wrong = n = 0
    i = 0
    while i < len(points):
        conf = points[i][0]
        while i < len(points) and points[i][0] == conf:
            wrong += int(not points[i][1])
            n += 1
            i += 1
        # allow the cut only where the error so far is low enough (Laplace-smoothed)
        if (wrong + 0.5) / (n + 1) <= max_error or (wrong == 0 and n >= min_support):
            best = conf
        elif wrong / n > 3 * max_error:
            break
    return best


def fit(pairs: list[tuple[Path, Path]], *, threshold: float, max_error: float, min_field_samples: int = 150,
        min_empty_samples: int = 100) -> dict:
    """One table per field kind, plus one per field (``field:<key>``) with enough samples:
    readers score on different scales (a glyph margin, a word match, an ink ratio). Fields read
    as empty also get a table per kind of their own (``empty:<kind>``), used before the others."""
    groups: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    by_field: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    empties: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for truth_dir, pred in pairs:
        for key, conf, right, empty in samples(truth_dir, pred):
            if empty:
                empties[f"empty:{kind_of(key)}"].append((conf, right))
            groups[kind_of(key)].append((conf, right))
            by_field[f"field:{leaf_of(key)}"].append((conf, right))
    groups.update({k: v for k, v in by_field.items() if len(v) >= min_field_samples})
    groups.update({k: v for k, v in empties.items() if len(v) >= min_empty_samples})
    table = {}
    for kind, points in sorted(groups.items()):
        found = cutoff(points, max_error)
        if found is None:  # no safe cut: a field uses its kind's table, a kind stays as read
            print(f"{kind:28s} n={len(points):5d} no cut-off with error <= {max_error:.1%}: left out")
            continue
        c = max(found, EMPTY_FLOOR if kind.startswith("empty:") else PROBLEM_FLOOR)
        # only a perfect raw score is safe: 1.0 maps to the threshold, everything below under it
        table[kind] = [[0.0, 0.0], [1.0, threshold]] if c >= 1.0 else [[0.0, 0.0], [c, threshold], [1.0, 1.0]]
        above = [r for p, r in points if p >= c]
        err = 1 - sum(above) / len(above) if above else 0.0
        print(f"{kind:28s} n={len(points):5d} cut-off {c:.4f}: accepted {len(above)} "
              f"({len(above) / len(points):.1%}), error {err:.2%}")
    return table


def apply(raw_rows: Path, out: Path, template: str = "benefit-application") -> None:
    """Rewrite rows read with ``YOMIKAKI_OCR_UNCALIBRATED=1`` with calibrated confidences and
    review lists (to measure a new calibration without reading the scans again)."""
    from ocr.confidence import _table, calibrate_all
    from ocr.pipeline import stage_review
    from ocr.template import load_template

    _table.cache_clear()
    tpl = load_template(template)
    with Path(raw_rows).open(encoding="utf-8") as src, Path(out).open("w", encoding="utf-8") as dst:
        for line in src:
            row = json.loads(line)
            if row.get("status") == "ok":
                row["confidence"] = calibrate_all(row["confidence"], row["fields"])
                row["review"] = stage_review(row["confidence"], tpl)
            dst.write(json.dumps(row, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ocr.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--truth", type=Path, action="append", required=True)
    parser.add_argument("--pred", type=Path, action="append", required=True)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--max-error", type=float, default=0.003)
    parser.add_argument("--out", type=Path, default=CALIBRATION_PATH)
    args = parser.parse_args(argv)
    if len(args.truth) != len(args.pred):
        parser.error("give one --pred per --truth")
    table = fit(list(zip(args.truth, args.pred, strict=True)), threshold=args.threshold, max_error=args.max_error)
    args.out.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
