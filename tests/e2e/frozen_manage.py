"""`python -m tests.e2e.frozen_manage INSTANT COMMAND ...`: manage.py on a clock that starts at INSTANT
and ticks, so the browser tests' server, its migrations and its demo data share the suite's frozen
time (tests/clock.py, docs/testing.md)."""

from __future__ import annotations

import runpy
import sys

import time_machine

from tests.clock import parse_instant

if __name__ == "__main__":
    instant = sys.argv.pop(1)
    time_machine.travel(parse_instant(instant), tick=True).start()
    sys.argv[0] = "manage.py"
    runpy.run_path("manage.py", run_name="__main__")
