"""Matching actions: the caseworker's order (uppdragsbeställning) and its changes, and the answers
to offers (förfrågningar); each one page through `action_page`. The helpers that load a request or
an offer (through `visible_to`: another municipality's request is a 404, a caseworker sees only
their units' requests) are shared with matching_views.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.models import Decision, Intervention
from bredvid.casework.perms import can_read_cases
from bredvid.matching import services
from bredvid.matching.models import Offer, SupportRequest
from bredvid.matching.perms import can_match, can_order_support, can_read_requests
from bredvid.supporters.models import Supporter
from bredvid.supporters.needs import needs_for
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import matching_forms as f
from bredvid.www.staff.actions import action_page, posted, tenant_of
from bredvid.www.staff.casework_actions import load_case
from bredvid.www.staff.decorators import permission_required


def load_request(tenant: Tenant, request_id: uuid.UUID) -> SupportRequest:
    return get_object_or_404(
        SupportRequest.objects.visible_to(tenant).select_related(
            "case__client", "intervention", "ordered_by"
        ),
        pk=request_id,
    )


def load_offer(tenant: Tenant, offer_id: uuid.UUID) -> Offer:
    return get_object_or_404(
        Offer.objects.visible_to(tenant).select_related("request__case", "supporter"), pk=offer_id
    )


def may_edit(tenant: Tenant, support_request: SupportRequest) -> bool:
    return can_order_support(tenant, support_request.case) or can_match(tenant)


def _subjects(support_request: SupportRequest) -> list[uuid.UUID]:
    return [
        s.intervention.case.client_id for s in support_request.siblings.select_related("intervention__case")
    ]


def audit_view(tenant: Tenant, obj: Any, support_request: SupportRequest, **detail: Any) -> None:
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=obj,
        person_id=support_request.case.client_id,
        subjects=_subjects(support_request),
        detail=detail or None,
    )


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({f"{prefix}{name}": errors for name, errors in error.message_dict.items()})


def detail_url(support_request: SupportRequest) -> str:
    return reverse("staff:request_detail", args=[support_request.pk])


def _caption(support_request: SupportRequest) -> str:
    return _("Uppdragsbeställning %(kind)s, ärende %(ref)s") % {
        "kind": support_request.get_support_kind_display().lower(),
        "ref": support_request.case.reference,
    }


# ---------------------------------------------------------------------------
# The order (uppdragsbeställning)
# ---------------------------------------------------------------------------
def _sibling_interventions(tenant: Tenant, intervention: Intervention) -> list[Intervention]:
    """The unit's other granted, not yet executed interventions of the same kind."""
    return list(
        Intervention.objects.visible_to(tenant)
        .filter(
            status=Intervention.Status.PENDING,
            support_kind=intervention.support_kind,
            case__unit_id=intervention.case.unit_id,
            decision__status=Decision.Status.DECIDED,
        )
        .exclude(decision__outcome=Decision.Outcome.REFUSED)
        .exclude(pk=intervention.pk)
        .select_related("case__client")
        .order_by("case__reference")
    )


def _sibling_label(intervention: Intervention) -> str:
    client = intervention.case.client
    name = _("skyddade personuppgifter") if client.is_protected else client.full_name
    return f"{intervention.case.reference} – {name}"


@permission_required(can_read_cases)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, case_id: uuid.UUID, intervention_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    case = load_case(tenant, case_id)
    intervention = get_object_or_404(
        Intervention.objects.visible_to(tenant).select_related("case__client"), pk=intervention_id, case=case
    )
    if not can_order_support(tenant, case):
        raise PermissionDenied
    open_request = intervention.support_requests.filter(status=SupportRequest.Status.OPEN).first()
    if open_request is not None:
        messages.info(request, _("Det finns redan en öppen beställning för insatsen."))
        return redirect("staff:request_detail", request_id=open_request.pk)
    candidates = _sibling_interventions(tenant, intervention)
    form = f.RequestForm(
        posted(request),
        initial=f.request_initial(None, intervention.support_kind),
        needs=needs_for(tenant.municipality),
        siblings=[(str(s.pk), _sibling_label(s)) for s in candidates],
    )
    if request.method == "GET":
        record(
            action=Action.VIEW,
            tenant=tenant,
            obj=intervention,
            person_id=case.client_id,
            subjects=[s.case.client_id for s in candidates],
            detail={"page": "order"},
        )

    def run(data: dict[str, Any]) -> SupportRequest:
        chosen = set(data.get("siblings") or [])
        siblings = [s for s in candidates if str(s.pk) in chosen]
        with transaction.atomic():  # the order and its protected place, or nothing
            support_request = services.create_request(
                tenant=tenant, intervention=intervention, data=form.request_data(), siblings=siblings
            )
            if form.place is not None:
                try:
                    services.add_protected_place(tenant=tenant, support_request=support_request, **form.place)
                except ValidationError as exc:
                    raise _prefixed(exc, "place_") from exc
        return support_request

    return action_page(
        request,
        form,
        title=_("Beställ uppdragstagare"),
        back=reverse("staff:case_detail", args=[case.pk]),
        run=run,
        success=_("Uppdragsbeställningen är skickad till familjehemsenheten."),
        done=detail_url,
        template="matching/request_form.html",
        context={
            "caption": _("Ärende %(ref)s · %(kind)s")
            % {"ref": case.reference, "kind": intervention.get_support_kind_display()},
            "protected_client": case.client.is_protected,
            "ordering": True,
        },
    )


@permission_required(can_read_requests)
@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    support_request = load_request(tenant, request_id)
    if not may_edit(tenant, support_request):
        raise PermissionDenied
    form = f.RequestForm(
        posted(request),
        initial=f.request_initial(support_request, support_request.support_kind),
        needs=needs_for(tenant.municipality),
        ordering=False,
    )
    if request.method == "GET":
        audit_view(tenant, support_request, support_request, page="edit")
    return action_page(
        request,
        form,
        title=_("Ändra uppdragsbeställning"),
        back=detail_url(support_request),
        run=lambda d: services.update_request(
            tenant=tenant, support_request=support_request, data=form.request_data()
        ),
        success=_("Uppdragsbeställningen är ändrad."),
        done=detail_url,
        template="matching/request_form.html",
        context={
            "caption": _caption(support_request),
            "protected_client": support_request.case.client.is_protected,
            "ordering": False,
        },
    )


@permission_required(can_read_requests)
@require_http_methods(["GET", "POST"])
def request_cancel(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    support_request = load_request(tenant, request_id)
    if not may_edit(tenant, support_request):
        raise PermissionDenied
    form = f.CancelRequestForm(posted(request))
    return action_page(
        request,
        form,
        title=_("Återkalla uppdragsbeställning"),
        back=detail_url(support_request),
        run=lambda d: services.cancel_request(
            tenant=tenant, support_request=support_request, reason=d["reason"]
        ),
        success=_("Uppdragsbeställningen är återkallad."),
        done=detail_url,
        context={"caption": _caption(support_request)},
    )


@permission_required(can_read_requests)
@require_http_methods(["GET", "POST"])
def request_protected_place(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    support_request = load_request(tenant, request_id)
    if not may_edit(tenant, support_request):
        raise PermissionDenied
    form = f.ProtectedPlaceForm(posted(request))

    def run(d: dict[str, Any]) -> Any:
        assert form.coordinates is not None
        return services.add_protected_place(
            tenant=tenant,
            support_request=support_request,
            label=d["label"].strip(),
            latitude=form.coordinates[0],
            longitude=form.coordinates[1],
            min_distance_km=d["min_distance_km"],
        )

    return action_page(
        request,
        form,
        title=_("Lägg till skyddad plats"),
        back=detail_url(support_request),
        run=run,
        success=_("Den skyddade platsen är sparad."),
        done=lambda r: detail_url(support_request),
        context={"caption": _caption(support_request)},
    )


def supporter_choices(tenant: Tenant, statuses: tuple[str, ...]) -> list[tuple[str, str]]:
    rows = (
        Supporter.objects.visible_to(tenant)
        .filter(status__in=statuses)
        .order_by("name", "id")
        .values_list("pk", "name")
    )
    return [(str(pk), name) for pk, name in rows]


@permission_required(can_match)
@require_http_methods(["GET", "POST"])
def request_relative(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    support_request = load_request(tenant, request_id)
    form = f.RelativeForm(
        posted(request),
        supporters=supporter_choices(tenant, (Supporter.Status.APPROVED,)),
    )

    def run(d: dict[str, Any]) -> Any:
        supporter = get_object_or_404(Supporter.objects.visible_to(tenant), pk=d["supporter"])
        return services.add_relative(
            tenant=tenant, support_request=support_request, supporter=supporter, relation=d["relation"]
        )

    return action_page(
        request,
        form,
        title=_("Lägg till närstående uppdragstagare"),
        back=detail_url(support_request),
        run=run,
        success=_("Den närstående prövas först i listan."),
        done=lambda r: detail_url(support_request),
        context={"caption": _caption(support_request)},
    )


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
def _offer_caption(offer: Offer) -> str:
    return _("Förfrågan till %(name)s · %(caption)s") % {
        "name": offer.supporter.name,
        "caption": _caption(offer.request),
    }


@permission_required(can_match)
@require_http_methods(["GET", "POST"])
def offer_answer(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    offer = load_offer(tenant, offer_id)
    form = f.AnswerOfferForm(posted(request))
    if request.method == "GET":
        audit_view(tenant, offer, offer.request, page="answer")

    def run(d: dict[str, Any]) -> Offer:
        accepted = d["answer"] == "accepted"
        return services.answer_offer(
            tenant=tenant,
            offer=offer,
            accepted=accepted,
            reason="" if accepted else d["decline_reason"],
            note=d["note"],
        )

    return action_page(
        request,
        form,
        title=_("Registrera svar"),
        back=detail_url(offer.request),
        run=run,
        success=_("Svaret är registrerat."),
        done=lambda o: detail_url(offer.request),
        context={
            "caption": _offer_caption(offer),
            "summary": "matching/includes/offer_summary.html",
            "offer": offer,
            "phone": offer.supporter.phone,
        },
    )


@permission_required(can_match)
@require_http_methods(["GET", "POST"])
def offer_withdraw(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    offer = load_offer(tenant, offer_id)
    return action_page(
        request,
        f.ConfirmForm(posted(request)),
        title=_("Återta förfrågan"),
        back=detail_url(offer.request),
        run=lambda d: services.withdraw_offer(tenant=tenant, offer=offer),
        success=_("Förfrågan är återtagen."),
        done=lambda o: detail_url(offer.request),
        context={"caption": _offer_caption(offer)},
    )


@permission_required(can_match)
@require_http_methods(["GET", "POST"])
def offer_confirm(request: HttpRequest, offer_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    offer = load_offer(tenant, offer_id)
    form = f.ConfirmOfferForm(posted(request), initial={"start_on": timezone.localdate()})
    return action_page(
        request,
        form,
        title=_("Bekräfta uppdraget"),
        back=detail_url(offer.request),
        run=lambda d: services.confirm_offer(tenant=tenant, offer=offer, start_on=d["start_on"]),
        success=_("Uppdraget är skapat och insatsen är verkställd."),
        done=lambda a: detail_url(offer.request),
        context={
            "caption": _offer_caption(offer),
            "intro": _(
                "Uppdraget skapas med %(name)s och insatsen verkställs från startdatumet. "
                "Övriga förfrågningar återtas."
            )
            % {"name": offer.supporter.name},
        },
    )
