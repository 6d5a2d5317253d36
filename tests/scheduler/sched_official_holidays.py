"""Japan's national holidays as published by the Cabinet Office (内閣府「国民の祝日」), 2020–2027.

Written out by hand as reference data (not generated from jpholiday): the tests compare the
libraries and the business-day rules against it. 2027's equinox days were fixed in the official
gazette of February 2026; later years are not yet official.
"""

from datetime import date

CONFIRMED_THROUGH = 2027

_TEXT = """
2020: 01-01 01-13 02-11 02-23 02-24 03-20 04-29 05-03 05-04 05-05 05-06 07-23 07-24 08-10 09-21 09-22 11-03 11-23
2021: 01-01 01-11 02-11 02-23 03-20 04-29 05-03 05-04 05-05 07-22 07-23 08-08 08-09 09-20 09-23 11-03 11-23
2022: 01-01 01-10 02-11 02-23 03-21 04-29 05-03 05-04 05-05 07-18 08-11 09-19 09-23 10-10 11-03 11-23
2023: 01-01 01-02 01-09 02-11 02-23 03-21 04-29 05-03 05-04 05-05 07-17 08-11 09-18 09-23 10-09 11-03 11-23
2024: 01-01 01-08 02-11 02-12 02-23 03-20 04-29 05-03 05-04 05-05 05-06 07-15 08-11 08-12 09-16 09-22 09-23 10-14 11-03 11-04 11-23
2025: 01-01 01-13 02-11 02-23 02-24 03-20 04-29 05-03 05-04 05-05 05-06 07-21 08-11 09-15 09-23 10-13 11-03 11-23 11-24
2026: 01-01 01-12 02-11 02-23 03-20 04-29 05-03 05-04 05-05 05-06 07-20 08-11 09-21 09-22 09-23 10-12 11-03 11-23
2027: 01-01 01-11 02-11 02-23 03-21 03-22 04-29 05-03 05-04 05-05 07-19 08-11 09-20 09-23 10-11 11-03 11-23
"""


def official_holidays() -> dict[int, set[date]]:
    result: dict[int, set[date]] = {}
    for line in _TEXT.strip().splitlines():
        year_text, days = line.split(":")
        year = int(year_text)
        result[year] = {date(year, int(d[:2]), int(d[3:])) for d in days.split()}
    return result


OFFICIAL = official_holidays()


def official_business_day(day: date) -> bool:
    """Independent reference: weekday, not an official holiday, not Dec 29 – Jan 3."""
    if day.weekday() >= 5 or day in OFFICIAL[day.year]:
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))
