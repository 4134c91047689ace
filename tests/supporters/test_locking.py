"""Supporter services guard the state of the row as stored, locked, not of the copy they are handed:
a stale copy (changed behind it by another user) is refused, nothing is written, no audit event."""

from __future__ import annotations

import datetime as dt

import pytest

from bredvid.supporters import services
from bredvid.supporters.models import Assessment, AssessmentActivity, InterestRegistration, Supporter
from tests.concurrency import refused
from tests.matching.factories import approved_supporter

D = dt.date


@pytest.fixture
def registration(world) -> InterestRegistration:  # type: ignore[no-untyped-def]
    return services.register_interest(
        municipality=world.home,
        data={"supports": ["kontaktfamilj"], "first_name": "Anna", "last_name": "Ek", "phone": "070-1"},
        consent_text="Samtycke",
        source="public",
    )


@pytest.fixture
def assessment(world, registration) -> Assessment:  # type: ignore[no-untyped-def]
    supporter = services.start_investigation(
        tenant=world.tenant("family_care_officer"), registration=registration, started_on=D(2026, 9, 1)
    )
    return Assessment.objects.get(supporter=supporter)


def test_a_registration_closed_meanwhile_is_neither_moved_nor_investigated(world, registration) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    InterestRegistration.objects.filter(pk=registration.pk).update(status=InterestRegistration.Status.CLOSED)
    assert registration.status == InterestRegistration.Status.NEW  # the stale copy
    refused(
        lambda: services.move_registration(
            tenant=officer, registration=registration, to=InterestRegistration.Status.CONTACTED
        )
    )
    registration.status = InterestRegistration.Status.NEW
    refused(
        lambda: services.start_investigation(
            tenant=officer, registration=registration, started_on=D(2026, 9, 1)
        )
    )
    assert not Supporter.objects.exists()
    assert not registration.events.exists()


def test_an_assessment_decided_meanwhile_is_not_decided_again(world, assessment) -> None:  # type: ignore[no-untyped-def]
    manager, officer = world.tenant("manager"), world.tenant("family_care_officer")
    services.conclude_assessment(
        tenant=officer, assessment=assessment, conclusion="Lämplig", supports=["kontaktfamilj"]
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.REJECTED)
    Supporter.objects.filter(pk=assessment.supporter_id).update(status=Supporter.Status.ENDED)
    for call in (
        lambda: services.approve(tenant=manager, assessment=assessment, decided_on=D(2026, 10, 1)),
        lambda: services.reject(tenant=manager, assessment=assessment, decided_on=D(2026, 10, 1), reason="X"),
        lambda: services.conclude_assessment(
            tenant=officer, assessment=assessment, conclusion="Ny", supports=["kontaktfamilj"]
        ),
        lambda: services.record_activity(
            tenant=officer, assessment=assessment, data={"kind": "home_visit", "occurred_on": D(2026, 9, 5)}
        ),
    ):
        assessment.status = Assessment.Status.OPEN  # the copy the page showed
        refused(call)
    assert Supporter.objects.get(pk=assessment.supporter_id).status == Supporter.Status.ENDED
    assert Assessment.objects.get(pk=assessment.pk).conclusion == "Lämplig"
    assert not AssessmentActivity.objects.exists()


def test_a_supporter_ended_meanwhile_is_neither_paused_resumed_nor_ended_again(world) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    supporter = approved_supporter(world)
    Supporter.objects.filter(pk=supporter.pk).update(
        status=Supporter.Status.ENDED, ended_on=D(2026, 5, 1), ended_reason="Flyttat"
    )
    for status, call in (
        (
            Supporter.Status.APPROVED,
            lambda: services.pause(tenant=officer, supporter=supporter, reason="X", until=None),
        ),
        (Supporter.Status.PAUSED, lambda: services.resume(tenant=officer, supporter=supporter)),
        (
            Supporter.Status.APPROVED,
            lambda: services.end(tenant=officer, supporter=supporter, reason="Y", ended_on=D(2026, 6, 1)),
        ),
    ):
        supporter.status = status  # the copy the page showed
        refused(call)
    stored = Supporter.objects.get(pk=supporter.pk)
    assert (stored.status, stored.ended_on, stored.ended_reason) == (
        Supporter.Status.ENDED,
        D(2026, 5, 1),
        "Flyttat",
    )
