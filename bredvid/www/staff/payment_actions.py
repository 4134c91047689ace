"""Payment run actions (ADR 0013): prepare a month, attest a run. Managers only."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.payments import services
from bredvid.payments.models import PaymentRun
from bredvid.payments.perms import can_run_payments
from bredvid.www.staff import payment_forms as f
from bredvid.www.staff.actions import action_page, posted, tenant_of
from bredvid.www.staff.decorators import permission_required


def _prepared_message(result: services.Prepared) -> str:
    if result.new_lines:
        return _("%(n)s nya rader är förberedda. Granska dem och be en annan chef attestera.") % {
            "n": result.new_lines
        }
    return _("Inget nytt att betala för månaden.")


def _after_prepare(result: services.Prepared) -> str:
    if result.run is None:
        return reverse("staff:payment_run_list")
    return reverse("staff:payment_run_detail", args=[result.run.pk])


@permission_required(can_run_payments)
@require_http_methods(["GET", "POST"])
def payment_run_prepare(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return action_page(
        request,
        f.MonthForm(posted(request), initial={"period": f"{last_month:%Y-%m}"}),
        run=lambda data: services.prepare_run(tenant=tenant, period=data["period"]),
        success=_prepared_message,
        done=_after_prepare,
        title=_("Förbered månadens utbetalning"),
        back=reverse("staff:payment_run_list"),
        context={
            "intro": _(
                "Arvoden och omkostnader räknas ur godkända rapporter, uppdragen och årets "
                "ersättningstabell; godkända utlägg betalas en gång. Det som redan är betalt för "
                "månaden läggs inte till igen; en ändring blir en justeringsrad."
            )
        },
    )


@permission_required(can_run_payments)
@require_http_methods(["GET", "POST"])
def payment_run_attest(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    run = get_object_or_404(PaymentRun.objects.visible_to(tenant), pk=run_id)
    back = reverse("staff:payment_run_detail", args=[run.pk])
    return action_page(
        request,
        f.ConfirmForm(posted(request)),
        run=lambda _data: services.attest_run(tenant=tenant, run=run),
        success=_("Utbetalningen är attesterad och låst."),
        done=lambda _run: back,
        title=_("Attestera utbetalningen"),
        back=back,
        context={
            "caption": _("Utbetalning %(month)s") % {"month": f"{run.period:%Y-%m}"},
            "intro": _(
                "Totalt %(total)s kr på %(n)s rader. När utbetalningen är attesterad kan den inte ändras."
            )
            % {"total": f"{run.total:.2f}", "n": run.line_count},
        },
    )
