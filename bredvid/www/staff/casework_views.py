# ruff: noqa: E501  (the ACTIONS table reads best one action per block)
"""Staff pages for the client's case: list, open, detail and one page per action.

Each action is declared once (`CaseAction`): its form, the service it calls and who may use it.
One view function runs them all: it loads the case and the object through `visible_to`
(another municipality's or unit's object is a 404), checks permission, calls the service and
turns domain errors into messages next to the fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

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
    Intervention,
    Investigation,
    JournalEntry,
)
from bredvid.casework.perms import (
    CASE_ROLES,
    can_decide,
    can_extend_investigation,
    can_open_case,
    can_read_cases,
    can_share_case,
    can_sign_entry,
    can_work_on_case,
)
from bredvid.core.errors import DomainError
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.deadlines.queries import Scope, evaluate_for
from bredvid.people.models import Guardianship, Person
from bredvid.people.perms import needs_access_reason
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import CASE_ACCESS_UNITS, Membership, Unit
from bredvid.www.staff import casework_forms as f
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.forms import ReasonForm
from bredvid.www.staff.invalid_dates import describe

PAGE_SIZE = 50


def _tenant(request: HttpRequest) -> Tenant:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


def _apply_errors(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def _case(tenant: Tenant, case_id: uuid.UUID) -> Case:
    return get_object_or_404(Case.objects.visible_to(tenant).select_related("client", "unit"), pk=case_id)


# ---------------------------------------------------------------------------
# List and open
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
def case_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    query = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "open")
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
    if request.GET.get("mina"):
        qs = qs.filter(responsible=tenant.user)
    page = Paginator(qs.order_by("-opened_on", "reference"), PAGE_SIZE).get_page(request.GET.get("sida"))
    shown = list(page)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="casework.case",
        subjects=[c.client_id for c in shown],
        detail={"query": query, "status": status, "count": len(shown)},
    )
    context = {
        "page": page,
        "query": query,
        "status": status,
        "can_open": can_open_case(tenant),
        "mine": bool(request.GET.get("mina")),
    }
    return render(request, "casework/case_list.html", context)


@permission_required(can_open_case)
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    units = list(Unit.objects.visible_to(tenant).filter(pk__in=tenant.unit_ids))
    form = f.OpenCaseForm(
        request.POST or None,
        units=units,
        initial={"opened_on": timezone.localdate(), "identity_number": request.GET.get("pn", "")},
    )
    if request.method == "POST" and form.is_valid():
        client = None
        try:
            number = parse_identity_number(form.cleaned_data["identity_number"]).number
        except InvalidIdentityNumber as exc:
            form.add_error("identity_number", str(exc))
        else:
            client = Person.objects.visible_to(tenant).filter(identity_number=number).first()
            if client is None:
                form.add_error(
                    "identity_number",
                    _("Ingen person med det numret är registrerad. Registrera personen först."),
                )
        if client is not None:
            unit = next(u for u in units if str(u.pk) == form.cleaned_data["unit"])
            case = services.open_case(
                tenant=tenant, client=client, unit=unit, opened_on=form.cleaned_data["opened_on"]
            )
            messages.success(request, _("Ärendet %(ref)s är öppnat.") % {"ref": case.reference})
            return redirect("staff:case_detail", case_id=case.pk)
    return render(
        request,
        "casework/action.html",
        {"form": form, "title": _("Öppna ärende"), "back": reverse("staff:case_list")},
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
    tenant = _tenant(request)
    case = _case(tenant, case_id)
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
# Actions
# ---------------------------------------------------------------------------
Run = Callable[[Tenant, Case, Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class CaseAction:
    name: str
    route: str
    title: Any
    form: type[forms.Form]
    run: Run
    success: Any
    model: type | None = None
    allowed: Callable[[Tenant, Case, Any], bool] = lambda t, c, o: can_work_on_case(t, c)
    initial: Callable[[Case, Any], dict[str, Any]] = lambda c, o: {}
    form_kwargs: Callable[[Case, Any], dict[str, Any]] = lambda c, o: {}
    shows_content: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _today(*names: str) -> Callable[[Case, Any], dict[str, Any]]:
    return lambda c, o: {name: timezone.localdate() for name in names}


def _guardians(case: Case) -> list[Person]:
    ids = Guardianship.objects.filter(child=case.client, ended_on__isnull=True).values("guardian_id")
    return list(Person.objects.filter(pk__in=ids))


def _consent(t: Tenant, c: Case, o: Application, d: dict[str, Any]) -> Any:
    guardian = next((g for g in _guardians(c) if str(g.pk) == d["guardian"]), None) if d["guardian"] else None
    return services.record_consent(
        tenant=t, application=o, giver=d["giver"], guardian=guardian, given_on=d["given_on"], note=d["note"]
    )


def _colleagues(case: Case) -> list[Any]:
    """Caseworkers and managers of the municipality outside the case's unit, not yet shared with."""
    shared = case.shares.filter(ended_at__isnull=True).values("user_id")
    memberships = (
        Membership.objects.in_municipality(case.municipality)
        .filter(active=True, role__in=CASE_ROLES)
        .exclude(user_id__in=Membership.objects.filter(unit_id=case.unit_id, active=True).values("user_id"))
        .exclude(user_id__in=shared)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return list({m.user_id: m.user for m in memberships}.values())


def _decision(t: Tenant, c: Case, o: Any, d: dict[str, Any]) -> Any:
    investigation = c.investigations.filter(status=Investigation.Status.CONCLUDED).first()
    return services.propose_decision(tenant=t, case=c, data={**d, "investigation": investigation})


ACTIONS = [
    CaseAction("application_new", "ansokan/ny/", gettext_lazy("Registrera ansökan"), f.ApplicationForm,
               lambda t, c, o, d: services.register_application(tenant=t, case=c, data=d),
               gettext_lazy("Ansökan är registrerad."), initial=_today("received_on")),
    CaseAction("consent_new", "ansokan/<uuid:object_id>/samtycke/", gettext_lazy("Registrera samtycke"), f.ConsentForm,
               _consent, gettext_lazy("Samtycket är registrerat."), model=Application, initial=_today("given_on"),
               form_kwargs=lambda c, o: {"guardians": _guardians(c)}),
    CaseAction("concern_new", "orosanmalan/ny/", gettext_lazy("Registrera orosanmälan"), f.ConcernReportForm,
               lambda t, c, o, d: services.register_concern_report(tenant=t, case=c, data=d),
               gettext_lazy("Orosanmälan är registrerad."), initial=lambda c, o: {"received_at": timezone.localtime().replace(second=0, microsecond=0)}),
    CaseAction("protection_assessment", "orosanmalan/<uuid:object_id>/skyddsbedomning/", gettext_lazy("Skyddsbedömning"),
               f.ProtectionAssessmentForm,
               lambda t, c, o, d: services.record_protection_assessment(tenant=t, report=o, assessed_at=d["assessed_at"], assessment=d["assessment"], immediate=d["immediate"]),
               gettext_lazy("Skyddsbedömningen är registrerad."), model=ConcernReport,
               initial=lambda c, o: {"assessed_at": timezone.localtime().replace(second=0, microsecond=0)}, shows_content=True),
    CaseAction("preliminary_assessment", "orosanmalan/<uuid:object_id>/forhandsbedomning/", gettext_lazy("Förhandsbedömning"),
               f.PreliminaryAssessmentForm,
               lambda t, c, o, d: services.record_preliminary_assessment(tenant=t, report=o, **d),
               gettext_lazy("Förhandsbedömningen är beslutad."), model=ConcernReport, initial=_today("decided_on"), shows_content=True),
    CaseAction("investigation_new", "utredning/ny/", gettext_lazy("Inled utredning"), f.StartInvestigationForm,
               lambda t, c, o, d: services.start_investigation(tenant=t, case=c, started_on=d["started_on"], application=c.applications.first()),
               gettext_lazy("Utredningen är inledd."), initial=_today("started_on")),
    CaseAction("investigation_edit", "utredning/<uuid:object_id>/bbic/", gettext_lazy("Utredning enligt BBIC"), f.InvestigationForm,
               lambda t, c, o, d: services.update_investigation(tenant=t, investigation=o, data=d),
               gettext_lazy("Utredningen är sparad."), model=Investigation,
               initial=lambda c, o: {k: getattr(o, k) for k in services.BBIC_FIELDS}, shows_content=True),
    CaseAction("investigation_extend", "utredning/<uuid:object_id>/forlang/", gettext_lazy("Förläng utredningstiden"), f.ExtensionForm,
               lambda t, c, o, d: services.extend_investigation(tenant=t, investigation=o, **d),
               gettext_lazy("Utredningstiden är förlängd."), model=Investigation,
               allowed=lambda t, c, o: can_extend_investigation(t, c), initial=_today("decided_on")),
    CaseAction("investigation_conclude", "utredning/<uuid:object_id>/avsluta/", gettext_lazy("Avsluta utredning"),
               f.ConcludeInvestigationForm, lambda t, c, o, d: services.conclude_investigation(tenant=t, investigation=o, **d),
               gettext_lazy("Utredningen är avslutad."), model=Investigation, initial=_today("concluded_on")),
    CaseAction("follow_up_new", "utredning/<uuid:object_id>/uppfoljning/", gettext_lazy("Påbörja uppföljning"), f.FollowUpForm,
               lambda t, c, o, d: services.start_follow_up(tenant=t, investigation=o, **d),
               gettext_lazy("Uppföljningen är påbörjad."), model=Investigation, initial=_today("started_on")),
    CaseAction("follow_up_end", "uppfoljning/<uuid:object_id>/avsluta/", gettext_lazy("Avsluta uppföljning"), f.EndFollowUpForm,
               lambda t, c, o, d: services.end_follow_up(tenant=t, follow_up=o, **d),
               gettext_lazy("Uppföljningen är avslutad."), model=FollowUp, initial=_today("ended_on")),
    CaseAction("decision_new", "beslut/nytt/", gettext_lazy("Förslag till beslut"), f.DecisionForm, _decision,
               gettext_lazy("Förslaget till beslut är sparat."), initial=_today("period_start")),
    CaseAction("decision_decide", "beslut/<uuid:object_id>/besluta/", gettext_lazy("Fatta beslut"), f.DecideForm,
               lambda t, c, o, d: services.decide(tenant=t, decision=o, decided_on=d["decided_on"]),
               gettext_lazy("Beslutet är fattat."), model=Decision, allowed=lambda t, c, o: can_decide(t, o),
               initial=_today("decided_on"), shows_content=True),
    CaseAction("intervention_execute", "insats/<uuid:object_id>/verkstall/", gettext_lazy("Verkställ insats"), f.ExecuteForm,
               lambda t, c, o, d: services.execute_intervention(tenant=t, intervention=o, **d),
               gettext_lazy("Insatsen är verkställd."), model=Intervention, initial=_today("executed_on")),
    CaseAction("intervention_delay", "insats/<uuid:object_id>/drojsmal/", gettext_lazy("Skäl till att insatsen inte verkställts"), f.DelayReasonForm,
               lambda t, c, o, d: services.record_delay_reason(tenant=t, intervention=o, reason=d["reason"]),
               gettext_lazy("Skälet är sparat."), model=Intervention, initial=lambda c, o: {"reason": o.delay_reason}),
    CaseAction("intervention_pause", "insats/<uuid:object_id>/vilande/", gettext_lazy("Gör insatsen vilande"), f.PauseForm,
               lambda t, c, o, d: services.pause_intervention(tenant=t, intervention=o, **d),
               gettext_lazy("Insatsen är vilande."), model=Intervention, initial=_today("paused_on")),
    CaseAction("intervention_resume", "insats/<uuid:object_id>/ateruppta/", gettext_lazy("Återuppta insats"), f.ResumeForm,
               lambda t, c, o, d: services.resume_intervention(tenant=t, intervention=o, **d),
               gettext_lazy("Insatsen är återupptagen."), model=Intervention, initial=_today("resumed_on")),
    CaseAction("intervention_end", "insats/<uuid:object_id>/avsluta/", gettext_lazy("Avsluta insats"), f.EndInterventionForm,
               lambda t, c, o, d: services.end_intervention(tenant=t, intervention=o, **d),
               gettext_lazy("Insatsen är avslutad."), model=Intervention, initial=_today("ended_on")),
    CaseAction("plan_new", "insats/<uuid:object_id>/plan/", gettext_lazy("Ny version av plan"), f.PlanForm,
               lambda t, c, o, d: services.save_plan(tenant=t, intervention=o, data=d),
               gettext_lazy("Planen är sparad."), model=Intervention, initial=_today("version_on")),
    CaseAction("placement_event_new", "insats/<uuid:object_id>/handelse/", gettext_lazy("Övervägande eller besök"),
               f.PlacementEventForm, lambda t, c, o, d: services.record_placement_event(tenant=t, intervention=o, **d),
               gettext_lazy("Händelsen är registrerad."), model=Intervention, initial=_today("occurred_on")),
    CaseAction("journal_new", "journal/ny/", gettext_lazy("Ny journalanteckning"), f.JournalForm,
               lambda t, c, o, d: services.write_journal_entry(tenant=t, case=c, data=d),
               gettext_lazy("Anteckningen är sparad som utkast."), initial=_today("occurred_on")),
    CaseAction("journal_edit", "journal/<uuid:object_id>/andra/", gettext_lazy("Ändra utkast"), f.JournalForm,
               lambda t, c, o, d: services.edit_journal_draft(tenant=t, entry=o, data=d),
               gettext_lazy("Utkastet är sparat."), model=JournalEntry, allowed=lambda t, c, o: can_sign_entry(t, o),
               initial=lambda c, o: {"occurred_on": o.occurred_on, "title": o.title, "text": o.text}, shows_content=True),
    CaseAction("journal_sign", "journal/<uuid:object_id>/signera/", gettext_lazy("Signera anteckning"), f.ConfirmForm,
               lambda t, c, o, d: services.sign_journal_entry(tenant=t, entry=o),
               gettext_lazy("Anteckningen är signerad och kan inte längre ändras."), model=JournalEntry,
               allowed=lambda t, c, o: can_sign_entry(t, o), shows_content=True),
    CaseAction("journal_correct", "journal/<uuid:object_id>/rattelse/", gettext_lazy("Rättelse av anteckning"), f.JournalForm,
               lambda t, c, o, d: services.write_journal_entry(tenant=t, case=c, data=d, corrects=o),
               gettext_lazy("Rättelsen är sparad som utkast."), model=JournalEntry,
               initial=lambda c, o: {"occurred_on": o.occurred_on, "title": _("Rättelse: %(title)s") % {"title": o.title}}, shows_content=True),
    CaseAction("case_share", "dela/", gettext_lazy("Dela ärendet med en kollega"), f.ShareCaseForm,
               lambda t, c, o, d: services.share_case(tenant=t, case=c, **d),
               gettext_lazy("Ärendet är delat."), allowed=lambda t, c, o: can_share_case(t, c),
               form_kwargs=lambda c, o: {"colleagues": _colleagues(c)}),
    CaseAction("case_share_end", "delning/<uuid:object_id>/avsluta/", gettext_lazy("Sluta dela ärendet"), f.ConfirmForm,
               lambda t, c, o, d: services.end_case_share(tenant=t, share=o),
               gettext_lazy("Delningen är avslutad."), model=CaseShare,
               allowed=lambda t, c, o: can_share_case(t, c) or o.user_id == t.user.pk),
    CaseAction("case_close", "avsluta/", gettext_lazy("Avsluta ärendet"), f.CloseCaseForm,
               lambda t, c, o, d: services.close_case(tenant=t, case=c, **d),
               gettext_lazy("Ärendet är avslutat."), initial=_today("closed_on")),
]  # fmt: skip


def _action_view(action: CaseAction) -> Callable[..., HttpResponse]:
    @permission_required(can_read_cases)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, case_id: uuid.UUID, object_id: uuid.UUID | None = None) -> HttpResponse:
        tenant = _tenant(request)
        case = _case(tenant, case_id)
        obj = None
        if action.model is not None:
            obj = get_object_or_404(action.model.objects.visible_to(tenant), pk=object_id, case=case)
        if not action.allowed(tenant, case, obj):
            raise Http404 if not can_work_on_case(tenant, case) else PermissionDenied
        kwargs = action.form_kwargs(case, obj)
        data = request.POST if request.method == "POST" else None
        form = action.form(data, initial=action.initial(case, obj), **kwargs)
        if request.method == "POST" and form.is_valid():
            try:
                action.run(tenant, case, obj, form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, str(action.success))
                return redirect("staff:case_detail", case_id=case.pk)
        elif request.method == "GET" and action.shows_content and obj is not None:
            record(action=Action.VIEW, tenant=tenant, obj=obj, person_id=case.client_id)
        context = {
            "form": form,
            "title": action.title,
            "case": case,
            "object": obj,
            "back": reverse("staff:case_detail", args=[case.pk]),
        }
        return render(request, "casework/action.html", context)

    view.__name__ = f"case_{action.name}"
    return view


def action_urls() -> list[Any]:
    return [
        path(f"arenden/<uuid:case_id>/{action.route}", _action_view(action), name=f"case_{action.name}")
        for action in ACTIONS
    ]


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

    tenant = _tenant(request)
    case = _case(tenant, case_id)
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

    tenant = _tenant(request)
    case = _case(tenant, case_id)
    content = render_case_file(case)
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=case,
        person_id=case.client_id,
        detail={"document": "case_file"},
    )
    return _pdf_response(content, f"personakt-{case.reference}.pdf")


def urls() -> list[Any]:
    return [
        path("arenden/", case_list, name="case_list"),
        path("arenden/nytt/", case_open, name="case_open"),
        path("arenden/<uuid:case_id>/", case_detail, name="case_detail"),
        path("arenden/<uuid:case_id>/personakt.pdf", case_file_pdf, name="case_file_pdf"),
        path("arenden/<uuid:case_id>/beslut/<uuid:object_id>/beslut.pdf", decision_pdf, name="decision_pdf"),
        *action_urls(),
    ]
