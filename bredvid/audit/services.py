# ruff: noqa: E501, S608  (SQL below is built from constants only; values are always parameters)
"""Writing and verifying the audit log.

`record()` is the only way events are written. It runs inside the caller's transaction when
there is one (a service's change and its audit event commit together) and in its own
otherwise, except that during a request a read (view, search, export, print) recorded outside a
transaction is written when the response is ready, in the transaction that saves the session and
before the response is returned (`deferred_reads`). The chain head row is locked while the event
is appended, so concurrent writers of one municipality are serialised and every event links to
exactly one predecessor.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from bredvid.audit import checkpoints
from bredvid.audit.checkpoints import Checkpoint
from bredvid.audit.keys import KeyRing, key_ring
from bredvid.audit.models import (
    FIELD_SEPARATOR,
    GENESIS_HASH,
    GLOBAL_CHAIN,
    Action,
    AuditChainHead,
    AuditEvent,
    canonical_ip,
    canonical_time,
    compute_hash,
)
from bredvid.audit.signing import ContentBreak, ContentReport, verify_signed_content

if TYPE_CHECKING:
    from bredvid.accounts.models import User
    from bredvid.tenancy.context import Tenant
    from bredvid.tenancy.models import Municipality


def chain_key(municipality_id: uuid.UUID | None) -> str:
    return GLOBAL_CHAIN if municipality_id is None else str(municipality_id)


def _lock_head(chain: str) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(chain=chain)
    except IntegrityError:  # another writer created it first
        return AuditChainHead.objects.select_for_update().get(chain=chain)


# Reads: nothing changes in the database, so nothing has to commit with the event (see deferred_reads).
READ_ACTIONS = frozenset({Action.VIEW, Action.SEARCH, Action.EXPORT, Action.PRINT})
Waiting = list[tuple[dict[str, Any], AuditEvent]]
# The innermost deferred_reads() block: its waiting events and the transaction depth when it began.
_deferred: ContextVar[tuple[Waiting, int] | None] = ContextVar("bredvid_audit_deferred", default=None)


def record(
    *,
    action: str,
    tenant: Tenant | None = None,
    actor: User | None = None,
    municipality: Municipality | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    person_id: uuid.UUID | None = None,
    subjects: Iterable[uuid.UUID] = (),
    reason: str = "",
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    via: str | None = None,
) -> AuditEvent | None:
    """Append one event to the municipality's chain and return it.

    Inside `deferred_reads()` (every request, see bredvid.audit.middleware) a read recorded outside a
    transaction is written by `write_deferred()` when the response is ready, before it is returned; the
    returned event gets its id, sequence number and hash then.
    """
    if settings.AUDIT_DISABLED:
        return None
    if tenant is not None:
        actor = actor or tenant.user
        municipality = municipality or tenant.municipality
        ip = ip or tenant.ip
        via = via or tenant.via
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    municipality_id = municipality.pk if municipality is not None else None
    fields: dict[str, Any] = {
        "chain": chain_key(municipality_id),
        "occurred_at": timezone.now(),
        "municipality_id": municipality_id,
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.get_username() if actor is not None else "",
        "via": via or "web",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "person_id": person_id,
        "subjects": " ".join(str(s) for s in subjects),
        "ip": canonical_ip(ip) or None,
        "reason": reason,
        "detail_json": json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
    }
    deferred = _deferred.get()
    if deferred is not None and action in READ_ACTIONS:
        waiting, depth = deferred
        if len(connections["default"].atomic_blocks) == depth:  # no transaction opened since the block began
            event = AuditEvent(**fields)
            waiting.append((fields, event))
            return event
    return _write(fields)


def _write(fields: dict[str, Any], event: AuditEvent | None = None) -> AuditEvent:
    """Append the event now, in the caller's transaction if there is one."""
    ring = key_ring()
    if connections["default"].vendor == "postgresql":
        event_id, seq, prev_hash, digest_hex = _append_pg(fields, ring)
    else:
        event_id, seq, prev_hash, digest_hex = _append_locked(fields, ring)
    if event is None:
        event = AuditEvent(**fields)
    event.id, event.seq, event.prev_hash, event.hash = event_id, seq, prev_hash, digest_hex
    event.key_id = ring.current_id
    event._state.adding = False
    event._state.db = "default"
    return event


def _append_locked(fields: dict[str, Any], ring: KeyRing) -> tuple[int, int, str, str]:
    """Other databases (SQLite in development): lock the head row, hash in Python, insert, move the head."""
    with transaction.atomic():
        head = _lock_head(fields["chain"])
        seq = head.seq + 1
        digest_hex = compute_hash(seq=seq, prev_hash=head.last_hash, key=ring.current, **fields)
        event = AuditEvent.objects.create(
            seq=seq, prev_hash=head.last_hash, hash=digest_hex, key_id=ring.current_id, **fields
        )
        AuditChainHead.objects.filter(chain=fields["chain"]).update(seq=seq, last_hash=digest_hex)
    return event.pk, seq, head.last_hash, digest_hex


_PG_LOCK_HEAD = "SELECT seq, last_hash FROM audit_auditchainhead WHERE chain = %s FOR UPDATE"
_PG_NEW_HEAD = "INSERT INTO audit_auditchainhead (chain, seq, last_hash) VALUES (%s, 0, %s) ON CONFLICT (chain) DO NOTHING"
_PG_INSERT = """
    WITH moved AS (UPDATE audit_auditchainhead SET seq = %s, last_hash = %s WHERE chain = %s)
    INSERT INTO audit_auditevent (chain, seq, municipality_id, occurred_at, actor_id, actor_username, via, action,
        object_type, object_id, person_id, subjects, ip, reason, detail_json, prev_hash, hash, key_id)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id
"""


def _append_pg(fields: dict[str, Any], ring: KeyRing) -> tuple[int, int, str, str]:
    """PostgreSQL: lock the head row, compute the HMAC here, then insert and move the head in one statement.

    The key never reaches the database (ADR 0008), so the hash cannot be computed there; two statements
    in one transaction, with the head row locked in between.
    """
    chain = fields["chain"]
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(_PG_LOCK_HEAD, [chain])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(_PG_NEW_HEAD, [chain, GENESIS_HASH])
            cursor.execute(_PG_LOCK_HEAD, [chain])
            row = cursor.fetchone()
        seq, prev_hash = row[0] + 1, row[1]
        digest_hex = compute_hash(seq=seq, prev_hash=prev_hash, key=ring.current, **fields)
        cursor.execute(
            _PG_INSERT,
            [seq, digest_hex, chain,
             chain, seq, fields["municipality_id"], fields["occurred_at"], fields["actor_id"], fields["actor_username"],
             fields["via"], fields["action"], fields["object_type"], fields["object_id"], fields["person_id"],
             fields["subjects"], fields["ip"], fields["reason"], fields["detail_json"], prev_hash, digest_hex,
             ring.current_id],
        )  # fmt: skip
        (event_id,) = cursor.fetchone()
    return event_id, seq, prev_hash, digest_hex


@contextmanager
def deferred_reads() -> Iterator[Waiting]:
    """Collect the reads recorded in this block outside a transaction instead of committing each at once.

    A read changes nothing, so its event needs no transaction of its own: the caller writes the
    collected events with `write_deferred()` together with its own last write (the session save, see
    bredvid.audit.middleware) before it answers, so a request commits once and the chain head is
    locked only for that short transaction, not while the page renders. A read recorded inside a
    transaction opened in the block is written in that transaction, at once, like every change.
    Whatever is still waiting when the block ends, normally or by an exception, is written then: no
    event is lost, and if it cannot be written the exception propagates.
    """
    waiting: Waiting = []
    token = _deferred.set((waiting, len(connections["default"].atomic_blocks)))
    try:
        yield waiting
    finally:
        _deferred.reset(token)
        if waiting:
            with transaction.atomic():
                write_deferred(waiting)
            waiting.clear()


def deferred_events() -> Waiting | None:
    """The events waiting in the innermost `deferred_reads()` block, or None outside one."""
    deferred = _deferred.get()
    return deferred[0] if deferred is not None else None


def write_deferred(waiting: Waiting) -> None:
    """Write the waiting events in the caller's transaction (or each in its own, outside one).

    The caller empties `waiting` once that transaction has committed: if it rolls back, the events are
    written again at the end of `deferred_reads()`.
    """
    for fields, event in waiting:
        _write(fields, event)


def record_for_user_municipalities(
    *, action: str, actor: User, ip: str | None, detail: dict[str, Any]
) -> None:
    """Log-in events go to every municipality the user works in, so each auditor sees them."""
    from bredvid.tenancy.models import Membership

    municipality_ids = set(
        Membership.objects.filter(user=actor).values_list("municipality_id", flat=True).distinct()
    )
    if not municipality_ids:
        record(action=action, actor=actor, ip=ip, detail=detail)
        return
    from bredvid.tenancy.models import Municipality

    for municipality in Municipality.objects.filter(pk__in=municipality_ids):
        record(action=action, actor=actor, municipality=municipality, ip=ip, detail=detail)


# ---------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainBreak:
    chain: str
    event_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        if self.event_id:
            return f"chain {self.chain}: event id={self.event_id} (seq {self.seq}): {self.problem}"
        if self.seq:
            return f"chain {self.chain}: seq {self.seq}: {self.problem}"
        return f"chain {self.chain}: {self.problem}"


@dataclass(frozen=True)
class ChainResult:
    events: int
    breaks: list[ChainBreak]
    last_seq: int
    last_hash: str
    unkeyed: int  # events hashed with plain SHA-256 before ADR 0008
    checkpoints: int  # signed checkpoints compared

    @property
    def ok(self) -> bool:
        return not self.breaks


@dataclass(frozen=True)
class ChainReport:
    events: int
    chains: int
    breaks: list[ChainBreak]
    unkeyed: int = 0
    checkpoints: int = 0
    content: ContentReport | None = None

    @property
    def content_breaks(self) -> list[ContentBreak]:
        return self.content.breaks if self.content is not None else []

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.content_breaks


# PostgreSQL verifies in two passes, both without ever seeing the key (ADR 0008):
# 1. one query checks the structure in the database, in sequence order: sequence gaps, links, unknown key
#    ids, unkeyed events after keyed ones, and the plain SHA-256 of unkeyed (pre-0008) events;
# 2. a COPY streams, per key id, the SHA-256 of every keyed event's canonical text (the same form as
#    compute_hash) with its stored hash, and the HMAC is checked here. HMACs are independent of each
#    other, so this pass needs no sort; the lowest failing sequence number is the break.
_PG_INNER = """sha256(convert_to(concat_ws(chr(31),
        chain, seq::text, ((extract(epoch from occurred_at) * 1000000)::bigint)::text,
        coalesce(municipality_id::text, ''), coalesce(actor_id::text, ''), actor_username, via, action,
        object_type, object_id, coalesce(person_id::text, ''), subjects, coalesce(host(ip), ''), reason,
        detail_json, prev_hash), 'UTF8'))"""
_PG_STRUCTURE = f"""
    SELECT id, seq, CASE
             WHEN seq <> coalesce(prev_seq, 0) + 1 THEN 'seq'
             WHEN prev_hash <> coalesce(expected_prev, %(genesis)s) THEN 'link'
             WHEN key_id <> '' THEN 'key'
             WHEN keyed_before THEN 'downgrade'
             ELSE 'hash' END, prev_seq, key_id
    FROM (
        SELECT id, seq, hash, prev_hash, key_id,
               CASE WHEN key_id = '' THEN encode({_PG_INNER}, 'hex') END AS computed,
               lag(hash) OVER w AS expected_prev, lag(seq) OVER w AS prev_seq,
               coalesce(bool_or(key_id <> '') OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false)
                   AS keyed_before
        FROM audit_auditevent WHERE chain = %(chain)s WINDOW w AS (ORDER BY seq)
    ) AS checked
    WHERE seq <> coalesce(prev_seq, 0) + 1 OR prev_hash <> coalesce(expected_prev, %(genesis)s)
       OR (key_id <> '' AND NOT key_id = ANY(%(keys)s))
       OR (key_id = '' AND (keyed_before OR computed <> hash))
    ORDER BY seq LIMIT 1
"""
_PG_MACS = f"""COPY (
    SELECT encode({_PG_INNER}, 'hex') || CASE WHEN hash ~ '^[0-9a-f]{{64}}$' THEN hash ELSE repeat('-', 64) END || seq::text
    FROM audit_auditevent WHERE chain = %s AND key_id = %s AND seq < %s
) TO STDOUT"""
_PG_SUMMARY = """
    SELECT count(*), count(*) FILTER (WHERE key_id = ''), max(seq),
           (SELECT hash FROM audit_auditevent WHERE chain = %(chain)s ORDER BY seq DESC LIMIT 1),
           array(SELECT DISTINCT key_id FROM audit_auditevent WHERE chain = %(chain)s AND key_id <> '')
    FROM audit_auditevent WHERE chain = %(chain)s
"""
_PG_AT = "SELECT seq, id, hash FROM audit_auditevent WHERE chain = %s AND seq = ANY(%s)"


def _first_bad_mac(cursor: Any, chain: str, key_id: str, key: bytes, below: int) -> int | None:
    """The lowest sequence number among the chain's events of `key_id` whose HMAC does not verify."""
    hmac_digest, unhex, tohex = hmac.digest, binascii.unhexlify, binascii.hexlify
    worst: int | None = None
    rest = b""
    with cursor.copy(_PG_MACS, [chain, key_id, below]) as copy:
        for block in copy:
            lines = (rest + bytes(block)).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if tohex(hmac_digest(key, unhex(line[:64]), "sha256")) != line[64:128]:
                    seq = int(line[128:])
                    worst = seq if worst is None else min(worst, seq)
    return worst


def _verify_pg(
    chain: str, ring: KeyRing, marks: dict[int, Checkpoint]
) -> tuple[int, ChainBreak | None, int, str, int]:
    """The same result as `_walk` over the chain, computed as described above."""
    params: dict[str, Any] = {"chain": chain, "genesis": GENESIS_HASH, "keys": list(ring.keys)}
    connection = connections["default"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # sort a chain in memory, not on disk
        cursor.execute(_PG_SUMMARY, params)
        count, unkeyed, last_seq, last_hash, key_ids = cursor.fetchone()
        cursor.execute(_PG_STRUCTURE, params)
        structural = cursor.fetchone()
        found: list[tuple[int, int | None, str]] = []  # (seq, event id, problem)
        if structural is not None:
            event_id, seq, kind, prev_seq, key_id = structural
            found.append(
                (seq, event_id, _STRUCTURE_PROBLEMS[kind].format(prev=prev_seq or 0, seq=seq, key=key_id))
            )
        below = found[0][0] if found else (last_seq or 0) + 1
        raw = connection.connection
        assert raw is not None
        with raw.cursor() as copy_cursor:
            for key_id in key_ids:
                if key_id in ring.keys:
                    bad = _first_bad_mac(copy_cursor, chain, key_id, ring.keys[key_id], below)
                    if bad is not None:
                        found.append(
                            (bad, None, "content altered or chain recomputed without the key (HMAC mismatch)")
                        )
        if marks:
            cursor.execute(_PG_AT, [chain, list(marks)])
            for seq, event_id, stored in cursor.fetchall():
                if stored != marks[seq].hash:
                    found.append(
                        (seq, event_id, f"chain rewritten: hash differs from the signed {marks[seq].where()}")
                    )
        if not found:
            return count, None, last_seq or 0, last_hash or GENESIS_HASH, unkeyed
        seq, event_id, problem = min(found, key=lambda item: item[0])
        if event_id is None:
            cursor.execute("SELECT id FROM audit_auditevent WHERE chain = %s AND seq = %s", [chain, seq])
            event_id = cursor.fetchone()[0]
    return count, ChainBreak(chain, event_id, seq, problem), seq - 1, "", unkeyed


_STRUCTURE_PROBLEMS = {
    "seq": "sequence jumps from {prev} to {seq}: events removed or inserted",
    "link": "does not link to the previous event",
    "key": "hashed with an unknown key id '{key}'",
    "downgrade": "unkeyed event after keyed ones: chain rewritten without the key (downgrade)",
    "hash": "content altered (hash mismatch)",
}


Row = tuple[int, int, str, str, str, bytes]  # id, seq, prev_hash, hash, key_id, SHA-256 of the canonical text


def _orm_rows(chain: str, batch: int) -> Generator[Row]:
    qs = AuditEvent.objects.filter(chain=chain).order_by("seq").values_list(
        "id", "seq", "prev_hash", "hash", "key_id", "occurred_at", "municipality_id", "actor_id", "actor_username",
        "via", "action", "object_type", "object_id", "person_id", "subjects", "ip", "reason", "detail_json",
    )  # fmt: skip
    for (event_id, seq, prev_hash, stored, key_id, occurred_at, municipality_id, actor_id, actor_username, via,
         action, object_type, object_id, person_id, subjects, ip, reason, detail_json) in qs.iterator(chunk_size=batch):  # fmt: skip
        message = FIELD_SEPARATOR.join((
            chain, str(seq), canonical_time(occurred_at),
            "" if municipality_id is None else str(municipality_id), "" if actor_id is None else str(actor_id),
            actor_username, via, action, object_type, object_id, "" if person_id is None else str(person_id),
            subjects, canonical_ip(ip), reason, detail_json, prev_hash,
        ))  # fmt: skip
        yield event_id, seq, prev_hash, stored, key_id, hashlib.sha256(message.encode()).digest()


def _walk(
    chain: str, rows: Iterator[Row], ring: KeyRing, marks: dict[int, Checkpoint]
) -> tuple[int, ChainBreak | None, int, str, int]:
    """Check every link, sequence number, hash and checkpointed hash in order; stop at the first break."""
    keys = ring.keys
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = unkeyed = 0
    keyed = False
    hmac_digest = hmac.digest
    for event_id, seq, prev_hash, stored, key_id, inner in rows:
        count += 1
        problem = ""
        if seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {seq}: events removed or inserted"
        elif prev_hash != expected_prev:
            problem = "does not link to the previous event"
        elif key_id:
            key = keys.get(key_id)
            if key is None:
                problem = f"hashed with an unknown key id {key_id!r}"
            elif hmac_digest(key, inner, "sha256").hex() != stored:
                problem = "content altered or chain recomputed without the key (HMAC mismatch)"
            keyed = True
        elif keyed:
            problem = "unkeyed event after keyed ones: chain rewritten without the key (downgrade)"
        else:
            unkeyed += 1
            if inner.hex() != stored:
                problem = "content altered (hash mismatch)"
        if not problem and marks:
            mark = marks.get(seq)
            if mark is not None and mark.hash != stored:
                problem = f"chain rewritten: hash differs from the signed {mark.where()}"
        if problem:
            return count, ChainBreak(chain, event_id, seq, problem), expected_seq - 1, expected_prev, unkeyed
        expected_prev = stored
        expected_seq += 1
    return count, None, expected_seq - 1, expected_prev, unkeyed


def verify_chain(
    chain: str,
    head: AuditChainHead | None,
    *,
    batch: int = 20_000,
    allow_unanchored_legacy: bool = False,
) -> ChainResult:
    """Walk one chain in order and compare it with its head and its signed checkpoints.

    `allow_unanchored_legacy` lets unkeyed (pre-ADR 0008) events pass without a checkpoint covering them:
    only for `audit_checkpoint`, which is what anchors them.
    """
    ring = key_ring()
    good, bad = checkpoints.read(chain, ring)
    breaks = [ChainBreak(chain, None, 0, item.problem) for item in bad]
    marks = {c.seq: c for c in good}
    latest = max(good, key=lambda c: c.seq) if good else None
    if connections["default"].vendor == "postgresql":
        count, broken, last_seq, last_hash, unkeyed = _verify_pg(chain, ring, marks)
    else:
        rows = _orm_rows(chain, batch)
        with closing(rows):  # a walk that stops early ends the rows' query here
            count, broken, last_seq, last_hash, unkeyed = _walk(chain, rows, ring, marks)
    if broken is None and latest is not None and last_seq < latest.seq:
        if count == 0:
            problem = (
                f"chain missing from the database: the signed {latest.where()} recorded {latest.seq} events"
            )
        else:
            problem = (
                f"tail truncated: the signed {latest.where()} recorded {latest.seq} events, "
                f"the chain now ends at seq {last_seq}"
            )
        broken = ChainBreak(chain, None, last_seq + 1, problem)
    if broken is None:
        broken = _head_break(chain, head, count, last_seq, last_hash)
    if (
        broken is None
        and unkeyed
        and not allow_unanchored_legacy
        and (latest is None or latest.seq < unkeyed)
    ):
        problem = f"{unkeyed} unkeyed events (before ADR 0008) not covered by a signed checkpoint: run audit_checkpoint"
        broken = ChainBreak(chain, None, unkeyed, problem)
    if broken is not None:
        breaks.insert(0, broken)
    return ChainResult(count, breaks, last_seq, last_hash, unkeyed, len(good))


def _head_break(
    chain: str, head: AuditChainHead | None, count: int, last_seq: int, last_hash: str
) -> ChainBreak | None:
    if head is None:
        return ChainBreak(chain, None, last_seq, "chain head missing") if count else None
    if head.seq != last_seq or head.last_hash != last_hash:
        return ChainBreak(
            chain,
            None,
            last_seq + 1,
            f"head says {head.seq} events but {last_seq} are linked: events removed",
        )
    return None


_CHAINS = """
    WITH RECURSIVE c(chain) AS (
        SELECT min(chain) FROM audit_auditevent
        UNION ALL
        SELECT (SELECT min(chain) FROM audit_auditevent WHERE chain > c.chain) FROM c WHERE c.chain IS NOT NULL
    )
    SELECT chain FROM c WHERE chain IS NOT NULL
"""


def _event_chains() -> list[str]:
    """The distinct chains, found through the (chain, seq) index instead of scanning every event."""
    with connections["default"].cursor() as cursor:
        cursor.execute(_CHAINS)
        return [row[0] for row in cursor.fetchall()]


def all_chains(heads: dict[str, AuditChainHead]) -> list[str]:
    """Every chain the database or the checkpoint directory knows."""
    return sorted(set(heads) | set(_event_chains()) | set(checkpoints.checkpointed_chains()))


def verify_all(*, batch: int = 20_000) -> ChainReport:
    """Every chain (links, keyed hashes, head, checkpoints), then the content of every signed row."""
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = all_chains(heads)
    if (
        connections["default"].vendor == "postgresql"
        and len(chains) > 1
        and not connections["default"].in_atomic_block
    ):
        results = _verify_parallel(chains, heads, batch)
    else:
        results = [verify_chain(chain, heads.get(chain), batch=batch) for chain in chains]
    return ChainReport(
        events=sum(r.events for r in results),
        chains=len(chains),
        breaks=[broken for r in results for broken in r.breaks],
        unkeyed=sum(r.unkeyed for r in results),
        checkpoints=sum(r.checkpoints for r in results),
        content=verify_signed_content(),
    )


def _verify_parallel(chains: list[str], heads: dict[str, AuditChainHead], batch: int) -> list[ChainResult]:
    """One database connection per worker: the database reads several chains at once."""
    from concurrent.futures import ThreadPoolExecutor

    def run(chain: str) -> ChainResult:
        try:
            return verify_chain(chain, heads.get(chain), batch=batch)
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=min(4, len(chains))) as pool:
        return list(pool.map(run, chains))
