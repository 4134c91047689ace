from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bredvid.accounts.services import issue_api_token
from bredvid.tenancy.context import memberships_by_municipality
from bredvid.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Issue an API v1 bearer token for USERNAME. Prints only the token (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--municipality", help="kommunkod, required when the user works in several")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("No active user with that username.")
        grouped = memberships_by_municipality(user)
        if options["municipality"]:
            municipality = Municipality.objects.filter(kommunkod=options["municipality"]).first()
            if municipality is None or municipality.pk not in grouped:
                raise CommandError("The user has no role in that municipality.")
        elif len(grouped) == 1:
            municipality = Municipality.objects.get(pk=next(iter(grouped)))
        else:
            raise CommandError("The user works in several municipalities (or none): give --municipality.")
        raw = issue_api_token(user=user, municipality=municipality, name=options["name"])
        self.stdout.write(raw)
