"""The client's case: application or concern report → investigation → decision → intervention.

Legal references are to Socialtjänstlag (2025:400) "SoL", Socialtjänstförordning (2025:468)
"SoF" and LVU (1990:52). State changes go through `services.py`; nothing here sets a status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import EVENT, PLAN, RECEIPT, bounded
from bredvid.core.models import BaseModel
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


PLACEMENT_KINDS = (SupportKind.FAMILJEHEM, SupportKind.JOURHEM)


def case_access(tenant: Tenant, path: str = "") -> Q:
    """The unit rule for a case reached through `path` ("" for the case itself, "case__" for its
    records). With the municipality's default `case_access` ("units"): the cases of the tenant's
    units and the cases shared with the tenant by name; with "municipality": every case (ADR 0012)."""
    from bredvid.tenancy.models import CASE_ACCESS_MUNICIPALITY

    if tenant.municipality.case_access == CASE_ACCESS_MUNICIPALITY:
        return Q()
    shared = CaseShare.objects.filter(
        municipality=tenant.municipality, user=tenant.user, ended_at__isnull=True
    ).values("case_id")
    return Q(**{f"{path}unit_id__in": tenant.unit_ids}) | Q(**{f"{path}id__in": shared})


def case_accessible(tenant: Tenant, case: Case) -> bool:
    """`case_access` for one loaded case (one query only when the case is shared across units)."""
    from bredvid.tenancy.models import CASE_ACCESS_MUNICIPALITY

    if case.municipality_id != tenant.municipality.pk:
        return False
    if case.unit_id in tenant.unit_ids or tenant.municipality.case_access == CASE_ACCESS_MUNICIPALITY:
        return True
    return CaseShare.objects.filter(case=case, user=tenant.user, ended_at__isnull=True).exists()


class ScopedToCase(ScopedQuerySet[Any]):
    """For records that belong to a case: visible when their case is."""

    case_path = "case__"

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.casework.perms import can_read_cases

        return can_read_cases(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        return self.filter(case_access(tenant, self.case_path))


class CaseQuerySet(ScopedToCase):
    case_path = ""


class Case(BaseModel):
    """One client's case (personakt) in a unit."""

    holds_personal_data = True

    class Status(models.TextChoices):
        OPEN = "open", _("Öppet")
        CLOSED = "closed", _("Avslutat")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("tenancy.Unit", on_delete=models.PROTECT, related_name="cases")
    client = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("ärendenummer"), max_length=20)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ansvarig handläggare"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("öppnat"), validators=bounded(EVENT))
    closed_on = models.DateField(_("avslutat"), null=True, blank=True, validators=bounded(EVENT))

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "reference"]
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "reference"], name="case_reference_unique")
        ]
        indexes = [models.Index(fields=["municipality", "unit", "status"], name="case_muni_unit_status")]

    def __str__(self) -> str:
        return self.reference


class CaseSequenceQuerySet(ScopedQuerySet["CaseSequence"]):
    """The municipality's case-number counters (no personal data)."""


class CaseSequence(models.Model):
    """Per municipality, series and year: the last number handed out (locked while incremented).
    The series "case" numbers cases; "eapplication" the applications from the e-service."""

    holds_personal_data = False

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=16, default="case")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    objects = CaseSequenceQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "series", "year"], name="case_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.series}/{self.year}: {self.last}"


class CaseShareQuerySet(ScopedQuerySet["CaseShare"]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.casework.perms import can_read_cases

        return can_read_cases(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        return self.filter(case__unit_id__in=tenant.unit_ids) | self.filter(user=tenant.user)


class CaseShare(BaseModel):
    """A case shared by name with a colleague outside its unit (when staff see only their units'
    cases). Ended, never deleted: the share and its end are kept with the audit events."""

    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("kollega")
    )
    reason = models.CharField(_("skäl"), max_length=200)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True, validators=bounded(EVENT))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CaseShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(ended_at__isnull=True), name="case_share_active_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.user_id}"


class CaseRecord(BaseModel):
    """Common fields of everything recorded on a case."""

    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")

    objects = ScopedToCase.as_manager()

    class Meta:
        abstract = True


class Application(CaseRecord):
    """Ansökan — written or oral; by guardian(s) for a child, an adult for themself, a youth from 15."""

    class Form(models.TextChoices):
        WRITTEN = "written", _("Skriftlig")
        ORAL = "oral", _("Muntlig")

    class Applicant(models.TextChoices):
        GUARDIANS = "guardians", _("Vårdnadshavare för barnet")
        ADULT_SELF = "adult_self", _("Vuxen för egen del")
        YOUTH_SELF = "youth_self", _("Ungdom från 15 år för egen del")

    class Source(models.TextChoices):
        STAFF = "staff", _("Registrerad av personal")
        PUBLIC = "public", _("E-tjänst")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="applications")
    received_on = models.DateField(_("inkom"), validators=bounded(RECEIPT))
    form = models.CharField(_("form"), max_length=10, choices=Form.choices)
    applicant = models.CharField(_("sökande"), max_length=12, choices=Applicant.choices)
    support_kind = models.CharField(_("insats som söks"), max_length=24, choices=SupportKind.choices)
    description = models.TextField(_("vad ansökan gäller"), blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STAFF)
    child_consent_reason = models.TextField(
        _("skäl till att barnets eget samtycke räcker"),
        blank=True,
        help_text=_("För barn 12–14 år, när barnets samtycke räcker (SoL 21 kap. 1 §)."),
    )

    class Meta:
        ordering = ["-received_on"]
        verbose_name = _("ansökan")
        verbose_name_plural = _("ansökningar")

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_on}"


class Consent(CaseRecord):
    """A recorded consent to an application: a guardian's or the child's own."""

    class Giver(models.TextChoices):
        GUARDIAN = "guardian", _("Vårdnadshavare")
        CHILD = "child", _("Barnet/den unge själv")

    class Via(models.TextChoices):
        STAFF = "staff", _("Registrerat av personal")
        ESERVICE_LINK = "eservice_link", _("E-tjänstens länk")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consents")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="consents")
    giver = models.CharField(_("samtycke från"), max_length=10, choices=Giver.choices)
    guardian = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vårdnadshavare"),
    )
    given_on = models.DateField(_("datum"), validators=bounded(RECEIPT))
    note = models.CharField(_("anteckning"), max_length=500, blank=True)
    # how the consent came in: recorded by staff, or given through the e-service's single-use link by
    # a guardian who is not (yet) a registered person (then named as they were given, `giver_name`)
    via = models.CharField(_("inkom via"), max_length=16, choices=Via.choices, default=Via.STAFF)
    given_at = models.DateTimeField(_("tidpunkt"), null=True, blank=True, validators=bounded(RECEIPT))
    giver_name = models.CharField(_("namn enligt ansökan"), max_length=200, blank=True)

    class Meta:
        ordering = ["given_on"]
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")

    def __str__(self) -> str:
        return f"{self.giver} {self.given_on}"


class ConcernReport(CaseRecord):
    """Orosanmälan: protection assessment at once, preliminary assessment in 14 days (SoL 20 kap. 1–2 §§)."""

    class Reporter(models.TextChoices):
        SCHOOL = "school", _("Skola eller förskola")
        HEALTH = "health", _("Hälso- och sjukvård")
        POLICE = "police", _("Polis")
        SOCIAL = "social", _("Socialtjänst")
        SUPPORTER = "supporter", _("Uppdragstagare (anmälningsskyldighet)")
        RELATIVE = "relative", _("Anhörig")
        PUBLIC = "public", _("Allmänheten")
        ANONYMOUS = "anonymous", _("Anonym")
        OTHER = "other", _("Annan")

    class Outcome(models.TextChoices):
        INVESTIGATE = "investigate", _("Utredning inleds")
        NO_INVESTIGATION = "no_investigation", _("Utredning inleds inte")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="concern_reports")
    received_at = models.DateTimeField(_("inkom"), validators=bounded(RECEIPT))
    reporter = models.CharField(_("anmälare"), max_length=12, choices=Reporter.choices)
    reporter_name = models.CharField(_("anmälarens namn"), max_length=200, blank=True)
    content = models.TextField(_("anmälans innehåll"))
    protection_assessed_at = models.DateTimeField(
        _("skyddsbedömning gjord"), null=True, blank=True, validators=bounded(RECEIPT)
    )
    protection_assessment = models.TextField(_("skyddsbedömning"), blank=True)
    immediate_protection_needed = models.BooleanField(_("omedelbart skydd behövs"), default=False)
    preliminary_decided_on = models.DateField(
        _("förhandsbedömning beslutad"), null=True, blank=True, validators=bounded(EVENT)
    )
    preliminary_outcome = models.CharField(
        _("förhandsbedömning"), max_length=20, choices=Outcome.choices, blank=True
    )
    preliminary_reasons = models.TextField(_("skäl"), blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("orosanmälan")
        verbose_name_plural = _("orosanmälningar")

    def __str__(self) -> str:
        return f"{self.case_id} {self.received_at:%Y-%m-%d}"


class Investigation(CaseRecord):
    """Utredning structured by BBIC; a child's investigation ends within 4 months (SoL 20 kap. 3 §)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Pågår")
        CONCLUDED = "concluded", _("Avslutad")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="investigations")
    concern_report = models.ForeignKey(
        ConcernReport, on_delete=models.PROTECT, null=True, blank=True, related_name="investigations"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="investigations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    about_child = models.BooleanField(_("gäller barn"), default=True)
    started_on = models.DateField(_("inledd"), validators=bounded(EVENT))
    child_needs = models.TextField(_("barnets behov"), blank=True)
    parents_capacity = models.TextField(_("föräldrarnas förmåga"), blank=True)
    family_environment = models.TextField(_("familj och miljö"), blank=True)
    child_view = models.TextField(_("barnets egen syn"), blank=True)
    concluded_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EVENT))
    conclusion = models.TextField(_("slutsats"), blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("utredning")
        verbose_name_plural = _("utredningar")

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_on}"


class InvestigationExtension(CaseRecord):
    """Förlängd utredningstid: who decided, why, until when (SoL 20 kap. 3 § second paragraph)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="extensions")
    until = models.DateField(_("förlängd till"), validators=bounded(PLAN))
    reason = models.TextField(_("särskilda skäl"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("beslutad av")
    )
    decided_on = models.DateField(_("beslutsdatum"), validators=bounded(EVENT))

    class Meta:
        ordering = ["decided_on"]
        verbose_name = _("förlängning")
        verbose_name_plural = _("förlängningar")

    def __str__(self) -> str:
        return f"{self.investigation_id} → {self.until}"


class Decision(CaseRecord):
    """Beslut: proposed by the caseworker, decided by a manager or a delegated caseworker."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Förslag")
        DECIDED = "decided", _("Beslutat")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Bifall")
        PARTLY = "partly", _("Delvis bifall")
        REFUSED = "refused", _("Avslag")

    class LegalBasis(models.TextChoices):
        SOL_13_7 = "sol_13_7", _("SoL 13 kap. 7 § (kontaktperson, kontaktfamilj)")
        SOL_22 = "sol_22", _("SoL 22 kap. (vård i familjehem)")
        LVU_22 = "lvu_22", _("LVU 22 § (särskilt kvalificerad kontaktperson)")
        LVU_CARE = "lvu_care", _("LVU 2–3 §§ (vård med stöd av LVU)")

    class ScopeUnit(models.TextChoices):
        HOURS_PER_MONTH = "hours_per_month", _("timmar per månad")
        DAYS_PER_MONTH = "days_per_month", _("dygn per månad")
        WEEKENDS_PER_MONTH = "weekends_per_month", _("helger per månad")
        CONTINUOUS = "continuous", _("heltid (placering)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    investigation = models.ForeignKey(
        Investigation, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    outcome = models.CharField(_("beslut"), max_length=10, choices=Outcome.choices)
    legal_basis = models.CharField(_("lagrum"), max_length=12, choices=LegalBasis.choices)
    support_kind = models.CharField(_("insats"), max_length=24, choices=SupportKind.choices)
    scope_amount = models.DecimalField(_("omfattning"), max_digits=6, decimal_places=1, null=True, blank=True)
    scope_unit = models.CharField(_("enhet"), max_length=20, choices=ScopeUnit.choices, blank=True)
    period_start = models.DateField(_("gäller från"), validators=bounded(PLAN))
    period_end = models.DateField(_("gäller till"), null=True, blank=True, validators=bounded(PLAN))
    reasons = models.TextField(_("motivering"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("beslutsdatum"), null=True, blank=True, validators=bounded(EVENT))

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_outcome_display()}"

    @property
    def appealable(self) -> bool:
        """Refused or partly refused decisions carry appeal instructions (överklagandehänvisning)."""
        return self.outcome in {self.Outcome.REFUSED, self.Outcome.PARTLY}


class Intervention(CaseRecord):
    """Insats: pending until executed (an assignment starts), then active, paused or ended."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Ej verkställd")
        ACTIVE = "active", _("Pågår")
        PAUSED = "paused", _("Vilande")
        ENDED = "ended", _("Avslutad")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="interventions")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="intervention")
    support_kind = models.CharField(_("insats"), max_length=24, choices=SupportKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    executed_on = models.DateField(_("verkställd"), null=True, blank=True, validators=bounded(EVENT))
    ended_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EVENT))
    end_reason = models.TextField(_("skäl till avslut"), blank=True)
    delay_reason = models.TextField(
        _("skäl till att insatsen inte verkställts"),
        blank=True,
        help_text=_("Redovisas till IVO när beslutet inte verkställts inom tre månader."),
    )
    investigation_closed_on = models.DateField(
        _("utredningen avslutad (jourhem)"),
        null=True,
        blank=True,
        help_text=_("För jourhemsgränsen på två månader."),
        validators=bounded(EVENT),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_support_kind_display()}"

    @property
    def is_placement(self) -> bool:
        return self.support_kind in PLACEMENT_KINDS


class InterventionPause(CaseRecord):
    """A pause (vilande insats); a resumption not made within 3 months is reported to IVO."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="pauses")
    paused_on = models.DateField(_("vilande från"), validators=bounded(EVENT))
    reason = models.TextField(_("skäl"))
    planned_resume_on = models.DateField(
        _("planerad återupptagning"), null=True, blank=True, validators=bounded(PLAN)
    )
    resumed_on = models.DateField(_("återupptagen"), null=True, blank=True, validators=bounded(EVENT))

    class Meta:
        ordering = ["-paused_on"]
        verbose_name = _("uppehåll")
        verbose_name_plural = _("uppehåll")

    def __str__(self) -> str:
        return f"{self.intervention_id} {self.paused_on}"


class Plan(CaseRecord):
    """Vårdplan (SoF 10 kap. 2 §) or genomförandeplan (SoF 10 kap. 3 §); each save is a dated version."""

    class Kind(models.TextChoices):
        CARE_PLAN = "care_plan", _("Vårdplan")
        IMPLEMENTATION_PLAN = "implementation_plan", _("Genomförandeplan")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plans")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(_("plan"), max_length=20, choices=Kind.choices)
    version_on = models.DateField(_("datum"), validators=bounded(EVENT))
    goals = models.TextField(_("mål"))
    actions = models.TextField(_("vad som ska göras, när och hur"))
    follow_up = models.TextField(_("uppföljning (datum och hur)"))
    next_follow_up_on = models.DateField(
        _("nästa uppföljning"), null=True, blank=True, validators=bounded(PLAN)
    )
    contact_arrangements = models.TextField(_("umgänge och kontakter"), blank=True)
    child_view = models.TextField(_("barnets synpunkter"), blank=True)
    guardians_view = models.TextField(_("vårdnadshavarnas synpunkter"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-version_on", "-created_at"]
        verbose_name = _("plan")
        verbose_name_plural = _("planer")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version_on}"


class PlacementEvent(CaseRecord):
    """Övervägande, personal visit (with or without a private talk) or custody-transfer consideration."""

    class Kind(models.TextChoices):
        REVIEW = "review", _("Övervägande")
        VISIT = "visit", _("Besök")
        CUSTODY_CONSIDERATION = "custody", _("Prövning av vårdnadsöverflyttning")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="placement_events")
    kind = models.CharField(_("typ"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("datum"), validators=bounded(EVENT))
    private_talk = models.BooleanField(_("enskilt samtal med barnet"), default=False)
    notes = models.TextField(_("anteckning"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_on"]
        verbose_name = _("händelse i placering")
        verbose_name_plural = _("händelser i placering")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class FollowUp(CaseRecord):
    """Uppföljning after a closed investigation; ends within 6 months of the closure (SoL 23 kap. 5 §)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="follow_ups")
    investigation = models.ForeignKey(Investigation, on_delete=models.PROTECT, related_name="follow_ups")
    started_on = models.DateField(_("påbörjad"), validators=bounded(EVENT))
    ended_on = models.DateField(_("avslutad"), null=True, blank=True, validators=bounded(EVENT))
    notes = models.TextField(_("anteckning"), blank=True)

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")

    def __str__(self) -> str:
        return f"{self.case_id} {self.started_on}"


# What a signature covers: the sign event holds the SHA-256 of these fields as stored (bredvid.audit.signing).
JOURNAL_SIGNED_FIELDS = (
    "municipality_id",
    "case_id",
    "author_id",
    "occurred_on",
    "title",
    "text",
    "status",
    "signed_at",
    "corrects_id",
)


class JournalEntry(CaseRecord):
    """Journalanteckning: draft → signed by its author → immutable. Corrections are new entries."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SIGNED = "signed", _("Signerad")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="journal_entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(_("händelsedatum"), validators=bounded(EVENT))
    title = models.CharField(_("rubrik"), max_length=200)
    text = models.TextField(_("anteckning"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(_("signerad"), null=True, blank=True, validators=bounded(EVENT))
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("rättar"),
    )

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name = _("journalanteckning")
        verbose_name_plural = _("journalanteckningar")

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.title}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        """A signed entry never changes: refuse saving one that is signed in the database."""
        if self.pk is not None and not self._state.adding:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.SIGNED:
                from bredvid.casework.errors import SignedEntryImmutable

                raise SignedEntryImmutable
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.status == self.Status.SIGNED:
            from bredvid.casework.errors import SignedEntryImmutable

            raise SignedEntryImmutable
        return super().delete(*args, **kwargs)


class IvoReportQuerySet(ScopedQuerySet["IvoReport"]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.casework.perms import can_report_to_ivo

        return can_report_to_ivo(tenant)


class IvoReport(BaseModel):
    """A quarter's report to IVO of decisions not executed within 3 months (SoL 34 kap. 1–3 §§), as filed."""

    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rows = models.JSONField(default=list)
    executed_rows = models.JSONField(default=list)

    objects = IvoReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("IVO-rapport")
        verbose_name_plural = _("IVO-rapporter")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "quarter"], name="ivo_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class EApplicationQuerySet(ScopedQuerySet["EApplication"]):
    """The municipality's inbox of applications from the e-service: its caseworkers and managers."""

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.casework.perms import can_read_cases

        return can_read_cases(tenant)

    def in_inbox(self) -> Self:
        """What staff work on: waiting for the second guardian, or ready to be taken into a case."""
        return self.filter(status__in=[EApplication.Status.AWAITING_CONSENT, EApplication.Status.READY])


class EApplication(BaseModel):
    """E-ansökan: an application for support sent through the municipality's public e-service.

    It arrives before there is a person or a case: a caseworker takes it into a case (the person found
    or created, a case opened, an `Application` with source e-service registered). With joint custody
    it waits for the second guardian's confirmation through a single-use link (`consent_token_hash`)."""

    holds_personal_data = True

    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting_consent", _("Väntar på den andra vårdnadshavarens samtycke")
        READY = "ready", _("Att hantera")
        TAKEN = "taken", _("Registrerad i ärende")
        WITHDRAWN = "withdrawn", _("Återkallad")
        REJECTED = "rejected", _("Avvisad")

    class Identified(models.TextChoices):
        """How the applicant's own identity number came in: typed (and checked), or from the ID token of
        a sign-in with e-legitimation (issue 13 item 4)."""

        TYPED = "typed", _("Inskrivet av sökanden")
        EID = "eid", _("Verifierat med e-legitimation")

    class ContactBy(models.TextChoices):
        PHONE = "phone", _("Telefon")
        EMAIL = "email", _("E-post")
        POST = "post", _("Brev")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("referensnummer"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    received_at = models.DateTimeField(_("inkom"), validators=bounded(RECEIPT))
    applicant_kind = models.CharField(_("sökande"), max_length=12, choices=Application.Applicant.choices)
    # the person the application is about
    first_name = models.CharField(_("förnamn"), max_length=100)
    last_name = models.CharField(_("efternamn"), max_length=100)
    identity_number = models.CharField(_("personnummer"), max_length=20)
    # the guardian who applies for a child
    applicant_first_name = models.CharField(_("vårdnadshavarens förnamn"), max_length=100, blank=True)
    applicant_last_name = models.CharField(_("vårdnadshavarens efternamn"), max_length=100, blank=True)
    applicant_identity_number = models.CharField(
        _("vårdnadshavarens personnummer"), max_length=20, blank=True
    )
    identified = models.CharField(
        _("sökandens identitet"), max_length=8, choices=Identified.choices, default=Identified.TYPED
    )
    joint_custody = models.BooleanField(_("gemensam vårdnad"), default=False)
    second_guardian_name = models.CharField(_("andra vårdnadshavarens namn"), max_length=200, blank=True)
    second_guardian_email = models.EmailField(_("andra vårdnadshavarens e-post"), blank=True)
    # what is applied for
    support_kind = models.CharField(_("insats som söks"), max_length=24, choices=SupportKind.choices)
    description = models.TextField(_("behov"))
    # how to be contacted
    contact_by = models.CharField(_("kontaktas helst via"), max_length=8, choices=ContactBy.choices)
    contact_times = models.CharField(_("när det passar"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    do_not_call = models.BooleanField(_("ring inte"), default=False)
    do_not_send_post = models.BooleanField(_("skicka inte post"), default=False)
    # the second guardian's confirmation
    consent_token_hash = models.CharField(max_length=64, blank=True)
    consent_expires_at = models.DateTimeField(null=True, blank=True, validators=bounded(PLAN))
    second_guardian_consented_at = models.DateTimeField(
        _("andra vårdnadshavarens samtycke"), null=True, blank=True, validators=bounded(RECEIPT)
    )
    # taken into a case
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="eapplication"
    )
    taken_at = models.DateTimeField(null=True, blank=True, validators=bounded(EVENT))
    closed_note = models.TextField(_("skäl"), blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("e-ansökan")
        verbose_name_plural = _("e-ansökningar")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="eapplication_reference_unique"
            )
        ]
        indexes = [models.Index(fields=["municipality", "status"], name="eapplication_muni_status")]

    def __str__(self) -> str:
        return self.reference

    @property
    def for_child(self) -> bool:
        return self.applicant_kind == Application.Applicant.GUARDIANS
