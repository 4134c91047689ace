"""API v1 persons: the token's municipality bounds everything; only casework roles see persons."""

import pytest

from bredvid.audit.models import AuditEvent
from bredvid.people.models import Person
from tests.api.conftest import LIST_URL, VALID, detail_url, patch, post
from tests.factories import PersonFactory

CASE_ROLES = ["caseworker", "family_care_officer", "manager"]
NO_CASE_ROLES = ["auditor", "admin"]
FORBIDDEN = "Din roll ger inte tillgång till detta."


def test_other_municipality_gets_404_for_a_home_person(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors")
    client = api("caseworker", other=True)
    state = unchanged()
    for response in (
        client.get(detail_url(person.pk)),
        client.get(detail_url(person.pk), {"reason": "Planerat hembesök"}),
        patch(client, detail_url(person.pk), {"city": "Borlänge"}),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Finns inte."}
    state.assert_same()
    person.refresh_from_db()
    assert person.city == "Alafors"


def test_unknown_person_is_404(world, api) -> None:  # type: ignore[no-untyped-def]
    client = api()
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(detail_url(missing)).status_code == 404
    assert patch(client, detail_url(missing), {"city": "X"}).status_code == 404


def test_list_never_contains_other_municipalities_persons(world, api) -> None:  # type: ignore[no-untyped-def]
    home = PersonFactory.create_batch(4, municipality=world.home)
    other = PersonFactory.create_batch(3, municipality=world.other)
    for people, client in ((home, api()), (other, api(other=True))):
        body = client.get(LIST_URL, {"page_size": 200}).json()
        assert body["count"] == len(people)
        assert {p["id"] for p in body["results"]} == {str(p.pk) for p in people}


def test_search_by_identity_number_stays_in_the_municipality(world, api) -> None:  # type: ignore[no-untyped-def]
    home = PersonFactory(municipality=world.home)
    body = api(other=True).get(LIST_URL, {"q": home.identity_number}).json()
    assert body["count"] == 0 and body["results"] == []
    body = api(other=True).get(LIST_URL, {"q": home.last_name}).json()
    assert str(home.pk) not in {p["id"] for p in body["results"]}
    assert api().get(LIST_URL, {"q": home.identity_number}).json()["results"][0]["id"] == str(home.pk)


def test_create_goes_into_the_tokens_municipality(world, api) -> None:  # type: ignore[no-untyped-def]
    PersonFactory(municipality=world.home, identity_number=VALID["identity_number"])
    response = post(api(other=True), VALID)  # the same number may exist in another municipality
    assert response.status_code == 201, response.content
    assert Person.objects.get(pk=response.json()["id"]).municipality == world.other


@pytest.mark.parametrize("role", NO_CASE_ROLES)
def test_roles_without_case_access_get_403_everywhere(world, api, unchanged, role) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors")
    client = api(role)
    state = unchanged()
    for response in (
        client.get(LIST_URL),
        client.get(LIST_URL, {"q": person.identity_number}),
        client.get(detail_url(person.pk)),
        post(client, VALID),
        patch(client, detail_url(person.pk), {"city": "Nödinge"}),
    ):
        assert response.status_code == 403, response.content
        assert response.json() == {"detail": FORBIDDEN}
    state.assert_same()
    person.refresh_from_db()
    assert person.city == "Alafors"


@pytest.mark.parametrize("role", CASE_ROLES)
def test_casework_roles_list_read_create_and_change(world, api, role) -> None:  # type: ignore[no-untyped-def]
    existing = PersonFactory(municipality=world.home)
    client = api(role)

    listed = client.get(LIST_URL)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["results"]] == [str(existing.pk)]

    shown = client.get(detail_url(existing.pk))
    assert shown.status_code == 200
    assert shown.json()["identity_number"] == existing.identity_number
    assert shown.json()["street_address"] == existing.street_address

    created = post(client, {**VALID, "identity_number": "198112289874", "city": "Alafors"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["identity_number"] == "19811228-9874"  # normalised
    assert body["birth_date"] == "1981-12-28"  # derived from the number
    assert body["identity_kind"] == "personnummer" and body["address_hidden"] is False

    changed = patch(client, detail_url(body["id"]), {"city": "Nödinge", "needs_interpreter": True})
    assert changed.status_code == 200, changed.content
    assert changed.json()["city"] == "Nödinge" and changed.json()["needs_interpreter"] is True
    person = Person.objects.get(pk=body["id"])
    assert (person.city, person.needs_interpreter, person.municipality) == ("Nödinge", True, world.home)
    assert AuditEvent.objects.filter(person_id=person.pk, actor=world.users[role]).count() == 2
