"""Sign each chain's head and append it outside the database (ADR 0008); cron runs it (operations §7)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils import timezone

from bredvid.audit import checkpoints
from bredvid.audit.models import AuditChainHead
from bredvid.audit.services import ChainResult, all_chains, verify_chain


class Command(BaseCommand):
    help = (
        "Verify each audit chain and append its head (sequence number, hash, time), signed with "
        "AUDIT_HMAC_KEY, to AUDIT_CHECKPOINT_DIR/<chain>.jsonl (and syslog with AUDIT_CHECKPOINT_SYSLOG). "
        "A broken chain is not checkpointed and the command exits non-zero."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        heads = {h.chain: h for h in AuditChainHead.objects.all()}
        for chain in all_chains(heads):
            result = _verified(chain)
            if not result.ok:
                failed.append(chain)
                for broken in result.breaks:
                    self.stderr.write(f"BROKEN {broken}")
                continue
            if result.events == 0:
                continue
            checkpoint = checkpoints.append(chain, result.last_seq, result.last_hash, timezone.now())
            self.stdout.write(f"checkpoint {chain} seq {checkpoint.seq} {checkpoint.hash} at {checkpoint.at}")
        if failed:
            raise CommandError(f"Not checkpointed, the chain does not verify: {', '.join(failed)}")


def _verified(chain: str) -> ChainResult:
    """Verify the chain and read its head in one snapshot (PostgreSQL: repeatable read), so that events
    appended meanwhile neither break the check nor get signed unverified. Unkeyed events from before
    ADR 0008 pass here: this checkpoint is what anchors them."""
    connection = connections["default"]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            head = AuditChainHead.objects.filter(chain=chain).first()
            return verify_chain(chain, head, allow_unanchored_legacy=True)
    head = AuditChainHead.objects.filter(chain=chain).first()
    return verify_chain(chain, head, allow_unanchored_legacy=True)
