# ruff: noqa: S608  (SQL below is built from constants only; values are always parameters)
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
    GENESIS_HASH,
    GLOBAL_CHAIN,
    Action,
    AuditChainHead,
    AuditEvent,
    canonical_ip,
    canonical_time,
    compute_hash,
    compute_mac,
    digest,
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
    event.mac = compute_mac(digest_hex, ring.current)
    event._state.adding = False
    event._state.db = "default"
    return event


# The head each chain had after this process's last append (seq, hash): the guess the next append
# starts from. A wrong guess (another process appended since, or the transaction rolled back) costs
# only a retry with the head locked; the database, never this guess, decides what links.
_heads: dict[str, tuple[int, str]] = {}

_COLUMNS = (
    "chain",
    "seq",
    "municipality_id",
    "occurred_at",
    "actor_id",
    "actor_username",
    "via",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "subjects",
    "ip",
    "reason",
    "detail_json",
    "prev_hash",
    "hash",
    "mac",
    "key_id",
)


def _row(fields: dict[str, Any], seq: int, prev_hash: str, digest_hex: str, ring: KeyRing) -> list[Any]:
    values = {
        **fields,
        "seq": seq,
        "prev_hash": prev_hash,
        "hash": digest_hex,
        "mac": compute_mac(digest_hex, ring.current),
        "key_id": ring.current_id,
    }
    return [values[name] for name in _COLUMNS]


def _append_locked(fields: dict[str, Any], ring: KeyRing) -> tuple[int, int, str, str]:
    """Other databases (SQLite in development): move the head from the guessed one (a compare and
    swap: the UPDATE matches only while the head is still the guess, and then holds the database's
    write lock until commit) and insert; else lock the head row, hash in Python, insert, move it."""
    chain = fields["chain"]
    with transaction.atomic(savepoint=False):
        guess = _heads.get(chain)
        if guess is not None:
            seq, prev_hash = guess[0] + 1, guess[1]
            digest_hex = compute_hash(seq=seq, prev_hash=prev_hash, **fields)
            moved = AuditChainHead.objects.filter(chain=chain, seq=guess[0], last_hash=prev_hash).update(
                seq=seq, last_hash=digest_hex
            )
            if moved:
                event = AuditEvent.objects.create(
                    **dict(zip(_COLUMNS, _row(fields, seq, prev_hash, digest_hex, ring), strict=True))
                )
                _heads[chain] = (seq, digest_hex)
                return event.pk, seq, prev_hash, digest_hex
        head = _lock_head(chain)
        seq = head.seq + 1
        digest_hex = compute_hash(seq=seq, prev_hash=head.last_hash, **fields)
        event = AuditEvent.objects.create(
            **dict(zip(_COLUMNS, _row(fields, seq, head.last_hash, digest_hex, ring), strict=True))
        )
        AuditChainHead.objects.filter(chain=chain).update(seq=seq, last_hash=digest_hex)
        _heads[chain] = (seq, digest_hex)
    return event.pk, seq, head.last_hash, digest_hex


_PG_LOCK_HEAD = "SELECT seq, last_hash FROM audit_auditchainhead WHERE chain = %s FOR UPDATE"
_PG_NEW_HEAD = (
    "INSERT INTO audit_auditchainhead (chain, seq, last_hash) VALUES (%s, 0, %s)"
    " ON CONFLICT (chain) DO NOTHING"
)
_PG_VALUES = ", ".join(["%s"] * len(_COLUMNS))
_PG_INSERT = f"""
    WITH moved AS (UPDATE audit_auditchainhead SET seq = %s, last_hash = %s WHERE chain = %s)
    INSERT INTO audit_auditevent ({", ".join(_COLUMNS)}) VALUES ({_PG_VALUES}) RETURNING id
"""
# The guessed head moved and the event inserted in one statement, or neither: the UPDATE matches
# only while the head is still the guess. A concurrent append holds the head row's lock until it
# commits; this statement then re-reads the row (READ COMMITTED), no longer matches, and inserts
# nothing. INSERT ... SELECT FROM moved: no row moved, no row inserted.
_PG_APPEND = f"""
    WITH moved AS (
        UPDATE audit_auditchainhead SET seq = %s, last_hash = %s
        WHERE chain = %s AND seq = %s AND last_hash = %s RETURNING chain
    )
    INSERT INTO audit_auditevent ({", ".join(_COLUMNS)})
    SELECT {_PG_VALUES} FROM moved RETURNING id
"""


def _append_pg(fields: dict[str, Any], ring: KeyRing) -> tuple[int, int, str, str]:
    """PostgreSQL: one statement in the common case, the head this process wrote last guessed
    (`_PG_APPEND`); when the guess is wrong, lock the head row, then insert and move the head
    in one statement. Hash and MAC are computed here: the key never reaches the database (ADR 0008).
    """
    chain = fields["chain"]
    guess = _heads.get(chain)
    # savepoint=False: inside a transaction no SAVEPOINT round trips (one statement cannot half-fail)
    with transaction.atomic(savepoint=False), connections["default"].cursor() as cursor:
        if guess is not None:
            seq, prev_hash = guess[0] + 1, guess[1]
            digest_hex = compute_hash(seq=seq, prev_hash=prev_hash, **fields)
            cursor.execute(
                _PG_APPEND,
                [
                    seq,
                    digest_hex,
                    chain,
                    guess[0],
                    prev_hash,
                    *_row(fields, seq, prev_hash, digest_hex, ring),
                ],
            )
            row = cursor.fetchone()
            if row is not None:
                _heads[chain] = (seq, digest_hex)
                return row[0], seq, prev_hash, digest_hex
        cursor.execute(_PG_LOCK_HEAD, [chain])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(_PG_NEW_HEAD, [chain, GENESIS_HASH])
            cursor.execute(_PG_LOCK_HEAD, [chain])
            row = cursor.fetchone()
        seq, prev_hash = row[0] + 1, row[1]
        digest_hex = compute_hash(seq=seq, prev_hash=prev_hash, **fields)
        cursor.execute(_PG_INSERT, [seq, digest_hex, chain, *_row(fields, seq, prev_hash, digest_hex, ring)])
        (event_id,) = cursor.fetchone()
    _heads[chain] = (seq, digest_hex)
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


# PostgreSQL recomputes every SHA-256 (the same canonical form as digest()) and checks every link and
# every checkpointed hash itself, returning only the first broken event: the chain's structure and content
# are verified inside the database, which never sees the key.
_PG_CANONICAL = """encode(sha256(convert_to(concat_ws(chr(31),
    chain, seq::text, ((extract(epoch from occurred_at) * 1000000)::bigint)::text,
    coalesce(municipality_id::text, ''), coalesce(actor_id::text, ''), actor_username, via, action,
    object_type, object_id, coalesce(person_id::text, ''), subjects, coalesce(host(ip), ''), reason,
    detail_json, prev_hash), 'UTF8')), 'hex')"""
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
    WHERE seq <> coalesce(prev_seq, 0) + 1
       OR prev_hash <> coalesce(expected_prev, %(genesis)s)
       OR computed <> hash
    ORDER BY seq LIMIT 1
"""
_PG_TAIL = """
    SELECT count(*), count(*) FILTER (WHERE key_id = ''), max(seq),
           (SELECT hash FROM audit_auditevent WHERE chain = %(chain)s ORDER BY seq DESC LIMIT 1)
    FROM audit_auditevent WHERE chain = %(chain)s
"""
_PROBLEMS = {
    "seq": "sequence jumps from {prev} to {seq}: events removed or inserted",
    "link": "does not link to the previous event",
    "hash": "content altered (hash mismatch)",
}
Found = tuple[int, int | None, str]  # seq, event id, problem


def _structure_pg(chain: str) -> tuple[int, int, int, str, Found | None]:
    """Events, unkeyed events, last seq and hash, and the first break of links or SHA-256 hashes."""
    params = {"chain": chain, "genesis": GENESIS_HASH}
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # sort a chain in memory, not on disk
        cursor.execute(_PG_FIRST_BREAK, params)
        broken = cursor.fetchone()
        cursor.execute(_PG_TAIL, params)
        count, unkeyed, last_seq, last_hash = cursor.fetchone()
    found = None
    if broken is not None:
        event_id, seq, kind, prev_seq = broken
        found = (seq, event_id, _PROBLEMS[kind].format(prev=prev_seq or 0, seq=seq))
    return count, unkeyed, last_seq or 0, last_hash or GENESIS_HASH, found


def _structure_orm(chain: str, batch: int) -> tuple[int, int, int, str, Found | None]:
    """The same as _structure_pg, walking the chain in Python (SQLite in development)."""
    qs = (
        AuditEvent.objects.filter(chain=chain)
        .order_by("seq")
        .values_list(
            "id",
            "seq",
            "prev_hash",
            "hash",
            "key_id",
            "occurred_at",
            "municipality_id",
            "actor_id",
            "actor_username",
            "via",
            "action",
            "object_type",
            "object_id",
            "person_id",
            "subjects",
            "ip",
            "reason",
            "detail_json",
        )
    )
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = unkeyed = 0
    found: Found | None = None
    for (
        event_id,
        seq,
        prev_hash,
        stored,
        key_id,
        occurred_at,
        municipality_id,
        actor_id,
        actor_username,
        via,
        action,
        object_type,
        object_id,
        person_id,
        subjects,
        ip,
        reason,
        detail_json,
    ) in qs.iterator(chunk_size=batch):
        count += 1
        unkeyed += not key_id
        if found is not None:
            continue  # count the rest, as the database does
        if seq != expected_seq:
            found = (seq, event_id, _PROBLEMS["seq"].format(prev=expected_seq - 1, seq=seq))
        elif prev_hash != expected_prev:
            found = (seq, event_id, _PROBLEMS["link"])
        elif stored != digest(
            (
                chain,
                str(seq),
                canonical_time(occurred_at),
                "" if municipality_id is None else str(municipality_id),
                "" if actor_id is None else str(actor_id),
                actor_username,
                via,
                action,
                object_type,
                object_id,
                "" if person_id is None else str(person_id),
                subjects,
                canonical_ip(ip),
                reason,
                detail_json,
                prev_hash,
            )
        ):
            found = (seq, event_id, _PROBLEMS["hash"])
        expected_prev = stored
        expected_seq = seq + 1
    return count, unkeyed, expected_seq - 1, expected_prev, found


_MAC_ROWS = (
    "SELECT id, seq, hash, mac, key_id FROM audit_auditevent"
    " WHERE chain = %s AND seq > %s AND seq < %s ORDER BY seq"
)


def _mac_rows(chain: str, after: int, below: int, batch: int) -> Generator[tuple[int, int, str, str, str]]:
    """The events in (after, below), in order, in batches (a server-side cursor on PostgreSQL)."""
    with transaction.atomic(), connections["default"].chunked_cursor() as cursor:
        cursor.execute(_MAC_ROWS, [chain, after, below])
        while rows := cursor.fetchmany(batch):
            yield from rows


def _first_bad_mac(
    chain: str, after: int, below: int, ring: KeyRing, *, allow_unkeyed: bool, batch: int
) -> Found | None:
    """The first event in (after, below) whose MAC does not verify with the key ring.

    Events up to the latest signed checkpoint are pinned by it (their SHA-256 chain ends in its hash), so
    only the events after it need the key; without checkpoints, that is every event.
    """
    with closing(_mac_rows(chain, after, below, batch)) as rows:  # stopping early ends its transaction here
        return _mac_break(rows, ring, allow_unkeyed=allow_unkeyed)


def _mac_break(
    rows: Iterator[tuple[int, int, str, str, str]], ring: KeyRing, *, allow_unkeyed: bool
) -> Found | None:
    keys = ring.keys
    keyed = False
    hmac_digest, fromhex = hmac.digest, bytes.fromhex
    for event_id, seq, stored, mac, key_id in rows:
        if not key_id:
            if keyed:
                return (
                    seq,
                    event_id,
                    "unkeyed event after keyed ones: chain rewritten without the key (downgrade)",
                )
            if not allow_unkeyed:
                return (
                    seq,
                    event_id,
                    (
                        "unkeyed event (before ADR 0008) not covered by a signed checkpoint: "
                        "run audit_checkpoint"
                    ),
                )
            continue
        keyed = True
        key = keys.get(key_id)
        if key is None:
            return seq, event_id, f"MAC made with an unknown key id {key_id!r}"
        try:
            ok = hmac_digest(key, fromhex(stored), "sha256").hex() == mac
        except ValueError:  # not a hexadecimal hash
            ok = False
        if not ok:
            return seq, event_id, "chain recomputed without the key or MAC altered (HMAC mismatch)"
    return None


def _checkpoint_mismatch(chain: str, marks: dict[int, Checkpoint]) -> Found | None:
    stored = AuditEvent.objects.filter(chain=chain, seq__in=list(marks)).values_list("seq", "id", "hash")
    for seq, event_id, hash_hex in sorted(stored):
        if hash_hex != marks[seq].hash:
            return seq, event_id, f"chain rewritten: hash differs from the signed {marks[seq].where()}"
    return None


def verify_chain(
    chain: str,
    head: AuditChainHead | None,
    *,
    batch: int = 20_000,
    allow_unanchored_legacy: bool = False,
) -> ChainResult:
    """Verify one chain: links and SHA-256 hashes, the hashes of its signed checkpoints, the MACs of the
    events after the latest checkpoint, and its head.

    `allow_unanchored_legacy` lets unkeyed (pre-ADR 0008) events pass without a checkpoint covering them:
    only for `audit_checkpoint`, which is what anchors them.
    """
    ring = key_ring()
    good, bad = checkpoints.read(chain, ring)
    breaks = [ChainBreak(chain, None, 0, item.problem) for item in bad]
    marks = {c.seq: c for c in good}
    latest = max(good, key=lambda c: c.seq) if good else None
    if connections["default"].vendor == "postgresql":
        count, unkeyed, last_seq, last_hash, structural = _structure_pg(chain)
    else:
        count, unkeyed, last_seq, last_hash, structural = _structure_orm(chain, batch)
    found = [item for item in (structural, _checkpoint_mismatch(chain, marks) if marks else None) if item]
    below = min(seq for seq, _id, _problem in found) if found else last_seq + 1
    bad_mac = _first_bad_mac(
        chain, latest.seq if latest else 0, below, ring, allow_unkeyed=allow_unanchored_legacy, batch=batch
    )
    if bad_mac is not None:
        found.append(bad_mac)
    broken = None
    if found:
        seq, event_id, problem = min(found, key=lambda item: item[0])
        broken = ChainBreak(chain, event_id, seq, problem)
    elif latest is not None and last_seq < latest.seq:
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
    else:
        broken = _head_break(chain, head, count, last_seq, last_hash)
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
        SELECT (SELECT min(chain) FROM audit_auditevent WHERE chain > c.chain)
        FROM c WHERE c.chain IS NOT NULL
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
