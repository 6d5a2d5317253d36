"""The city's business calendar: national holidays, closure days, local holidays, excluded dates.

A day is a business day unless it is a Saturday or Sunday, a national holiday (jpholiday),
a closure day (default Dec 29 – Jan 3, set by each city's ordinance), a local holiday, or an
extra excluded date (from a CSV with an ``ExcludedDate`` column, YYYY-MM-DD).

``CalendarConfig`` is plain data (it is pickled inside the APScheduler trigger); build a
``BusinessCalendar`` from it with ``BusinessCalendar(config)``.
"""

from __future__ import annotations

import calendar as _stdcal
import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import jpholiday

from yomikaki.errors import InputError, Location, ValidationFailed

WEEKDAYS_JA = "月火水木金土日"
CLOSURE_NAME = "年末年始休業"
EXCLUDED_NAME = "除外日"


@dataclass(frozen=True)
class ClosurePeriod:
    """A yearly closure from ``start`` to ``end`` as (month, day); may wrap the new year."""

    start: tuple[int, int] = (12, 29)
    end: tuple[int, int] = (1, 3)
    name: str = CLOSURE_NAME

    def contains(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


@dataclass(frozen=True)
class CalendarConfig:
    national_holidays: bool = True
    closures: tuple[ClosurePeriod, ...] = (ClosurePeriod(),)
    # local holidays: yearly ones as ((month, day), name), one-off ones as (date, name)
    yearly_holidays: tuple[tuple[tuple[int, int], str], ...] = ()
    dated_holidays: tuple[tuple[date, str], ...] = ()
    excluded: tuple[tuple[date, str], ...] = field(default=())


@lru_cache(maxsize=256)
def national_holidays(year: int) -> dict[date, str]:
    """The year's national holidays from jpholiday (slow to compute: cached per process)."""
    return dict(jpholiday.year_holidays(year))


def weekday_ja(day: date) -> str:
    return WEEKDAYS_JA[day.weekday()]


def format_day(day: date) -> str:
    """``2027-01-04 (月)``"""
    return f"{day.isoformat()} ({weekday_ja(day)})"


def confirmed_until(today: date) -> int:
    """The last year whose national holidays are officially fixed on ``today``.

    The spring and autumn equinox days of year Y are announced in the official gazette at the
    beginning of February of year Y-1; before that, only the current year is certain.
    """
    return today.year + 1 if today.month >= 2 else today.year


class BusinessCalendar:
    def __init__(self, config: CalendarConfig | None = None):
        self.config = config or CalendarConfig()
        self._yearly = {md: name for md, name in self.config.yearly_holidays}
        self._dated = dict(self.config.dated_holidays)
        self._excluded = dict(self.config.excluded)
        self._names: dict[date, str | None] = {}

    def _national_name(self, day: date) -> str | None:
        return national_holidays(day.year).get(day)

    # -- what kind of day ----------------------------------------------------------------
    def holiday_name(self, day: date) -> str | None:
        """National holiday, closure, local holiday or excluded date name; None otherwise."""
        if day not in self._names:
            self._names[day] = self._holiday_name(day)
        return self._names[day]

    def _holiday_name(self, day: date) -> str | None:
        if self.config.national_holidays:
            name = self._national_name(day)
            if name:
                return name
        for closure in self.config.closures:
            if closure.contains(day):
                return closure.name
        if day in self._dated:
            return self._dated[day]
        if (day.month, day.day) in self._yearly:
            return self._yearly[(day.month, day.day)]
        if day in self._excluded:
            return self._excluded[day] or EXCLUDED_NAME
        return None

    def reason(self, day: date) -> str | None:
        """Why ``day`` is not a business day ("元日", "土曜日", "年末年始休業", ...), else None."""
        name = self.holiday_name(day)
        if name:
            return name
        if day.weekday() == 5:
            return "土曜日"
        if day.weekday() == 6:
            return "日曜日"
        return None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    # -- moving around -------------------------------------------------------------------
    def previous_business_day(self, day: date, *, inclusive: bool = True) -> date:
        current = day if inclusive else day - timedelta(days=1)
        for _ in range(400):
            if self.is_business_day(current):
                return current
            current -= timedelta(days=1)
        raise InputError(f"{day} の前に営業日が見つかりません (カレンダーの設定を確認してください)")

    def next_business_day(self, day: date, *, inclusive: bool = True) -> date:
        current = day if inclusive else day + timedelta(days=1)
        for _ in range(400):
            if self.is_business_day(current):
                return current
            current += timedelta(days=1)
        raise InputError(f"{day} の後に営業日が見つかりません (カレンダーの設定を確認してください)")

    def add_business_days(self, day: date, n: int) -> date:
        """Move ``n`` business days from ``day`` (counting excludes ``day`` itself); n=0 → day."""
        current = day
        step = 1 if n > 0 else -1
        for _ in range(abs(n)):
            current = (self.next_business_day if step > 0 else self.previous_business_day)(
                current, inclusive=False
            )
        return current

    def business_days_in_month(self, year: int, month: int) -> list[date]:
        last = _stdcal.monthrange(year, month)[1]
        days = (date(year, month, d) for d in range(1, last + 1))
        return [d for d in days if self.is_business_day(d)]

    def nth_business_day(self, year: int, month: int, n: int) -> date | None:
        """The n-th business day of the month (1 = first, -1 = last); None if there is none."""
        if n == 0:
            raise ValueError("n must not be 0")
        days = self.business_days_in_month(year, month)
        index = n - 1 if n > 0 else n
        if -len(days) <= index < len(days):
            return days[index]
        return None


# -- configuration helpers -----------------------------------------------------------------
def parse_month_day(text: str) -> tuple[int, int]:
    """"12-29" → (12, 29); raises ValueError with a Japanese message."""
    try:
        month_s, day_s = str(text).strip().split("-")
        month, day = int(month_s), int(day_s)
        date(2024, month, day)  # leap year: 02-29 is allowed
    except (ValueError, TypeError):
        raise ValueError(f"'{text}' は月-日 (例: 12-29) ではありません") from None
    return month, day


def load_excluded_csv(path: Path) -> list[tuple[date, str]]:
    """Read a CSV of extra excluded dates (column ``ExcludedDate``; optional ``Reason``/``理由``).

    Every bad row is reported with its file and line; nothing is half-loaded.
    """
    if not path.exists():
        raise InputError(f"除外日のCSVファイルが見つかりません: {path}", location=Location(str(path)))
    problems: list[str] = []
    dates: list[tuple[date, str]] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "ExcludedDate" not in header:
            raise InputError(
                f"列 ExcludedDate がありません (見つかった列: {', '.join(header) or 'なし'})",
                location=Location(str(path), 1),
                hint="1行目を ExcludedDate にして、2行目以降に YYYY-MM-DD の日付を書いてください",
            )
        for row in reader:
            line = reader.line_num
            raw = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            value = raw.get("ExcludedDate", "")
            if not value:
                continue
            try:
                day = date.fromisoformat(value)
                if len(value) != 10:
                    raise ValueError
            except ValueError:
                problems.append(f"{path}:{line}: '{value}' は YYYY-MM-DD 形式の日付ではありません")
                continue
            dates.append((day, raw.get("Reason") or raw.get("理由") or EXCLUDED_NAME))
    if problems:
        raise ValidationFailed(problems, title="除外日のCSVにエラーがあります")
    return dates
