"""Fixtures for the robot tests: confirmed rows built from the running sample system."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # scenarios/lib (sample rows) lives in the repository, not the installed packages
    sys.path.insert(0, str(REPO))
SCENARIOS = REPO / "scenarios"
REGISTRATION = SCENARIOS / "benefit_registration.yaml"


@pytest.fixture
def make_rows():
    """make_rows(core, count, offset=0, seed=5) → confirmed rows for households of ``core``."""
    from scenarios.lib.sample_rows import confirmed_rows, fetch_households

    def _make(core, count: int, offset: int = 0, seed: int = 5) -> list[dict]:
        rows = confirmed_rows(fetch_households(core.url), count, seed=seed, offset=offset)
        assert len(rows) == count
        return rows

    return _make


@pytest.fixture
def write_rows(tmp_path):
    from scenarios.lib.sample_rows import write_csv, write_jsonl, write_xlsx

    def _write(rows: list[dict], name: str = "rows.jsonl", **kwargs) -> Path:
        path = tmp_path / name
        writer = {".csv": write_csv, ".xlsx": write_xlsx}.get(path.suffix, write_jsonl)
        return writer(rows, path, **kwargs)

    return _write


@pytest.fixture
def robot():
    """Helpers for assertions: robot.applications(core), robot.items(), robot.events(log)."""

    class Helpers:
        scenario = REGISTRATION
        applications = staticmethod(applications_by_id)
        items = staticmethod(queue_items)
        events = staticmethod(run_events)

    return Helpers


def applications_by_id(core) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for app in core.inspect("applications"):
        found.setdefault(app["application_id"], []).append(app)
    return found


def queue_items(queue: str = "benefit-registration") -> dict[str, object]:
    from sqlalchemy import select

    from robots.queue import WorkItem
    from yomikaki.db import session_scope

    with session_scope() as session:
        return {i.reference: i for i in session.scalars(select(WorkItem).where(WorkItem.queue == queue))}


def run_events(log_path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(log_path).read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def quiet_core(tmp_path_factory):
    """A sample core system (no faults) shared by the tests of one module."""
    from samples.core_system.process import CoreSystemProcess

    with CoreSystemProcess(db=tmp_path_factory.mktemp("robots-core") / "core.db", inspect=True) as core:
        yield core
