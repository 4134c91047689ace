"""Assignment pages (/uppdrag/): the list and the page with everything about one assignment.

The page shows the parties, period, scope and levels, the history of changes, the reports (with
approve and return), the supervision notes, and then one section per app above assignments
(agreement, expenses, payments) from `assignment_sections.SECTION_PROVIDERS`. The actions are in
assignment_actions.py.
"""

from __future__ import annotations

import uuid

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from bredvid.assignments.models import Assignment, AssignmentChange, Report, ScopeUnit, Supervision
from bredvid.assignments.perms import can_decide_report, can_manage_assignments, can_read_assignments
from bredvid.assignments.services import TERMS
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.models import case_accessible
from bredvid.casework.perms import can_read_cases
from bredvid.core.choices import SupportKind
from bredvid.supporters.perms import can_read_supporters
from bredvid.www.staff import assignment_actions as actions
from bredvid.www.staff.actions import paginate, tenant_of
from bredvid.www.staff.assignment_sections import sections
from bredvid.www.staff.decorators import permission_required


@permission_required(can_read_assignments)
def assignment_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    status = request.GET.get("status", Assignment.Status.ACTIVE)
    kind = request.GET.get("uppdrag", "")
    qs = Assignment.objects.visible_to(tenant).select_related("supporter", "intervention__case")
    if status in Assignment.Status.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    if kind in SupportKind.values:
        qs = qs.filter(support_kind=kind)
    else:
        kind = ""
    qs = qs.annotate(waiting=Count("reports", filter=Q(reports__status=Report.Status.SUBMITTED)))
    page = paginate(request, qs.order_by("-start_on", "id"))
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="assignments.assignment",
        subjects=sorted({a.intervention.case.client_id for a in page}, key=str),
        detail={"status": status, "kind": kind, "count": len(page)},
    )
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "page": page,
        "status": status,
        "kind": kind,
        "statuses": Assignment.Status.choices,
        "kinds": SupportKind.choices,
        "querystring": query.urlencode(),
    }
    return render(request, "assignments/list.html", context)


def _history(assignment: Assignment) -> list[tuple[AssignmentChange, list[tuple[str, str, str]]]]:
    """Each change with its fields as (label, before, after), values shown as the page shows them."""
    labels = {
        name: str(Assignment._meta.get_field(name).verbose_name) for name in (*TERMS, "end_on", "end_reason")
    }
    shown = {"scope_unit": dict(ScopeUnit.choices), "end_reason": dict(Assignment.EndReason.choices)}
    rows = []
    for change in assignment.changes.select_related("changed_by").order_by("-created_at"):
        fields = [
            (
                labels.get(name, name),
                str(shown.get(name, {}).get(value["before"], value["before"])) or "–",
                str(shown.get(name, {}).get(value["after"], value["after"])) or "–",
            )
            for name, value in change.changes.items()
        ]
        rows.append((change, fields))
    return rows


@permission_required(can_read_assignments)
def assignment_detail(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = actions.load_assignment(tenant, assignment_id)
    case = assignment.intervention.case
    reports = paginate(
        request, assignment.reports.select_related("decided_by").order_by("-starts_on", "-created_at")
    )
    notes = list(
        Supervision.objects.visible_to(tenant)
        .filter(assignment=assignment)
        .select_related("written_by")
        .order_by("-held_on", "-created_at")
    )
    record(action=Action.VIEW, tenant=tenant, obj=assignment, person_id=case.client_id)
    context = {
        "a": assignment,
        "client": case.client,
        "case": case,
        "can_read_case": can_read_cases(tenant) and case_accessible(tenant, case),
        "can_read_supporter": can_read_supporters(tenant),
        "can_manage": can_manage_assignments(tenant),
        "can_decide": can_decide_report(tenant),
        "is_active": assignment.status == Assignment.Status.ACTIVE,
        "history": _history(assignment),
        "reports": reports,
        "notes": notes,
        "sections": sections(tenant, assignment),
        "querystring": "",
    }
    return render(request, "assignments/detail.html", context)


def urls() -> list[URLPattern]:
    return [
        path("uppdrag/", assignment_list, name="assignment_list"),
        path("uppdrag/<uuid:assignment_id>/", assignment_detail, name="assignment_detail"),
        path("uppdrag/<uuid:assignment_id>/omfattning/", actions.assignment_terms, name="assignment_terms"),
        path("uppdrag/<uuid:assignment_id>/avsluta/", actions.assignment_end, name="assignment_end"),
        path(
            "uppdrag/<uuid:assignment_id>/handledning/",
            actions.assignment_supervision,
            name="assignment_supervision",
        ),
        path("uppdrag/<uuid:assignment_id>/rapporter/ny/", actions.report_new, name="assignment_report_new"),
        path(
            "uppdrag/rapporter/<uuid:assignment_report_id>/andra/",
            actions.report_edit,
            name="assignment_report_edit",
        ),
        path(
            "uppdrag/rapporter/<uuid:assignment_report_id>/skicka-in/",
            actions.report_submit,
            name="assignment_report_submit",
        ),
        path(
            "uppdrag/rapporter/<uuid:assignment_report_id>/godkann/",
            actions.report_approve,
            name="assignment_report_approve",
        ),
        path(
            "uppdrag/rapporter/<uuid:assignment_report_id>/skicka-tillbaka/",
            actions.report_return,
            name="assignment_report_return",
        ),
    ]
