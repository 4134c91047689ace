"""Matching: the caseworker's order for a supporter (uppdragsbeställning), offers (förfrågan) and the
per-municipality, versioned weights of the soft score.

State changes go through `services.py`. The engine (`engine.py`) never sees these models: the
arrays it works on are built by `features.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bredvid.casework.models import case_access
from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import EVENT, PLAN, bounded
from bredvid.core.models import BaseModel
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant

#: Default maximum distance (km) from the school or area, per support kind; editable per request.
DEFAULT_MAX_KM: dict[str, int] = {
    SupportKind.KONTAKTPERSON: 20,
    SupportKind.SARSKILT_KVALIFICERAD: 30,
    SupportKind.KONTAKTFAMILJ: 30,
    SupportKind.FAMILJEHEM: 100,
    SupportKind.JOURHEM: 80,
}


class RequestScoped(ScopedQuerySet[Any]):
    """Family-care officers and managers see every request of the municipality; caseworkers the
    requests of their units' cases. Records that belong to a request follow the request."""

    request_path = ""

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.matching.perms import can_read_requests

        return can_read_requests(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        from bredvid.matching.perms import can_match

        if can_match(tenant):
            return self
        return self.filter(case_access(tenant, f"{self.request_path}case__"))


class ChildRecordScoped(RequestScoped):
    request_path = "request__"


class SupportRequest(BaseModel):
    """Uppdragsbeställning: the caseworker orders a supporter for a granted intervention."""

    holds_personal_data = True

    class Status(models.TextChoices):
        OPEN = "open", _("Öppen")
        MATCHED = "matched", _("Tillsatt")
        CANCELLED = "cancelled", _("Återkallad")

    class Gender(models.TextChoices):
        GIRL = "girl", _("Flicka")
        BOY = "boy", _("Pojke")
        OTHER = "other", _("Annat eller vill inte ange")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="support_requests")
    intervention = models.ForeignKey(
        "casework.Intervention", on_delete=models.PROTECT, related_name="support_requests"
    )
    support_kind = models.CharField(_("uppdrag"), max_length=24, choices=SupportKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ordered_on = models.DateField(_("beställd"), validators=bounded(EVENT))
    gender = models.CharField(_("kön"), max_length=6, choices=Gender.choices, default=Gender.OTHER)
    needs = models.JSONField(_("behov"), default=list)
    languages = models.CharField(
        _("språk"), max_length=200, blank=True, help_text=_("Flera språk skiljs med komma.")
    )
    culture_religion = models.CharField(_("kultur och religion"), max_length=200, blank=True)
    location_name = models.CharField(
        _("skola eller område"), max_length=200, help_text=_("Ort där barnet går i skolan eller bor.")
    )
    latitude = models.FloatField(_("latitud"))
    longitude = models.FloatField(_("longitud"))
    max_distance_km = models.PositiveSmallIntegerField(_("högsta avstånd (km)"))
    no_pets = models.BooleanField(_("inga husdjur (allergi eller rädsla)"), default=False)
    no_smoking = models.BooleanField(_("ingen rökning i hemmet"), default=False)
    allergies = models.CharField(
        _("barnets allergier"), max_length=200, blank=True, help_text=_("Flera skiljs med komma.")
    )
    wishes = models.TextField(_("önskemål"), blank=True)
    start_on = models.DateField(_("önskad start"), validators=bounded(PLAN))
    end_on = models.DateField(_("planerat slut"), null=True, blank=True, validators=bounded(PLAN))
    cancelled_reason = models.TextField(_("skäl till återkallelse"), blank=True)
    closed_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EVENT))

    objects = RequestScoped.as_manager()

    class Meta:
        ordering = ["ordered_on", "created_at"]
        verbose_name = _("uppdragsbeställning")
        verbose_name_plural = _("uppdragsbeställningar")
        constraints = [
            models.UniqueConstraint(
                fields=["intervention"], condition=Q(status="open"), name="one_open_request_per_intervention"
            )
        ]
        indexes = [models.Index(fields=["municipality", "status"], name="request_muni_status")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_support_kind_display()}"


class RequestSibling(models.Model):
    """A sibling placed together with the request's child: one home for the whole group."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="siblings")
    intervention = models.ForeignKey("casework.Intervention", on_delete=models.PROTECT, related_name="+")

    objects = ChildRecordScoped.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "intervention"], name="request_sibling_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.intervention_id}"


class ProtectedPlace(models.Model):
    """A place the child must be kept away from (skyddade personuppgifter): never shown as coordinates
    in a shortlist, only used as a hard rule."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="protected_places")
    label = models.CharField(_("beskrivning"), max_length=200)
    latitude = models.FloatField(_("latitud"))
    longitude = models.FloatField(_("longitud"))
    min_distance_km = models.PositiveSmallIntegerField(_("minsta avstånd (km)"))

    objects = ChildRecordScoped.as_manager()

    def __str__(self) -> str:
        return self.label


class RequestRelative(models.Model):
    """A relative or other close person (närstående, SoL 22 kap. 1 §) who is a supporter: considered first."""

    holds_personal_data = True

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="relatives")
    supporter = models.ForeignKey("supporters.Supporter", on_delete=models.PROTECT, related_name="+")
    relation = models.CharField(_("relation till barnet"), max_length=100)

    objects = ChildRecordScoped.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "supporter"], name="request_relative_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.supporter_id}"


class Offer(BaseModel):
    """Förfrågan to one supporter about one request. An accepted offer is a proposal; confirming it
    creates the assignment."""

    holds_personal_data = True

    class Status(models.TextChoices):
        SENT = "sent", _("Skickad")
        DECLINED = "declined", _("Avböjd")
        ACCEPTED = "accepted", _("Accepterad – förslag")
        CONFIRMED = "confirmed", _("Bekräftad")
        WITHDRAWN = "withdrawn", _("Återtagen")
        EXPIRED = "expired", _("Utgången")

    class Channel(models.TextChoices):
        CALL = "call", _("Samtal (uppgift att ringa)")
        ESERVICE = "eservice", _("E-tjänsten för uppdragstagare")

    class DeclineReason(models.TextChoices):
        NO_TIME = "no_time", _("Har inte tid eller plats just nu")
        NOT_SUITABLE = "not_suitable", _("Passar inte familjen")
        DISTANCE = "distance", _("För långt avstånd")
        PERSONAL = "personal", _("Personliga skäl")
        OTHER = "other", _("Annat")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="offers")
    supporter = models.ForeignKey("supporters.Supporter", on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    channel = models.CharField(_("kanal"), max_length=10, choices=Channel.choices, default=Channel.CALL)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("skickad"), validators=bounded(EVENT))
    expires_on = models.DateField(_("svar senast"), validators=bounded(PLAN))
    answered_on = models.DateField(_("besvarad"), null=True, blank=True, validators=bounded(EVENT))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.CharField(_("skäl"), max_length=14, choices=DeclineReason.choices, blank=True)
    note = models.TextField(_("anteckning"), blank=True)
    score = models.FloatField(_("poäng när förfrågan skickades"), null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("plats i listan"), null=True, blank=True)

    objects = ChildRecordScoped.as_manager()

    class Meta:
        ordering = ["-sent_on", "-created_at"]
        verbose_name = _("förfrågan")
        verbose_name_plural = _("förfrågningar")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "supporter"],
                condition=Q(status__in=["sent", "accepted", "confirmed"]),
                name="one_live_offer_per_supporter",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.supporter_id}"


class MatchingWeightsQuerySet(ScopedQuerySet["MatchingWeights"]):
    """The municipality's versioned matching weights."""


class MatchingWeights(models.Model):
    """The soft score's weights for one municipality; every change is a new version (kept)."""

    holds_personal_data = False

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    needs = models.FloatField(_("behov som kan mötas"), default=4.0)
    languages = models.FloatField(_("språk"), default=2.0)
    culture = models.FloatField(_("kultur och religion"), default=1.0)
    distance = models.FloatField(_("avstånd"), default=2.0)
    experience = models.FloatField(_("erfarenhet"), default=1.0)
    wishes = models.FloatField(_("önskemål"), default=0.5)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MatchingWeightsQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "version"], name="weights_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} v{self.version}"


class PoolVersionQuerySet(ScopedQuerySet["PoolVersion"]):
    """The municipality's supporter-pool version (cache key of the matching arrays)."""


class PoolVersion(models.Model):
    """The head of the municipality's pool change log: `seq` counts the changes, `version` is the
    random tag of the last one (see signals.py and features.bump_pool_version). Writers update this
    row first, so its lock orders them: sequence numbers become visible in commit order."""

    holds_personal_data = False

    municipality = models.OneToOneField(
        "tenancy.Municipality", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField(default=0)
    seq = models.BigIntegerField(default=0)

    objects = PoolVersionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.version}"


class PoolChangeQuerySet(ScopedQuerySet["PoolChange"]):
    """The municipality's pool change log (read by features.pool_for since its cached seq)."""


class PoolChange(models.Model):
    """One change to what the feature arrays are built from, written in the changing transaction
    (a rolled-back change is never seen). `supporter_id` null: everything (rebuild)."""

    holds_personal_data = False

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    seq = models.BigIntegerField()
    version = models.BigIntegerField()  # the random tag: a cached seq whose tag differs was rolled back
    supporter_id = models.UUIDField(null=True)

    objects = PoolChangeQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "seq"], name="pool_change_seq_unique")]

    def __str__(self) -> str:
        return f"{self.municipality_id} #{self.seq}"
