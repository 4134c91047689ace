"""Disposal (gallring) of interest registrations that led nowhere, after a per-municipality number of
months (settings["interest_retention_months"], default 12). Proposed in the inbox; carried out by
`manage.py dispose_interest_registrations` (dry run unless --commit)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.legal_time import add_months
from bredvid.supporters.models import InterestEvent, InterestRegistration


def retention_months(municipality: Any) -> int:
    return int(municipality.settings.get("interest_retention_months", 12))


def due_for_disposal(municipality: Any, today: datetime.date) -> QuerySet[InterestRegistration]:
    """Closed registrations (declined, withdrawn, no answer) whose retention time has passed."""
    cutoff = add_months(today, -retention_months(municipality))
    return InterestRegistration.objects.filter(
        municipality=municipality,
        status=InterestRegistration.Status.CLOSED,
        closed_on__lte=cutoff,
        supporters__isnull=True,
    ).order_by("closed_on")


def dispose(municipality: Any, today: datetime.date) -> int:
    """Delete them (and their inbox history); one audit event records how many and which ids."""
    with transaction.atomic():
        doomed = list(due_for_disposal(municipality, today).values_list("pk", flat=True))
        if not doomed:
            return 0
        InterestEvent.objects.filter(registration_id__in=doomed).delete()
        InterestRegistration.objects.filter(pk__in=doomed).delete()
        record(
            action=Action.DELETE,
            municipality=municipality,
            object_type="supporters.interestregistration",
            via="cli",
            detail={"disposal": len(doomed), "ids": [str(pk) for pk in doomed]},
        )
    return len(doomed)
