"""Creating assignments. The caller holds the locks (see matching.services.confirm_offer)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services as casework_services
from bredvid.core.errors import IllegalTransition
from bredvid.supporters.models import SupporterProfile
from bredvid.supporters.services import ensure_assignable

if TYPE_CHECKING:
    from bredvid.casework.models import Intervention
    from bredvid.matching.models import Offer, SupportRequest
    from bredvid.supporters.models import Supporter
    from bredvid.tenancy.context import Tenant


def places_used(supporter: Supporter, support_kind: str) -> int:
    used = Assignment.objects.filter(
        supporter=supporter, support_kind=support_kind, status=Assignment.Status.ACTIVE
    ).aggregate(n=Sum("children"))["n"]
    return int(used or 0)


def create_assignment(
    *,
    tenant: Tenant,
    supporter: Supporter,
    support_request: SupportRequest,
    interventions: Sequence[Intervention],
    offer: Offer | None,
    start_on: datetime.date,
) -> Assignment:
    """Must run inside a transaction that has locked `support_request` and `supporter` rows (the
    permission is matching's, checked by `confirm_offer`); a savepoint of its own keeps it whole."""
    with transaction.atomic():
        kind = support_request.support_kind
        ensure_assignable(supporter, kind, start_on)
        profile = SupporterProfile.objects.filter(supporter=supporter, support_kind=kind).first()
        if profile is None:
            raise IllegalTransition(_("Uppdragstagaren har ingen profil för uppdraget."))
        children = len(interventions)
        if places_used(supporter, kind) + children > profile.children_at_once:
            raise IllegalTransition(_("Hemmet har inte plats för fler barn i det här uppdraget."))
        assignment = Assignment.objects.create(
            municipality=support_request.municipality,
            supporter=supporter,
            intervention=interventions[0],
            request=support_request,
            offer=offer,
            support_kind=kind,
            children=children,
            start_on=start_on,
            created_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=assignment,
            person_id=support_request.case.client_id,
            subjects=[i.case.client_id for i in interventions[1:]],
            detail={"supporter": str(supporter.pk), "request": str(support_request.pk), "children": children},
        )
        for intervention in interventions:
            casework_services.execute_by_assignment(
                tenant=tenant, intervention=intervention, executed_on=start_on, assignment_id=assignment.pk
            )
        return assignment
