"""``yomikaki sample-system serve``: options, startup message, threaded server."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from yomikaki.cli import app


def test_serve_help_lists_every_option():
    result = CliRunner().invoke(app, ["sample-system", "serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--port", "--host", "--db", "--seed", "--households", "--user", "--password",
                   "--fault-rate", "--slow-ms", "--session-timeout", "--random-ids",
                   "--notice-rate", "--inspect", "--tax-seconds", "--fault-seed"):
        assert option in result.output, option


def test_bad_option_value_is_a_short_usage_error():
    result = CliRunner().invoke(app, ["sample-system", "serve", "--fault-rate", "2"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_startup_prints_url_and_demo_login(start_core_system, tmp_path):
    core = start_core_system(seed=5, households=30)
    log = core.log_file.read_text()
    assert f"{core.url}/login" in log
    assert re.search(r"ユーザーID staff01 / パスワード yomikaki-demo", log)
    households = core.inspect("households")
    assert len(households) == 30
    from samples.core_system.seed import generate_households

    assert households == sorted(generate_households(5, 30), key=lambda h: h["household_no"])
    # style sheets and scripts are cacheable, as from a production web server (one request per screen)
    import urllib.request

    with urllib.request.urlopen(f"{core.url}/static/core.css") as response:
        assert response.headers["Cache-Control"] == "public, max-age=600"


def test_port_in_use_is_a_clear_error(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "yomikaki", "sample-system", "serve", "--port", str(port),
             "--db", str(tmp_path / "core.db")],
            capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert f"ポート {port} で待ち受けできません" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "core.db").exists()  # nothing seeded for nothing
