"""Casework routes of API v1: scoped, audited, Swedish 422s, signed journal entries stay as signed."""

import datetime as dt
import json

import pytest
from django.test import Client

from bredvid.accounts.services import issue_api_token
from bredvid.audit.models import Action, AuditEvent
from bredvid.casework import services
from bredvid.casework.models import Application, JournalEntry
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory


def _client(world, role, other=False):  # type: ignore[no-untyped-def]
    users = world.other_users if other else world.users
    token = issue_api_token(user=users[role], municipality=world.other if other else world.home)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    child = PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )
    return CaseFactory(unit=world.home_unit, client=child, responsible=world.users["caseworker"])


def _post(client, path, body):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/{path}", data=json.dumps(body, default=str), content_type="application/json")


def test_create_and_list_applications(world, case) -> None:  # type: ignore[no-untyped-def]
    api = _client(world, "caseworker")
    body = {
        "case_id": str(case.pk),
        "received_on": "2026-11-02",
        "form": "oral",
        "applicant": "guardians",
        "support_kind": "kontaktperson",
    }
    response = _post(api, "applications/", body)
    assert response.status_code == 201, response.content
    listing = api.get("/api/v1/applications/", {"case_id": str(case.pk)}).json()
    assert [a["id"] for a in listing] == [response.json()["id"]]
    event = AuditEvent.objects.filter(action=Action.SEARCH, object_type="casework.application").get()
    assert event.subjects == str(case.client_id)
    assert event.via == "api"


def test_other_municipality_gets_404(world, case) -> None:  # type: ignore[no-untyped-def]
    api = _client(world, "caseworker", other=True)
    body = {
        "case_id": str(case.pk),
        "received_on": "2026-11-02",
        "form": "oral",
        "applicant": "guardians",
        "support_kind": "kontaktperson",
    }
    assert _post(api, "applications/", body).status_code == 404
    assert not Application.objects.exists()
    assert api.get("/api/v1/applications/", {"case_id": str(case.pk)}).json() == []


@pytest.mark.parametrize("role", ["auditor", "admin", "family_care_officer"])
def test_roles_without_casework_are_refused(world, case, role) -> None:  # type: ignore[no-untyped-def]
    api = _client(world, role)
    assert api.get("/api/v1/decisions/").status_code == 403
    assert api.get("/api/v1/deadlines/").status_code == 403


def test_invalid_input_is_422_in_swedish(world, case) -> None:  # type: ignore[no-untyped-def]
    api = _client(world, "caseworker")
    response = _post(
        api,
        "decisions/",
        {
            "case_id": str(case.pk),
            "outcome": "maybe",
            "legal_basis": "sol_13_7",
            "support_kind": "kontaktperson",
            "period_start": "2026-11-01",
            "reasons": "x",
            "colour": "red",
        },
    )
    assert response.status_code == 422
    messages = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert messages["body.colour"] == "Okänt fält."
    assert messages["body.outcome"].startswith("Ogiltigt värde.")
    response = _post(
        api,
        "decisions/",
        {
            "case_id": str(case.pk),
            "outcome": "granted",
            "legal_basis": "sol_13_7",
            "support_kind": "kontaktperson",
            "period_start": "2026-11-01",
            "reasons": "Skäl",
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "field": "body.scope_unit",
        "loc": ["body", "scope_unit"],
        "message": "Ange insatsens omfattning.",
        "type": "invalid",
    }


def test_journal_entry_signed_through_the_api_cannot_be_signed_again(world, case) -> None:  # type: ignore[no-untyped-def]
    api = _client(world, "caseworker")
    entry = _post(
        api,
        "journal-entries/",
        {"case_id": str(case.pk), "occurred_on": "2026-11-02", "title": "Samtal", "text": "Med mamma."},
    ).json()
    assert entry["status"] == "draft"
    signed = api.post(f"/api/v1/journal-entries/{entry['id']}/sign")
    assert signed.json()["status"] == "signed"
    again = api.post(f"/api/v1/journal-entries/{entry['id']}/sign")
    assert again.status_code == 409
    assert again.json() == {"detail": "Anteckningen är redan signerad."}
    manager = _client(world, "manager")
    draft = _post(
        api,
        "journal-entries/",
        {"case_id": str(case.pk), "occurred_on": "2026-11-03", "title": "Utkast", "text": "x"},
    ).json()
    assert manager.post(f"/api/v1/journal-entries/{draft['id']}/sign").status_code == 403
    assert JournalEntry.objects.get(pk=entry["id"]).text == "Med mamma."


def test_deadlines_due_before(world, case) -> None:  # type: ignore[no-untyped-def]
    services.start_investigation(
        tenant=world.tenant("caseworker"), case=case, started_on=dt.date(2026, 10, 31)
    )
    api = _client(world, "caseworker")
    items = api.get("/api/v1/deadlines/", {"due_before": "2027-12-31"}).json()
    assert [(i["kind"], i["due"], i["nominal_due"], i["legal_ref"]) for i in items] == [
        ("investigation", "2027-03-01", "2027-02-28", "SoL 20 kap. 3 §")
    ]
    assert api.get("/api/v1/deadlines/", {"due_before": "2027-01-01"}).json() == []
    assert api.get("/api/v1/deadlines/", {"due_before": "tomorrow"}).status_code == 422


def test_supporter_routes(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.supporters.models import Supporter

    api = _client(world, "family_care_officer")
    created = _post(
        api,
        "interest-registrations/",
        {"supports": ["kontaktperson"], "first_name": "Per", "last_name": "Berg", "phone": "070"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "new"
    assert [r["id"] for r in api.get("/api/v1/interest-registrations/").json()] == [created.json()["id"]]
    bad = _post(
        api, "interest-registrations/", {"supports": ["gardener"], "first_name": "Per", "last_name": "Berg"}
    )
    assert bad.status_code == 422
    supporter = Supporter.objects.create(municipality=world.home, name="Familjen Ek")
    assert api.get(f"/api/v1/supporters/{supporter.pk}").json()["name"] == "Familjen Ek"
    assert (
        _client(world, "family_care_officer", other=True)
        .get(f"/api/v1/supporters/{supporter.pk}")
        .status_code
        == 404
    )
    assert _client(world, "caseworker").get("/api/v1/supporters/").status_code == 403
    assert api.get("/api/v1/assessments/").json() == []
