"""The shortlist route at scale: constant queries whatever k and the pool's size, and a change
committed by another worker (its own cache, its own connection) seen by the next shortlist."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bredvid.accounts.services import issue_api_token
from bredvid.matching import features, services
from bredvid.supporters.models import RegisterCheck, Supporter, SupporterMember, SupporterProfile
from tests.factories import PersonFactory
from tests.matching.factories import NEAR_ALE, approved_supporter, granted_intervention, request_data


# the token joined to its memberships; the request (with its client and the current weights' id);
# the pool change log; the request's siblings, relatives and protected places (one UNION ALL); the
# shown supporters with their offers; the audit event (one statement on PostgreSQL, where the head
# is moved in the insert's statement; SQLite has no data-modifying WITH: head, then insert)
def _max_queries() -> int:
    return 6 if connection.vendor == "postgresql" else 7


@pytest.fixture(autouse=True)
def _fresh_pool_cache():  # type: ignore[no-untyped-def]
    features.clear_cache()
    yield
    features.clear_cache()


def _bulk_supporters(world: Any, n: int) -> None:
    """n approved familjehem homes near Ale, with valid police checks (bulk: one change logged)."""
    today = timezone.localdate()
    homes = [
        Supporter(
            municipality=world.home,
            name=f"Familjen {i}",
            status=Supporter.Status.APPROVED,
            supports=["familjehem"],
            approved_supports=["familjehem"],
            approved_on=today,
            latitude=NEAR_ALE[0] + (i % 40) * 0.002,
            longitude=NEAR_ALE[1] + (i // 40) * 0.002,
        )
        for i in range(n)
    ]
    Supporter.objects.bulk_create(homes)
    SupporterProfile.objects.bulk_create(
        SupporterProfile(
            municipality=world.home, supporter=s, support_kind="familjehem", age_min=0, age_max=18
        )
        for s in homes
    )
    members = [
        SupporterMember(municipality=world.home, supporter=s, person=PersonFactory(municipality=world.home))
        for s in homes
    ]
    SupporterMember.objects.bulk_create(members)
    RegisterCheck.objects.bulk_create(
        RegisterCheck(
            municipality=world.home,
            member=m,
            kind=kind,
            requested_on=today - dt.timedelta(days=9),
            received_on=today - dt.timedelta(days=5),
            outcome=RegisterCheck.Outcome.NO_RECORD,
            valid_until=today + dt.timedelta(days=400),
        )
        for m in members
        for kind in (RegisterCheck.Kind.POLICE_RECORD, RegisterCheck.Kind.POLICE_SUSPICION)
    )
    features.bump_pool_version(world.home.pk)


def _request(world: Any) -> Any:
    return services.create_request(
        tenant=world.tenant("caseworker"), intervention=granted_intervention(world), data=request_data()
    )


def _officer(world: Any) -> Client:
    token = issue_api_token(user=world.users["family_care_officer"], municipality=world.home)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _queries(client: Client, url: str, k: int) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"k": k})
    assert response.status_code == 200, response.content
    assert len(response.json()["candidates"]) == min(k, response.json()["eligible"])
    return [q["sql"] for q in captured.captured_queries]


def test_shortlist_queries_do_not_grow_with_k_or_the_pool(world) -> None:  # type: ignore[no-untyped-def]
    req = _request(world)
    client = _officer(world)
    url = f"/api/v1/support-requests/{req.pk}/shortlist"
    counts, loaded = {}, 0
    for size in (10, 1000):
        _bulk_supporters(world, size - loaded)  # 10, then 990 more
        loaded = size
        assert client.get(url).status_code == 200  # warm: the pool is built (or patched)
        for k in (5, 20, 50):
            counts[(size, k)] = len(_queries(client, url, k))
    assert len(set(counts.values())) == 1, counts
    assert counts[(1000, 20)] <= _max_queries(), _queries(client, url, 20)


def _in_worker(cache: dict[Any, Any], work: Any) -> Any:
    """Run `work` in a thread of its own (its own connection) with its own pool cache."""
    out: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        features._cache = cache
        try:
            out.append(work())
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return out[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_by_one_worker_is_in_the_next_shortlist_of_another(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip(
            "threads with connections of their own need PostgreSQL (SQLite: one shared memory database)"
        )
    monkeypatch.setattr(features, "_cache", {})
    approved_supporter(world, name="Familjen Alm")
    req = _request(world)
    url = f"/api/v1/support-requests/{req.pk}/shortlist"
    token = issue_api_token(user=world.users["family_care_officer"], municipality=world.home)

    def names() -> list[str]:
        response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(url)
        assert response.status_code == 200
        return [c["name"] for c in response.json()["candidates"]]

    first, second = {}, {}  # the two workers' caches
    assert _in_worker(first, names) == ["Familjen Alm"]
    assert _in_worker(second, names) == ["Familjen Alm"]
    cached = first[world.home.pk]
    ek = _in_worker(second, lambda: approved_supporter(world, name="Familjen Ek", at=(57.9306, 12.0744)).pk)
    assert _in_worker(first, names) == ["Familjen Ek", "Familjen Alm"]  # committed in the other worker
    assert first[world.home.pk].seq > cached.seq and first[world.home.pk].keys.size == 2

    def pause() -> None:
        supporter = Supporter.objects.get(pk=ek)
        supporter.status = Supporter.Status.ENDED
        supporter.save()

    _in_worker(first, pause)
    assert _in_worker(second, names) == ["Familjen Alm"]
    assert _in_worker(first, names) == ["Familjen Alm"]
