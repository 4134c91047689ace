"""The audit chain is keyed and anchored outside the database (ADR 0008).

Each test plays someone who can write the database but has neither the HMAC key nor the checkpoint
directory: the append-only triggers are switched off first, as the database owner could.
"""

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from bredvid.audit import checkpoints
from bredvid.audit.models import Action, AuditChainHead, AuditEvent, compute_hash, compute_mac
from bredvid.audit.services import chain_key, record, verify_all
from bredvid.audit.signing import CONTENT_KEY, content_digest
from bredvid.casework import services as casework
from bredvid.casework.models import JOURNAL_SIGNED_FIELDS, JournalEntry
from tests.audit.test_chain import _disable_guard
from tests.factories import PersonFactory

FIELDS = (
    "chain", "seq", "occurred_at", "municipality_id", "actor_id", "actor_username", "via", "action", "object_type",
    "object_id", "person_id", "subjects", "ip", "reason", "detail_json",
)  # fmt: skip


@pytest.fixture
def events(world):  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    return [record(action=Action.VIEW, tenant=tenant, object_type="x", object_id=str(i)) for i in range(6)]


def _rehash(chain: str, *, key_id: str | None = None) -> None:
    """Recompute every hash of the chain in order and move its head: what a writer without the key can do."""
    prev = "0" * 64
    for event in AuditEvent.objects.filter(chain=chain).order_by("seq"):
        values = {name: getattr(event, name) for name in FIELDS}
        digest = compute_hash(prev_hash=prev, **values)
        update = {"prev_hash": prev, "hash": digest}
        if key_id is not None:
            update["key_id"] = key_id
            update["mac"] = ""
        AuditEvent.objects.filter(pk=event.pk).update(**update)
        prev, last = digest, event.seq
    AuditChainHead.objects.filter(chain=chain).update(seq=last, last_hash=prev)


def _breaks() -> list[str]:
    return [str(b) for b in verify_all().breaks]


def test_events_are_keyed(events, settings) -> None:  # type: ignore[no-untyped-def]
    stored = AuditEvent.objects.get(pk=events[0].pk)
    assert stored.key_id == settings.AUDIT_HMAC_KEY_ID == events[0].key_id
    values = {name: getattr(stored, name) for name in FIELDS}
    assert compute_hash(prev_hash=stored.prev_hash, **values) == stored.hash
    assert stored.mac == compute_mac(stored.hash, settings.AUDIT_HMAC_KEY.encode()) == events[0].mac
    assert verify_all().ok


def test_chain_recomputed_with_sha256_and_moved_head_fails(events) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 item 4, second attack: erase a read, recompute the chain, move the head."""
    _disable_guard()
    chain = events[0].chain
    AuditEvent.objects.filter(pk=events[2].pk).delete()
    for later in events[3:]:  # renumber, so that no sequence gap shows
        AuditEvent.objects.filter(pk=later.pk).update(seq=later.seq - 1)
    _rehash(chain)
    report = verify_all()
    assert not report.ok
    [broken] = report.breaks
    assert broken.seq == 3, "the first recomputed event fails"
    assert "chain recomputed without the key or MAC altered (HMAC mismatch)" in broken.problem
    with pytest.raises(CommandError, match="HMAC mismatch"):
        call_command("verify_audit_chain")


def test_chain_recomputed_as_unkeyed_is_caught_by_the_checkpoint(events) -> None:  # type: ignore[no-untyped-def]
    call_command("audit_checkpoint")
    _disable_guard()
    chain = events[0].chain
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="cover-up")
    _rehash(chain, key_id="")  # posing as events from before the keyed chain
    [broken] = verify_all().breaks
    assert broken.seq == 6
    assert "chain rewritten: hash differs from the signed checkpoint" in broken.problem


def test_unkeyed_rewrite_without_any_checkpoint_fails(events) -> None:  # type: ignore[no-untyped-def]
    _disable_guard()
    _rehash(events[0].chain, key_id="")
    [broken] = verify_all().breaks
    assert broken.seq == 1
    assert "unkeyed event (before ADR 0008) not covered by a signed checkpoint" in broken.problem


def test_unkeyed_event_after_keyed_ones_is_a_downgrade(events) -> None:  # type: ignore[no-untyped-def]
    _disable_guard()
    chain = events[0].chain
    forged = AuditEvent.objects.get(pk=events[-1].pk)
    values = {name: getattr(forged, name) for name in FIELDS}
    values["reason"] = "forged"
    digest = compute_hash(prev_hash=forged.prev_hash, **values)
    AuditEvent.objects.filter(pk=forged.pk).update(reason="forged", hash=digest, mac="", key_id="")
    AuditChainHead.objects.filter(chain=chain).update(last_hash=digest)
    [broken] = verify_all().breaks
    assert broken.event_id == forged.pk
    assert "downgrade" in broken.problem


def test_tail_truncated_before_the_checkpoint_fails(events, capsys) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 item 4, third attack: delete the last events and move the head back."""
    call_command("audit_checkpoint")
    out = capsys.readouterr().out
    assert f"checkpoint {events[0].chain} seq 6 {events[-1].hash}" in out
    _disable_guard()
    chain = events[0].chain
    AuditEvent.objects.filter(chain=chain, seq__gt=4).delete()
    AuditChainHead.objects.filter(chain=chain).update(seq=4, last_hash=events[3].hash)
    [broken] = verify_all().breaks
    assert broken.seq == 5
    assert "tail truncated: the signed checkpoint of" in broken.problem
    assert "recorded 6 events, the chain now ends at seq 4" in broken.problem
    with pytest.raises(CommandError, match="tail truncated"):
        call_command("verify_audit_chain")


def test_events_after_the_checkpoint_verify(world, events) -> None:  # type: ignore[no-untyped-def]
    call_command("audit_checkpoint")
    record(action=Action.VIEW, tenant=world.tenant("caseworker"), object_type="x", object_id="late")
    report = verify_all()
    assert report.ok
    assert report.checkpoints == 1
    assert report.events == 7


def test_chain_removed_with_its_head_is_found(events) -> None:  # type: ignore[no-untyped-def]
    call_command("audit_checkpoint")
    _disable_guard()
    AuditEvent.objects.filter(chain=events[0].chain).delete()
    AuditChainHead.objects.filter(chain=events[0].chain).delete()
    [broken] = verify_all().breaks
    assert "chain missing from the database" in broken.problem


def test_checkpoint_with_a_bad_signature_fails(events) -> None:  # type: ignore[no-untyped-def]
    call_command("audit_checkpoint")
    path = checkpoints.checkpoint_dir() / f"{events[0].chain}.jsonl"
    body = json.loads(path.read_text())
    assert body["seq"] == 6
    assert body["key_id"] == "dev"
    body["seq"] = 9  # claims more events than were written
    path.write_text(json.dumps(body) + "\n")
    [broken] = verify_all().breaks
    assert "checkpoint of" in broken.problem
    assert "bad signature (forged or altered)" in broken.problem


def test_checkpoint_refuses_a_broken_chain(events, capsys) -> None:  # type: ignore[no-untyped-def]
    _disable_guard()
    AuditEvent.objects.filter(pk=events[3].pk).update(reason="cover-up")
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_checkpoint")
    assert not (checkpoints.checkpoint_dir() / f"{events[0].chain}.jsonl").exists()


def test_checkpoints_are_appended_per_chain(world, events) -> None:  # type: ignore[no-untyped-def]
    record(action=Action.VIEW, tenant=world.tenant("caseworker", other=True))
    call_command("audit_checkpoint")
    record(action=Action.VIEW, tenant=world.tenant("caseworker"))
    call_command("audit_checkpoint")
    home = (checkpoints.checkpoint_dir() / f"{chain_key(world.home.pk)}.jsonl").read_text().splitlines()
    other = (checkpoints.checkpoint_dir() / f"{chain_key(world.other.pk)}.jsonl").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in home] == [6, 7]
    assert [json.loads(line)["seq"] for line in other] == [1, 1]
    assert verify_all().checkpoints == 4


def _legacy_chain(world) -> str:  # type: ignore[no-untyped-def]
    """Two events as written before ADR 0008: plain SHA-256, no key id."""
    chain = chain_key(world.home.pk)
    prev = "0" * 64
    for seq in (1, 2):
        values = {
            "chain": chain, "seq": seq, "occurred_at": dt.datetime(2026, 11, 1, 9, seq, tzinfo=dt.UTC),
            "municipality_id": world.home.pk, "actor_id": None, "actor_username": "", "via": "web",
            "action": Action.VIEW, "object_type": "x", "object_id": str(seq), "person_id": None, "subjects": "",
            "ip": None, "reason": "", "detail_json": "{}",
        }  # fmt: skip
        digest = compute_hash(prev_hash=prev, **values)
        AuditEvent.objects.create(prev_hash=prev, hash=digest, mac="", key_id="", **values)
        prev = digest
    AuditChainHead.objects.create(chain=chain, seq=2, last_hash=prev)
    return chain


def test_legacy_unkeyed_events_verify_once_a_checkpoint_anchors_them(world, capsys) -> None:  # type: ignore[no-untyped-def]
    _legacy_chain(world)
    [broken] = verify_all().breaks
    assert broken.seq == 1
    assert "unkeyed event (before ADR 0008) not covered by a signed checkpoint" in broken.problem
    call_command("audit_checkpoint")  # what the upgrade notes say to run right after migrating
    record(action=Action.VIEW, tenant=world.tenant("caseworker"))  # keyed from here on
    report = verify_all()
    assert report.ok
    assert report.unkeyed == 2
    call_command("verify_audit_chain")
    assert "2 events predate the keyed chain" in capsys.readouterr().out


def test_rotated_key_still_verifies_old_events(world, events, settings) -> None:  # type: ignore[no-untyped-def]
    old = f"{settings.AUDIT_HMAC_KEY_ID}:{settings.AUDIT_HMAC_KEY}"
    with override_settings(AUDIT_HMAC_KEY="n" * 40, AUDIT_HMAC_KEY_ID="2", AUDIT_HMAC_OLD_KEYS=old):
        event = record(action=Action.VIEW, tenant=world.tenant("caseworker"))
        assert event.key_id == "2"
        assert verify_all().ok
    with override_settings(AUDIT_HMAC_KEY="n" * 40, AUDIT_HMAC_KEY_ID="2", AUDIT_HMAC_OLD_KEYS=""):
        [broken] = verify_all().breaks
        assert broken.seq == 1
        assert "MAC made with an unknown key id 'dev'" in broken.problem


def test_a_different_key_does_not_verify(events) -> None:  # type: ignore[no-untyped-def]
    with override_settings(AUDIT_HMAC_KEY="x" * 40):
        [broken] = verify_all().breaks
        assert "HMAC mismatch" in broken.problem


# ---------------------------------------------------------------------------
# Signed journal entries: the sign event holds the SHA-256 of the signed content
# ---------------------------------------------------------------------------
@pytest.fixture
def signed(world):  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    child = PersonFactory(municipality=world.home)
    case = casework.open_case(
        tenant=tenant, client=child, unit=world.home_unit, opened_on=dt.date(2026, 3, 2)
    )
    entry = casework.write_journal_entry(
        tenant=tenant,
        case=case,
        data={"occurred_on": dt.date(2026, 3, 5), "title": "Samtal", "text": "Med mamma."},
    )
    return casework.sign_journal_entry(tenant=tenant, entry=entry)


def _sign_event(entry: JournalEntry) -> AuditEvent:
    return AuditEvent.objects.get(object_id=str(entry.pk), detail_json__contains=CONTENT_KEY)


def test_sign_event_holds_the_content_hash(signed) -> None:  # type: ignore[no-untyped-def]
    event = _sign_event(signed)
    values = JournalEntry.objects.filter(pk=signed.pk).values("pk", *JOURNAL_SIGNED_FIELDS).get()
    assert event.detail[CONTENT_KEY] == content_digest(values)
    assert event.detail["signed"] is True
    report = verify_all()
    assert report.ok
    assert report.content is not None
    assert report.content.checked == 1


def _force_journal_update(entry: JournalEntry, **values: object) -> None:
    """Drop (SQLite) or disable (PostgreSQL) the signed-entry trigger, then change the row."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE casework_journalentry DISABLE TRIGGER casework_journalentry_signed_immutable"
            )
        else:
            cursor.execute("DROP TRIGGER casework_journalentry_signed_no_update")
    JournalEntry.objects.filter(pk=entry.pk).update(**values)


def test_signed_entry_changed_behind_the_trigger_is_named(signed) -> None:  # type: ignore[no-untyped-def]
    """Issue 11 item 4, first attack: change a signed journal entry after dropping its trigger."""
    _force_journal_update(signed, text="Med pappa.")
    report = verify_all()
    assert not report.ok
    assert report.breaks == []  # the audit chain itself is intact
    [altered] = report.content_breaks
    assert altered.object_id == str(signed.pk)
    assert altered.event_id == _sign_event(signed).pk
    assert "content differs from what was signed" in altered.problem
    with pytest.raises(CommandError, match=f"casework.journalentry {signed.pk}"):
        call_command("verify_audit_chain")


def test_signed_entry_set_back_to_draft_is_named(signed) -> None:  # type: ignore[no-untyped-def]
    _force_journal_update(signed, status=JournalEntry.Status.DRAFT)
    [altered] = verify_all().content_breaks
    assert "signed row missing or no longer signed" in altered.problem


def test_rewrite_before_the_checkpoint_is_named_by_the_checkpoint(events) -> None:  # type: ignore[no-untyped-def]
    """Before the latest checkpoint, its signed hash pins the SHA-256 chain; the MACs are checked after it."""
    call_command("audit_checkpoint")
    _disable_guard()
    AuditEvent.objects.filter(pk=events[1].pk).update(reason="cover-up")
    _rehash(events[0].chain)  # the MACs are left as they were
    [broken] = verify_all().breaks
    assert (broken.seq, broken.event_id) == (6, events[5].pk)
    assert "chain rewritten: hash differs from the signed checkpoint" in broken.problem


def test_event_after_the_checkpoint_with_a_forged_mac_fails(world, events) -> None:  # type: ignore[no-untyped-def]
    call_command("audit_checkpoint")
    late = record(action=Action.VIEW, tenant=world.tenant("caseworker"), object_type="x", object_id="late")
    _disable_guard()
    AuditEvent.objects.filter(pk=late.pk).update(mac="0" * 64)
    [broken] = verify_all().breaks
    assert (broken.seq, broken.event_id) == (7, late.pk)
    assert "HMAC mismatch" in broken.problem
