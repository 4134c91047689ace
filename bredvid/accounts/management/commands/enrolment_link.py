from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bredvid.accounts.services import issue_enrolment_link


class Command(BaseCommand):
    help = (
        "Print a single-use link with which USERNAME sets up an authenticator app (the first one, or a "
        "new one for a lost phone). Audited. Hand it over in person or by a channel you trust."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("No active user with that username.")
        self.stdout.write(issue_enrolment_link(user=user, via="cli"))
