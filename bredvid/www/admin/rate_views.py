"""The rate tables (ersättningar) and the lönearter of the payroll file, kept by the administrator.

Each year's table shows which figures are SKR's recommendation and which the municipality decided;
every change is a service in `bredvid.payments.services`."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bredvid.payments import services
from bredvid.payments.models import LineKind, Rate, RateTable, WageType
from bredvid.payments.perms import can_edit_rates
from bredvid.www.admin import rate_forms as f
from bredvid.www.staff.actions import action_page, posted, tenant_of
from bredvid.www.staff.decorators import permission_required

administers = permission_required(can_edit_rates)


@administers
@require_GET
def rate_tables(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    wage_types = {w.kind: w for w in WageType.objects.visible_to(tenant)}
    context = {
        "tables": RateTable.objects.visible_to(tenant).order_by("-year"),
        "wage_types": [(kind, label, wage_types.get(kind)) for kind, label in LineKind.choices],
    }
    return render(request, "municipal_admin/rate_tables.html", context)


@administers
@require_http_methods(["GET", "POST"])
def rate_table_create(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    return action_page(
        request,
        f.YearForm(posted(request)),
        run=lambda data: services.create_year(tenant=tenant, **data),
        success=_("Tabellen är skapad med SKR:s struktur. Fyll i det kommunen beslutar."),
        done=lambda table: reverse("municipal_admin:rate_table", args=[table.pk]),
        title=_("Ny ersättningstabell"),
        back=reverse("municipal_admin:rate_tables"),
    )


@administers
@require_GET
def rate_table(request: HttpRequest, table_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    table = get_object_or_404(RateTable.objects.visible_to(tenant), pk=table_id)
    rates = (
        Rate.objects.visible_to(tenant)
        .filter(table=table)
        .order_by("group", "component", "level", "age_from")
    )
    return render(request, "municipal_admin/rate_table.html", {"table": table, "rates": rates})


@administers
@require_http_methods(["GET", "POST"])
def rate_table_edit(request: HttpRequest, table_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    table = get_object_or_404(RateTable.objects.visible_to(tenant), pk=table_id)
    back = reverse("municipal_admin:rate_table", args=[table.pk])
    initial = {"prisbasbelopp": table.prisbasbelopp, "rounding": table.rounding, "note": table.note}
    return action_page(
        request,
        f.TableForm(posted(request), initial=initial),
        run=lambda data: services.update_table(tenant=tenant, table=table, **data),
        success=_("Tabellen är sparad."),
        done=lambda _t: back,
        title=_("Prisbasbelopp och avrundning"),
        back=back,
        context={"caption": _("Ersättningar %(year)s") % {"year": table.year}},
    )


@administers
@require_http_methods(["GET", "POST"])
def rate_edit(request: HttpRequest, rate_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    rate = get_object_or_404(Rate.objects.visible_to(tenant).select_related("table"), pk=rate_id)
    back = reverse("municipal_admin:rate_table", args=[rate.table_id])
    value = rate.percent if rate.percent is not None else rate.amount
    unit = _("procent") if rate.percent is not None or rate.component != "fee" else _("kronor")
    ages = ""
    if rate.age_from is not None:
        ages = f", {rate.age_from}–{rate.age_to if rate.age_to is not None else ''} år"
    caption = f"{rate.get_group_display()} · {rate.get_component_display()} {rate.level}{ages}"
    return action_page(
        request,
        f.RateForm(posted(request), initial={"value": value, "note": rate.note}),
        run=lambda data: services.update_rate(tenant=tenant, rate=rate, **data),
        success=_("Värdet är sparat som kommunens beslut."),
        done=lambda _r: back,
        title=_("Ändra värde (%(unit)s)") % {"unit": unit},
        back=back,
        context={
            "caption": caption,
            "intro": _("Nu: %(source)s. Ett ändrat värde blir kommunens beslut.")
            % {"source": rate.get_source_display()},
        },
    )


@administers
@require_http_methods(["GET", "POST"])
def wage_type_edit(request: HttpRequest, kind: str) -> HttpResponse:
    tenant = tenant_of(request)
    if kind not in LineKind.values:
        raise Http404
    wage = WageType.objects.visible_to(tenant).filter(kind=kind).first()
    initial = {"code": wage.code, "name": wage.name} if wage else {}
    back = reverse("municipal_admin:rate_tables")
    return action_page(
        request,
        f.WageTypeForm(posted(request), initial=initial),
        run=lambda data: services.set_wage_type(tenant=tenant, kind=kind, **data),
        success=_("Lönearten är sparad."),
        done=lambda _w: back,
        title=_("Löneart för lönefilen"),
        back=back,
        context={"caption": str(LineKind(kind).label)},
    )


def urls() -> list:  # type: ignore[type-arg]
    from django.urls import path

    return [
        path("ersattningar/", rate_tables, name="rate_tables"),
        path("ersattningar/ny/", rate_table_create, name="rate_table_create"),
        path("ersattningar/<uuid:table_id>/", rate_table, name="rate_table"),
        path("ersattningar/<uuid:table_id>/andra/", rate_table_edit, name="rate_table_edit"),
        path("ersattningar/niva/<uuid:rate_id>/", rate_edit, name="rate_edit"),
        path("ersattningar/lonearter/<str:kind>/", wage_type_edit, name="wage_type_edit"),
    ]
