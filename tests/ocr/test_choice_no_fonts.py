"""Without any IPAex font installed, a page is still read: words of closed lists (続柄) by tesseract."""

from __future__ import annotations

from ocr_testkit import truth_of

from ocr.glyphs import bank
from ocr.readers import choice
from ocr.readers import glyph as glyph_reader


def test_a_page_reads_without_the_print_fonts(dev_dir, monkeypatch):
    from ocr.pipeline import run_pages

    monkeypatch.setattr(bank, "ipaex_path", lambda _file_name: None)  # neither the glyph bank ...
    monkeypatch.setattr(choice, "ipaex_path", lambda _file_name: None)  # ... nor the word matcher
    monkeypatch.delenv("YOMIKAKI_IPAEX_DIR", raising=False)
    caches = (glyph_reader.matcher, bank.load_bank, choice._templates)
    for cache in caches:
        cache.cache_clear()
    try:
        scan = dev_dir / "dev_0002.jpg"
        row = next(iter(run_pages([scan])))
    finally:
        for cache in caches:
            cache.cache_clear()
    assert row["status"] == "ok", row["errors"]
    want = [m["relation"] for m in truth_of(scan)["members"]]
    got = [m["relation"] for m in row["fields"]["members"]]
    assert len(got) == len(want)
    assert sum(g == w for g, w in zip(got, want, strict=True)) >= len(want) - 1
    for i, (g, w) in enumerate(zip(got, want, strict=True), start=1):
        assert g == w or f"members.{i}.relation" in row["review"]  # a wrong word is never accepted
