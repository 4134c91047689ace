"""The list of needs a supporter can meet: per municipality (settings["needs"]), with defaults."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

DEFAULT_NEEDS: list[tuple[str, Any]] = [
    ("npf", _("Neuropsykiatrisk funktionsnedsättning")),
    ("trauma", _("Traumaerfarenhet")),
    ("physical", _("Fysisk funktionsnedsättning")),
    ("addiction", _("Missbruk i familjen")),
    ("violence", _("Våld i nära relation")),
    ("school", _("Stöd i skolarbetet")),
    ("leisure", _("Fritidsaktiviteter")),
    ("newcomer", _("Nyanländ till Sverige")),
]


def needs_for(municipality: Any) -> list[tuple[str, Any]]:
    custom = municipality.settings.get("needs")
    if custom:
        return [(item["key"], item["label"]) for item in custom]
    return DEFAULT_NEEDS
