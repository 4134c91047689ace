"""API v1 persons: authentication, scoping, roles, Swedish 422s, protected persons, audit, query counts."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bredvid.accounts.models import ApiToken, hash_token
from bredvid.accounts.services import issue_api_token
from bredvid.audit.models import Action, AuditEvent
from bredvid.people.models import Person, ProtectionLevel
from tests.factories import PersonFactory, PersonStaffAccessFactory

URL = "/api/v1/persons/"


def api(world, role="caseworker", other=False):  # type: ignore[no-untyped-def]
    users = world.other_users if other else world.users
    token = issue_api_token(user=users[role], municipality=world.other if other else world.home)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client, body, url=URL):  # type: ignore[no-untyped-def]
    return client.post(url, data=json.dumps(body), content_type="application/json")


def patch(client, url, body):  # type: ignore[no-untyped-def]
    return client.patch(url, data=json.dumps(body), content_type="application/json")


VALID = {"identity_number": "19811228-9874", "first_name": "Nora", "last_name": "Lind"}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer bv1_not-a-real-token", "Token abc"],
)
def test_missing_or_bad_token_is_401_in_swedish(db, header) -> None:  # type: ignore[no-untyped-def]
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "API-nyckel saknas eller är ogiltig."}
    assert response["WWW-Authenticate"] == "Bearer"


def test_revoked_token_and_inactive_user_are_401(world) -> None:  # type: ignore[no-untyped-def]
    token = issue_api_token(user=world.users["caseworker"], municipality=world.home)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get(URL).status_code == 200
    ApiToken.objects.filter(token_hash=hash_token(token)).update(revoked_at=timezone.now())
    assert client.get(URL).status_code == 401
    other = issue_api_token(user=world.users["manager"], municipality=world.home)
    world.users["manager"].is_active = False
    world.users["manager"].save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other}").get(URL).status_code == 401


def test_token_is_stored_hashed_and_the_command_prints_only_it(world, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("issue_api_token", "caseworker.home")
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("bv1_") and "\n" not in printed
    stored = ApiToken.objects.get(user=world.users["caseworker"])
    assert stored.token_hash == hash_token(printed) != printed
    assert Client(HTTP_AUTHORIZATION=f"Bearer {printed}").get(URL).status_code == 200
    assert AuditEvent.objects.filter(action=Action.TOKEN_ISSUED).count() == 1


def test_scoping_other_municipality_is_404_and_never_listed(world) -> None:  # type: ignore[no-untyped-def]
    home = PersonFactory(municipality=world.home)
    PersonFactory(municipality=world.other)
    other_api = api(world, other=True)
    assert other_api.get(f"{URL}{home.pk}").status_code == 404
    assert patch(other_api, f"{URL}{home.pk}", {"city": "X"}).status_code == 404
    ids = [p["id"] for p in other_api.get(URL).json()["results"]]
    assert str(home.pk) not in ids and len(ids) == 1
    home.refresh_from_db()
    assert home.city != "X"


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_case_access_get_403(world, role) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    client = api(world, role)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{person.pk}").status_code == 403
    assert post(client, VALID).status_code == 403
    assert not Person.objects.filter(identity_number=VALID["identity_number"]).exists()


@pytest.mark.parametrize("role", ["caseworker", "family_care_officer", "manager"])
def test_case_roles_create_read_and_change(world, role) -> None:  # type: ignore[no-untyped-def]
    client = api(world, role)
    created = post(client, VALID)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["identity_number"] == "19811228-9874" and body["birth_date"] == "1981-12-28"
    url = f"{URL}{body['id']}"
    assert client.get(url).json()["first_name"] == "Nora"
    changed = patch(client, url, {"city": "Nödinge", "phone": "070-1"})
    assert changed.status_code == 200 and changed.json()["city"] == "Nödinge"
    [update] = AuditEvent.objects.filter(action=Action.UPDATE, person_id=body["id"])
    assert update.detail == {"fields": ["city", "phone"]}
    assert "Nödinge" not in update.detail_json
    assert update.via == "api"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {**VALID, "identity_number": "19811228-9875"},
            "body.identity_number",
            "Kontrollsiffran stämmer inte.",
        ),
        (
            {**VALID, "identity_number": "19810231-1234"},
            "body.identity_number",
            "Födelsedatumet i numret finns inte.",
        ),
        ({**VALID, "first_name": "x" * 101}, "body.first_name", "Högst 100 tecken."),
        ({**VALID, "colour": "blå"}, "body.colour", "Okänt fält."),
        ({"first_name": "A", "last_name": "B"}, "body.identity_number", "Fältet måste fyllas i."),
        ({**VALID, "needs_interpreter": "kanske"}, "body.needs_interpreter", "Ska vara true eller false."),
        ({**VALID, "protection_level": "hemlig"}, "body.protection_level", "Ogiltigt värde."),
        ({**VALID, "email": "inte-en-adress"}, "body.email", "giltig e-postadress"),
        (
            {**VALID, "identity_kind": "reserve", "identity_number": "R-1"},
            "body.birth_date",
            "Ange födelsedatum",
        ),
    ],
)
def test_invalid_input_is_422_with_swedish_messages_and_nothing_saved(world, body, field, message) -> None:  # type: ignore[no-untyped-def]
    response = post(api(world), body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_unknown_field_and_null_in_patch(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors")
    client = api(world)
    response = patch(client, f"{URL}{person.pk}", {"city": "X", "shoe_size": 44})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body.shoe_size"
    response = patch(client, f"{URL}{person.pk}", {"first_name": None})
    assert response.status_code == 422
    person.refresh_from_db()
    assert person.city == "Alafors"


def test_malformed_requests_are_never_500(world) -> None:  # type: ignore[no-untyped-def]
    client = api(world)
    response = client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert client.get(f"{URL}not-a-uuid").status_code in (404, 422)
    assert client.get(URL, {"page_size": 500}).status_code == 422
    assert client.get(URL, {"page": 0}).status_code == 422
    assert client.get(URL, {"q": "x" * 500}).status_code == 422


def test_protected_person_needs_a_reason_and_hides_the_address(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.SKYDDAD_FOLKBOKFORING)
    client = api(world)
    refused = client.get(f"{URL}{person.pk}")
    assert refused.status_code == 403 and "skäl" in refused.json()["detail"]
    shown = client.get(f"{URL}{person.pk}", {"reason": "Planerat hembesök"})
    assert shown.status_code == 200
    assert shown.json()["street_address"] is None and shown.json()["address_hidden"] is True
    [view] = AuditEvent.objects.filter(action=Action.VIEW, person_id=person.pk)
    assert view.reason == "Planerat hembesök" and view.via == "api"
    listed = client.get(URL).json()["results"]
    assert listed[0]["street_address"] is None
    assert patch(client, f"{URL}{person.pk}", {"city": "X"}).status_code == 403
    PersonStaffAccessFactory(person=person, user=world.users["caseworker"])
    assert (
        client.get(f"{URL}{person.pk}", {"reason": "Planerat hembesök"}).json()["street_address"]
        == person.street_address
    )


def test_list_writes_one_search_event_naming_everyone_shown(world) -> None:  # type: ignore[no-untyped-def]
    people = PersonFactory.create_batch(3, municipality=world.home)
    api(world).get(URL)
    [event] = AuditEvent.objects.filter(action=Action.SEARCH)
    assert set(event.subjects.split()) == {str(p.pk) for p in people}


def test_list_query_count_does_not_grow_with_page_size(world) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(120, municipality=world.home)
    client = api(world)
    client.get(URL, {"page_size": 5})
    counts = []
    for size in (5, 100):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(URL, {"page_size": size}).json()["results"]) == size
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_openapi_and_docs_work_offline(db) -> None:  # type: ignore[no-untyped-def]
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/persons/"]) and {"get", "patch"} <= set(
        paths["/api/v1/persons/{person_id}"]
    )
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html
