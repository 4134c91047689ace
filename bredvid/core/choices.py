"""Choices shared by several domain apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SupportKind(models.TextChoices):
    """The kinds of support (insatser) a supporter gives and an intervention grants."""

    KONTAKTPERSON = "kontaktperson", _("Kontaktperson")
    KONTAKTFAMILJ = "kontaktfamilj", _("Kontaktfamilj")
    SARSKILT_KVALIFICERAD = "sarskilt_kvalificerad", _("Särskilt kvalificerad kontaktperson")
    FAMILJEHEM = "familjehem", _("Familjehem")
    JOURHEM = "jourhem", _("Jourhem")
