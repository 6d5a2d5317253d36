"""The ``yomikaki`` command. Each package mounts its own commands through ``register(app)``.

Only this module turns exceptions into exit codes (by type, see yomikaki/errors.py).
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from yomikaki import __version__
from yomikaki.errors import YomikakiError
from yomikaki.logs import setup_logging
from yomikaki.settings import get_settings

app = typer.Typer(
    name="yomikaki",
    help="yomikaki (読み書き) — 帳票の読み取り (OCR) と基幹システムへの入力 (RPA) を自動化します。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
err_console = Console(stderr=True)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"yomikaki {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version_callback, is_eager=True, help="バージョンを表示して終了"
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="詳しいログを表示"),
) -> None:
    setup_logging("DEBUG" if verbose else get_settings().log_level)


def _mount() -> None:
    from ocr.cli import register as register_ocr
    from robots.cli import register as register_robots
    from samples.core_system.cli import register as register_sample_system
    from scheduler.cli import register as register_scheduler
    from yomikaki.app_cli import register as register_app

    register_robots(app)
    register_ocr(app)
    register_scheduler(app)
    register_sample_system(app)
    register_app(app)


_mount()


def main() -> None:
    """Console entry point: usage errors are handled by Typer (short, exit 2); our errors here."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("中断しました")
        sys.exit(130)
    except YomikakiError as exc:
        err_console.print(f"[bold red]エラー:[/] {exc}", markup=True, highlight=False)
        sys.exit(exc.exit_code)
