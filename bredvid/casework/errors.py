"""Casework's own domain errors (the shared ones are in bredvid.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bredvid.core.errors import DomainError


class SignedEntryImmutable(DomainError):
    default = _("En signerad journalanteckning kan inte ändras. Skriv en rättelse i en ny anteckning.")
