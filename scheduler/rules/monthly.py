"""Monthly rules: day N, the last day, or the first / last / N-th business day of the month."""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from scheduler.calendar import BusinessCalendar
from scheduler.rules.base import DateRule


def _months_from(start: date, months: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while year < 9999:
        if not months or month in months:
            yield year, month
        month += 1
        if month == 13:
            year, month = year + 1, 1


@dataclass(frozen=True)
class MonthlyRule(DateRule):
    """``day``: 1–31 or -1 (the last day); or ``business_day``: 1 = first, -1 = last, N = N-th."""

    day: int | None = None
    business_day: int | None = None
    months: tuple[int, ...] = ()

    def nominal_dates(self, start: date, calendar: BusinessCalendar) -> Iterator[date]:
        for year, month in _months_from(start, self.months):
            last = _stdcal.monthrange(year, month)[1]
            if self.business_day is not None:
                found = calendar.nth_business_day(year, month, self.business_day)
                if found is None:
                    continue
                candidate = found
            elif self.day == -1:
                candidate = date(year, month, last)
            else:
                if self.day > last:  # the 31st in a 30-day month: the month's last day
                    candidate = date(year, month, last)
                else:
                    candidate = date(year, month, self.day)
            if candidate >= start:
                yield candidate

    def describe(self) -> str:
        months = f"{','.join(map(str, self.months))}月の" if self.months else "毎月"
        if self.business_day is not None:
            n = self.business_day
            what = "最初の営業日" if n == 1 else "最終営業日" if n == -1 else (
                f"第{n}営業日" if n > 0 else f"最後から{-n}番目の営業日"
            )
        elif self.day == -1:
            what = "末日"
        else:
            what = f"{self.day}日"
        return f"{months}{what}{self.adjust_text()}"
