"""Printed Section 1 on generated scans: small and thin strokes must survive cleaning.

Dakuten (ダ ズ ド ギ) and the short strokes of 二 are small, light components next to the main
glyph. Losing them turns a name into another valid name (オカダ → オカタ) with full
confidence, which no validator can catch — so they are tested on their own, on forms the
sample generator prints for households whose names have them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ocr.load import plan_pages
from ocr.pipeline import read_page
from samples.forms.generator import default_households, generate_batch

VOICED = re.compile("[ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポ]")


@pytest.fixture(scope="module")
def voiced_scans(tmp_path_factory) -> list[Path]:
    households = [h for h in default_households()
                  if any(VOICED.search(m.get("kana") or "") for m in h["members"][:1])]
    assert len(households) >= 40
    out = tmp_path_factory.mktemp("voiced")
    generate_batch(households, out, count=8, seed=4242, degradation="light", prefix="voiced")
    return sorted(p for p in out.iterdir() if p.is_file())


def test_voiced_kana_and_thin_strokes_are_read_or_sent_to_review(voiced_scans):
    exact = voiced = 0
    for scan in voiced_scans:
        truth = json.loads((scan.parent / "truth" / f"{scan.name}.json").read_text(encoding="utf-8"))
        ref = next(iter(plan_pages([scan], max_pixels=200_000_000, dpi=300)))
        row = read_page(ref)
        assert row["status"] == "ok", row["errors"]
        want, got = truth["household_head_kana"], row["fields"]["household_head_kana"]
        voiced += bool(VOICED.search(want))
        exact += got == want
        if got != want:  # a wrong read is never auto-accepted
            assert "household_head_kana" in row["review"], (scan.name, want, got)
        members = row["fields"]["members"] or []
        for i, member in enumerate(truth["members"], start=1):
            read = members[i - 1].get("name") if len(members) >= i else None
            if read != member["name"]:
                assert f"members.{i}.name" in row["review"] or "members" in row["review"], \
                    (scan.name, member["name"], read)
    assert voiced >= 6
    assert exact >= len(voiced_scans) - 1, f"{exact}/{len(voiced_scans)} voiced kana read exactly"


def test_a_kana_with_a_voicing_twin_needs_a_wider_margin_to_be_sure():
    from ocr.glyphs.match import CharMatch, LineMatch
    from ocr.readers.glyph import confidence, has_voicing_twin

    assert has_voicing_twin("タ") and has_voicing_twin("ダ") and has_voicing_twin("ペ") and has_voicing_twin("へ")
    assert not has_voicing_twin("ア") and not has_voicing_twin("高") and not has_voicing_twin("ン")

    def line(ch: str, margin: float) -> LineMatch:
        return LineMatch(ch, "ipaex-gothic", [CharMatch(ch, 0.95, margin, 0, 40)])

    # the margin measured for a wrong タ (the dakuten of ダ lost): sure for ア, not for タ
    assert confidence(line("ア", 0.058)) >= 0.99
    assert confidence(line("タ", 0.058)) < 0.9
    assert confidence(line("ダ", 0.09)) >= 0.99
