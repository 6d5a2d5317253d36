"""Shared fixtures. Each test gets its own data folder and database (real SQLite files)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from samples.core_system.process import CoreSystemProcess
from yomikaki.db import dispose_engines
from yomikaki.settings import reset_settings_cache

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Point the settings at a fresh data folder for every test."""
    data = tmp_path / "var"
    monkeypatch.setenv("YOMIKAKI_DATA_DIR", str(data))
    monkeypatch.delenv("YOMIKAKI_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    reset_settings_cache()
    yield data
    dispose_engines()
    reset_settings_cache()


@pytest.fixture(scope="session")
def core_system(tmp_path_factory):
    """One sample core system for a whole test session (no faults, inspect on)."""
    db = tmp_path_factory.mktemp("core") / "core.db"
    with CoreSystemProcess(db=db, inspect=True) as core:
        yield core


@pytest.fixture
def start_core_system(tmp_path):
    """Factory: start a sample core system with options; stopped after the test."""
    started: list[CoreSystemProcess] = []

    def _start(**options) -> CoreSystemProcess:
        core = CoreSystemProcess(db=tmp_path / f"core{len(started)}.db", **options)
        started.append(core.start())
        return core

    yield _start
    for core in started:
        core.stop()


@pytest.fixture
def core_credentials(monkeypatch):
    monkeypatch.setenv("CORE_USER", "staff01")
    monkeypatch.setenv("CORE_PASSWORD", "yomikaki-demo")
    return {"CORE_USER": "staff01", "CORE_PASSWORD": "yomikaki-demo"}


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not available: {path}")
    return path


os.environ.setdefault("OMP_THREAD_LIMIT", "1")
