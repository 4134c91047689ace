"""Staff pages for the client's case: list, open, detail and printing.

The actions on a case (one page each) are in casework_actions.py. Every case is loaded through
`Case.objects.visible_to` (another municipality's or unit's case is a 404).
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services
from bredvid.casework.models import Case, Decision
from bredvid.casework.perms import can_open_case, can_read_cases, can_share_case, can_work_on_case
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.deadlines.queries import Scope, evaluate_for
from bredvid.people.models import Person
from bredvid.people.perms import needs_access_reason
from bredvid.tenancy.models import CASE_ACCESS_UNITS, Unit
from bredvid.www.staff import casework_actions, intervention_actions, journal_actions
from bredvid.www.staff import casework_forms as f
from bredvid.www.staff.actions import action_page, list_page, paginate, posted, tenant_of, today
from bredvid.www.staff.casework_actions import load_case
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.forms import ReasonForm
from bredvid.www.staff.invalid_dates import describe


# ---------------------------------------------------------------------------
# List and open
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see; the filters update the results in place (htmx) or reload."""
    tenant = tenant_of(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "open")
    mine = bool(request.GET.get("mina"))
    qs = Case.objects.visible_to(tenant).select_related("client", "unit", "responsible")
    if status in (Case.Status.OPEN, Case.Status.CLOSED):
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(reference__icontains=query)
            | Q(client__last_name__icontains=query)
            | Q(client__first_name__icontains=query)
            | Q(client__identity_number__startswith=query)
        )
    if mine:
        qs = qs.filter(responsible=tenant.user)
    page = paginate(request, qs.order_by("-opened_on", "reference"))
    shown = list(page)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="casework.case",
        subjects=[c.client_id for c in shown],
        detail={"query": query, "status": status, "count": len(shown)},
    )
    filters = {"q": query, "status": status, **({"mina": "1"} if mine else {})}
    context = {
        "page": page,
        "query": query,
        "status": status,
        "can_open": can_open_case(tenant),
        "mine": mine,
        "querystring": urlencode(filters),
    }
    return list_page(request, "casework/case_list.html", "casework/includes/case_results.html", context)


@permission_required(can_open_case)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    units = list(Unit.objects.visible_to(tenant).filter(pk__in=tenant.unit_ids))
    initial = {**today("opened_on"), "identity_number": request.GET.get("pn", "")}
    form = f.OpenCaseForm(posted(request), units=units, initial=initial)

    def run(d: dict[str, Any]) -> Case:
        try:
            number = parse_identity_number(d["identity_number"]).number
        except InvalidIdentityNumber as exc:
            raise ValidationError({"identity_number": str(exc)}) from exc
        client = Person.objects.visible_to(tenant).filter(identity_number=number).first()
        if client is None:
            message = _("Ingen person med det numret är registrerad. Registrera personen först.")
            raise ValidationError({"identity_number": message})
        unit = next(u for u in units if str(u.pk) == d["unit"])
        return services.open_case(tenant=tenant, client=client, unit=unit, opened_on=d["opened_on"])

    return action_page(
        request,
        form,
        run=run,
        success=lambda case: _("Ärendet %(ref)s är öppnat.") % {"ref": case.reference},
        done=lambda case: reverse("staff:case_detail", args=[case.pk]),
        title=_("Öppna ärende"),
        back=reverse("staff:case_list"),
    )


# ---------------------------------------------------------------------------
# Detail
# ---------------------------------------------------------------------------
def _reason_gate(request: HttpRequest, person: Person, action_url: str) -> tuple[HttpResponse | None, str]:
    """A protected client's case asks for a reason at every view (logged with the view)."""
    if not needs_access_reason(person):
        return None, ""
    form = ReasonForm(request.POST if request.method == "POST" and "reason" in request.POST else None)
    if form.is_bound and form.is_valid():
        return None, form.cleaned_data["reason"]
    return render(request, "staff/person_reason.html", {"form": form, "action_url": action_url}), ""


@permission_required(can_read_cases)
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    gate, reason = _reason_gate(request, case.client, request.path)
    if gate is not None:
        return gate
    record(action=Action.VIEW, tenant=tenant, obj=case, person_id=case.client_id, reason=reason)
    applications = list(case.applications.prefetch_related("consents__guardian"))
    consent = {a.pk: services.application_consent(a) for a in applications}
    evaluation = evaluate_for(
        Scope(municipality=tenant.municipality, unit_ids=frozenset({case.unit_id})), timezone.localdate()
    )
    obligations = [o for o in evaluation.obligations if o.case_id == case.pk]
    context = {
        "case": case,
        "client": case.client,
        "applications": [(a, consent[a.pk]) for a in applications],
        "concern_reports": list(case.concern_reports.all()),
        "investigations": list(case.investigations.prefetch_related("extensions__decided_by")),
        "decisions": list(case.decisions.select_related("decided_by", "proposed_by")),
        "interventions": list(
            case.interventions.prefetch_related("pauses", "plans", "placement_events", "support_requests")
        ),
        "follow_ups": list(case.follow_ups.all()),
        "journal": list(case.journal_entries.select_related("author", "corrects")),
        "obligations": sorted((o for o in obligations if o.done_on is None), key=lambda o: o.due),
        "invalid_dates": describe(i for i in evaluation.invalid if i.case_id == case.pk),
        "today": timezone.localdate(),
        "can_work": can_work_on_case(tenant, case),
        "can_share": can_share_case(tenant, case) and tenant.municipality.case_access == CASE_ACCESS_UNITS,
        "shares": list(case.shares.filter(ended_at__isnull=True).select_related("user", "shared_by")),
        "tenant_user_id": tenant.user.pk,
    }
    return render(request, "casework/case_detail.html", context)


# ---------------------------------------------------------------------------
# Printing (audited)
# ---------------------------------------------------------------------------
def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(can_read_cases)
@require_GET
def decision_pdf(request: HttpRequest, case_id: uuid.UUID, object_id: uuid.UUID) -> HttpResponse:
    from bredvid.casework.documents import decision_pdf as render_decision

    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    decision = get_object_or_404(
        Decision.objects.visible_to(tenant).select_related("decided_by"),
        pk=object_id,
        case=case,
        status=Decision.Status.DECIDED,
    )
    content = render_decision(decision)
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=decision,
        person_id=case.client_id,
        detail={"document": "decision"},
    )
    return _pdf_response(content, f"beslut-{case.reference}.pdf")


@permission_required(can_read_cases)
@require_GET
def case_file_pdf(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    from bredvid.casework.documents import case_file_pdf as render_case_file

    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    content = render_case_file(case)
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=case,
        person_id=case.client_id,
        detail={"document": "case_file"},
    )
    return _pdf_response(content, f"personakt-{case.reference}.pdf")


def urls() -> list[URLPattern]:
    """The case pages, and every action on a case at `arenden/<case_id>/...` (`staff:case_<view>`)."""
    actions = [
        ("ansokan/ny/", casework_actions.application_new),
        ("ansokan/<uuid:application_id>/samtycke/", casework_actions.consent_new),
        ("orosanmalan/ny/", casework_actions.concern_new),
        ("orosanmalan/<uuid:report_id>/skyddsbedomning/", casework_actions.protection_assessment),
        ("orosanmalan/<uuid:report_id>/forhandsbedomning/", casework_actions.preliminary_assessment),
        ("utredning/ny/", casework_actions.investigation_new),
        ("utredning/<uuid:investigation_id>/bbic/", casework_actions.investigation_edit),
        ("utredning/<uuid:investigation_id>/forlang/", casework_actions.investigation_extend),
        ("utredning/<uuid:investigation_id>/avsluta/", casework_actions.investigation_conclude),
        ("utredning/<uuid:investigation_id>/uppfoljning/", casework_actions.follow_up_new),
        ("uppfoljning/<uuid:follow_up_id>/avsluta/", casework_actions.follow_up_end),
        ("beslut/nytt/", casework_actions.decision_new),
        ("beslut/<uuid:decision_id>/besluta/", casework_actions.decision_decide),
        ("insats/<uuid:intervention_id>/verkstall/", intervention_actions.intervention_execute),
        ("insats/<uuid:intervention_id>/drojsmal/", intervention_actions.intervention_delay),
        ("insats/<uuid:intervention_id>/vilande/", intervention_actions.intervention_pause),
        ("insats/<uuid:intervention_id>/ateruppta/", intervention_actions.intervention_resume),
        ("insats/<uuid:intervention_id>/avsluta/", intervention_actions.intervention_end),
        ("insats/<uuid:intervention_id>/plan/", intervention_actions.plan_new),
        ("insats/<uuid:intervention_id>/handelse/", intervention_actions.placement_event_new),
        ("journal/ny/", journal_actions.journal_new),
        ("journal/<uuid:entry_id>/andra/", journal_actions.journal_edit),
        ("journal/<uuid:entry_id>/signera/", journal_actions.journal_sign),
        ("journal/<uuid:entry_id>/rattelse/", journal_actions.journal_correct),
        ("dela/", casework_actions.case_share),
        ("delning/<uuid:share_id>/avsluta/", casework_actions.case_share_end),
        ("avsluta/", casework_actions.case_close),
    ]
    return [
        path("arenden/", case_list, name="case_list"),
        path("arenden/nytt/", case_open, name="case_open"),
        path("arenden/<uuid:case_id>/", case_detail, name="case_detail"),
        path("arenden/<uuid:case_id>/personakt.pdf", case_file_pdf, name="case_file_pdf"),
        path("arenden/<uuid:case_id>/beslut/<uuid:object_id>/beslut.pdf", decision_pdf, name="decision_pdf"),
        *(
            path(f"arenden/<uuid:case_id>/{route}", view, name=f"case_{view.__name__}")
            for route, view in actions
        ),
    ]
