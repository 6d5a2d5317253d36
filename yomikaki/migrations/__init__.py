"""Alembic migrations of the yomikaki database (SQLite and PostgreSQL). See yomikaki/migrate.py."""
