"""The scheduler service: APScheduler 3.11 BlockingScheduler on the project database.

Start-up, in order (reads like a table of contents)::

    load_jobs → acquire_lock → sync_baselines → build_scheduler → register_jobs
    (catch up missed runs) → add_listeners → install_signal_handlers → scheduler.start()

The YAML jobs file is the source of truth: every job is re-registered at each start with a
stable id (``replace_existing``), so a lost or unreadable job-store row never drops a job,
and jobs no longer in the file (or disabled) are removed.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, text

from scheduler import alerts, ledger, runner
from scheduler.calendar import confirmed_until
from scheduler.jobs_file import LoadedJobs, load_jobs
from scheduler.lock import InstanceLock
from scheduler.state import as_utc, get_state, now_utc, update_state
from yomikaki.db import get_engine, init_db
from yomikaki.procs import pid_alive
from yomikaki.settings import Settings, get_settings

log = logging.getLogger("yomikaki.scheduler")
JOBS_TABLE = "apscheduler_jobs"
RUN_JOB_REF = "scheduler.runner:run_job"


@dataclass
class CatchUp:
    """What start-up decided for a job's fire times missed while the scheduler was down."""

    run_now: datetime | None = None
    missed: list[datetime] = field(default_factory=list)


def grace_seconds(job, settings: Settings) -> int:
    return job.misfire_grace if job.misfire_grace is not None else settings.scheduler.default_misfire_grace_seconds


def sync_baselines(loaded: LoadedJobs, settings: Settings) -> None:
    """Jobs-file baselines and names flow into the ledger's history (idempotent)."""
    for job in loaded.jobs:
        ledger.set_process_name(job.process, job.name, settings)
        baseline = job.manual_minutes_per_item
        if baseline is not None:
            ledger.set_baseline(
                job.process,
                baseline.minutes,
                effective_from=baseline.effective,
                measured_by=baseline.measured_by,
                sample_size=baseline.sample_size,
                measured_on=baseline.measured_on,
                settings=settings,
                exception_minutes_per_item=baseline.exception_minutes,
                source=f"jobs:{loaded.path.name}:{job.id}",
            )


def horizon_warnings(loaded: LoadedJobs, today: datetime) -> list[str]:
    """Jobs whose next run falls in a year whose national holidays are not yet official."""
    limit = confirmed_until(today.date())
    warnings = []
    for job in loaded.jobs:
        if not job.enabled:
            continue
        for fire_time, _ in loaded.trigger(job).fire_times(today):
            if fire_time.year > limit:
                warnings.append(
                    f"{job.id}: 次回 {fire_time:%Y-%m-%d} は国民の祝日が未確定の年 ({fire_time.year}年) です。"
                    f"官報で確定後 (前年2月) にカレンダーを確認してください"
                )
            break
    return warnings


def plan_catch_up(job, loaded: LoadedJobs, settings: Settings, now: datetime) -> CatchUp:
    """Fire times after the job's last accounted one and up to ``now`` were missed while down."""
    state = get_state(job.id, settings)
    last = as_utc(state.last_accounted) if state else None
    if last is None:
        return CatchUp()
    missed = []
    for fire_time, _ in loaded.trigger(job).fire_times(last + timedelta(microseconds=1)):
        if fire_time > now:
            break
        missed.append(fire_time)
        if len(missed) > 1000:
            break
    grace = grace_seconds(job, settings)
    beyond = [t for t in missed if (now - t).total_seconds() > grace]
    within = [t for t in missed if (now - t).total_seconds() <= grace]
    # within the grace: coalesced into one run for the latest fire time
    return CatchUp(run_now=within[-1] if within else None, missed=beyond)


def record_missed(job, fire_times: list[datetime], settings: Settings, why: str, *, set_status: bool = True) -> None:
    tz = ZoneInfo(settings.scheduler.timezone)
    if len(fire_times) > 3:  # one alert for a long outage, not one per fire time
        first, last = (t.astimezone(tz) for t in (fire_times[0], fire_times[-1]))
        alerts.raise_alert(
            "missed", job.id,
            f"{job.name}: {first:%Y-%m-%d %H:%M} 〜 {last:%Y-%m-%d %H:%M} の {len(fire_times)} 回の実行が"
            f"行われませんでした ({why})",
            scheduled_for=fire_times[-1], settings=settings,
        )
    else:
        for fire_time in fire_times:
            local = fire_time.astimezone(tz)
            alerts.raise_alert(
                "missed", job.id, f"{job.name}: {local:%Y-%m-%d %H:%M} の実行が行われませんでした ({why})",
                scheduled_for=fire_time, settings=settings,
            )
    if fire_times and set_status:
        update_state(job.id, settings, last_accounted=fire_times[-1], last_status="missed",
                     last_scheduled_for=fire_times[-1])
    elif fire_times:  # the job is still running: keep its "running" state
        update_state(job.id, settings, last_accounted=fire_times[-1])


def recover_cut_off_run(job, settings: Settings) -> bool:
    """A run left "running" by a scheduler that died (SIGKILL, power loss) gets an alert."""
    state = get_state(job.id, settings)
    if state is None or state.last_status != "running":
        return False
    if state.running_pid and state.running_pid != os.getpid() and pid_alive(state.running_pid):
        return False  # e.g. a `schedule run-now` still going on
    started = as_utc(state.last_started_at)
    local = started.astimezone(ZoneInfo(settings.scheduler.timezone)) if started else None
    update_state(job.id, settings, last_status="interrupted", running_pid=None, last_ended_at=now_utc(),
                 last_message="終了が記録されないまま止まりました")
    alerts.raise_alert(
        "interrupted", job.id,
        f"{job.name}: {local:%Y-%m-%d %H:%M} に始まった実行は、スケジューラが止まったため終了が記録されていません。"
        "結果を確認し、必要なら schedule run-now で再実行してください" if local else
        f"{job.name}: 前回の実行の終了が記録されていません",
        settings=settings,
    )
    return True


def stored_job_ids(settings: Settings) -> list[str]:
    """Ids in the job store, read without unpickling (a corrupt row must not hide its id)."""
    engine = get_engine(settings)
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, JOBS_TABLE):
            return []
        return [row[0] for row in conn.execute(text(f"SELECT id FROM {JOBS_TABLE}"))]


def stored_next_run_times(settings: Settings) -> dict[str, datetime | None]:
    engine = get_engine(settings)
    with engine.connect() as conn:
        if not engine.dialect.has_table(conn, JOBS_TABLE):
            return {}
        rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}"))
        return {
            r[0]: (datetime.fromtimestamp(r[1], tz=ZoneInfo("UTC")) if r[1] is not None else None)
            for r in rows
        }


def remove_stale_rows(loaded: LoadedJobs, settings: Settings) -> list[str]:
    wanted = {j.id for j in loaded.jobs if j.enabled}
    stale = [job_id for job_id in stored_job_ids(settings) if job_id not in wanted]
    if stale:
        from sqlalchemy import Column, MetaData, String, Table

        table = Table(JOBS_TABLE, MetaData(), Column("id", String(191), primary_key=True))
        with get_engine(settings).begin() as conn:
            conn.execute(delete(table).where(table.c.id.in_(stale)))
        log.info("ジョブ定義にない/無効なジョブを削除しました: %s", ", ".join(stale))
    return stale


def build_scheduler(loaded: LoadedJobs, settings: Settings):
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler

    store = SQLAlchemyJobStore(engine=get_engine(settings), tablename=JOBS_TABLE)
    workers = max(2, min(10, len(loaded.jobs)))
    return BlockingScheduler(
        jobstores={"default": store},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.scheduler.default_misfire_grace_seconds,
        },
        timezone=ZoneInfo(loaded.timezone),
    )


def register_jobs(scheduler, loaded: LoadedJobs, settings: Settings, now: datetime) -> None:
    for job in loaded.jobs:
        if not job.enabled:
            continue
        recover_cut_off_run(job, settings)
        plan = plan_catch_up(job, loaded, settings, now)
        record_missed(job, plan.missed, settings, "停止中で猶予時間を過ぎました")
        options = {}
        if plan.run_now is not None:
            options["next_run_time"] = plan.run_now
            log.info("%s: 停止中に来た %s の実行を今から1回行います", job.id, plan.run_now)
        else:
            update_state(job.id, settings, last_accounted=now)
        scheduler.add_job(
            RUN_JOB_REF,
            trigger=loaded.trigger(job),
            id=job.id,
            name=job.name,
            args=[runner.job_payload(job, loaded.timezone)],
            misfire_grace_time=grace_seconds(job, settings),
            replace_existing=True,
            **options,
        )


def add_listeners(scheduler, loaded: LoadedJobs, settings: Settings) -> None:
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED

    jobs = {j.id: j for j in loaded.jobs}

    def on_event(event) -> None:
        job = jobs.get(event.job_id)
        if job is None:
            return
        try:
            if event.code == EVENT_JOB_SUBMITTED:
                latest = max(event.scheduled_run_times)
                update_state(job.id, settings, last_accounted=latest, last_scheduled_for=latest)
            elif event.code == EVENT_JOB_MISSED:
                record_missed(job, [event.scheduled_run_time], settings, "猶予時間を過ぎました")
            elif event.code == EVENT_JOB_MAX_INSTANCES:
                record_missed(job, list(event.scheduled_run_times), settings, "前回の実行がまだ終わっていません",
                              set_status=False)
        except Exception:
            log.exception("ジョブの記録に失敗しました: %s", event.job_id)

    scheduler.add_listener(on_event, EVENT_JOB_SUBMITTED | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)


class Service:
    """One running scheduler; ``run()`` blocks until SIGTERM / Ctrl-C."""

    def __init__(self, jobs_path: Path, settings: Settings | None = None, *, standby: bool = False,
                 clock: Callable[[], datetime] = now_utc):
        self.jobs_path = Path(jobs_path)
        self.settings = settings or get_settings()
        self.standby = standby
        self.clock = clock
        self.scheduler = None
        self.lock: InstanceLock | None = None
        self._stopping = threading.Event()
        self._started = threading.Event()
        self.cut_off = False

    def run(self) -> int:
        from apscheduler.events import EVENT_SCHEDULER_STARTED

        loaded = load_jobs(self.jobs_path)
        for warning in loaded.warnings:
            log.warning(warning)
        init_db(self.settings)
        self.lock = InstanceLock(self.settings, str(self.jobs_path))
        self.lock.acquire(wait=self.standby)
        try:
            loaded = load_jobs(self.jobs_path)  # a standby may have waited long: re-read
            sync_baselines(loaded, self.settings)
            for warning in horizon_warnings(loaded, self.clock()):
                log.warning(warning)
            self.scheduler = build_scheduler(loaded, self.settings)
            remove_stale_rows(loaded, self.settings)
            register_jobs(self.scheduler, loaded, self.settings, self.clock())
            add_listeners(self.scheduler, loaded, self.settings)
            self._install_signal_handlers()
            threading.Thread(target=self._watch_lock, daemon=True).start()
            count = sum(j.enabled for j in loaded.jobs)
            self.scheduler.add_listener(lambda _event: self._on_started(count, loaded.path), EVENT_SCHEDULER_STARTED)
            self.scheduler.start()
        finally:
            self.lock.release()
        log.info("スケジューラを停止しました")
        print("スケジューラを停止しました", flush=True)
        return 0

    def _on_started(self, count: int, path: Path) -> None:
        log.info("スケジューラを開始しました (pid %d, ジョブ %d 件, %s)", os.getpid(), count, path)
        print(f"スケジューラを開始しました (pid {os.getpid()})", flush=True)
        self._started.set()

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, _frame) -> None:
        if self._stopping.is_set():
            return
        log.info("停止の合図 (%s) を受けました: 新しい実行は始めません", signal.Signals(signum).name)
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        threading.Thread(target=self._drain, name="scheduler-drain", daemon=True).start()

    def _watch_lock(self) -> None:
        while not self._stopping.is_set():
            if self.lock and self.lock.lost.wait(5):
                self.stop()
                return

    def _drain(self) -> None:
        """Let running jobs finish up to the grace limit, record the rest as interrupted."""
        from apscheduler.schedulers import SchedulerNotRunningError

        self._started.wait(60)  # a signal during start-up: stop once started
        self.scheduler.pause()
        limit = self.settings.scheduler.shutdown_grace_seconds
        deadline = time.monotonic() + limit
        while runner.RUNNING and time.monotonic() < deadline:
            time.sleep(0.2)
        still = dict(runner.RUNNING)
        for job_id, started in still.items():
            self.cut_off = True
            payload = self._payload(job_id)
            runner.finish(payload, runner.Outcome(
                "interrupted", message=f"停止猶予 {limit} 秒を過ぎたため中断しました"),
                started, self.settings)
        try:
            self.scheduler.shutdown(wait=False)
        except SchedulerNotRunningError:
            pass
        if still:
            logging.shutdown()
            os._exit(0)  # worker threads cannot be stopped; the outcome is recorded

    def _payload(self, job_id: str) -> dict:
        for job in self.scheduler.get_jobs():
            if job.id == job_id:
                return job.args[0]
        return {"id": job_id, "name": "", "process": job_id}


def last_ledger_runs(settings: Settings) -> dict[str, ledger.RunRecord]:
    from yomikaki.db import session_scope

    with session_scope(settings) as session:
        rows = session.scalars(select(ledger.RunRecord).where(ledger.RunRecord.job_id.is_not(None))
                               .order_by(ledger.RunRecord.id))
        return {r.job_id: r for r in rows}
