"""Supporter pages: the browser journey in test-client form, and who may see what."""

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bredvid.audit.models import Action, AuditEvent
from bredvid.supporters.models import InterestRegistration, Supporter
from tests.factories import PersonFactory


def _post(client, name, *args, data=None):  # type: ignore[no-untyped-def]
    return client.post(reverse(f"staff:{name}", args=args), data or {})


def test_registration_to_approval_pdf(world) -> None:  # type: ignore[no-untyped-def]
    officer = world.client("family_care_officer")
    response = _post(
        officer,
        "registration_new",
        data={
            "supports": ["familjehem"],
            "first_name": "Anna",
            "last_name": "Ek",
            "phone": "0701234567",
            "area": "Nödinge",
        },
    )
    registration = InterestRegistration.objects.get()
    assert response["Location"] == reverse("staff:registration_detail", args=[registration.pk])
    _post(officer, "registration_move", registration.pk, data={"to": "contacted", "note": "Ringde"})
    _post(officer, "registration_start", registration.pk, data={"started_on": "2026-09-01"})
    supporter = Supporter.objects.get()
    anna = PersonFactory(municipality=world.home, first_name="Anna", last_name="Ek")
    _post(
        officer,
        "supporter_member",
        supporter.pk,
        data={"identity_number": anna.identity_number, "adult": "on"},
    )
    _post(
        officer,
        "supporter_member",
        supporter.pk,
        data={"identity_number": "19811228-9874", "first_name": "Bo", "last_name": "Ek", "adult": "on"},
    )
    assert supporter.members.count() == 2
    _post(
        officer,
        "supporter_activity",
        supporter.pk,
        data={"kind": "home_visit", "occurred_on": "2026-09-10", "notes": "Trivsamt hem"},
    )
    _post(
        officer,
        "supporter_training",
        supporter.pk,
        data={"course": "Ett hem att växa i", "sessions_total": 8, "sessions_attended": 8},
    )
    _post(
        officer,
        "supporter_conclude",
        supporter.pk,
        data={"supports": ["familjehem"], "conclusion": "Lämpliga som familjehem"},
    )
    manager = world.client("manager")
    response = _post(manager, "supporter_approve", supporter.pk, data={"decided_on": "2026-10-01"})
    body = response.content.decode()
    assert "saknar giltigt utdrag ur belastningsregistret" in body  # per member, per check
    for member in supporter.members.all():
        for kind in ("police_record", "police_suspicion"):
            _post(
                officer,
                "supporter_check",
                supporter.pk,
                data={
                    "member": member.pk,
                    "kind": kind,
                    "requested_on": "2026-09-02",
                    "received_on": str(dt.date.today()),
                    "outcome": "no_record",
                },
            )
    response = _post(manager, "supporter_approve", supporter.pk, data={"decided_on": str(dt.date.today())})
    assert response.status_code == 302, response.content.decode()[:2000]
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.APPROVED
    pdf = officer.get(reverse("staff:supporter_approval_pdf", args=[supporter.pk]))
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=Action.PRINT, object_type="supporters.supporter").exists()
    response = _post(
        officer,
        "supporter_profile_familjehem",
        supporter.pk,
        data={
            "children_at_once": 2,
            "age_min": 3,
            "age_max": 12,
            "needs": ["npf"],
            "languages": "svenska, arabiska",
        },
    )
    assert response.status_code == 302
    assert supporter.profiles.get().needs == ["npf"]


def test_officer_cannot_approve(world) -> None:  # type: ignore[no-untyped-def]
    supporter = Supporter.objects.create(municipality=world.home, name="Familjen Ek")
    assert (
        world.client("family_care_officer")
        .get(reverse("staff:supporter_approve", args=[supporter.pk]))
        .status_code
        == 403
    )


def test_register_filters_and_export(world) -> None:  # type: ignore[no-untyped-def]
    Supporter.objects.create(
        municipality=world.home,
        name="Familjen Ek",
        status="approved",
        approved_supports=["familjehem"],
        area="Nödinge",
    )
    Supporter.objects.create(
        municipality=world.home,
        name="Per Berg",
        status="approved",
        approved_supports=["kontaktperson"],
        area="Alafors",
    )
    Supporter.objects.create(
        municipality=world.other, name="Annan kommun", status="approved", approved_supports=["familjehem"]
    )
    client = world.client("family_care_officer")
    page = client.get(reverse("staff:supporter_list"), {"uppdrag": "familjehem"})
    assert [s.name for s in page.context["page"]] == ["Familjen Ek"]
    page = client.get(reverse("staff:supporter_list"), {"omrade": "alafors"})
    assert [s.name for s in page.context["page"]] == ["Per Berg"]
    export = client.get(reverse("staff:supporter_export"))
    rows = list(load_workbook(BytesIO(export.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Familjen Ek", "Per Berg"]
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="supporters.supporter").count() == 1


@pytest.mark.parametrize("role", ["caseworker", "auditor", "admin"])
def test_roles_without_the_register(world, role) -> None:  # type: ignore[no-untyped-def]
    assert world.client(role).get(reverse("staff:supporter_list")).status_code == 403
    assert world.client(role).get(reverse("staff:registration_list")).status_code == 403


def test_other_municipality_and_anonymous(world) -> None:  # type: ignore[no-untyped-def]
    supporter = Supporter.objects.create(municipality=world.home, name="Familjen Ek")
    url = reverse("staff:supporter_detail", args=[supporter.pk])
    assert world.client("family_care_officer").get(url).status_code == 200
    assert world.client("family_care_officer", other=True).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_registrations_that_led_nowhere_are_proposed_and_disposed(world, capsys) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command
    from django.utils import timezone

    from bredvid.supporters import services

    data = {"supports": ["kontaktperson"], "first_name": "Old", "last_name": "One", "phone": "1"}
    old = services.register_interest(municipality=world.home, data=data, consent_text="x", source="public")
    recent = services.register_interest(
        municipality=world.home, data={**data, "first_name": "New"}, consent_text="x", source="public"
    )
    officer = world.tenant("family_care_officer")
    for registration in (old, recent):
        services.move_registration(
            tenant=officer, registration=registration, to="closed", close_reason="no_answer"
        )
    InterestRegistration.objects.filter(pk=old.pk).update(
        closed_on=timezone.localdate() - dt.timedelta(days=400)
    )
    page = world.client("family_care_officer").get(reverse("staff:registration_list"), {"status": "disposal"})
    assert [r.pk for r in page.context["page"]] == [old.pk]
    call_command("dispose_interest_registrations")
    assert InterestRegistration.objects.count() == 2  # dry run
    call_command("dispose_interest_registrations", "--commit")
    assert list(InterestRegistration.objects.values_list("pk", flat=True)) == [recent.pk]
    assert (
        AuditEvent.objects.filter(action=Action.DELETE, object_type="supporters.interestregistration").count()
        == 1
    )


def test_free_capacity_filter(world) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from bredvid.supporters.models import SupporterProfile, Unavailability

    free = Supporter.objects.create(
        municipality=world.home, name="Ledig", status="approved", approved_supports=["kontaktfamilj"]
    )
    away = Supporter.objects.create(
        municipality=world.home, name="Bortrest", status="approved", approved_supports=["kontaktfamilj"]
    )
    paused = Supporter.objects.create(
        municipality=world.home, name="Vilande", status="paused", approved_supports=["kontaktfamilj"]
    )
    for s in (free, away, paused):
        SupporterProfile.objects.create(
            municipality=world.home, supporter=s, support_kind="kontaktfamilj", children_at_once=1
        )
    today = timezone.localdate()
    Unavailability.objects.create(
        municipality=world.home,
        supporter=away,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=9),
    )
    page = world.client("family_care_officer").get(reverse("staff:supporter_list"), {"ledig": "1"})
    assert [s.name for s in page.context["page"]] == ["Ledig"]
