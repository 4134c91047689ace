"""Writing and verifying the audit log.

`record()` is the only way events are written. It runs inside the caller's transaction when
there is one (a service's change and its audit event commit together) and in its own
otherwise. The chain head row is locked while the event is appended, so concurrent writers
of one municipality are serialised and every event links to exactly one predecessor.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from bredvid.audit.models import GENESIS_HASH, GLOBAL_CHAIN, AuditChainHead, AuditEvent, compute_hash

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
    """Append one event to the municipality's chain and return it."""
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
    chain = chain_key(municipality_id)
    detail_json = json.dumps(detail or {}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    subjects_text = " ".join(str(s) for s in subjects)
    actor_username = actor.get_username() if actor is not None else ""
    actor_id = actor.pk if actor is not None else None
    with transaction.atomic():
        head = _lock_head(chain)
        seq = head.seq + 1
        occurred_at = timezone.now()
        fields: dict[str, Any] = {
            "chain": chain,
            "seq": seq,
            "occurred_at": occurred_at,
            "municipality_id": municipality_id,
            "actor_id": actor_id,
            "actor_username": actor_username,
            "via": via or "web",
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "person_id": person_id,
            "subjects": subjects_text,
            "ip": ip,
            "reason": reason,
            "detail_json": detail_json,
            "prev_hash": head.last_hash,
        }
        digest = compute_hash(**fields)
        event = AuditEvent.objects.create(hash=digest, **fields)
        AuditChainHead.objects.filter(chain=chain).update(seq=seq, last_hash=digest)
    return event


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
_VERIFY_FIELDS = (
    "id",
    "seq",
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
    "prev_hash",
    "hash",
)


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


def _rows(chain: str, batch: int) -> Iterator[tuple[Any, ...]]:
    qs = AuditEvent.objects.filter(chain=chain).order_by("seq").values_list(*_VERIFY_FIELDS)
    return qs.iterator(chunk_size=batch)


def verify_chain(
    chain: str, head: AuditChainHead | None, *, batch: int = 10_000
) -> tuple[int, ChainBreak | None]:
    """Walk one chain in order; return the number of events and the first break, if any."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for row in _rows(chain, batch):
        (event_id, seq, occurred_at, municipality_id, actor_id, actor_username, via, action, object_type,
         object_id, person_id, subjects, ip, reason, detail_json, prev_hash, stored_hash) = row  # fmt: skip
        count += 1
        if seq != expected_seq:
            problem = f"sequence jumps from {expected_seq - 1} to {seq}: events removed or inserted"
            return count, ChainBreak(chain, event_id, seq, problem)
        if prev_hash != expected_prev:
            return count, ChainBreak(chain, event_id, seq, "does not link to the previous event")
        digest = compute_hash(
            chain=chain,
            seq=seq,
            occurred_at=occurred_at,
            municipality_id=municipality_id,
            actor_id=actor_id,
            actor_username=actor_username,
            via=via,
            action=action,
            object_type=object_type,
            object_id=object_id,
            person_id=person_id,
            subjects=subjects,
            ip=ip,
            reason=reason,
            detail_json=detail_json,
            prev_hash=prev_hash,
        )
        if digest != stored_hash:
            return count, ChainBreak(chain, event_id, seq, "content altered (hash mismatch)")
        expected_prev = stored_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        if count:
            return count, ChainBreak(chain, None, last_seq, "chain head missing")
    elif head.seq != last_seq or head.last_hash != expected_prev:
        return count, ChainBreak(
            chain,
            None,
            last_seq + 1,
            f"head says {head.seq} events but {last_seq} are linked: events removed",
        )
    return count, None


def verify_all(*, batch: int = 10_000) -> ChainReport:
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = sorted(set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct()))
    total = 0
    breaks: list[ChainBreak] = []
    for chain in chains:
        count, broken = verify_chain(chain, heads.get(chain), batch=batch)
        total += count
        if broken is not None:
            breaks.append(broken)
    return ChainReport(events=total, chains=len(chains), breaks=breaks)
