"""The durable work queue and the runs table (SQLAlchemy, on ``yomikaki.db.Base``).

One ``WorkItem`` per (queue, reference) — the unique reference is the duplicate guard.
Statuses::

    new ──claim──▶ in_progress ──▶ done
     ▲                 │ ├──────▶ business_error   (not retried)
     └──── retry ──────┘ └──────▶ system_error     (retries used up)
    in_progress left by a dead runner ──▶ in_doubt ──(check block)──▶ done / new
                                                   └─(no check)──▶ held for a person

``claim()`` is the one function that hands items to workers: ``yomikaki.dbqueue.claim_next``
(one UPDATE … RETURNING; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, where several robot PCs
share the queue), with a lease kept alive by a heartbeat thread.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Text, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from yomikaki.db import Base
from yomikaki.dbqueue import claim_next, expire_leases, holds, insert_missing, keep_leases
from yomikaki.procs import pid_alive

STATUSES = ("new", "in_progress", "done", "business_error", "system_error", "in_doubt")
STATUS_JA = {
    "new": "未処理", "in_progress": "処理中", "done": "完了", "business_error": "業務エラー",
    "system_error": "システムエラー", "in_doubt": "要確認（結果不明）", "skipped": "完了（前回まで）",
}


def now() -> datetime:
    return datetime.now(UTC)


def owner_id(run_id: str, worker: int) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{run_id}:{worker}"


class WorkItem(Base):
    __tablename__ = "robot_work_items"
    __table_args__ = (UniqueConstraint("queue", "reference", name="uq_robot_item_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    queue: Mapped[str] = mapped_column(String(200), index=True)
    reference: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    needs_check: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    outputs: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    run_id: Mapped[str | None] = mapped_column(String(40), index=True, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(300), nullable=True)
    lease_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class RobotRun(Base):
    __tablename__ = "robot_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(300))
    scenario_path: Mapped[str] = mapped_column(Text)
    queue: Mapped[str] = mapped_column(String(200), index=True)
    process_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    input_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running/completed/aborted/interrupted
    workers: Mapped[int] = mapped_column(Integer, default=1)
    host: Mapped[str] = mapped_column(String(200), default=socket.gethostname)
    pid: Mapped[int] = mapped_column(Integer, default=os.getpid)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    business_errors: Mapped[int] = mapped_column(Integer, default=0)
    system_errors: Mapped[int] = mapped_column(Integer, default=0)
    in_doubt: Mapped[int] = mapped_column(Integer, default=0)
    manual_minutes_per_item: Mapped[float | None] = mapped_column(Float, nullable=True)
    results_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    log_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    message: Mapped[str | None] = mapped_column(Text, nullable=True)


# -- operations (each one short transaction) ------------------------------------------------
def enqueue(session: Session, queue: str, run_id: str, rows: list[tuple[str, dict]], *,
            retry_failed: bool = False) -> dict[str, str]:
    """Add new references, attach this run to the eligible ones; return reference → prior status."""
    existing = {item.reference: item for item in session.scalars(select(WorkItem).where(WorkItem.queue == queue))}
    prior: dict[str, str] = {}
    stamp = now()
    missing: list[dict] = []
    for reference, payload in rows:
        item = existing.get(reference)
        if item is None:
            missing.append({"queue": queue, "reference": reference, "status": "new", "payload": payload,
                            "run_id": run_id, "created_at": stamp, "updated_at": stamp})
            prior[reference] = "new"
            continue
        prior[reference] = item.status
        if item.status == "new" or (retry_failed and item.status in ("business_error", "system_error")):
            item.status, item.run_id, item.payload, item.updated_at = "new", run_id, payload, stamp
            if prior[reference] != "new":
                item.attempts = 0
                item.error = item.error_code = None
                item.needs_check = prior[reference] == "system_error"
        elif item.status == "in_doubt":
            item.run_id = run_id
    # robots starting together on the same input: a reference another one inserted is skipped
    insert_missing(session, WorkItem, missing, unique=["queue", "reference"])
    return prior


def recover_abandoned(session: Session, queue: str) -> list[str]:
    """Items left in progress by a runner that died become in_doubt. Returns their references.

    Robots still running call this too, so each change is a conditional UPDATE: a heartbeat or
    a finish that lands between the look and the write wins, and a live robot's item is never
    taken from it.
    """
    host = socket.gethostname()
    stamp = now()
    values = {"needs_check": True, "updated_at": stamp, "error": "実行が途中で止まったため結果が分かりません"}
    taken: list[int] = []
    elsewhere: list[int] = []
    rows = session.execute(select(WorkItem.id, WorkItem.lease_owner).where(
        WorkItem.queue == queue, WorkItem.status == "in_progress")).all()
    for item_id, lease_owner in rows:
        owner = (lease_owner or "::").split(":")
        if owner[0] != host or not owner[1].isdigit():  # another machine (or unknown): the lease tells
            elsewhere.append(item_id)
        elif not pid_alive(int(owner[1])):  # this machine: the owner's process tells
            taken += session.execute(
                update(WorkItem)
                .where(WorkItem.id == item_id, WorkItem.status == "in_progress", WorkItem.lease_owner == lease_owner)
                .values(status="in_doubt", lease_owner=None, lease_expires=None, **values)
                .returning(WorkItem.id)
            ).scalars().all()
    if elsewhere:
        taken += expire_leases(session, WorkItem, now=stamp, where=[WorkItem.id.in_(elsewhere)], values=values)
    if not taken:
        return []
    references = dict(session.execute(select(WorkItem.id, WorkItem.reference).where(WorkItem.id.in_(taken))).all())
    return [references[i] for i in sorted(taken)]


def claim(session: Session, queue: str, run_id: str, owner: str, lease_seconds: int,
          statuses: tuple[str, ...] = ("new",)) -> WorkItem | None:
    """Give the next item of this run — or of a robot working the same queue — to ``owner``.

    Status → in_progress, attempts + 1, a lease kept alive by a heartbeat thread while this
    process lives. One UPDATE … RETURNING (PostgreSQL: ``FOR UPDATE SKIP LOCKED``), see
    yomikaki/dbqueue.py; robots on several PCs share the queue through ``robot_runs`` rows
    still ``running``.
    """
    stamp = now()
    sharing = select(RobotRun.id).where(RobotRun.queue == queue, RobotRun.status == "running")
    claimed = claim_next(
        session, WorkItem, owner=owner, lease_seconds=lease_seconds, now=stamp, statuses=statuses,
        where=[WorkItem.queue == queue, (WorkItem.run_id == run_id) | WorkItem.run_id.in_(sharing)],
        values={"attempts": WorkItem.attempts + 1, "run_id": run_id, "started_at": stamp, "updated_at": stamp},
    )
    session.commit()
    if claimed is None:
        return None
    keep_leases(session.get_bind(), WorkItem, owner_prefix=f"{socket.gethostname()}:{os.getpid()}:",
                lease_seconds=lease_seconds)
    return session.get(WorkItem, claimed.id, populate_existing=True)


def finish(session: Session, item_id: int, status: str, *, outputs: dict | None = None, error: str | None = None,
           error_code: str | None = None, evidence: str | None = None, needs_check: bool = False,
           duration_s: float | None = None, owner: str | None = None) -> bool:
    """Record an item's result and release its lease. With ``owner``, only while that robot
    still holds the item: False (nothing written) when another robot took it over meanwhile."""
    values: dict[str, Any] = {"status": status, "updated_at": now(), "lease_owner": None, "lease_expires": None,
                              "needs_check": needs_check, "error": error, "error_code": error_code}
    if outputs is not None:
        values["outputs"] = outputs
    if evidence is not None:
        values["evidence"] = evidence
    if status in ("done", "business_error", "system_error"):
        values["finished_at"] = now()
    if duration_s is not None:
        values["duration_s"] = duration_s
    where = [WorkItem.id == item_id]
    if owner is not None:
        where += [WorkItem.lease_owner == owner, WorkItem.status == "in_progress"]
    written = session.execute(update(WorkItem).where(*where).values(**values).returning(WorkItem.id)).first()
    session.commit()
    return written is not None


def still_held(session: Session, item_id: int, owner: str) -> bool:
    """True while ``owner`` holds an unexpired lease on the item (checked before submitting)."""
    held = holds(session, WorkItem, item_id, owner=owner)
    session.commit()  # end the read transaction: SQLite must not keep a snapshot open
    return held


def items_for(session: Session, queue: str, references: list[str]) -> list[WorkItem]:
    wanted = set(references)
    rows = session.scalars(select(WorkItem).where(WorkItem.queue == queue)).all()
    by_ref = {r.reference: r for r in rows if r.reference in wanted}
    return [by_ref[r] for r in references if r in by_ref]


def held_items(session: Session, queue: str) -> list[WorkItem]:
    return list(session.scalars(select(WorkItem).where(WorkItem.queue == queue, WorkItem.status == "in_doubt")))
