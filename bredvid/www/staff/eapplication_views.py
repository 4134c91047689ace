"""Staff pages for the inbox of applications from the e-service (e-ansökningar): list, detail (an
audited view) and taking one into a case. Loaded through `EApplication.objects.visible_to`, so another
municipality's application is a 404."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import eservice
from bredvid.casework.models import Application, EApplication
from bredvid.casework.perms import can_read_eapplications, can_take_eapplication
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Unit
from bredvid.www.staff.actions import action_page, paginate, posted, tenant_of
from bredvid.www.staff.decorators import permission_required


class TakeForm(forms.Form):
    unit = forms.ChoiceField(label=gettext_lazy("Enhet där ärendet handläggs"))

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Hur avslutas ansökan?"),
        choices=[(status.value, status.label) for status in eservice.CLOSING],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Skäl"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=gettext_lazy("Till exempel att den sökande har ringt och tagit tillbaka ansökan."),
    )


_OPEN = (EApplication.Status.AWAITING_CONSENT, EApplication.Status.READY)


def _load(tenant: Tenant, eapplication_id: uuid.UUID) -> EApplication:
    return get_object_or_404(EApplication.objects.visible_to(tenant), pk=eapplication_id)


@permission_required(can_read_eapplications)
@require_GET
def eapplication_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    handled = request.GET.get("status") == "handled"
    qs = EApplication.objects.visible_to(tenant)
    qs = qs.exclude(status__in=_OPEN) if handled else qs.in_inbox()
    page = paginate(request, qs.order_by("-received_at", "reference"))
    shown = list(page)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="casework.eapplication",
        detail={
            "status": "handled" if handled else "inbox",
            "count": len(shown),
            "shown": [str(e.pk) for e in shown],
        },
    )
    return render(request, "casework/eapplication_list.html", {"page": page, "handled": handled})


@permission_required(can_read_eapplications)
@require_GET
def eapplication_detail(request: HttpRequest, eapplication_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    eapplication = _load(tenant, eapplication_id)
    record(action=Action.VIEW, tenant=tenant, obj=eapplication)
    case = None
    if eapplication.application_id:
        case = (
            Application.objects.visible_to(tenant)
            .filter(pk=eapplication.application_id)
            .values_list("case_id", flat=True)
            .first()
        )
    context = {
        "eapplication": eapplication,
        "case_id": case,
        "can_take": can_take_eapplication(tenant) and eapplication.status == EApplication.Status.READY,
        "can_close": can_take_eapplication(tenant) and eapplication.status in _OPEN,
    }
    return render(request, "casework/eapplication_detail.html", context)


@permission_required(can_take_eapplication)
@require_http_methods(["GET", "POST"])
def eapplication_take(request: HttpRequest, eapplication_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    eapplication = _load(tenant, eapplication_id)
    units = list(Unit.objects.visible_to(tenant).filter(pk__in=tenant.unit_ids))
    back = reverse("staff:eapplication_detail", args=[eapplication.pk])

    def run(data: dict[str, Any]) -> Application:
        unit = next(u for u in units if str(u.pk) == data["unit"])
        return eservice.take_into_case(tenant=tenant, eapplication=eapplication, unit=unit)

    return action_page(
        request,
        TakeForm(posted(request), units=units),
        run=run,
        success=_("Ansökan är registrerad i ärendet."),
        done=lambda application: reverse("staff:case_detail", args=[application.case_id]),
        title=_("Registrera ansökan i ärende"),
        back=back,
        context={
            "caption": eapplication.reference,
            "intro": _(
                "Personen hämtas med personnumret eller läggs upp, ett ärende öppnas i enheten (eller det "
                "öppna ärendet används) och ansökan registreras som inkommen via e-tjänsten."
            ),
        },
    )


@permission_required(can_take_eapplication)
@require_http_methods(["GET", "POST"])
def eapplication_close(request: HttpRequest, eapplication_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    eapplication = _load(tenant, eapplication_id)
    back = reverse("staff:eapplication_detail", args=[eapplication.pk])
    return action_page(
        request,
        CloseForm(posted(request)),
        run=lambda data: eservice.close_without_case(tenant=tenant, eapplication=eapplication, **data),
        success=_("Ansökan är avslutad utan ärende."),
        done=lambda _closed: reverse("staff:eapplication_list"),
        title=_("Avsluta utan ärende"),
        back=back,
        context={"caption": eapplication.reference},
    )


def urls() -> list[URLPattern]:
    return [
        path("e-ansokningar/", eapplication_list, name="eapplication_list"),
        path("e-ansokningar/<uuid:eapplication_id>/", eapplication_detail, name="eapplication_detail"),
        path("e-ansokningar/<uuid:eapplication_id>/registrera/", eapplication_take, name="eapplication_take"),
        path("e-ansokningar/<uuid:eapplication_id>/avsluta/", eapplication_close, name="eapplication_close"),
    ]
