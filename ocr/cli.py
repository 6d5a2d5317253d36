"""OCR commands: extract, eval, template, review."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    ocr_app = typer.Typer(help="スキャンした申請書の読み取り (OCR)・評価・確認用ワークブック", no_args_is_help=True)
    app.add_typer(ocr_app, name="ocr")
