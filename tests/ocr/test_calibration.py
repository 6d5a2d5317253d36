"""Confidence calibration: the cut-off search and the per-field / per-kind tables."""

from __future__ import annotations

import json
import random

import pytest

from ocr import calibrate as cal
from ocr import confidence


def test_cutoff_keeps_the_accepted_zone_under_the_error_budget():
    rng = random.Random(3)
    # raw confidences: wrong reads cluster low, a few wrong ones reach 0.7
    points = [(rng.uniform(0.75, 1.0), True) for _ in range(900)]
    points += [(rng.uniform(0.0, 0.7), False) for _ in range(60)]
    points += [(rng.uniform(0.0, 0.7), True) for _ in range(200)]
    c = cal.cutoff(points, max_error=0.003)
    above = [right for conf, right in points if conf >= c]
    assert 0.6 < c <= 0.76
    assert sum(not r for r in above) / len(above) <= 0.003
    assert len(above) >= 900


def test_cutoff_with_errors_everywhere_accepts_nothing_below_the_top():
    points = [(0.99, False), (0.98, True), (0.5, False)] * 20
    assert cal.cutoff(points, max_error=0.003) is None


@pytest.fixture
def table_file(tmp_path, monkeypatch):
    path = tmp_path / "calibration.json"
    monkeypatch.setattr(confidence, "CALIBRATION_PATH", path)
    confidence._table.cache_clear()
    yield path
    confidence._table.cache_clear()


def test_field_table_wins_over_its_kind(table_file):
    table_file.write_text(json.dumps({
        "printed": [[0.0, 0.0], [0.8, 0.9], [1.0, 1.0]],
        "field:relation": [[0.0, 0.0], [0.4, 0.9], [1.0, 1.0]],
    }), encoding="utf-8")
    assert confidence.calibrate("members.3.relation", 0.4) == pytest.approx(0.9)
    assert confidence.calibrate("members.3.name", 0.4) == pytest.approx(0.45)  # the printed kind's table
    assert confidence.calibrate("address", 0.8) == pytest.approx(0.9)
    assert confidence.calibrate("seal_present", 0.37) == pytest.approx(0.37)  # no table: unchanged


def test_without_a_table_confidences_pass_through(table_file):
    assert not table_file.exists()
    assert confidence.calibrate("phone", 0.8123) == 0.8123


def test_cutoff_takes_equal_confidences_together():
    # 150 right at 0.99, then a tie at 0.2 that holds 9 wrong reads: the tie cannot be accepted
    points = [(0.99, True)] * 150 + [(0.2, True)] * 140 + [(0.2, False)] * 9
    assert cal.cutoff(points, max_error=0.003) == 0.99
