"""Cron rules: APScheduler's CronTrigger fields, optionally only on business days.

Cron fires at times, not dates, so only ``adjust: none`` (fire as written) and ``adjust: skip``
(leave out non-business days) make sense; the trigger does the time arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CRON_FIELDS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")


@dataclass(frozen=True)
class CronRule:
    fields: tuple[tuple[str, str], ...] = field(default=())
    adjust: str = "none"
    offset_business_days: int = 0

    def as_kwargs(self) -> dict[str, str]:
        return dict(self.fields)

    def describe(self) -> str:
        text = " ".join(f"{k}={v}" for k, v in self.fields)
        return f"cron({text})" + (" (営業日のみ)" if self.adjust == "skip" else "")
