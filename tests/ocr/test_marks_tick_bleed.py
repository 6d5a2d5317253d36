"""Tick boxes on a dark, noisy scan: the box borders come out thicker and a little off, which
leaves thin slivers of "new ink" along them once the blank form is subtracted. Those are not a
tick (they made an empty 受給を希望しない box read as ticked, and auto-accepted); pen ticks are."""

from __future__ import annotations

import json

import pytest

from ocr.load import plan_pages
from ocr.pipeline import read_page
from samples.forms.generator import default_households, make_file, plan_batch


@pytest.mark.parametrize("seed,count,index", [(7002, 34, 33)])  # a generated heavy scan that showed it
def test_border_slivers_of_a_heavy_scan_are_not_ticks(tmp_path, seed, count, index):
    spec = plan_batch(default_households(), count, seed=seed, prefix="ch")[index]
    (tmp_path / "truth").mkdir()
    path = make_file(spec, tmp_path, seed=seed, heavy=True, dpi=300)
    truth = json.loads((tmp_path / "truth" / f"{path.name}.json").read_text(encoding="utf-8"))
    (ref,) = plan_pages([path], max_pixels=200_000_000, dpi=300)
    row = read_page(ref)
    assert row["status"] == "ok", row["errors"]
    read = [m["opt_out"] for m in row["fields"]["members"]]
    assert read == [m["opt_out"] for m in truth["members"]], (read, row["confidence"])
