"""The package facade stays callable: ``ocr.extract`` is a function, whatever was imported before."""

from __future__ import annotations

import json

from tests.conftest import shared_path


def test_ocr_extract_can_be_called_twice_in_one_process(tmp_path):
    import ocr
    import ocr.batch  # noqa: F401 - importing the implementation must not shadow the function

    scan = shared_path("ocr-samples", "dev", "dev_0001.jpg")
    for attempt in (1, 2):
        out = tmp_path / f"rows{attempt}.jsonl"
        summary = ocr.extract([scan], out=out, progress=False)
        assert summary.pages == 1
        row = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
        assert row["status"] == "ok" and row["form"] == "benefit-application"
        assert len(row["fields"]["application_id"]) == 10
