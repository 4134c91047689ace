"""The manager's quarterly IVO report: preview, file (stored as reported), export to PDF and Excel."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from weasyprint import HTML

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.ivo import build_report, council_summary, quarter_bounds
from bredvid.casework.models import IvoReport
from bredvid.casework.perms import can_report_to_ivo
from bredvid.casework.services import file_ivo_report
from bredvid.core.errors import IllegalTransition
from bredvid.core.spreadsheets import Spreadsheet, xlsx_response
from bredvid.tenancy.context import Tenant
from bredvid.www.staff.actions import tenant_of
from bredvid.www.staff.decorators import permission_required


def _quarter(request: HttpRequest, year: int | None = None, quarter: int | None = None) -> tuple[int, int]:
    today = timezone.localdate()
    default_q = (today.month - 1) // 3  # the quarter that ended last
    default_year = today.year if default_q else today.year - 1
    default_q = default_q or 4
    try:
        year = year or int(request.GET.get("ar", default_year))
        quarter = quarter or int(request.GET.get("kvartal", default_q))
    except ValueError as exc:
        raise Http404 from exc
    if not (2000 <= year <= today.year + 1 and 1 <= quarter <= 4):
        raise Http404
    return year, quarter


def _report(
    tenant: Tenant, year: int, quarter: int, invalid: list[dict[str, object]] | None = None
) -> tuple[dict[str, Any], IvoReport | None]:
    stored = (
        IvoReport.objects.visible_to(tenant)
        .filter(year=year, quarter=quarter)
        .select_related("filed_by")
        .first()
    )
    if stored is not None:
        return {"rows": stored.rows, "executed_rows": stored.executed_rows}, stored
    return build_report(tenant.municipality, year, quarter, invalid), None


@permission_required(can_report_to_ivo)
def ivo_report(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    year, quarter = _quarter(request)
    invalid: list[dict[str, object]] = []
    report, stored = _report(tenant, year, quarter, invalid)
    start, end = quarter_bounds(year, quarter)
    record(
        action=Action.VIEW,
        tenant=tenant,
        object_type="casework.ivoreport",
        object_id=f"{year}Q{quarter}",
        detail={"rows": len(report["rows"]), "filed": stored is not None},
    )
    context = {
        "year": year,
        "quarter": quarter,
        "start": start,
        "end": end,
        "report": report,
        "stored": stored,
        "summary": council_summary(report),
        "invalid_dates": invalid,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    }
    return render(request, "casework/ivo_report.html", context)


@permission_required(can_report_to_ivo)
@require_POST
def ivo_file(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    tenant = tenant_of(request)
    year, quarter = _quarter(request, year, quarter)
    try:
        file_ivo_report(tenant=tenant, year=year, quarter=quarter)
    except IllegalTransition as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rapporten är sparad som inlämnad."))
    return redirect(f"/ivo/?ar={year}&kvartal={quarter}")


@permission_required(can_report_to_ivo)
def ivo_export(request: HttpRequest, year: int, quarter: int, fmt: str) -> HttpResponse:
    tenant = tenant_of(request)
    year, quarter = _quarter(request, year, quarter)
    report, stored = _report(tenant, year, quarter)
    filename = f"ivo-{tenant.municipality.kommunkod}-{year}-Q{quarter}"
    if fmt == "pdf":
        start, end = quarter_bounds(year, quarter)
        html = render_to_string(
            "casework/pdf/ivo_report.html",
            {
                "report": report,
                "stored": stored,
                "year": year,
                "quarter": quarter,
                "start": start,
                "end": end,
                "municipality": tenant.municipality,
                "summary": council_summary(report),
                "printed_at": timezone.localtime(),
            },
        )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    elif fmt == "xlsx":
        response = xlsx_response(_xlsx(report), f"{filename}.xlsx")
    else:
        raise Http404
    response["Cache-Control"] = "no-store"
    record(
        action=Action.EXPORT,
        tenant=tenant,
        object_type="casework.ivoreport",
        object_id=f"{year}Q{quarter}",
        detail={"format": fmt},
    )
    return response


_HEADERS = [
    "Ärende",
    "Typ",
    "Beslutsdatum",
    "Insats",
    "Kön",
    "Födelseår",
    "Tremånadersgräns",
    "Dagar",
    "Skäl",
    "Verkställd",
]
_KEYS = [
    "case_ref",
    "kind",
    "decision_date",
    "support_kind",
    "gender",
    "birth_year",
    "limit_date",
    "days_waited",
    "reasons",
    "executed_on",
]


_DATE_KEYS = {"decision_date", "limit_date", "executed_on"}


def _cell(key: str, value: Any) -> Any:
    """The stored report keeps dates as ISO text; the sheet gets real dates (sortable in Excel)."""
    if key in _DATE_KEYS and isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _xlsx(report: dict[str, Any]) -> bytes:
    workbook = Spreadsheet()
    for title, rows in (("Ej verkställda", report["rows"]), ("Verkställda", report["executed_rows"])):
        sheet = workbook.sheet(title, _HEADERS)
        for row in rows:
            sheet.append([_cell(k, row[k]) for k in _KEYS])
    return workbook.to_bytes()


def urls() -> list[Any]:
    return [
        path("ivo/", ivo_report, name="ivo_report"),
        path("ivo/<int:year>/<int:quarter>/lamna-in/", ivo_file, name="ivo_file"),
        path("ivo/<int:year>/<int:quarter>/export.<str:fmt>", ivo_export, name="ivo_export"),
    ]
