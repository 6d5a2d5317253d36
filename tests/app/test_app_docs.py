"""Every `yomikaki …` command shown in README.md and docs/*.md exists, with the options shown.

The area folders run the practical commands for real (tests/robots/test_robots_docs.py,
tests/review/test_review_docs.py, tests/scheduler); this test checks all of them against the
real command tree, so a renamed command or option cannot leave a guide out of date.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from yomikaki.cli import app

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)


def command_lines() -> list[tuple[str, int, str]]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in FENCE.finditer(text):
            start_line = text[: block.start(1)].count("\n") + 1
            lines = block.group(1).splitlines()
            i = 0
            while i < len(lines):
                line = lines[i]
                number = start_line + i
                while line.rstrip().endswith("\\") and i + 1 < len(lines):
                    i += 1
                    line = line.rstrip()[:-1] + " " + lines[i].strip()
                stripped = line.strip().removeprefix("$ ")
                if stripped.startswith(("yomikaki ", ".venv/bin/yomikaki ")):
                    found.append((doc.name, number, stripped.split(" #")[0]))
                i += 1
    return found


LINES = command_lines()


def test_docs_show_commands():
    names = {doc for doc, _, _ in LINES}
    assert {"scenarios.md", "templates.md", "review.md", "operations.md"} <= names, names


@pytest.mark.parametrize(("doc", "line", "command"), LINES, ids=[f"{d}:{n}" for d, n, _ in LINES])
def test_documented_command_exists(doc, line, command):
    tokens = shlex.split(command.replace("…", "").replace("...", ""))[1:]
    node = typer.main.get_command(app)
    path = ["yomikaki"]
    while tokens and hasattr(node, "commands") and not tokens[0].startswith("-"):
        name = tokens.pop(0)
        assert name in node.commands, f"{doc}:{line}: no command '{' '.join(path + [name])}'"
        node = node.commands[name]
        path.append(name)
    assert not hasattr(node, "commands") or tokens == ["--help"] or not tokens, (
        f"{doc}:{line}: '{' '.join(path)}' needs a sub-command"
    )
    known = {opt for param in node.params for opt in (*param.opts, *param.secondary_opts)} | {"--help"}
    for token in tokens:
        if token.startswith("--"):
            option = token.split("=", 1)[0]
            assert option in known, f"{doc}:{line}: '{' '.join(path)}' has no option {option}"
