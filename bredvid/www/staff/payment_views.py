"""Payment runs for managers: the list, the preview where each line says why, the exports (PAXml,
CSV, Excel) and a supporter's yearly statement. Every view of lines and every export is audited."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_GET

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.errors import DomainError
from bredvid.core.spreadsheets import xlsx_response
from bredvid.payments import exports
from bredvid.payments.models import PaymentLine, PaymentRun
from bredvid.payments.perms import can_run_payments
from bredvid.supporters.models import Supporter
from bredvid.www.staff import payment_actions
from bredvid.www.staff.actions import paginate, tenant_of
from bredvid.www.staff.decorators import permission_required


@permission_required(can_run_payments)
@require_GET
def payment_run_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    runs = PaymentRun.objects.visible_to(tenant).select_related("prepared_by", "attested_by")
    return render(request, "payments/run_list.html", {"page": paginate(request, runs)})


@permission_required(can_run_payments)
@require_GET
def payment_run_detail(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    run = get_object_or_404(
        PaymentRun.objects.visible_to(tenant).select_related("prepared_by", "attested_by"), pk=run_id
    )
    lines = PaymentLine.objects.visible_to(tenant).filter(run=run).select_related("supporter")
    page = paginate(request, lines)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=run,
        detail={"lines_shown": len(page.object_list), "page": page.number},
    )
    may_attest = run.status == PaymentRun.Status.PREPARED and run.prepared_by_id != tenant.user.pk
    return render(request, "payments/run_detail.html", {"run": run, "page": page, "may_attest": may_attest})


def _export(request: HttpRequest, run_id: uuid.UUID, fmt: str) -> HttpResponse:
    tenant = tenant_of(request)
    run = get_object_or_404(PaymentRun.objects.visible_to(tenant), pk=run_id)
    try:
        content = exports.audited_export(tenant=tenant, run=run, fmt=fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("staff:payment_run_detail", run_id=run.pk)
    name = f"utbetalning-{run.municipality.kommunkod}-{run.period:%Y-%m}"
    if fmt == "xlsx":
        return xlsx_response(content, f"{name}.xlsx")
    content_type = {"paxml": "application/xml", "csv": "text/csv; charset=utf-8"}[fmt]
    extension = {"paxml": "xml", "csv": "csv"}[fmt]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(can_run_payments)
@require_GET
def payment_run_paxml(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    return _export(request, run_id, "paxml")


@permission_required(can_run_payments)
@require_GET
def payment_run_csv(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    return _export(request, run_id, "csv")


@permission_required(can_run_payments)
@require_GET
def payment_run_xlsx(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    return _export(request, run_id, "xlsx")


@permission_required(can_run_payments)
@require_GET
def supporter_yearly_statement(request: HttpRequest, supporter_id: uuid.UUID, year: int) -> HttpResponse:
    tenant = tenant_of(request)
    supporter = get_object_or_404(
        Supporter.objects.visible_to(tenant).select_related("municipality"), pk=supporter_id
    )
    content, totals = exports.yearly_statement(supporter, year)
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=supporter,
        detail={"document": "yearly_statement", "year": year, **{k: str(v) for k, v in totals.items()}},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="arsbesked-{year}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def urls() -> list:  # type: ignore[type-arg]
    return [
        path("utbetalningar/", payment_run_list, name="payment_run_list"),
        path("utbetalningar/forbered/", payment_actions.payment_run_prepare, name="payment_run_prepare"),
        path("utbetalningar/<uuid:run_id>/", payment_run_detail, name="payment_run_detail"),
        path(
            "utbetalningar/<uuid:run_id>/attestera/",
            payment_actions.payment_run_attest,
            name="payment_run_attest",
        ),
        path("utbetalningar/<uuid:run_id>/paxml.xml", payment_run_paxml, name="payment_run_paxml"),
        path("utbetalningar/<uuid:run_id>/rader.csv", payment_run_csv, name="payment_run_csv"),
        path("utbetalningar/<uuid:run_id>/summering.xlsx", payment_run_xlsx, name="payment_run_xlsx"),
        path(
            "uppdragstagare/<uuid:supporter_id>/arsbesked/<int:year>.pdf",
            supporter_yearly_statement,
            name="supporter_yearly_statement",
        ),
    ]
