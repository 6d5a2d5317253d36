"""``ocr eval``: field accuracy of predicted rows against truth files.

Truth: ``<truth dir>/<scan file name>.json`` — one object per page (a list for multi-page
files), with the canonical keys, or ``"form": null`` and ``"expected"`` for pages that are
not forms (``blank`` / ``unknown_form`` / ``error`` / ``rejected``; a rejected tiny image is
matched by a row with status ``error`` or ``rejected``). Values are compared after NFKC and
whitespace folding; a missing key, ``null`` and ``""`` are equal. Members are compared
row by row, per sub-field (``members.name`` …); a missing or extra row counts as wrong.

Reported: per-field accuracy, accuracy per field kind, the page-status accuracy, the
straight-through rate (share of fields not sent to review) and the error rate among the
fields that were accepted without review.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

from ocr.confidence import kind_of
from ocr.pipeline import CANONICAL_KEYS

MEMBER_SUBKEYS = ("name", "relation", "birth_date", "opt_out")
STATUS_MATCH = {"rejected": {"rejected", "error"}}


def fold(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value))
    text = re.sub(r"\s+", " ", text).strip()
    return text or None


def load_truth(truth_dir: Path) -> dict[tuple[str, int], dict]:
    pages = {}
    for path in sorted(Path(truth_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        source = path.name[: -len(".json")]
        for index, page in enumerate(data if isinstance(data, list) else [data], start=1):
            pages[(source, int(page.get("page", index)))] = page
    return pages


def load_rows(pred: Path) -> dict[tuple[str, int], dict]:
    rows = {}
    with Path(pred).open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                rows[(row["source"], int(row.get("page", 1)))] = row
    return rows


def _in_review(key: str, review: set[str]) -> bool:
    return key in review or key.split(".", 1)[0] in review


def evaluate(truth_dir: Path, pred_jsonl: Path) -> dict[str, Any]:
    truth = load_truth(truth_dir)
    rows = load_rows(pred_jsonl)
    per_field: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    status_total = status_ok = 0
    mistakes: list[dict] = []
    for (source, page), expected in truth.items():
        row = rows.get((source, page))
        status_total += 1
        want = "ok" if expected.get("form") else expected.get("expected", "unknown_form")
        got = row.get("status") if row else "missing"
        if got in STATUS_MATCH.get(want, {want}):
            status_ok += 1
        else:
            mistakes.append({"source": source, "page": page, "key": "status", "expected": want, "got": got})
        if not expected.get("form"):
            continue
        fields = row.get("fields", {}) if row and got == "ok" else {}
        review = set(row.get("review", [])) if row and got == "ok" else set()
        accepted_row = got == "ok"
        for key in CANONICAL_KEYS:
            if key == "members":
                continue
            _score(per_field[key], fold(expected.get(key)) == fold(fields.get(key)),
                   accepted_row and not _in_review(key, review))
            if fold(expected.get(key)) != fold(fields.get(key)):
                mistakes.append({"source": source, "page": page, "key": key,
                                 "expected": expected.get(key), "got": fields.get(key),
                                 "review": _in_review(key, review)})
        want_members = expected.get("members") or []
        got_members = fields.get("members") or []
        for i in range(max(len(want_members), len(got_members))):
            w = want_members[i] if i < len(want_members) else {}
            g = got_members[i] if i < len(got_members) else {}
            for sub in MEMBER_SUBKEYS:
                key = f"members.{i + 1}.{sub}"
                wv, gv = fold(w.get(sub)), fold(g.get(sub))
                if sub == "opt_out":
                    wv, gv = bool(w.get(sub)) if w else None, bool(g.get(sub)) if g else None
                right = wv == gv
                _score(per_field[f"members.{sub}"], right, accepted_row and bool(g) and not _in_review(key, review))
                if not right:
                    mistakes.append({"source": source, "page": page, "key": key, "expected": w.get(sub),
                                     "got": g.get(sub), "review": _in_review(key, review)})
    return _summary(per_field, status_ok, status_total, mistakes)


def _score(counter: dict[str, int], right: bool, accepted: bool) -> None:
    counter["n"] += 1
    counter["correct"] += int(right)
    if accepted:
        counter["accepted"] += 1
        counter["accepted_errors"] += int(not right)


def _rates(c: dict[str, int]) -> dict[str, Any]:
    n, acc = c.get("n", 0), c.get("accepted", 0)
    return {
        "n": n,
        "correct": c.get("correct", 0),
        "accuracy": round(c.get("correct", 0) / n, 4) if n else None,
        "accepted": acc,
        "straight_through_rate": round(acc / n, 4) if n else None,
        "accepted_errors": c.get("accepted_errors", 0),
        "accepted_error_rate": round(c.get("accepted_errors", 0) / acc, 4) if acc else None,
        "accepted_accuracy": round(1 - c.get("accepted_errors", 0) / acc, 4) if acc else None,
    }


def _summary(per_field, status_ok, status_total, mistakes) -> dict[str, Any]:
    kinds: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    total: dict[str, int] = defaultdict(int)
    for key, c in per_field.items():
        for name, value in c.items():
            kinds[kind_of(key)][name] += value
            total[name] += value
    overall = _rates(total)
    return {
        "pages": {"n": status_total, "status_correct": status_ok,
                  "status_accuracy": round(status_ok / status_total, 4) if status_total else None},
        "overall": overall,
        "straight_through_rate": overall["straight_through_rate"],
        "accepted_error_rate": overall["accepted_error_rate"],
        "by_kind": {k: _rates(v) for k, v in sorted(kinds.items())},
        "fields": {k: _rates(v) for k, v in sorted(per_field.items())},
        "mistakes": mistakes,
    }


KIND_LABELS = {"printed": "印字", "digits": "手書き数字", "tick": "チェック欄", "seal": "印影",
               "handwritten": "手書き文字"}


def format_report(result: dict[str, Any]) -> str:
    lines = []
    p = result["pages"]
    lines.append(f"ページ判定: {p['status_correct']}/{p['n']} 正解")
    lines.append(f"{'項目':<28} {'正解率':>7} {'自動確定率':>9} {'確定内誤り率':>11}")

    def fmt(v):
        return "   -  " if v is None else f"{v * 100:6.2f}%"

    for key, r in result["fields"].items():
        lines.append(f"{key:<28} {fmt(r['accuracy']):>7} {fmt(r['straight_through_rate']):>9} "
                     f"{fmt(r['accepted_error_rate']):>11}")
    lines.append("")
    for kind, r in result["by_kind"].items():
        lines.append(f"[{KIND_LABELS.get(kind, kind)}] 正解率 {fmt(r['accuracy'])}  自動確定率 "
                     f"{fmt(r['straight_through_rate'])}  確定内誤り率 {fmt(r['accepted_error_rate'])}")
    o = result["overall"]
    lines.append(f"全体: 正解率 {fmt(o['accuracy'])}  自動確定率 (straight-through) {fmt(o['straight_through_rate'])}"
                 f"  確定内誤り率 {fmt(o['accepted_error_rate'])}  ({o['n']} 項目)")
    return "\n".join(lines)
