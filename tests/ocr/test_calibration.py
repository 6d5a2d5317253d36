"""Confidence calibration: the cut-off search and the per-field / per-kind tables."""

from __future__ import annotations

import json
import random

import pytest

from ocr import calibrate as cal
from ocr import confidence
from ocr.normalize import field_value


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


def _pages(tmp_path, pages):
    """Truth files and one rows file for ``pages``: (source, truth fields, read fields, confidences)."""
    truth = tmp_path / "truth"
    truth.mkdir()
    rows = tmp_path / "rows.jsonl"
    with rows.open("w", encoding="utf-8") as out:
        for source, want, got, conf in pages:
            (truth / f"{source}.json").write_text(json.dumps({"form": "benefit-application", "page": 1, **want}),
                                                   encoding="utf-8")
            out.write(json.dumps({"source": source, "page": 1, "form": "benefit-application", "status": "ok",
                                  "fields": got, "confidence": conf, "review": [], "errors": []}) + "\n")
    return truth, rows


def test_fields_read_as_empty_get_their_own_table(tmp_path, table_file):
    # the unused ゆうちょ block is read empty at 0.98 and is always right; written digits at 0.98
    # are wrong now and then, so the digits table cannot accept 0.98
    pages = []
    for i in range(160):
        number = f"{1000000 + i}"
        wrong = i % 20 == 0
        phone = f"049-200-{i:04d}"  # read sure and right: the digits table accepts 0.999
        pages.append((f"p{i:03d}.png", {"account_number": number, "yucho_symbol": None, "phone": phone},
                      {"account_number": number[:-1] + "9" if wrong else number, "yucho_symbol": None,
                       "phone": phone},
                      {"account_number": 0.98, "yucho_symbol": 0.98, "phone": 0.999}))
    # an empty read a validator objected to: right here, but never accepted for it
    pages.append(("q.png", {"yucho_symbol": None}, {"yucho_symbol": None}, {"yucho_symbol": 0.3}))
    truth, rows = _pages(tmp_path, pages)
    table = cal.fit([(truth, rows)], threshold=0.9, max_error=0.003)
    assert table["empty:digits"][1] == [cal.EMPTY_FLOOR, 0.9]  # every empty read right: the floor
    table_file.write_text(json.dumps(table), encoding="utf-8")
    confidence._table.cache_clear()
    assert confidence.calibrate("yucho_symbol", 0.98, empty=True) > 0.9
    assert confidence.calibrate("yucho_symbol", 0.3, empty=True) < 0.9
    assert confidence.calibrate("account_number", 0.98) < 0.9  # a reading keeps the strict table
    assert field_value({"members": [{"name": "山田　太郎"}]}, "members.1.name") == "山田　太郎"
    assert field_value({"members": []}, "members.2.name") is None


def test_a_field_a_validator_objected_to_is_never_accepted(tmp_path, table_file):
    # every postal code is right, even the ones a validator cut down (to PROBLEM_CAP at most)
    pages = [(f"p{i:03d}.png", {"postal_code": "3500209"}, {"postal_code": "3500209"},
              {"postal_code": confidence.PROBLEM_CAP if i % 2 else 0.99}) for i in range(200)]
    truth, rows = _pages(tmp_path, pages)
    table = cal.fit([(truth, rows)], threshold=0.9, max_error=0.003)
    assert table["field:postal_code"][1] == [cal.PROBLEM_FLOOR, 0.9]
    table_file.write_text(json.dumps(table), encoding="utf-8")
    confidence._table.cache_clear()
    assert confidence.calibrate("postal_code", confidence.combine(0.99, problems=["郵便番号は7桁の数字です"])) < 0.9
    assert confidence.calibrate("postal_code", 0.99) > 0.9
