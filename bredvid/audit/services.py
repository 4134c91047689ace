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

import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from bredvid.audit.models import (
    GENESIS_HASH,
    GLOBAL_CHAIN,
    Action,
    AuditChainHead,
    AuditEvent,
    canonical_ip,
    canonical_time,
    compute_hash,
    digest,
)

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
    if connections["default"].vendor == "postgresql":
        event_id, seq, prev_hash, digest_hex = _append_pg(fields)
    else:
        event_id, seq, prev_hash, digest_hex = _append_locked(fields)
    if event is None:
        event = AuditEvent(**fields)
    event.id, event.seq, event.prev_hash, event.hash = event_id, seq, prev_hash, digest_hex
    event._state.adding = False
    event._state.db = "default"
    return event


def _append_locked(fields: dict[str, Any]) -> tuple[int, int, str, str]:
    """Other databases (SQLite in development): lock the head row, hash in Python, insert, move the head."""
    with transaction.atomic():
        head = _lock_head(fields["chain"])
        seq = head.seq + 1
        digest_hex = compute_hash(seq=seq, prev_hash=head.last_hash, **fields)
        event = AuditEvent.objects.create(seq=seq, prev_hash=head.last_hash, hash=digest_hex, **fields)
        AuditChainHead.objects.filter(chain=fields["chain"]).update(seq=seq, last_hash=digest_hex)
    return event.pk, seq, head.last_hash, digest_hex


def _append_pg(fields: dict[str, Any]) -> tuple[int, int, str, str]:
    """One statement: the audit_append() function locks the head, hashes, inserts and moves the head."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT * FROM audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [fields["chain"], fields["occurred_at"], fields["municipality_id"], fields["actor_id"], fields["actor_username"],
             fields["via"], fields["action"], fields["object_type"], fields["object_id"], fields["person_id"],
             fields["subjects"], fields["ip"], fields["reason"], fields["detail_json"]],
        )  # fmt: skip
        event_id, seq, prev_hash, digest_hex = cursor.fetchone()
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
        where = f"event id={self.event_id} (seq {self.seq})" if self.event_id else f"seq {self.seq}"
        return f"chain {self.chain}: {where}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    events: int
    chains: int
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


# Rows as tuples of the canonical strings the hash is computed over (in that order), plus id and hash.
_PG_CANONICAL = """encode(sha256(convert_to(concat_ws(chr(31),
    chain, seq::text, ((extract(epoch from occurred_at) * 1000000)::bigint)::text,
    coalesce(municipality_id::text, ''), coalesce(actor_id::text, ''), actor_username, via, action,
    object_type, object_id, coalesce(person_id::text, ''), subjects, coalesce(host(ip), ''), reason,
    detail_json, prev_hash), 'UTF8')), 'hex')"""

# PostgreSQL recomputes every hash (the same canonical form as digest()) and checks every link itself,
# returning only the first broken event: the whole chain is verified inside the database.
_PG_FIRST_BREAK = f"""
    SELECT id, seq, CASE
             WHEN seq <> coalesce(prev_seq, 0) + 1 THEN 'seq'
             WHEN prev_hash <> coalesce(expected_prev, %(genesis)s) THEN 'link'
             ELSE 'hash' END, prev_seq
    FROM (
        SELECT id, seq, hash, prev_hash, {_PG_CANONICAL} AS computed,
               lag(hash) OVER w AS expected_prev, lag(seq) OVER w AS prev_seq
        FROM audit_auditevent WHERE chain = %(chain)s WINDOW w AS (ORDER BY seq)
    ) AS checked
    WHERE seq <> coalesce(prev_seq, 0) + 1 OR prev_hash <> coalesce(expected_prev, %(genesis)s) OR computed <> hash
    ORDER BY seq LIMIT 1
"""
_PG_TAIL = "SELECT count(*), max(seq), (SELECT hash FROM audit_auditevent WHERE chain = %(chain)s ORDER BY seq DESC LIMIT 1) FROM audit_auditevent WHERE chain = %(chain)s"
_PROBLEMS = {
    "seq": "sequence jumps: events removed or inserted",
    "link": "does not link to the previous event",
    "hash": "content altered (hash mismatch)",
}


def _verify_chain_pg(chain: str, head: AuditChainHead | None) -> tuple[int, ChainBreak | None]:
    params = {"chain": chain, "genesis": GENESIS_HASH}
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # sort a chain in memory, not on disk
        cursor.execute(_PG_FIRST_BREAK, params)
        broken = cursor.fetchone()
        cursor.execute(_PG_TAIL, params)
        count, last_seq, last_hash = cursor.fetchone()
    if broken is not None:
        event_id, seq, kind, prev_seq = broken
        problem = _PROBLEMS[kind]
        if kind == "seq":
            problem = f"sequence jumps from {prev_seq or 0} to {seq}: events removed or inserted"
        return count, ChainBreak(chain, event_id, seq, problem)
    return count, _head_break(chain, head, count, last_seq or 0, last_hash or GENESIS_HASH)


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


def _orm_rows(chain: str, batch: int) -> Iterator[tuple[Any, ...]]:
    qs = AuditEvent.objects.filter(chain=chain).order_by("seq").values_list(
        "id", "seq", "prev_hash", "hash", "occurred_at", "municipality_id", "actor_id", "actor_username", "via",
        "action", "object_type", "object_id", "person_id", "subjects", "ip", "reason", "detail_json",
    )  # fmt: skip
    for (event_id, seq, prev_hash, stored, occurred_at, municipality_id, actor_id, actor_username, via, action,
         object_type, object_id, person_id, subjects, ip, reason, detail_json) in qs.iterator(chunk_size=batch):  # fmt: skip
        computed = digest((
            chain, str(seq), canonical_time(occurred_at),
            "" if municipality_id is None else str(municipality_id), "" if actor_id is None else str(actor_id),
            actor_username, via, action, object_type, object_id, "" if person_id is None else str(person_id),
            subjects, canonical_ip(ip), reason, detail_json, prev_hash,
        ))  # fmt: skip
        yield event_id, seq, prev_hash, stored, computed


def verify_chain(
    chain: str, head: AuditChainHead | None, *, batch: int = 20_000
) -> tuple[int, ChainBreak | None]:
    """Walk one chain in order; return the number of events and the first break, if any."""
    if connections["default"].vendor == "postgresql":
        return _verify_chain_pg(chain, head)
    rows = _orm_rows(chain, batch)
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event_id, seq, prev_hash, stored_hash, computed_hash in rows:
        count += 1
        if seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {seq}: events removed or inserted"
            return count, ChainBreak(chain, event_id, seq, problem)
        if prev_hash != expected_prev:
            return count, ChainBreak(chain, event_id, seq, "does not link to the previous event")
        if computed_hash != stored_hash:
            return count, ChainBreak(chain, event_id, seq, "content altered (hash mismatch)")
        expected_prev = stored_hash
        expected_seq += 1
    return count, _head_break(chain, head, count, expected_seq - 1, expected_prev)


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


def verify_all(*, batch: int = 10_000) -> ChainReport:
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = sorted(set(heads) | set(_event_chains()))
    if (
        connections["default"].vendor == "postgresql"
        and len(chains) > 1
        and not connections["default"].in_atomic_block
    ):
        results = _verify_parallel(chains, heads)
    else:
        results = [verify_chain(chain, heads.get(chain), batch=batch) for chain in chains]
    total = sum(count for count, _broken in results)
    breaks = [broken for _count, broken in results if broken is not None]
    return ChainReport(events=total, chains=len(chains), breaks=breaks)


def _verify_parallel(
    chains: list[str], heads: dict[str, AuditChainHead]
) -> list[tuple[int, ChainBreak | None]]:
    """One database connection per worker: PostgreSQL verifies several chains at once."""
    from concurrent.futures import ThreadPoolExecutor

    def run(chain: str) -> tuple[int, ChainBreak | None]:
        try:
            return _verify_chain_pg(chain, heads.get(chain))
        finally:
            connections["default"].close()

    with ThreadPoolExecutor(max_workers=min(4, len(chains))) as pool:
        return list(pool.map(run, chains))
