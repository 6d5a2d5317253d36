"""The sample core system's SQLite database: schema, seeding and a connection per request."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from samples.core_system.seed import generate_households, resident_no

JST = dt.timezone(dt.timedelta(hours=9), "JST")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS households (
    household_no TEXT PRIMARY KEY,
    application_id TEXT NOT NULL UNIQUE,
    postal_code TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS residents (
    resident_no TEXT PRIMARY KEY,
    household_no TEXT NOT NULL REFERENCES households(household_no),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    kana TEXT NOT NULL,
    relation TEXT NOT NULL,
    birth_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS residents_household ON residents(household_no, position);
CREATE TABLE IF NOT EXISTS applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    receipt_no TEXT UNIQUE,
    application_id TEXT NOT NULL UNIQUE REFERENCES households(application_id),
    application_date TEXT NOT NULL,
    phone TEXT NOT NULL,
    bank_code TEXT, bank_name TEXT, branch_code TEXT, branch_name TEXT,
    account_type TEXT, account_number TEXT,
    yucho_symbol TEXT, yucho_number TEXT,
    account_holder_kana TEXT NOT NULL,
    opt_out_members TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    registered_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    token TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tax_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fiscal_year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    progress INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    result_file TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    started_by TEXT NOT NULL
);
"""


def now() -> dt.datetime:
    return dt.datetime.now(JST).replace(microsecond=0)


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def init_db(path: Path, *, seed: int, households: int) -> int:
    """Create the schema and load the seed households once (an existing database keeps its
    data, whatever ``seed``). Returns the household count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)
        count = conn.execute("SELECT count(*) FROM households").fetchone()[0]
        if count:
            return count
        conn.execute("BEGIN IMMEDIATE")
        for household in generate_households(seed, households):
            conn.execute(
                "INSERT INTO households VALUES (?, ?, ?, ?)",
                (household["household_no"], household["application_id"],
                 household["postal_code"], household["address"]),
            )
            for position, member in enumerate(household["members"]):
                conn.execute(
                    "INSERT INTO residents VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (resident_no(household["household_no"], position), household["household_no"],
                     position, member["name"], member["kana"], member["relation"],
                     member["birth_date"]),
                )
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('seed', ?)", (json.dumps(
            {"seed": seed, "households": households}),))
        conn.execute("COMMIT")
        return households
    finally:
        conn.close()


def household_by_application(conn: sqlite3.Connection, application_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM households WHERE application_id = ?",
                        (application_id,)).fetchone()


def household_by_no(conn: sqlite3.Connection, household_no: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM households WHERE household_no = ?",
                        (household_no,)).fetchone()


def members_of(conn: sqlite3.Connection, household_no: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM residents WHERE household_no = ? ORDER BY position",
                        (household_no,)).fetchall()


def application_for(conn: sqlite3.Connection, application_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM applications WHERE application_id = ?",
                        (application_id,)).fetchone()


def household_dict(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    """One household in the shape of ``seed.generate_households``."""
    return {
        "application_id": row["application_id"],
        "household_no": row["household_no"],
        "postal_code": row["postal_code"],
        "address": row["address"],
        "members": [
            {"name": m["name"], "kana": m["kana"], "relation": m["relation"],
             "birth_date": m["birth_date"]}
            for m in members_of(conn, row["household_no"])
        ],
    }


def summary(path: Path) -> dict:
    """Counts shown at start-up: households, residents, applications, and the stored seed."""
    conn = connect(path)
    try:
        count = lambda table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
        seed = conn.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
        return {"households": count("households"), "residents": count("residents"),
                "applications": count("applications"),
                "seed": json.loads(seed[0])["seed"] if seed else None}
    finally:
        conn.close()
