from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from bredvid.supporters.disposal import dispose, due_for_disposal, retention_months
from bredvid.tenancy.models import Municipality


class Command(BaseCommand):
    help = (
        "Dispose of (gallra) interest registrations that led nowhere, "
        "after the municipality's retention time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--commit", action="store_true", help="delete (without it: list only)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        for municipality in Municipality.objects.order_by("kommunkod"):
            due = due_for_disposal(municipality, today)
            count = due.count()
            months = retention_months(municipality)
            if options["commit"]:
                count = dispose(municipality, today)
                self.stdout.write(f"{municipality.kommunkod}: {count} disposed (retention {months} months)")
            else:
                self.stdout.write(
                    f"{municipality.kommunkod}: {count} due for disposal (retention {months} months); dry run"
                )
