"""Casework services: the path from application to follow-up, its guards and its audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from bredvid.audit.models import Action, AuditEvent
from bredvid.casework import services
from bredvid.casework.errors import SignedEntryImmutable
from bredvid.casework.models import (
    Case,
    ConcernReport,
    Consent,
    Decision,
    Intervention,
    Investigation,
    JournalEntry,
    PlacementEvent,
    Plan,
)
from bredvid.core.errors import IllegalTransition
from bredvid.people.models import Guardianship
from tests.factories import PersonFactory

D = dt.date


@pytest.fixture
def child(world):  # type: ignore[no-untyped-def]
    return PersonFactory(municipality=world.home, identity_number="20150623-4564", birth_date=D(2015, 6, 23))


@pytest.fixture
def case(world, child):  # type: ignore[no-untyped-def]
    return services.open_case(
        tenant=world.tenant("caseworker"), client=child, unit=world.home_unit, opened_on=D(2026, 3, 2)
    )


def _decision_data(**extra):  # type: ignore[no-untyped-def]
    data = {
        "outcome": Decision.Outcome.GRANTED,
        "legal_basis": Decision.LegalBasis.SOL_13_7,
        "support_kind": "kontaktfamilj",
        "scope_amount": 2,
        "scope_unit": Decision.ScopeUnit.WEEKENDS_PER_MONTH,
        "period_start": D(2026, 4, 1),
        "reasons": "Barnet behöver avlastning och en trygg vuxen utanför familjen.",
    }
    data.update(extra)
    return data


def test_case_reference_is_sequential_per_municipality_and_year(world, child) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    first = services.open_case(tenant=tenant, client=child, unit=world.home_unit, opened_on=D(2026, 3, 2))
    second = services.open_case(tenant=tenant, client=child, unit=world.home_unit, opened_on=D(2026, 5, 2))
    assert (first.reference, second.reference) == ("1440-2026-00001", "1440-2026-00002")
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="casework.case").count() == 2


def test_other_municipality_cannot_open_a_case_for_our_client(world, child) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.open_case(tenant=world.tenant("caseworker", other=True), client=child, unit=world.other_unit)


def test_from_application_to_active_intervention(world, case) -> None:  # type: ignore[no-untyped-def]
    caseworker, manager = world.tenant("caseworker"), world.tenant("manager")
    application = services.register_application(
        tenant=caseworker,
        case=case,
        data={
            "received_on": D(2026, 3, 2),
            "form": "written",
            "applicant": "guardians",
            "support_kind": "kontaktfamilj",
        },
    )
    mother = PersonFactory(municipality=world.home)
    father = PersonFactory(municipality=world.home)
    for parent in (mother, father):
        Guardianship.objects.create(municipality=world.home, child=case.client, guardian=parent)
    services.record_consent(
        tenant=caseworker,
        application=application,
        giver=Consent.Giver.GUARDIAN,
        guardian=mother,
        given_on=D(2026, 3, 2),
    )
    assert not services.application_consent(application).satisfied  # joint custody: both
    services.record_consent(
        tenant=caseworker,
        application=application,
        giver=Consent.Giver.GUARDIAN,
        guardian=father,
        given_on=D(2026, 3, 3),
    )
    assert services.application_consent(application).satisfied

    investigation = services.start_investigation(
        tenant=caseworker, case=case, started_on=D(2026, 3, 4), application=application
    )
    assert investigation.about_child
    services.update_investigation(
        tenant=caseworker, investigation=investigation, data={"child_view": "Vill gärna"}
    )
    services.conclude_investigation(
        tenant=caseworker, investigation=investigation, concluded_on=D(2026, 3, 20), conclusion="Behov finns"
    )
    decision = services.propose_decision(
        tenant=caseworker, case=case, data=_decision_data(investigation=investigation)
    )
    with pytest.raises(PermissionDenied):  # no delegation for caseworkers in this unit
        services.decide(tenant=caseworker, decision=decision, decided_on=D(2026, 3, 25))
    services.decide(tenant=manager, decision=decision, decided_on=D(2026, 3, 25))
    intervention = decision.intervention
    assert intervention.status == Intervention.Status.PENDING
    with pytest.raises(IllegalTransition):
        services.decide(tenant=manager, decision=decision, decided_on=D(2026, 3, 26))
    services.execute_intervention(tenant=caseworker, intervention=intervention, executed_on=D(2026, 4, 10))
    assert intervention.status == Intervention.Status.ACTIVE
    events = AuditEvent.objects.filter(person_id=case.client_id)
    assert events.count() >= 10
    assert set(events.values_list("actor_username", flat=True)) == {"caseworker.home", "manager.home"}


def test_delegated_caseworker_may_decide(world, case) -> None:  # type: ignore[no-untyped-def]
    world.home_unit.settings = {"caseworker_may_decide": True}
    world.home_unit.save()
    case.refresh_from_db()
    caseworker = world.tenant("caseworker")
    decision = services.propose_decision(tenant=caseworker, case=case, data=_decision_data())
    services.decide(tenant=caseworker, decision=decision, decided_on=D(2026, 3, 25))
    assert decision.decided_by == world.users["caseworker"]


def test_refused_decision_creates_no_intervention(world, case) -> None:  # type: ignore[no-untyped-def]
    decision = services.propose_decision(
        tenant=world.tenant("caseworker"),
        case=case,
        data=_decision_data(outcome=Decision.Outcome.REFUSED, scope_unit=""),
    )
    services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=D(2026, 3, 25))
    assert decision.appealable
    assert not Intervention.objects.exists()


def test_decision_validation(world, case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.propose_decision(
            tenant=world.tenant("caseworker"),
            case=case,
            data=_decision_data(period_end=D(2026, 1, 1), scope_unit=""),
        )
    assert set(error.value.message_dict) == {"period_end", "scope_unit"}
    assert not Decision.objects.exists()


def test_concern_report_assessments(world, case) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from django.utils import timezone

    tenant = world.tenant("caseworker")
    received = timezone.make_aware(datetime.datetime(2026, 3, 2, 14, 30))
    report = services.register_concern_report(
        tenant=tenant, case=case, data={"received_at": received, "reporter": "supporter", "content": "Oro"}
    )
    with pytest.raises(IllegalTransition):
        services.record_preliminary_assessment(
            tenant=tenant, report=report, decided_on=D(2026, 3, 3), outcome="investigate", reasons="x"
        )
    services.record_protection_assessment(
        tenant=tenant, report=report, assessed_at=received, assessment="Inget akut", immediate=False
    )
    investigation = services.record_preliminary_assessment(
        tenant=tenant,
        report=report,
        decided_on=D(2026, 3, 10),
        outcome=ConcernReport.Outcome.INVESTIGATE,
        reasons="Behöver utredas",
    )
    assert investigation is not None and investigation.concern_report == report
    assert investigation.started_on == D(2026, 3, 10)


def test_extension_is_the_managers_decision(world, case) -> None:  # type: ignore[no-untyped-def]
    investigation = services.start_investigation(
        tenant=world.tenant("caseworker"), case=case, started_on=D(2026, 3, 4)
    )
    with pytest.raises(PermissionDenied):
        services.extend_investigation(
            tenant=world.tenant("caseworker"),
            investigation=investigation,
            until=D(2026, 9, 1),
            reason="Skäl",
            decided_on=D(2026, 6, 1),
        )
    with pytest.raises(ValidationError):
        services.extend_investigation(
            tenant=world.tenant("manager"),
            investigation=investigation,
            until=D(2026, 9, 1),
            reason=" ",
            decided_on=D(2026, 6, 1),
        )
    extension = services.extend_investigation(
        tenant=world.tenant("manager"),
        investigation=investigation,
        until=D(2026, 9, 1),
        reason="Väntar på BUP",
        decided_on=D(2026, 6, 1),
    )
    assert extension.decided_by == world.users["manager"]


def _active_placement(world, case):  # type: ignore[no-untyped-def]
    decision = services.propose_decision(
        tenant=world.tenant("caseworker"),
        case=case,
        data=_decision_data(
            legal_basis="sol_22", support_kind="familjehem", scope_unit="continuous", scope_amount=None
        ),
    )
    services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=D(2026, 3, 25))
    intervention = decision.intervention
    services.execute_intervention(
        tenant=world.tenant("caseworker"), intervention=intervention, executed_on=D(2026, 4, 1)
    )
    return intervention


def test_pause_resume_end(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    intervention = _active_placement(world, case)
    with pytest.raises(IllegalTransition):
        services.resume_intervention(tenant=tenant, intervention=intervention, resumed_on=D(2026, 5, 1))
    services.pause_intervention(
        tenant=tenant, intervention=intervention, paused_on=D(2026, 5, 1), reason="Sjukdom i familjehemmet"
    )
    assert intervention.status == Intervention.Status.PAUSED
    services.resume_intervention(tenant=tenant, intervention=intervention, resumed_on=D(2026, 6, 1))
    assert intervention.pauses.get().resumed_on == D(2026, 6, 1)
    services.end_intervention(
        tenant=tenant, intervention=intervention, ended_on=D(2026, 10, 1), reason="Målen uppnådda"
    )
    with pytest.raises(IllegalTransition):
        services.execute_intervention(tenant=tenant, intervention=intervention, executed_on=D(2026, 10, 2))


def test_plans_are_versioned_and_placement_events_recorded(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    intervention = _active_placement(world, case)
    data = {
        "kind": Plan.Kind.CARE_PLAN,
        "version_on": D(2026, 4, 1),
        "goals": "Trygghet",
        "actions": "Placering",
        "follow_up": "Var 3:e månad",
    }
    services.save_plan(tenant=tenant, intervention=intervention, data=data)
    services.save_plan(
        tenant=tenant,
        intervention=intervention,
        data={**data, "version_on": D(2026, 9, 1), "goals": "Skolgång"},
    )
    assert list(intervention.plans.values_list("goals", flat=True)) == ["Skolgång", "Trygghet"]
    services.record_placement_event(
        tenant=tenant,
        intervention=intervention,
        kind=PlacementEvent.Kind.VISIT,
        occurred_on=D(2026, 5, 1),
        private_talk=True,
    )
    assert intervention.placement_events.get().private_talk


def test_close_case_requires_everything_closed(world, case) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    services.start_investigation(tenant=tenant, case=case, started_on=D(2026, 3, 4))
    with pytest.raises(IllegalTransition):
        services.close_case(tenant=tenant, case=case, closed_on=D(2026, 4, 1))
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


# ---------------------------------------------------------------------------
# Signed journal entries never change (SoL 14 kap.; item 7 of the casework issue)
# ---------------------------------------------------------------------------
@pytest.fixture
def signed(world, case):  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    entry = services.write_journal_entry(
        tenant=tenant,
        case=case,
        data={"occurred_on": D(2026, 3, 5), "title": "Samtal", "text": "Samtal med mamma."},
    )
    services.edit_journal_draft(tenant=tenant, entry=entry, data={"text": "Samtal med mamma och barnet."})
    with pytest.raises(PermissionDenied):  # only the author signs
        services.sign_journal_entry(tenant=world.tenant("manager"), entry=entry)
    return services.sign_journal_entry(tenant=tenant, entry=entry)


def test_signed_entry_refuses_service_edit(world, signed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SignedEntryImmutable):
        services.edit_journal_draft(tenant=world.tenant("caseworker"), entry=signed, data={"text": "ändrad"})


def test_signed_entry_refuses_model_save_and_delete(signed) -> None:  # type: ignore[no-untyped-def]
    signed.text = "ändrad"
    with pytest.raises(SignedEntryImmutable):
        signed.save()
    with pytest.raises(SignedEntryImmutable):
        signed.delete()


def test_signed_entry_refuses_queryset_update_and_raw_sql(signed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError), transaction.atomic():
        JournalEntry.objects.filter(pk=signed.pk).update(text="ändrad")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE casework_journalentry SET text = 'x' WHERE id = %s",
            [signed.pk.hex if connection.vendor == "sqlite" else signed.pk],
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM casework_journalentry WHERE id = %s",
            [signed.pk.hex if connection.vendor == "sqlite" else signed.pk],
        )
    assert JournalEntry.objects.get(pk=signed.pk).text == "Samtal med mamma och barnet."


def test_correction_is_a_new_entry_referencing_the_old(world, case, signed) -> None:  # type: ignore[no-untyped-def]
    correction = services.write_journal_entry(
        tenant=world.tenant("caseworker"),
        case=case,
        data={"occurred_on": D(2026, 3, 5), "title": "Rättelse", "text": "Pappa var också med."},
        corrects=signed,
    )
    assert correction.corrects == signed
    assert correction.status == JournalEntry.Status.DRAFT
    assert list(signed.corrections.all()) == [correction]


def test_draft_entries_can_still_be_changed_by_sql(world, case) -> None:  # type: ignore[no-untyped-def]
    entry = services.write_journal_entry(
        tenant=world.tenant("caseworker"),
        case=case,
        data={"occurred_on": D(2026, 3, 5), "title": "Utkast", "text": "a"},
    )
    JournalEntry.objects.filter(pk=entry.pk).update(text="b")
    assert JournalEntry.objects.get(pk=entry.pk).text == "b"


def test_cases_are_scoped_to_unit_and_municipality(world, case) -> None:  # type: ignore[no-untyped-def]
    assert list(Case.objects.visible_to(world.tenant("caseworker"))) == [case]
    assert not Case.objects.visible_to(world.tenant("caseworker", other=True)).exists()
    assert not Case.objects.visible_to(world.tenant("family_care_officer")).exists()
    assert not Investigation.objects.visible_to(world.tenant("auditor")).exists()
