"""Glyph reader, small character sets (dates, postal codes, 続柄): a damaged glyph that matches
weakly but stands clearly apart from every other character of the set keeps the glyph read
(with a low confidence) instead of going to the general OCR."""

from __future__ import annotations

from ocr.glyphs.match import CharMatch, LineMatch
from ocr.readers import glyph as glyph_reader


def line(*chars: tuple[str, float, float]) -> LineMatch:
    return LineMatch("".join(c for c, _, _ in chars), "ipaex-mincho",
                     [CharMatch(c, s, m, 40 * k, 40 * k + 36) for k, (c, s, m) in enumerate(chars)])


def test_weak_but_clear_glyph_is_usable_in_a_small_set_only():
    date = line(("平", 0.51, 0.175), ("成", 0.91, 0.53), ("6", 0.97, 0.12), ("年", 0.89, 0.31),
                ("7", 0.96, 0.38), ("月", 0.91, 0.42), ("3", 0.96, 0.16), ("日", 0.92, 0.36))
    assert not glyph_reader.usable(date)
    assert glyph_reader.usable(date, small_charset=True)
    assert glyph_reader.confidence(date) < 0.6  # usable, but goes to review


def test_weak_and_unclear_or_very_weak_glyph_is_not_usable():
    unclear = line(("平", 0.55, 0.05), ("成", 0.95, 0.5), ("元", 0.95, 0.4), ("年", 0.95, 0.4))
    very_weak = line(("平", 0.40, 0.30), ("成", 0.95, 0.5), ("元", 0.95, 0.4), ("年", 0.95, 0.4))
    assert not glyph_reader.usable(unclear, small_charset=True)
    assert not glyph_reader.usable(very_weak, small_charset=True)


def test_member_dates_of_a_damaged_real_scan(hard_dir):
    """hard_0002: the 平 of a member's 平成 is half lost; the date is still read."""
    from ocr_testkit import truth_of

    from ocr.pipeline import run_pages

    scan = hard_dir / "hard_0002.png"
    row = next(iter(run_pages([scan])))
    truth = truth_of(scan)
    truth = truth[0] if isinstance(truth, list) else truth
    assert [m["birth_date"] for m in row["fields"]["members"]] == [m["birth_date"] for m in truth["members"]]
