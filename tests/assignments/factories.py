"""Building blocks for assignment tests: an active assignment on a granted intervention, and reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bredvid.assignments.models import Assignment, Report
from tests.matching.factories import approved_supporter, granted_intervention


def make_assignment(
    world: Any,
    *,
    kind: str = "kontaktfamilj",
    other: bool = False,
    started_days_ago: int = 120,
    name: str = "Familjen Rapport",
    **terms: Any,
) -> Assignment:
    intervention = granted_intervention(world, kind=kind, other=other)
    supporter = approved_supporter(world, kind=kind, other=other, name=name)
    users = world.other_users if other else world.users
    values: dict[str, Any] = {
        "scope_unit": "days" if kind == "kontaktfamilj" else "meetings",
        "planned_per_month": Decimal(2),
        "fee_level": "1",
        "allowance_level": "bas",
        **terms,
    }
    return Assignment.objects.create(
        municipality=supporter.municipality,
        supporter=supporter,
        intervention=intervention,
        support_kind=kind,
        start_on=timezone.localdate() - dt.timedelta(days=started_days_ago),
        created_by=users["family_care_officer"],
        **values,
    )


def meeting(days_ago: int = 3, hours: str = "2", **extra: Any) -> dict[str, Any]:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return {
        "kind": Report.Kind.MEETING,
        "starts_on": day,
        "hours": Decimal(hours),
        "activity": "Bio",
        **extra,
    }


def stay(
    arrive_days_ago: int = 10, nights: int = 2, arrives: str = "17:00", departs: str = "15:00", **extra: Any
) -> dict[str, Any]:
    start = timezone.localdate() - dt.timedelta(days=arrive_days_ago)
    return {
        "kind": Report.Kind.STAY,
        "starts_on": start,
        "ends_on": start + dt.timedelta(days=nights),
        "arrives_at": dt.time.fromisoformat(arrives),
        "departs_at": dt.time.fromisoformat(departs),
        "activity": "Helg",
        **extra,
    }
