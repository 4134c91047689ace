"""Casework routes of API v1: scoped, audited, Swedish 422s, signed journal entries stay as signed."""

import datetime as dt

import pytest

from bredvid.audit.models import Action, AuditEvent
from bredvid.casework import services
from bredvid.casework.models import Application, JournalEntry
from tests.api.conftest import field_errors, send


def test_create_and_list_applications(world, api, case) -> None:  # type: ignore[no-untyped-def]
    client = api("caseworker")
    body = {
        "case_id": str(case.pk),
        "received_on": "2026-11-02",
        "form": "oral",
        "applicant": "guardians",
        "support_kind": "kontaktperson",
    }
    response = send(client, "post", "/api/v1/applications/", body)
    assert response.status_code == 201, response.content
    listing = client.get("/api/v1/applications/", {"case_id": str(case.pk)}).json()
    assert [a["id"] for a in listing["results"]] == [response.json()["id"]]
    assert (listing["count"], listing["page"], listing["page_size"]) == (1, 1, 50)
    event = AuditEvent.objects.filter(action=Action.SEARCH, object_type="casework.application").get()
    assert event.subjects == str(case.client_id)
    assert event.via == "api"


def test_other_municipality_gets_404(world, api, case) -> None:  # type: ignore[no-untyped-def]
    client = api("caseworker", other=True)
    body = {
        "case_id": str(case.pk),
        "received_on": "2026-11-02",
        "form": "oral",
        "applicant": "guardians",
        "support_kind": "kontaktperson",
    }
    assert send(client, "post", "/api/v1/applications/", body).status_code == 404
    assert not Application.objects.exists()
    listing = client.get("/api/v1/applications/", {"case_id": str(case.pk)}).json()
    assert (listing["count"], listing["results"]) == (0, [])


@pytest.mark.parametrize("role", ["auditor", "admin", "family_care_officer"])
def test_roles_without_casework_are_refused(world, api, case, role) -> None:  # type: ignore[no-untyped-def]
    client = api(role)
    assert client.get("/api/v1/decisions/").status_code == 403
    assert client.get("/api/v1/deadlines/").status_code == 403


def test_invalid_input_is_422_in_swedish(world, api, case) -> None:  # type: ignore[no-untyped-def]
    client = api("caseworker")
    response = send(
        client,
        "post",
        "/api/v1/decisions/",
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
    messages = field_errors(response)
    assert messages["body.colour"] == "Okänt fält."
    assert messages["body.outcome"].startswith("Ogiltigt värde.")
    response = send(
        client,
        "post",
        "/api/v1/decisions/",
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


def test_journal_entry_signed_through_the_api_cannot_be_signed_again(world, api, case) -> None:  # type: ignore[no-untyped-def]
    client = api("caseworker")
    entry = send(
        client,
        "post",
        "/api/v1/journal-entries/",
        {"case_id": str(case.pk), "occurred_on": "2026-11-02", "title": "Samtal", "text": "Med mamma."},
    ).json()
    assert entry["status"] == "draft"
    signed = client.post(f"/api/v1/journal-entries/{entry['id']}/sign")
    assert signed.json()["status"] == "signed"
    again = client.post(f"/api/v1/journal-entries/{entry['id']}/sign")
    assert again.status_code == 409
    assert again.json() == {"detail": "Anteckningen är redan signerad."}
    manager = api("manager")
    draft = send(
        client,
        "post",
        "/api/v1/journal-entries/",
        {"case_id": str(case.pk), "occurred_on": "2026-11-03", "title": "Utkast", "text": "x"},
    ).json()
    assert manager.post(f"/api/v1/journal-entries/{draft['id']}/sign").status_code == 403
    assert JournalEntry.objects.get(pk=entry["id"]).text == "Med mamma."


def test_deadlines_due_before(world, api, case) -> None:  # type: ignore[no-untyped-def]
    services.start_investigation(
        tenant=world.tenant("caseworker"), case=case, started_on=dt.date(2026, 10, 31)
    )
    client = api("caseworker")
    items = client.get("/api/v1/deadlines/", {"due_before": "2027-12-31"}).json()["results"]
    assert [(i["kind"], i["due"], i["nominal_due"], i["legal_ref"]) for i in items] == [
        ("investigation", "2027-03-01", "2027-02-28", "SoL 20 kap. 3 §")
    ]
    assert client.get("/api/v1/deadlines/", {"due_before": "2027-01-01"}).json()["results"] == []
    assert client.get("/api/v1/deadlines/", {"due_before": "tomorrow"}).status_code == 422
