"""Two officers confirming at once (PostgreSQL: real row locks, real threads and connections).

SQLite serialises every write to the database file, so there is no race to test there; the unique
constraint on the assignment's request is checked on both databases by test_services.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from bredvid.assignments.models import Assignment
from bredvid.core.errors import IllegalTransition
from bredvid.matching import services
from bredvid.matching.models import Offer, SupportRequest
from tests.concurrency import race as _race
from tests.matching.factories import approved_supporter, granted_intervention, request_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises all writers)")


def _accepted(world, req, supporter) -> Offer:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    (offer,) = services.send_offers(tenant=officer, support_request=req, supporters=[supporter])
    return services.answer_offer(tenant=officer, offer=offer, accepted=True)


def _order(world) -> SupportRequest:  # type: ignore[no-untyped-def]
    return services.create_request(
        tenant=world.tenant("caseworker"), intervention=granted_intervention(world), data=request_data()
    )


def test_two_confirmations_of_one_request_make_one_assignment(world) -> None:  # type: ignore[no-untyped-def]
    a = approved_supporter(world, name="Familjen A")
    b = approved_supporter(world, name="Familjen B")
    req = _order(world)
    offer_a, offer_b = _accepted(world, req, a), _accepted(world, req, b)
    officer, manager = world.tenant("family_care_officer"), world.tenant("manager")
    today = timezone.localdate()
    results = _race(
        lambda: services.confirm_offer(tenant=officer, offer=offer_a, start_on=today),
        lambda: services.confirm_offer(tenant=manager, offer=offer_b, start_on=today),
    )
    assert sum(isinstance(r, Assignment) for r in results) == 1, results
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1, results
    assert Assignment.objects.filter(request=req).count() == 1
    req.refresh_from_db()
    assert req.status == SupportRequest.Status.MATCHED


def test_two_requests_never_overfill_one_home(world) -> None:  # type: ignore[no-untyped-def]
    home = approved_supporter(world, name="Familjen En plats", places=1)
    first, second = _order(world), _order(world)
    offer_1, offer_2 = _accepted(world, first, home), _accepted(world, second, home)
    officer, manager = world.tenant("family_care_officer"), world.tenant("manager")
    today = timezone.localdate()
    results = _race(
        lambda: services.confirm_offer(tenant=officer, offer=offer_1, start_on=today),
        lambda: services.confirm_offer(tenant=manager, offer=offer_2, start_on=today),
    )
    assert sum(isinstance(r, Assignment) for r in results) == 1, results
    assert sum(isinstance(r, IllegalTransition) for r in results) == 1, results
    assert Assignment.objects.filter(supporter=home, status=Assignment.Status.ACTIVE).count() == 1
