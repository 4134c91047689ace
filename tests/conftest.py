from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.test import Client

from bredvid.tenancy.context import Tenant, build_tenant
from bredvid.tenancy.models import Municipality, Role, Unit
from tests.clock import parse_instant, run_instant
from tests.factories import MembershipFactory, MunicipalityFactory, UnitFactory, UserFactory


@pytest.fixture(autouse=True)
def frozen_now(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller | None]:
    """Every test starts at the same instant (tests/clock.py): DEFAULT_NOW, BREDVID_TEST_NOW or its
    `frozen_at` marker.

    The clock ticks from there (sessions, one-time codes, sesame links and lockouts behave as in real
    life); the traveller is yielded for tests that move it (`frozen_now.shift(...)`). A test marked
    `real_clock` runs on the machine's clock and must say why."""
    if request.node.get_closest_marker("real_clock"):
        yield None
        return
    marker = request.node.get_closest_marker("frozen_at")
    text = marker.args[0] if marker else run_instant()
    with time_machine.travel(parse_instant(text), tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"  # never the developer's var/
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads and agreement PDFs: never the developer's var/
    settings.AXES_ENABLED = True
    settings.OTP_REQUIRED = False
    settings.LANGUAGE_CODE = "sv"
    # Tasks run as they are queued; tests/deadlines/test_reminder_tasks.py runs the database backend
    # with its worker, as production does.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class World:
    """Two municipalities, each with a unit and one user per role."""

    home: Municipality
    other: Municipality
    home_unit: Unit
    other_unit: Unit
    users: dict[str, object]
    other_users: dict[str, object]

    def tenant(self, role: str, *, other: bool = False) -> Tenant:
        user = (self.other_users if other else self.users)[role]
        municipality = self.other if other else self.home
        tenant = build_tenant(user, municipality.pk, ip="127.0.0.1")  # type: ignore[arg-type]
        assert tenant is not None
        return tenant

    def client(self, role: str, *, other: bool = False) -> Client:
        client = Client()
        client.force_login((self.other_users if other else self.users)[role])  # type: ignore[arg-type]
        return client


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    home = MunicipalityFactory(name="Ale", kommunkod="1440", slug="ale")
    other = MunicipalityFactory(name="Borlänge", kommunkod="2081", slug="borlange")
    home_unit = UnitFactory(municipality=home, name="Barn och unga")
    other_unit = UnitFactory(municipality=other, name="Barn och unga")
    users = {}
    other_users = {}
    for role in Role.values:
        users[role] = UserFactory(username=f"{role}.home")
        MembershipFactory(user=users[role], unit=home_unit, role=role)
        other_users[role] = UserFactory(username=f"{role}.other")
        MembershipFactory(user=other_users[role], unit=other_unit, role=role)
    return World(home, other, home_unit, other_unit, users, other_users)


@pytest.fixture
def client_for(world: World) -> Callable[..., Client]:
    return world.client
