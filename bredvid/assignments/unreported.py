"""Assignments whose planned meetings or stays have gone unreported, for the officer's "Att göra".

An active assignment with a planned scope counted per month (meetings, hours or dygn) is flagged when
nothing has been reported for more than the municipality's `report_overdue_days` (Administration →
Inställningar; default 30): counted from the end of the latest report that was not returned, or from
the start when there is none yet. One query, whatever the number of assignments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce

from bredvid.assignments.models import Assignment, Report, ScopeUnit
from bredvid.assignments.perms import can_manage_assignments
from bredvid.tenancy.context import Tenant

COUNTED = (ScopeUnit.MEETINGS, ScopeUnit.HOURS, ScopeUnit.DAYS)


@dataclass(frozen=True)
class Unreported:
    assignment_id: Any
    supporter_name: str
    support_kind: str
    last_reported: datetime.date | None
    since: datetime.date
    days: int


def unreported_for(
    tenant: Tenant, today: datetime.date, *, mine: bool, limit: int = 50
) -> tuple[int, list[Unreported]]:
    """How many assignments are flagged, and the `limit` that have waited longest."""
    if not can_manage_assignments(tenant):
        return 0, []
    days = tenant.municipality.report_overdue_days
    qs = (
        Assignment.objects.visible_to(tenant)
        .filter(status=Assignment.Status.ACTIVE, scope_unit__in=COUNTED, planned_per_month__gt=0)
        .annotate(
            last_reported=Max("reports__ends_on", filter=~Q(reports__status=Report.Status.RETURNED)),
            since=Coalesce(F("last_reported"), F("start_on")),
        )
        .filter(since__lt=today - datetime.timedelta(days=days))
    )
    if mine:
        qs = qs.filter(supporter__responsible=tenant.user)
    total = qs.count()
    rows = qs.select_related("supporter").order_by("since", "id")[:limit]
    items = [
        Unreported(
            a.pk,
            a.supporter.name,
            a.get_support_kind_display(),
            a.last_reported,
            a.since,
            (today - a.since).days,
        )
        for a in rows
    ]
    return total, items
