from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class CaseworkError(Exception):
    """A domain rule was broken; the message is Swedish and can be shown to the user."""

    default = _("Åtgärden är inte tillåten.")

    def __init__(self, message: object = None) -> None:
        self.message = str(message or self.default)
        super().__init__(self.message)


class IllegalTransition(CaseworkError):
    default = _("Åtgärden går inte i det här läget.")


class SignedEntryImmutable(CaseworkError):
    default = _("En signerad journalanteckning kan inte ändras. Skriv en rättelse i en ny anteckning.")
