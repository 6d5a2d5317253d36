"""App-shell commands: demo, audit log, settings."""

from __future__ import annotations

import json

import typer

from yomikaki.db_cli import register as register_db
from yomikaki.settings import get_settings


def register(app: typer.Typer) -> None:
    register_db(app)  # yomikaki db upgrade|current|check
    audit_app = typer.Typer(help="監査ログ (誰がいつ何をしたか) を表示します。", no_args_is_help=True)

    @audit_app.command("list")
    def audit_list(limit: int = typer.Option(50, help="表示する件数")) -> None:
        """最近の監査ログを表示します。"""
        from yomikaki.audit import recent

        for event in recent(limit):
            typer.echo(
                f"{event.at:%Y-%m-%d %H:%M:%S} {event.actor} {event.action} {event.subject} "
                f"{json.dumps(event.details, ensure_ascii=False)}"
            )

    app.add_typer(audit_app, name="audit")

    @app.command("settings")
    def show_settings() -> None:
        """現在の設定 (yomikaki.toml と YOMIKAKI_* 環境変数を反映) を表示します。"""
        settings = get_settings()
        data = settings.model_dump(mode="json")
        data["database_url"] = settings.db_url
        data["browser"]["chromium_path"] = str(settings.chromium_executable())
        data["browser"]["headless_executable"] = str(settings.chromium_executable(headless=True))
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))

    @app.command("demo")
    def demo(
        forms: int = typer.Option(30, help="生成する申請書の枚数"),
        port: int = typer.Option(0, help="見本基幹システムのポート (0 = 空きポート)"),
    ) -> None:
        """見本基幹システムを起動し、OCR → 確認 → 登録 → 削減時間集計 を一通り実行します。"""
        from yomikaki.demo import run_demo

        raise typer.Exit(run_demo(forms=forms, port=port))
