"""The audit log: an append-only, hash-chained record of every access to personal data.

Each municipality has its own chain (events without a municipality, such as failed logins
for unknown user names, go to the "global" chain). Event N stores the hash of event N-1;
`AuditChainHead` holds the latest sequence number and hash so removals at the end are seen.
On PostgreSQL and SQLite a trigger refuses UPDATE and DELETE on the event table.

Each event also carries `mac`, an HMAC-SHA256 of its hash with a key from the environment (`key_id`
names it; ADR 0008): whoever can write the database can recompute the SHA-256 chain but not the MACs,
and signed checkpoints kept outside the database pin the chain up to their sequence number. Events from
before keys were introduced have an empty `key_id` and `mac`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant

GLOBAL_CHAIN = "global"
GENESIS_HASH = "0" * 64
FIELD_SEPARATOR = "\x1f"


class Action(models.TextChoices):
    VIEW = "view", _("Visning")
    SEARCH = "search", _("Sökning")
    CREATE = "create", _("Skapande")
    UPDATE = "update", _("Ändring")
    DELETE = "delete", _("Borttagning")
    EXPORT = "export", _("Export")
    PRINT = "print", _("Utskrift")
    LOGIN = "login", _("Inloggning")
    LOGIN_FAILED = "login_failed", _("Misslyckad inloggning")
    LOGOUT = "logout", _("Utloggning")
    PERMISSION_DENIED = "permission_denied", _("Nekad åtkomst")
    TOKEN_ISSUED = "token_issued", _("API-nyckel utfärdad")
    NAMED_SELF = "named_self", _("Namngav sig själv på skyddad person")
    ENROLMENT_LINK_ISSUED = "enrolment_link", _("Länk för tvåfaktorsinloggning utfärdad")
    OTP_ENROLLED = "otp_enrolled", _("Tvåfaktorsinloggning aktiverad")


#: Events the log reviewer's page lists as needing review whenever it is opened: a manager who
#: gave themself access to a protected person's address decided about their own access.
NEEDS_REVIEW_ACTIONS = (Action.NAMED_SELF,)


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.audit.perms import can_review_audit_log

        return can_review_audit_log(tenant)


class AuditEvent(models.Model):
    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    chain = models.CharField(max_length=36, editable=False)
    seq = models.BigIntegerField(editable=False)
    # No single-column indexes on the two foreign keys: audit_muni_time and audit_actor_time start with
    # them and serve the same look-ups, and each index is one more write per event.
    municipality = models.ForeignKey(
        "tenancy.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("tidpunkt"))  # searched through (municipality, occurred_at)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    actor_username = models.CharField(_("användare"), max_length=150, blank=True)
    via = models.CharField(max_length=8, default="web")
    action = models.CharField(_("händelse"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("objekttyp"), max_length=64, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    person_id = models.UUIDField(_("person"), null=True, blank=True, db_index=True)
    subjects = models.TextField(
        blank=True, help_text="Space-separated ids of persons shown (lists, searches)."
    )
    ip = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    reason = models.TextField(_("skäl"), blank=True)
    detail_json = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(
        max_length=64, editable=False
    )  # (chain, seq) is the key; fewer indexes, cheaper appends
    # HMAC-SHA256 of `hash` with the key named by key_id (bredvid.audit.keys); both "" before ADR 0008.
    mac = models.CharField(max_length=64, default="", editable=False)
    key_id = models.CharField(max_length=16, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("logghändelse")
        verbose_name_plural = _("logghändelser")
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")]
        indexes = [
            models.Index(fields=["municipality", "occurred_at"], name="audit_muni_time"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    @property
    def detail(self) -> dict[str, Any]:
        return json.loads(self.detail_json)


class AuditChainHead(models.Model):
    holds_personal_data = False

    chain = models.CharField(max_length=36, primary_key=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


def canonical_time(value: datetime) -> str:
    """Microseconds since the Unix epoch: exact, and the same whatever the database returns."""
    return str((value - EPOCH) // ONE_MICROSECOND)


def canonical_ip(value: str | None) -> str:
    """The compressed form, as PostgreSQL's host(inet) and Django's inet field return it."""
    return str(ipaddress.ip_address(value)) if value else ""


def digest(parts: tuple[str, ...]) -> str:
    """SHA-256 over the event's canonical fields (see compute_hash for the order)."""
    return hashlib.sha256(FIELD_SEPARATOR.join(parts).encode()).hexdigest()


def compute_mac(hash_hex: str, key: bytes) -> str:
    """The event's MAC: HMAC-SHA256 with the key over the 32 bytes of its chain hash (ADR 0008)."""
    return hmac.digest(key, bytes.fromhex(hash_hex), "sha256").hex()


def compute_hash(
    *,
    chain: str,
    seq: int,
    occurred_at: datetime,
    municipality_id: object,
    actor_id: object,
    actor_username: str,
    via: str,
    action: str,
    object_type: str,
    object_id: str,
    person_id: object,
    subjects: str,
    ip: str | None,
    reason: str,
    detail_json: str,
    prev_hash: str,
) -> str:
    """SHA-256 over every stored field of the event and the previous event's hash."""
    return digest(
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
    )
