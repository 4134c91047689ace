"""One page per action on a client's case: form → service → message → redirect (`action_page`).

Each action loads the case and the object it works on through the scoping point (another
municipality's or unit's case is a 404; an object of another case is a 404), checks who may do it
(`refuse_unless`: a 404 for someone who cannot work on the case at all, else a 403), builds its form
and hands over to `case_page`, which is `action_page` with the case's caption and the way back.
Opening an action that shows what is written (a report, an entry) logs the view.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services
from bredvid.casework.models import (
    Application,
    Case,
    CaseShare,
    ConcernReport,
    Decision,
    FollowUp,
    Investigation,
)
from bredvid.casework.perms import (
    CASE_ROLES,
    can_decide,
    can_extend_investigation,
    can_read_cases,
    can_share_case,
    can_work_on_case,
)
from bredvid.people.models import Guardianship, Person
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Membership
from bredvid.www.staff import casework_forms as f
from bredvid.www.staff.actions import action_page, now_minute, posted, tenant_of, today
from bredvid.www.staff.decorators import permission_required

M = TypeVar("M", bound=models.Model)
GET_POST = require_http_methods(["GET", "POST"])


# ---------------------------------------------------------------------------
# What every case action shares
# ---------------------------------------------------------------------------
def load_case(tenant: Tenant, case_id: uuid.UUID) -> Case:
    """The case, if the tenant may see it (its municipality and, by default, its units)."""
    return get_object_or_404(Case.objects.visible_to(tenant).select_related("client", "unit"), pk=case_id)


def on_case(
    request: HttpRequest, case_id: uuid.UUID, model: type[M], object_id: uuid.UUID
) -> tuple[Tenant, Case, M]:
    """The tenant, the case and an object of this case, each through its own scoping rule."""
    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    obj = get_object_or_404(model.objects.visible_to(tenant), pk=object_id, case=case)  # type: ignore[attr-defined]
    return tenant, case, obj


def refuse_unless(tenant: Tenant, case: Case, allowed: bool) -> None:
    """Not allowed: a 404 to someone who cannot work on the case at all, a 403 to a colleague who can."""
    if not allowed:
        raise Http404 if not can_work_on_case(tenant, case) else PermissionDenied


def case_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    *,
    run: Any,
    success: str,
    title: str,
    obj: models.Model | None = None,
    shows_content: bool = False,
) -> HttpResponse:
    """`action_page` for an action on the case: back to the case; the object's text above the form."""
    if shows_content and obj is not None and request.method == "GET":
        record(action=Action.VIEW, tenant=tenant_of(request), obj=obj, person_id=case.client_id)
    detail = reverse("staff:case_detail", args=[case.pk])
    return action_page(
        request,
        form,
        run=run,
        success=success,
        done=lambda _result: detail,
        title=title,
        back=detail,
        context={
            "caption": f"{_('Ärende')} {case.reference}",
            "object": obj,
            "summary": "casework/includes/action_object.html",
        },
    )


def workable_case(request: HttpRequest, case_id: uuid.UUID) -> tuple[Tenant, Case]:
    """The tenant and the case, for an action anyone who works on the case may take."""
    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    return tenant, case


def _guardians(case: Case) -> list[Person]:
    ids = Guardianship.objects.filter(child=case.client, ended_on__isnull=True).values("guardian_id")
    return list(Person.objects.filter(pk__in=ids))


def _colleagues(case: Case) -> list[Any]:
    """Caseworkers and managers of the municipality outside the case's unit, not yet shared with."""
    shared = case.shares.filter(ended_at__isnull=True).values("user_id")
    unit_members = Membership.objects.filter(unit_id=case.unit_id, active=True).values("user_id")
    memberships = (
        Membership.objects.in_municipality(case.municipality)
        .filter(active=True, role__in=CASE_ROLES)
        .exclude(user_id__in=unit_members)
        .exclude(user_id__in=shared)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return list({m.user_id: m.user for m in memberships}.values())


# ---------------------------------------------------------------------------
# Application and concern report
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
@GET_POST
def application_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant, case = workable_case(request, case_id)
    form = f.ApplicationForm(posted(request), initial=today("received_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.register_application(tenant=tenant, case=case, data=d),
        success=_("Ansökan är registrerad."),
        title=_("Registrera ansökan"),
    )


@permission_required(can_read_cases)
@GET_POST
def consent_new(request: HttpRequest, case_id: uuid.UUID, application_id: uuid.UUID) -> HttpResponse:
    tenant, case, application = on_case(request, case_id, Application, application_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    guardians = _guardians(case)
    form = f.ConsentForm(posted(request), initial=today("given_on"), guardians=guardians)

    def run(d: dict[str, Any]) -> Any:
        guardian = next((g for g in guardians if str(g.pk) == d["guardian"]), None) if d["guardian"] else None
        return services.record_consent(
            tenant=tenant,
            application=application,
            giver=d["giver"],
            guardian=guardian,
            given_on=d["given_on"],
            note=d["note"],
        )

    return case_page(
        request,
        case,
        form,
        run=run,
        success=_("Samtycket är registrerat."),
        title=_("Registrera samtycke"),
        obj=application,
    )


@permission_required(can_read_cases)
@GET_POST
def concern_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant, case = workable_case(request, case_id)
    form = f.ConcernReportForm(posted(request), initial={"received_at": now_minute()})
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.register_concern_report(tenant=tenant, case=case, data=d),
        success=_("Orosanmälan är registrerad."),
        title=_("Registrera orosanmälan"),
    )


@permission_required(can_read_cases)
@GET_POST
def protection_assessment(request: HttpRequest, case_id: uuid.UUID, report_id: uuid.UUID) -> HttpResponse:
    tenant, case, report = on_case(request, case_id, ConcernReport, report_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    form = f.ProtectionAssessmentForm(posted(request), initial={"assessed_at": now_minute()})
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.record_protection_assessment(
            tenant=tenant,
            report=report,
            assessed_at=d["assessed_at"],
            assessment=d["assessment"],
            immediate=d["immediate"],
        ),
        success=_("Skyddsbedömningen är registrerad."),
        title=_("Skyddsbedömning"),
        obj=report,
        shows_content=True,
    )


@permission_required(can_read_cases)
@GET_POST
def preliminary_assessment(request: HttpRequest, case_id: uuid.UUID, report_id: uuid.UUID) -> HttpResponse:
    tenant, case, report = on_case(request, case_id, ConcernReport, report_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    form = f.PreliminaryAssessmentForm(posted(request), initial=today("decided_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.record_preliminary_assessment(tenant=tenant, report=report, **d),
        success=_("Förhandsbedömningen är beslutad."),
        title=_("Förhandsbedömning"),
        obj=report,
        shows_content=True,
    )


# ---------------------------------------------------------------------------
# Investigation and follow-up
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
@GET_POST
def investigation_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant, case = workable_case(request, case_id)
    form = f.StartInvestigationForm(posted(request), initial=today("started_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.start_investigation(
            tenant=tenant, case=case, started_on=d["started_on"], application=case.applications.first()
        ),
        success=_("Utredningen är inledd."),
        title=_("Inled utredning"),
    )


@permission_required(can_read_cases)
@GET_POST
def investigation_edit(request: HttpRequest, case_id: uuid.UUID, investigation_id: uuid.UUID) -> HttpResponse:
    tenant, case, investigation = on_case(request, case_id, Investigation, investigation_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    initial = {name: getattr(investigation, name) for name in services.BBIC_FIELDS}
    form = f.InvestigationForm(posted(request), initial=initial)
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.update_investigation(tenant=tenant, investigation=investigation, data=d),
        success=_("Utredningen är sparad."),
        title=_("Utredning enligt BBIC"),
        obj=investigation,
        shows_content=True,
    )


@permission_required(can_read_cases)
@GET_POST
def investigation_extend(
    request: HttpRequest, case_id: uuid.UUID, investigation_id: uuid.UUID
) -> HttpResponse:
    tenant, case, investigation = on_case(request, case_id, Investigation, investigation_id)
    refuse_unless(tenant, case, can_extend_investigation(tenant, case))
    form = f.ExtensionForm(posted(request), initial=today("decided_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.extend_investigation(tenant=tenant, investigation=investigation, **d),
        success=_("Utredningstiden är förlängd."),
        title=_("Förläng utredningstiden"),
        obj=investigation,
    )


@permission_required(can_read_cases)
@GET_POST
def investigation_conclude(
    request: HttpRequest, case_id: uuid.UUID, investigation_id: uuid.UUID
) -> HttpResponse:
    tenant, case, investigation = on_case(request, case_id, Investigation, investigation_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    form = f.ConcludeInvestigationForm(posted(request), initial=today("concluded_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.conclude_investigation(tenant=tenant, investigation=investigation, **d),
        success=_("Utredningen är avslutad."),
        title=_("Avsluta utredning"),
        obj=investigation,
    )


@permission_required(can_read_cases)
@GET_POST
def follow_up_new(request: HttpRequest, case_id: uuid.UUID, investigation_id: uuid.UUID) -> HttpResponse:
    tenant, case, investigation = on_case(request, case_id, Investigation, investigation_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    form = f.FollowUpForm(posted(request), initial=today("started_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.start_follow_up(tenant=tenant, investigation=investigation, **d),
        success=_("Uppföljningen är påbörjad."),
        title=_("Påbörja uppföljning"),
        obj=investigation,
    )


@permission_required(can_read_cases)
@GET_POST
def follow_up_end(request: HttpRequest, case_id: uuid.UUID, follow_up_id: uuid.UUID) -> HttpResponse:
    tenant, case, follow_up = on_case(request, case_id, FollowUp, follow_up_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    form = f.EndFollowUpForm(posted(request), initial=today("ended_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.end_follow_up(tenant=tenant, follow_up=follow_up, **d),
        success=_("Uppföljningen är avslutad."),
        title=_("Avsluta uppföljning"),
        obj=follow_up,
    )


# ---------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
@GET_POST
def decision_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant, case = workable_case(request, case_id)
    form = f.DecisionForm(posted(request), initial=today("period_start"))

    def run(d: dict[str, Any]) -> Decision:
        investigation = case.investigations.filter(status=Investigation.Status.CONCLUDED).first()
        return services.propose_decision(tenant=tenant, case=case, data={**d, "investigation": investigation})

    return case_page(
        request,
        case,
        form,
        run=run,
        success=_("Förslaget till beslut är sparat."),
        title=_("Förslag till beslut"),
    )


@permission_required(can_read_cases)
@GET_POST
def decision_decide(request: HttpRequest, case_id: uuid.UUID, decision_id: uuid.UUID) -> HttpResponse:
    tenant, case, decision = on_case(request, case_id, Decision, decision_id)
    refuse_unless(tenant, case, can_decide(tenant, decision))
    form = f.DecideForm(posted(request), initial=today("decided_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.decide(tenant=tenant, decision=decision, decided_on=d["decided_on"]),
        success=_("Beslutet är fattat."),
        title=_("Fatta beslut"),
        obj=decision,
        shows_content=True,
    )


# ---------------------------------------------------------------------------
# Sharing and closing the case
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
@GET_POST
def case_share(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    refuse_unless(tenant, case, can_share_case(tenant, case))
    form = f.ShareCaseForm(posted(request), colleagues=_colleagues(case))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.share_case(tenant=tenant, case=case, **d),
        success=_("Ärendet är delat."),
        title=_("Dela ärendet med en kollega"),
    )


@permission_required(can_read_cases)
@GET_POST
def case_share_end(request: HttpRequest, case_id: uuid.UUID, share_id: uuid.UUID) -> HttpResponse:
    tenant, case, share = on_case(request, case_id, CaseShare, share_id)
    refuse_unless(tenant, case, can_share_case(tenant, case) or share.user_id == tenant.user.pk)
    return case_page(
        request,
        case,
        f.ConfirmForm(posted(request)),
        run=lambda d: services.end_case_share(tenant=tenant, share=share),
        success=_("Delningen är avslutad."),
        title=_("Sluta dela ärendet"),
        obj=share,
    )


@permission_required(can_read_cases)
@GET_POST
def case_close(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant, case = workable_case(request, case_id)
    form = f.CloseCaseForm(posted(request), initial=today("closed_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.close_case(tenant=tenant, case=case, **d),
        success=_("Ärendet är avslutat."),
        title=_("Avsluta ärendet"),
    )
