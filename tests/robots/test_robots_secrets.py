"""Secrets: environment → 0600 .env → keyring; missing ones stop the run before the browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from robots.runner import run_scenario
from robots.secrets import get_secret, resolve_secrets
from yomikaki.errors import ConfigError
from yomikaki.redaction import redact

REGISTRATION = Path(__file__).resolve().parents[2] / "scenarios" / "benefit_registration.yaml"


def test_robots_secret_from_private_dotenv_is_redacted(tmp_path, monkeypatch):
    monkeypatch.delenv("ROBOT_TEST_SECRET", raising=False)
    env = tmp_path / ".env"
    env.write_text("ROBOT_TEST_SECRET=dotenv-value-93\n", encoding="utf-8")
    os.chmod(env, 0o600)
    assert get_secret("ROBOT_TEST_SECRET", tmp_path) == "dotenv-value-93"
    assert redact("login with dotenv-value-93") == "login with ****"
    os.chmod(env, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        get_secret("ROBOT_TEST_SECRET", tmp_path)


def test_robots_missing_secret_fails_before_any_run_starts(tmp_path, monkeypatch):
    monkeypatch.delenv("CORE_USER", raising=False)
    monkeypatch.delenv("CORE_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="CORE_USER, CORE_PASSWORD"):
        resolve_secrets(["CORE_USER", "CORE_PASSWORD"], tmp_path)
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"application_id": "1234567890", "application_date": "2026-07-01", '
                    '"account_holder_kana": "ア"}\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        run_scenario(REGISTRATION, input_path=rows, progress=False)
    assert not (tmp_path / "var" / "outputs").exists()  # nothing started: no run folder, no browser
