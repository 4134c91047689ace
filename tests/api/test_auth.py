"""API v1 authentication: every persons route answers 401 in Swedish for anything but a live token."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from bredvid.accounts.models import ApiToken, hash_token
from bredvid.audit.models import Action, AuditEvent
from bredvid.tenancy.models import Membership, Role
from tests.api.conftest import LIST_URL, UNAUTHENTICATED, VALID, bearer, detail_url, send
from tests.factories import MembershipFactory, PersonFactory

# (method, needs a person id, body): the four operations of the persons resource.
ROUTES = [
    ("get", False, None),
    ("post", False, VALID),
    ("get", True, None),
    ("patch", True, {"city": "Nödinge"}),
]
ROUTE_IDS = ["list", "create", "detail", "change"]


def _call(client: Client, route: tuple, person) -> object:  # type: ignore[no-untyped-def]
    method, by_id, body = route
    return send(client, method, detail_url(person.pk) if by_id else LIST_URL, body)


def _assert_401(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": UNAUTHENTICATED}
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize(
    "header",
    [
        None,  # no Authorization header at all
        "",
        "Bearer",
        "Bearer ",
        "Basic Y2FzZXdvcmtlci5ob21lOnRlc3QtcGFzc3dvcmQtMTIz",
        "Token bv1_abc",
        "bv1_abc",
        "Bearer bv1_not-a-real-token",
        "Bearer " + "x" * 5000,
    ],
    ids=[
        "missing",
        "empty",
        "scheme-only",
        "scheme-space",
        "basic",
        "token-scheme",
        "no-scheme",
        "wrong",
        "huge",
    ],
)
def test_missing_malformed_or_wrong_token_is_401(world, unchanged, route, header) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home, city="Alafors")
    state = unchanged()
    client = Client() if header is None else Client(HTTP_AUTHORIZATION=header)
    _assert_401(_call(client, route, person))
    state.assert_same()
    person.refresh_from_db()
    assert person.city == "Alafors"


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_revoked_token_is_401(world, token_for, unchanged, route) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    token = token_for("caseworker")
    client = bearer(token)
    assert client.get(LIST_URL).status_code == 200
    ApiToken.objects.filter(token_hash=hash_token(token)).update(revoked_at=timezone.now())
    state = unchanged()
    _assert_401(_call(client, route, person))
    state.assert_same()


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_token_of_an_inactive_user_is_401(world, token_for, unchanged, route) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    client = bearer(token_for("manager"))
    assert client.get(detail_url(person.pk)).status_code == 200
    user = world.users["manager"]
    user.is_active = False
    user.save()
    state = unchanged()
    _assert_401(_call(client, route, person))
    state.assert_same()


def test_token_of_a_user_whose_membership_ended_is_401(world, token_for) -> None:  # type: ignore[no-untyped-def]
    client = bearer(token_for("caseworker"))
    assert client.get(LIST_URL).status_code == 200
    Membership.objects.filter(user=world.users["caseworker"]).update(active=False)
    _assert_401(client.get(LIST_URL))


def test_token_one_character_off_is_401(world, token_for) -> None:  # type: ignore[no-untyped-def]
    token = token_for("caseworker")
    assert bearer(token).get(LIST_URL).status_code == 200
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    _assert_401(bearer(changed).get(LIST_URL))
    _assert_401(Client(HTTP_AUTHORIZATION=f"Bearer {token} extra").get(LIST_URL))
    _assert_401(Client(HTTP_AUTHORIZATION=f"Bearer {hash_token(token)}").get(LIST_URL))


def test_token_decides_the_municipality_not_the_user(world, token_for) -> None:  # type: ignore[no-untyped-def]
    """A user working in both municipalities sees only the token's municipality."""
    MembershipFactory(user=world.users["caseworker"], unit=world.other_unit, role=Role.CASEWORKER)
    home_person = PersonFactory(municipality=world.home)
    other_person = PersonFactory(municipality=world.other)
    client = bearer(token_for("caseworker"))
    assert [p["id"] for p in client.get(LIST_URL).json()["results"]] == [str(home_person.pk)]
    assert client.get(detail_url(other_person.pk)).status_code == 404
    assert client.get(detail_url(home_person.pk)).status_code == 200


# -- the management command ----------------------------------------------------------------


def _issue(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("issue_api_token", *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def test_command_prints_only_the_token_and_stores_only_its_hash(world) -> None:  # type: ignore[no-untyped-def]
    printed = _issue("caseworker.home")
    token = printed.strip()
    assert printed == token + "\n"
    assert re.fullmatch(r"bv1_[A-Za-z0-9_-]{40,}", token), printed
    stored = ApiToken.objects.get(user=world.users["caseworker"])
    assert stored.municipality == world.home
    assert stored.token_hash == hash_token(token)
    assert stored.token_hash != token and token not in stored.token_hash
    assert not ApiToken.objects.filter(token_hash=token).exists()
    issued = AuditEvent.objects.get(action=Action.TOKEN_ISSUED)
    assert token not in issued.detail_json and token not in issued.object_id
    response = bearer(token).get(LIST_URL)
    assert response.status_code == 200


def test_command_tokens_differ_each_time(world) -> None:  # type: ignore[no-untyped-def]
    first, second = _issue("manager.home").strip(), _issue("manager.home").strip()
    assert first != second
    assert bearer(first).get(LIST_URL).status_code == 200
    assert bearer(second).get(LIST_URL).status_code == 200


def test_command_picks_the_municipality_by_kommunkod(world) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(user=world.users["caseworker"], unit=world.other_unit, role=Role.CASEWORKER)
    other_person = PersonFactory(municipality=world.other)
    with pytest.raises(CommandError):
        _issue("caseworker.home")  # works in two municipalities: must say which
    token = _issue("caseworker.home", "--municipality", world.other.kommunkod).strip()
    assert ApiToken.objects.get(token_hash=hash_token(token)).municipality == world.other
    listed = bearer(token).get(LIST_URL).json()["results"]
    assert [p["id"] for p in listed] == [str(other_person.pk)]


@pytest.mark.parametrize(
    "args",
    [
        ("nobody",),
        ("caseworker.home", "--municipality", "2081"),
        ("caseworker.home", "--municipality", "0000"),
    ],
    ids=["unknown-user", "no-role-there", "unknown-kommunkod"],
)
def test_command_refuses_and_issues_nothing(world, args) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError):
        _issue(*args)
    assert not ApiToken.objects.exists()


def test_command_refuses_an_inactive_user(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["caseworker"]
    user.is_active = False
    user.save()
    with pytest.raises(CommandError):
        _issue("caseworker.home")
    assert not ApiToken.objects.exists()
