"""Scheduler commands: schedule, hours."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    schedule_app = typer.Typer(help="業務カレンダーに沿った定期実行 (スケジューラ)", no_args_is_help=True)
    app.add_typer(schedule_app, name="schedule")
    hours_app = typer.Typer(help="削減時間の台帳と報告書", no_args_is_help=True)
    app.add_typer(hours_app, name="hours")
