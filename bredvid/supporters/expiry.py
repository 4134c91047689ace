"""Register checks and training that expire within 60 days, for the officer's "Att göra"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from bredvid.supporters.models import RegisterCheck, Supporter, Training
from bredvid.supporters.perms import can_read_supporters
from bredvid.tenancy.context import Tenant

WARN_DAYS = 60
URGENT_DAYS = 30


@dataclass(frozen=True)
class Expiring:
    supporter_id: Any
    supporter_name: str
    what: str
    person: str
    valid_until: datetime.date
    urgent: bool


def expiring_for(tenant: Tenant, today: datetime.date, *, mine: bool) -> list[Expiring]:
    """Valid checks and trainings of active supporters that run out within 60 days (or already have)."""
    if not can_read_supporters(tenant):
        return []
    limit = today + datetime.timedelta(days=WARN_DAYS)
    urgent = today + datetime.timedelta(days=URGENT_DAYS)
    active = Supporter.objects.visible_to(tenant).exclude(status=Supporter.Status.ENDED)
    if mine:
        active = active.filter(responsible=tenant.user)
    labels = dict(RegisterCheck.Kind.choices)
    items: list[Expiring] = []
    checks = (
        RegisterCheck.objects.filter(member__supporter__in=active, valid_until__lte=limit)
        .exclude(outcome=RegisterCheck.Outcome.PENDING)
        .select_related("member__person", "member__supporter")
        .order_by("valid_until")
    )
    latest: dict[tuple[Any, str], RegisterCheck] = {}
    renewed = set(
        RegisterCheck.objects.filter(member__supporter__in=active, valid_until__gt=limit).values_list(
            "member_id", "kind"
        )
    )
    for check in checks:
        if (check.member_id, check.kind) in renewed:
            continue  # a newer check of the same kind is valid beyond the window
        latest[(check.member_id, check.kind)] = check
    for check in latest.values():
        items.append(
            Expiring(
                check.member.supporter_id,
                check.member.supporter.name,
                str(labels[check.kind]),
                check.member.person.full_name,
                check.valid_until,
                check.valid_until <= urgent,
            )  # type: ignore[arg-type]
        )
    for training in Training.objects.filter(supporter__in=active, valid_until__lte=limit).select_related(
        "supporter"
    ):
        items.append(
            Expiring(
                training.supporter_id,
                training.supporter.name,
                training.course,
                "",
                training.valid_until,
                training.valid_until <= urgent,
            )  # type: ignore[arg-type]
        )
    return sorted(items, key=lambda e: (e.valid_until, e.supporter_name))
