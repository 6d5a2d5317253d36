"""``yomikaki sample-system serve``: start the sample core system (Flask + SQLite)."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    sample_app = typer.Typer(help="見本の基幹システム (デモ・テスト用の Web アプリ)", no_args_is_help=True)
    app.add_typer(sample_app, name="sample-system")

    @sample_app.command("serve")
    def serve(
        port: int = typer.Option(8765, "--port", help="待ち受けるポート番号"),
        host: str = typer.Option("127.0.0.1", "--host", help="待ち受けるアドレス"),
        db: Path = typer.Option(None, "--db", help="SQLite データベースのパス (既定: データフォルダの core_system.db)"),
        seed: int = typer.Option(1, "--seed", help="見本データの乱数シード (同じシードなら同じ世帯)"),
        households: int = typer.Option(800, "--households", min=1, help="見本データの世帯数"),
        user: str = typer.Option("staff01", "--user", help="ログインユーザーID"),
        password: str = typer.Option("yomikaki-demo", "--password", help="ログインパスワード"),
        fault_rate: float = typer.Option(0.0, "--fault-rate", min=0.0, max=1.0,
                                         help="業務画面の POST を HTTP 500 にする確率 (半数は登録後に発生)"),
        fault_seed: int = typer.Option(None, "--fault-seed", help="障害注入の乱数シード (再現用)"),
        slow_ms: int = typer.Option(0, "--slow-ms", min=0, help="各リクエストを 0〜N ミリ秒ランダムに遅らせる"),
        session_timeout: int = typer.Option(1800, "--session-timeout", min=1, help="セッションの有効期限 (秒)"),
        random_ids: bool = typer.Option(False, "--random-ids", help="要素の id と class をリクエストごとに変える"),
        notice_rate: float = typer.Option(0.0, "--notice-rate", min=0.0, max=1.0,
                                          help="画面表示時に「お知らせ」モーダルを出す確率"),
        tax_seconds: float = typer.Option(5.0, "--tax-seconds", min=0.0, help="税務 年次処理の所要時間 (秒)"),
        inspect: bool = typer.Option(False, "--inspect", help="確認用の JSON (/__inspect/…) を有効にする"),
        reset: bool = typer.Option(False, "--reset", help="起動前にデータベースを削除して見本データを作り直す"),
    ) -> None:
        """見本の基幹システムを起動します (Ctrl+C で停止)。"""
        from samples.core_system.server import run

        if db is None:
            from yomikaki.settings import get_settings

            db = Path(get_settings().data_dir) / "core_system.db"
        from samples.core_system.config import CoreConfig

        if reset:
            for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
                path.unlink(missing_ok=True)

        config = CoreConfig(
            db=db, seed=seed, households=households, user=user, password=password,
            inspect=inspect, fault_rate=fault_rate, fault_seed=fault_seed, slow_ms=slow_ms,
            session_timeout=session_timeout, random_ids=random_ids, notice_rate=notice_rate,
            tax_seconds=tax_seconds,
        )
        run(config, host=host, port=port)
