"""Statutory time per Lag (1930:173) om beräkning av lagstadgad tid.

- 2 § first paragraph: a period of months ends on the day of the last month with the same
  number as the starting day, or on that month's last day when it has no such day.
- 2 § second paragraph (as amended): when the last day falls on a Saturday, a Sunday, a public
  holiday, midsommarafton, julafton or nyårsafton, the time runs out on the next weekday.

Holidays come from the `holidays` package (public + de facto categories give exactly the
public holidays plus midsommarafton, julafton and nyårsafton). Pure functions; no ORM.
"""

from __future__ import annotations

import calendar
import datetime
from functools import lru_cache

import holidays

# The rules add at most a few years to a stored date and then skip closed days: any date in this
# window computes without overflow. A stored date outside it (saved before the date bounds of
# core/date_bounds.py existed, or by a future bug) is not computed by the deadline rules or the IVO
# report: the record is flagged instead.
RULE_EARLIEST = datetime.date(1900, 1, 1)
RULE_LATEST = datetime.date(2199, 12, 31)


@lru_cache(maxsize=131_072)
def add_months(start: datetime.date, months: int) -> datetime.date:
    """The day with the same number `months` later, or the last day of that month.

    Cached: deadlines for a whole unit fall on a few thousand distinct dates."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def add_years(start: datetime.date, years: int) -> datetime.date:
    return add_months(start, 12 * years)


@lru_cache(maxsize=64)
def _closed_days(year: int) -> frozenset[datetime.date]:
    days = holidays.country_holidays(
        "SE", years=year, categories=("public", "de_facto"), include_sundays=False
    )  # type: ignore[call-arg]
    return frozenset(days)


def is_closed_day(day: datetime.date) -> bool:
    """Saturday, Sunday, public holiday, midsommarafton, julafton or nyårsafton."""
    return day.weekday() >= 5 or day in _closed_days(day.year)


def holiday_name(day: datetime.date) -> str | None:
    names = holidays.country_holidays(
        "SE", years=day.year, categories=("public", "de_facto"), include_sundays=False, language="sv"
    )  # type: ignore[call-arg]
    return names.get(day)


@lru_cache(maxsize=65_536)
def legal_last_day(nominal: datetime.date) -> datetime.date:
    """Move a last day that falls on a closed day to the next weekday (2 § second paragraph)."""
    day = nominal
    while is_closed_day(day):
        day += datetime.timedelta(days=1)
    return day
