"""``yomikaki db …``: schema migrations of the database (SQLite or PostgreSQL)."""

from __future__ import annotations

import logging

import typer


def _quiet_alembic() -> None:
    """Alembic logs every plugin at INFO; operators see our summary instead (unless -v)."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("alembic").setLevel(logging.WARNING)


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(
        help="データベース (SQLite / PostgreSQL) の構造を管理します (Alembic マイグレーション)。",
        no_args_is_help=True,
    )

    @db_app.command("upgrade")
    def db_upgrade(
        revision: str = typer.Option("head", help="更新先のリビジョン (既定: 最新)"),
    ) -> None:
        """データベースの構造を最新版に更新します。新しい版を入れた後に一度実行してください。"""
        _quiet_alembic()
        from yomikaki.migrate import safe_url, upgrade
        from yomikaki.settings import get_settings

        settings = get_settings()
        result = upgrade(settings, revision)
        target = safe_url(settings.db_url)
        if result.adopted:
            typer.echo(f"既存のデータベースをマイグレーション管理に登録しました: {target}")
        if result.before == result.after:
            typer.echo(f"データベースは最新です: {target} (リビジョン {result.after})")
        else:
            typer.echo(f"データベースを更新しました: {target} ({result.before or '空'} → {result.after})")
        if result.remaining_differences:
            typer.echo(
                f"注意: モデルとの差分が {len(result.remaining_differences)} 件残っています "
                "(`yomikaki db check` で確認してください)",
                err=True,
            )

    @db_app.command("current")
    def db_current() -> None:
        """データベースの現在のリビジョンと最新リビジョンを表示します。"""
        _quiet_alembic()
        from yomikaki.migrate import current_revision, head_revision, safe_url
        from yomikaki.settings import get_settings

        settings = get_settings()
        current, head = current_revision(settings), head_revision()
        typer.echo(f"データベース: {safe_url(settings.db_url)}")
        typer.echo(f"現在のリビジョン: {current or '(未適用)'}")
        typer.echo(f"最新のリビジョン: {head or '(なし)'}")
        if current == head:
            typer.echo("最新です。")
        else:
            typer.echo("未適用の更新があります: `yomikaki db upgrade` を実行してください。")
            raise typer.Exit(1)

    @db_app.command("check")
    def db_check() -> None:
        """データベースの構造がこの版のモデルと一致するか確認します (不一致なら終了コード 1)。"""
        _quiet_alembic()
        from yomikaki.migrate import safe_url, schema_differences
        from yomikaki.settings import get_settings

        settings = get_settings()
        diffs = schema_differences(settings)
        if not diffs:
            typer.echo(f"一致しています: {safe_url(settings.db_url)}")
            return
        typer.echo(f"モデルとの差分が {len(diffs)} 件あります: {safe_url(settings.db_url)}")
        for diff in diffs:
            typer.echo(f"  {diff}")
        raise typer.Exit(1)

    app.add_typer(db_app, name="db")
