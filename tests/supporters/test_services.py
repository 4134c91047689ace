"""Supporters: the inbox, the assessment and the police-check rule for familjehem and jourhem."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bredvid.audit.models import Action, AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.supporters import services
from bredvid.supporters.models import InterestRegistration, RegisterCheck, Supporter
from tests.factories import PersonFactory

D = dt.date
CONSENT = "Jag samtycker till att kommunen behandlar mina uppgifter för att handlägga anmälan."


@pytest.fixture
def registration(world):  # type: ignore[no-untyped-def]
    data = {
        "supports": ["familjehem", "kontaktfamilj"],
        "first_name": "Anna",
        "last_name": "Ek",
        "phone": "070-1234567",
        "area": "Nödinge",
    }
    return services.register_interest(
        municipality=world.home, data=data, consent_text=CONSENT, source="public"
    )


@pytest.fixture
def household(world, registration):  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    supporter = services.start_investigation(
        tenant=officer, registration=registration, started_on=D(2026, 9, 1)
    )
    anna = PersonFactory(municipality=world.home, first_name="Anna", last_name="Ek")
    bo = PersonFactory(municipality=world.home, first_name="Bo", last_name="Ek")
    members = [services.add_member(tenant=officer, supporter=supporter, person=p) for p in (anna, bo)]
    return supporter, members


def test_public_registration_needs_a_way_to_reach_and_a_support(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.register_interest(
            municipality=world.home,
            data={"supports": ["familjehem"], "first_name": "A", "last_name": "B"},
            consent_text=CONSENT,
            source="public",
        )
    assert "phone" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.register_interest(
            municipality=world.home,
            data={"supports": [], "first_name": "A", "last_name": "B", "phone": "1"},
            consent_text=CONSENT,
            source="public",
        )
    assert not InterestRegistration.objects.exists()


def test_inbox_transitions(world, registration) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    services.move_registration(tenant=officer, registration=registration, to="contacted", note="Ringt")
    services.move_registration(tenant=officer, registration=registration, to="invited")
    with pytest.raises(IllegalTransition):
        services.move_registration(tenant=officer, registration=registration, to="contacted")
    with pytest.raises(ValidationError):
        services.move_registration(tenant=officer, registration=registration, to="closed")
    services.move_registration(
        tenant=officer, registration=registration, to="closed", close_reason="withdrawn"
    )
    assert [e.status for e in registration.events.all()] == ["contacted", "invited", "closed"]
    with pytest.raises(PermissionDenied):
        services.move_registration(
            tenant=world.tenant("caseworker"), registration=registration, to="contacted"
        )


def test_approval_for_familjehem_requires_valid_police_checks_per_adult(world, household) -> None:  # type: ignore[no-untyped-def]
    supporter, (anna, bo) = household
    officer, manager = world.tenant("family_care_officer"), world.tenant("manager")
    assessment = supporter.assessments.get()
    services.conclude_assessment(
        tenant=officer, assessment=assessment, conclusion="Lämpliga", supports=["familjehem"]
    )
    for kind in (RegisterCheck.Kind.POLICE_RECORD, RegisterCheck.Kind.POLICE_SUSPICION):
        services.record_register_check(
            tenant=officer,
            member=anna,
            kind=kind,
            requested_on=D(2026, 9, 2),
            received_on=D(2026, 9, 10),
            outcome="no_record",
        )
    services.record_register_check(
        tenant=officer,
        member=bo,
        kind=RegisterCheck.Kind.POLICE_RECORD,
        requested_on=D(2026, 9, 2),
        received_on=D(2026, 9, 10),
        outcome="no_record",
    )
    with pytest.raises(ValidationError) as error:
        services.approve(tenant=manager, assessment=assessment, decided_on=D(2026, 10, 1))
    assert error.value.message_dict["supports"] == [
        f"{bo.person.full_name} saknar giltigt utdrag ur misstankeregistret."
    ]
    services.record_register_check(
        tenant=officer,
        member=bo,
        kind=RegisterCheck.Kind.POLICE_SUSPICION,
        requested_on=D(2026, 9, 2),
        received_on=D(2026, 9, 12),
        outcome="record",
        note="Gammal uppgift, bedömd",
    )
    with pytest.raises(PermissionDenied):
        services.approve(tenant=officer, assessment=assessment, decided_on=D(2026, 10, 1))
    services.approve(tenant=manager, assessment=assessment, decided_on=D(2026, 10, 1))
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.APPROVED
    assert supporter.approved_supports == ["familjehem"]
    assert supporter.profiles.get().support_kind == "familjehem"
    services.ensure_assignable(supporter, "familjehem", D(2027, 9, 9))  # checks valid 12 months
    with pytest.raises(IllegalTransition, match="saknar giltigt utdrag"):
        services.ensure_assignable(supporter, "familjehem", D(2027, 9, 11))
    with pytest.raises(IllegalTransition):
        services.ensure_assignable(supporter, "kontaktperson", D(2026, 10, 2))


def test_kontaktfamilj_needs_no_police_check(world, household) -> None:  # type: ignore[no-untyped-def]
    supporter, _ = household
    assessment = supporter.assessments.get()
    services.conclude_assessment(
        tenant=world.tenant("family_care_officer"),
        assessment=assessment,
        conclusion="Lämpliga",
        supports=["kontaktfamilj"],
    )
    services.approve(tenant=world.tenant("manager"), assessment=assessment, decided_on=D(2026, 10, 1))
    assert Supporter.objects.get().approved_supports == ["kontaktfamilj"]


def test_pending_or_disqualifying_checks_do_not_count(world, household) -> None:  # type: ignore[no-untyped-def]
    supporter, (anna, bo) = household
    officer = world.tenant("family_care_officer")
    for member in (anna, bo):
        services.record_register_check(
            tenant=officer, member=member, kind="police_record", requested_on=D(2026, 9, 2)
        )
        services.record_register_check(
            tenant=officer,
            member=member,
            kind="police_suspicion",
            requested_on=D(2026, 9, 2),
            received_on=D(2026, 9, 3),
            outcome="disqualifying",
        )
    problems = services.police_check_problems(supporter, D(2026, 10, 1))
    assert len(problems) == 4


def test_status_transitions_and_audit(world, household) -> None:  # type: ignore[no-untyped-def]
    supporter, _ = household
    officer = world.tenant("family_care_officer")
    with pytest.raises(IllegalTransition):
        services.pause(tenant=officer, supporter=supporter, reason="Flytt", until=None)
    assessment = supporter.assessments.get()
    services.conclude_assessment(
        tenant=officer, assessment=assessment, conclusion="Ok", supports=["kontaktfamilj"]
    )
    services.approve(tenant=world.tenant("manager"), assessment=assessment, decided_on=D(2026, 10, 1))
    services.pause(tenant=officer, supporter=supporter, reason="Föräldraledighet", until=D(2027, 6, 1))
    services.resume(tenant=officer, supporter=supporter)
    services.end(tenant=officer, supporter=supporter, reason="Flyttar", ended_on=D(2027, 1, 1))
    with pytest.raises(IllegalTransition):
        services.end(tenant=officer, supporter=supporter, reason="x", ended_on=D(2027, 1, 2))
    assert AuditEvent.objects.filter(object_type="supporters.supporter", action=Action.UPDATE).count() >= 5


def test_training_sessions(world, household) -> None:  # type: ignore[no-untyped-def]
    supporter, _ = household
    officer = world.tenant("family_care_officer")
    with pytest.raises(ValidationError):
        services.record_training(
            tenant=officer, supporter=supporter, course="Ett hem att växa i", sessions_attended=9
        )
    training = services.record_training(
        tenant=officer,
        supporter=supporter,
        course="Ett hem att växa i",
        sessions_attended=8,
        completed_on=D(2026, 10, 20),
    )
    assert str(training) == "Ett hem att växa i 8/8"


def test_scoping(world, household) -> None:  # type: ignore[no-untyped-def]
    assert Supporter.objects.visible_to(world.tenant("family_care_officer")).count() == 1
    assert not Supporter.objects.visible_to(world.tenant("family_care_officer", other=True)).exists()
    assert not Supporter.objects.visible_to(world.tenant("caseworker")).exists()
    assert not Supporter.objects.visible_to(world.tenant("auditor")).exists()


def test_locality_gives_coordinates_offline() -> None:
    from bredvid.supporters.geo import locate

    lat, lon = locate("Pajala")  # type: ignore[misc]
    assert 67.1 < lat < 67.3 and 23.2 < lon < 23.5
    assert locate("  borlänge ") == locate("Borlänge")
    assert locate("Ingenstans-på-jorden") is None
    assert locate("", "Alafors") is not None


def test_investigation_sets_coordinates_from_locality(world) -> None:  # type: ignore[no-untyped-def]
    data = {
        "supports": ["kontaktperson"],
        "first_name": "Per",
        "last_name": "Berg",
        "phone": "1",
        "city": "Alafors",
    }
    registration = services.register_interest(
        municipality=world.home, data=data, consent_text=CONSENT, source="public"
    )
    supporter = services.start_investigation(
        tenant=world.tenant("family_care_officer"), registration=registration, started_on=D(2026, 9, 1)
    )
    assert supporter.latitude is not None and 57.8 < supporter.latitude < 58.0
