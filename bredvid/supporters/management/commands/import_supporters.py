from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from bredvid.supporters.importer import import_supporters
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import Municipality


class Command(BaseCommand):
    help = "Import supporters from an xlsx file (the template from the import page). Dry run unless --commit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="kommunkod")
        parser.add_argument("--user", required=True, help="the family-care officer the import is made as")
        parser.add_argument("--commit", action="store_true", help="import (without it: validate only)")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate("sv")
        municipality = Municipality.objects.filter(kommunkod=options["municipality"]).first()
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if municipality is None or user is None:
            raise CommandError("Unknown municipality or user.")
        tenant = build_tenant(user, municipality.pk, ip=None, via="cli")
        if tenant is None:
            raise CommandError("The user has no role in that municipality.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open("rb") as stream:
            result = import_supporters(
                tenant=tenant, stream=stream, commit=options["commit"], filename=path.name
            )
        for error in result.errors:
            self.stderr.write(str(error))
        if not result.ok:
            raise CommandError(f"{len(result.errors)} fel i {result.rows} rader. Ingenting importerades.")
        if result.committed:
            self.stdout.write(f"Importerade {result.imported} uppdragstagare.")
        else:
            self.stdout.write(
                f"Provkörning: {result.rows} rader utan fel. Kör med --commit för att importera."
            )
