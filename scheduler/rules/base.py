"""Schedule rules: what date a job runs on, and why a date moved.

Every date rule produces *nominal* dates (the 10th, June 1, the last day of the month, ...).
Each nominal date then goes through two steps, in this order:

1. ``adjust`` when the nominal date is not a business day: ``previous`` (payments:
   その日前において最も近い休日でない日), ``next`` (deadlines), ``skip``, or ``none`` (run anyway);
2. ``offset_business_days``: move ±N business days (``-3`` = three business days before).

Rules are plain picklable data: they live inside the APScheduler trigger in the job store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.calendar import BusinessCalendar, format_day

ADJUSTMENTS = ("previous", "next", "skip", "none")
HORIZON_YEARS = 30


@dataclass(frozen=True)
class Occurrence:
    """One run date; ``nominal`` is the date the rule named, ``why`` says why it moved."""

    day: date
    nominal: date
    why: str | None = None

    @property
    def moved(self) -> bool:
        return self.day != self.nominal

    def describe(self) -> str:
        """``2027-01-04 (月) ← 2027-01-01 元日``"""
        text = format_day(self.day)
        if self.moved or self.why:
            text += f" ← {self.nominal.isoformat()} {self.why or ''}".rstrip()
        return text


@dataclass(frozen=True)
class DateRule(ABC):
    adjust: str = "none"
    offset_business_days: int = 0

    @abstractmethod
    def nominal_dates(self, start: date, calendar: BusinessCalendar) -> Iterator[date]:
        """Nominal dates on or after ``start``, in increasing order (may be endless)."""

    @abstractmethod
    def describe(self) -> str:
        """The rule in plain Japanese, e.g. 毎月10日 (休日なら前営業日)."""

    def margin_days(self) -> int:
        """How far before ``after`` to start looking (a shift may move a date backwards)."""
        return 40 + 2 * abs(self.offset_business_days)

    def apply(self, nominal: date, calendar: BusinessCalendar) -> Occurrence | None:
        day, why = nominal, []
        if not calendar.is_business_day(day):
            reason = calendar.reason(day)
            if self.adjust == "skip":
                return None
            if self.adjust == "previous":
                day = calendar.previous_business_day(day)
                why.append(reason)
            elif self.adjust == "next":
                day = calendar.next_business_day(day)
                why.append(reason)
        if self.offset_business_days:
            n = self.offset_business_days
            day = calendar.add_business_days(day, n)
            why.append(f"{abs(n)}営業日{'前' if n < 0 else '後'}")
        return Occurrence(day, nominal, "、".join(w for w in why if w) or None)

    def occurrences(self, after: date, calendar: BusinessCalendar) -> Iterator[Occurrence]:
        """Run dates on or after ``after``, increasing, without duplicates."""
        start = after - timedelta(days=self.margin_days())
        limit = after.replace(year=min(after.year + HORIZON_YEARS, 9998), day=1)
        last: date | None = None
        for nominal in self.nominal_dates(start, calendar):
            if nominal > limit:
                return
            occurrence = self.apply(nominal, calendar)
            if occurrence is None or occurrence.day < after or occurrence.day == last:
                continue
            last = occurrence.day
            yield occurrence

    def adjust_text(self) -> str:
        text = {
            "previous": "休日なら前営業日",
            "next": "休日なら翌営業日",
            "skip": "休日はとばす",
            "none": "",
        }[self.adjust]
        if self.offset_business_days:
            n = self.offset_business_days
            text = "、".join(t for t in (text, f"その{abs(n)}営業日{'前' if n < 0 else '後'}") if t)
        return f" ({text})" if text else ""
