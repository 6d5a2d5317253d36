"""docs/operations.md is tested: its commands exist (with their options), the sample commands run,
every jobs-file key is documented, and the systemd unit passes systemd-analyze."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler import jobs_file
from yomikaki.cli import app

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "operations.md"


def _commands() -> list[list[str]]:
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.search(r"(?:^|\s)\S*bin/yomikaki (.+)$", line.strip())
        if match and not line.lstrip().startswith("ExecStart"):
            found.append(shlex.split(match.group(1)))
    return found


def _command_path(words: list[str]) -> list[str]:
    path = []
    for word in words:
        if word.startswith("-"):
            break
        result = CliRunner().invoke(app, [*path, word, "--help"])
        if result.exit_code != 0:
            break
        path.append(word)
        if "Commands:" not in result.output:
            break
    return path


def test_every_documented_command_and_option_exists():
    commands = _commands()
    assert len(commands) >= 10
    for words in commands:
        path = _command_path(words)
        assert path, words
        help_text = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
        for option in (w.split("=")[0] for w in words if w.startswith("--")):
            assert option in help_text, f"{' '.join(words)}: {option} is not an option of {' '.join(path)}"


def test_documented_sample_commands_run(monkeypatch):
    if not (REPO / "scenarios" / "benefit_registration.yaml").exists():
        pytest.skip("the sample scenarios are not in this checkout")
    monkeypatch.chdir(REPO)
    ran = 0
    for words in _commands():
        if "samples/jobs.yaml" in words and words[:2] in (["schedule", "check"], ["schedule", "next"]):
            result = CliRunner().invoke(app, words, env={"COLUMNS": "200"})
            assert result.exit_code == 0, f"{words}: {result.output}{result.exception!r}"
            ran += 1
    assert ran >= 3


def test_every_jobs_file_key_is_documented():
    text = DOC.read_text(encoding="utf-8")
    models = [jobs_file.JobsFile, jobs_file.CalendarSpec, jobs_file.ClosureSpec, jobs_file.LocalHolidaySpec,
              jobs_file.MonthlySpec, jobs_file.YearlySpec, jobs_file.WeeklySpec, jobs_file.WhenSpec,
              jobs_file.OcrSpec, jobs_file.RunSpec, jobs_file.BaselineSpec, jobs_file.JobSpec]
    missing = [
        f"{model.__name__}.{info.alias or name}"
        for model in models for name, info in model.model_fields.items()
        if not re.search(rf"\b{re.escape(info.alias or name)}\b", text)
    ]
    assert missing == []


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_unit_in_the_guide_is_valid(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    unit = text.split("yomikaki-scheduler.service >/dev/null <<'EOF'\n")[1].split("\nEOF")[0]
    executable = shutil.which("yomikaki") or str(REPO / ".venv" / "bin" / "yomikaki")
    path = tmp_path / "yomikaki-scheduler.service"
    path.write_text(unit.replace("/opt/yomikaki/.venv/bin/yomikaki", executable), encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "TimeoutStopSec=360" in unit and "--jobs" in unit
