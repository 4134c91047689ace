"""Reads recorded during a request are written with the session save, in one transaction, before the
response is returned (bredvid.audit.middleware); changes are written at once, in their own transaction.

The test's own transaction is the outermost level here: "outside a transaction" means at its depth."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bredvid.accounts.services import issue_api_token
from bredvid.audit import services
from bredvid.audit.models import Action, AuditEvent
from bredvid.audit.services import deferred_reads, record, verify_all
from bredvid.core.sessions import SessionStore
from tests.factories import PersonFactory


def _is_audit_write(sql: str) -> bool:
    return "INSERT INTO audit_auditevent" in sql or sql.startswith('INSERT INTO "audit_auditevent"')


class _Statements:
    """Each statement, and whether it ran in a transaction opened during the request."""

    def __init__(self) -> None:
        self.outside = len(connection.atomic_blocks)  # the test's transaction
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.seen.append((sql, len(context["connection"].atomic_blocks) > self.outside))
        return execute(sql, params, many, context)


def test_page_view_commits_session_and_event_together(world) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    client = world.client("caseworker")
    client.get(reverse("staff:home"))  # the log-in's own writes
    statements = _Statements()
    with connection.execute_wrapper(statements):
        response = client.get(reverse("staff:person_detail", args=[person.pk]))
    assert response.status_code == 200
    sqls = [sql for sql, _ in statements.seen]
    session_at = next(i for i, sql in enumerate(sqls) if sql.startswith('UPDATE "django_session"'))
    [audit_at] = [i for i, sql in enumerate(sqls) if _is_audit_write(sql)]
    assert audit_at > session_at, "the event is written after the page is rendered and the session saved"
    after = [(sql, inside) for sql, inside in statements.seen[session_at:] if "SAVEPOINT" not in sql]
    assert all(inside for _, inside in after), "session and event: one transaction"
    assert AuditEvent.objects.filter(action=Action.VIEW, person_id=person.pk).count() == 1
    assert verify_all().ok


def test_api_read_without_session_is_its_own_transaction(world) -> None:  # type: ignore[no-untyped-def]
    PersonFactory.create_batch(3, municipality=world.home)
    token = issue_api_token(user=world.users["caseworker"], municipality=world.home)
    statements = _Statements()
    with connection.execute_wrapper(statements):
        response = Client().get("/api/v1/persons/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    [(_sql, atomic)] = [(sql, atomic) for sql, atomic in statements.seen if _is_audit_write(sql)]
    assert atomic  # the head is locked, the HMAC computed in Python, then the event inserted (ADR 0008)
    [event] = AuditEvent.objects.filter(action=Action.SEARCH)
    assert len(event.subjects.split()) == 3


def test_event_that_cannot_be_written_fails_the_request_and_keeps_the_session(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    person = PersonFactory(municipality=world.home)
    client = world.client("caseworker")
    key = client.cookies["sessionid"].value
    before = Session.objects.get(pk=key).expire_date

    def broken(fields, event=None):  # type: ignore[no-untyped-def]
        raise DatabaseError("audit log unavailable")

    monkeypatch.setattr(services, "_write", broken)
    with pytest.raises(DatabaseError, match="audit log unavailable"):
        client.get(reverse("staff:person_detail", args=[person.pk]))
    assert Session.objects.get(pk=key).expire_date == before, "the session save was rolled back with it"
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()


def test_reads_wait_changes_do_not(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    with deferred_reads():
        view = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="1")
        change = record(action=Action.UPDATE, tenant=tenant, object_type="x", object_id="1")
        with transaction.atomic():
            in_transaction = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="2")
        assert view.pk is None, "a read outside a transaction waits"
        assert change.pk is not None, "a change is written at once"
        assert in_transaction.pk is not None, "a read inside a transaction is written in it"
    assert view.pk is not None, "written when the block ends"
    assert [view.seq, change.seq, in_transaction.seq] == [3, 1, 2]
    assert AuditEvent.objects.get(pk=view.pk).hash == view.hash
    assert verify_all().ok


def test_waiting_reads_are_written_when_the_request_fails(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    with pytest.raises(RuntimeError), deferred_reads():
        event = record(action=Action.VIEW, tenant=tenant, object_type="x", object_id="1")
        raise RuntimeError("the view failed after reading")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert verify_all().ok


def test_session_update_inside_a_transaction_needs_no_savepoint(world) -> None:  # type: ignore[no-untyped-def]
    store = SessionStore()
    store["x"] = 1
    store.create()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        store["x"] = 2
        store.save()
    assert not [q for q in queries.captured_queries if "SAVEPOINT" in q["sql"]]
    assert SessionStore(store.session_key).load() == {"x": 2}
    Session.objects.filter(session_key=store.session_key).delete()
    with pytest.raises(UpdateError), transaction.atomic():
        store.save()
