"""Alembic environment: the yomikaki models on ``yomikaki.db.Base.metadata``, one database URL.

Run through ``yomikaki db upgrade`` (yomikaki/migrate.py), which passes the URL from the
settings (``YOMIKAKI_DATABASE_URL``, default the SQLite file in the data folder). On
PostgreSQL an advisory lock makes concurrent upgrades (several robot PCs starting at once)
wait for each other; on SQLite, ALTERs run in batch mode (table copy).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from yomikaki.migrate import ADVISORY_LOCK_KEY, load_models, target_metadata

config = context.config
load_models(strict=config.attributes.get("strict_models", False))
metadata = target_metadata()


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        render_as_batch=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
               dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from yomikaki.db import get_engine

    engine = get_engine(url=config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _run(connection)


def _run(connection) -> None:
    # yomikaki.migrate.upgrade holds the PostgreSQL advisory lock and commits; a plain
    # `alembic` invocation gets the same lock here (advisory locks nest within a session).
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    try:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if postgres:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
