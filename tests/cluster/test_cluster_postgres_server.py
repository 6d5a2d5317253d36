"""The private PostgreSQL server of the test session is real and usable."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def test_cluster_postgres_server_answers(postgres_url):
    assert postgres_url.startswith("postgresql+psycopg://")
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            addr = conn.execute(text("SELECT inet_server_addr()::text")).scalar_one()
    finally:
        engine.dispose()
    assert int(version.split(".")[0]) >= 13
    assert database == "yomikaki"
    assert addr.startswith("127.0.0.1")


def test_cluster_fresh_database_is_empty_and_separate(fresh_postgres_url, postgres_url):
    assert fresh_postgres_url != postgres_url
    engine = create_engine(fresh_postgres_url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert tables == 0
