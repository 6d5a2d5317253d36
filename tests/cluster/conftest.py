"""Fixtures for the scale-out tests: a real, private PostgreSQL server and a Dask LocalCluster.

The PostgreSQL server comes from Debian's ``postgresql`` package (binaries in
``/usr/lib/postgresql/<version>/bin``). It is initialised in a temporary folder, listens on a
free port on 127.0.0.1 only, and is stopped and removed at the end of the session.

PostgreSQL refuses to run as root: when the tests run as root (CI), the folder is given to the
``postgres`` OS user and the server runs through ``runuser -u postgres``. As an ordinary user the
server simply runs as that user. To use an existing server instead, set
``YOMIKAKI_TEST_POSTGRES_URL=postgresql+psycopg://user:password@host:port/dbname`` (a database
the tests may create and drop databases next to).

Whenever no server can be had the tests are skipped with the reason and how to enable them —
never silently.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ENABLE_HINT = (
    "PostgreSQL のテストを有効にするには: Debian の postgresql パッケージを入れる "
    "(`sudo apt-get install postgresql`、`make install` が root なら自動で入れます) か、"
    "既存のサーバーを YOMIKAKI_TEST_POSTGRES_URL=postgresql+psycopg://user:pass@host:port/db で指定してください。"
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL bin folder, or the one holding ``pg_ctl`` on PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
    )
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    return None


class PrivateServer:
    """A throw-away PostgreSQL cluster; ``start()`` returns a SQLAlchemy URL to its database."""

    def __init__(self, bin_dir: Path, dbname: str = "yomikaki"):
        self.bin_dir = bin_dir
        self.dbname = dbname
        self.port = 0
        self.root: Path | None = None
        self.run_as: str | None = None

    # -- helpers ---------------------------------------------------------------------------
    def _cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin_dir / tool), *args]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        return cmd

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._cmd(tool, *args), capture_output=True, text=True, timeout=timeout, cwd=self.root
        )

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("root で実行中ですが OS ユーザー postgres がありません") from None
            if not shutil.which("runuser"):
                raise RuntimeError("root で実行中ですが runuser コマンドがありません")
            self.run_as = "postgres"
        # /tmp itself is world-traversable; pytest's tmp folders (0700, root) are not.
        self.root = Path(tempfile.mkdtemp(prefix="yomikaki-pg-"))
        data, sockets = self.root / "data", self.root / "sock"
        data.mkdir()
        sockets.mkdir()
        if self.run_as:
            shutil.chown(self.root, self.run_as, self.run_as)
            for sub in (data, sockets):
                shutil.chown(sub, self.run_as, self.run_as)
        init = self._run(
            "initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb が失敗しました: {init.stderr.strip() or init.stdout.strip()}")
        last_error = ""
        for _attempt in range(5):  # the free port may be taken between probe and bind
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                "-c shared_buffers=32MB"
            )
            started = self._run(
                "pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-o", options,
                "-w", "-t", "60", "start",
            )
            if started.returncode == 0:
                break
            last_error = self.log_tail() or started.stderr
        else:
            raise RuntimeError(f"PostgreSQL を起動できませんでした: {last_error.strip()}")
        self.create_database(self.dbname)
        return self.url(self.dbname)

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _psql(self, sql: str) -> None:
        result = self._run(
            "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
            "-v", "ON_ERROR_STOP=1", "-q", "-c", sql,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({sql}): {result.stderr.strip()}")

    def create_database(self, name: str) -> str:
        self._psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def log_tail(self) -> str:
        log = self.root / "server.log" if self.root else None
        if log and log.exists():
            return "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        return ""

    def stop(self) -> None:
        if self.root is None:
            return
        data = self.root / "data"
        if (data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "-t", "60", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


class ExternalServer:
    """A server given by YOMIKAKI_TEST_POSTGRES_URL; per-test databases are made next to it."""

    def __init__(self, url: str):
        from sqlalchemy.engine import make_url

        self.base = make_url(url)

    def start(self) -> str:
        return self.base.render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(sql))
        finally:
            engine.dispose()

    def create_database(self, name: str) -> str:
        self._admin(f'CREATE DATABASE "{name}"')
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        pass


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PrivateServer | ExternalServer]:
    external = os.environ.get("YOMIKAKI_TEST_POSTGRES_URL")
    if external:
        server: PrivateServer | ExternalServer = ExternalServer(external)
    else:
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            pytest.skip("PostgreSQL のテストを省略: PostgreSQL のプログラム (initdb, pg_ctl) が見つかりません。" + ENABLE_HINT)
        server = PrivateServer(bin_dir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        pytest.skip(f"PostgreSQL のテストを省略: サーバーを用意できません ({exc})。" + ENABLE_HINT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_server) -> str:
    """SQLAlchemy URL of the session's database ``yomikaki`` on the private server."""
    if isinstance(postgres_server, ExternalServer):
        return postgres_server.start()
    return postgres_server.url(postgres_server.dbname)


@pytest.fixture
def fresh_postgres_url(postgres_server) -> Iterator[str]:
    """An empty database of its own for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        from yomikaki.db import dispose_engines

        dispose_engines()
        for _ in range(3):
            try:
                postgres_server.drop_database(name)
                break
            except RuntimeError:
                time.sleep(0.5)


@pytest.fixture(scope="session")
def dask_cluster():
    """A real Dask LocalCluster: 2 worker processes (with nannies), 1 thread each."""
    import logging

    distributed = pytest.importorskip(
        "dask.distributed", reason="Dask がありません: pip install -e '.[cluster]' (make install) で入ります"
    )
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        yield cluster
    finally:
        cluster.close()
