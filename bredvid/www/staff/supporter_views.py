# ruff: noqa: E501  (the ACTIONS table reads best one action per block)
"""The family-care unit's pages: interest registrations (inbox), the resource register, supporters."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Min, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.choices import SupportKind
from bredvid.core.errors import DomainError
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.core.spreadsheets import Spreadsheet, xlsx_response
from bredvid.people import services as people_services
from bredvid.people.models import Person
from bredvid.people.perms import can_create_person
from bredvid.supporters import services
from bredvid.supporters.models import (
    Assessment,
    InterestRegistration,
    RegisterCheck,
    Supporter,
    SupporterMember,
    SupporterProfile,
)
from bredvid.supporters.needs import needs_for
from bredvid.supporters.perms import can_approve_supporters, can_manage_supporters, can_read_supporters
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Membership, Role
from bredvid.www.staff import supporter_forms as f
from bredvid.www.staff.casework_views import _apply_errors
from bredvid.www.staff.decorators import permission_required

PAGE_SIZE = 50


def _tenant(request: HttpRequest) -> Tenant:
    return request.tenant  # type: ignore[attr-defined,no-any-return]


# ---------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------
@permission_required(can_read_supporters)
def registration_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    status = request.GET.get("status", "open")
    qs = InterestRegistration.objects.visible_to(tenant)
    if status == "disposal":
        from bredvid.supporters.disposal import due_for_disposal

        qs = qs.filter(pk__in=due_for_disposal(tenant.municipality, timezone.localdate()).values("pk"))
    elif status == "open":
        qs = qs.exclude(
            status__in=[InterestRegistration.Status.CLOSED, InterestRegistration.Status.INVESTIGATING]
        )
    elif status in InterestRegistration.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-received_at"), PAGE_SIZE).get_page(request.GET.get("sida"))
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="supporters.interestregistration",
        detail={"status": status, "count": len(page)},
    )
    return render(
        request,
        "supporters/registration_list.html",
        {"page": page, "status": status, "statuses": InterestRegistration.Status.choices},
    )


@permission_required(can_manage_supporters)
@require_http_methods(["GET", "POST"])
def registration_new(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = f.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register_interest(
                municipality=tenant.municipality,
                data=form.cleaned_data,
                consent_text=str(services.CONSENT_TEXT),
                source="staff",
                tenant=tenant,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Intresseanmälan är registrerad."))
            return redirect("staff:registration_detail", object_id=registration.pk)
    return render(
        request,
        "casework/action.html",
        {"form": form, "title": _("Registrera intresseanmälan"), "back": reverse("staff:registration_list")},
    )


@permission_required(can_read_supporters)
def registration_detail(request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
    tenant = _tenant(request)
    registration = get_object_or_404(InterestRegistration.objects.visible_to(tenant), pk=object_id)
    record(action=Action.VIEW, tenant=tenant, obj=registration)
    context = {
        "registration": registration,
        "events": list(registration.events.select_related("by")),
        "can_manage": can_manage_supporters(tenant),
        "supporter": registration.supporters.first(),
    }
    return render(request, "supporters/registration_detail.html", context)


# ---------------------------------------------------------------------------
# Register
# ---------------------------------------------------------------------------
def _register_queryset(tenant: Tenant, params: Any) -> Any:
    qs = Supporter.objects.visible_to(tenant)
    status = params.get("status", "")
    if status in Supporter.Status.values:
        qs = qs.filter(status=status)
    support = params.get("uppdrag", "")
    if support in SupportKind.values:
        # JSON lists: match on the stored text, which works the same on SQLite and PostgreSQL
        qs = qs.filter(Q(approved_supports__icontains=f'"{support}"') | Q(supports__icontains=f'"{support}"'))
    if params.get("ledig"):
        # free capacity now: approved, not paused, not in an unavailable period, room for a child
        # (assignments come with the matching issue; until then every approved place is free)
        today = timezone.localdate()
        qs = (
            qs.filter(status=Supporter.Status.APPROVED, profiles__children_at_once__gte=1)
            .exclude(unavailability__starts_on__lte=today, unavailability__ends_on__gte=today)
            .distinct()
        )
    area = params.get("omrade", "").strip()[:100]
    if area:
        qs = qs.filter(Q(area__icontains=area) | Q(city__icontains=area))
    need = params.get("behov", "")
    if need:
        qs = qs.filter(profiles__needs__icontains=f'"{need}"').distinct()
    language = params.get("sprak", "").strip()[:50]
    if language:
        qs = qs.filter(profiles__languages__icontains=language).distinct()
    qs = qs.annotate(first_expiry=Min("members__register_checks__valid_until"))
    if params.get("utgar"):
        limit = timezone.localdate() + datetime.timedelta(days=60)
        qs = qs.filter(first_expiry__lte=limit)
    return qs.order_by("name", "id")


@permission_required(can_read_supporters)
def supporter_list(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    qs = _register_queryset(tenant, request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("sida"))
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="supporters.supporter",
        detail={"filters": {k: v for k, v in request.GET.items() if k != "sida"}, "count": len(page)},
    )
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "page": page, "params": request.GET, "statuses": Supporter.Status.choices, "supports": SupportKind.choices,
        "needs": needs_for(tenant.municipality), "querystring": query.urlencode(), "today": timezone.localdate(),
        "soon": timezone.localdate() + datetime.timedelta(days=60), "can_manage": can_manage_supporters(tenant),
    }  # fmt: skip
    return render(request, "supporters/supporter_list.html", context)


@permission_required(can_read_supporters)
def supporter_export(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    rows = list(_register_queryset(tenant, request.GET).prefetch_related("profiles"))
    workbook = Spreadsheet()
    sheet = workbook.sheet(
        "Uppdragstagare",
        [
            "Namn",
            "Status",
            "Godkänd för",
            "Område",
            "Ort",
            "Telefon",
            "E-post",
            "Språk",
            "Första utgående registerutdrag",
        ],
    )
    labels = dict(SupportKind.choices)
    for s in rows:
        languages = ", ".join(sorted({p.languages for p in s.profiles.all() if p.languages}))
        sheet.append(
            [
                s.name,
                s.get_status_display(),
                ", ".join(str(labels.get(k, k)) for k in s.approved_supports),
                s.area,
                s.city,
                s.phone,
                s.email,
                languages,
                s.first_expiry,
            ]
        )
    record(
        action=Action.EXPORT,
        tenant=tenant,
        object_type="supporters.supporter",
        detail={"rows": len(rows), "format": "xlsx"},
    )
    return workbook.response(f"uppdragstagare-{timezone.localdate():%Y%m%d}.xlsx")


def _supporter(tenant: Tenant, object_id: uuid.UUID) -> Supporter:
    return get_object_or_404(Supporter.objects.visible_to(tenant), pk=object_id)


@permission_required(can_read_supporters)
def supporter_detail(request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
    tenant = _tenant(request)
    supporter = _supporter(tenant, object_id)
    members = list(
        supporter.members.select_related("person").prefetch_related(
            Prefetch("register_checks", queryset=RegisterCheck.objects.order_by("kind", "-requested_on"))
        )
    )
    record(action=Action.VIEW, tenant=tenant, obj=supporter, subjects=[m.person_id for m in members])
    assessment = supporter.assessments.select_related("officer", "co_officer", "approved_by").first()
    context = {
        "supporter": supporter, "members": members, "assessment": assessment,
        "activities": list(assessment.activities.all()) if assessment else [],
        "trainings": list(supporter.trainings.all()), "profiles": list(supporter.profiles.all()),
        "problems": services.police_check_problems(supporter, timezone.localdate()) if supporter.members.exists() else [],
        "can_manage": can_manage_supporters(tenant), "can_approve": can_approve_supporters(tenant),
        "today": timezone.localdate(), "soon": timezone.localdate() + datetime.timedelta(days=60),
        "needs": dict(needs_for(tenant.municipality)),
    }  # fmt: skip
    return render(request, "supporters/supporter_detail.html", context)


@permission_required(can_read_supporters)
def approval_pdf(request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
    from weasyprint import HTML

    tenant = _tenant(request)
    supporter = _supporter(tenant, object_id)
    assessment = (
        supporter.assessments.filter(status=Assessment.Status.APPROVED)
        .select_related("officer", "co_officer", "approved_by")
        .first()
    )
    if assessment is None:
        raise Http404
    members = list(supporter.members.select_related("person"))
    html = render_to_string("supporters/pdf/approval.html", {"supporter": supporter, "assessment": assessment, "members": members,
                            "labels": dict(SupportKind.choices), "printed_at": timezone.localtime(), "trainings": list(supporter.trainings.all())})  # fmt: skip
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=supporter,
        subjects=[m.person_id for m in members],
        detail={"document": "approval"},
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="godkannande-{supporter.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SupporterAction:
    name: str
    route: str
    title: Any
    form: type[forms.Form]
    run: Callable[[Tenant, Any, dict[str, Any]], Any]
    success: Any
    model: type = Supporter
    allowed: Callable[[Tenant], bool] = can_manage_supporters
    form_kwargs: Callable[[Any], dict[str, Any]] = lambda o: {}
    initial: Callable[[Any], dict[str, Any]] = lambda o: {}
    redirect_to: Callable[[Any, Any], tuple[str, Any]] = lambda o, result: ("staff:supporter_detail", o.pk)


def _today(*names: str) -> Callable[[Any], dict[str, Any]]:
    return lambda o: {name: timezone.localdate() for name in names}


def _officers(registration: InterestRegistration) -> list[Any]:
    ids = (
        Membership.objects.in_municipality(registration.municipality)
        .filter(role=Role.FAMILY_CARE_OFFICER, active=True)
        .values("user_id")
    )
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def _start(t: Tenant, registration: InterestRegistration, d: dict[str, Any]) -> Supporter:
    co = next((u for u in _officers(registration) if str(u.pk) == d["co_officer"]), None)
    return services.start_investigation(
        tenant=t, registration=registration, started_on=d["started_on"], co_officer=co
    )


def _add_member(t: Tenant, supporter: Supporter, d: dict[str, Any]) -> SupporterMember:
    try:
        number = parse_identity_number(d["identity_number"]).number
    except InvalidIdentityNumber as exc:
        raise ValidationError({"identity_number": str(exc)}) from exc
    person = Person.objects.visible_to(t).filter(identity_number=number).first()
    if person is None:
        if not (d["first_name"] and d["last_name"]):
            raise ValidationError({"first_name": _("Personen är inte registrerad: ange för- och efternamn.")})
        person = (
            people_services.create_person(
                tenant=t,
                data={"identity_number": number, "first_name": d["first_name"], "last_name": d["last_name"]},
            )
            if can_create_person(t)
            else None
        )
        if person is None:
            raise ValidationError({"identity_number": _("Du kan inte registrera nya personer.")})
    return services.add_member(tenant=t, supporter=supporter, person=person, adult=d["adult"])


def _check(t: Tenant, supporter: Supporter, d: dict[str, Any]) -> RegisterCheck:
    member = get_object_or_404(supporter.members.all(), pk=d.pop("member"))
    return services.record_register_check(tenant=t, member=member, **d)


def _profile_initial(kind: str) -> Callable[[Supporter], dict[str, Any]]:
    def initial(supporter: Supporter) -> dict[str, Any]:
        profile = supporter.profiles.filter(support_kind=kind).first()
        if profile is None:
            return {"children_at_once": 1, "age_min": 0, "age_max": 18}
        return {name: getattr(profile, name) for name in f.ProfileForm.base_fields}

    return initial


def _save_profile(kind: str) -> Callable[[Tenant, Supporter, dict[str, Any]], SupporterProfile]:
    def run(t: Tenant, supporter: Supporter, d: dict[str, Any]) -> SupporterProfile:
        return services.save_profile(tenant=t, supporter=supporter, kind=kind, data=d)

    return run


ACTIONS = [
    SupporterAction("registration_move", "anmalningar/<uuid:object_id>/status/", gettext_lazy("Ändra status"), f.MoveRegistrationForm,
                    lambda t, o, d: services.move_registration(tenant=t, registration=o, to=d["to"], note=d["note"], close_reason=d["close_reason"]),
                    gettext_lazy("Statusen är ändrad."), model=InterestRegistration, redirect_to=lambda o, r: ("staff:registration_detail", o.pk)),
    SupporterAction("registration_start", "anmalningar/<uuid:object_id>/utredning/", gettext_lazy("Påbörja utredning"), f.StartInvestigationForm,
                    _start, gettext_lazy("Utredningen är påbörjad."), model=InterestRegistration, initial=_today("started_on"),
                    form_kwargs=lambda o: {"officers": _officers(o)}, redirect_to=lambda o, r: ("staff:supporter_detail", r.pk)),
    SupporterAction("supporter_member", "uppdragstagare/<uuid:object_id>/medlem/", gettext_lazy("Lägg till person i hushållet"), f.MemberForm,
                    _add_member, gettext_lazy("Personen är tillagd.")),
    SupporterAction("supporter_activity", "uppdragstagare/<uuid:object_id>/aktivitet/", gettext_lazy("Intervju, hembesök eller referens"), f.ActivityForm,
                    lambda t, o, d: services.record_activity(tenant=t, assessment=services._open_assessment(o), data=d),
                    gettext_lazy("Anteckningen är sparad."), initial=_today("occurred_on")),
    SupporterAction("supporter_check", "uppdragstagare/<uuid:object_id>/registerutdrag/", gettext_lazy("Registerutdrag"), f.RegisterCheckForm,
                    _check, gettext_lazy("Registerutdraget är sparat."), initial=_today("requested_on"),
                    form_kwargs=lambda o: {"members": list(o.members.select_related("person"))}),
    SupporterAction("supporter_training", "uppdragstagare/<uuid:object_id>/utbildning/", gettext_lazy("Utbildning"), f.TrainingForm,
                    lambda t, o, d: services.record_training(tenant=t, supporter=o, **d), gettext_lazy("Utbildningen är sparad.")),
    SupporterAction("supporter_conclude", "uppdragstagare/<uuid:object_id>/bedomning/", gettext_lazy("Sammanfattande bedömning"), f.ConcludeForm,
                    lambda t, o, d: services.conclude_assessment(tenant=t, assessment=services._open_assessment(o), **d),
                    gettext_lazy("Bedömningen är sparad."), initial=lambda o: {"supports": o.supports}),
    SupporterAction("supporter_approve", "uppdragstagare/<uuid:object_id>/godkann/", gettext_lazy("Godkänn uppdragstagare"), f.DecideApprovalForm,
                    lambda t, o, d: services.approve(tenant=t, assessment=services._open_assessment(o), decided_on=d["decided_on"]),
                    gettext_lazy("Uppdragstagaren är godkänd."), allowed=can_approve_supporters, initial=_today("decided_on")),
    SupporterAction("supporter_reject", "uppdragstagare/<uuid:object_id>/avsla/", gettext_lazy("Godkänn inte"), f.RejectForm,
                    lambda t, o, d: services.reject(tenant=t, assessment=services._open_assessment(o), **d),
                    gettext_lazy("Beslutet är sparat."), allowed=can_approve_supporters, initial=_today("decided_on")),
    SupporterAction("supporter_pause", "uppdragstagare/<uuid:object_id>/vilande/", gettext_lazy("Gör vilande"), f.PauseSupporterForm,
                    lambda t, o, d: services.pause(tenant=t, supporter=o, **d), gettext_lazy("Uppdragstagaren är vilande.")),
    SupporterAction("supporter_resume", "uppdragstagare/<uuid:object_id>/ateruppta/", gettext_lazy("Återuppta"), forms.Form,
                    lambda t, o, d: services.resume(tenant=t, supporter=o), gettext_lazy("Uppdragstagaren är åter aktiv.")),
    SupporterAction("supporter_end", "uppdragstagare/<uuid:object_id>/avsluta/", gettext_lazy("Avsluta uppdragstagare"), f.EndSupporterForm,
                    lambda t, o, d: services.end(tenant=t, supporter=o, **d), gettext_lazy("Uppdragstagaren är avslutad."), initial=_today("ended_on")),
    *[
        SupporterAction(f"supporter_profile_{kind}", f"uppdragstagare/<uuid:object_id>/profil/{kind}/", gettext_lazy("Profil för matchning"), f.ProfileForm,
                        _save_profile(kind), gettext_lazy("Profilen är sparad."), initial=_profile_initial(kind),
                        form_kwargs=lambda o: {"needs": needs_for(o.municipality)})
        for kind in SupportKind.values
    ],
]  # fmt: skip


def _action_view(action: SupporterAction) -> Callable[..., HttpResponse]:
    @permission_required(can_read_supporters)
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
        tenant = _tenant(request)
        obj = get_object_or_404(action.model.objects.visible_to(tenant), pk=object_id)  # type: ignore[attr-defined]
        if not action.allowed(tenant):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = action.form(data, initial=action.initial(obj), **action.form_kwargs(obj))
        if request.method == "POST" and form.is_valid():
            try:
                result = action.run(tenant, obj, dict(form.cleaned_data))
            except ValidationError as exc:
                _apply_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, str(action.success))
                name, pk = action.redirect_to(obj, result)
                return redirect(name, object_id=pk)
        back_name = (
            "staff:registration_detail" if action.model is InterestRegistration else "staff:supporter_detail"
        )
        context = {
            "form": form,
            "title": action.title,
            "object": None,
            "back": reverse(back_name, kwargs={"object_id": obj.pk}),
        }
        return render(request, "casework/action.html", context)

    view.__name__ = action.name
    return view


def urls() -> list[Any]:
    return [
        path("familjehem/anmalningar/", registration_list, name="registration_list"),
        path("familjehem/anmalningar/ny/", registration_new, name="registration_new"),
        path("familjehem/anmalningar/<uuid:object_id>/", registration_detail, name="registration_detail"),
        path("familjehem/uppdragstagare/", supporter_list, name="supporter_list"),
        path("familjehem/uppdragstagare/export.xlsx", supporter_export, name="supporter_export"),
        path("familjehem/import/", supporter_import, name="supporter_import"),
        path("familjehem/import/mall.xlsx", supporter_import_template, name="supporter_import_template"),
        path("familjehem/uppdragstagare/<uuid:object_id>/", supporter_detail, name="supporter_detail"),
        path(
            "familjehem/uppdragstagare/<uuid:object_id>/godkannande.pdf",
            approval_pdf,
            name="supporter_approval_pdf",
        ),
        *[path(f"familjehem/{a.route}", _action_view(a), name=a.name) for a in ACTIONS],
    ]


# ---------------------------------------------------------------------------
# Import from a spreadsheet
# ---------------------------------------------------------------------------
MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Fil (xlsx enligt mallen)"))
    commit = forms.BooleanField(label=gettext_lazy("Importera (annars bara provkörning)"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(_("Filen är större än 10 MB."))
        head = upload.read(4)
        upload.seek(0)
        if head != b"PK\x03\x04" or not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Filen är inte en Excel-fil (.xlsx)."))
        return upload


@permission_required(can_manage_supporters)
@require_http_methods(["GET", "POST"])
def supporter_import(request: HttpRequest) -> HttpResponse:
    from bredvid.supporters.importer import import_supporters

    tenant = _tenant(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = import_supporters(
            tenant=tenant, stream=upload, commit=form.cleaned_data["commit"], filename=upload.name
        )
        if result.committed:
            messages.success(request, _("%(n)s uppdragstagare är importerade.") % {"n": result.imported})
            return redirect("staff:supporter_list")
    return render(request, "supporters/import.html", {"form": form, "result": result})


@permission_required(can_manage_supporters)
def supporter_import_template(request: HttpRequest) -> HttpResponse:
    from bredvid.supporters.importer import template_workbook

    return xlsx_response(template_workbook(), "bredvid-mall-uppdragstagare.xlsx", no_store=False)
