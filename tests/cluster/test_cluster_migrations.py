"""Alembic migrations on a fresh SQLite file and a fresh PostgreSQL database match the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect
from typer.testing import CliRunner

from yomikaki.db import get_engine, init_db
from yomikaki.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    load_models,
    schema_differences,
    target_metadata,
    upgrade,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return request.getfixturevalue("fresh_postgres_url")


def _tables(url: str) -> set[str]:
    return set(inspect(get_engine(url=url)).get_table_names())


def test_cluster_upgrade_fresh_database_matches_models(fresh_url):
    load_models()
    assert head_revision() is not None
    assert current_revision(url=fresh_url) is None
    result = upgrade(url=fresh_url)
    assert (result.before, result.after) == (None, head_revision())
    assert not result.adopted
    assert schema_differences(url=fresh_url) == []
    assert set(target_metadata().tables) <= _tables(fresh_url)
    again = upgrade(url=fresh_url)  # safe to run again
    assert again.before == again.after == head_revision()


def test_cluster_downgrade_to_base_and_back(fresh_url):
    upgrade(url=fresh_url)
    command.downgrade(alembic_config(fresh_url), "base")
    assert _tables(fresh_url) <= {"alembic_version"}
    upgrade(url=fresh_url)
    assert schema_differences(url=fresh_url) == []


def test_cluster_database_made_by_init_db_is_adopted(fresh_url):
    init_db(url=fresh_url)  # tables created before migrations were used
    result = upgrade(url=fresh_url)
    assert result.adopted
    assert result.after == head_revision()
    assert schema_differences(url=fresh_url) == []


def test_cluster_db_cli_upgrade_and_current(fresh_url, monkeypatch):
    from yomikaki.cli import app
    from yomikaki.settings import reset_settings_cache

    monkeypatch.setenv("YOMIKAKI_DATABASE_URL", fresh_url)
    reset_settings_cache()
    runner = CliRunner()
    before = runner.invoke(app, ["db", "current"])
    assert before.exit_code == 1, before.output
    assert "(未適用)" in before.output and "yomikaki db upgrade" in before.output
    done = runner.invoke(app, ["db", "upgrade"])
    assert done.exit_code == 0, done.output
    assert f"→ {head_revision()}" in done.output
    after = runner.invoke(app, ["db", "current"])
    assert after.exit_code == 0 and "最新です" in after.output
    check = runner.invoke(app, ["db", "check"])
    assert check.exit_code == 0 and "一致しています" in check.output
    assert "password" not in done.output.lower()


def test_cluster_concurrent_upgrades_on_postgres_wait_for_each_other(fresh_postgres_url):
    """Several robot PCs starting at once each run `yomikaki db upgrade`: all succeed, once."""
    env = {**os.environ, "YOMIKAKI_DATABASE_URL": fresh_postgres_url, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen([sys.executable, "-m", "yomikaki", "db", "upgrade"], cwd=REPO, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert sum("データベースを更新しました" in out for out in outputs) == 1, outputs
    assert sum("データベースは最新です" in out for out in outputs) == 2, outputs
    assert current_revision(url=fresh_postgres_url) == head_revision()
    assert schema_differences(url=fresh_postgres_url) == []
