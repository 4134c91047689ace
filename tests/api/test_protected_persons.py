"""API v1 persons with protected identity: a reason for every view, the address only for named staff."""

import pytest

from bredvid.audit.models import Action, AuditEvent
from bredvid.people.models import Person, ProtectionLevel
from tests.api.conftest import LIST_URL, detail_url, patch
from tests.factories import PersonFactory, PersonStaffAccessFactory

REASON = "Planerat hembesök enligt utredningsplan"
ADDRESS = ("street_address", "postal_code", "city")
PROTECTED = [
    ProtectionLevel.SEKRETESSMARKERING,
    ProtectionLevel.SKYDDAD_FOLKBOKFORING,
    ProtectionLevel.FINGERADE,
]


def protected(world, level=ProtectionLevel.SKYDDAD_FOLKBOKFORING):  # type: ignore[no-untyped-def]
    return PersonFactory(
        municipality=world.home, protection_level=level, street_address="Hemlig väg 1", city="Alafors"
    )


@pytest.mark.parametrize("level", PROTECTED)
@pytest.mark.parametrize(
    "reason", [None, "", "    ", "kort", "  abc  "], ids=["none", "empty", "blank", "4", "3-padded"]
)
def test_view_without_a_reason_is_403_mentioning_skal(world, api, unchanged, level, reason) -> None:  # type: ignore[no-untyped-def]
    person = protected(world, level)
    client = api()
    state = unchanged()
    response = client.get(detail_url(person.pk), {} if reason is None else {"reason": reason})
    assert response.status_code == 403
    assert "skäl" in response.json()["detail"]
    assert "Alafors" not in response.content.decode()
    state.assert_same()  # a refused view is not logged as a view


@pytest.mark.parametrize("level", PROTECTED)
def test_view_with_a_reason_hides_the_address_and_logs_the_reason(world, api, level) -> None:  # type: ignore[no-untyped-def]
    person = protected(world, level)
    response = api().get(detail_url(person.pk), {"reason": f"  {REASON}  "})
    assert response.status_code == 200
    body = response.json()
    assert {name: body[name] for name in ADDRESS} == dict.fromkeys(ADDRESS)
    assert body["address_hidden"] is True
    assert body["protection_level"] == level
    assert "Hemlig väg" not in response.content.decode()
    [view] = AuditEvent.objects.filter(action=Action.VIEW)
    assert (view.person_id, view.reason, view.via) == (person.pk, REASON, "api")
    assert view.actor == world.users["caseworker"]


def test_named_staff_see_the_address(world, api) -> None:  # type: ignore[no-untyped-def]
    person = protected(world)
    PersonStaffAccessFactory(person=person, user=world.users["caseworker"])
    assert api().get(detail_url(person.pk)).status_code == 403  # named staff give a reason too
    body = api().get(detail_url(person.pk), {"reason": REASON}).json()
    assert (body["street_address"], body["city"], body["address_hidden"]) == (
        "Hemlig väg 1",
        "Alafors",
        False,
    )
    # naming is per user: the manager of the same municipality still sees no address
    body = api("manager").get(detail_url(person.pk), {"reason": REASON}).json()
    assert body["street_address"] is None and body["address_hidden"] is True
    assert AuditEvent.objects.filter(action=Action.VIEW, person_id=person.pk, reason=REASON).count() == 2


def test_unprotected_person_needs_no_reason(world, api) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, street_address="Öppen gata 2")
    body = api().get(detail_url(person.pk)).json()
    assert body["street_address"] == "Öppen gata 2" and body["address_hidden"] is False
    assert AuditEvent.objects.get(action=Action.VIEW).reason == ""


def test_list_hides_addresses_of_protected_persons_unless_named(world, api) -> None:  # type: ignore[no-untyped-def]
    hidden = protected(world)
    named = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.FINGERADE, city="Nödinge")
    PersonStaffAccessFactory(person=named, user=world.users["caseworker"])
    PersonStaffAccessFactory(person=hidden, user=world.users["manager"])  # named, but another user
    open_person = PersonFactory(municipality=world.home, city="Surte")
    results = {p["id"]: p for p in api().get(LIST_URL).json()["results"]}
    assert results[str(hidden.pk)]["city"] is None and results[str(hidden.pk)]["address_hidden"] is True
    assert results[str(named.pk)]["city"] == "Nödinge" and results[str(named.pk)]["address_hidden"] is False
    assert results[str(open_person.pk)]["city"] == "Surte"
    manager_view = {p["id"]: p for p in api("manager").get(LIST_URL).json()["results"]}
    assert manager_view[str(hidden.pk)]["city"] == "Alafors"
    assert manager_view[str(named.pk)]["city"] is None


@pytest.mark.parametrize("role", ["caseworker", "family_care_officer", "manager"])
def test_change_by_staff_not_named_is_403_and_saves_nothing(world, api, unchanged, role) -> None:  # type: ignore[no-untyped-def]
    person = protected(world)
    before = Person.objects.filter(pk=person.pk).values().get()
    state = unchanged()
    for body in ({"city": "Nödinge"}, {"protection_level": "none"}, {}):
        response = patch(api(role), detail_url(person.pk), body)
        assert response.status_code == 403, response.content
        assert response.json()["detail"]
    state.assert_same()
    assert Person.objects.filter(pk=person.pk).values().get() == before


def test_change_by_named_staff_is_allowed_and_logged(world, api) -> None:  # type: ignore[no-untyped-def]
    person = protected(world)
    PersonStaffAccessFactory(person=person, user=world.users["family_care_officer"])
    response = patch(api("family_care_officer"), detail_url(person.pk), {"street_address": "Ny väg 3"})
    assert response.status_code == 200, response.content
    assert response.json()["street_address"] == "Ny väg 3"
    [update] = AuditEvent.objects.filter(action=Action.UPDATE)
    assert update.detail == {"fields": ["street_address"]} and "Ny väg" not in update.detail_json


def test_other_municipality_cannot_reach_a_protected_person_even_with_a_reason(world, api, unchanged) -> None:  # type: ignore[no-untyped-def]
    person = protected(world)
    state = unchanged()
    assert api(other=True).get(detail_url(person.pk), {"reason": REASON}).status_code == 404
    state.assert_same()
