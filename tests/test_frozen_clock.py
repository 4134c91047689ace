"""The frozen clock of tests/conftest.py: every test starts at one known instant in Stockholm."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.utils import timezone

from tests.conftest import DEFAULT_NOW, STOCKHOLM, parse_instant


def test_every_clock_starts_at_the_frozen_instant() -> None:
    expected = parse_instant(os.environ.get("BREDVID_TEST_NOW") or DEFAULT_NOW)
    now = timezone.now()
    assert datetime.timedelta(0) <= now - expected < datetime.timedelta(minutes=1)
    assert timezone.localdate() == datetime.date.today() == expected.astimezone(STOCKHOLM).date()
    assert abs(time.time() - expected.timestamp()) < 60


@pytest.mark.frozen_at("2026-12-24 23:59")
def test_a_marker_picks_the_instant_and_the_clock_ticks() -> None:
    first = timezone.now()
    assert timezone.localtime(first).replace(second=0, microsecond=0) == datetime.datetime(
        2026, 12, 24, 23, 59, tzinfo=STOCKHOLM
    )
    time.sleep(0.01)
    assert timezone.now() > first  # sessions, one-time codes and lockouts see time pass


@pytest.mark.frozen_at("2027-03-28")
def test_a_date_alone_means_nine_in_the_morning_local_time(frozen_now) -> None:  # type: ignore[no-untyped-def]
    assert timezone.localtime().strftime("%Y-%m-%d %H:%M %Z") == "2027-03-28 09:00 CEST"
    frozen_now.shift(datetime.timedelta(days=1))
    assert timezone.localdate() == datetime.date(2027, 3, 29)


@pytest.mark.real_clock  # checks that the opt-out really gives the machine's clock back
def test_real_clock_opts_out(frozen_now, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert frozen_now is None
    written = tmp_path / "now"
    written.write_text("")  # the kernel stamps the file with the machine's time
    assert abs(time.time() - written.stat().st_mtime) < 5
