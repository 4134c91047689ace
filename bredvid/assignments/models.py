"""Assignments (uppdrag): a supporter carries out an intervention from a start date.

Created only by `bredvid.matching.services.confirm_offer` (through `services.create_assignment`),
which locks the request and the supporter so that one request never gets two assignments and a
home is never filled beyond its places. Agreements, reports and remuneration attach here later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bredvid.casework.models import case_access
from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import PLAN, bounded
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


class Assignment(BaseModel):
    holds_personal_data = True

    class Status(models.TextChoices):
        ACTIVE = "active", _("Pågår")
        ENDED = "ended", _("Avslutat")

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
