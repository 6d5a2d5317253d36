"""Helpers for the normalisation tests (imported as ``norm_testkit``: a unique module name, so no
other folder's conftest or helpers can shadow it): ../shared paths and the dev truth files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; the test is skipped when the shared folder is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not available: {path}")
    return path


def truth_pages() -> list[tuple[str, dict]]:
    """(name, truth page) for every benefit-application page of the dev truth files."""
    pages = []
    for path in sorted(shared_path("ocr-samples", "dev", "truth").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for page in data if isinstance(data, list) else [data]:
            if page.get("form") == "benefit-application":
                pages.append((f"{path.name}#{page.get('page', 1)}", page))
    return pages
