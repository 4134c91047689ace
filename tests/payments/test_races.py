"""Two managers attest the same run at once (PostgreSQL: real row locks, threads and connections):
one wins, the other is told the run is already attested."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from bredvid.audit.models import AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.payments import services
from bredvid.payments.models import PaymentLine, PaymentRun
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import Role
from tests.concurrency import race
from tests.factories import MembershipFactory, UserFactory
from tests.payments.conftest import decide, make_assignment, report

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises all writers)")


def _manager(world: Any, name: str) -> Any:
    user = UserFactory(username=name)
    MembershipFactory(user=user, unit=world.home_unit, role=Role.MANAGER)
    return build_tenant(user, world.home.pk, ip="127.0.0.1")  # type: ignore[arg-type]


def test_two_attests_at_once_one_wins(world: Any) -> None:
    decide(world)
    kp = make_assignment(world)
    report(kp, dt.date(2026, 3, 4))
    run = services.prepare_run(tenant=world.tenant("manager"), period=dt.date(2026, 3, 1)).run
    assert run is not None
    second, third = _manager(world, "manager2.home"), _manager(world, "manager3.home")
    a, b = PaymentRun.objects.get(pk=run.pk), PaymentRun.objects.get(pk=run.pk)
    results = race(
        lambda: services.attest_run(tenant=second, run=a), lambda: services.attest_run(tenant=third, run=b)
    )
    assert sum(isinstance(r, PaymentRun) for r in results) == 1, results
    losers = [r for r in results if isinstance(r, IllegalTransition)]
    assert len(losers) == 1 and "redan attesterad" in str(losers[0]), results
    attests = AuditEvent.objects.filter(object_id=str(run.pk), detail_json__contains="payment_run_attested")
    assert attests.count() == 1


def test_two_prepares_at_once_pay_once(world: Any) -> None:
    decide(world)
    kp = make_assignment(world)
    report(kp, dt.date(2026, 3, 4))
    manager, second = world.tenant("manager"), _manager(world, "manager2.home")
    period = dt.date(2026, 3, 1)
    results = race(
        lambda: services.prepare_run(tenant=manager, period=period),
        lambda: services.prepare_run(tenant=second, period=period),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert PaymentLine.objects.count() == 2
    assert PaymentRun.objects.count() == 1
