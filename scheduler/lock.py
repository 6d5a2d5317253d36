"""Only one scheduler per database (APScheduler 3.x cannot share a job store safely).

- SQLite: an OS file lock (``fcntl.flock``) on ``<database>.scheduler.lock``; the kernel
  releases it when the process dies, so a crash never leaves a stale lock.
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) held on a dedicated
  connection; released when the connection or the process ends.
- Other databases: the ``scheduler_lock`` row with a heartbeat; a holder silent for
  ``scheduler.lock_stale_seconds`` may be taken over.

In every case the ``scheduler_lock`` row says who holds it (pid, host, heartbeat) for
``schedule status`` and for the refusal message. A standby (``schedule start --standby``)
waits for the lock and becomes active when the active scheduler stops or dies.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text, update

from scheduler.state import SchedulerLock, as_utc, now_utc
from yomikaki.db import get_engine, init_db, session_scope
from yomikaki.errors import YomikakiError
from yomikaki.settings import Settings

log = logging.getLogger("yomikaki.scheduler.lock")
LOCK_NAME = "scheduler"
ADVISORY_KEY = 0x796F6D69  # "yomi"
HEARTBEAT_SECONDS = 10


class SchedulerAlreadyRunning(YomikakiError):
    exit_code = 6


class InstanceLock:
    def __init__(self, settings: Settings, jobs_file: str = ""):
        self.settings = settings
        self.jobs_file = jobs_file
        self.token = uuid.uuid4().hex
        self.url = settings.db_url
        self._fh = None
        self._pg_conn = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = threading.Event()  # set if another instance took the lock over (row mode)

    # -- acquire / release ------------------------------------------------------------------
    def acquire(self, *, wait: bool = False, poll_seconds: float = 2.0) -> None:
        init_db(self.settings)
        announced = False
        while True:
            if self._try_acquire():
                self._write_row()
                self._start_heartbeat()
                return
            if not wait:
                raise SchedulerAlreadyRunning(self._refusal(), hint=(
                    "二重実行を防ぐため起動しません。待機系として動かすときは --standby を付けてください"
                ))
            if not announced:
                log.info("待機中: 稼働中のスケジューラが止まったら引き継ぎます (%s)", self._refusal())
                announced = True
            time.sleep(poll_seconds)

    def release(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        try:
            with session_scope(self.settings) as session:
                row = session.get(SchedulerLock, LOCK_NAME)
                if row is not None and row.token == self.token:
                    session.delete(row)
        except Exception:  # the database may be gone at shutdown; the OS lock still goes
            log.debug("could not clear the lock row", exc_info=True)
        if self._fh is not None:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None
        if self._pg_conn is not None:
            self._pg_conn.close()
            self._pg_conn = None

    # -- modes ------------------------------------------------------------------------------
    def _try_acquire(self) -> bool:
        if self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///") + ".scheduler.lock")
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(path, "a+")  # noqa: SIM115 - kept open while we hold the lock
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                return False
            self._fh = fh
            return True
        if self.url.startswith("postgresql"):
            conn = get_engine(self.settings).connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
            conn.commit()
            if got:
                self._pg_conn = conn
                return True
            conn.close()
            return False
        return self._try_row()

    def _try_row(self) -> bool:
        stale = timedelta(seconds=self.settings.scheduler.lock_stale_seconds)
        with session_scope(self.settings) as session:
            row = session.get(SchedulerLock, LOCK_NAME)
            if row is None:
                return True
            if now_utc() - as_utc(row.heartbeat_at) < stale:
                return False
            result = session.execute(
                update(SchedulerLock)
                .where(SchedulerLock.name == LOCK_NAME, SchedulerLock.token == row.token)
                .values(token=self.token, heartbeat_at=now_utc())
            )
            return result.rowcount == 1

    def _write_row(self) -> None:
        now = now_utc()
        with session_scope(self.settings) as session:
            row = session.get(SchedulerLock, LOCK_NAME)
            if row is None:
                row = SchedulerLock(name=LOCK_NAME)
                session.add(row)
            row.pid, row.host, row.token = os.getpid(), socket.gethostname(), self.token
            row.started_at = row.heartbeat_at = now
            row.jobs_file = self.jobs_file

    def _start_heartbeat(self) -> None:
        def beat() -> None:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                try:
                    with session_scope(self.settings) as session:
                        result = session.execute(
                            update(SchedulerLock)
                            .where(SchedulerLock.name == LOCK_NAME, SchedulerLock.token == self.token)
                            .values(heartbeat_at=now_utc())
                        )
                        if result.rowcount == 0 and not self._fh and not self._pg_conn:
                            log.critical("スケジューラのロックを他のインスタンスに取られました。停止します")
                            self.lost.set()
                            return
                except Exception:
                    log.warning("ハートビートを書けませんでした", exc_info=True)

        self._thread = threading.Thread(target=beat, name="scheduler-heartbeat", daemon=True)
        self._thread.start()

    def _refusal(self) -> str:
        row = holder(self.settings)
        if row is None:
            return "別のスケジューラがこのデータベースで動いています"
        beat = as_utc(row.heartbeat_at)
        return (
            f"スケジューラは既に動いています (pid {row.pid}, ホスト {row.host}, "
            f"開始 {as_utc(row.started_at):%Y-%m-%d %H:%M:%S} UTC, 最終ハートビート {beat:%H:%M:%S} UTC)"
        )


def holder(settings: Settings) -> SchedulerLock | None:
    """The ``scheduler_lock`` row (who runs the scheduler), if any."""
    with session_scope(settings) as session:
        return session.get(SchedulerLock, LOCK_NAME)


def is_active(settings: Settings) -> bool | None:
    """Is a scheduler holding the lock right now? None when it cannot be told."""
    url = settings.db_url
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///") + ".scheduler.lock")
        if not path.exists():
            return False
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    if url.startswith("postgresql"):
        with get_engine(settings).connect() as conn:
            held = conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted"),
                {"k": ADVISORY_KEY},
            ).scalar()
            return bool(held)
    return None
