"""Steps: the registry, the base class and the executor.

A step in YAML is a mapping whose one step-name key holds the parameters (a mapping, or a
scalar for the step's ``shorthand`` parameter); other keys beside it are more parameters
(``then`` / ``else`` of ``if``), plus ``title`` and ``timeout`` (ms) that every step takes::

    - click: {role: button, name: ログイン}
    - goto: "{{ vars.core_url }}/login"
    - if: {visible: {text: 既に申請済みです}}
      then: [{fail: 既に申請済みです}]
"""

from __future__ import annotations

import asyncio
import difflib
import importlib
import logging
import time
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from robots.errors import BusinessError, RobotError, SystemError_
from robots.model import StepCall

COMMON_KEYS = ("title", "timeout")
TIMING = logging.getLogger("robots.timing")
FAMILIES = ("navigation", "input", "assertions", "extraction", "files", "dialogs", "control", "misc")


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class MarkDone(Exception):
    """Raised by ``mark_done`` inside a ``check`` block: the item is already done."""


class Step:
    name: ClassVar[str]
    family: ClassVar[str]
    summary: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel]] = Params
    shorthand: ClassVar[str | None] = None
    blocks: ClassVar[tuple[str, ...]] = ()  # parameters that hold nested step lists

    async def run(self, ctx, call: StepCall) -> None:  # pragma: no cover - interface
        raise NotImplementedError


REGISTRY: dict[str, Step] = {}


def register(cls: type[Step]) -> type[Step]:
    REGISTRY[cls.name] = cls()
    return cls


def load_all() -> dict[str, Step]:
    for family in FAMILIES:
        importlib.import_module(f"robots.steps.{family}")
    return REGISTRY


def suggest(name: str, choices) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"（もしかして '{close[0]}'？）" if close else ""


def lookup(name: str) -> Step:
    steps = load_all()
    if name not in steps:
        raise KeyError(f"'{name}' という名前のステップはありません{suggest(name, steps)}")
    return steps[name]


# -- executor ---------------------------------------------------------------------------------
def describe(call: StepCall) -> str:
    where = f"{call.location.file.rsplit('/', 1)[-1]}:{call.location.line}"
    label = call.title or call.name
    return f"{where} {label}"


async def run_steps(ctx, calls: list[StepCall]) -> None:
    for call in calls:
        await run_call(ctx, call)


async def run_call(ctx, call: StepCall) -> None:
    from playwright.async_api import Error as PlaywrightError

    ctx.raise_pending()
    saved_timeout = ctx.timeout_ms
    if call.timeout_ms:
        ctx.timeout_ms = call.timeout_ms
    started = time.perf_counter()
    try:
        await _run_abortable(ctx, call)
    except (RobotError, MarkDone):
        raise
    except PlaywrightError as exc:
        pending = ctx.pending_error or (SystemError_(ctx.server_error, code="http") if ctx.server_error else None)
        ctx.pending_error, ctx.server_error = None, None
        if pending is not None:
            raise pending from exc
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        code = "timeout" if "Timeout" in type(exc).__name__ or "Timeout" in first else "browser"
        raise SystemError_(f"{describe(call)}: {first}", code=code) from exc
    except Exception as exc:  # noqa: BLE001 - unknown errors are system errors
        raise SystemError_(f"{describe(call)}: {type(exc).__name__}: {exc}", code="exception") from exc
    finally:
        ctx.timeout_ms = saved_timeout
        if TIMING.isEnabledFor(logging.DEBUG):
            TIMING.debug("%s %.3f", describe(call), time.perf_counter() - started)
    ctx.raise_pending()


async def _run_abortable(ctx, call: StepCall) -> None:
    """Run the step, but stop waiting as soon as a page event failed the item (no 10 s timeout)."""
    if ctx.abort is None or call.blocks:  # control steps: their children are abortable themselves
        await call.step.run(ctx, call)
        return
    task = asyncio.ensure_future(call.step.run(ctx, call))
    waiter = asyncio.ensure_future(ctx.abort.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        task.result()
        return
    task.cancel()
    try:
        await task
    except BaseException:  # noqa: BLE001 - the step's own error no longer matters
        pass
    ctx.raise_pending()


__all__ = ["BusinessError", "MarkDone", "Params", "REGISTRY", "Step", "SystemError_", "load_all",
           "lookup", "register", "run_call", "run_steps", "suggest"]
