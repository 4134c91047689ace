"""API v1 answers as it documents: JSON 404/405/413 outside operations, and every status in the schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from bredvid.api.urls import api as ninja_api
from bredvid.casework.models import JournalEntry
from bredvid.people.models import Person
from tests.factories import PersonFactory

NOT_FOUND = {"detail": "Finns inte."}


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(ninja_api.get_openapi_schema(), default=str))
    return schema  # as served: status codes as strings


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in _schema()["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "patch", "put", "delete"}
    ]


# ---------------------------------------------------------------------------
# Outside any operation: unknown paths, wrong methods, bodies over the limit
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/", "/api/v1/x/y/z/", "/api/v1/persons/1/2"])
def test_an_unknown_path_is_a_json_404(api, path: str) -> None:  # type: ignore[no-untyped-def]
    for client in (api("caseworker"), Client()):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == NOT_FOUND


def test_a_path_parameter_that_is_not_an_id_is_a_json_422(api) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").get("/api/v1/persons/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "path.person_id"


def test_the_404_speaks_english_when_asked(api) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").get("/api/v1/nope", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "Not found."}


def test_pages_outside_the_api_keep_their_html_404(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get("/personer/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_method_the_path_lacks_is_a_json_405_naming_the_allowed_ones(api) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").delete("/api/v1/persons/")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Metoden DELETE stöds inte här."}
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    # without a token too: the method is wrong whoever asks
    assert Client().put("/api/v1/journal-entries/").status_code == 405


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2_621_440)
def test_a_body_over_the_size_limit_is_a_json_413_and_saves_nothing(world, api, case) -> None:  # type: ignore[no-untyped-def]
    body = {
        "case_id": str(case.pk),
        "occurred_on": "2026-11-02",
        "title": "Samtal",
        "text": "x" * 3_000_000,  # 3 MB: once a 500 (RequestDataTooBig unhandled)
    }
    response = api("caseworker").post(
        "/api/v1/journal-entries/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Anropets innehåll är för stort (högst 2560 kB)."}
    assert not JournalEntry.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_a_patch_over_the_size_limit_is_a_413_too(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    response = api("caseworker").patch(
        f"/api/v1/persons/{person.pk}",
        data=json.dumps({"city": "x" * 2000}),
        content_type="application/json",
    )
    assert response.status_code == 413
    person.refresh_from_db()
    assert person.city != "x" * 2000


def test_too_many_query_parameters_is_a_json_400(api) -> None:  # type: ignore[no-untyped-def]
    query = "&".join(f"p{i}=1" for i in range(1100))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS (1000)
    response = api("caseworker").get(f"/api/v1/persons/?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Anropet kunde inte läsas."}


# ---------------------------------------------------------------------------
# The schema lists what each operation answers
# ---------------------------------------------------------------------------
def test_every_operation_documents_the_statuses_every_request_can_get() -> None:
    for path, method, operation in _operations():
        documented = set(operation["responses"])
        assert {"400", "401", "403", "404", "422"} <= documented, (method, path, documented)
        for status, response in operation["responses"].items():
            assert "application/json" in response.get("content", {}), (method, path, status)


def test_every_operation_with_a_body_documents_400_413_and_422() -> None:
    with_body = [(p, m, op) for p, m, op in _operations() if "requestBody" in op]
    # persons 2, casework 5, interest registrations 1, matching 5, agreements 2, expenses 4, reports 2
    assert len(with_body) == 21
    for path, method, operation in with_body:
        assert {"400", "413", "422"} <= set(operation["responses"]), (method, path)


#: Operations whose service refuses some states (IllegalTransition, SignedEntryImmutable): 409.
STATE_CHANGES = {
    ("post", "/api/v1/applications/"),  # on a closed case
    ("post", "/api/v1/concern-reports/"),
    ("post", "/api/v1/investigations/"),
    ("post", "/api/v1/decisions/"),
    ("post", "/api/v1/journal-entries/"),
    ("post", "/api/v1/journal-entries/{object_id}/sign"),  # signing a signed entry
    ("patch", "/api/v1/support-requests/{object_id}"),  # a request no longer open
    ("post", "/api/v1/offers/"),
    ("post", "/api/v1/offers/{object_id}/answer"),
    ("post", "/api/v1/offers/{object_id}/withdraw"),
    ("post", "/api/v1/offers/{object_id}/confirm"),
}


def test_every_casework_and_matching_transition_documents_409() -> None:
    operations = {(m, p): op for p, m, op in _operations()}
    assert set(operations) >= STATE_CHANGES
    for key in STATE_CHANGES:
        assert "409" in operations[key]["responses"], key
    # reads never conflict
    assert not [key for key, op in operations.items() if key[0] == "get" and "409" in op["responses"]]


def test_links_lead_from_created_and_listed_objects_to_the_operations_that_take_their_id() -> None:
    schema = _schema()
    by_id = {op["operationId"]: op for _, _, op in _operations()}
    links = {
        (operation["operationId"], status, name): link
        for _, _, operation in _operations()
        for status, response in operation["responses"].items()
        for name, link in response.get("links", {}).items()
    }
    assert len(links) >= 40
    for (source, _status, _name), link in links.items():
        target = by_id[link["operationId"]]
        path_params = {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
        assert set(link["parameters"]) <= path_params, (source, link)
    create = by_id["bredvid_api_casework_create_journal_entry"]["responses"]["201"]["links"]
    assert create["SignJournalEntry"] == {
        "operationId": "bredvid_api_casework_sign_journal_entry",
        "parameters": {"object_id": "$response.body#/id"},
    }
    assert "links" in schema["paths"]["/api/v1/offers/"]["post"]["responses"]["201"]


# ---------------------------------------------------------------------------
# PATCH schemas offer null only where the server takes it
# ---------------------------------------------------------------------------
def _nullable(component: str) -> set[str]:
    properties = _schema()["components"]["schemas"][component]["properties"]
    return {
        name
        for name, prop in properties.items()
        if prop.get("type") == "null" or any(part.get("type") == "null" for part in prop.get("anyOf", []))
    }


def test_patch_schemas_offer_null_only_for_fields_that_can_be_emptied() -> None:
    assert _nullable("PersonPatch") == {"birth_date"}  # null: derive it from the number again
    assert _nullable("SupportRequestPatch") == {"end_on"}  # null: no end
    for component in ("PersonPatch", "SupportRequestPatch"):
        properties = _schema()["components"]["schemas"][component]["properties"]
        assert not [n for n, p in properties.items() if "default" in p and p["default"] is None]


def test_null_for_a_field_that_cannot_be_emptied_is_a_422_on_that_field(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    response = api("caseworker").patch(
        f"/api/v1/persons/{person.pk}",
        data=json.dumps({"needs_interpreter": None, "protection_level": None}),
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = {item["field"]: item["message"] for item in response.json()["detail"]}
    assert fields == {
        "body.needs_interpreter": "Fältet kan inte vara null.",
        "body.protection_level": "Fältet kan inte vara null.",
    }


# ---------------------------------------------------------------------------
# Dates and JSON types are read strictly
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["0", "1700000000", "20260101", "2026-W01-1", "2026-1-1"])
def test_a_date_parameter_must_be_yyyy_mm_dd(api, value: str) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").get("/api/v1/deadlines/", {"due_before": value})
    assert response.status_code == 422, (value, response.content)
    assert response.json()["detail"][0]["field"] == "query.due_before"
    assert response.json()["detail"][0]["message"] == "Ange datum som ÅÅÅÅ-MM-DD."


def test_an_iso_date_parameter_is_read(api) -> None:  # type: ignore[no-untyped-def]
    assert api("caseworker").get("/api/v1/deadlines/", {"due_before": "2026-12-31"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("journal-entries/", "occurred_on", 0),
        ("journal-entries/", "occurred_on", "20261102"),
        ("concern-reports/", "received_at", 0),
        ("concern-reports/", "received_at", "1700000000"),
    ],
)
def test_a_date_in_a_body_must_be_iso(world, api, case, path: str, field: str, value: Any) -> None:  # type: ignore[no-untyped-def]
    bodies = {
        "journal-entries/": {"occurred_on": "2026-11-02", "title": "Samtal", "text": "Hej"},
        "concern-reports/": {
            "received_at": "2026-11-02T10:00:00+01:00",
            "reporter": "school",
            "content": "Oro",
        },
    }
    body = {**bodies[path], "case_id": str(case.pk), field: value}
    response = api("caseworker").post(
        f"/api/v1/{path}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert [item["field"] for item in response.json()["detail"]] == [f"body.{field}"]


def test_a_body_boolean_is_true_or_false_not_a_number(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    response = api("caseworker").patch(
        f"/api/v1/persons/{person.pk}",
        data=json.dumps({"needs_interpreter": 1}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["message"] == "Ska vara true eller false."


# ---------------------------------------------------------------------------
# Text: names and reserve numbers printable, every text storable
# ---------------------------------------------------------------------------
UNPRINTABLE = (
    "Texten innehåller tecken som inte går att skriva ut (till exempel tabb, radbrytning eller styrtecken)."
)
STORABLE = "Texten innehåller otillåtna tecken (NUL eller ett ensamt surrogattecken)."
VALID = {"identity_number": "19811228-9874", "first_name": "Nora", "last_name": "Lind"}
RESERVE = {"identity_kind": "reserve", "identity_number": "RES-1", "birth_date": "1990-01-01"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": "No\tra"}, "body.first_name"),
        ({"first_name": "Nora\u202e"}, "body.first_name"),  # right-to-left override
        ({"last_name": "Li\u0000nd"}, "body.last_name"),
        ({"last_name": "Lind\ud800"}, "body.last_name"),  # unpaired surrogate
        ({"last_name": "\ufeffLind"}, "body.last_name"),  # byte-order mark
        ({**RESERVE, "identity_number": "RES\n1"}, "body.identity_number"),
        ({**RESERVE, "identity_number": "RES\u200b1"}, "body.identity_number"),  # zero-width space
    ],
)
def test_names_and_reserve_numbers_refuse_control_characters(world, api, change, field) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").post(
        "/api/v1/persons/", data=json.dumps({**VALID, **change}), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    errors = {item["field"]: item["message"] for item in response.json()["detail"]}
    assert field in errors, errors
    assert errors[field] in {
        UNPRINTABLE,
        "Texten innehåller otillåtna tecken (NUL eller ett ensamt surrogattecken).",
    }
    assert not Person.objects.exists()


def test_a_name_may_hold_spaces_hyphens_and_a_zero_width_non_joiner(world, api) -> None:  # type: ignore[no-untyped-def]
    body = {**VALID, "first_name": "Anna-Lena Maria", "last_name": "Moh\u200cammadi"}
    response = api("caseworker").post(
        "/api/v1/persons/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_a_patch_refuses_a_control_character_in_a_name(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, first_name="Nora")
    response = api("caseworker").patch(
        f"/api/v1/persons/{person.pk}",
        data=json.dumps({"first_name": "N\x07ora"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "field": "body.first_name",
        "loc": ["body", "first_name"],
        "message": UNPRINTABLE,
        "type": "string_unprintable",
    }
    person.refresh_from_db()
    assert person.first_name == "Nora"


@pytest.mark.parametrize(
    ("text", "kind"), [("Ale\x00", "string_unstorable"), ("Ale\udc00", "string_unicode")]
)
def test_any_text_field_refuses_nul_and_unpaired_surrogates(world, api, text: str, kind: str) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").post(
        "/api/v1/persons/", data=json.dumps({**VALID, "city": text}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body.city"
    assert response.json()["detail"][0]["type"] == kind
    assert response.json()["detail"][0]["message"] == STORABLE


def test_a_query_parameter_refuses_nul(api) -> None:  # type: ignore[no-untyped-def]
    response = api("caseworker").get("/api/v1/persons/", {"q": "Li\x00nd"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "query.q"


def test_the_person_form_refuses_a_control_character_in_a_name(world) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    data = {
        "identity_choice": "auto",
        "identity_number": "19811228-9874",
        "first_name": "Nora\u202e",
        "last_name": "Lind",
        "protection_level": "none",
    }
    response = world.client("caseworker").post(reverse("staff:person_create"), data)
    assert response.status_code == 200
    assert UNPRINTABLE in response.content.decode()
    assert not Person.objects.exists()


def test_the_person_model_refuses_an_unprintable_reserve_number(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    person = Person(
        municipality=world.home,
        identity_kind="reserve",
        identity_number="RES\t7",
        birth_date=dt.date(1990, 1, 1),
        first_name="Nora",
        last_name="Lind",
    )
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert caught.value.message_dict == {"identity_number": [UNPRINTABLE]}
