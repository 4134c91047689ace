"""The family-care unit's pages: interest registrations (inbox), the resource register, supporters."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Min, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.choices import SupportKind
from bredvid.core.spreadsheets import Spreadsheet, xlsx_response
from bredvid.supporters import services
from bredvid.supporters.models import (
    Assessment,
    InterestRegistration,
    RegisterCheck,
    Supporter,
)
from bredvid.supporters.needs import needs_for
from bredvid.supporters.perms import can_approve_supporters, can_manage_supporters, can_read_supporters
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import supporter_actions
from bredvid.www.staff.actions import paginate, tenant_of
from bredvid.www.staff.decorators import permission_required


# ---------------------------------------------------------------------------
# Inbox
# ---------------------------------------------------------------------------
@permission_required(can_read_supporters)
def registration_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
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
    page = paginate(request, qs.order_by("-received_at"))
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


@permission_required(can_read_supporters)
def registration_detail(request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
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
    tenant = tenant_of(request)
    qs = _register_queryset(tenant, request.GET)
    page = paginate(request, qs)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="supporters.supporter",
        detail={"filters": {k: v for k, v in request.GET.items() if k != "sida"}, "count": len(page)},
    )
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "page": page,
        "params": request.GET,
        "statuses": Supporter.Status.choices,
        "supports": SupportKind.choices,
        "needs": needs_for(tenant.municipality),
        "querystring": query.urlencode(),
        "today": timezone.localdate(),
        "soon": timezone.localdate() + datetime.timedelta(days=60),
        "can_manage": can_manage_supporters(tenant),
    }
    return render(request, "supporters/supporter_list.html", context)


@permission_required(can_read_supporters)
def supporter_export(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
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
    tenant = tenant_of(request)
    supporter = _supporter(tenant, object_id)
    members = list(
        supporter.members.select_related("person").prefetch_related(
            Prefetch("register_checks", queryset=RegisterCheck.objects.order_by("kind", "-requested_on"))
        )
    )
    record(action=Action.VIEW, tenant=tenant, obj=supporter, subjects=[m.person_id for m in members])
    assessment = supporter.assessments.select_related("officer", "co_officer", "approved_by").first()
    context = {
        "supporter": supporter,
        "members": members,
        "assessment": assessment,
        "activities": list(assessment.activities.all()) if assessment else [],
        "trainings": list(supporter.trainings.all()),
        "profiles": list(supporter.profiles.all()),
        "problems": services.police_check_problems(supporter, timezone.localdate())
        if supporter.members.exists()
        else [],
        "can_manage": can_manage_supporters(tenant),
        "can_approve": can_approve_supporters(tenant),
        "today": timezone.localdate(),
        "soon": timezone.localdate() + datetime.timedelta(days=60),
        "needs": dict(needs_for(tenant.municipality)),
    }
    return render(request, "supporters/supporter_detail.html", context)


@permission_required(can_read_supporters)
def approval_pdf(request: HttpRequest, object_id: uuid.UUID) -> HttpResponse:
    from weasyprint import HTML

    tenant = tenant_of(request)
    supporter = _supporter(tenant, object_id)
    assessment = (
        supporter.assessments.filter(status=Assessment.Status.APPROVED)
        .select_related("officer", "co_officer", "approved_by")
        .first()
    )
    if assessment is None:
        raise Http404
    members = list(supporter.members.select_related("person"))
    context = {
        "supporter": supporter,
        "assessment": assessment,
        "members": members,
        "labels": dict(SupportKind.choices),
        "printed_at": timezone.localtime(),
        "trainings": list(supporter.trainings.all()),
    }
    html = render_to_string("supporters/pdf/approval.html", context)
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


def urls() -> list[URLPattern]:
    return [
        path("familjehem/anmalningar/", registration_list, name="registration_list"),
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
        *supporter_actions.urls(),
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

    tenant = tenant_of(request)
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
