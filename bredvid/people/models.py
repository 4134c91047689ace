"""Persons: clients, guardians, supporters' household members — anyone the unit records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from bredvid.core.date_bounds import BIRTH, EVENT, bounded
from bredvid.core.identity import IdentityKind
from bredvid.core.models import BaseModel
from bredvid.people.validators import UNPRINTABLE, has_unprintable
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


class ProtectionLevel(models.TextChoices):
    NONE = "none", _("Ingen")
    SEKRETESSMARKERING = "sekretessmarkering", _("Sekretessmarkering")
    SKYDDAD_FOLKBOKFORING = "skyddad_folkbokforing", _("Skyddad folkbokföring")
    FINGERADE = "fingerade", _("Fingerade personuppgifter")


class IdentityKindChoice(models.TextChoices):
    PERSONNUMMER = IdentityKind.PERSONNUMMER.value, _("Personnummer")
    SAMORDNINGSNUMMER = IdentityKind.SAMORDNINGSNUMMER.value, _("Samordningsnummer")
    RESERVE = IdentityKind.RESERVE.value, _("Reservnummer")


class PersonQuerySet(ScopedQuerySet["Person"]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.people.perms import can_read_persons

        return can_read_persons(tenant)


class Person(BaseModel):
    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    identity_kind = models.CharField(
        _("typ av identitetsnummer"),
        max_length=20,
        choices=IdentityKindChoice.choices,
        default=IdentityKindChoice.PERSONNUMMER,
    )
    identity_number = models.CharField(_("identitetsnummer"), max_length=20, db_index=True)
    birth_date = models.DateField(_("födelsedatum"), validators=bounded(BIRTH))
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), max_length=254, blank=True)
    languages = models.CharField(
        _("språk"), max_length=200, blank=True, help_text=_("Till exempel: svenska, arabiska, nordsamiska.")
    )
    needs_interpreter = models.BooleanField(_("behöver tolk"), default=False)
    protection_level = models.CharField(
        _("skyddade personuppgifter"),
        max_length=24,
        choices=ProtectionLevel.choices,
        default=ProtectionLevel.NONE,
    )
    named_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="PersonStaffAccess",
        related_name="+",
        blank=True,
        verbose_name=_("namngiven personal"),
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "identity_number"], name="person_identity_unique_per_municipality"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "last_name", "first_name"], name="person_muni_name")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_protected(self) -> bool:
        return self.protection_level != ProtectionLevel.NONE

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):  # type: ignore[no-untyped-def]
        """Normalise the identity number (deriving the birth date) before the field checks."""
        identity_errors = _clean_identity(self)
        excluded = set(exclude or ()) | set(identity_errors)
        if identity_errors and self.identity_kind != IdentityKindChoice.RESERVE:
            excluded.add("birth_date")  # derived from the number: only the number's error is meaningful
        errors: dict[str, list[str]] = {name: [message] for name, message in identity_errors.items()}
        for name in ("first_name", "last_name"):
            if has_unprintable(getattr(self, name) or ""):
                errors[name] = [str(UNPRINTABLE)]
                excluded.add(name)
        try:
            super().full_clean(
                exclude=excluded, validate_unique=validate_unique, validate_constraints=validate_constraints
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                if name == "birth_date" and self.identity_kind != IdentityKindChoice.RESERVE:
                    name = "identity_number"  # the birth date comes from the number: show it there
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        if self.municipality_id is None or not self.identity_number:
            return
        duplicate = (
            Person.objects.filter(municipality_id=self.municipality_id, identity_number=self.identity_number)
            .exclude(pk=self.pk)
            .exists()
        )
        if duplicate:
            raise ValidationError(
                {"identity_number": _("Det finns redan en person med det numret i kommunen.")}
            )


class PersonRecordQuerySet(ScopedQuerySet[Any]):
    """Records about a person (named staff, guardians): visible to those who may read persons."""

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.people.perms import can_read_persons

        return can_read_persons(tenant)


class PersonStaffAccess(models.Model):
    """Staff named on a protected person: only they see the address and whereabouts."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="staff_access")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "user"], name="person_staff_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.person_id}"


def _clean_identity(person: Person) -> dict[str, str]:
    """Validate and normalise the identity number; derive the birth date. Returns field errors."""
    from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number

    errors: dict[str, str] = {}
    raw = (person.identity_number or "").strip()
    if not raw:
        return {"identity_number": str(_("Ange identitetsnummer."))}
    if has_unprintable(raw):
        return {"identity_number": str(UNPRINTABLE)}
    if person.identity_kind == IdentityKindChoice.RESERVE:
        person.identity_number = raw.upper()
        if person.birth_date is None:
            errors["birth_date"] = str(_("Ange födelsedatum för en person med reservnummer."))
        return errors
    try:
        parsed = parse_identity_number(raw)
    except InvalidIdentityNumber as exc:
        return {"identity_number": str(exc)}
    person.identity_number = parsed.number
    person.identity_kind = parsed.kind.value
    person.birth_date = parsed.birth_date
    return errors


class Guardianship(models.Model):
    """A guardian (vårdnadshavare) of a child. Joint custody is two active rows."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="guardianships")
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="wards")
    since = models.DateField(_("från"), null=True, blank=True, validators=bounded(EVENT))
    ended_on = models.DateField(_("till"), null=True, blank=True, validators=bounded(EVENT))

    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("vårdnadshavare")
        verbose_name_plural = _("vårdnadshavare")
        constraints = [models.UniqueConstraint(fields=["child", "guardian"], name="guardianship_unique")]

    def __str__(self) -> str:
        return f"{self.guardian_id} → {self.child_id}"
