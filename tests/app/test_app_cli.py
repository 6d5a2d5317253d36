"""The yomikaki command itself: help, version, usage errors, settings sources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run_cli(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "yomikaki", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def test_help_lists_every_command_group():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr
    for group in ("run", "scenario", "runs", "evidence", "ocr", "schedule", "hours", "sample-system", "demo"):
        assert f" {group} " in result.stdout, f"{group} missing from --help:\n{result.stdout}"


def test_version():
    from yomikaki import __version__

    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"yomikaki {__version__}"


@pytest.mark.parametrize("args", [["--no-such-option"], ["ocr", "--bogus"], ["no-such-command"]])
def test_unknown_options_give_short_usage_error(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Usage:" in result.stderr
    assert len(result.stderr.splitlines()) < 15


def test_settings_from_toml_and_environment(tmp_path):
    (tmp_path / "yomikaki.toml").write_text(
        'data_dir = "from-toml"\n[robots]\nmax_retries = 7\n[browser]\nchromium_path = "/opt/chrome"\n',
        encoding="utf-8",
    )
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("YOMIKAKI_")}
    result = run_cli("settings", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["data_dir"] == "from-toml"
    assert data["robots"]["max_retries"] == 7
    assert data["browser"]["chromium_path"] == "/opt/chrome"
    assert data["database_url"].endswith("from-toml/yomikaki.db")

    env["YOMIKAKI_ROBOTS__MAX_RETRIES"] = "4"
    env["YOMIKAKI_DATA_DIR"] = str(tmp_path / "from-env")
    data = json.loads(run_cli("settings", env=env, cwd=tmp_path).stdout)
    assert data["robots"]["max_retries"] == 4, "environment overrides the file"
    assert data["data_dir"].endswith("from-env")


def test_defaults_need_no_file(tmp_path):
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("YOMIKAKI_")}
    data = json.loads(run_cli("settings", env=env, cwd=tmp_path).stdout)
    assert data["data_dir"] == "var"
    assert data["database_url"] == f"sqlite:///{tmp_path / 'var' / 'yomikaki.db'}"
    assert data["browser"]["chromium_path"] in ("/usr/bin/chromium", "None")
    # headless runs use Debian's headless shell when it is installed (make install puts it there)
    shell = Path("/usr/bin/chromium-headless-shell")
    expected = str(shell) if shell.exists() else data["browser"]["chromium_path"]
    assert data["browser"]["headless_executable"] == expected
    env["YOMIKAKI_BROWSER__HEADLESS_SHELL"] = "false"
    data = json.loads(run_cli("settings", env=env, cwd=tmp_path).stdout)
    assert data["browser"]["headless_executable"] == data["browser"]["chromium_path"], "opt-out falls back"
