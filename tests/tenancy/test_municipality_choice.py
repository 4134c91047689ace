"""A user working in several municipalities chooses one; the header shows it; scoping follows it."""

from django.test import Client
from django.urls import reverse

from bredvid.tenancy.models import Role
from tests.factories import MembershipFactory, PersonFactory, UserFactory


def test_single_municipality_is_chosen_automatically(world) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get("/")
    assert response.status_code == 200
    assert response.context["tenant"].municipality == world.home
    assert 'data-testid="active-municipality">Ale<' in response.content.decode()


def test_several_municipalities_must_choose(world) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(username="samordnare")
    MembershipFactory(user=user, unit=world.home_unit, role=Role.CASEWORKER)
    MembershipFactory(user=user, unit=world.other_unit, role=Role.MANAGER)
    home_person = PersonFactory(municipality=world.home)
    other_person = PersonFactory(municipality=world.other)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("staff:person_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:choose_municipality")
    page = client.get(reverse("staff:choose_municipality"))
    assert [m.name for m, _ in page.context["options"]] == ["Ale", "Borlänge"]

    bad = client.post(reverse("staff:choose_municipality"), {"municipality": "not-a-uuid"})
    assert "Välj en av kommunerna" in bad.content.decode()

    client.post(reverse("staff:choose_municipality"), {"municipality": str(world.other.pk)})
    response = client.get(reverse("staff:person_list"))
    assert response.context["tenant"].roles == frozenset({Role.MANAGER})
    assert list(response.context["page"].object_list) == [other_person]
    assert client.get(reverse("staff:person_detail", args=[home_person.pk])).status_code == 404

    client.post(reverse("staff:choose_municipality"), {"municipality": str(world.home.pk)})
    assert client.get(reverse("staff:person_detail", args=[home_person.pk])).status_code == 200


def test_cannot_choose_a_municipality_without_a_role(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("caseworker")
    response = client.post(reverse("staff:choose_municipality"), {"municipality": str(world.other.pk)})
    assert "Välj en av kommunerna" in response.content.decode()
    assert client.get("/").context["tenant"].municipality == world.home


def test_user_without_membership_sees_no_access(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="ny.anstalld"))
    response = client.get("/")
    assert response.status_code == 403
    assert "ingen roll" in response.content.decode()


def test_navigation_follows_roles(world) -> None:  # type: ignore[no-untyped-def]
    labels = {
        role: [item["label"] for item in world.client(role).get("/").context["nav_items"]]
        for role in ("caseworker", "auditor", "admin")
    }
    assert "Personer" in labels["caseworker"]
    assert "Logggranskning" not in labels["caseworker"]
    assert labels["auditor"] == ["Start", "Logggranskning"]
    assert labels["admin"] == ["Start", "Administration"]


def test_health_endpoints_are_public(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok", "database": "ok"}
