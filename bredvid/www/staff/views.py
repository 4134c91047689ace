"""Staff pages: start, municipality choice, persons and the auditor's log review."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bredvid.audit import exports
from bredvid.audit.models import NEEDS_REVIEW_ACTIONS, Action, AuditEvent
from bredvid.audit.perms import can_export_audit_log, can_review_audit_log
from bredvid.audit.services import record
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.people import services as people_services
from bredvid.people.models import Person, PersonStaffAccess
from bredvid.people.perms import (
    can_create_person,
    can_edit_person,
    can_manage_named_staff,
    can_read_persons,
    can_see_address,
    needs_access_reason,
)
from bredvid.people.queries import search_persons
from bredvid.tenancy.context import Tenant, memberships_by_municipality
from bredvid.tenancy.middleware import SESSION_KEY
from bredvid.www.staff.actions import action_page, paginate, posted, tenant_of
from bredvid.www.staff.decorators import permission_required, tenant_required
from bredvid.www.staff.forms import AuditSearchForm, PersonForm, PersonSearchForm, ReasonForm
from bredvid.www.staff.navigation import reachable


# ---------------------------------------------------------------------------
# Start and municipality
# ---------------------------------------------------------------------------
@tenant_required
def home(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    memberships = [m for m in memberships_by_municipality(request.user).get(tenant.municipality.pk, [])]  # type: ignore[arg-type]
    context = {"memberships": memberships, "reachable": reachable(tenant)[1:]}
    return render(request, "staff/home.html", context)


@require_http_methods(["GET", "POST"])
def choose_municipality(request: HttpRequest) -> HttpResponse:
    grouped = memberships_by_municipality(request.user)  # type: ignore[arg-type]
    options = sorted(((ms[0].municipality, ms) for ms in grouped.values()), key=lambda pair: pair[0].name)
    error = ""
    if request.method == "POST":
        chosen = request.POST.get("municipality", "")
        try:
            chosen_id = uuid.UUID(chosen)
        except ValueError:
            chosen_id = None
        if chosen_id in grouped:
            request.session[SESSION_KEY] = str(chosen_id)
            return redirect("staff:home")
        error = _("Välj en av kommunerna i listan.")
    status = 200 if options else 403
    return render(
        request, "staff/choose_municipality.html", {"options": options, "error": error}, status=status
    )


# ---------------------------------------------------------------------------
# Persons
# ---------------------------------------------------------------------------
@permission_required(can_read_persons)
def person_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    form = PersonSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    qs = search_persons(Person.objects.visible_to(tenant), query).annotate(
        named=Exists(PersonStaffAccess.objects.filter(person=OuterRef("pk"), user_id=tenant.user.pk))
    )
    page = paginate(request, qs.order_by("last_name", "first_name", "id"))
    people_services.record_person_search(tenant=tenant, query=query, shown=list(page), page=page.number)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "querystring": urlencode({"q": query}) if query else "",
        "can_create": can_create_person(tenant),
    }
    return render(request, "staff/person_list.html", context)


@permission_required(can_create_person)
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    form = PersonForm(posted(request))
    return action_page(
        request,
        form,
        run=lambda d: people_services.create_person(tenant=tenant, data=form.service_data()),
        success=_("Personen är registrerad."),
        done=lambda person: reverse("staff:person_detail", args=[person.pk]),
        title=_("Registrera person"),
        back=reverse("staff:person_list"),
        template="staff/person_form.html",
        context={"creating": True},
    )


def _get_person(tenant: Tenant, person_id: uuid.UUID) -> Person:
    return get_object_or_404(Person.objects.visible_to(tenant), pk=person_id)


@permission_required(can_read_persons)
@require_http_methods(["GET", "POST"])
def person_detail(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    person = _get_person(tenant, person_id)
    reason = ""
    if needs_access_reason(person):
        reason_form = ReasonForm(request.POST or None)
        if request.method != "POST" or not reason_form.is_valid():
            return render(request, "staff/person_reason.html", {"form": reason_form, "person_id": person.pk})
        reason = reason_form.cleaned_data["reason"]
    elif request.method == "POST":
        return redirect("staff:person_detail", person_id=person.pk)
    people_services.record_person_view(tenant=tenant, person=person, reason=reason)
    named = list(person.staff_access.select_related("user").order_by("user__last_name"))
    can_manage = can_manage_named_staff(tenant, person)
    named_ids = {access.user_id for access in named}
    guardians = list(person.guardianships.filter(ended_on__isnull=True).select_related("guardian"))
    context = {
        "person": person,
        "guardians": [g.guardian for g in guardians],
        "can_manage_named": can_manage,
        "eligible_staff": [
            u
            for u in (people_services.eligible_named_staff(tenant=tenant) if can_manage else [])
            if u.pk not in named_ids
        ],
        "show_address": can_see_address(tenant, person),
        "can_edit": can_edit_person(tenant, person),
        "named_staff": [access.user for access in named],
        "reason": reason,
    }
    return render(request, "staff/person_detail.html", context)


@permission_required(can_read_persons)
@require_POST
def person_add_guardian(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    person = _get_person(tenant, person_id)
    if not can_edit_person(tenant, person):
        raise Http404
    try:
        people_services.add_guardian(
            tenant=tenant, child=person, guardian_number=request.POST.get("guardian", "")[:20]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Vårdnadshavaren är registrerad."))
    return (
        redirect("staff:person_list")
        if person.is_protected
        else redirect("staff:person_detail", person_id=person.pk)
    )


@permission_required(can_read_persons)
@require_POST
def person_named_staff(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    person = _get_person(tenant, person_id)
    if not can_manage_named_staff(tenant, person):
        raise Http404
    try:
        user_id = int(request.POST.get("user", ""))
    except ValueError:
        user_id = 0
    named = request.POST.get("action") != "remove"
    try:
        people_services.set_named_staff(tenant=tenant, person=person, user_id=user_id, named=named)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Namngiven personal är tillagd.") if named else _("Namngiven personal är borttagen.")
        )
    # Back to the list: opening the person again asks for a new reason.
    return redirect("staff:person_list")


@permission_required(can_read_persons)
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    person = _get_person(tenant, person_id)
    if not can_edit_person(tenant, person):
        raise Http404
    form = PersonForm(posted(request), instance=person, show_address=can_see_address(tenant, person))
    if request.method == "GET":
        people_services.record_person_view(tenant=tenant, person=person, reason="edit form")
    back = reverse("staff:person_detail", args=[person.pk])
    return action_page(
        request,
        form,
        run=lambda d: people_services.update_person(tenant=tenant, person=person, data=form.service_data()),
        success=_("Ändringarna är sparade."),
        done=lambda _result: back,
        title=_("Ändra person"),
        back=back,
        template="staff/person_form.html",
        context={"creating": False, "person": person},
    )


# ---------------------------------------------------------------------------
# Audit log review
# ---------------------------------------------------------------------------
def _audit_queryset(tenant: Tenant, form: AuditSearchForm) -> tuple[QuerySet[AuditEvent], dict[str, Any]]:
    qs = AuditEvent.objects.visible_to(tenant)
    filters: dict[str, Any] = {}
    if not form.is_valid():
        return qs.none(), filters
    data = form.cleaned_data
    if data["person"]:
        filters["person"] = data["person"]
        try:
            number = parse_identity_number(data["person"]).number
        except InvalidIdentityNumber:
            number = data["person"].strip().upper()
        ids = list(
            # the log reviewer searches the whole municipality's log, not only persons they may read
            Person.objects.in_municipality(tenant.municipality)
            .filter(identity_number=number)
            .values_list("pk", flat=True)
        )
        if not ids:
            return qs.none(), filters
        qs = qs.filter(Q(person_id__in=ids) | Q(subjects__contains=str(ids[0])))
    if data["user"]:
        filters["user"] = data["user"]
        qs = qs.filter(actor_username__iexact=data["user"])
    if data["action"]:
        filters["action"] = data["action"]
        qs = qs.filter(action=data["action"])
    tz = timezone.get_current_timezone()
    if data["date_from"]:
        filters["date_from"] = data["date_from"].isoformat()
        qs = qs.filter(occurred_at__gte=datetime.combine(data["date_from"], time.min, tzinfo=tz))
    if data["date_to"]:
        filters["date_to"] = data["date_to"].isoformat()
        end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=tz)
        qs = qs.filter(occurred_at__lt=end)
    if data["protected_only"]:
        filters["protected_only"] = True
        protected = Person.objects.in_municipality(tenant.municipality).exclude(protection_level="none")
        qs = qs.filter(person_id__in=protected.values("pk"))
    return qs, filters


def _persons_for(tenant: Tenant, events: list[AuditEvent]) -> dict[uuid.UUID, Person]:
    ids = {e.person_id for e in events if e.person_id}
    qs = Person.objects.in_municipality(tenant.municipality).filter(pk__in=ids)
    return {p.pk: p for p in qs.only("id", "first_name", "last_name", "identity_number", "protection_level")}


REVIEW_LIMIT = 50


def _needs_review(tenant: Tenant) -> list[tuple[AuditEvent, Person | None]]:
    """The newest events of a kind that always needs a reviewer's eye (NEEDS_REVIEW_ACTIONS)."""
    events = list(
        AuditEvent.objects.visible_to(tenant)
        .filter(action__in=NEEDS_REVIEW_ACTIONS)
        .order_by("-occurred_at", "-id")[:REVIEW_LIMIT]
    )
    if not events:
        return []
    persons = _persons_for(tenant, events)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="audit.auditevent",
        subjects=list(persons),
        detail={"filters": {"needs_review": True}, "count": len(events)},
    )
    return [(event, persons.get(event.person_id) if event.person_id else None) for event in events]


@permission_required(can_review_audit_log)
def audit_log(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    form = AuditSearchForm(request.GET or None)
    searched = bool(request.GET)
    qs, filters = _audit_queryset(tenant, form) if searched else (AuditEvent.objects.none(), {})
    page = paginate(request, qs.select_related(None).order_by("-occurred_at", "-id"))
    events = list(page)
    persons = _persons_for(tenant, events)
    if searched and form.is_valid():
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="audit.auditevent",
            subjects=list(persons),
            detail={"filters": filters, "count": page.paginator.count},
        )
    rows = [(event, persons.get(event.person_id) if event.person_id else None) for event in events]
    review_rows = [] if searched else _needs_review(tenant)
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "review_rows": review_rows,
        "review_limit": REVIEW_LIMIT,
        "searched": searched,
        "can_export": can_export_audit_log(tenant),
        "querystring": query.urlencode(),
    }
    return render(request, "staff/audit_log.html", context)


@permission_required(can_export_audit_log)
def audit_export(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    form = AuditSearchForm(request.GET or None)
    qs, filters = _audit_queryset(tenant, form)
    if not form.is_valid():
        messages.error(request, _("Rätta sökvillkoren innan du exporterar."))
        return redirect("staff:audit_log")
    events = qs.order_by("occurred_at", "id")[: exports.MAX_ROWS]
    response, count = exports.audit_events_xlsx(events, persons_of=lambda evs: _persons_for(tenant, evs))
    record(
        action=Action.EXPORT,
        tenant=tenant,
        object_type="audit.auditevent",
        detail={"filters": filters, "format": "xlsx", "rows": count},
    )
    return response
