"""`yomikaki ocr extract --cluster` on a real Dask LocalCluster gives the same rows as a local run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

SHARED_DEV = Path(__file__).resolve().parents[3] / "shared" / "ocr-samples" / "dev"


def _dev_scans(count: int) -> list[Path]:
    if not SHARED_DEV.is_dir():
        pytest.skip(f"../shared not available: {SHARED_DEV}")
    scans = sorted(p for p in SHARED_DEV.iterdir() if p.suffix.lower() in {".jpg", ".png", ".pdf", ".tif", ".tiff"})
    return scans[:count]


def _extract(tmp_path: Path, name: str, scans: list[Path], *options: str) -> list[dict]:
    from yomikaki.cli import app

    out = tmp_path / name / "rows.jsonl"
    result = CliRunner().invoke(
        app, ["ocr", "extract", *map(str, scans), "--out", str(out), "--no-progress", *options]
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_cluster_ocr_extract_on_dask_matches_local_run(dask_cluster, tmp_path):
    scans = _dev_scans(4)
    local = _extract(tmp_path, "local", scans, "--workers", "2")
    remote = _extract(tmp_path, "dask", scans, "--cluster", dask_cluster.scheduler_address)
    assert [(r["source"], r["page"]) for r in remote] == [(p.name, 1) for p in scans]
    assert remote == local  # fields, confidences, review lists, errors: identical
    assert sum(r["status"] == "ok" for r in remote) >= 3
    assert all(r["fields"].get("application_id") for r in remote if r["status"] == "ok")


def test_cluster_ocr_extract_unreachable_cluster_is_a_clear_error(tmp_path):
    from yomikaki.cli import app

    scans = _dev_scans(1)
    result = CliRunner().invoke(app, ["ocr", "extract", str(scans[0]), "--out", str(tmp_path / "r.jsonl"),
                                      "--no-progress", "--cluster", "tcp://127.0.0.1:9"])
    assert result.exit_code != 0
    assert "接続できません" in str(result.exception) + result.output
