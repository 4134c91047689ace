"""Lag (1930:173) om beräkning av lagstadgad tid, with frozen dates."""

import datetime as dt

import pytest

from bredvid.core.legal_time import add_months, holiday_name, is_closed_day, legal_last_day


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (dt.date(2026, 10, 31), 4, dt.date(2027, 2, 28)),  # no 31 February: the month's last day
        (dt.date(2027, 10, 31), 4, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 15), 4, dt.date(2026, 5, 15)),  # same day number
        (dt.date(2026, 8, 31), 3, dt.date(2026, 11, 30)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 31), 6, dt.date(2027, 6, 30)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
    ],
)
def test_months_end_on_same_day_or_month_end(start: dt.date, months: int, end: dt.date) -> None:
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("nominal", "legal", "why"),
    [
        (dt.date(2026, 6, 19), dt.date(2026, 6, 22), "Midsommarafton"),  # Fri → Sat, Sun → Monday
        (dt.date(2026, 12, 24), dt.date(2026, 12, 28), "Julafton"),  # 24, 25, 26, 27 closed
        (dt.date(2026, 12, 31), dt.date(2027, 1, 4), "Nyårsafton"),  # 31, 1 Jan, Sat, Sun
        (dt.date(2026, 11, 22), dt.date(2026, 11, 23), None),  # a Sunday
        (dt.date(2026, 11, 21), dt.date(2026, 11, 23), None),  # a Saturday
        (dt.date(2026, 4, 3), dt.date(2026, 4, 7), "Långfredagen"),  # Easter
        (dt.date(2026, 6, 6), dt.date(2026, 6, 8), "Nationaldagen"),  # Saturday holiday
        (dt.date(2026, 11, 24), dt.date(2026, 11, 24), None),  # a plain Tuesday stays
    ],
)
def test_last_day_moves_past_closed_days(nominal: dt.date, legal: dt.date, why: str | None) -> None:
    assert legal_last_day(nominal) == legal
    if why:
        assert holiday_name(nominal) == why


def test_ordinary_weekday_is_open() -> None:
    assert not is_closed_day(dt.date(2026, 11, 25))
    assert is_closed_day(dt.date(2026, 1, 6))  # trettondedag jul
