"""Helpers for API v1 tests: token clients, JSON calls and before/after counts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bredvid.accounts.services import issue_api_token
from bredvid.audit.models import Action, AuditEvent
from bredvid.people.models import Person
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory

LIST_URL = "/api/v1/persons/"
VALID = {"identity_number": "19811228-9874", "first_name": "Nora", "last_name": "Lind"}
UNAUTHENTICATED = "API-nyckel saknas eller är ogiltig."


def detail_url(person_id: object) -> str:
    return f"{LIST_URL}{person_id}"


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def send(client: Client, method: str, url: str, body: Any = None, **extra: Any) -> HttpResponse:
    """GET with query parameters, or POST/PATCH with a JSON body (a str or bytes body is sent as is)."""
    if method == "get":
        return client.get(url, body or {}, **extra)
    data = (
        body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {}, default=str)
    )
    response: HttpResponse = getattr(client, method)(url, data=data, content_type="application/json", **extra)
    return response


def post(client: Client, body: Any, url: str = LIST_URL) -> HttpResponse:
    return send(client, "post", url, body)


def patch(client: Client, url: str, body: Any) -> HttpResponse:
    return send(client, "patch", url, body)


def field_errors(response: HttpResponse) -> dict[str, str]:
    """One message per field: {"body.city": "Högst 100 tecken."}."""
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def errors_by_field(response: HttpResponse) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for item in response.json()["detail"]:
        grouped.setdefault(item["field"], []).append(item["message"])
    return grouped


def queries_per_page(client: Client, url: str, sizes: tuple[int, ...], total: int) -> dict[int, int]:
    """The queries of one list page for each page size (after a warm-up); each page must be full."""
    assert client.get(url, {"page_size": sizes[0]}).status_code == 200  # warm-up
    counts = {}
    for size in sizes:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == min(size, total), (url, size)
        counts[size] = len(queries.captured_queries)
    return counts


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    """A child's case in the home unit, the caseworker responsible."""
    child = PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )
    return CaseFactory(unit=world.home_unit, client=child, responsible=world.users["caseworker"])


@pytest.fixture
def token_for(world):  # type: ignore[no-untyped-def]
    """token_for(role, other=False) -> a raw token for that role's user in home (or other)."""

    def make(role: str = "caseworker", *, other: bool = False) -> str:
        users = world.other_users if other else world.users
        return issue_api_token(user=users[role], municipality=world.other if other else world.home)

    return make


@pytest.fixture
def api(token_for) -> Callable[..., Client]:  # type: ignore[no-untyped-def]
    """api(role, other=False) -> a Client sending that role's bearer token."""

    def make(role: str = "caseworker", *, other: bool = False) -> Client:
        return bearer(token_for(role, other=other))

    return make


class Unchanged:
    """Counts persons and audit events of each kind; `assert_same()` after a refused request."""

    def __init__(self) -> None:
        self.before = self._snapshot()

    @staticmethod
    def _snapshot() -> dict[str, int]:
        counts = {
            action: events(action) for action in (Action.CREATE, Action.UPDATE, Action.VIEW, Action.SEARCH)
        }
        counts["persons"] = Person.objects.count()
        return counts

    def assert_same(self) -> None:
        assert self._snapshot() == self.before


@pytest.fixture
def unchanged(world) -> Callable[[], Unchanged]:  # type: ignore[no-untyped-def]
    return Unchanged
