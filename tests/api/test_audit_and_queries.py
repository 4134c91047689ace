"""API v1 persons: one audit event per request, naming who was shown; constant queries for lists."""

import json

from bredvid.audit.models import Action, AuditEvent
from bredvid.people.models import ProtectionLevel
from tests.api.conftest import LIST_URL, VALID, detail_url, patch, post, queries_per_page
from tests.factories import PersonFactory, PersonStaffAccessFactory


def new_events(since: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=since).order_by("id"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_list_writes_one_search_event_naming_exactly_the_persons_returned(world, api) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(5, municipality=world.home)
    PersonFactory.create_batch(2, municipality=world.other)
    client = api()
    mark = last_id()
    response = client.get(LIST_URL, {"page_size": 2, "page": 2})
    returned = [p["id"] for p in response.json()["results"]]
    assert len(returned) == 2
    [event] = new_events(mark)
    assert event.action == Action.SEARCH
    assert event.subjects.split() == returned
    assert (event.via, event.actor, event.municipality, event.person_id) == (
        "api",
        world.users["caseworker"],
        world.home,
        None,
    )
    assert event.detail == {"query": "", "page": 2, "count": 2}


def test_search_event_keeps_the_query_and_an_empty_result(world, api) -> None:  # type: ignore[no-untyped-def]
    PersonFactory(municipality=world.home, last_name="Lind")
    client = api()
    mark = last_id()
    client.get(LIST_URL, {"q": "Zzyzx"})
    [event] = new_events(mark)
    assert event.action == Action.SEARCH and event.subjects == ""
    assert event.detail == {"query": "Zzyzx", "page": 1, "count": 0}


def test_detail_writes_one_view_event(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    client = api("family_care_officer")
    mark = last_id()
    assert client.get(detail_url(person.pk)).status_code == 200
    [event] = new_events(mark)
    assert (event.action, event.person_id, event.object_id, event.object_type) == (
        Action.VIEW,
        person.pk,
        str(person.pk),
        "people.person",
    )
    assert (event.via, event.actor, event.reason) == ("api", world.users["family_care_officer"], "")


def test_create_writes_one_create_event_without_the_personal_data(world, api) -> None:  # type: ignore[no-untyped-def]
    client = api("manager")
    mark = last_id()
    response = post(client, {**VALID, "street_address": "Gatan 1", "phone": "070-123 45 67"})
    assert response.status_code == 201
    [event] = new_events(mark)
    assert (event.action, str(event.person_id), event.via) == (Action.CREATE, response.json()["id"], "api")
    assert event.actor == world.users["manager"]
    for value in ("Nora", "Lind", "19811228", "Gatan", "070"):
        assert value not in event.detail_json


def test_change_writes_one_update_event_with_field_names_only(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors", phone="", languages="svenska")
    client = api()
    mark = last_id()
    body = {"city": "Nödinge", "phone": "070-765 43 21", "languages": "svenska", "needs_interpreter": False}
    response = patch(client, detail_url(person.pk), body)
    assert response.status_code == 200
    [event] = new_events(mark)
    assert (event.action, event.person_id, event.via) == (Action.UPDATE, person.pk, "api")
    assert event.detail == {"fields": ["city", "phone"]}  # unchanged values are not listed
    assert json.loads(event.detail_json) == {"fields": ["city", "phone"]}
    for value in ("Nödinge", "Alafors", "070", "svenska"):
        assert value not in event.detail_json and value not in event.reason


def test_refused_and_invalid_requests_write_no_events(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    client, auditor, other = api(), api("auditor"), api(other=True)
    mark = last_id()
    auditor.get(LIST_URL)
    other.get(detail_url(person.pk))
    post(client, {**VALID, "identity_number": "19811228-9875"})
    patch(client, detail_url(person.pk), {"first_name": ""})
    client.get(LIST_URL, {"page_size": 201})
    assert new_events(mark) == []


def test_list_query_count_does_not_grow_with_page_size(world, api) -> None:  # type: ignore[no-untyped-def]
    people = PersonFactory.create_batch(120, municipality=world.home)
    for person in people[:10]:  # protected persons, some with named staff: still no per-row queries
        person.protection_level = ProtectionLevel.SKYDDAD_FOLKBOKFORING
        person.save()
    for person in people[:5]:
        PersonStaffAccessFactory(person=person, user=world.users["caseworker"])
    counts = queries_per_page(api(), LIST_URL, (5, 100, 200), total=120)
    assert counts[5] == counts[100] == counts[200], counts
    assert counts[5] <= 12, counts
