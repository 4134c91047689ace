"""The frozen clock of tests/conftest.py: every test starts at one known instant in Stockholm."""

from __future__ import annotations

import ast
import datetime
import textwrap
import time
from pathlib import Path

import pytest
from django.utils import timezone

from tests.clock import STOCKHOLM, parse_instant, run_instant


def test_every_clock_starts_at_the_frozen_instant() -> None:
    expected = parse_instant(run_instant())
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


# --- no test reads the clock when its module is imported (that is the machine's clock, before any freeze)

CLOCK_READS = {
    ("date", "today"), ("datetime", "now"), ("datetime", "today"), ("datetime", "utcnow"),
    ("timezone", "now"), ("timezone", "localdate"), ("timezone", "localtime"), ("time", "time"),
}  # fmt: skip
TESTS = Path(__file__).resolve().parent


def clock_reads_at_import(source: str) -> list[int]:
    """Lines where importing `source` reads the clock: module and class bodies, decorators, default
    arguments, and the bodies of the module's own functions that those call. Function and lambda bodies
    run later, inside a test, on the frozen clock."""
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    found: list[int] = []
    entered: set[str] = set()

    def visit(node: ast.AST, deferred: bool) -> None:
        if isinstance(node, ast.Call) and not deferred:
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value
                name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                if (name, func.attr) in CLOCK_READS:
                    found.append(node.lineno)
            elif isinstance(func, ast.Name) and func.id in functions and func.id not in entered:
                entered.add(func.id)
                for statement in functions[func.id].body:
                    visit(statement, False)
        for field, value in ast.iter_fields(node):
            later = deferred or (
                field == "body" and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            )
            for child in value if isinstance(value, list) else [value]:
                if isinstance(child, ast.AST):
                    visit(child, later)

    visit(tree, False)
    return sorted(set(found))


def test_the_scan_finds_clock_reads_at_import() -> None:
    source = textwrap.dedent(
        """
        import datetime as dt
        from django.utils import timezone

        def _edges():
            return [timezone.localdate()]

        DATES = st.sampled_from(_edges())
        LIMIT = dt.date.today()

        @pytest.mark.parametrize("day", [dt.datetime.now()])
        def test_a(day, when=time.time()):
            assert timezone.now()

        class Factory:
            start = timezone.localtime()
            lazy = LazyFunction(lambda: timezone.localdate())
        """
    )
    assert clock_reads_at_import(source) == [6, 9, 11, 12, 16]


def test_no_test_module_reads_the_clock_at_import() -> None:
    offenders = {
        str(path.relative_to(TESTS)): lines
        for path in sorted(TESTS.rglob("*.py"))
        if "node_modules" not in path.parts and (lines := clock_reads_at_import(path.read_text()))
    }
    assert offenders == {}, "compute today inside the test (docs/testing.md)"
