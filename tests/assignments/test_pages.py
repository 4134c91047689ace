"""Assignment pages: the list, the page with everything, the actions; who may see what; Att göra."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bredvid.assignments import services
from bredvid.assignments.models import Assignment, Report
from bredvid.audit.models import Action, AuditEvent
from bredvid.tenancy.models import Municipality
from tests.assignments.factories import make_assignment, meeting, stay


def _body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _url(name: str, obj) -> str:  # type: ignore[no-untyped-def]
    key = "assignment_report_id" if isinstance(obj, Report) else "assignment_id"
    return reverse(f"staff:{name}", kwargs={key: obj.pk})


def test_the_page_shows_everything_and_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    officer = world.tenant("family_care_officer")
    services.change_terms(
        tenant=officer, assignment=a, scope_unit="days", planned_per_month=3, fee_level="2",
        allowance_level="hög", child_allowance_deduction=None,
    )  # fmt: skip
    report = services.create_report(tenant=officer, assignment=a, data=stay(activity="Fiske"))
    services.submit_report(tenant=officer, report=report)
    services.add_supervision(
        tenant=officer, assignment=a, held_on=timezone.localdate(), form="meeting", text="Går bra"
    )
    page = _body(world.client("family_care_officer").get(_url("assignment_detail", a)))
    client = a.intervention.case.client
    for text in (a.supporter.name, client.first_name, a.intervention.case.reference, "Fiske", "Går bra",
                 "hög", "Arvodesnivå", "Historik", "Godkänn", "Skicka tillbaka"):  # fmt: skip
        assert text in page, text
    assert client.last_name not in page and client.identity_number not in page
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(a.pk), person_id=client.pk).exists()


def test_caseworker_reads_the_unit_assignment_without_actions(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    page = _body(world.client("caseworker").get(_url("assignment_detail", a)))
    assert a.supporter.name in page and "Registrera träff" not in page
    assert reverse("staff:case_detail", args=[a.intervention.case.pk]) in page
    assert world.client("caseworker").get(_url("assignment_report_new", a)).status_code == 403


@pytest.mark.parametrize(
    "name", ["assignment_detail", "assignment_terms", "assignment_end", "assignment_report_new"]
)
def test_wrong_role_other_municipality_and_anonymous(world, name) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    url = _url(name, a)
    assert world.client("family_care_officer").get(url).status_code == 200
    assert world.client("auditor").get(url).status_code == 403
    assert world.client("admin").get(url).status_code == 403
    assert world.client("family_care_officer", other=True).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_report_actions_through_the_pages(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, kind="kontaktperson")
    officer = world.client("family_care_officer")
    day = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    bad = officer.post(_url("assignment_report_new", a), {"kind": "meeting", "starts_on": day, "hours": "30"})
    assert bad.status_code == 200 and "Ange mellan 0,5 och 24 timmar." in _body(bad)
    assert 'value="30"' in _body(bad) and not Report.objects.exists()  # what was typed stays
    done = officer.post(
        _url("assignment_report_new", a),
        {"kind": "meeting", "starts_on": day, "hours": "2", "activity": "Fika"},
    )
    assert done.status_code == 302 and done["Location"] == _url("assignment_detail", a)
    report = Report.objects.get()
    assert officer.post(_url("assignment_report_submit", report)).status_code == 302
    refused = officer.post(_url("assignment_report_return", report), {"comment": ""})
    assert "Skriv vad som behöver rättas." in _body(refused)
    assert officer.post(_url("assignment_report_approve", report)).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED
    # a locked report: the edit page says so above the form, nothing changes
    locked = officer.post(
        _url("assignment_report_edit", report), {"kind": "meeting", "starts_on": day, "hours": "3"}
    )
    assert "Bara ett utkast eller en återskickad rapport kan ändras." in _body(locked)
    report.refresh_from_db()
    assert report.hours == 2


def test_terms_and_end_through_the_pages(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, kind="kontaktperson")
    officer = world.client("manager")
    response = officer.post(
        _url("assignment_terms", a),
        {"scope_unit": "meetings", "planned_per_month": "4", "fee_level": "3", "allowance_level": "40"},
    )
    assert response.status_code == 302
    bad_end = officer.post(
        _url("assignment_end", a),
        {"end_on": (a.start_on - dt.timedelta(days=1)).isoformat(), "end_reason": "moved"},
    )
    assert "Slutdatum kan inte ligga före startdatum" in _body(bad_end)
    officer.post(
        _url("assignment_end", a), {"end_on": timezone.localdate().isoformat(), "end_reason": "moved"}
    )
    a.refresh_from_db()
    assert a.status == Assignment.Status.ENDED and a.fee_level == "3"
    page = _body(officer.get(_url("assignment_detail", a)))
    assert "Flytt" in page and "Avsluta uppdraget" not in page and "3" in page


def test_the_list_filters_by_status_and_kind(world) -> None:  # type: ignore[no-untyped-def]
    make_assignment(world, name="Familjen Aktiv")
    ended = make_assignment(world, kind="kontaktperson", name="Familjen Slut")
    services.end_assignment(
        tenant=world.tenant("manager"), assignment=ended, end_on=timezone.localdate(), end_reason="moved"
    )
    make_assignment(world, other=True, name="Familjen Borta")
    client = world.client("family_care_officer")
    url = reverse("staff:assignment_list")
    page = _body(client.get(url))
    assert "Familjen Aktiv" in page and "Familjen Slut" not in page and "Familjen Borta" not in page
    page = _body(client.get(url, {"status": "all", "uppdrag": "kontaktperson"}))
    assert "Familjen Slut" in page and "Familjen Aktiv" not in page
    assert _body(client.get(url, {"status": "nonsense", "sida": "x"})).count("Familjen ") == 2
    assert world.client("auditor").get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_list_and_page_have_a_constant_number_of_queries(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    officer = world.client("family_care_officer")
    tenant = world.tenant("family_care_officer")
    first = make_assignment(world, name="Familjen 0")
    services.create_report(tenant=tenant, assignment=first, data=stay())
    url = reverse("staff:assignment_list")
    officer.get(url)
    with CaptureQueriesContext(connection) as small:
        officer.get(url)
        officer.get(_url("assignment_detail", first))
    for n in range(1, 8):
        a = make_assignment(world, name=f"Familjen {n}")
        services.create_report(tenant=tenant, assignment=a, data=meeting(days_ago=n))
        services.create_report(tenant=tenant, assignment=first, data=meeting(days_ago=n))
        services.add_supervision(
            tenant=tenant, assignment=first, held_on=timezone.localdate(), form="phone", text="x"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        list_page = _body(officer.get(url))
        detail = _body(officer.get(_url("assignment_detail", first)))
    assert list_page.count("Familjen ") >= 8 and detail.count("Bio") == 7


def test_unreported_assignments_are_flagged_on_att_gora(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    officer_user = world.users["family_care_officer"]
    quiet = make_assignment(world, name="Familjen Tyst", started_days_ago=100)
    reported = make_assignment(world, name="Familjen Flitig", started_days_ago=100)
    new = make_assignment(world, name="Familjen Ny", started_days_ago=10)
    make_assignment(
        world, name="Familjen Placerad", started_days_ago=100, scope_unit="placement", planned_per_month=None
    )
    returned_only = make_assignment(world, name="Familjen Retur", started_days_ago=100)
    for a in (quiet, reported, new, returned_only):
        a.supporter.responsible = officer_user
        a.supporter.save()
    tenant = world.tenant("family_care_officer")
    services.create_report(tenant=tenant, assignment=reported, data=meeting(days_ago=5))
    old = services.create_report(tenant=tenant, assignment=returned_only, data=stay(arrive_days_ago=20))
    services.submit_report(tenant=tenant, report=old)
    services.return_report(tenant=tenant, report=old, comment="Fel")
    page = _body(world.client("family_care_officer").get(reverse("staff:todo")))
    assert "Uppdrag utan rapport (2)" in page
    assert "Familjen Tyst" in page and "Familjen Retur" in page
    for name in ("Familjen Flitig", "Familjen Ny", "Familjen Placerad"):
        assert name not in page
    # the municipality's setting moves the limit
    Municipality.objects.filter(pk=world.home.pk).update(settings={"report_overdue_days": 7})
    page = _body(world.client("family_care_officer").get(reverse("staff:todo")))
    assert "Uppdrag utan rapport (3)" in page and "Familjen Ny" in page
    # the caseworker has no such section; the other municipality's officer sees none of them
    assert "Uppdrag utan rapport" not in _body(world.client("caseworker").get(reverse("staff:todo")))
    assert "Familjen" not in _body(world.client("family_care_officer", other=True).get(reverse("staff:todo")))


def test_the_report_days_setting_in_the_administration(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.client("admin")
    url = reverse("municipal_admin:settings")
    form = {"register_check_valid_months": "12", "case_access": "units", "report_overdue_days": "0"}
    assert "Kontrollera att detta värde är större än eller lika med 1." in _body(admin.post(url, form))
    assert admin.post(url, {**form, "report_overdue_days": "14"}).status_code == 302
    assert Municipality.objects.get(pk=world.home.pk).report_overdue_days == 14


def test_the_navigation_has_the_assignments(world) -> None:  # type: ignore[no-untyped-def]
    page = _body(world.client("family_care_officer").get(reverse("staff:home")))
    assert reverse("staff:assignment_list") in page
    assert reverse("staff:assignment_list") not in _body(world.client("auditor").get(reverse("staff:home")))


def test_the_page_shows_the_agreement_expenses_and_payments_sections(world) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from bredvid.agreements import services as agreement_services
    from bredvid.agreements.terms import Terms, suggested_terms
    from bredvid.expenses import services as expense_services

    a = make_assignment(world)
    officer = world.tenant("family_care_officer")
    page = _body(world.client("family_care_officer").get(_url("assignment_detail", a)))
    assert "Inget uppdragsavtal är skrivet ännu." in page
    assert "Inget är utbetalt för uppdraget ännu." in page
    assert reverse("staff:agreement_detail", args=[a.pk]) in page
    assert reverse("staff:expense_list", args=[a.pk]) in page

    terms = {**suggested_terms(a), "fee_amount": Decimal(300), "allowance_amount": Decimal(170)}
    agreement_services.create_version(tenant=officer, assignment=a, terms=Terms(**terms))
    expense_services.request_purchase(
        tenant=officer, assignment=a, description="Cykel", incurred_on=timezone.localdate(),
        requested_amount=Decimal(1500),
    )  # fmt: skip
    page = _body(world.client("family_care_officer").get(_url("assignment_detail", a)))
    assert "Väntar på underskrift" in page and "Version 1" in page
    assert "1 utlägg eller inköp, 1 väntar på beslut." in page

    # a caseworker follows the assignment but not the money paid for it
    page = _body(world.client("caseworker").get(_url("assignment_detail", a)))
    assert 'data-testid="section-agreement"' in page and 'data-testid="section-payments"' not in page
