"""Schedule rules over 2020–2030: the four examples of the issue, adjust/offset, the trigger."""

from __future__ import annotations

import calendar as stdcal
import pickle
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sched_official_holidays import CONFIRMED_THROUGH, official_business_day

from scheduler.calendar import BusinessCalendar
from scheduler.rules import CronRule, MonthlyRule, WeeklyRule, YearlyRule
from scheduler.trigger import BusinessDayTrigger

TOKYO = ZoneInfo("Asia/Tokyo")
CAL = BusinessCalendar()


def _occurrences(rule, start: date, end: date):
    out = []
    for occurrence in rule.occurrences(start, CAL):
        if occurrence.day > end:
            break
        out.append(occurrence)
    return out


def _previous_reference(day: date) -> date:
    while not official_business_day(day):
        day -= timedelta(days=1)
    return day


def _next_reference(day: date) -> date:
    while not official_business_day(day):
        day += timedelta(days=1)
    return day


def test_tenth_or_previous_business_day_2020_to_confirmed():
    rule = MonthlyRule(day=10, adjust="previous")
    got = _occurrences(rule, date(2020, 1, 1), date(CONFIRMED_THROUGH, 12, 31))
    expected = [
        _previous_reference(date(y, m, 10)) for y in range(2020, CONFIRMED_THROUGH + 1) for m in range(1, 13)
    ]
    assert [o.day for o in got] == expected
    moved = [o for o in got if o.moved]
    assert moved and all(o.why for o in moved)
    # e.g. 2027-01-10 is a Sunday: paid on Friday the 8th
    assert any(o.describe() == "2027-01-08 (金) ← 2027-01-10 日曜日" for o in got)


def test_june_first_or_next_business_day():
    rule = YearlyRule(month=6, day=1, adjust="next")
    got = _occurrences(rule, date(2020, 1, 1), date(2030, 12, 31))
    assert len(got) == 11
    for occurrence in got:
        if occurrence.day.year <= CONFIRMED_THROUGH:
            assert occurrence.day == _next_reference(date(occurrence.day.year, 6, 1))
        assert CAL.is_business_day(occurrence.day) and occurrence.day >= occurrence.nominal
    assert got[0].describe() == "2020-06-01 (月)"
    assert [o.day for o in got if o.moved][:2] == [date(2024, 6, 3), date(2025, 6, 2)]


def test_first_business_day_of_each_month_at_0830():
    rule = MonthlyRule(business_day=1)
    trigger = BusinessDayTrigger(rule, at=time(8, 30))
    start = datetime(2020, 1, 1, tzinfo=TOKYO)
    fire_times = []
    for fire_time, _ in trigger.fire_times(start):
        if fire_time.year > 2030:
            break
        fire_times.append(fire_time)
    assert len(fire_times) == 11 * 12
    for fire_time in fire_times:
        assert (fire_time.hour, fire_time.minute) == (8, 30) and fire_time.tzinfo == TOKYO
        y, m = fire_time.year, fire_time.month
        if y <= CONFIRMED_THROUGH:
            assert fire_time.date() == _next_reference(date(y, m, 1))
    assert datetime(2027, 1, 4, 8, 30, tzinfo=TOKYO) in fire_times  # after 元日 and the closure


def test_three_business_days_before_month_end():
    # the month's end, moved to the last business day when it is not one, then 3 business days back
    rule = MonthlyRule(day=-1, adjust="previous", offset_business_days=-3)
    got = _occurrences(rule, date(2020, 1, 1), date(2030, 12, 31))
    assert len(got) == 132
    for occurrence in got:
        last = date(occurrence.day.year, occurrence.day.month, stdcal.monthrange(occurrence.day.year,
                                                                                occurrence.day.month)[1])
        assert occurrence.nominal == last
        between = [last - timedelta(days=i) for i in range((last - occurrence.day).days)]
        assert sum(CAL.is_business_day(d) for d in between) == 3
        assert CAL.is_business_day(occurrence.day)
        if occurrence.day.year <= CONFIRMED_THROUGH:
            assert sum(official_business_day(d) for d in between) == 3
        assert "3営業日前" in occurrence.why


def test_skip_and_none_and_last_business_day():
    skip = _occurrences(MonthlyRule(day=1, adjust="skip"), date(2027, 1, 1), date(2027, 12, 31))
    assert date(2027, 1, 1) not in [o.day for o in skip] and len(skip) < 12
    assert all(CAL.is_business_day(o.day) for o in skip)
    none = _occurrences(MonthlyRule(day=1, adjust="none"), date(2027, 1, 1), date(2027, 12, 31))
    assert [o.day for o in none] == [date(2027, m, 1) for m in range(1, 13)]
    last = _occurrences(MonthlyRule(business_day=-1), date(2026, 12, 1), date(2026, 12, 31))
    assert [o.day for o in last] == [date(2026, 12, 28)]


def test_weekly_rule_on_business_days_only():
    rule = WeeklyRule(weekdays=(0, 3), adjust="skip")  # Monday and Thursday
    got = [o.day for o in _occurrences(rule, date(2026, 9, 14), date(2026, 9, 30))]
    # 9/21 (Mon) is 敬老の日 and is skipped
    assert got == [date(2026, 9, 14), date(2026, 9, 17), date(2026, 9, 24), date(2026, 9, 28)]


def test_next_year_new_year_moves_with_reason():
    rule = YearlyRule(month=1, day=1, adjust="next")
    first = next(iter(rule.occurrences(date(2026, 11, 27), CAL)))
    assert first.describe() == "2027-01-04 (月) ← 2027-01-01 元日"


def test_trigger_is_picklable_and_follows_apscheduler_semantics():
    trigger = BusinessDayTrigger(MonthlyRule(day=10, adjust="previous"), at=time(9, 0), timezone="Asia/Tokyo")
    restored = pickle.loads(pickle.dumps(trigger))
    now = datetime(2026, 12, 15, 12, 0, tzinfo=TOKYO)
    assert restored.get_next_fire_time(None, now) == datetime(2027, 1, 8, 9, 0, tzinfo=TOKYO)
    # with a previous fire time, the next one follows it even if it is in the past (misfires)
    previous = datetime(2026, 11, 10, 9, 0, tzinfo=TOKYO)
    assert restored.get_next_fire_time(previous, now) == datetime(2026, 12, 10, 9, 0, tzinfo=TOKYO)
    # UTC input, Tokyo answer
    assert restored.get_next_fire_time(None, now.astimezone(ZoneInfo("UTC"))).tzinfo == TOKYO


def test_cron_rule_skips_non_business_days():
    trigger = BusinessDayTrigger(CronRule(fields=(("hour", "7"), ("minute", "0")), adjust="skip"))
    start = datetime(2026, 12, 26, 0, 0, tzinfo=TOKYO)
    days = []
    for fire_time, _ in trigger.fire_times(start):
        days.append(fire_time.date())
        if len(days) == 2:
            break
    assert days == [date(2026, 12, 28), date(2027, 1, 4)]
