"""Business calendar against the official holiday dates; closure, local holidays, CSV errors."""

from __future__ import annotations

import calendar as stdcal
from datetime import date, timedelta

import holidays
import jpholiday
import pytest
from sched_official_holidays import CONFIRMED_THROUGH, OFFICIAL, official_business_day

from scheduler.calendar import (
    BusinessCalendar,
    CalendarConfig,
    ClosurePeriod,
    confirmed_until,
    load_excluded_csv,
)
from yomikaki.errors import InputError, ValidationFailed


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_jpholiday_matches_official_dates(year):
    assert {d for d, _ in jpholiday.year_holidays(year)} == OFFICIAL[year]


@pytest.mark.parametrize("year", range(2020, 2031))
def test_jpholiday_agrees_with_holidays_package(year):
    ours = {d for d, _ in jpholiday.year_holidays(year)}
    theirs = set(holidays.Japan(years=year).keys())
    assert ours == theirs


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_business_days_match_the_official_reference(year):
    cal = BusinessCalendar()
    wrong = [d for d in _days(year) if cal.is_business_day(d) != official_business_day(d)]
    assert wrong == []


def test_reasons_name_the_holiday_weekend_or_closure():
    cal = BusinessCalendar()
    assert cal.reason(date(2027, 1, 1)) == "元日"
    assert cal.reason(date(2026, 12, 30)) == "年末年始休業"
    assert cal.reason(date(2026, 11, 28)) == "土曜日"
    assert cal.reason(date(2026, 11, 29)) == "日曜日"
    assert cal.reason(date(2026, 9, 22)) == "国民の休日"
    assert cal.reason(date(2026, 11, 27)) is None


def test_nth_business_day_positive_and_negative():
    cal = BusinessCalendar()
    for year in range(2020, CONFIRMED_THROUGH + 1):
        for month in range(1, 13):
            reference = [
                date(year, month, d)
                for d in range(1, stdcal.monthrange(year, month)[1] + 1)
                if official_business_day(date(year, month, d))
            ]
            assert cal.nth_business_day(year, month, 1) == reference[0]
            assert cal.nth_business_day(year, month, 3) == reference[2]
            assert cal.nth_business_day(year, month, -1) == reference[-1]
            assert cal.nth_business_day(year, month, -2) == reference[-2]
    assert cal.nth_business_day(2027, 1, 30) is None


def test_previous_next_and_add_business_days():
    cal = BusinessCalendar()
    assert cal.previous_business_day(date(2027, 1, 3)) == date(2026, 12, 28)
    assert cal.next_business_day(date(2026, 12, 29)) == date(2027, 1, 4)
    assert cal.add_business_days(date(2026, 12, 28), 1) == date(2027, 1, 4)
    assert cal.add_business_days(date(2027, 1, 4), -1) == date(2026, 12, 28)
    assert cal.add_business_days(date(2026, 5, 1), 1) == date(2026, 5, 7)  # Golden Week
    assert cal.add_business_days(date(2026, 11, 30), 0) == date(2026, 11, 30)


def test_closure_local_holidays_and_excluded_dates_are_configuration():
    config = CalendarConfig(
        closures=(ClosurePeriod((12, 28), (1, 4), "閉庁日"),),
        yearly_holidays=(((10, 1), "市民の日"),),
        dated_holidays=((date(2027, 2, 10), "臨時休庁"),),
        excluded=((date(2026, 12, 1), "システム停止"),),
    )
    cal = BusinessCalendar(config)
    assert cal.reason(date(2026, 12, 28)) == "閉庁日"
    assert cal.reason(date(2027, 1, 4)) == "閉庁日"
    assert cal.reason(date(2027, 10, 1)) == "市民の日"
    assert cal.reason(date(2027, 2, 10)) == "臨時休庁"
    assert cal.reason(date(2026, 12, 1)) == "システム停止"
    assert not cal.is_business_day(date(2026, 12, 1))
    assert BusinessCalendar().is_business_day(date(2026, 12, 1))
    no_closure = BusinessCalendar(CalendarConfig(closures=()))
    assert no_closure.is_business_day(date(2026, 12, 29))


def test_excluded_dates_csv_and_its_errors(tmp_path):
    good = tmp_path / "ok.csv"
    good.write_text("ExcludedDate,Reason\n2026-12-01,保守\n2027-03-31,\n", encoding="utf-8")
    assert load_excluded_csv(good) == [(date(2026, 12, 1), "保守"), (date(2027, 3, 31), "除外日")]

    bad = tmp_path / "bad.csv"
    bad.write_text("ExcludedDate\n2026-12-01\n2026/12/02\n2026-13-01\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        load_excluded_csv(bad)
    assert f"{bad}:3:" in str(info.value) and "2026/12/02" in str(info.value)
    assert f"{bad}:4:" in str(info.value)

    wrong_header = tmp_path / "header.csv"
    wrong_header.write_text("Date\n2026-12-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="ExcludedDate"):
        load_excluded_csv(wrong_header)


def test_confirmed_horizon_moves_each_february():
    assert confirmed_until(date(2026, 1, 31)) == 2026
    assert confirmed_until(date(2026, 2, 1)) == 2027
