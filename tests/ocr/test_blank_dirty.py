"""A blank page through a dirty scanner (toner dots all over, broken streaks from the glass, a
little skew) is "blank", not "unknown_form": dots and streaks are not text."""

from __future__ import annotations

import pytest

from ocr.load import plan_pages
from ocr.pipeline import read_page
from samples.forms.generator import default_households, make_file, plan_batch


@pytest.fixture(scope="module")
def blank_spec():
    specs = plan_batch(default_households(), 30, seed=101, hard_cases=True)
    return next(s for s in specs if s.case == "blank")


@pytest.mark.parametrize("seed", [101, 102, 103])
def test_dirty_blank_page_is_blank(tmp_path, blank_spec, seed):
    (tmp_path / "truth").mkdir()
    path = make_file(blank_spec, tmp_path, seed=seed, heavy=True, dpi=300)
    (ref,) = plan_pages([path], max_pixels=200_000_000, dpi=300)
    row = read_page(ref)
    assert row["status"] == "blank", row["errors"]
