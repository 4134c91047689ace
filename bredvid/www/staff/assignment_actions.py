"""One page per action on an assignment: terms, the end, supervision notes and reports.

Each action loads its assignment or report through `visible_to` (another municipality's, or a case
the caseworker's unit cannot see, is a 404) and hands its form to `action_page`; the services check
the permission again, lock, guard the state and audit.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.assignments import services
from bredvid.assignments.models import Assignment, Report
from bredvid.assignments.perms import can_decide_report, can_manage_assignments
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import assignment_forms as f
from bredvid.www.staff.actions import action_page, posted, tenant_of, today
from bredvid.www.staff.decorators import permission_required

GET_POST = require_http_methods(["GET", "POST"])


def assignment_url(assignment: Assignment | Any) -> str:
    return reverse("staff:assignment_detail", kwargs={"assignment_id": assignment.pk})


def load_assignment(tenant: Tenant, assignment_id: uuid.UUID) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(tenant).select_related(
            "supporter", "intervention__case__client", "created_by"
        ),
        pk=assignment_id,
    )


def _report(request: HttpRequest, report_id: uuid.UUID) -> tuple[Tenant, Report]:
    tenant = tenant_of(request)
    qs = Report.objects.visible_to(tenant).select_related(
        "assignment__supporter", "assignment__intervention__case"
    )
    return tenant, get_object_or_404(qs, pk=report_id)


def _caption(assignment: Assignment) -> str:
    return f"{assignment.get_support_kind_display()} · {assignment.supporter.name}"


def _page(
    request: HttpRequest,
    assignment: Assignment,
    form: forms.Form,
    *,
    run: Any,
    success: str,
    title: str,
    intro: str = "",
) -> HttpResponse:
    """`action_page` for an action on an assignment: its caption, and back to its page."""
    back = assignment_url(assignment)
    return action_page(
        request,
        form,
        run=run,
        success=success,
        done=lambda _result: back,
        title=title,
        back=back,
        context={"caption": _caption(assignment), "intro": intro},
    )


@permission_required(can_manage_assignments)
@GET_POST
def assignment_terms(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    initial = {name: getattr(assignment, name) for name in services.TERMS}
    return _page(
        request,
        assignment,
        f.TermsForm(posted(request), initial=initial),
        run=lambda d: services.change_terms(tenant=tenant, assignment=assignment, **d),
        success=_("Omfattning och nivåer är sparade."),
        title=_("Omfattning och ersättningsnivåer"),
        intro=_("Nivåerna är koderna i kommunens tabeller för arvode och omkostnadsersättning."),
    )


@permission_required(can_manage_assignments)
@GET_POST
def assignment_end(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    return _page(
        request,
        assignment,
        f.EndForm(posted(request), initial=today("end_on")),
        run=lambda d: services.end_assignment(tenant=tenant, assignment=assignment, **d),
        success=_("Uppdraget är avslutat."),
        title=_("Avsluta uppdraget"),
        intro=_("Rapporter till och med slutdatum kan fortfarande registreras, inga efter."),
    )


@permission_required(can_manage_assignments)
@GET_POST
def assignment_supervision(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    return _page(
        request,
        assignment,
        f.SupervisionForm(posted(request), initial=today("held_on")),
        run=lambda d: services.add_supervision(tenant=tenant, assignment=assignment, **d),
        success=_("Handledningsanteckningen är sparad."),
        title=_("Anteckning om handledning"),
    )


@permission_required(can_manage_assignments)
@GET_POST
def report_new(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    return _page(
        request,
        assignment,
        f.ReportForm(posted(request), initial={"kind": Report.Kind.MEETING, **today("starts_on")}),
        run=lambda d: services.create_report(tenant=tenant, assignment=assignment, data=d),
        success=_("Rapporten är sparad som utkast. Skicka in den när den är klar."),
        title=_("Registrera träff eller vistelse"),
        intro=_("En träff har ett datum och antal timmar; en vistelse har ankomst och avresa."),
    )


@permission_required(can_manage_assignments)
@GET_POST
def report_edit(request: HttpRequest, assignment_report_id: uuid.UUID) -> HttpResponse:
    tenant, report = _report(request, assignment_report_id)
    initial = {name: getattr(report, name) for name in services.REPORT_FIELDS}
    return _page(
        request,
        report.assignment,
        f.ReportForm(posted(request), initial=initial),
        run=lambda d: services.edit_report(tenant=tenant, report=report, data=d),
        success=_("Rapporten är ändrad."),
        title=_("Ändra rapporten"),
        intro=report.comment and _("Handläggarens kommentar: %(c)s") % {"c": report.comment},
    )


@permission_required(can_manage_assignments)
@GET_POST
def report_submit(request: HttpRequest, assignment_report_id: uuid.UUID) -> HttpResponse:
    tenant, report = _report(request, assignment_report_id)
    return _page(
        request,
        report.assignment,
        f.ConfirmForm(posted(request)),
        run=lambda _d: services.submit_report(tenant=tenant, report=report),
        success=_("Rapporten är inskickad för godkännande."),
        title=_("Skicka in rapporten"),
        intro=_describe(report),
    )


@permission_required(can_decide_report)
@GET_POST
def report_approve(request: HttpRequest, assignment_report_id: uuid.UUID) -> HttpResponse:
    tenant, report = _report(request, assignment_report_id)
    return _page(
        request,
        report.assignment,
        f.ConfirmForm(posted(request)),
        run=lambda _d: services.approve_report(tenant=tenant, report=report),
        success=_("Rapporten är godkänd."),
        title=_("Godkänn rapporten"),
        intro=_describe(report) + " " + _("En godkänd rapport kan inte ändras och räknas i utbetalningen."),
    )


@permission_required(can_decide_report)
@GET_POST
def report_return(request: HttpRequest, assignment_report_id: uuid.UUID) -> HttpResponse:
    tenant, report = _report(request, assignment_report_id)
    return _page(
        request,
        report.assignment,
        f.ReturnForm(posted(request)),
        run=lambda d: services.return_report(tenant=tenant, report=report, comment=d["comment"]),
        success=_("Rapporten är skickad tillbaka med din kommentar."),
        title=_("Skicka tillbaka rapporten"),
        intro=_describe(report),
    )


def _describe(report: Report) -> str:
    if report.kind == Report.Kind.STAY:
        return _("Vistelse %(from)s %(at)s – %(to)s %(until)s.") % {
            "from": report.starts_on,
            "at": report.arrives_at.strftime("%H:%M") if report.arrives_at else "",
            "to": report.ends_on,
            "until": report.departs_at.strftime("%H:%M") if report.departs_at else "",
        }
    return _("Träff %(on)s, %(hours)s timmar.") % {"on": report.starts_on, "hours": report.hours}
