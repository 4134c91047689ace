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
    # The public profile, shown on the public pages (set by the municipality's administrators).
    public_phone = models.CharField(_("telefon"), max_length=40, blank=True)
    public_email = models.EmailField(_("e-post"), blank=True)
    public_address = models.TextField(_("besöksadress"), blank=True)
    opening_hours = models.TextField(_("öppettider"), blank=True)
    colour = models.CharField(
        _("färg"),
        max_length=7,
        blank=True,
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Ange färgen som #rrggbb, till exempel #1d70b8."))
        ],
    )
    #: The logo as uploaded (PNG or JPEG, checked by content); kept in the database so every
    #: app server can serve it.
    logo = models.BinaryField(_("logotyp"), blank=True, default=b"")
    logo_type = models.CharField(max_length=20, blank=True)

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

    @property
    def register_check_valid_months(self) -> int:
        """How long a register extract counts as valid, in months (default 12)."""
        return int(self.settings.get("register_check_valid_months", 12))


class UnitQuerySet(ScopedQuerySet["Unit"]):
    """Every member sees the municipality's units."""


class Unit(BaseModel):
    holds_personal_data = False

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("namn"), max_length=150)
    settings = models.JSONField(_("inställningar"), default=dict, blank=True)
    #: A closed unit keeps its history; nobody is given a role in it any more.
    active = models.BooleanField(_("aktiv"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unit_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def caseworker_may_decide(self) -> bool:
        """Caseworkers of the unit may decide themselves (delegation), not only propose."""
        return bool(self.settings.get("caseworker_may_decide", False))


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
