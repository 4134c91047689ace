"""Municipalities, their units and staff memberships (who may act where, in which role)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
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


#: Reserved whatever the settings: paths mounted only in some configurations (OIDC) or by the server.
ALWAYS_RESERVED = frozenset({"oidc", "media", "static"})


def reserved_slugs() -> frozenset[str]:
    """The first path segments the site itself uses (staff pages, the API, the administration, the
    public root list, static files...): a municipality's public site under `/<slug>/` must not take one.

    Derived from the URL resolver, so a new staff section is reserved the moment it is added."""
    from django.urls import URLResolver, get_resolver

    reserved: set[str] = set(ALWAYS_RESERVED)

    def walk(patterns: list[Any]) -> None:
        for pattern in patterns:
            route = str(pattern.pattern).lstrip("^")
            first = route.split("/", 1)[0]
            if first and "<" not in first and "(" not in first:
                reserved.add(first.rstrip("$").lower())
            elif not first and isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)

    walk(get_resolver().url_patterns)
    for prefix in (settings.STATIC_URL, getattr(settings, "MEDIA_URL", "")):
        first = str(prefix or "").strip("/").split("/", 1)[0]
        if first:
            reserved.add(first.lower())
    return frozenset(reserved)


def validate_slug_not_reserved(value: str) -> None:
    if value.lower() in reserved_slugs():
        raise ValidationError(
            _("Adressen %(slug)s används redan av Bredvid. Välj en annan."),
            code="reserved",
            params={"slug": value},
        )


class PublicPage(models.TextChoices):
    """The pages of a municipality's public site; the value is the page's address under `/<slug>/`."""

    START = "start", _("Startsida")
    CONTACT_PERSON = "kontaktperson", _("Kontaktperson")
    CONTACT_FAMILY = "kontaktfamilj", _("Kontaktfamilj")
    FOSTER_HOME = "familjehem", _("Familjehem")
    EMERGENCY_HOME = "jourhem", _("Jourhem")
    BECOME = "bli-uppdragstagare", _("Bli kontaktperson, kontaktfamilj eller familjehem")
    CONFIDENTIALITY = "sekretess", _("Sekretess och anmälningsplikt")
    SKOLFAM = "skolfam", _("Skolfam")
    CONTACT = "kontakt", _("Kontakt och öppettider")
    ACCESSIBILITY = "tillganglighet", _("Tillgänglighetsredogörelse")
    PRIVACY = "personuppgifter", _("Så behandlar vi personuppgifter")


class Municipality(BaseModel):
    holds_personal_data = False

    name = models.CharField(_("namn"), max_length=100)
    kommunkod = models.CharField(
        _("kommunkod"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Kommunkoden har fyra siffror."))],
    )
    slug = models.SlugField(unique=True, validators=[validate_slug_not_reserved])
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
    #: The public site under /<slug>/ is shown (and listed under /kommuner/) only when this is on.
    publishes_site = models.BooleanField(_("publicerar webbplatsen"), default=False)

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
    def uses_skolfam(self) -> bool:
        """The municipality works with Skolfam (its public site then has a page on it)."""
        return bool(self.settings.get("uses_skolfam", False))

    @property
    def report_overdue_days(self) -> int:
        """Days after which an assignment with planned meetings and no report is flagged on Att göra
        (default 30)."""
        return int(self.settings.get("report_overdue_days", 30))

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


class PublicTextQuerySet(ScopedQuerySet["PublicText"]):
    """The municipality's own texts for its public pages (public content: every member may read)."""


class PublicText(BaseModel):
    """A municipality's own version of one public page in one language, in Markdown.

    An empty text means "the default text" (a reset keeps the row and its history in the audit log)."""

    holds_personal_data = False

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="public_texts")
    page = models.CharField(_("sida"), max_length=40, choices=PublicPage.choices)
    language = models.CharField(_("språk"), max_length=8, choices=settings.LANGUAGES)
    markdown = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = PublicTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("text på de publika sidorna")
        verbose_name_plural = _("texter på de publika sidorna")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "page", "language"], name="public_text_unique")
        ]

    def __str__(self) -> str:
        return f"{self.page} ({self.language})"
