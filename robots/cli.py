"""Robot commands: run, scenario, runs, evidence."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    scenario_app = typer.Typer(help="シナリオファイルの検査・スキーマ出力・記録からの変換", no_args_is_help=True)
    app.add_typer(scenario_app, name="scenario")
