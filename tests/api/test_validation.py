"""API v1 persons: bad input is a 422 (or 400) with Swedish messages and field paths, never a 500,
and nothing is saved or audited as a change."""

import pytest

from bredvid.people.models import Person
from tests.api.conftest import LIST_URL, VALID, detail_url, errors_by_field, patch, post, send
from tests.factories import PersonFactory

# Phrases of pydantic's and ninja's English messages; none may reach a client.
ENGLISH = (
    "Input should",
    "Field required",
    "Extra inputs",
    "String should",
    "Invalid",
    "Cannot parse",
    "Value",
)
NOT_JSON = "Anropets innehåll kunde inte tolkas. Skicka JSON med Content-Type: application/json."


def assert_422(response, field: str, message: str) -> None:  # type: ignore[no-untyped-def]
    """422, the message on the field (exactly, or as a prefix ending in '…'), every message Swedish."""
    assert response.status_code == 422, response.content
    errors = errors_by_field(response)
    assert field in errors, errors
    if message.endswith("…"):
        assert any(m.startswith(message[:-1]) for m in errors[field]), errors
    else:
        assert message in errors[field], errors
    for item in response.json()["detail"]:
        assert item["loc"][0] in {"body", "query", "path"} and item["field"] == ".".join(
            map(str, item["loc"])
        )
        assert not any(phrase in item["message"] for phrase in ENGLISH), item


CREATE_CASES = [
    # the identity number
    ({**VALID, "identity_number": "19811228-9875"}, "body.identity_number", "Kontrollsiffran stämmer inte."),
    (
        {**VALID, "identity_number": "19810231-1234"},
        "body.identity_number",
        "Födelsedatumet i numret finns inte.",
    ),
    (
        {**VALID, "identity_number": "19811328-9874"},
        "body.identity_number",
        "Födelsedatumet i numret finns inte.",
    ),
    ({**VALID, "identity_number": 198112289874}, "body.identity_number", "Ska vara text."),
    ({**VALID, "identity_number": ""}, "body.identity_number", "Minst 1 tecken."),
    ({**VALID, "identity_number": "1" * 21}, "body.identity_number", "Högst 20 tecken."),
    # dates
    (
        {**VALID, "identity_kind": "reserve", "identity_number": "R-1", "birth_date": "2021-02-30"},
        "body.birth_date",
        "Ange datum som ÅÅÅÅ-MM-DD.",
    ),
    ({**VALID, "birth_date": "igår"}, "body.birth_date", "Ange datum som ÅÅÅÅ-MM-DD."),
    (
        {**VALID, "identity_kind": "reserve", "identity_number": "R-1"},
        "body.birth_date",
        "Ange födelsedatum…",
    ),
    # sizes
    ({**VALID, "first_name": "x" * 101}, "body.first_name", "Högst 100 tecken."),
    ({**VALID, "last_name": "x" * 101}, "body.last_name", "Högst 100 tecken."),
    ({**VALID, "first_name": ""}, "body.first_name", "Minst 1 tecken."),
    ({**VALID, "street_address": "x" * 201}, "body.street_address", "Högst 200 tecken."),
    ({**VALID, "postal_code": "123 456"}, "body.postal_code", "Högst 6 tecken."),
    ({**VALID, "email": "x" * 250 + "@ale.se"}, "body.email", "Högst 254 tecken."),
    # unknown fields, also ones the model has but the API does not take
    ({**VALID, "colour": "blå"}, "body.colour", "Okänt fält."),
    ({**VALID, "municipality": "2081"}, "body.municipality", "Okänt fält."),
    ({**VALID, "id": "00000000-0000-4000-8000-000000000000"}, "body.id", "Okänt fält."),
    # types and choices
    ({**VALID, "first_name": 12}, "body.first_name", "Ska vara text."),
    ({**VALID, "first_name": ["Nora"]}, "body.first_name", "Ska vara text."),
    ({**VALID, "needs_interpreter": "kanske"}, "body.needs_interpreter", "Ska vara true eller false."),
    ({**VALID, "protection_level": "hemlig"}, "body.protection_level", "Ogiltigt värde. Tillåtna värden: …"),
    ({**VALID, "identity_kind": "passnummer"}, "body.identity_kind", "Ogiltigt värde. Tillåtna värden: …"),
    ({**VALID, "email": "inte-en-adress"}, "body.email", "Fyll i en giltig e-postadress."),
    # missing required fields
    ({"first_name": "Nora", "last_name": "Lind"}, "body.identity_number", "Fältet måste fyllas i."),
    ({"identity_number": "19811228-9874", "last_name": "Lind"}, "body.first_name", "Fältet måste fyllas i."),
    ({"identity_number": "19811228-9874", "first_name": "Nora"}, "body.last_name", "Fältet måste fyllas i."),
    # not an object
    ([VALID], "body", "Ogiltig JSON i anropet."),
    ("null", "body", "Ogiltig JSON i anropet."),
    ('"text"', "body", "Ogiltig JSON i anropet."),
]


@pytest.mark.parametrize(("body", "field", "message"), CREATE_CASES)
def test_create_with_bad_input_is_422_and_saves_nothing(world, api, unchanged, body, field, message) -> None:  # type: ignore[no-untyped-def]
    client = api()
    state = unchanged()
    assert_422(post(client, body), field, message)
    state.assert_same()


def test_create_with_no_body_names_every_required_field(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    state = unchanged()
    for body in ({}, ""):
        response = post(api(), body)
        assert response.status_code == 422
        errors = errors_by_field(response)
        if body == "":
            assert errors == {"body": ["Fältet måste fyllas i."]}
        else:
            assert errors == {f"body.{name}": ["Fältet måste fyllas i."] for name in VALID}
    state.assert_same()


def test_create_of_a_number_already_registered_is_422(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    PersonFactory(municipality=world.home, identity_number=VALID["identity_number"])
    state = unchanged()
    response = post(api(), {**VALID, "identity_number": "198112289874"})
    assert_422(response, "body.identity_number", "Det finns redan en person med det numret i kommunen.")
    state.assert_same()


@pytest.mark.parametrize(
    "raw",
    ["{not json", '{"first_name": "Nora",}', b"\xff\xfe\x00", "identity_number=19811228-9874"],
    ids=["syntax", "trailing-comma", "not-utf8", "form-encoded"],
)
def test_malformed_body_is_400_in_swedish_not_500(world, api, unchanged, raw) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors")
    client = api()
    state = unchanged()
    for response in (post(client, raw), patch(client, detail_url(person.pk), raw)):
        assert response.status_code == 400, response.content
        assert response.json() == {"detail": NOT_JSON}
    state.assert_same()
    person.refresh_from_db()
    assert person.city == "Alafors"


def test_form_post_is_not_500(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    state = unchanged()
    response = api().post(LIST_URL, VALID)  # multipart form, not JSON
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    state.assert_same()


PATCH_CASES = [
    ({"city": "X", "shoe_size": 44}, "body.shoe_size", "Okänt fält."),
    ({"municipality": "2081"}, "body.municipality", "Okänt fält."),
    ({"first_name": "x" * 101}, "body.first_name", "Högst 100 tecken."),
    ({"first_name": ""}, "body.first_name", "Minst 1 tecken."),
    ({"first_name": None}, "body.first_name", "Fältet kan inte vara null."),
    ({"city": None}, "body.city", "Fältet kan inte vara null."),
    ({"first_name": 7}, "body.first_name", "Ska vara text."),
    ({"needs_interpreter": "ja"}, "body.needs_interpreter", "Ska vara true eller false."),
    ({"protection_level": "hemlig"}, "body.protection_level", "Ogiltigt värde. Tillåtna värden: …"),
    ({"identity_number": "19811228-9875"}, "body.identity_number", "Kontrollsiffran stämmer inte."),
    ({"identity_number": "19810231-1234"}, "body.identity_number", "Födelsedatumet i numret finns inte."),
    ({"birth_date": "2020-13-01"}, "body.birth_date", "Ange datum som ÅÅÅÅ-MM-DD."),
    ({"email": "inte-en-adress"}, "body.email", "Fyll i en giltig e-postadress."),
    (
        {"identity_kind": "reserve", "identity_number": "R-1", "birth_date": None},
        "body.birth_date",
        "Ange födelsedatum…",
    ),
    ([{"city": "X"}], "body", "Ogiltig JSON i anropet."),
]


@pytest.mark.parametrize(("body", "field", "message"), PATCH_CASES)
def test_change_with_bad_input_is_422_and_saves_nothing(world, api, unchanged, body, field, message) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors", first_name="Nora")
    before = Person.objects.filter(pk=person.pk).values().get()
    client = api()
    state = unchanged()
    assert_422(patch(client, detail_url(person.pk), body), field, message)
    state.assert_same()
    assert Person.objects.filter(pk=person.pk).values().get() == before


def test_change_to_a_number_already_registered_is_422(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    taken = PersonFactory(municipality=world.home)
    person = PersonFactory(municipality=world.home)
    state = unchanged()
    response = patch(api(), detail_url(person.pk), {"identity_number": taken.identity_number})
    assert_422(response, "body.identity_number", "Det finns redan en person med det numret i kommunen.")
    state.assert_same()


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1", "00000000-0000-0000-0000-00000000000g", "x" * 300])
def test_invalid_uuid_in_the_path_is_422_not_500(world, api, unchanged, bad_id) -> None:  # type: ignore[no-untyped-def]
    client = api()
    state = unchanged()
    for response in (client.get(detail_url(bad_id)), patch(client, detail_url(bad_id), {"city": "X"})):
        assert response.status_code in (404, 422), response.content
        if response.status_code == 422:
            assert errors_by_field(response) == {"path.person_id": ["Ogiltigt id."]}
    state.assert_same()


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"page_size": 201}, "query.page_size", "Högst 200."),
        ({"page_size": 10_000}, "query.page_size", "Högst 200."),
        ({"page_size": 0}, "query.page_size", "Minst 1."),
        ({"page_size": "alla"}, "query.page_size", "Ska vara ett heltal."),
        ({"page": 0}, "query.page", "Minst 1."),
        ({"page": -1}, "query.page", "Minst 1."),
        ({"page": "1.5"}, "query.page", "Ska vara ett heltal."),
        ({"q": "x" * 101}, "query.q", "Högst 100 tecken."),
    ],
)
def test_bad_list_parameters_are_422_and_not_audited(world, api, unchanged, params, field, message) -> None:  # type: ignore[no-untyped-def]
    PersonFactory(municipality=world.home)
    client = api()
    state = unchanged()
    assert_422(client.get(LIST_URL, params), field, message)
    state.assert_same()


def test_page_size_200_is_allowed_and_a_page_past_the_end_is_the_last_page(world, api) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(3, municipality=world.home)
    body = api().get(LIST_URL, {"page_size": 200}).json()
    assert (body["count"], body["page_size"], len(body["results"])) == (3, 200, 3)
    body = api().get(LIST_URL, {"page_size": 2, "page": 99}).json()
    assert (body["page"], len(body["results"])) == (2, 1)


def test_overlong_reason_is_422(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    state = unchanged()
    response = send(api(), "get", detail_url(person.pk), {"reason": "x" * 501})
    assert_422(response, "query.reason", "Högst 500 tecken.")
    state.assert_same()
