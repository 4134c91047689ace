"""Give a new municipality its first Systemförvaltare (the platform operator's one step; ADR 0012)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bredvid.accounts.administration import appoint_first_administrator
from bredvid.accounts.models import User
from bredvid.accounts.services import issue_enrolment_link
from bredvid.core.errors import DomainError
from bredvid.tenancy.models import Municipality, Unit


class Command(BaseCommand):
    help = (
        "Make USERNAME the first Systemförvaltare of the municipality with kommunkod CODE, in the unit "
        "named UNIT (default: the municipality's only unit). Refused once the municipality has an "
        "administrator. Audited. With OTP_ENROLMENT_REQUIRES_LINK, prints the user's enrolment link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="the municipality's four-digit kommunkod")
        parser.add_argument("username")
        parser.add_argument("--unit", default="", help="the unit's name (needed when there are several)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(kommunkod=options["code"]).first()
        if municipality is None:
            raise CommandError("No municipality with that kommunkod.")
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError("No user with that username.")
        units = Unit.objects.in_municipality(municipality).filter(active=True)
        if options["unit"]:
            units = units.filter(name=options["unit"])
        found = list(units[:2])
        if len(found) != 1:
            raise CommandError("Name exactly one active unit of the municipality with --unit.")
        try:
            membership = appoint_first_administrator(municipality=municipality, unit=found[0], user=user)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"{user.get_username()} is Systemförvaltare of {municipality} ({membership.unit}).")
        if settings.OTP_ENROLMENT_REQUIRES_LINK:
            self.stdout.write(issue_enrolment_link(user=user, via="cli"))
