"""Domain errors every app raises and every page and endpoint turns into a message.

The message is Swedish (translated through gettext) and can be shown to the user as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A domain rule was broken."""

    default = _("Åtgärden är inte tillåten.")

    def __init__(self, message: object = None) -> None:
        self.message = str(message or self.default)
        super().__init__(self.message)


class IllegalTransition(DomainError):
    """The action is not allowed in the object's current state (pages: a message; API: 409)."""

    default = _("Åtgärden går inte i det här läget.")
