"""The project database: one SQLAlchemy engine per URL, a shared declarative ``Base``.

Each package declares its tables on ``Base`` in its own module (robots/queue.py,
scheduler/ledger.py, ocr/review/corrections.py, yomikaki/audit.py). ``init_db`` imports
them all and creates what is missing; Alembic migrations (``migrations/``) manage schema
changes for long-lived databases.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from yomikaki.paths import private_dir
from yomikaki.settings import Settings, get_settings

# Modules that declare tables on Base; imported by init_db so metadata is complete.
MODEL_MODULES = (
    "yomikaki.audit",
    "robots.queue",
    "scheduler.ledger",
    "scheduler.alerts",
    "scheduler.state",
    "ocr.review.corrections",
)


class Base(DeclarativeBase):
    pass


_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_engine(settings: Settings | None = None, url: str | None = None) -> Engine:
    settings = settings or get_settings()
    url = url or settings.db_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite:///"):
                db_path = Path(url.removeprefix("sqlite:///"))
                private_dir(db_path.parent)
                engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_pre_ping=True)
            _engines[url] = engine
    return engine


def init_db(settings: Settings | None = None, url: str | None = None) -> Engine:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a package not built yet must not break the rest
            if exc.name and name.startswith(exc.name):
                continue
            raise
    engine = get_engine(settings, url)
    Base.metadata.create_all(engine)
    return engine


def session_factory(settings: Settings | None = None, url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(bind=init_db(settings, url), expire_on_commit=False)


@contextmanager
def session_scope(settings: Settings | None = None, url: str | None = None) -> Iterator[Session]:
    session = session_factory(settings, url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
