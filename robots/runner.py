"""Run a scenario over its input: the driver that reads like a table of contents.

    load scenario → read input → resolve secrets → open the queue (recover crashed items,
    enqueue) → one Chromium, N workers → results workbook + run log → runs table + ledger
"""

from __future__ import annotations

import asyncio
import logging
import secrets as pysecrets
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from robots import queue as q
from robots.inputs import InputRow, load_rows
from robots.loader import load_scenario
from robots.model import Scenario
from robots.results import RunLog, write_workbook
from robots.secrets import resolve_secrets
from robots.templating import render
from yomikaki.errors import InputError, Location
from yomikaki.settings import Settings, get_settings

log = logging.getLogger("robots")


@dataclass
class RunResult:
    run_id: str
    scenario: str
    status: str  # completed / aborted / interrupted / dry_run
    totals: dict[str, int]
    results_path: Path | None = None
    log_path: Path | None = None
    held: list[str] = field(default_factory=list)
    message: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("completed", "dry_run") and not (
            self.totals.get("business_error") or self.totals.get("system_error") or self.totals.get("in_doubt")
        )


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"--set は NAME=VALUE の形で指定してください: {pair!r}")
        name, value = pair.split("=", 1)
        out[name.strip()] = value
    return out


def read_items(scenario: Scenario, input_path: Path | None, variables: dict) -> tuple[list[str], list[InputRow]]:
    spec = scenario.spec.input
    if input_path is None and spec is not None and spec.file:
        candidate = Path(render(spec.file, {"vars": variables}))
        input_path = candidate if candidate.is_absolute() else scenario.path.parent / candidate
    if input_path is None:
        reference = render(spec.reference, {"vars": variables}) if spec and spec.reference else "run"
        return [], [InputRow(1, str(scenario.path), {}, str(reference))]
    return load_rows(Path(input_path), spec)


class Engine:
    def __init__(self, scenario: Scenario, run_id: str, db: Session, settings: Settings, *, variables, secrets,
                 workers: int, headed: bool, slow_mo: int, work_dir: Path, run_log: RunLog, progress=None):
        self.scenario, self.run_id, self.db, self.settings = scenario, run_id, db, settings
        self.vars, self.secrets = variables, secrets
        self.workers, self.headed, self.slow_mo = max(1, workers), headed, slow_mo
        self.work_dir, self.log, self.progress = work_dir, run_log, progress
        self.queue = scenario.queue_name
        run_spec = scenario.spec.settings
        self.max_retries = run_spec.max_retries if run_spec.max_retries is not None else settings.robots.max_retries
        self.max_consecutive = run_spec.max_consecutive_system_errors or settings.robots.max_consecutive_system_errors
        self.timeout_ms = run_spec.timeout_ms or settings.browser.default_timeout_ms
        self.trace = run_spec.trace
        self.lease_seconds = settings.robots.lease_seconds
        self.evidence_root = settings.evidence_dir
        self.stop_requested = False
        self.interrupts = 0
        self.aborted: str | None = None
        self.consecutive_system_errors = 0
        self.finished = 0
        self._pw = None
        self._browser = None
        self._browser_lock: asyncio.Lock | None = None
        self.browser_generation = 0  # +1 each time the browser is (re)started
        self.crashes_counted: set[int] = set()

    def item_finished(self, status: str) -> None:
        self.finished += 1
        if self.progress is not None:
            self.progress(status)

    def request_stop(self) -> None:
        self.interrupts += 1
        if self.interrupts == 1:
            self.stop_requested = True
            log.warning("中断の指示を受けました。処理中の件が終わったら止まります（もう一度で強制終了）")
        else:
            for task in asyncio.all_tasks():
                task.cancel()

    async def run(self) -> None:
        from playwright.async_api import async_playwright

        from robots.worker import Worker

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.request_stop)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (scheduler): stopping is the caller's business
        async with async_playwright() as pw:
            self._pw, self._browser_lock = pw, asyncio.Lock()
            await self.browser()  # Chromium missing: a clear error before any item is claimed
            try:
                workers = [Worker(self, i) for i in range(self.workers)]
                await asyncio.gather(*(w.loop() for w in workers))
            finally:
                if self._browser is not None:
                    await self._browser.close()

    def browser_alive(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def browser(self):
        """The shared Chromium; started again if it crashed (its items fail as system errors and
        are retried in a fresh browser)."""
        from yomikaki.browser import launch_options
        from yomikaki.errors import ExternalToolError

        async with self._browser_lock:
            if self.browser_alive():
                return self._browser
            if self._browser is not None:
                log.warning("ブラウザが止まったため、起動し直します")
                self.log.write("browser_restarted", generation=self.browser_generation + 1)
            options = launch_options(self.settings, headless=not self.headed, slow_mo_ms=self.slow_mo)
            try:
                self._browser = await self._pw.chromium.launch(**options)
            except Exception as exc:  # noqa: BLE001
                raise ExternalToolError(f"Chromium を起動できません: {str(exc).splitlines()[0]}") from exc
            self.browser_generation += 1
            return self._browser


def new_run_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S") + "-" + pysecrets.token_hex(2)


def run_scenario(path: str | Path, *, input_path: str | Path | None = None, overrides: dict | None = None,
                 workers: int = 1, headed: bool = False, slow_mo: int = 0, dry_run: bool = False,
                 retry_failed: bool = False, out: str | Path | None = None, progress: bool = True,
                 settings: Settings | None = None, job_id: str | None = None) -> RunResult:
    """Run ``path`` over its input and return the run's totals (see module docstring)."""
    from yomikaki.db import session_factory
    from yomikaki.paths import private_dir

    settings = settings or get_settings()
    scenario = load_scenario(path)
    variables = {**scenario.spec.vars, **(overrides or {})}
    unknown = [k for k in (overrides or {}) if k not in scenario.spec.vars]
    if unknown:
        raise InputError(f"シナリオにない変数です: {', '.join(unknown)}（vars: {', '.join(scenario.spec.vars)}）",
                         location=Location(str(scenario.path)))
    _, rows = read_items(scenario, Path(input_path) if input_path else None, variables)
    secret_values = resolve_secrets(scenario.spec.site.secrets)  # before any browser starts
    db = session_factory(settings)()
    try:
        if dry_run:
            return _dry_run(scenario, rows, db)
        return _run(scenario, rows, db, settings, variables, secret_values, input_path=input_path, workers=workers,
                    headed=headed, slow_mo=slow_mo, retry_failed=retry_failed, out=out, progress=progress,
                    job_id=job_id, private_dir=private_dir)
    finally:
        db.close()


def _dry_run(scenario: Scenario, rows: list[InputRow], db: Session) -> RunResult:
    existing = {i.reference: i.status for i in q.items_for(db, scenario.queue_name, [r.reference for r in rows])}
    totals = {"total": len(rows), "to_process": 0, "skipped": 0, "held": 0}
    for row in rows:
        status = existing.get(row.reference, "new")
        key = {"new": "to_process", "done": "skipped", "in_doubt": "held", "in_progress": "held"}.get(status, "skipped")
        totals[key] += 1
    return RunResult(run_id="dry-run", scenario=scenario.name, status="dry_run", totals=totals)


def _run(scenario, rows, db, settings, variables, secret_values, *, input_path, workers, headed, slow_mo,
         retry_failed, out, progress, job_id, private_dir) -> RunResult:
    run_id = new_run_id()
    started = datetime.now(UTC)
    work_dir = private_dir(private_dir(settings.outputs_dir) / run_id)
    run_log = RunLog(work_dir / "run.jsonl")
    queue = scenario.queue_name
    db.add(q.RobotRun(id=run_id, scenario=scenario.name, scenario_path=str(Path(scenario.path).resolve()),
                      queue=queue, process_id=scenario.spec.process_id, workers=workers,
                      input_path=str(input_path) if input_path else None, started_at=started,
                      manual_minutes_per_item=scenario.spec.manual_minutes, log_path=str(work_dir / "run.jsonl")))
    db.commit()
    recovered = q.recover_abandoned(db, queue)
    db.commit()
    prior = q.enqueue(db, queue, run_id, [(r.reference, r.data) for r in rows], retry_failed=retry_failed)
    db.commit()
    run_log.write("run_started", run_id=run_id, scenario=scenario.name, items=len(rows), workers=workers,
                  recovered_in_doubt=recovered)
    if recovered:
        log.warning("前回の実行が途中で止まった %d 件を「要確認」にしました: %s", len(recovered), ", ".join(recovered[:10]))
    to_do = sum(1 for r in rows if prior.get(r.reference) == "new" or
                (retry_failed and prior.get(r.reference) in ("business_error", "system_error")) or
                (prior.get(r.reference) == "in_doubt" and scenario.check is not None))
    engine_holder: dict[str, Engine] = {}
    status, message = "completed", None
    with _progress_bar(progress, to_do, scenario.name) as advance:
        engine = Engine(scenario, run_id, db, settings, variables=variables, secrets=secret_values, workers=workers,
                        headed=headed, slow_mo=slow_mo, work_dir=work_dir, run_log=run_log, progress=advance)
        engine_holder["e"] = engine
        try:
            asyncio.run(engine.run())
        except (KeyboardInterrupt, asyncio.CancelledError):
            engine.stop_requested = True
            status, message = "interrupted", "強制終了しました"
    if engine.aborted:
        status, message = "aborted", engine.aborted
    elif engine.stop_requested and status == "completed":
        status, message = "interrupted", "中断しました（未処理の件は次回の実行で続きから処理します）"
    ended = datetime.now(UTC)
    items = {i.reference: i for i in q.items_for(db, queue, [r.reference for r in rows])}
    totals = {"total": len(rows), "done": 0, "skipped": 0, "business_error": 0, "system_error": 0, "in_doubt": 0,
              "pending": 0}
    table = []
    for row in rows:
        item = items.get(row.reference)
        state = item.status if item else "new"
        done_elsewhere = item is not None and item.run_id != run_id  # earlier run, or another robot
        if state == "done" and (prior.get(row.reference) == "done" or done_elsewhere):
            state_key, shown = "skipped", "skipped"
        else:
            state_key = {"new": "pending", "in_progress": "pending"}.get(state, state)
            shown = state
        totals[state_key] += 1
        table.append({"input": row.data, "status": shown, "message": item.error if item else None,
                      "outputs": item.outputs if item else {}, "attempts": item.attempts if item else 0,
                      "evidence": item.evidence if item else None})
    results_path = Path(out) if out else work_dir / "results.xlsx"
    write_workbook(results_path, [], table)
    held = [r.reference for r in rows if items.get(r.reference) is not None and items[r.reference].status == "in_doubt"]
    run = db.get(q.RobotRun, run_id)
    run.status, run.ended_at, run.message = status, ended, message
    run.total, run.done, run.skipped = totals["total"], totals["done"], totals["skipped"]
    run.business_errors, run.system_errors, run.in_doubt = totals["business_error"], totals["system_error"], \
        totals["in_doubt"]
    run.results_path = str(results_path)
    db.commit()
    run_log.write("run_finished", run_id=run_id, status=status, totals=totals, message=message, held=held)
    run_log.close()
    _record_ledger(scenario, run_id, started, ended, status, totals, settings, job_id)
    _audit(scenario, run_id, status, totals, settings)
    return RunResult(run_id=run_id, scenario=scenario.name, status=status, totals=totals, results_path=results_path,
                     log_path=work_dir / "run.jsonl", held=held, message=message, started_at=started, ended_at=ended)


class _progress_bar:
    """A rich progress bar (or nothing) whose ``advance(status)`` the engine calls per item."""

    def __init__(self, enabled: bool, total: int, title: str):
        self.enabled, self.total, self.title = enabled, total, title
        self.progress = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[summary]}"), TimeRemainingColumn(), transient=False)
        self.progress.start()
        self.counts: dict[str, int] = {}
        self.task = self.progress.add_task(self.title, total=self.total, summary="")

        def advance(status: str) -> None:
            self.counts[status] = self.counts.get(status, 0) + 1
            summary = " ".join(f"{q.STATUS_JA.get(k, k)} {v}" for k, v in sorted(self.counts.items()))
            self.progress.update(self.task, advance=0 if status == "new" else 1, summary=summary)

        return advance

    def __exit__(self, *exc):
        if self.progress is not None:
            self.progress.stop()


def _record_ledger(scenario, run_id, started, ended, status, totals, settings, job_id) -> None:
    try:
        from scheduler.ledger import process_names, record_run, set_process_name
    except ImportError:
        return
    failed = totals["business_error"] + totals["system_error"] + totals["in_doubt"]
    ledger_status = {"aborted": "error", "interrupted": "interrupted"}.get(status, "failed_items" if failed else "ok")
    try:
        record_run(process_id=scenario.spec.process_id or scenario.queue_name, kind="robot", job_id=job_id,
                   started_at=started, ended_at=ended, status=ledger_status,
                   items_total=totals["total"], items_done=totals["done"],
                   items_failed=totals["business_error"] + totals["system_error"],  # held: not failed yet
                   manual_minutes_per_item=scenario.spec.manual_minutes, run_ref=run_id, settings=settings)
        process_id = scenario.spec.process_id or scenario.queue_name
        if not process_names(settings).get(process_id):  # a jobs file's 業務名 takes precedence
            set_process_name(process_id, scenario.name, settings)
    except Exception as exc:  # noqa: BLE001 - the ledger must never break a finished run
        log.warning("削減時間の記録に失敗しました: %s", exc)


def _audit(scenario, run_id, status, totals, settings) -> None:
    try:
        from yomikaki.audit import record

        record("robot.run", scenario.name, settings=settings, run_id=run_id, status=status, totals=totals)
    except Exception as exc:  # noqa: BLE001
        log.debug("audit not recorded: %s", exc)
