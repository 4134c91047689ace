"""Two users at once: service calls in threads released together (PostgreSQL: real row locks, real
connections), and a service handed a copy of a row that changed meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from bredvid.audit.models import AuditEvent
from bredvid.core.errors import IllegalTransition


def race(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # collected for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def refused(call: Callable[[], object], error: type[Exception] = IllegalTransition) -> None:
    """`call` (a service handed a stale copy) raises `error` and writes no audit event."""
    events = AuditEvent.objects.count()
    with pytest.raises(error):
        call()
    assert AuditEvent.objects.count() == events
