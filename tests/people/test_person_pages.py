"""Person pages: search, detail, create, edit — scoped, role-checked and audited."""

import pytest
from django.urls import reverse

from bredvid.audit.models import Action, AuditEvent
from bredvid.people.models import Person, ProtectionLevel
from tests.factories import PersonFactory, PersonStaffAccessFactory


def _events(**filters):  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(**filters).order_by("seq"))


@pytest.fixture
def person(world):  # type: ignore[no-untyped-def]
    return PersonFactory(municipality=world.home, first_name="Alva", last_name="Ek")


def test_search_by_name_and_number_writes_one_search_event(world, person) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(3, municipality=world.home)
    PersonFactory(municipality=world.other, first_name="Alva", last_name="Ek")
    client = world.client("caseworker")
    response = client.get(reverse("staff:person_list"), {"q": "alva ek"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [person]
    response = client.get(reverse("staff:person_list"), {"q": person.identity_number.replace("-", "")})
    assert list(response.context["page"].object_list) == [person]
    searches = _events(action=Action.SEARCH, municipality=world.home)
    assert len(searches) == 2
    assert searches[0].subjects == str(person.pk)
    assert searches[0].detail["query"] == "alva ek"


def test_list_query_count_is_constant(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client("caseworker")
    PersonFactory.create_batch(3, municipality=world.home)
    client.get(reverse("staff:person_list"))  # the first audit event also creates the chain head
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("staff:person_list"))
    PersonFactory.create_batch(
        45, municipality=world.home, protection_level=ProtectionLevel.SEKRETESSMARKERING
    )
    with django_assert_max_num_queries(20) as large:
        client.get(reverse("staff:person_list"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_detail_is_audited(world, person) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get(reverse("staff:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert person.street_address in response.content.decode()
    [event] = _events(action=Action.VIEW, person_id=person.pk)
    assert event.actor_username == "caseworker.home"
    assert event.municipality == world.home


def test_other_municipality_gets_404_and_nothing_is_logged_as_view(world, person) -> None:  # type: ignore[no-untyped-def]
    for role in ("caseworker", "manager", "family_care_officer"):
        response = world.client(role, other=True).get(reverse("staff:person_detail", args=[person.pk]))
        assert response.status_code == 404
    assert not _events(action=Action.VIEW, person_id=person.pk)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_case_access_are_denied_and_logged(world, person, role) -> None:  # type: ignore[no-untyped-def]
    response = world.client(role).get(reverse("staff:person_detail", args=[person.pk]))
    assert response.status_code == 403
    assert _events(action=Action.PERMISSION_DENIED, actor_username=f"{role}.home")


def test_anonymous_is_sent_to_login(person) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    response = Client().get(reverse("staff:person_detail", args=[person.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_protected_person_asks_for_reason_and_hides_address(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.SKYDDAD_FOLKBOKFORING)
    url = reverse("staff:person_detail", args=[person.pk])
    client = world.client("caseworker")
    response = client.get(url)
    assert person.last_name not in response.content.decode()
    assert not _events(action=Action.VIEW, person_id=person.pk)
    response = client.post(url, {"reason": "x"})
    assert "minst fem tecken" in response.content.decode()
    response = client.post(url, {"reason": "Pågående utredning om placering"})
    body = response.content.decode()
    assert person.last_name in body
    assert person.street_address not in body
    [event] = _events(action=Action.VIEW, person_id=person.pk)
    assert event.reason == "Pågående utredning om placering"
    # a named member of staff sees the address
    PersonStaffAccessFactory(person=person, user=world.users["caseworker"])
    body = client.post(url, {"reason": "Hembesök planeras"}).content.decode()
    assert person.street_address in body


def test_create_valid_person_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    data = {
        "identity_choice": "auto",
        "identity_number": "198112289874",
        "first_name": "Nora",
        "last_name": "Lind",
        "postal_code": "44930",
        "protection_level": "none",
    }
    response = world.client("caseworker").post(reverse("staff:person_create"), data)
    person = Person.objects.get(identity_number="19811228-9874")
    assert response.status_code == 302
    assert person.municipality == world.home
    assert person.postal_code == "449 30"
    assert str(person.birth_date) == "1981-12-28"
    assert _events(action=Action.CREATE, person_id=person.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("identity_number", "19811228-9875", "Kontrollsiffran stämmer inte"),
        ("identity_number", "19810231-1234", "Födelsedatumet i numret finns inte"),
        ("first_name", "x" * 101, "som mest 100 tecken"),
        ("postal_code", "12", "fem siffror"),
        ("email", "inte-en-adress", "giltig e-postadress"),
    ],
)
def test_bad_input_is_explained_and_nothing_saved(world, field, value, message) -> None:  # type: ignore[no-untyped-def]
    data = {
        "identity_choice": "auto",
        "identity_number": "19811228-9874",
        "first_name": "Nora",
        "last_name": "Lind",
        "protection_level": "none",
        field: value,
    }
    response = world.client("caseworker").post(reverse("staff:person_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'value="Lind"' in body  # the form keeps what was typed
    assert not Person.objects.exists()
    assert not _events(action=Action.CREATE)


def test_reserve_number_needs_birth_date(world) -> None:  # type: ignore[no-untyped-def]
    data = {"identity_choice": "reserve", "identity_number": "R-2026-17", "first_name": "A", "last_name": "B"}
    data["protection_level"] = "none"
    client = world.client("caseworker")
    response = client.post(reverse("staff:person_create"), data)
    assert "Ange födelsedatum" in response.content.decode()
    response = client.post(reverse("staff:person_create"), {**data, "birth_date": "2015-03-04"})
    assert response.status_code == 302
    assert Person.objects.get().identity_kind == "reserve"


def test_edit_is_audited_with_field_names_only(world, person) -> None:  # type: ignore[no-untyped-def]
    client = world.client("caseworker")
    url = reverse("staff:person_edit", args=[person.pk])
    form = client.get(url).context["form"]
    data = {name: (form.initial.get(name) or "") for name in form.fields}
    data.update(identity_choice="auto", city="Nödinge", birth_date=str(person.birth_date))
    data["needs_interpreter"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert person.city == "Nödinge"
    [event] = _events(action=Action.UPDATE, person_id=person.pk)
    assert event.detail == {"fields": ["city"]}
    assert "Nödinge" not in event.detail_json


def test_edit_of_protected_person_needs_named_staff(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.SKYDDAD_FOLKBOKFORING)
    url = reverse("staff:person_edit", args=[person.pk])
    assert world.client("caseworker").get(url).status_code == 404
    PersonStaffAccessFactory(person=person, user=world.users["caseworker"])
    assert world.client("caseworker").get(url).status_code == 200


def test_manager_names_and_unnames_staff_on_protected_person(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.SKYDDAD_FOLKBOKFORING)
    url = reverse("staff:person_named_staff", args=[person.pk])
    caseworker = world.users["caseworker"]
    detail = world.client("manager").post(
        reverse("staff:person_detail", args=[person.pk]), {"reason": "Fördela"}
    )
    assert caseworker in detail.context["eligible_staff"]
    assert world.users["auditor"] not in detail.context["eligible_staff"]

    response = world.client("manager").post(url, {"user": caseworker.pk, "action": "add"})
    assert response.status_code == 302
    assert person.staff_access.filter(user=caseworker).exists()
    assert _events(action=Action.UPDATE, person_id=person.pk)[0].detail == {
        "named_staff_added": caseworker.pk
    }

    # only staff who work with persons in this municipality can be named
    world.client("manager").post(url, {"user": world.other_users["caseworker"].pk, "action": "add"})
    world.client("manager").post(url, {"user": world.users["auditor"].pk, "action": "add"})
    assert person.staff_access.count() == 1

    world.client("manager").post(url, {"user": caseworker.pk, "action": "remove"})
    assert not person.staff_access.exists()


@pytest.mark.parametrize("role", ["caseworker", "family_care_officer"])
def test_only_managers_name_staff(world, role) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.SEKRETESSMARKERING)
    url = reverse("staff:person_named_staff", args=[person.pk])
    response = world.client(role).post(url, {"user": world.users[role].pk, "action": "add"})
    assert response.status_code == 404
    assert not person.staff_access.exists()
    assert world.client("manager", other=True).post(url, {"user": 1}).status_code == 404


def test_guardians_are_registered_from_the_person_page(world, person) -> None:  # type: ignore[no-untyped-def]
    mother = PersonFactory(municipality=world.home)
    stranger = PersonFactory(municipality=world.other)
    client = world.client("caseworker")
    url = reverse("staff:person_add_guardian", args=[person.pk])
    client.post(url, {"guardian": stranger.identity_number})  # another municipality's person is unknown here
    client.post(url, {"guardian": "19811228-9875"})
    assert not person.guardianships.exists()
    response = client.post(url, {"guardian": mother.identity_number})
    assert response.status_code == 302
    assert [g.guardian for g in person.guardianships.all()] == [mother]
    detail = client.get(reverse("staff:person_detail", args=[person.pk]))
    assert detail.context["guardians"] == [mother]
    assert world.client("auditor").post(url, {"guardian": mother.identity_number}).status_code == 403


def test_wrong_check_digit_reports_only_the_number(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    from bredvid.people import services

    with pytest.raises(ValidationError) as error:
        services.create_person(
            tenant=world.tenant("caseworker"),
            data={"identity_number": "19811228-9875", "first_name": "A", "last_name": "B"},
        )
    assert set(error.value.message_dict) == {"identity_number"}


def test_same_number_in_another_form_is_not_a_change(world, person) -> None:  # type: ignore[no-untyped-def]
    from bredvid.people import services

    services.update_person(
        tenant=world.tenant("caseworker"),
        person=person,
        data={"identity_number": person.identity_number.replace("-", ""), "city": "Surte"},
    )
    [event] = _events(action=Action.UPDATE, person_id=person.pk)
    assert event.detail == {"fields": ["city"]}
