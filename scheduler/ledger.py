"""Hours-saved ledger: every run (scheduled or by hand) and the baseline history per process.

Public API (called by robots, OCR, review import and the scheduler)::

    record_run(process_id=..., kind="robot", started_at=..., ended_at=..., status="ok",
               items_total=10, items_done=9, items_failed=1, manual_minutes_per_item=6.0)
    set_baseline("benefit_registration", 6.0, effective_from=date(2026, 4, 1),
                 measured_by="福祉課 佐藤", sample_size=30)

Gross hours = items done × manual minutes per item. The minutes are the baseline valid on the
run's date (local date in the scheduler's time zone) from the baseline history when the process
has one, else the run's own ``manual_minutes_per_item``. Net hours = gross − reviewer minutes −
exception-handling minutes; exception minutes default to failed items × the process's exception
baseline (which defaults to its manual minutes per item: a failed item is done by hand).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Date, DateTime, Float, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from yomikaki.db import Base, session_scope
from yomikaki.errors import InputError
from yomikaki.settings import Settings, get_settings

KINDS = ("robot", "ocr", "review", "job")
DEFAULT_TIMEZONE = "Asia/Tokyo"


class Baseline(Base):
    """One measurement of the manual minutes per item of a business process."""

    __tablename__ = "hours_baselines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    minutes_per_item: Mapped[float] = mapped_column(Float)
    exception_minutes_per_item: Mapped[float | None] = mapped_column(Float, nullable=True)
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    measured_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    measured_by: Mapped[str] = mapped_column(String(120), default="")
    sample_size: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="manual")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(120), default="")


class Process(Base):
    """Display names of business processes (業務名), filled from the jobs file."""

    __tablename__ = "hours_processes"

    process_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")


class RunRecord(Base):
    """One run of a robot, an OCR batch, a review import or a scheduled job."""

    __tablename__ = "hours_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(120), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    job_id: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    run_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(40))
    items_total: Mapped[int] = mapped_column(Integer, default=0)
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    items_failed: Mapped[int] = mapped_column(Integer, default=0)
    run_manual_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    baseline_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    baseline_source: Mapped[str] = mapped_column(String(20), default="none")
    exception_minutes_given: Mapped[float] = mapped_column(Float, default=0.0)
    exception_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    review_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    gross_hours: Mapped[float] = mapped_column(Float, default=0.0)
    net_hours: Mapped[float] = mapped_column(Float, default=0.0)
    run_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)


@dataclass(frozen=True)
class Savings:
    baseline_minutes: float | None
    baseline_source: str  # "history" | "run" | "none"
    exception_minutes: float
    gross_hours: float
    net_hours: float


def _tz(settings: Settings | None) -> ZoneInfo:
    settings = settings or get_settings()
    return ZoneInfo(getattr(settings.scheduler, "timezone", None) or DEFAULT_TIMEZONE)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar date of ``moment`` in ``tz`` (naive datetimes are taken as already local)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(tz).date()


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def baseline_on(history: list[Baseline], on: date) -> Baseline | None:
    """The baseline valid on ``on``: latest ``effective_from`` <= on (latest recorded wins a tie)."""
    best = None
    for row in history:
        if row.effective_from > on:
            continue
        if best is None or (row.effective_from, row.id or 0) > (best.effective_from, best.id or 0):
            best = row
    return best


def compute_savings(
    *,
    items_done: int,
    items_failed: int,
    run_manual_minutes: float | None,
    exception_minutes_given: float,
    review_minutes: float,
    baseline: Baseline | None,
) -> Savings:
    if baseline is not None:
        minutes, source = baseline.minutes_per_item, "history"
        exception_rate = (
            baseline.exception_minutes_per_item
            if baseline.exception_minutes_per_item is not None
            else baseline.minutes_per_item
        )
    elif run_manual_minutes is not None:
        minutes, source, exception_rate = run_manual_minutes, "run", run_manual_minutes
    else:
        minutes, source, exception_rate = None, "none", 0.0
    if exception_minutes_given:
        exception_minutes = exception_minutes_given
    else:
        exception_minutes = items_failed * exception_rate
    gross = items_done * (minutes or 0.0) / 60.0
    net = gross - (review_minutes + exception_minutes) / 60.0
    return Savings(minutes, source, exception_minutes, gross, net)


def _validate_run(process_id: str, kind: str, items: tuple[int, int, int], started: datetime,
                  ended: datetime) -> None:
    if not process_id:
        raise InputError("process_id が空です (業務プロセスIDを指定してください)")
    if kind not in KINDS:
        raise InputError(f"kind '{kind}' は使えません (使えるもの: {', '.join(KINDS)})")
    total, done, failed = items
    if min(total, done, failed) < 0:
        raise InputError("件数に負の値があります")
    if ended < started:
        raise InputError("ended_at が started_at より前です")


def record_run(
    *,
    process_id: str,
    kind: str,
    job_id: str | None = None,
    started_at: datetime,
    ended_at: datetime,
    status: str,
    items_total: int,
    items_done: int,
    items_failed: int,
    manual_minutes_per_item: float | None,
    exception_minutes: float = 0.0,
    review_minutes: float = 0.0,
    run_ref: str | None = None,
    settings: Settings | None = None,
) -> int:
    """Record one run in the ledger and return its id (see module docstring for the maths)."""
    tz = _tz(settings)
    started_at, ended_at = _aware(started_at, tz), _aware(ended_at, tz)
    _validate_run(process_id, kind, (items_total, items_done, items_failed), started_at, ended_at)
    run_date = local_date(started_at, tz)
    with session_scope(settings) as session:
        history = list(session.scalars(select(Baseline).where(Baseline.process_id == process_id)))
        savings = compute_savings(
            items_done=items_done,
            items_failed=items_failed,
            run_manual_minutes=manual_minutes_per_item,
            exception_minutes_given=float(exception_minutes or 0.0),
            review_minutes=float(review_minutes or 0.0),
            baseline=baseline_on(history, run_date),
        )
        row = RunRecord(
            process_id=process_id,
            kind=kind,
            job_id=job_id,
            started_at=started_at,
            ended_at=ended_at,
            run_date=run_date,
            status=status,
            items_total=items_total,
            items_done=items_done,
            items_failed=items_failed,
            run_manual_minutes=manual_minutes_per_item,
            baseline_minutes=savings.baseline_minutes,
            baseline_source=savings.baseline_source,
            exception_minutes_given=float(exception_minutes or 0.0),
            exception_minutes=savings.exception_minutes,
            review_minutes=float(review_minutes or 0.0),
            gross_hours=savings.gross_hours,
            net_hours=savings.net_hours,
            run_ref=run_ref,
        )
        session.add(row)
        session.flush()
        return row.id


def set_baseline(
    process_id: str,
    minutes_per_item: float,
    effective_from: date,
    measured_by: str,
    sample_size: int,
    measured_on: date | None = None,
    note: str = "",
    settings: Settings | None = None,
    *,
    exception_minutes_per_item: float | None = None,
    source: str = "manual",
) -> int:
    """Add a baseline to the history of ``process_id``; an identical latest entry is not repeated.

    Returns the id of the new (or identical existing) baseline row.
    """
    if not process_id:
        raise InputError("process_id が空です")
    if minutes_per_item is None or minutes_per_item < 0:
        raise InputError(f"{process_id}: 1件あたりの手作業時間 (分) は0以上にしてください")
    if sample_size < 0:
        raise InputError(f"{process_id}: sample_size は0以上にしてください")
    with session_scope(settings) as session:
        same = session.scalars(
            select(Baseline).where(
                Baseline.process_id == process_id, Baseline.effective_from == effective_from
            ).order_by(Baseline.id.desc())
        ).first()
        if (
            same is not None
            and same.minutes_per_item == float(minutes_per_item)
            and same.exception_minutes_per_item == exception_minutes_per_item
            and same.measured_by == measured_by
            and same.sample_size == sample_size
            and same.measured_on == measured_on
        ):
            return same.id
        row = Baseline(
            process_id=process_id,
            minutes_per_item=float(minutes_per_item),
            exception_minutes_per_item=exception_minutes_per_item,
            effective_from=effective_from,
            measured_on=measured_on,
            measured_by=measured_by,
            sample_size=sample_size,
            note=note,
            source=source,
            recorded_at=datetime.now(UTC),
            recorded_by=_actor(),
        )
        session.add(row)
        session.flush()
        return row.id


def set_process_name(process_id: str, name: str, settings: Settings | None = None) -> None:
    with session_scope(settings) as session:
        row = session.get(Process, process_id)
        if row is None:
            session.add(Process(process_id=process_id, name=name))
        elif name and row.name != name:
            row.name = name


def process_names(settings: Settings | None = None) -> dict[str, str]:
    with session_scope(settings) as session:
        return {p.process_id: p.name for p in session.scalars(select(Process))}


def baselines(process_id: str | None = None, settings: Settings | None = None) -> list[Baseline]:
    """The baseline history, oldest effective date first."""
    with session_scope(settings) as session:
        query = select(Baseline).order_by(Baseline.process_id, Baseline.effective_from, Baseline.id)
        if process_id:
            query = query.where(Baseline.process_id == process_id)
        return list(session.scalars(query))


def runs(
    start: date | None = None,
    end: date | None = None,
    settings: Settings | None = None,
) -> list[RunRecord]:
    """Recorded runs whose local start date is in [start, end] (inclusive), oldest first."""
    with session_scope(settings) as session:
        query = select(RunRecord).order_by(RunRecord.run_date, RunRecord.id)
        if start:
            query = query.where(RunRecord.run_date >= start)
        if end:
            query = query.where(RunRecord.run_date <= end)
        return list(session.scalars(query))


def last_run(job_id: str, settings: Settings | None = None) -> RunRecord | None:
    with session_scope(settings) as session:
        return session.scalars(
            select(RunRecord).where(RunRecord.job_id == job_id).order_by(RunRecord.id.desc())
        ).first()


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"
