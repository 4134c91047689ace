import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bredvid.audit.services import verify_all


class Command(BaseCommand):
    help = "Verify the hash chains of the audit log; exit non-zero and name the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = verify_all()
        elapsed = time.perf_counter() - started
        if not report.ok:
            for broken in report.breaks:
                self.stderr.write(f"BROKEN {broken}")
            raise CommandError(f"Audit log tampered with: first break at {report.breaks[0]}")
        rate = report.events / elapsed if elapsed else 0.0
        self.stdout.write(
            f"OK: {report.events} events in {report.chains} chains verified "
            f"in {elapsed:.2f} s ({rate:,.0f} events/s)"
        )
