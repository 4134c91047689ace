"""Casework pages: the journey from application to an active intervention, and who may see it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bredvid.audit.models import Action, AuditEvent
from bredvid.casework.models import Case, Decision, Intervention, JournalEntry
from bredvid.people.models import ProtectionLevel
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory


@pytest.fixture
def child(world):  # type: ignore[no-untyped-def]
    return PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )


def _post(client: Client, name: str, *args, data=None):  # type: ignore[no-untyped-def]
    return client.post(reverse(f"staff:{name}", args=args), data or {})


def test_caseworker_journey_from_application_to_active_intervention(world, child) -> None:  # type: ignore[no-untyped-def]
    cw = world.client("caseworker")
    response = _post(
        cw,
        "case_open",
        data={"identity_number": "201506234564", "unit": str(world.home_unit.pk), "opened_on": "2026-09-01"},
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("staff:case_detail", args=[case.pk])
    assert case.reference == "1440-2026-00001"

    response = _post(
        cw,
        "case_application_new",
        case.pk,
        data={
            "received_on": "2026-09-01",
            "form": "written",
            "applicant": "guardians",
            "support_kind": "kontaktfamilj",
            "description": "Avlastning",
        },
    )
    assert response.status_code == 302
    _post(cw, "case_investigation_new", case.pk, data={"started_on": "2026-09-02"})
    investigation = case.investigations.get()
    _post(
        cw,
        "case_investigation_edit",
        case.pk,
        investigation.pk,
        data={"child_needs": "Stöd", "parents_capacity": "", "family_environment": "", "child_view": "Vill"},
    )
    _post(
        cw,
        "case_investigation_conclude",
        case.pk,
        investigation.pk,
        data={"concluded_on": "2026-10-01", "conclusion": "Behov av kontaktfamilj"},
    )
    decision_data = {
        "outcome": "granted",
        "legal_basis": "sol_13_7",
        "support_kind": "kontaktfamilj",
        "scope_amount": "2",
        "scope_unit": "weekends_per_month",
        "period_start": "2026-10-15",
        "reasons": "Behov finns.",
    }
    _post(cw, "case_decision_new", case.pk, data=decision_data)
    decision = case.decisions.get()
    assert decision.investigation == investigation
    # the caseworker has no delegation: the decide page is refused
    assert cw.get(reverse("staff:case_decision_decide", args=[case.pk, decision.pk])).status_code == 403
    manager = world.client("manager")
    _post(manager, "case_decision_decide", case.pk, decision.pk, data={"decided_on": "2026-10-10"})
    decision.refresh_from_db()
    assert decision.status == Decision.Status.DECIDED
    pdf = cw.get(reverse("staff:decision_pdf", args=[case.pk, decision.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=Action.PRINT, person_id=child.pk).count() == 1
    intervention = Intervention.objects.get()
    _post(cw, "case_intervention_execute", case.pk, intervention.pk, data={"executed_on": "2026-10-20"})
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.ACTIVE
    page = cw.get(reverse("staff:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert "Kontaktfamilj – Pågår" in page.content.decode()


def test_bad_input_keeps_the_form_and_saves_nothing(world, child) -> None:  # type: ignore[no-untyped-def]
    case = CaseFactory(unit=world.home_unit, client=child)
    cw = world.client("caseworker")
    response = _post(
        cw,
        "case_decision_new",
        case.pk,
        data={
            "outcome": "granted",
            "legal_basis": "sol_13_7",
            "support_kind": "kontaktfamilj",
            "period_start": "2026-10-15",
            "period_end": "2026-01-01",
            "reasons": "Skäl som ska finnas kvar",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Slutdatumet ligger före startdatumet." in body
    assert "Ange insatsens omfattning." in body
    assert "Skäl som ska finnas kvar" in body
    assert not Decision.objects.exists()
    response = _post(cw, "case_investigation_new", case.pk, data={"started_on": "31-02-2026"})
    assert "Fyll i ett giltigt datum" in response.content.decode()


def test_journal_sign_and_correct_through_pages(world, child) -> None:  # type: ignore[no-untyped-def]
    case = CaseFactory(unit=world.home_unit, client=child)
    cw = world.client("caseworker")
    _post(
        cw,
        "case_journal_new",
        case.pk,
        data={"occurred_on": "2026-11-02", "title": "Hembesök", "text": "Besök i hemmet."},
    )
    entry = JournalEntry.objects.get()
    # another caseworker (the manager) cannot sign or edit someone else's draft
    assert (
        world.client("manager").get(reverse("staff:case_journal_sign", args=[case.pk, entry.pk])).status_code
        == 403
    )
    _post(cw, "case_journal_sign", case.pk, entry.pk)
    entry.refresh_from_db()
    assert entry.status == JournalEntry.Status.SIGNED
    response = _post(
        cw,
        "case_journal_edit",
        case.pk,
        entry.pk,
        data={"occurred_on": "2026-11-02", "title": "x", "text": "ändrad"},
    )
    assert response.status_code == 200
    assert "kan inte ändras" in response.content.decode()
    assert JournalEntry.objects.get(pk=entry.pk).text == "Besök i hemmet."
    _post(
        cw,
        "case_journal_correct",
        case.pk,
        entry.pk,
        data={"occurred_on": "2026-11-02", "title": "Rättelse", "text": "Även pappa var hemma."},
    )
    assert JournalEntry.objects.get(corrects=entry).status == JournalEntry.Status.DRAFT
    pdf = cw.get(reverse("staff:case_file_pdf", args=[case.pk]))
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=Action.PRINT, detail_json__contains="case_file").exists()


def test_case_pages_are_scoped(world, child) -> None:  # type: ignore[no-untyped-def]
    case = CaseFactory(unit=world.home_unit, client=child)
    url = reverse("staff:case_detail", args=[case.pk])
    assert world.client("caseworker").get(url).status_code == 200
    for role in ("caseworker", "manager"):
        assert world.client(role, other=True).get(url).status_code == 404
    for role in ("auditor", "admin", "family_care_officer"):
        assert world.client(role).get(url).status_code == 403
    assert Client().get(url).status_code == 302
    response = world.client("caseworker", other=True).post(
        reverse("staff:case_journal_new", args=[case.pk]),
        {"occurred_on": "2026-11-02", "title": "x", "text": "y"},
    )
    assert response.status_code == 404
    assert not JournalEntry.objects.exists()


def test_protected_client_case_asks_for_reason(world) -> None:  # type: ignore[no-untyped-def]
    client_person = PersonFactory(
        municipality=world.home, protection_level=ProtectionLevel.SKYDDAD_FOLKBOKFORING
    )
    case = CaseFactory(unit=world.home_unit, client=client_person)
    cw = world.client("caseworker")
    url = reverse("staff:case_detail", args=[case.pk])
    assert client_person.last_name not in cw.get(url).content.decode()
    response = cw.post(url, {"reason": "Handläggning av ansökan"})
    assert client_person.last_name in response.content.decode()
    assert (
        AuditEvent.objects.get(action=Action.VIEW, object_type="casework.case").reason
        == "Handläggning av ansökan"
    )


def test_case_list_query_count_is_constant(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    cw = world.client("caseworker")
    CaseFactory.create_batch(2, unit=world.home_unit)
    cw.get(reverse("staff:case_list"))
    with django_assert_max_num_queries(25) as small:
        cw.get(reverse("staff:case_list"))
    CaseFactory.create_batch(30, unit=world.home_unit)
    with django_assert_max_num_queries(25) as large:
        cw.get(reverse("staff:case_list"))
    assert len(small.captured_queries) == len(large.captured_queries)
