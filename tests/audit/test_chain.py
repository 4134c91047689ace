"""The audit log is hash-chained, verifiable and append-only in the database."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from bredvid.audit.models import Action, AuditEvent
from bredvid.audit.services import record, verify_all


def _disable_guard() -> None:
    """Simulate a DBA with full rights: switch off the append-only trigger inside the test transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks before ALTER
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


@pytest.fixture
def events(world):  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    return [record(action=Action.VIEW, tenant=tenant, object_type="x", object_id=str(i)) for i in range(5)]


def test_events_link_to_their_predecessor(events) -> None:  # type: ignore[no-untyped-def]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    for previous, current in itertools.pairwise(events):
        assert current.prev_hash == previous.hash
    report = verify_all()
    assert report.ok
    assert report.events == 5


def test_chains_are_per_municipality(world) -> None:  # type: ignore[no-untyped-def]
    a = record(action=Action.VIEW, tenant=world.tenant("caseworker"))
    b = record(action=Action.VIEW, tenant=world.tenant("caseworker", other=True))
    assert a.chain != b.chain
    assert a.seq == b.seq == 1


def test_update_and_delete_are_refused_by_the_database(events) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(reason="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    assert verify_all().ok


def test_altered_row_is_named(events) -> None:  # type: ignore[no-untyped-def]
    _disable_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'cover-up' WHERE id = %s", [events[2].pk])
    report = verify_all()
    assert not report.ok
    assert report.breaks[0].event_id == events[2].pk
    assert "altered" in report.breaks[0].problem
    with pytest.raises(CommandError, match=f"id={events[2].pk}"):
        call_command("verify_audit_chain")


def test_removed_row_is_found(events) -> None:  # type: ignore[no-untyped-def]
    _disable_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = verify_all()
    assert report.breaks[0].event_id == events[2].pk
    assert "removed" in report.breaks[0].problem


def test_removed_last_row_is_found(events) -> None:  # type: ignore[no-untyped-def]
    _disable_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    report = verify_all()
    assert not report.ok
    assert "removed" in report.breaks[0].problem


def test_inserted_row_is_found(events) -> None:  # type: ignore[no-untyped-def]
    forged = AuditEvent.objects.get(pk=events[4].pk)
    forged.pk = None
    forged.seq = 6
    forged.hash = "f" * 64
    forged.prev_hash = events[4].hash
    forged.save()
    report = verify_all()
    assert not report.ok
    assert report.breaks[0].seq == 6


def test_command_reports_ok(events, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("verify_audit_chain")
    assert "OK: 5 events" in capsys.readouterr().out
