"""Claiming work-queue rows safely when several robots (processes or machines) share one table.

Generic over any SQLAlchemy table (or ORM class) with an integer primary key and three
columns — ``status``, ``lease_owner``, ``lease_expires`` (names configurable through
:class:`LeaseColumns`). The robot runtime's queue (robots/queue.py) calls these; nothing here
knows about scenarios.

- PostgreSQL: ``UPDATE … WHERE id = (SELECT id … ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING *``: concurrent claimers skip each other's locked rows instead of waiting, and a
  row is handed to exactly one of them.
- SQLite (≥ 3.35): the same ``UPDATE … WHERE id = (SELECT …) RETURNING *`` — a single
  statement, and SQLite serialises writers, so it is atomic too (several processes on one
  machine; SQLite is not for several machines).

A claim is a lease: the owner extends it with :func:`heartbeat` while it works, and finishes
the item with :func:`finish`, which only succeeds while the lease is still held. A robot that
dies stops heart-beating; :func:`expire_leases` (called by any runner) turns its expired rows
into ``in_doubt``, to be resolved by the scenario's ``check`` block — never re-submitted blindly.

Call these at the start of a short transaction and commit right after (a claim must be
durable before the work starts). Clocks: ``now`` defaults to ``datetime.now(UTC)``; robot PCs
sharing a PostgreSQL queue must keep their clocks in sync (NTP) — seconds of skew are harmless
against leases of minutes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, exists, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

NEW = "new"
IN_PROGRESS = "in_progress"
IN_DOUBT = "in_doubt"


@dataclass(frozen=True)
class LeaseColumns:
    """Names of the columns the lease functions use (defaults match robots/queue.py)."""

    id: str = "id"
    status: str = "status"
    lease_owner: str = "lease_owner"
    lease_expires: str = "lease_expires"
    in_progress: str = IN_PROGRESS
    in_doubt: str = IN_DOUBT


DEFAULT_COLUMNS = LeaseColumns()


@dataclass(frozen=True)
class Claim:
    """A claimed row (values after the claim) and the status it had before."""

    id: Any
    row: RowMapping
    previous_status: str


def _table(table_or_model: Any) -> Table:
    if isinstance(table_or_model, Table):
        return table_or_model
    return sa_inspect(table_or_model).local_table


def _dialect(bind: Session | Connection) -> str:
    if isinstance(bind, Session):
        return bind.get_bind().dialect.name
    return bind.dialect.name


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    return now.astimezone(UTC)


def _claim_one(
    bind: Session | Connection,
    table: Table,
    status: str,
    *,
    owner: str,
    expires: datetime,
    where: Sequence[ColumnElement[bool]],
    values: Mapping[str, Any],
    cols: LeaseColumns,
) -> RowMapping | None:
    c = table.c
    pick = (
        select(c[cols.id])
        .where(c[cols.status] == status, *where)
        .order_by(c[cols.id])
        .limit(1)
    )
    if _dialect(bind) == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(table)
        .where(c[cols.id] == pick.scalar_subquery(), c[cols.status] == status)
        .values(
            {
                cols.status: cols.in_progress,
                cols.lease_owner: owner,
                cols.lease_expires: expires,
                **values,
            }
        )
        .returning(*c)
    )
    return bind.execute(stmt).mappings().first()


def claim_next(
    bind: Session | Connection,
    table: Any,
    *,
    owner: str,
    lease_seconds: float,
    now: datetime | None = None,
    statuses: Iterable[str] = (NEW,),
    where: Sequence[ColumnElement[bool]] = (),
    values: Mapping[str, Any] | None = None,
    columns: LeaseColumns = DEFAULT_COLUMNS,
    retries: int = 5,
) -> Claim | None:
    """Claim the oldest row in one of ``statuses`` (tried in that order), or None if none is free.

    The row becomes ``in_progress`` with ``lease_owner=owner`` and a lease of
    ``lease_seconds``; ``values`` are set too (e.g. ``{"attempts": table.c.attempts + 1}``);
    ``where`` narrows the rows (e.g. ``[table.c.queue == "benefit_registration"]``).
    """
    table = _table(table)
    expires = _now(now) + timedelta(seconds=lease_seconds)
    statuses = tuple(statuses)
    for attempt in range(retries + 1):
        for status in statuses:
            row = _claim_one(
                bind, table, status, owner=owner, expires=expires, where=where,
                values=dict(values or {}), cols=columns,
            )
            if row is not None:
                return Claim(id=row[columns.id], row=row, previous_status=status)
        # PostgreSQL, READ COMMITTED: a row picked and then changed by a concurrent claimer is
        # dropped from the LIMIT 1 result, so "nothing claimed" can be spurious: look again
        # while claimable rows remain visible. (SQLite runs the statement alone: no retry.)
        if attempt == retries or _dialect(bind) != "postgresql":
            return None
        c = table.c
        visible = select(exists().where(c[columns.status].in_(statuses), *where))
        if not bind.execute(visible).scalar():
            return None
        time.sleep(0.01 * (attempt + 1))
    return None


def heartbeat(
    bind: Session | Connection,
    table: Any,
    *,
    owner: str,
    lease_seconds: float,
    now: datetime | None = None,
    ids: Iterable[Any] | None = None,
    columns: LeaseColumns = DEFAULT_COLUMNS,
) -> set[Any]:
    """Extend the leases ``owner`` still holds (all of them, or only ``ids``); returns their ids.

    An id missing from the result was lost (expired and taken away): stop working on it.
    ``owner`` ending in ``%`` is a prefix: ``"pc-1:4242:%"`` extends every lease of process 4242.
    """
    table = _table(table)
    c = table.c
    owned = c[columns.lease_owner].like(owner) if owner.endswith("%") else c[columns.lease_owner] == owner
    cond = [c[columns.status] == columns.in_progress, owned]
    if ids is not None:
        cond.append(c[columns.id].in_(list(ids)))
    stmt = (
        update(table)
        .where(*cond)
        .values({columns.lease_expires: _now(now) + timedelta(seconds=lease_seconds)})
        .returning(c[columns.id])
    )
    return set(bind.execute(stmt).scalars().all())


def holds(
    bind: Session | Connection,
    table: Any,
    item_id: Any,
    *,
    owner: str,
    now: datetime | None = None,
    columns: LeaseColumns = DEFAULT_COLUMNS,
) -> bool:
    """True while ``owner`` holds an unexpired lease on the row (check before submitting)."""
    table = _table(table)
    c = table.c
    stmt = select(c[columns.id]).where(
        c[columns.id] == item_id,
        c[columns.status] == columns.in_progress,
        c[columns.lease_owner] == owner,
        c[columns.lease_expires] > _now(now),
    )
    return bind.execute(stmt).first() is not None


def finish(
    bind: Session | Connection,
    table: Any,
    item_id: Any,
    *,
    owner: str,
    status: str,
    values: Mapping[str, Any] | None = None,
    columns: LeaseColumns = DEFAULT_COLUMNS,
) -> bool:
    """Set the final ``status`` (and ``values``) of a row ``owner`` holds; release the lease.

    Returns False — and changes nothing — when the lease was lost meanwhile (the row was made
    in doubt and perhaps claimed by another robot): the caller must not record a result.
    """
    table = _table(table)
    c = table.c
    stmt = (
        update(table)
        .where(
            c[columns.id] == item_id,
            c[columns.status] == columns.in_progress,
            c[columns.lease_owner] == owner,
        )
        .values(
            {columns.status: status, columns.lease_owner: None, columns.lease_expires: None,
             **dict(values or {})}
        )
        .returning(c[columns.id])
    )
    return bind.execute(stmt).first() is not None


def expire_leases(
    bind: Session | Connection,
    table: Any,
    *,
    now: datetime | None = None,
    where: Sequence[ColumnElement[bool]] = (),
    values: Mapping[str, Any] | None = None,
    columns: LeaseColumns = DEFAULT_COLUMNS,
) -> list[Any]:
    """Turn ``in_progress`` rows whose lease has expired into ``in_doubt``; returns their ids.

    Rows without a lease (``lease_expires`` NULL: written by an older single-machine run
    that crashed) count as expired. A concurrent heartbeat wins: PostgreSQL re-checks the
    condition on the updated row.
    """
    table = _table(table)
    c = table.c
    expired = c[columns.lease_expires].is_(None) | (c[columns.lease_expires] <= _now(now))
    stmt = (
        update(table)
        .where(and_(c[columns.status] == columns.in_progress, expired, *where))
        .values({columns.status: columns.in_doubt, columns.lease_owner: None,
                 columns.lease_expires: None, **dict(values or {})})
        .returning(c[columns.id])
    )
    return sorted(bind.execute(stmt).scalars().all())


def insert_missing(
    bind: Session | Connection,
    table: Any,
    rows: Sequence[Mapping[str, Any]],
    *,
    unique: Sequence[str],
) -> int:
    """Insert the rows whose ``unique`` key is not in the table yet; returns how many were new.

    Safe when several robots enqueue the same input at once: ``INSERT … ON CONFLICT DO
    NOTHING`` (PostgreSQL and SQLite) — a row another robot inserted a moment earlier is
    skipped, never duplicated, and no unique-constraint error is raised.
    """
    if not rows:
        return 0
    table = _table(table)
    dialect = _dialect(bind)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - other databases are not supported for the queue
        raise NotImplementedError(f"work queue on {dialect} is not supported")
    stmt = dialect_insert(table).on_conflict_do_nothing(index_elements=list(unique))
    stmt = stmt.returning(table.c[next(iter(table.primary_key.columns)).name])
    inserted = 0
    for start in range(0, len(rows), 500):
        inserted += len(bind.execute(stmt, list(rows[start:start + 500])).all())
    return inserted


class LeaseKeeper:
    """A daemon thread that keeps a process's leases alive while the process lives.

    Every ``interval`` seconds (default a third of the lease) it extends all ``in_progress``
    rows whose owner starts with ``owner_prefix``. It runs beside the robot's own work, so a
    long item (a slow screen, a big download) never loses its lease while its process is
    alive; when the process dies the heartbeats stop and the lease runs out. With
    ``idle_exit`` it ends by itself once it holds nothing and was not touched since the
    previous beat (``keep_leases`` starts a new one at the next claim).
    """

    def __init__(self, engine: Any, table: Any, *, owner_prefix: str, lease_seconds: float,
                 interval: float | None = None, idle_exit: bool = False,
                 columns: LeaseColumns = DEFAULT_COLUMNS):
        self.engine, self.table, self.columns = engine, _table(table), columns
        self.owner = owner_prefix.rstrip("%") + "%"
        self.lease_seconds = lease_seconds
        self.interval = interval or max(0.5, lease_seconds / 3)
        self.idle_exit = idle_exit
        self.beats = 0
        self.exiting = False
        self.touched = True
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="yomikaki-lease-keeper", daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self.exiting

    def beat(self) -> set[Any]:
        with self.engine.begin() as conn:
            held = heartbeat(conn, self.table, owner=self.owner, lease_seconds=self.lease_seconds,
                             columns=self.columns)
        self.beats += 1
        return held

    def _loop(self) -> None:
        import logging

        log = logging.getLogger(__name__)
        while not self._stop.wait(self.interval):
            try:
                held = self.beat()
            except Exception as exc:  # noqa: BLE001 - a database hiccup: try again next beat
                log.warning("lease heartbeat failed: %s", exc)
                continue
            if self.idle_exit:
                with _keepers_lock:
                    if not held and not self.touched:
                        self.exiting = True
                        return
                    self.touched = False


_keepers: dict[tuple, LeaseKeeper] = {}
_keepers_lock = threading.Lock()


def keep_leases(engine: Any, table: Any, *, owner_prefix: str, lease_seconds: float,
                columns: LeaseColumns = DEFAULT_COLUMNS) -> LeaseKeeper:
    """Make sure a :class:`LeaseKeeper` beats for this process's ``owner_prefix``; return it.

    Call it after each claim: it starts the keeper if none runs (one per process, database,
    table and owner prefix); the keeper ends by itself when the process holds nothing.
    """
    import os

    key = (os.getpid(), str(engine.url), _table(table).name, owner_prefix, lease_seconds)
    with _keepers_lock:
        keeper = _keepers.get(key)
        if keeper is not None and keeper.alive:
            keeper.touched = True
            return keeper
        keeper = _keepers[key] = LeaseKeeper(engine, table, owner_prefix=owner_prefix,
                                             lease_seconds=lease_seconds, idle_exit=True, columns=columns)
    return keeper.start()
