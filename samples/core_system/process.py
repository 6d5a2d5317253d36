"""Start the sample core system in a subprocess on a free localhost port.

Used by the tests, the demo and the benchmarks::

    with CoreSystemProcess(db=tmp / "core.db", inspect=True, fault_rate=0.1) as core:
        core.url                      # http://127.0.0.1:PORT
        core.inspect("applications")  # JSON from /__inspect/applications
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CoreSystemProcess:
    def __init__(
        self,
        db: Path,
        *,
        port: int = 0,
        seed: int = 1,
        inspect: bool = True,
        user: str | None = None,
        password: str | None = None,
        fault_rate: float | None = None,
        slow_ms: int | None = None,
        session_timeout: int | None = None,
        random_ids: bool = False,
        notice_rate: float | None = None,
        households: int | None = None,
        fault_seed: int | None = None,
        tax_seconds: float | None = None,
        extra_args: list[str] | None = None,
        log_file: Path | None = None,
        startup_timeout: float = 60.0,
    ):
        self.db = Path(db)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["--port", str(self.port), "--db", str(self.db), "--seed", str(seed)]
        if inspect:
            args.append("--inspect")
        if user:
            args += ["--user", user]
        if password:
            args += ["--password", password]
        if fault_rate is not None:
            args += ["--fault-rate", str(fault_rate)]
        if slow_ms is not None:
            args += ["--slow-ms", str(slow_ms)]
        if session_timeout is not None:
            args += ["--session-timeout", str(session_timeout)]
        if random_ids:
            args.append("--random-ids")
        if notice_rate is not None:
            args += ["--notice-rate", str(notice_rate)]
        if households is not None:
            args += ["--households", str(households)]
        if fault_seed is not None:
            args += ["--fault-seed", str(fault_seed)]
        if tax_seconds is not None:
            args += ["--tax-seconds", str(tax_seconds)]
        self.args = args + list(extra_args or [])
        self.log_file = log_file or self.db.with_suffix(".log")
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None

    def start(self) -> CoreSystemProcess:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_file, "ab")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "yomikaki", "sample-system", "serve", *self.args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"sample core system exited with {self.proc.returncode}: "
                    + self.log_file.read_text(errors="replace")[-2000:]
                )
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"sample core system did not answer on {self.url} within {self.startup_timeout}s")

    def inspect(self, what: str) -> list | dict:
        with urllib.request.urlopen(f"{self.url}/__inspect/{what}", timeout=30) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> CoreSystemProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
