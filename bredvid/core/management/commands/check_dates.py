"""List every stored date outside its field's plausible range (core/date_bounds.py)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bredvid.core.date_bounds import stored_outside


class Command(BaseCommand):
    help = (
        "List stored dates outside their plausible range (model, id, field, value, municipality). "
        "Exits non-zero when any are found; correct them through the pages or the admin."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        found = 0
        for row in stored_outside():
            found += 1
            value = row.value.isoformat() if hasattr(row.value, "isoformat") else row.value
            self.stdout.write(
                f"{row.model}\t{row.pk}\t{row.field}\t{value}\tmunicipality={row.municipality_id or '-'}"
            )
        if found:
            raise CommandError(f"{found} stored date(s) outside the bounds.")
        self.stdout.write("All stored dates are within the bounds.")
