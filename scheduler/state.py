"""Scheduler bookkeeping tables: per-job run state and the single-instance lock.

``JobState.last_accounted`` is the latest scheduled fire time that was either submitted or
recorded as missed; on the next start, every fire time after it and before "now" was missed
while the scheduler was down (APScheduler itself forgets them when jobs are re-registered).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yomikaki.db import Base, session_scope
from yomikaki.settings import Settings


class JobState(Base):
    __tablename__ = "scheduler_job_state"

    job_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    last_accounted: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_scheduled_for: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_status: Mapped[str] = mapped_column(String(40), default="")
    last_message: Mapped[str] = mapped_column(Text, default="")
    running_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)


class SchedulerLock(Base):
    """Who holds the scheduler for this database (informational for SQLite, the lock elsewhere)."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(200))
    token: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    jobs_file: Mapped[str] = mapped_column(Text, default="")


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes: they were stored in UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def get_state(job_id: str, settings: Settings | None = None) -> JobState | None:
    with session_scope(settings) as session:
        return session.get(JobState, job_id)


def all_states(settings: Settings | None = None) -> dict[str, JobState]:
    from sqlalchemy import select

    with session_scope(settings) as session:
        return {s.job_id: s for s in session.scalars(select(JobState))}


def update_state(job_id: str, settings: Settings | None = None, **values) -> None:
    """Upsert a job's state; ``last_accounted`` never moves backwards."""
    with session_scope(settings) as session:
        row = session.get(JobState, job_id)
        if row is None:
            row = JobState(job_id=job_id)
            session.add(row)
        accounted = values.pop("last_accounted", None)
        if accounted is not None:
            current = as_utc(row.last_accounted)
            if current is None or as_utc(accounted) > current:
                row.last_accounted = as_utc(accounted)
        for key, value in values.items():
            if isinstance(value, datetime):
                value = as_utc(value)
            setattr(row, key, value)


def now_utc() -> datetime:
    return datetime.now(UTC)
