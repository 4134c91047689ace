"""The instant the tests run at (docs/testing.md). No Django here: the e2e server's boot imports it."""

from __future__ import annotations

import datetime
import os
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Where every test starts: an ordinary Tuesday after every date the tests write down, away from holidays,
# month ends and DST changes. BREDVID_TEST_NOW overrides it for a whole run (`BREDVID_TEST_NOW="2026-12-24
# 12:00" make test`) to show that no test depends on the day it runs; a `frozen_at` marker overrides both
# for one test.
DEFAULT_NOW = "2027-06-15 09:00"


def parse_instant(text: str) -> datetime.datetime:
    """'2026-12-24 12:00' (or a date alone, meaning 09:00) as a moment in Stockholm; an offset is kept."""
    moment = datetime.datetime.fromisoformat(text.strip())
    if len(text.strip()) == 10:
        moment = moment.replace(hour=9)
    return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)


def run_instant() -> str:
    """The instant of this run: BREDVID_TEST_NOW, or DEFAULT_NOW."""
    return os.environ.get("BREDVID_TEST_NOW") or DEFAULT_NOW
