import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bredvid.audit.services import verify_all


class Command(BaseCommand):
    help = (
        "Verify the audit log: every chain's links and keyed hashes, its head, its signed checkpoints "
        "(AUDIT_CHECKPOINT_DIR) and the content of every signed journal entry. Exit non-zero and name "
        "each break."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_all()
        elapsed = time.perf_counter() - started
        content = report.content
        if not report.ok:
            for broken in report.breaks:
                self.stderr.write(f"BROKEN {broken}")
            for altered in report.content_breaks:
                self.stderr.write(f"BROKEN signed content: {altered}")
            first = report.breaks[0] if report.breaks else f"signed content: {report.content_breaks[0]}"
            raise CommandError(f"Audit log tampered with: first break at {first}")
        rate = report.events / elapsed if elapsed else 0.0
        self.stdout.write(
            f"OK: {report.events} events in {report.chains} chains verified "
            f"in {elapsed:.2f} s ({rate:,.0f} events/s); {report.checkpoints} signed checkpoints matched"
        )
        if content is not None:
            self.stdout.write(f"OK: {content.checked} signed entries match the content hash of their signing")
            if content.unhashed:
                self.stdout.write(
                    f"NOTE: {content.unhashed} entries were signed before sign events held a content hash"
                )
        if report.unkeyed:
            self.stdout.write(
                f"NOTE: {report.unkeyed} events predate the keyed chain (plain SHA-256); "
                "a signed checkpoint covers them"
            )
