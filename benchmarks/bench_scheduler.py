"""Scheduler: rule evaluation speed, and the hours report over a city-sized ledger.

- next fire times: ``schedule next`` and every APScheduler wake-up evaluate rules through the
  business calendar; target >= 2,000 occurrences/s once the year's holidays are cached
  (jpholiday computes a year's holidays slowly; the calendar caches them per process).
- hours report: 10 processes × 12 months × 20 runs a month (2,400 runs, a busy fiscal year),
  build + xlsx + html; target < 10 s.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks import Result


def _occurrence_rate(quick: bool) -> tuple[float, float]:
    """(warm occurrences per second, cold seconds per new year of national holidays)."""
    from scheduler.calendar import BusinessCalendar, national_holidays
    from scheduler.rules import MonthlyRule, WeeklyRule, YearlyRule

    national_holidays.cache_clear()
    cold_started = time.perf_counter()
    for year in range(2020, 2031):
        national_holidays(year)
    cold = (time.perf_counter() - cold_started) / 11
    calendar = BusinessCalendar()
    rules = [MonthlyRule(day=10, adjust="previous"), YearlyRule(month=6, day=1, adjust="next"),
             MonthlyRule(business_day=1), MonthlyRule(day=-1, adjust="previous", offset_business_days=-3),
             WeeklyRule(weekdays=(0, 1, 2, 3, 4), adjust="skip")]
    starts = [date(2020, 1, 1) + timedelta(days=17 * i) for i in range(20 if quick else 200)]
    count = 0
    started = time.perf_counter()
    for rule in rules:
        for start in starts:  # like `schedule next --count 12` from many dates
            for i, _ in enumerate(rule.occurrences(start, calendar)):
                count += 1
                if i >= 11 or start.year > 2029:
                    break
    return count / (time.perf_counter() - started), cold


def _report_seconds(quick: bool) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["YOMIKAKI_DATA_DIR"] = str(Path(folder) / "var")
        from yomikaki.db import dispose_engines
        from yomikaki.settings import reset_settings_cache

        reset_settings_cache()
        try:
            from scheduler import record_run, set_baseline
            from scheduler.report import build_report, write_html, write_xlsx

            processes = 3 if quick else 10
            per_month = 5 if quick else 20
            for p in range(processes):
                set_baseline(f"process-{p}", 3.0 + p, date(2026, 4, 1), "bench", 30)
                set_baseline(f"process-{p}", 2.5 + p, date(2026, 10, 1), "bench", 30)
            runs = 0
            for p in range(processes):
                for month in range(12):
                    for r in range(per_month):
                        start = datetime(2026, 4, 1, tzinfo=UTC) + timedelta(days=30 * month + r)
                        record_run(process_id=f"process-{p}", kind="job", started_at=start,
                                   ended_at=start + timedelta(minutes=5), status="ok", items_total=50,
                                   items_done=48, items_failed=2, manual_minutes_per_item=None)
                        runs += 1
            started = time.perf_counter()
            report = build_report(2026)
            write_xlsx(report, Path(folder) / "r.xlsx")
            write_html(report, Path(folder) / "r.html")
            return time.perf_counter() - started, runs
        finally:
            dispose_engines()
            os.environ.pop("YOMIKAKI_DATA_DIR", None)
            reset_settings_cache()


def run(quick: bool = False) -> list[Result]:
    rate, cold = _occurrence_rate(quick)
    seconds, runs = _report_seconds(quick)
    return [
        Result("scheduler", "rule occurrences", round(rate), "occurrences/s", ">= 2000",
               note="5 rule kinds, next 12 from many dates, holidays cached"),
        Result("scheduler", "national holidays of a new year (jpholiday, once per process)", round(cold, 3),
               "s", "< 2", note="cached per process afterwards"),
        Result("scheduler", "hours report (build + xlsx + html)", round(seconds, 2), "s", "< 10",
               note=f"{runs} runs in one fiscal year"),
    ]
