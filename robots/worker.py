"""One worker = one browser context: opens a session (setup), processes items as transactions.

Outcomes (REFramework): business error → failed, no retry; system error → evidence, context
reset, setup re-run, retry while attempts remain (the queue's ``attempts`` is the one retry
counter); too many consecutive system errors → the run aborts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robots import interrupts
from robots import queue as q
from robots.context import StepContext
from robots.errors import BusinessError, LeaseLost, RobotError, SessionLost, SystemError_
from robots.evidence import capture_failure, item_dir, scrub_zip
from robots.steps.base import MarkDone, run_steps
from robots.steps.dialogs import handle_dialog

log = logging.getLogger("robots")


@dataclass
class Session:
    context: Any
    page: Any
    ctx: StepContext
    tracing: bool = False
    snapshots: bool = False  # the trace records DOM snapshots (a retry, or trace: full)
    chunk_open: bool = False
    parts: list[Path] = field(default_factory=list)


class Worker:
    def __init__(self, engine, index: int):
        self.engine = engine
        self.index = index
        self.owner = q.owner_id(engine.run_id, index)
        self.session: Session | None = None

    # -- session ------------------------------------------------------------------------------
    async def open_session(self, browser) -> Session:
        e = self.engine
        context = await browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", accept_downloads=True,
                                            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(e.timeout_ms)
        page = await context.new_page()
        ctx = StepContext(scenario=e.scenario, page=page, browser_context=context, vars=e.vars, secrets=e.secrets,
                          timeout_ms=e.timeout_ms, work_dir=e.work_dir, worker=self.index)
        session = Session(context, page, ctx)
        ctx.secret_fill_hook = lambda fn: self._untraced(session, fn)

        async def on_dialog(dialog):
            await handle_dialog(ctx, dialog)

        def on_response(response):
            try:
                if response.status >= 500 and response.request.is_navigation_request() \
                        and response.frame == page.main_frame:
                    ctx.signal(SystemError_(f"基幹システムがエラーを返しました (HTTP {response.status})", code="http"))
            except Exception:  # noqa: BLE001 - a detached frame
                pass

        logged_out = re.compile(e.scenario.spec.logged_out_url) if e.scenario.spec.logged_out_url else None

        def on_navigated(frame):
            if logged_out is not None and ctx.reference and frame == page.main_frame \
                    and logged_out.search(frame.url):
                ctx.signal(SessionLost("基幹システムからログアウトされました（セッション切れ）", code="session"))

        ctx.abort = asyncio.Event()
        page.on("dialog", on_dialog)
        page.on("response", on_response)
        page.on("framenavigated", on_navigated)
        for interrupt in e.scenario.interrupts:
            await interrupts.install(page, ctx, interrupt, run_steps)
        ctx.reset_item({}, "")
        try:
            await run_steps(ctx, e.scenario.setup)
        except BaseException:
            await self._close(session)
            raise
        if e.trace != "off":
            await self._start_tracing(session, snapshots=e.trace == "full")
            session.tracing = True
        return session

    @staticmethod
    async def _start_tracing(session: Session, *, snapshots: bool) -> None:
        # DOM snapshots cost about a fifth of the CPU of a registration: by default they are
        # recorded only for the attempts most likely to fail again (retries, checks after a crash)
        await session.context.tracing.start(snapshots=snapshots, screenshots=False, sources=False)
        await session.context.tracing.stop_chunk()  # nothing before the first item is kept
        session.snapshots = snapshots

    async def _trace_detail(self, session: Session, *, retry: bool) -> None:
        """Between items: switch DOM snapshots on for a retry, off again after it."""
        snapshots = self.engine.trace == "full" or retry
        if session.snapshots != snapshots:
            await session.context.tracing.stop()
            await self._start_tracing(session, snapshots=snapshots)

    async def _untraced(self, session: Session, fn) -> None:
        """Run ``fn`` (a secret fill) with the trace stopped, so the value is never recorded."""
        if not session.chunk_open:
            await fn()
            return
        part = self.engine.work_dir / f".trace-w{self.index}-{len(session.parts)}.zip"
        await session.context.tracing.stop_chunk(path=str(part))
        session.parts.append(part)
        session.chunk_open = False
        try:
            await fn()
        finally:
            await session.context.tracing.start_chunk()
            session.chunk_open = True

    async def _close(self, session: Session | None) -> None:
        if session is None:
            return
        try:
            await session.context.close()
        except Exception:  # noqa: BLE001 - already gone
            pass

    async def reset(self) -> None:
        await self._close(self.session)
        self.session = None

    async def teardown(self) -> None:
        if self.session is None:
            return
        if self.engine.scenario.teardown:
            ctx = self.session.ctx
            ctx.reset_item({}, "")
            try:
                await run_steps(ctx, self.engine.scenario.teardown)
            except Exception as exc:  # noqa: BLE001 - teardown problems do not change item results
                log.warning("teardown に失敗しました: %s", exc)
        await self.reset()

    # -- the loop -----------------------------------------------------------------------------
    async def loop(self) -> None:
        e = self.engine
        has_check = e.scenario.check is not None
        statuses = ("new", "in_doubt") if has_check else ("new",)
        last_recovery = time.monotonic()
        try:
            while not e.stop_requested and e.aborted is None:
                if has_check and time.monotonic() - last_recovery > e.lease_seconds:
                    self.recover()
                    last_recovery = time.monotonic()
                item = q.claim(e.db, e.queue, e.run_id, self.owner, e.lease_seconds, statuses)
                if item is None and has_check and self.recover():
                    item = q.claim(e.db, e.queue, e.run_id, self.owner, e.lease_seconds, statuses)
                if item is None:
                    break
                await self.process(item)
        finally:
            await self.teardown()

    def recover(self) -> list[str]:
        """Take over what a robot that died left in progress (its process is gone, or on another
        PC its lease lapsed): those items become in doubt, and the check block decides them."""
        e = self.engine
        found = q.recover_abandoned(e.db, e.queue)
        e.db.commit()
        if found:
            log.warning("止まったロボットの処理中だった %d 件を引き継ぎます（登録済みかを先に確認します）: %s",
                        len(found), ", ".join(found[:10]))
            e.log.write("recovered_in_doubt", references=found, worker=self.index)
        return found

    def lease_guard(self, item_id: int, reference: str):
        def guard() -> None:
            if not q.still_held(self.engine.db, item_id, self.owner):
                raise LeaseLost(f"[{reference}] 別のロボットがこの件を引き継いだため、送信せずに中止しました",
                                code="lease")
        return guard

    async def process(self, item: q.WorkItem) -> None:
        e = self.engine
        started = time.monotonic()
        generation = e.browser_generation
        reference, payload = item.reference, dict(item.payload or {})
        check_first = item.needs_check and e.scenario.check is not None
        check_only = check_first and item.attempts > e.max_retries + 1  # retries used up: only find out
        previous_error = item.error
        e.log.write("item_started", reference=reference, attempt=item.attempts, worker=self.index,
                    check_first=check_first)
        outcome, message, code, outputs, evidence = "done", None, None, {}, None
        session = None
        try:
            try:
                if self.session is None:
                    self.session = await self.open_session(await e.browser())
            except RobotError as exc:
                raise SystemError_(f"setup（ログインなど）に失敗しました: {exc.message}", code="setup") from exc
            session = self.session
            started = time.monotonic()  # item time excludes the session's setup (login)
            ctx = session.ctx
            ctx.reset_item(payload, reference)
            ctx.lease_guard = self.lease_guard(item.id, reference)
            if session.tracing:
                await self._trace_detail(session, retry=item.attempts > 1 or check_first)
                await session.context.tracing.start_chunk(title=reference)
                session.chunk_open = True
            if check_first and await self.check(ctx):
                outputs = dict(ctx.outputs)
                message = "確認の結果、既に登録済みでした"
            elif check_only:
                raise SystemError_(f"{previous_error or 'システムエラー'}（再試行を使い切りました。確認の結果、未登録です）",
                                   code="retries")
            else:
                ctx.outputs = {}
                try:
                    await run_steps(ctx, e.scenario.steps)
                except MarkDone:
                    pass
                outputs = dict(ctx.outputs)
        except asyncio.CancelledError:
            q.finish(e.db, item.id, "in_doubt", error="強制終了されたため結果が分かりません", needs_check=True,
                     owner=self.owner)
            raise
        except LeaseLost as exc:
            await self.give_up(session, item, exc)
            return
        except BusinessError as exc:
            outcome, message, code = "business_error", exc.message, exc.code
        except Exception as exc:  # noqa: BLE001 - anything else is a system error
            outcome, code = "system_error", getattr(exc, "code", None) or "exception"
            message = exc.message if isinstance(exc, RobotError) else f"{type(exc).__name__}: {exc}"
            if session is not None and not isinstance(exc, MarkDone):
                business = await self.business_error_on_screen(session.ctx)
                if business:
                    outcome, message, code = "business_error", business, "screen"
        if session is not None:
            evidence = await self.finish_trace(session, reference, failed=outcome != "done",
                                               attempt=item.attempts)
            if outcome != "done":
                directory = item_dir(e.evidence_root, e.run_id, reference)
                await capture_failure(session.ctx, directory)
                evidence = str(directory)
        duration = time.monotonic() - started
        self.record(item, outcome, message, code, outputs, evidence, duration, generation)
        if outcome == "system_error":
            await self.reset()

    async def check(self, ctx) -> bool:
        """Run the scenario's ``check`` block: True when it reached ``mark_done``."""
        try:
            await run_steps(ctx, self.engine.scenario.check)
        except MarkDone:
            ctx.note("check: 登録済みと判定しました", level=logging.INFO)
            return True
        except BusinessError as exc:
            raise SystemError_(f"登録済みかどうか確認できませんでした: {exc.message}", code="check") from exc
        ctx.note("check: 未登録でした。手順を実行します", level=logging.INFO)
        return False

    async def business_error_on_screen(self, ctx) -> str | None:
        from robots.locators.base import LocatorSpec, resolve

        for raw in self.engine.scenario.spec.business_errors:
            try:
                locator = (await resolve(ctx.page, LocatorSpec.model_validate(raw), ctx.template_context())).first
                if await locator.is_visible():
                    return (await locator.inner_text(timeout=2000)).strip()
            except Exception:  # noqa: BLE001
                continue
        return None

    async def finish_trace(self, session: Session, reference: str, *, failed: bool,
                           attempt: int = 0) -> str | None:
        e = self.engine
        parts, session.parts = session.parts, []
        if not session.tracing or not session.chunk_open:
            for part in parts:
                part.unlink(missing_ok=True)
            return None
        session.chunk_open = False
        try:
            if not failed:
                await session.context.tracing.stop_chunk()
                for part in parts:
                    part.unlink(missing_ok=True)
                return None
            directory = item_dir(e.evidence_root, e.run_id, reference)
            target = directory / f"trace-{attempt}-{int(time.time())}.zip"  # one per failed attempt
            await session.context.tracing.stop_chunk(path=str(target))
            kept = [target]
            for n, part in enumerate(parts):
                moved = directory / f"{target.stem}-part{n}.zip"
                shutil.move(str(part), moved)
                kept.append(moved)
            for path in kept:
                scrub_zip(path)
            return str(directory)
        except Exception as exc:  # noqa: BLE001 - a crashed context cannot give its trace
            log.debug("trace not saved: %s", exc)
            return None

    async def give_up(self, session: Session | None, item, exc: LeaseLost) -> None:
        """Another robot holds the item now: leave it to that robot, record nothing here."""
        log.warning("%s", exc.message)
        self.engine.log.write("item_given_up", reference=item.reference, attempt=item.attempts,
                              message=exc.message, worker=self.index)
        if session is not None:
            await self.finish_trace(session, item.reference, failed=False)
        await self.reset()  # the screen is mid-form: start the next item from a fresh session

    def record(self, item, outcome, message, code, outputs, evidence, duration, generation: int = 0) -> None:
        e = self.engine
        retry = unknown = False
        has_check = e.scenario.check is not None
        if outcome == "system_error":
            # a browser crash fails the items of every worker at once: it counts as one error
            if not e.browser_alive():
                first = generation not in e.crashes_counted
                e.crashes_counted.add(generation)
            else:
                first = True
            e.consecutive_system_errors += int(first)
            if e.consecutive_system_errors >= e.max_consecutive:
                e.aborted = f"システムエラーが {e.consecutive_system_errors} 件続いたため停止しました（最後: {message}）"
            retry = item.attempts <= e.max_retries  # picked up again now, or by the next run
            if not retry and has_check:
                if item.attempts == e.max_retries + 1:
                    # the last attempt may have failed after the core system committed: one more
                    # pass that only runs the check block decides done or system error
                    retry = True
                elif code != "retries":
                    unknown = True  # even the check could not tell: hold it for a person / next run
        else:
            e.consecutive_system_errors = 0
        needs_check = has_check and outcome == "system_error" and (retry or unknown)
        status = "new" if retry else ("in_doubt" if unknown else outcome)
        if not q.finish(e.db, item.id, status, outputs=outputs, error=message, error_code=code, evidence=evidence,
                        needs_check=needs_check, duration_s=duration, owner=self.owner):
            # the lease lapsed and another robot took the item over: its check decides
            log.warning("[%s] 別のロボットが引き継いだため、この結果（%s）は記録しません", item.reference, outcome)
            e.log.write("item_given_up", reference=item.reference, outcome=outcome, attempt=item.attempts,
                        message=message, outputs=outputs, worker=self.index)
            return
        notes = list(self.session.ctx.events) if self.session is not None else []
        e.log.write("item_finished", reference=item.reference, outcome=outcome, retry=retry, attempt=item.attempts,
                    message=message, code=code, outputs=outputs, evidence=evidence, seconds=round(duration, 3),
                    worker=self.index, **({"notes": notes} if notes else {}))
        if retry:
            log.warning("[%s] システムエラー（%d 回目）: %s — 再試行します", item.reference, item.attempts, message)
        elif outcome != "done":
            log.warning("[%s] %s: %s", item.reference, q.STATUS_JA[outcome], message)
        e.item_finished(status)
