"""Municipalities, their units and staff memberships (who may act where, in which role)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from bredvid.core.models import BaseModel
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    pass


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Handläggare")
    FAMILY_CARE_OFFICER = "family_care_officer", _("Familjehemssekreterare")
    MANAGER = "manager", _("Enhetschef")
    AUDITOR = "auditor", _("Logggranskare")
    ADMIN = "admin", _("Systemförvaltare")


CASE_ACCESS_UNITS = "units"
CASE_ACCESS_MUNICIPALITY = "municipality"


class Municipality(BaseModel):
    holds_personal_data = False

    name = models.CharField(_("namn"), max_length=100)
    kommunkod = models.CharField(
        _("kommunkod"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Kommunkoden har fyra siffror."))],
    )
    slug = models.SlugField(unique=True)
    settings = models.JSONField(_("inställningar"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return f"{self.name} ({self.kommunkod})"

    @property
    def visits_per_year(self) -> int:
        """Personal visits to a placed child per year (practice, not law): default 4."""
        return int(self.settings.get("visits_per_year", 4))

    @property
    def case_access(self) -> str:
        """Who sees a case: `CASE_ACCESS_UNITS` (default) — the staff of the case's unit and named
        colleagues it is shared with — or `CASE_ACCESS_MUNICIPALITY` — every member with a casework role."""
        value = self.settings.get("case_access", CASE_ACCESS_UNITS)
        return value if value in (CASE_ACCESS_UNITS, CASE_ACCESS_MUNICIPALITY) else CASE_ACCESS_UNITS


class UnitQuerySet(ScopedQuerySet["Unit"]):
    """Every member sees the municipality's units."""


class Unit(BaseModel):
    holds_personal_data = False

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("namn"), max_length=150)
    settings = models.JSONField(_("inställningar"), default=dict, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unit_name_unique")]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet["Membership"]):
    """Every member sees who works in the municipality (names and roles, for assigning work)."""


class Membership(BaseModel):
    holds_personal_data = False

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    active = models.BooleanField(_("aktiv"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The municipality is derived from the unit; it is stored to keep tenant queries single-table.
        self.municipality_id = self.unit.municipality_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
