from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from bredvid.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load demo municipalities, staff users (one per role) and persons. Idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--persons",
            type=int,
            default=120,
            help="persons per municipality (a small number is topped up to what the demo cases need)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(persons_per_municipality=options["persons"])
        self.stdout.write(
            f"Demo data loaded ({summary.persons_created} new persons, {summary.cases_created} new cases)."
        )
        self.stdout.write("Demo logins (all share the password below):")
        for username in summary.usernames:
            self.stdout.write(f"  {username}")
        self.stdout.write(f"Password: {settings.DEMO_PASSWORD}")
