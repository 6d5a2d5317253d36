"""Parameter models shared by steps that act on a located element."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from robots.locators.base import KIND_KEYS, LocatorSpec, resolve


class Target(LocatorSpec):
    """Step parameters that include exactly one locator kind."""


class OptionalTarget(LocatorSpec):
    """Step parameters where the locator may be left out (e.g. ``press`` on the page)."""

    @model_validator(mode="after")
    def _one_kind(self):  # overrides the parent check: no kind is fine
        present = [k for k in KIND_KEYS if getattr(self, k) is not None]
        if len(present) > 1:
            raise ValueError(f"ロケーターの種類は 1 つだけにしてください（{', '.join(present)}）")
        return self

    @property
    def has_locator(self) -> bool:
        return any(getattr(self, k) is not None for k in KIND_KEYS)


async def locate(ctx, params: Any, *, settle: bool = True):
    return await resolve(ctx.page, params, ctx.template_context(), timeout_ms=ctx.timeout_ms, settle=settle)
