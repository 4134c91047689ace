"""The "Att göra" page around Christmas: a last day on julafton moves past the holidays (Lag 1930:173, 2 §),
and the page counts overdue from that legal last day. Each test runs on a frozen day (docs/testing.md)."""

import datetime as dt

import pytest
from django.urls import reverse

from bredvid.casework import services
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory

STARTED = dt.date(2026, 8, 24)  # four months of investigation end on julafton, 2026-12-24 (a Thursday)


@pytest.fixture
def investigation(world):  # type: ignore[no-untyped-def]
    child = PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )  # the four months hold for a child's investigation
    case = CaseFactory(unit=world.home_unit, client=child, responsible=world.users["caseworker"])
    services.start_investigation(tenant=world.tenant("caseworker"), case=case, started_on=STARTED)
    return case


def _buckets(world, case):  # type: ignore[no-untyped-def]
    summary = world.client("caseworker").get(reverse("staff:todo")).context["summary"]
    return {
        name: [(o.nominal_due, o.due) for o in getattr(summary, name) if o.case_ref == case.reference]
        for name in ("overdue", "due_soon", "upcoming")
    }


@pytest.mark.frozen_at("2026-12-27 22:00")  # Sunday after Christmas: the last day is still ahead
def test_a_last_day_on_julafton_is_not_overdue_over_christmas(world, investigation) -> None:  # type: ignore[no-untyped-def]
    case = investigation
    assert _buckets(world, case) == {
        "overdue": [], "due_soon": [(dt.date(2026, 12, 24), dt.date(2026, 12, 28))], "upcoming": [],
    }  # fmt: skip


@pytest.mark.frozen_at("2026-12-29 00:30")  # just after the moved last day; still the 28th in UTC
def test_it_is_overdue_the_day_after_the_moved_last_day(world, investigation) -> None:  # type: ignore[no-untyped-def]
    case = investigation
    assert _buckets(world, case)["overdue"] == [(dt.date(2026, 12, 24), dt.date(2026, 12, 28))]
