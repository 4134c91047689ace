from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone, translation

from bredvid.deadlines.reminders import collect_reminders, send_reminders


class Command(BaseCommand):
    help = "E-mail each user how many deadlines are overdue or due soon (daily, by cron or systemd)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list who would get a reminder; send nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("sv")
        reminders = collect_reminders(timezone.localdate())
        if options["dry_run"]:
            for r in reminders:
                self.stdout.write(f"{r.username}: {r.overdue} overdue, {r.due_soon} due soon")
            return
        sent = send_reminders(reminders)
        self.stdout.write(f"Sent {sent} reminders.")
