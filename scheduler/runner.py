"""Run one job: call its scenario / OCR batch / function, then record state, ledger and alerts.

``run_job`` is module-level with plain arguments so APScheduler's job store can pickle the
reference ("scheduler.runner:run_job") and the arguments (the job's spec as plain data).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select

from scheduler import alerts, ledger
from scheduler.state import now_utc, update_state
from yomikaki.db import session_scope
from yomikaki.redaction import redact
from yomikaki.settings import Settings, get_settings

log = logging.getLogger("yomikaki.scheduler.runner")

# job id → start time of runs going on in this process (for graceful shutdown)
RUNNING: dict[str, datetime] = {}
_running_lock = threading.Lock()


@dataclass
class Outcome:
    status: str  # ok | failed_items | error | interrupted
    items_total: int = 0
    items_done: int = 0
    items_failed: int = 0
    message: str = ""
    ledger_id: int | None = None


def job_payload(job, timezone: str) -> dict[str, Any]:
    """The plain data a scheduled run needs (stored pickled in the job store)."""
    baseline = job.manual_minutes_per_item
    return {
        "id": job.id,
        "name": job.name,
        "process": job.process,
        "timezone": timezone,
        "run": job.run.model_dump(mode="json"),
        "manual_minutes_per_item": baseline.minutes if baseline else None,
    }


def _counts(result: Any) -> tuple[int, int, int]:
    """Items total / done / failed from whatever the action returned."""
    if result is None or isinstance(result, bool):
        return 0, 0, 0
    if isinstance(result, int):
        return result, result, 0
    if isinstance(result, list | tuple) and result and not isinstance(result[0], int | float):
        totals = [_counts(r) for r in result]
        return tuple(sum(t[i] for t in totals) for i in range(3))  # type: ignore[return-value]

    def pick(*names: str) -> int | None:
        for name in names:
            value = result.get(name) if isinstance(result, dict) else getattr(result, name, None)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, list | tuple):
                return len(value)
        return None

    statuses = getattr(result, "statuses", None)
    if isinstance(statuses, dict) and isinstance(getattr(result, "pages", None), int):  # ocr.ExtractSummary
        total = result.pages - int(statuses.get("blank", 0))
        done = int(statuses.get("ok", 0))
        return total, done, max(total - done, 0)
    totals = getattr(result, "totals", None)
    if isinstance(totals, dict):  # robots.RunResult
        failed = sum(int(totals.get(k, 0) or 0) for k in ("business_error", "system_error", "in_doubt", "failed"))
        done = int(totals.get("done", 0) or 0)
        return int(totals.get("total", done + failed) or 0), done, failed
    failed = pick("items_failed", "failed", "errors") or 0
    done = pick("items_done", "done", "succeeded", "ok")
    total = pick("items_total", "total", "pages", "count")
    if done is None:
        done = max((total or 0) - failed, 0)
    if total is None:
        total = done + failed
    return total, done, failed


def _accepts(func, name: str) -> bool:
    import inspect

    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _execute(run: dict[str, Any], job_id: str) -> Any:
    if run.get("function"):
        module_name, _, func_name = run["function"].partition(":")
        target = getattr(importlib.import_module(module_name), func_name)
        return target(*run.get("args", []), **run.get("kwargs", {}))
    if run.get("scenario"):
        import robots

        extra = {"job_id": job_id} if _accepts(robots.run_scenario, "job_id") else {}
        return robots.run_scenario(
            Path(run["scenario"]),
            input_path=Path(run["input"]) if run.get("input") else None,
            overrides=run.get("overrides") or {},
            progress=False,
            **extra,
        )
    import ocr

    spec = run["ocr"]
    folder = Path(spec["out"]) if spec.get("out") else get_settings().outputs_dir / "ocr" / job_id
    out = folder / f"rows-{datetime.now():%Y%m%d-%H%M%S}.jsonl"  # one file per run, none overwritten
    return ocr.extract([Path(p) for p in spec["inputs"]], template=spec["template"], out=out, progress=False)


def _max_run_id(settings: Settings) -> int:
    with session_scope(settings) as session:
        return session.scalar(select(func.max(ledger.RunRecord.id))) or 0


def _self_recorded(since_id: int, payload: dict[str, Any], settings: Settings) -> bool:
    """Did the robot / OCR run record itself in the ledger already (no double counting)?"""
    record = ledger.RunRecord
    with session_scope(settings) as session:
        return bool(session.scalar(
            select(func.count()).select_from(record).where(
                record.id > since_id, record.kind.in_(("robot", "ocr")),
                or_(record.job_id == payload["id"], record.process_id == payload["process"]),
            )
        ))


def run_job(payload: dict[str, Any], scheduled_for: str | None = None, trigger: str = "schedule") -> Outcome:
    """Run a job now and record everything. Never raises: errors become an alert."""
    settings = get_settings()
    job_id = payload["id"]
    started = now_utc()
    with _running_lock:
        RUNNING[job_id] = started
    update_state(job_id, settings, last_started_at=started, last_status="running", running_pid=os.getpid())
    log.info("ジョブ開始: %s (%s) [%s]", job_id, payload.get("name", ""), trigger)
    since_id = _max_run_id(settings)
    try:
        result = _execute(payload["run"], job_id)
        total, done, failed = _counts(result)
        outcome = Outcome("failed_items" if failed else "ok", total, done, failed)
        result_status = getattr(result, "status", None)
        if result_status in ("aborted", "interrupted"):
            outcome.status = "error"
            outcome.message = redact(str(getattr(result, "message", "") or result_status))
    except Exception as exc:  # the job's own failure: record it, keep the scheduler alive
        log.exception("ジョブ %s でエラー", job_id)
        outcome = Outcome("error", message=redact(f"{type(exc).__name__}: {exc}"))
    finally:
        with _running_lock:
            RUNNING.pop(job_id, None)
    finish(payload, outcome, started, settings, since_id=since_id, trigger=trigger)
    return outcome


def finish(payload: dict[str, Any], outcome: Outcome, started: datetime, settings: Settings,
           *, since_id: int | None = None, trigger: str = "schedule") -> Outcome:
    """Write the ledger row, the job state and any alert for a finished (or cut off) run."""
    job_id = payload["id"]
    ended = now_utc()
    if since_id is None or not _self_recorded(since_id, payload, settings):
        outcome.ledger_id = ledger.record_run(
            process_id=payload["process"],
            kind="job",
            job_id=job_id,
            started_at=started,
            ended_at=ended,
            status=outcome.status,
            items_total=outcome.items_total,
            items_done=outcome.items_done,
            items_failed=outcome.items_failed,
            manual_minutes_per_item=payload.get("manual_minutes_per_item"),
            run_ref=trigger,
            settings=settings,
        )
    update_state(job_id, settings, last_ended_at=ended, last_status=outcome.status,
                 last_message=outcome.message, running_pid=None)
    name = payload.get("name", "")
    if outcome.status == "error":
        alerts.raise_alert("error", job_id, f"{name}: {outcome.message}", settings=settings)
    elif outcome.status == "failed_items":
        alerts.raise_alert(
            "failed_items", job_id,
            f"{name}: {outcome.items_failed} 件が失敗しました (全 {outcome.items_total} 件)",
            settings=settings,
        )
    elif outcome.status == "interrupted":
        alerts.raise_alert("interrupted", job_id, f"{name}: {outcome.message}", settings=settings)
    log.info("ジョブ終了: %s → %s (完了 %d / 失敗 %d)", job_id, outcome.status,
             outcome.items_done, outcome.items_failed)
    return outcome
