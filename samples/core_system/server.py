"""Run the sample core system on a threaded werkzeug server (several robot browsers at once)."""

from __future__ import annotations

import logging
import signal

import typer

from samples.core_system.config import CoreConfig


def _check_port(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))


def run(config: CoreConfig, *, host: str = "127.0.0.1", port: int = 8765) -> None:
    from werkzeug.serving import make_server

    from samples.core_system.app import create_app
    from samples.core_system.db import summary
    from yomikaki.errors import ConfigError

    message = f"ポート {port} で待ち受けできません（{host}）"
    hint = "使用中です。--port で別の番号を指定してください"
    try:
        _check_port(host, port)  # before seeding, and instead of werkzeug's English exit
    except OSError as exc:
        raise ConfigError(message, hint=hint) from exc
    app = create_app(config)
    counts = summary(config.db)
    try:
        server = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit) as exc:
        raise ConfigError(message, hint=hint) from exc
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{server.server_port}"
    faults = []
    if config.fault_rate:
        faults.append(f"fault-rate={config.fault_rate}")
    if config.slow_ms:
        faults.append(f"slow-ms={config.slow_ms}")
    if config.random_ids:
        faults.append("random-ids")
    if config.notice_rate:
        faults.append(f"notice-rate={config.notice_rate}")
    typer.echo(f"見本の基幹システムを起動しました: {url}/login")
    typer.echo(f"  ログイン: ユーザーID {config.user} / パスワード {config.password}")
    typer.echo(f"  データベース: {config.db}（{counts['households']} 世帯 / {counts['residents']} 人、"
               f"登録済みの申請 {counts['applications']} 件）")
    if counts["seed"] is not None and counts["seed"] != config.seed:
        typer.echo(f"  注意: このデータベースはシード {counts['seed']} で作成済みです"
                   "（作り直すには --reset を付けてください）")
    typer.echo(f"  セッション有効期限: {config.session_timeout} 秒"
               + (f" / 障害注入: {', '.join(faults)}" if faults else ""))
    if config.inspect:
        typer.echo(f"  確認用 JSON: {url}/__inspect/households, {url}/__inspect/applications")
    typer.echo("  停止するには Ctrl+C を押してください")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def _stop(*_args) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("停止しました")
    finally:
        server.server_close()
