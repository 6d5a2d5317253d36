"""Benchmarks: ``make bench`` runs every ``bench_*.py`` module here.

Each module exposes ``run(quick: bool = False) -> list[Result]``. Results are printed as one
table and written to ``benchmarks/results/<timestamp>.json`` (and ``latest.json``).
Targets are reported (ok / missed), never asserted in tests.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Result:
    area: str
    name: str
    value: float
    unit: str
    target: str = ""  # e.g. "<= 1.15" or ">= 100"
    ok: bool | None = None
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def meets(value: float, target: str) -> bool | None:
    """Evaluate a target like '>= 100' or '< 60'."""
    if not target:
        return None
    op, _, number = target.partition(" ")
    limit = float(number)
    return {
        ">=": value >= limit,
        ">": value > limit,
        "<=": value <= limit,
        "<": value < limit,
    }[op]
