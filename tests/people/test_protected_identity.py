"""Protected identity (issue 11 item 7): creators are named, an edit's answer is a logged view,
and a manager naming themself is flagged for the log reviewer."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from bredvid.accounts.services import issue_api_token
from bredvid.audit.models import Action, AuditEvent
from bredvid.people import services
from bredvid.people.models import Person, PersonStaffAccess, ProtectionLevel
from tests.factories import PersonFactory, PersonStaffAccessFactory

PROTECTED = ProtectionLevel.SKYDDAD_FOLKBOKFORING


def _api(world, role: str = "caseworker") -> Client:  # type: ignore[no-untyped-def]
    token = issue_api_token(user=world.users[role], municipality=world.home)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _events(**filters):  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(**filters).order_by("seq"))


def test_caseworker_who_creates_a_protected_person_is_named_on_it(world) -> None:  # type: ignore[no-untyped-def]
    caseworker = world.users["caseworker"]
    person = services.create_person(
        tenant=world.tenant("caseworker"),
        data={"identity_number": "19811228-9874", "first_name": "Nora", "last_name": "Lind",
              "street_address": "Hemlig väg 1", "protection_level": PROTECTED},
    )  # fmt: skip
    assert list(person.staff_access.values_list("user_id", flat=True)) == [caseworker.pk]
    [event] = _events(action=Action.CREATE, person_id=person.pk)
    assert event.detail == {"named_staff_added": caseworker.pk}
    # and so the creator can open what they registered, address included
    page = world.client("caseworker").post(
        reverse("staff:person_detail", args=[person.pk]), {"reason": "Ny akt"}
    )
    assert "Hemlig väg 1" in page.content.decode()


def test_unprotected_person_names_nobody(world) -> None:  # type: ignore[no-untyped-def]
    person = services.create_person(
        tenant=world.tenant("caseworker"),
        data={"identity_number": "19811228-9874", "first_name": "Nora", "last_name": "Lind"},
    )
    assert not person.staff_access.exists()
    assert _events(action=Action.CREATE)[0].detail == {}


def test_creating_through_the_api_names_the_creator(world) -> None:  # type: ignore[no-untyped-def]
    body = {"identity_number": "19811228-9874", "first_name": "Nora", "last_name": "Lind",
            "protection_level": PROTECTED}  # fmt: skip
    response = _api(world).post("/api/v1/persons/", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    person = Person.objects.get()
    assert PersonStaffAccess.objects.filter(person=person, user=world.users["caseworker"]).exists()


def test_marking_a_person_protected_names_the_editor(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    services.update_person(
        tenant=world.tenant("caseworker"), person=person, data={"protection_level": PROTECTED}
    )
    assert person.staff_access.filter(user=world.users["caseworker"]).exists()


def test_patch_by_named_staff_records_the_view_it_implies(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, protection_level=PROTECTED, street_address="Hemlig väg 1")
    PersonStaffAccessFactory(person=person, user=world.users["caseworker"])
    response = _api(world).patch(
        f"/api/v1/persons/{person.pk}", data=json.dumps({"city": "Alafors"}), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["street_address"] == "Hemlig väg 1"  # the answer shows the address...
    events = _events(person_id=person.pk)
    assert [e.action for e in events] == [Action.UPDATE, Action.VIEW]  # ...so it is logged as a view
    assert events[1].actor == world.users["caseworker"]
    assert events[1].detail == {"implied_by": "update"}


def test_web_edit_does_not_log_a_view_it_does_not_show(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    services.update_person(tenant=world.tenant("caseworker"), person=person, data={"city": "Alafors"})
    assert [e.action for e in _events(person_id=person.pk)] == [Action.UPDATE]


@pytest.fixture
def protected(world):  # type: ignore[no-untyped-def]
    return PersonFactory(municipality=world.home, protection_level=PROTECTED)


def test_manager_naming_themself_is_flagged_for_review(world, protected) -> None:  # type: ignore[no-untyped-def]
    manager = world.users["manager"]
    url = reverse("staff:person_named_staff", args=[protected.pk])
    world.client("manager").post(url, {"user": world.users["caseworker"].pk, "action": "add"})
    world.client("manager").post(url, {"user": manager.pk, "action": "add"})
    assert protected.staff_access.filter(user=manager).exists()
    flagged = _events(action=Action.NAMED_SELF)
    assert [(e.actor, e.person_id, e.detail) for e in flagged] == [
        (manager, protected.pk, {"named_staff_added": manager.pk})
    ]
    # naming someone else is an ordinary change
    assert _events(action=Action.UPDATE, person_id=protected.pk)[0].detail == {
        "named_staff_added": world.users["caseworker"].pk
    }

    page = world.client("auditor").get(reverse("staff:audit_log"))
    [(event, person)] = page.context["review_rows"]
    assert event == flagged[0] and person == protected
    body = page.content.decode()
    assert "Behöver granskas" in body and "manager.home" in body
    # listing persons on the review page is itself logged
    search = _events(action=Action.SEARCH, actor_username="auditor.home")[-1]
    assert search.detail["filters"] == {"needs_review": True}
    assert str(protected.pk) in search.subjects


def test_review_list_is_per_municipality_and_only_for_reviewers(world, protected) -> None:  # type: ignore[no-untyped-def]
    services.set_named_staff(
        tenant=world.tenant("manager"), person=protected, user_id=world.users["manager"].pk, named=True
    )
    assert world.client("auditor", other=True).get(reverse("staff:audit_log")).context["review_rows"] == []
    assert world.client("caseworker").get(reverse("staff:audit_log")).status_code == 403
    assert len(world.client("auditor").get(reverse("staff:audit_log")).context["review_rows"]) == 1
