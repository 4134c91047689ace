"""The append starts from the head this process wrote last (one statement on PostgreSQL): a wrong
guess (a rolled-back append, another process's append, appends racing in threads) is retried
with the head locked, and the chain always verifies."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bredvid.audit import services
from bredvid.audit.models import Action, AuditChainHead, AuditEvent
from bredvid.audit.services import record, verify_all
from tests.concurrency import race


class _Rollback(Exception):
    pass


def test_an_append_after_the_guessed_head_is_one_statement_on_postgresql(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="1")  # the head is known now
    with CaptureQueriesContext(connection) as captured:
        record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="2")
    assert len(captured) == (1 if connection.vendor == "postgresql" else 2), captured.captured_queries
    assert verify_all().ok


def test_a_rolled_back_append_leaves_a_wrong_guess_that_is_retried(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    first = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="1")
    with pytest.raises(_Rollback), transaction.atomic():
        record(action=Action.UPDATE, tenant=tenant, object_type="x", object_id="gone")
        raise _Rollback
    after = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="2")
    assert first is not None and after is not None
    assert (after.seq, after.prev_hash) == (first.seq + 1, first.hash)
    assert verify_all().ok


def test_an_append_by_another_process_is_linked_to(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="1")
    chain = services.chain_key(world.home.pk)
    guessed = dict(services._heads)
    other = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="other")
    services._heads.clear()
    services._heads.update(guessed)  # this process did not see the other one's append
    mine = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="mine")
    assert other is not None and mine is not None
    assert (mine.seq, mine.prev_hash) == (other.seq + 1, other.hash)
    head = AuditChainHead.objects.get(chain=chain)
    assert (head.seq, head.last_hash) == (mine.seq, mine.hash)
    assert verify_all().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_appends_racing_in_threads_form_one_chain(world) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("threads with connections of their own need PostgreSQL")
    tenant = world.tenant("caseworker")
    record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="start")

    def appends(worker: int) -> int:
        for i in range(15):
            record(action=Action.VIEW, tenant=tenant, object_type="x", object_id=f"{worker}-{i}")
        return worker

    results = race(*(lambda w=w: appends(w) for w in range(4)))
    assert results == [0, 1, 2, 3], results
    seqs = list(AuditEvent.objects.filter(object_type="x").order_by("seq").values_list("seq", flat=True))
    assert len(seqs) == 61 and seqs == list(range(seqs[0], seqs[0] + 61))
    assert verify_all().ok
