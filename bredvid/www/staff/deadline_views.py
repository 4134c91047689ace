"""The "Att göra" page: the user's (or the unit's) statutory deadlines, and the calendar feed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from bredvid.assignments.unreported import unreported_for
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.perf import gc_paused
from bredvid.deadlines.calendar_feed import feed
from bredvid.deadlines.models import CalendarFeed, hash_feed_token
from bredvid.deadlines.perms import can_see_case_deadlines, can_see_deadlines, can_see_unit_deadlines
from bredvid.deadlines.queries import Scope, evaluate_for, obligations_for
from bredvid.deadlines.rules import Evaluation, Kind, summarise
from bredvid.deadlines.services import issue_calendar_feed
from bredvid.supporters.expiry import expiring_for
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import Membership
from bredvid.www.staff.actions import tenant_of
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.invalid_dates import describe

SECTION_ROWS = 50
KIND_LABELS = {
    Kind.PROTECTION_ASSESSMENT: _lazy("Skyddsbedömning"),
    Kind.PRELIMINARY_ASSESSMENT: _lazy("Förhandsbedömning (14 dagar)"),
    Kind.INVESTIGATION: _lazy("Utredning klar (4 månader)"),
    Kind.EXECUTION: _lazy("Verkställighet (3 månader)"),
    Kind.RESUMPTION: _lazy("Återupptagen insats (3 månader)"),
    Kind.REVIEW: _lazy("Övervägande (6 månader)"),
    Kind.VISIT: _lazy("Besök i familjehemmet"),
    Kind.CUSTODY_TRANSFER: _lazy("Prövning av vårdnadsöverflyttning"),
    Kind.CARE_PLAN_REVISION: _lazy("Revidering av vårdplan"),
    Kind.FOLLOW_UP_END: _lazy("Uppföljning avslutad (6 månader)"),
    Kind.JOURHEM_LIMIT: _lazy("Jourhemsplacering högst 2 månader"),
    Kind.PLAN_FOLLOW_UP: _lazy("Uppföljning enligt planen"),
}


@permission_required(can_see_deadlines)
def todo(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    unit_view = request.GET.get("visa") == "enheten" and can_see_unit_deadlines(tenant)
    workers = []
    worker_id: int | None = tenant.user.pk
    if unit_view:
        worker_ids = Membership.objects.filter(unit_id__in=tenant.unit_ids, active=True).values("user_id")
        workers = list(get_user_model().objects.filter(pk__in=worker_ids).order_by("last_name", "first_name"))
        chosen = request.GET.get("handlaggare", "")
        worker_id = next((w.pk for w in workers if str(w.pk) == chosen), None)
    kind = request.GET.get("typ", "")
    scope = Scope(municipality=tenant.municipality, unit_ids=tenant.unit_ids, responsible_id=worker_id)
    today = timezone.localdate()
    evaluation = evaluate_for(scope, today) if can_see_case_deadlines(tenant) else Evaluation()
    items = evaluation.obligations
    if kind in Kind.__members__.values():
        items = [o for o in items if o.kind == kind]
    with gc_paused():
        summary = summarise(items, today)
    totals = {"overdue": len(summary.overdue), "due_soon": len(summary.due_soon), "done": len(summary.done)}
    # A unit can have thousands of open deadlines: each section shows the earliest ones, with the total;
    # filtering by worker or kind narrows it down.
    summary.overdue = summary.overdue[:SECTION_ROWS]
    summary.due_soon = summary.due_soon[:SECTION_ROWS]
    summary.done = summary.done[:SECTION_ROWS]
    shown_responsible = {o.responsible_id for o in (*summary.overdue, *summary.due_soon, *summary.done)}
    names = {
        u.pk: u.display_name
        for u in (workers or get_user_model().objects.filter(pk__in=shown_responsible - {None}))
    }
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="deadlines",
        detail={"unit": unit_view, "worker": worker_id, "kind": kind, "count": len(items)},
    )
    feed_exists = CalendarFeed.objects.visible_to(tenant).exists()
    unreported_total, unreported = unreported_for(tenant, today, mine=not unit_view, limit=SECTION_ROWS)
    context: dict[str, Any] = {
        "summary": summary,
        "invalid_dates": describe(evaluation.invalid),
        "today": today,
        "unit_view": unit_view,
        "can_unit": can_see_unit_deadlines(tenant),
        "workers": workers,
        "worker_id": worker_id,
        "kind": kind,
        "kinds": list(Kind),
        "responsible": names,
        "labels": KIND_LABELS,
        "totals": totals,
        "section_rows": SECTION_ROWS,
        "expiring": expiring_for(tenant, today, mine=not unit_view),
        "case_deadlines": can_see_case_deadlines(tenant),
        "unreported": unreported,
        "unreported_total": unreported_total,
        "report_overdue_days": tenant.municipality.report_overdue_days,
        "feed_url": request.session.pop("new_feed_url", None),
        "feed_exists": feed_exists,
    }
    return render(request, "deadlines/todo.html", context)


@permission_required(can_see_deadlines)
@require_POST
def calendar_subscribe(request: HttpRequest) -> HttpResponse:
    """Create (or replace) the user's calendar token; the URL is shown once."""
    tenant = tenant_of(request)
    raw = issue_calendar_feed(tenant=tenant)
    request.session["new_feed_url"] = request.build_absolute_uri(reverse("staff:calendar_feed", args=[raw]))
    messages.success(request, _("En ny kalenderadress är skapad. Tidigare adresser slutar fungera."))
    return redirect("staff:todo")


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design (calendar apps cannot log in); the unguessable token is the credential."""
    if len(token) > 100:
        raise Http404
    row = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_feed_token(token), user__is_active=True)
        .first()
    )
    if row is None:
        raise Http404
    tenant = build_tenant(row.user, row.municipality_id, ip=None, via="web")
    if tenant is None or not can_see_deadlines(tenant):
        raise Http404
    scope = Scope(municipality=tenant.municipality, unit_ids=tenant.unit_ids, responsible_id=row.user.pk)
    body = feed(obligations_for(scope), generated=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def urls() -> list[Any]:
    return [
        path("att-gora/", todo, name="todo"),
        path("att-gora/kalender/", calendar_subscribe, name="calendar_subscribe"),
        path("att-gora/kalender/<str:token>.ics", calendar_feed, name="calendar_feed"),
    ]
