"""Yearly rules: a month and day (June 1, ...)."""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from scheduler.calendar import BusinessCalendar
from scheduler.rules.base import DateRule


@dataclass(frozen=True)
class YearlyRule(DateRule):
    month: int = 1
    day: int = 1

    def margin_days(self) -> int:
        return 370 + 2 * abs(self.offset_business_days)

    def nominal_dates(self, start: date, calendar: BusinessCalendar) -> Iterator[date]:
        for year in range(start.year, 9999):
            last = _stdcal.monthrange(year, self.month)[1]
            candidate = date(year, self.month, min(self.day, last))  # Feb 29 → Feb 28
            if candidate >= start:
                yield candidate

    def describe(self) -> str:
        return f"毎年{self.month}月{self.day}日{self.adjust_text()}"
