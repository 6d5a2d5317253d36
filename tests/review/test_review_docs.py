"""docs/review.md: every command in its code blocks runs as written."""

from __future__ import annotations

import re
import shlex
import shutil

import typer
from review_testkit import REPO
from typer.testing import CliRunner

from ocr.review.cli import register

DOC = REPO / "docs" / "review.md"


def documented_commands() -> list[list[str]]:
    blocks = re.findall(r"```bash\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    return [shlex.split(line)[1:] for block in blocks for line in block.splitlines()
            if line.startswith("yomikaki ")]


def test_review_docs_commands_run_as_written(truth_rows, tmp_path):
    rows_file, _ = truth_rows
    shutil.copytree(rows_file.parent, tmp_path, dirs_exist_ok=True)  # rows.jsonl in the working folder
    app, ocr_app = typer.Typer(), typer.Typer()
    register(ocr_app)
    app.add_typer(ocr_app, name="ocr")
    app.command("noop")(lambda: None)
    commands = documented_commands()
    assert [c[:3] for c in commands] == [["ocr", "review", "export"], ["ocr", "review", "import"],
                                        ["ocr", "review", "import"], ["ocr", "review", "stats"],
                                        ["ocr", "review", "compare"]]
    runner = CliRunner()
    for args in commands:
        if args[2] == "compare":
            for name in args[3:5]:
                shutil.copy(tmp_path / "review.xlsx", tmp_path / name)
        res = runner.invoke(app, args)
        assert res.exit_code == 0, f"{args}: {res.output} {res.exception!r}"
    assert (tmp_path / "confirmed.jsonl").is_file() and (tmp_path / "confirmed.csv").is_file()
    assert (tmp_path / "diff.xlsx").is_file() and (tmp_path / "review_images").is_dir()
