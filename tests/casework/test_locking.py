"""Casework services guard the state of the row as stored, locked, not of the copy they are handed.

Each test loads an object, changes its row behind the copy's back (another user, another tab), then
calls the service with the stale copy: it is refused, nothing is written, no audit event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from bredvid.casework import services
from bredvid.casework.errors import SignedEntryImmutable
from bredvid.casework.models import (
    Case,
    ConcernReport,
    Decision,
    Intervention,
    Investigation,
    InvestigationExtension,
    JournalEntry,
)
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked
from tests.concurrency import refused
from tests.factories import PersonFactory, UnitFactory

D = dt.date


@pytest.fixture
def case(world) -> Case:  # type: ignore[no-untyped-def]
    child = PersonFactory(municipality=world.home, birth_date=D(2015, 6, 23))
    return services.open_case(
        tenant=world.tenant("caseworker"), client=child, unit=world.home_unit, opened_on=D(2026, 3, 2)
    )


def _draft(world, case) -> JournalEntry:  # type: ignore[no-untyped-def]
    return services.write_journal_entry(
        tenant=world.tenant("caseworker"),
        case=case,
        data={"occurred_on": D(2026, 3, 5), "title": "Samtal", "text": "Samtal med mamma."},
    )


def _decision(world, case) -> Decision:  # type: ignore[no-untyped-def]
    return services.propose_decision(
        tenant=world.tenant("caseworker"),
        case=case,
        data={
            "outcome": Decision.Outcome.GRANTED,
            "legal_basis": Decision.LegalBasis.SOL_13_7,
            "support_kind": "kontaktfamilj",
            "scope_amount": 2,
            "scope_unit": Decision.ScopeUnit.WEEKENDS_PER_MONTH,
            "period_start": D(2026, 4, 1),
            "reasons": "Barnet behöver avlastning.",
        },
    )


def _active(world, case) -> Intervention:  # type: ignore[no-untyped-def]
    decision = _decision(world, case)
    services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=D(2026, 3, 25))
    intervention = decision.intervention
    services.execute_intervention(
        tenant=world.tenant("caseworker"), intervention=intervention, executed_on=D(2026, 4, 1)
    )
    return Intervention.objects.get(pk=intervention.pk)


def test_locked_rereads_the_same_instance_and_needs_a_transaction(world, case, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    client = case.client  # cached: its key does not change
    with monkeypatch.context() as outside:  # (the test itself runs in a transaction)
        outside.setattr(connections["default"], "in_atomic_block", False)
        with pytest.raises(TransactionManagementError):
            locked(case)
    with transaction.atomic():
        assert locked(case) is case
    assert case.status == Case.Status.CLOSED
    assert case.client is client


def test_close_case_refuses_a_case_closed_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=D(2026, 4, 1))
    assert case.status == Case.Status.OPEN  # the stale copy
    refused(
        lambda: services.close_case(tenant=world.tenant("caseworker"), case=case, closed_on=D(2026, 4, 2)),
        IllegalTransition,
    )
    assert Case.objects.get(pk=case.pk).closed_on == D(2026, 4, 1)


def test_close_case_checks_permission_on_the_stored_unit(world, case) -> None:  # type: ignore[no-untyped-def]
    elsewhere = UnitFactory(municipality=world.home, name="Vuxen")
    Case.objects.filter(pk=case.pk).update(unit=elsewhere)  # moved to another unit meanwhile
    refused(
        lambda: services.close_case(tenant=world.tenant("caseworker"), case=case, closed_on=D(2026, 4, 2)),
        PermissionDenied,
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


def test_investigation_is_not_opened_in_a_case_closed_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    refused(
        lambda: services.start_investigation(
            tenant=world.tenant("caseworker"), case=case, started_on=D(2026, 4, 2)
        ),
        IllegalTransition,
    )
    assert not Investigation.objects.filter(case=case).exists()


def test_a_decision_is_not_made_in_a_case_closed_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    """The race CI found: close_case committed first, then decide took the case lock and added an
    intervention to the closed case. decide now checks the locked case is still open."""
    decision = _decision(world, case)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    refused(
        lambda: services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=D(2026, 3, 25)),
        IllegalTransition,
    )
    assert not Intervention.objects.filter(case=case).exists()
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.PROPOSED


def test_no_decision_is_proposed_in_a_closed_case(world, case) -> None:  # type: ignore[no-untyped-def]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    refused(lambda: _decision(world, case), IllegalTransition)
    assert not Decision.objects.filter(case=case).exists()


def test_sign_refuses_an_entry_signed_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    stale = _draft(world, case)
    services.sign_journal_entry(tenant=tenant, entry=JournalEntry.objects.get(pk=stale.pk))  # other tab
    signed_at = JournalEntry.objects.get(pk=stale.pk).signed_at
    assert stale.status == JournalEntry.Status.DRAFT
    refused(lambda: services.sign_journal_entry(tenant=tenant, entry=stale), IllegalTransition)
    assert JournalEntry.objects.get(pk=stale.pk).signed_at == signed_at


def test_a_draft_signed_meanwhile_is_not_edited(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    stale = _draft(world, case)
    services.sign_journal_entry(tenant=tenant, entry=JournalEntry.objects.get(pk=stale.pk))
    refused(
        lambda: services.edit_journal_draft(tenant=tenant, entry=stale, data={"text": "Ändrad"}),
        SignedEntryImmutable,
    )
    assert JournalEntry.objects.get(pk=stale.pk).text == "Samtal med mamma."


def test_decide_refuses_a_decision_made_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    stale = _decision(world, case)
    Decision.objects.filter(pk=stale.pk).update(status=Decision.Status.DECIDED, decided_on=D(2026, 3, 25))
    refused(
        lambda: services.decide(tenant=world.tenant("manager"), decision=stale, decided_on=D(2026, 3, 26)),
        IllegalTransition,
    )
    assert not Intervention.objects.filter(decision=stale).exists()


def test_intervention_transitions_refuse_one_ended_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    stale = _active(world, case)
    Intervention.objects.filter(pk=stale.pk).update(status=Intervention.Status.ENDED, ended_on=D(2026, 5, 1))
    for call in (
        lambda: services.pause_intervention(
            tenant=tenant, intervention=stale, paused_on=D(2026, 5, 2), reason="Sjukdom"
        ),
        lambda: services.end_intervention(
            tenant=tenant, intervention=stale, ended_on=D(2026, 5, 2), reason="Klart"
        ),
        lambda: services.record_delay_reason(tenant=tenant, intervention=stale, reason="Brist på hem"),
    ):
        stale.status = Intervention.Status.ACTIVE  # the copy the page showed
        refused(call, IllegalTransition)
    stored = Intervention.objects.get(pk=stale.pk)
    assert (stored.status, stored.ended_on, stored.delay_reason) == (
        Intervention.Status.ENDED,
        D(2026, 5, 1),
        "",
    )


def test_execute_refuses_an_intervention_executed_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    decision = _decision(world, case)
    services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=D(2026, 3, 25))
    stale = Intervention.objects.get(decision=decision)
    Intervention.objects.filter(pk=stale.pk).update(
        status=Intervention.Status.ACTIVE, executed_on=D(2026, 4, 1)
    )
    refused(
        lambda: services.execute_intervention(
            tenant=world.tenant("caseworker"), intervention=stale, executed_on=D(2026, 4, 5)
        ),
        IllegalTransition,
    )
    assert Intervention.objects.get(pk=stale.pk).executed_on == D(2026, 4, 1)


def test_resume_refuses_an_intervention_resumed_meanwhile(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    intervention = _active(world, case)
    services.pause_intervention(
        tenant=tenant, intervention=intervention, paused_on=D(2026, 5, 1), reason="Paus"
    )
    stale = Intervention.objects.get(pk=intervention.pk)
    services.resume_intervention(
        tenant=tenant, intervention=Intervention.objects.get(pk=stale.pk), resumed_on=D(2026, 6, 1)
    )
    refused(
        lambda: services.resume_intervention(tenant=tenant, intervention=stale, resumed_on=D(2026, 6, 2)),
        IllegalTransition,
    )
    assert intervention.pauses.get().resumed_on == D(2026, 6, 1)


def test_investigation_concluded_meanwhile_is_not_changed(world, case) -> None:  # type: ignore[no-untyped-def]
    stale = services.start_investigation(
        tenant=world.tenant("caseworker"), case=case, started_on=D(2026, 3, 4)
    )
    Investigation.objects.filter(pk=stale.pk).update(
        status=Investigation.Status.CONCLUDED, concluded_on=D(2026, 3, 20), conclusion="Klar"
    )
    for call in (
        lambda: services.conclude_investigation(
            tenant=world.tenant("caseworker"),
            investigation=stale,
            concluded_on=D(2026, 3, 21),
            conclusion="X",
        ),
        lambda: services.update_investigation(
            tenant=world.tenant("caseworker"), investigation=stale, data={"child_view": "X"}
        ),
        lambda: services.extend_investigation(
            tenant=world.tenant("manager"),
            investigation=stale,
            until=D(2026, 9, 1),
            reason="Särskilda skäl",
            decided_on=D(2026, 6, 1),
        ),
    ):
        stale.status = Investigation.Status.OPEN  # the copy the page showed
        refused(call, IllegalTransition)
    stored = Investigation.objects.get(pk=stale.pk)
    assert (stored.conclusion, stored.child_view) == ("Klar", "")
    assert not InvestigationExtension.objects.filter(investigation=stale).exists()


def test_protection_assessment_made_meanwhile_is_not_overwritten(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    received = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
    stale = services.register_concern_report(
        tenant=tenant, case=case, data={"received_at": received, "reporter": "school", "content": "Oro"}
    )
    ConcernReport.objects.filter(pk=stale.pk).update(
        protection_assessed_at=received, protection_assessment="Ingen akut fara"
    )
    refused(
        lambda: services.record_protection_assessment(
            tenant=tenant, report=stale, assessed_at=received, assessment="Annan", immediate=True
        ),
        IllegalTransition,
    )
    assert ConcernReport.objects.get(pk=stale.pk).protection_assessment == "Ingen akut fara"
