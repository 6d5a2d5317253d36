"""``BusinessDayTrigger``: an APScheduler 3.x trigger that knows the city's business calendar.

It is module-level and holds only plain data (a rule dataclass, a ``CalendarConfig``, a time of
day and a time-zone name), so the SQLAlchemy job store can pickle and unpickle it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from scheduler.calendar import BusinessCalendar, CalendarConfig
from scheduler.rules import CronRule, DateRule, Occurrence

MAX_CRON_STEPS = 5000


class BusinessDayTrigger(BaseTrigger):
    def __init__(
        self,
        rule: DateRule | CronRule,
        calendar: CalendarConfig | None = None,
        at: time = time(0, 0),
        timezone: str = "Asia/Tokyo",
    ):
        self.rule = rule
        self.calendar_config = calendar or CalendarConfig()
        self.at = at
        self.timezone = timezone

    # pickling: keep only the plain data, rebuild caches lazily
    def __getstate__(self) -> dict:
        return {
            "version": 1,
            "rule": self.rule,
            "calendar_config": self.calendar_config,
            "at": self.at,
            "timezone": self.timezone,
        }

    def __setstate__(self, state: dict) -> None:
        self.rule = state["rule"]
        self.calendar_config = state["calendar_config"]
        self.at = state["at"]
        self.timezone = state["timezone"]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def calendar(self) -> BusinessCalendar:
        cached = self.__dict__.get("_calendar")
        if cached is None:
            cached = BusinessCalendar(self.calendar_config)
            self.__dict__["_calendar"] = cached
        return cached

    # -- APScheduler interface -------------------------------------------------------------
    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is not None:
            start = previous_fire_time + timedelta(microseconds=1)
        else:
            start = now
        for fire_time, _ in self.fire_times(start):
            return fire_time
        return None

    def fire_times(self, start: datetime) -> Iterator[tuple[datetime, Occurrence]]:
        """Fire times at or after ``start`` (aware), with the occurrence that explains each."""
        tz = self.tz
        start = start.astimezone(tz) if start.tzinfo else start.replace(tzinfo=tz)
        if isinstance(self.rule, CronRule):
            yield from self._cron_fire_times(start)
            return
        for occurrence in self.rule.occurrences(start.date(), self.calendar):
            fire_time = datetime.combine(occurrence.day, self.at, tzinfo=tz)
            if fire_time >= start:
                yield fire_time, occurrence

    def _cron_fire_times(self, start: datetime) -> Iterator[tuple[datetime, Occurrence]]:
        cron = CronTrigger(timezone=self.tz, **self.rule.as_kwargs())
        previous = None
        now = start
        for _ in range(MAX_CRON_STEPS):
            fire_time = cron.get_next_fire_time(previous, now)
            if fire_time is None:
                return
            day = fire_time.date()
            if self.rule.adjust != "skip" or self.calendar.is_business_day(day):
                yield fire_time, Occurrence(day, day)
            previous = now = fire_time

    def __str__(self) -> str:
        return f"business-day[{self.rule.describe()} {self.at.strftime('%H:%M:%S')} {self.timezone}]"

    def __repr__(self) -> str:
        return f"<BusinessDayTrigger ({self})>"
