"""``yomikaki sample-system serve``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    sample_app = typer.Typer(help="見本の基幹システム (デモ・テスト用の Web アプリ)", no_args_is_help=True)
    app.add_typer(sample_app, name="sample-system")
