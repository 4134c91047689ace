from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from bredvid.deadlines.reminders import collect_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "E-mail each user how many deadlines are overdue or due soon (daily, by cron or systemd). "
        "Records with dates the rules cannot use are skipped and listed; every other reminder is "
        "sent, and the command exits non-zero at the end when anything was skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list who would get a reminder; send nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("sv")
        collected = collect_reminders(timezone.localdate())
        failed_sends: list[str] = []
        if options["dry_run"]:
            for r in collected.reminders:
                self.stdout.write(f"{r.username}: {r.overdue} overdue, {r.due_soon} due soon")
        else:
            sent, failed_sends = send_reminders(collected.reminders)
            self.stdout.write(f"Queued {sent} reminders (sent by manage.py db_worker).")
        for bad in collected.invalid:
            self.stderr.write(
                f"Skipped {bad.record} {bad.object_id} (case {bad.case_ref}): "
                f"invalid date in {', '.join(bad.fields)}; run manage.py check_dates."
            )
        for username in collected.failed:
            self.stderr.write(f"Could not compute the deadlines of {username} (see the log).")
        for username in failed_sends:
            self.stderr.write(f"Could not send the reminder to {username} (see the log).")
        problems = len(collected.invalid) + len(collected.failed) + len(failed_sends)
        if problems:
            raise CommandError(f"{problems} problem(s): the other reminders were sent.")
