"""Assignments (uppdrag): a supporter carries out an intervention from a start date.

Created only by `bredvid.matching.services.confirm_offer` (through `services.create_assignment`),
which locks the request and the supporter so that one request never gets two assignments and a
home is never filled beyond its places. Reports (träffrapport, vistelserapport) belong to an
assignment; agreements (`bredvid.agreements`), expenses (`bredvid.expenses`) and remuneration
(`bredvid.payments`) are apps above this one and read it.
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


class AssignmentScoped(ScopedQuerySet[Any]):
    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.assignments.perms import can_read_assignments

        return can_read_assignments(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        from bredvid.assignments.perms import can_read_all_assignments

        if can_read_all_assignments(tenant):
            return self
        return self.filter(case_access(tenant, "intervention__case__"))


class ScopeUnit(models.TextChoices):
    """What the planned scope of an assignment counts."""

    MEETINGS = "meetings", _("träffar per månad")
    HOURS = "hours", _("timmar per månad")
    DAYS = "days", _("dygn per månad")
    PLACEMENT = "placement", _("placering (heltid)")


class Assignment(BaseModel):
    holds_personal_data = True

    class Status(models.TextChoices):
        ACTIVE = "active", _("Pågår")
        ENDED = "ended", _("Avslutat")

    class EndReason(models.TextChoices):
        PLAN_COMPLETED = "plan_completed", _("Insatsen har upphört enligt plan")
        DECISION_ENDED = "decision_ended", _("Beslutet har upphört")
        SUPPORTER_ENDED = "supporter_ended", _("Uppdragstagaren har avslutat uppdraget")
        CLIENT_ENDED = "client_ended", _("Den enskilde eller vårdnadshavaren har avslutat")
        NOT_WORKING = "not_working", _("Uppdraget fungerade inte")
        MOVED = "moved", _("Flytt")
        OTHER = "other", _("Annat skäl")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    supporter = models.ForeignKey(
        "supporters.Supporter", on_delete=models.PROTECT, related_name="assignments"
    )
    intervention = models.ForeignKey(
        "casework.Intervention", on_delete=models.PROTECT, related_name="assignments"
    )
    request = models.ForeignKey(
        "matching.SupportRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    offer = models.OneToOneField(
        "matching.Offer", on_delete=models.PROTECT, null=True, blank=True, related_name="assignment"
    )
    support_kind = models.CharField(_("uppdrag"), max_length=24, choices=SupportKind.choices)
    children = models.PositiveSmallIntegerField(_("antal barn"), default=1)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    start_on = models.DateField(_("startdatum"), validators=bounded(PLAN))
    end_on = models.DateField(_("slutdatum"), null=True, blank=True, validators=bounded(PLAN))
    end_reason = models.CharField(_("skäl för avslut"), max_length=24, choices=EndReason.choices, blank=True)
    # Planned scope: how much the agreement foresees, in `scope_unit`s per month.
    scope_unit = models.CharField(_("omfattning avser"), max_length=12, choices=ScopeUnit.choices, blank=True)
    planned_per_month = models.DecimalField(
        _("planerad omfattning per månad"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Which row of the municipality's rate table pays this assignment (bredvid.payments): the fee
    # category or level (kontaktperson category 1-3, familjehem base or raised level) and the
    # allowance level (kontaktperson 10/25/40 % of pbb/12; basic or with additional costs).
    fee_level = models.CharField(_("arvodesnivå"), max_length=24, blank=True)
    allowance_level = models.CharField(_("omkostnadsnivå"), max_length=24, blank=True)
    # Familjehem: child or study allowance paid to the home, deducted from the monthly allowance.
    child_allowance_deduction = models.DecimalField(
        _("avdrag för barnbidrag per månad"), max_digits=8, decimal_places=2, default=0
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AssignmentScoped.as_manager()

    class Meta:
        ordering = ["-start_on"]
        verbose_name = _("uppdrag")
        verbose_name_plural = _("uppdrag")
        constraints = [
            # one assignment per support request, ever (a second confirmation fails here at the latest)
            models.UniqueConstraint(
                fields=["request"], condition=Q(request__isnull=False), name="one_assignment_per_request"
            )
        ]
        indexes = [models.Index(fields=["supporter", "status"], name="assignment_supporter_status")]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.get_support_kind_display()} {self.start_on}"


class ReportScoped(ScopedQuerySet[Any]):
    """Reports are visible to those who see their assignment."""

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.assignments.perms import can_read_assignments

        return can_read_assignments(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        from bredvid.assignments.perms import can_read_all_assignments

        if can_read_all_assignments(tenant):
            return self
        return self.filter(case_access(tenant, "assignment__intervention__case__"))


class Report(BaseModel):
    """Träffrapport (a meeting: one date, hours) or vistelserapport (a stay: arrival and departure).

    Entered by staff or by the supporter in the e-service; approved reports feed the payment run
    (`bredvid.payments`), which counts the dygn of a stay from its dates and times."""

    holds_personal_data = True

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Träff")
        STAY = "stay", _("Vistelse")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        SUBMITTED = "submitted", _("Inskickad")
        APPROVED = "approved", _("Godkänd")
        RETURNED = "returned", _("Återskickad")

    class Channel(models.TextChoices):
        STAFF = "staff", _("Registrerad av handläggare")
        ESERVICE = "eservice", _("E-tjänsten")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("typ"), max_length=8, choices=Kind.choices)
    starts_on = models.DateField(_("datum"), validators=bounded(PLAN))
    ends_on = models.DateField(_("till och med"), validators=bounded(PLAN))
    arrives_at = models.TimeField(_("ankomst"), null=True, blank=True)
    departs_at = models.TimeField(_("avresa"), null=True, blank=True)
    hours = models.DecimalField(_("timmar"), max_digits=4, decimal_places=1, null=True, blank=True)
    activity = models.CharField(_("aktivitet"), max_length=200, blank=True)
    note = models.TextField(_("kort anteckning"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    channel = models.CharField(_("kanal"), max_length=8, choices=Channel.choices, default=Channel.STAFF)
    comment = models.TextField(_("kommentar från handläggaren"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True, validators=bounded(EVENT))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, validators=bounded(EVENT))

    objects = ReportScoped.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="report_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["assignment", "status", "starts_on"], name="report_assignment_status"),
            models.Index(fields=["municipality", "status", "starts_on"], name="report_municipality_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}"


class OnAssignmentScoped(ReportScoped):
    """Rows recorded on an assignment (its history, supervision notes) are read by those who see it."""


class AssignmentChange(BaseModel):
    """One change of an assignment's terms or status, with who made it: the history shown on the
    assignment's page (the audit log holds the same change, but only the log reviewer reads it;
    see docs/adr/0014-assignments.md)."""

    holds_personal_data = True

    class Kind(models.TextChoices):
        TERMS = "terms", _("Omfattning och nivåer")
        ENDED = "ended", _("Avslutat")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("ändring"), max_length=8, choices=Kind.choices)
    #: {field: {"before": text, "after": text}} in the stored form of each value
    changes = models.JSONField(_("ändrade uppgifter"), default=dict)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = OnAssignmentScoped.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ändring av uppdrag")
        verbose_name_plural = _("ändringar av uppdrag")
        indexes = [models.Index(fields=["assignment", "created_at"], name="assignment_change_history")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class Supervision(BaseModel):
    """Handledning: the officer's dated note of a supervision talk with the supporter."""

    holds_personal_data = True

    class Form(models.TextChoices):
        MEETING = "meeting", _("Möte")
        HOME_VISIT = "home_visit", _("Hembesök")
        PHONE = "phone", _("Telefon eller video")
        GROUP = "group", _("Grupphandledning")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="supervisions")
    held_on = models.DateField(_("datum"), validators=bounded(EVENT))
    form = models.CharField(_("form"), max_length=12, choices=Form.choices, default=Form.MEETING)
    text = models.TextField(_("anteckning"), max_length=10_000)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = OnAssignmentScoped.as_manager()

    class Meta:
        ordering = ["-held_on", "-created_at"]
        verbose_name = _("handledning")
        verbose_name_plural = _("handledningar")

    def __str__(self) -> str:
        return f"{self.get_form_display()} {self.held_on}"
