"""One page per action on a case's intervention (the pattern: casework_actions.py)."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from bredvid.casework import services
from bredvid.casework.models import Case, Intervention
from bredvid.casework.perms import can_read_cases, can_work_on_case
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import casework_forms as f
from bredvid.www.staff.actions import posted, today
from bredvid.www.staff.casework_actions import GET_POST, case_page, on_case, refuse_unless
from bredvid.www.staff.decorators import permission_required


# ---------------------------------------------------------------------------
# Intervention
# ---------------------------------------------------------------------------
def _intervention(
    request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID
) -> tuple[Tenant, Case, Intervention]:
    """The intervention of the case, for someone who works on the case."""
    tenant, case, intervention = on_case(request, case_id, Intervention, intervention_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    return tenant, case, intervention


@permission_required(can_read_cases)
@GET_POST
def intervention_execute(
    request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID
) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.ExecuteForm(posted(request), initial=today("executed_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.execute_intervention(tenant=tenant, intervention=intervention, **d),
        success=_("Insatsen är verkställd."),
        title=_("Verkställ insats"),
        obj=intervention,
    )


@permission_required(can_read_cases)
@GET_POST
def intervention_delay(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.DelayReasonForm(posted(request), initial={"reason": intervention.delay_reason})
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.record_delay_reason(
            tenant=tenant, intervention=intervention, reason=d["reason"]
        ),
        success=_("Skälet är sparat."),
        title=_("Skäl till att insatsen inte verkställts"),
        obj=intervention,
    )


@permission_required(can_read_cases)
@GET_POST
def intervention_pause(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.PauseForm(posted(request), initial=today("paused_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.pause_intervention(tenant=tenant, intervention=intervention, **d),
        success=_("Insatsen är vilande."),
        title=_("Gör insatsen vilande"),
        obj=intervention,
    )


@permission_required(can_read_cases)
@GET_POST
def intervention_resume(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.ResumeForm(posted(request), initial=today("resumed_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.resume_intervention(tenant=tenant, intervention=intervention, **d),
        success=_("Insatsen är återupptagen."),
        title=_("Återuppta insats"),
        obj=intervention,
    )


@permission_required(can_read_cases)
@GET_POST
def intervention_end(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.EndInterventionForm(posted(request), initial=today("ended_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.end_intervention(tenant=tenant, intervention=intervention, **d),
        success=_("Insatsen är avslutad."),
        title=_("Avsluta insats"),
        obj=intervention,
    )


@permission_required(can_read_cases)
@GET_POST
def plan_new(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.PlanForm(posted(request), initial=today("version_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.save_plan(tenant=tenant, intervention=intervention, data=d),
        success=_("Planen är sparad."),
        title=_("Ny version av plan"),
        obj=intervention,
    )


@permission_required(can_read_cases)
@GET_POST
def placement_event_new(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant, case, intervention = _intervention(request, case_id, intervention_id)
    form = f.PlacementEventForm(posted(request), initial=today("occurred_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.record_placement_event(tenant=tenant, intervention=intervention, **d),
        success=_("Händelsen är registrerad."),
        title=_("Övervägande eller besök"),
        obj=intervention,
    )
