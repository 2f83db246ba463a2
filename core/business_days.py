"""Business days of a country: weekends and its public holidays (the `holidays` package) are skipped."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(country: str, year: int):
    try:
        return holidays.country_holidays(country, years=[year, year + 1])
    except NotImplementedError:  # a country the package does not know: weekends only
        return {}


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _calendar(country.upper(), day.year)


def add_business_days(start: date, days: int, country: str) -> date:
    """The date `days` business days after `start` (a submission on a holiday counts from the next business day)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, country):
            remaining -= 1
    return current
