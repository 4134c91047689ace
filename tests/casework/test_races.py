"""Two users at once on one case (PostgreSQL: real row locks, real threads and connections).

SQLite serialises every write to the database file, so there is no race to test there; the guards on
the locked row are tested on both databases by test_locking.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from bredvid.audit.models import AuditEvent
from bredvid.casework import services
from bredvid.casework.models import Case, Intervention, JournalEntry
from bredvid.core.errors import IllegalTransition
from tests.casework.test_locking import _decision, _draft
from tests.concurrency import race
from tests.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = dt.date


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises all writers)")


@pytest.fixture
def case(world) -> Case:  # type: ignore[no-untyped-def]
    child = PersonFactory(municipality=world.home, birth_date=D(2015, 6, 23))
    return services.open_case(
        tenant=world.tenant("caseworker"), client=child, unit=world.home_unit, opened_on=D(2026, 3, 2)
    )


# ---------------------------------------------------------------------------


def test_two_closings_of_one_case_close_it_once(world, case) -> None:  # type: ignore[no-untyped-def]
    caseworker, manager = world.tenant("caseworker"), world.tenant("manager")
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    results = race(
        lambda: services.close_case(tenant=caseworker, case=first, closed_on=D(2026, 4, 1)),
        lambda: services.close_case(tenant=manager, case=second, closed_on=D(2026, 4, 2)),
    )
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1, results
    closings = AuditEvent.objects.filter(object_type="casework.case", object_id=str(case.pk), action="update")
    assert closings.count() == 1


def test_two_signatures_of_one_entry_sign_it_once(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    entry = _draft(world, case)
    first, second = JournalEntry.objects.get(pk=entry.pk), JournalEntry.objects.get(pk=entry.pk)
    results = race(
        lambda: services.sign_journal_entry(tenant=tenant, entry=first),
        lambda: services.sign_journal_entry(tenant=tenant, entry=second),
    )
    assert sum(isinstance(r, JournalEntry) for r in results) == 1, results
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1, results
    events = AuditEvent.objects.filter(object_type="casework.journalentry", object_id=str(entry.pk))
    signatures = [e for e in events if e.detail.get("signed")]
    assert len(signatures) == 1


def test_a_decision_and_a_closing_at_once_never_leave_a_closed_case_with_an_intervention(world, case) -> None:  # type: ignore[no-untyped-def]
    decision = _decision(world, case)
    results = race(
        lambda: services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=D(2026, 3, 25)),
        lambda: services.close_case(
            tenant=world.tenant("caseworker"), case=Case.objects.get(pk=case.pk), closed_on=D(2026, 3, 25)
        ),
    )
    closed = Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    has_intervention = Intervention.objects.filter(case=case).exists()
    assert closed != has_intervention, results  # exactly one of the two happened
