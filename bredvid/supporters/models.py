"""Supporters (uppdragstagare): interest registrations, the supporter and household, the assessment
(lämplighetsbedömning) with register checks and training, and the profile used for matching.

State changes go through `services.py`. Nothing here is ever deleted while records must be kept.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import EVENT, EXPIRY, PLAN, RECEIPT, bounded
from bredvid.core.models import BaseModel
from bredvid.people.validators import UNPRINTABLE, has_unprintable
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant

POLICE_CHECKS_REQUIRED_FOR = (SupportKind.FAMILJEHEM, SupportKind.JOURHEM)


class SupporterScoped(ScopedQuerySet[Any]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.supporters.perms import can_read_supporters

        return can_read_supporters(tenant)


#: The youngest and oldest age of a child living at home, and how many children a registration may list.
CHILD_AGE_MIN, CHILD_AGE_MAX, CHILDREN_MAX = 0, 25, 20
#: One-line fields of a registration that are printed and searched: printable characters only.
PRINTABLE_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "area",
    "languages",
)


def check_children_ages(value: Any) -> None:
    """A list of whole numbers CHILD_AGE_MIN..CHILD_AGE_MAX, at most CHILDREN_MAX of them."""
    if not isinstance(value, list) or len(value) > CHILDREN_MAX:
        raise ValidationError(_("Ange högst %(max)s barn.") % {"max": CHILDREN_MAX}, code="children_ages")
    for age in value:
        if isinstance(age, bool) or not isinstance(age, int) or not CHILD_AGE_MIN <= age <= CHILD_AGE_MAX:
            raise ValidationError(
                _("Ange barnens åldrar som heltal från %(min)s till %(max)s.")
                % {"min": CHILD_AGE_MIN, "max": CHILD_AGE_MAX},
                code="children_ages",
            )


class InterestRegistration(BaseModel):
    """Intresseanmälan: someone offers to become a kontaktperson, kontaktfamilj, familjehem or jourhem."""

    holds_personal_data = True

    class Status(models.TextChoices):
        NEW = "new", _("Ny")
        CONTACTED = "contacted", _("Kontaktad")
        INVITED = "invited", _("Inbjuden till informationsmöte")
        INVESTIGATING = "investigating", _("Utredning påbörjad")
        CLOSED = "closed", _("Avslutad")

    class CloseReason(models.TextChoices):
        DECLINED = "declined", _("Enheten avböjer")
        WITHDRAWN = "withdrawn", _("Återtagen av den som anmälde")
        NO_ANSWER = "no_answer", _("Inget svar")

    class Source(models.TextChoices):
        PUBLIC = "public", _("E-tjänst")
        STAFF = "staff", _("Registrerad av personal")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    #: IA-<year>-<number>, unique in the municipality (`services._next_reference`); blank on older rows.
    reference = models.CharField(_("referensnummer"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("inkom"), validators=bounded(RECEIPT))
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STAFF)
    supports = models.JSONField(_("intresserad av"), default=list)
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    area = models.CharField(_("område"), max_length=100, blank=True)
    household = models.TextField(_("hushållet"), blank=True, help_text=_("Vilka som bor i hushållet."))
    adults = models.PositiveSmallIntegerField(
        _("vuxna i hushållet"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    children_ages = models.JSONField(
        _("åldrar på barn som bor hemma"), default=list, blank=True, validators=[check_children_ages]
    )
    languages = models.CharField(_("språk"), max_length=200, blank=True)
    message = models.TextField(_("meddelande"), blank=True)
    consent_text = models.TextField(_("samtyckestext som visades"))
    consent_given_at = models.DateTimeField(_("samtycke lämnat"), validators=bounded(RECEIPT))
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.NEW)
    close_reason = models.CharField(_("skäl"), max_length=10, choices=CloseReason.choices, blank=True)
    closed_note = models.TextField(_("anteckning"), blank=True)
    closed_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EVENT))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = SupporterScoped.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("intresseanmälan")
        verbose_name_plural = _("intresseanmälningar")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"],
                condition=~Q(reference=""),
                name="interest_reference_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def clean_fields(self, exclude: Any = None) -> None:
        """Printable one-line fields (no tab, line break, bidi override or unpaired surrogate)."""
        errors = {
            name: [str(UNPRINTABLE)] for name in PRINTABLE_FIELDS if has_unprintable(getattr(self, name))
        }
        excluded = set(exclude or ()) | set(errors)
        try:
            super().clean_fields(exclude=excluded)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


class InterestSequence(models.Model):
    """Per municipality and year: the last interest registration number handed out (locked while
    incremented, as casework's CaseSequence)."""

    holds_personal_data = False

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="interest_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.year}: {self.last}"


class InterestEvent(models.Model):
    """What happened to a registration and when (the inbox history)."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(InterestRegistration, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=14, choices=InterestRegistration.Status.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = SupporterScoped.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.status}"


class Supporter(BaseModel):
    """Uppdragstagare: one person or a household, approved for one or more supports."""

    holds_personal_data = True

    class Status(models.TextChoices):
        INVESTIGATING = "investigating", _("Under utredning")
        APPROVED = "approved", _("Godkänd")
        PAUSED = "paused", _("Vilande")
        ENDED = "ended", _("Avslutad")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(
        _("namn"), max_length=200, help_text=_("Personens namn eller hushållets, t.ex. Familjen Ek.")
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.INVESTIGATING
    )
    supports = models.JSONField(_("söker uppdrag som"), default=list)
    approved_supports = models.JSONField(_("godkänd för"), default=list)
    registration = models.ForeignKey(
        InterestRegistration, on_delete=models.PROTECT, null=True, blank=True, related_name="supporters"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig familjehemssekreterare"),
    )
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    area = models.CharField(_("område"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitud"), null=True, blank=True)
    longitude = models.FloatField(_("longitud"), null=True, blank=True)
    paused_reason = models.TextField(_("skäl till vilande"), blank=True)
    paused_until = models.DateField(_("vilande till"), null=True, blank=True, validators=bounded(PLAN))
    ended_reason = models.TextField(_("skäl till avslut"), blank=True)
    ended_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EXPIRY))
    approved_on = models.DateField(_("godkänd"), null=True, blank=True, validators=bounded(EVENT))

    objects = SupporterScoped.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("uppdragstagare")
        verbose_name_plural = _("uppdragstagare")
        indexes = [models.Index(fields=["municipality", "status"], name="supporter_muni_status")]

    def __str__(self) -> str:
        return self.name


class SupporterMember(models.Model):
    """A member of the supporter's household; each adult is checked in the registers."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="supporter_memberships"
    )
    adult = models.BooleanField(_("vuxen"), default=True)
    active = models.BooleanField(default=True)

    objects = SupporterScoped.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "person"], name="supporter_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id}: {self.person_id}"


class Assessment(BaseModel):
    """Utredning / lämplighetsbedömning of a supporter, by two officers, approved by a manager."""

    holds_personal_data = True

    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        APPROVED = "approved", _("Godkänd")
        REJECTED = "rejected", _("Inte godkänd")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("utredare")
    )
    co_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("medutredare"),
    )
    started_on = models.DateField(_("påbörjad"), validators=bounded(EVENT))
    method_notes = models.TextField(_("BRA-Fam eller Kälvesten"), blank=True)
    conclusion = models.TextField(_("sammanfattande bedömning"), blank=True)
    supports = models.JSONField(_("bedömd för"), default=list)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("beslutad"), null=True, blank=True, validators=bounded(EVENT))

    objects = SupporterScoped.as_manager()

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("lämplighetsbedömning")
        verbose_name_plural = _("lämplighetsbedömningar")

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.started_on}"


class AssessmentActivity(models.Model):
    """An interview, a home visit or a reference taken during the assessment."""

    holds_personal_data = True

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Intervju")
        HOME_VISIT = "home_visit", _("Hembesök")
        REFERENCE = "reference", _("Referens")
        INFO_MEETING = "info_meeting", _("Informationsmöte")

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(_("typ"), max_length=14, choices=Kind.choices)
    occurred_on = models.DateField(_("datum"), validators=bounded(EVENT))
    reference_name = models.CharField(_("referens (namn)"), max_length=200, blank=True)
    reference_relation = models.CharField(_("relation"), max_length=100, blank=True)
    notes = models.TextField(_("anteckning / sammanfattning"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = SupporterScoped.as_manager()

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_on}"


class RegisterCheckQuerySet(SupporterScoped):
    def valid_on(self, day: datetime.date) -> Self:
        """The one rule for a check that counts on `day`: received, with an outcome that does not
        disqualify, and not expired (used by approval and by the matching features)."""
        return self.filter(outcome__in=VALID_OUTCOMES, received_on__isnull=False).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )

    def police(self) -> Self:
        """The two police register checks required for familjehem and jourhem (SoF 3 kap. 3 §)."""
        return self.filter(kind__in=POLICE_KINDS)


class RegisterCheck(models.Model):
    """Registerutdrag for one adult member (police checks are required for familjehem and jourhem)."""

    holds_personal_data = True

    class Kind(models.TextChoices):
        POLICE_RECORD = "police_record", _("Polisen: belastningsregistret")
        POLICE_SUSPICION = "police_suspicion", _("Polisen: misstankeregistret")
        SOCIAL = "social", _("Socialregistret")
        KRONOFOGDEN = "kronofogden", _("Kronofogden")
        FORSAKRINGSKASSAN = "forsakringskassan", _("Försäkringskassan")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Begärd, ej mottagen")
        NO_RECORD = "no_record", _("Inga uppgifter")
        RECORD = "record", _("Uppgifter finns – bedömda")
        DISQUALIFYING = "disqualifying", _("Uppgifter finns – hinder")

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(SupporterMember, on_delete=models.PROTECT, related_name="register_checks")
    kind = models.CharField(_("register"), max_length=20, choices=Kind.choices)
    requested_on = models.DateField(_("begärd"), validators=bounded(EVENT))
    received_on = models.DateField(_("mottagen"), null=True, blank=True, validators=bounded(RECEIPT))
    outcome = models.CharField(_("resultat"), max_length=14, choices=Outcome.choices, default=Outcome.PENDING)
    note = models.TextField(_("bedömning"), blank=True)
    valid_until = models.DateField(_("giltig till"), null=True, blank=True, validators=bounded(EXPIRY))

    objects = RegisterCheckQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-requested_on"]

    def __str__(self) -> str:
        return f"{self.kind} {self.requested_on}"


POLICE_KINDS = (RegisterCheck.Kind.POLICE_RECORD, RegisterCheck.Kind.POLICE_SUSPICION)
VALID_OUTCOMES = (RegisterCheck.Outcome.NO_RECORD, RegisterCheck.Outcome.RECORD)


class Training(models.Model):
    """Utbildning, e.g. "Ett hem att växa i" (8 sessions) for familjehem."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="trainings")
    course = models.CharField(_("utbildning"), max_length=200, default="Ett hem att växa i")
    sessions_total = models.PositiveSmallIntegerField(_("antal träffar"), default=8)
    sessions_attended = models.PositiveSmallIntegerField(_("deltagit i"), default=0)
    completed_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EVENT))
    valid_until = models.DateField(_("giltig till"), null=True, blank=True, validators=bounded(EXPIRY))

    objects = SupporterScoped.as_manager()

    def __str__(self) -> str:
        return f"{self.course} {self.sessions_attended}/{self.sessions_total}"


class PreferredGender(models.TextChoices):
    ANY = "any", _("Flicka eller pojke")
    GIRL = "girl", _("Helst flicka")
    BOY = "boy", _("Helst pojke")


class SupporterProfile(models.Model):
    """What a supporter can take on, per approved support: the input to matching."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="profiles")
    support_kind = models.CharField(_("uppdrag"), max_length=24, choices=SupportKind.choices)
    children_at_once = models.PositiveSmallIntegerField(_("antal barn samtidigt"), default=1)
    days_per_month = models.PositiveSmallIntegerField(_("dygn per månad"), null=True, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(_("timmar per vecka"), null=True, blank=True)
    age_min = models.PositiveSmallIntegerField(_("från ålder"), default=0)
    age_max = models.PositiveSmallIntegerField(_("till ålder"), default=18)
    sibling_groups = models.BooleanField(_("kan ta emot syskon"), default=False)
    needs = models.JSONField(_("behov de kan möta"), default=list)
    languages = models.CharField(_("språk"), max_length=200, blank=True)
    culture_religion = models.CharField(_("kultur och religion"), max_length=200, blank=True)
    pets = models.BooleanField(_("husdjur"), default=False)
    smoking = models.BooleanField(_("rökning i hemmet"), default=False)
    allergies = models.CharField(_("allergier i hemmet"), max_length=200, blank=True)
    own_car = models.BooleanField(_("egen bil"), default=False)
    preferred_gender = models.CharField(
        _("önskar ta emot"), max_length=4, choices=PreferredGender.choices, default=PreferredGender.ANY
    )
    wishes = models.TextField(_("önskemål"), blank=True)

    objects = SupporterScoped.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "support_kind"], name="supporter_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.support_kind}"


class Unavailability(models.Model):
    """A period when the supporter cannot take assignments."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    supporter = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="unavailability")
    starts_on = models.DateField(_("från"), validators=bounded(PLAN))
    ends_on = models.DateField(_("till"), validators=bounded(PLAN))
    reason = models.CharField(_("skäl"), max_length=200, blank=True)

    objects = SupporterScoped.as_manager()

    def __str__(self) -> str:
        return f"{self.starts_on}–{self.ends_on}"
