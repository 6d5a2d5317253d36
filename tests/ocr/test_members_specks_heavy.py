"""An empty member row with a few toner specks in its 続柄 cell stays empty: the specks match
no glyph, the whole-word matcher then finds no word of the list in them (its best score is
that of noise), and such a cell does not make a row (a made-up member would be registered)."""

from __future__ import annotations

import cv2

from ocr.align import align_page
from ocr.load import load_page, plan_pages
from ocr.pipeline import read_page
from ocr.template import load_template


def test_specks_in_an_empty_relation_cell_do_not_make_a_member(dev_dir, tmp_path):
    template = load_template("benefit-application")
    ref = next(iter(plan_pages([dev_dir / "dev_0002.jpg"], max_pixels=60_000_000)))
    aligned = align_page(load_page(ref, max_pixels=60_000_000), template)
    assert aligned.ok
    page = aligned.image.copy()
    members = next(f for f in template.fields if f.key == "members")
    relation = next(c for c in members.columns if c.key == "relation")
    ppm = page.shape[1] / template.page.width_mm
    for row_y, row_h in members.rows[2:]:  # rows 3 and 4 are empty on this page (2 members)
        y = int((row_y + 0.3 * row_h) * ppm)
        for fx in (0.1, 0.55, 0.9):  # three round specks spread over the cell, like a dirty drum
            x = int((relation.x + fx * relation.width) * ppm)
            cv2.circle(page, (x, y + int(fx * 20)), 5, (40, 40, 40), -1)
    path = tmp_path / "specks.png"
    cv2.imwrite(str(path), page)

    row = read_page(next(iter(plan_pages([path], max_pixels=60_000_000))))
    assert row["status"] == "ok", row["errors"]
    assert len(row["fields"]["members"]) == 2, row["fields"]["members"]
