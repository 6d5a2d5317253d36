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


def test_ocr_output_is_private(tmp_path):
    """Rows and crops hold personal data (account numbers): owner-only, wherever --out points."""
    import stat

    import ocr

    out = tmp_path / "anywhere" / "rows.jsonl"
    summary = ocr.extract([shared_path("ocr-samples", "dev", "dev_0002.jpg")], out=out, progress=False)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(summary.assets.stat().st_mode) == 0o700


def test_evaluate_stays_the_function_after_the_evaluation_module_is_imported():
    import ocr
    import ocr.calibrate  # noqa: F401 - imports the evaluation module
    import ocr.evaluation  # noqa: F401

    assert callable(ocr.evaluate) and ocr.evaluate.__module__ == "ocr"
