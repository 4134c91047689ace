"""Registrations sent at the same moment get different reference numbers (PostgreSQL: real row
locks, real threads and connections; SQLite serialises every writer, so there is no race there)."""

from __future__ import annotations

import pytest
from django.db import connection

from bredvid.supporters import services
from bredvid.supporters.models import InterestRegistration
from tests.concurrency import race
from tests.conftest import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises all writers)")


def _register(world: World, n: int) -> object:
    data = {
        "supports": ["jourhem"],
        "first_name": "Ebba",
        "last_name": f"Test{n}",
        "email": f"e{n}@example.se",
    }
    return services.register_interest(
        municipality=world.home, data=data, consent_text="x", source=InterestRegistration.Source.PUBLIC
    )


def test_concurrent_registrations_get_distinct_references(world: World) -> None:
    # The first ones of the year also race to create the year's counter.
    results = race(*(lambda n=n: _register(world, n) for n in range(4)))
    assert all(isinstance(r, InterestRegistration) for r in results), results
    references = sorted(r.reference for r in results)  # type: ignore[attr-defined]
    assert [ref[-5:] for ref in references] == ["00001", "00002", "00003", "00004"]
