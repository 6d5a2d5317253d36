"""Weekly rules: on some weekdays (Monday = 0 … Sunday = 6)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.calendar import WEEKDAYS_JA, BusinessCalendar
from scheduler.rules.base import DateRule

WEEKDAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6,
}


def parse_weekday(value: str | int) -> int:
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    key = str(value).strip().lower()[:3]
    if key in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[key]
    key = str(value).strip()[:1]
    if key in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[key]
    raise ValueError(f"'{value}' は曜日ではありません (mon … sun または 月 … 日)")


@dataclass(frozen=True)
class WeeklyRule(DateRule):
    weekdays: tuple[int, ...] = (0,)

    def nominal_dates(self, start: date, calendar: BusinessCalendar) -> Iterator[date]:
        current = start
        while current.year < 9999:
            if current.weekday() in self.weekdays:
                yield current
            current += timedelta(days=1)

    def describe(self) -> str:
        days = "・".join(WEEKDAYS_JA[d] for d in sorted(self.weekdays))
        return f"毎週{days}曜日{self.adjust_text()}"
