"""What a step sees while it runs: the page, the item, variables, outputs, dialog plans."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robots.errors import SystemError_
from robots.model import Scenario

log = logging.getLogger("robots")


@dataclass
class DialogPlan:
    action: str  # "accept" | "dismiss"
    message: str | None = None  # regular expression the dialog message must match
    prompt_text: str | None = None


@dataclass
class StepContext:
    scenario: Scenario
    page: Any
    browser_context: Any
    vars: dict[str, Any]
    secrets: dict[str, str]
    item: dict[str, Any] = field(default_factory=dict)
    reference: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    timeout_ms: int = 10_000
    work_dir: Path = Path(".")
    worker: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    dialog_plans: list[DialogPlan] = field(default_factory=list)
    pending_error: Exception | None = None
    server_error: str | None = None
    abort: Any = None  # asyncio.Event set by page events; the running step is cut short
    secret_fill_hook: Any = None  # async callable(fn) that runs fn outside the trace
    lease_guard: Any = None  # callable() raising LeaseLost when another robot took the item over

    # -- templates ---------------------------------------------------------------------------
    def template_context(self) -> dict[str, Any]:
        return {"item": self.item, "vars": self.vars, "secrets": self.secrets,
                "outputs": self.outputs, **self.locals}

    def render(self, value: Any) -> Any:
        from robots.templating import render

        return render(value, self.template_context())

    def render_native(self, value: Any) -> Any:
        from robots.templating import render_native

        return render_native(value, self.template_context())

    def uses_secret(self, raw: Any) -> bool:
        return isinstance(raw, str) and "secrets." in raw or (isinstance(raw, str) and "secrets[" in raw)

    def ensure_lease(self) -> None:
        """Before an action that may submit (click, key press): is the item still ours?"""
        if self.lease_guard is not None and self.reference:
            self.lease_guard()

    # -- failures signalled by page events ----------------------------------------------------
    def raise_pending(self) -> None:
        if self.pending_error is not None:
            error, self.pending_error = self.pending_error, None
            if self.abort is not None:
                self.abort.clear()
            raise error
        if self.server_error is not None:
            message, self.server_error = self.server_error, None
            raise SystemError_(message, code="http")

    def signal(self, error: Exception) -> None:
        """A page event decided the item failed (unexpected dialog, HTTP 500, logged out)."""
        if self.pending_error is None:
            self.pending_error = error
        if self.abort is not None:
            self.abort.set()

    def reset_item(self, item: dict[str, Any], reference: str) -> None:
        self.item = item
        self.reference = reference
        self.outputs = {}
        self.events = []
        self.locals = {}
        self.dialog_plans = []
        self.pending_error = None
        self.server_error = None
        if self.abort is not None:
            self.abort.clear()

    def note(self, message: str, *, level: int = logging.DEBUG, **details: Any) -> None:
        """Record an event in the item's run log; on the console only at ``level`` (a scenario's
        ``log`` step and crash-recovery decisions are INFO, routine events DEBUG)."""
        from yomikaki.redaction import redact

        text = redact(str(message))
        self.events.append({"message": text, **details})
        log.log(level, "[%s] %s", self.reference or "setup", text)
