"""Offers (förfrågningar) of API v1: a request put to supporters, their answers, the confirmed assignment.

Reading offers is open to whoever reads support requests; sending, answering, withdrawing and
confirming to the family-care unit and managers. Every change goes through `matching.services`.
"""

import datetime
import uuid
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Answer

from bredvid.api.assignments import AssignmentOut
from bredvid.api.matching.common import matcher, reader, renamed
from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import (
    CHANGE_ERRORS,
    ERRORS,
    STATE_ERRORS,
    Bool,
    Clean,
    IsoDate,
    OneOf,
    Strict,
)
from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.matching import services
from bredvid.matching.models import Offer, SupportRequest
from bredvid.supporters.models import Supporter
from bredvid.tenancy.context import Tenant

router = Router()

DeclineReason = Annotated[str, OneOf(Offer.DeclineReason, blank=True)]


class OfferFilter(Clean):
    request_id: uuid.UUID = None  # type: ignore[assignment]
    status: Annotated[str, OneOf(Offer.Status, blank=True)] = ""


class OfferOut(Schema):
    id: uuid.UUID
    request_id: uuid.UUID
    supporter_id: uuid.UUID
    supporter_name: str
    status: Annotated[str, OneOf(Offer.Status)]
    expired: bool
    channel: Annotated[str, OneOf(Offer.Channel)]
    sent_on: datetime.date
    expires_on: datetime.date
    answered_on: datetime.date | None
    decline_reason: DeclineReason
    note: str
    score: float | None
    rank: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OfferIn(Strict):
    request_id: uuid.UUID
    supporter_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    expires_on: IsoDate | None = Field(None, description=f"default in {services.OFFER_DAYS} days")
    note: str = Field("", max_length=5000)


class AnswerIn(Strict):
    accepted: Bool
    decline_reason: DeclineReason = Field("", description="required when declined")
    note: str = Field("", max_length=5000)


class ConfirmIn(Strict):
    start_on: IsoDate = Field(description="the day the assignment starts (not in the future)")


def _offers(tenant: Tenant) -> QuerySet[Offer]:
    return Offer.objects.visible_to(tenant).select_related("supporter", "request__case")


def _offer_out(offer: Offer) -> dict[str, Any]:
    out = {name: getattr(offer, name) for name in OfferOut.model_fields if hasattr(offer, name)}
    out["supporter_name"] = offer.supporter.name
    out["expired"] = services.is_expired(offer)
    return out


def _get_offer(tenant: Tenant, object_id: uuid.UUID) -> Offer:
    return get_object_or_404(_offers(tenant), pk=object_id)


@router.get(
    "/offers/",
    response={200: list[OfferOut], **ERRORS},
    tags=["offers"],
    summary="List offers (förfrågningar)",
)
@paged
def list_offers(request: HttpRequest, params: Query[OfferFilter]) -> Listed:
    tenant = reader(request)
    qs = _offers(tenant)
    if params.request_id is not None:
        qs = qs.filter(request_id=params.request_id)
    if params.status:
        qs = qs.filter(status=params.status)

    def audit(rows: list[Offer], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="matching.offer",
            subjects=sorted({o.request.case.client_id for o in rows}, key=str),
            detail={
                "request_id": str(params.request_id or ""),
                "status": params.status,
                "page": page,
                "count": len(rows),
            },
        )

    return Listed(qs.order_by("-sent_on", "-created_at", "id"), audit, _offer_out)


@router.post(
    "/offers/",
    response={201: list[OfferOut], **CHANGE_ERRORS},
    tags=["offers"],
    summary="Send offers for a request to one or more supporters",
)
def create_offers(request: HttpRequest, payload: OfferIn) -> Answer[list[dict[str, Any]]]:
    tenant = matcher(request)
    sr = get_object_or_404(
        SupportRequest.objects.visible_to(tenant).select_related("case"), pk=payload.request_id
    )
    wanted = list(dict.fromkeys(payload.supporter_ids))
    found = Supporter.objects.visible_to(tenant).in_bulk(wanted)
    missing = {
        f"supporter_ids.{i}": [_("Uppdragstagaren hittades inte.")]
        for i, sid in enumerate(payload.supporter_ids)
        if sid not in found
    }
    if missing:
        raise ValidationError(missing)
    try:
        offers = services.send_offers(
            tenant=tenant,
            support_request=sr,
            supporters=[found[sid] for sid in wanted],
            expires_on=payload.expires_on,
            note=payload.note.strip(),
        )
    except ValidationError as exc:
        raise renamed(exc, {"supporters": "supporter_ids"}) from exc
    return Answer(201, [_offer_out(o) for o in offers])


@router.get("/offers/{object_id}", response={200: OfferOut, **ERRORS}, tags=["offers"], summary="One offer")
def get_offer(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = reader(request)
    offer = _get_offer(tenant, object_id)
    record(action=Action.VIEW, tenant=tenant, obj=offer, person_id=offer.request.case.client_id)
    return _offer_out(offer)


@router.post(
    "/offers/{object_id}/answer",
    response={200: OfferOut, **CHANGE_ERRORS},
    tags=["offers"],
    summary="Record the supporter's answer",
)
def answer_offer(request: HttpRequest, object_id: uuid.UUID, payload: AnswerIn) -> dict[str, Any]:
    tenant = matcher(request)
    offer = _get_offer(tenant, object_id)
    services.answer_offer(
        tenant=tenant,
        offer=offer,
        accepted=payload.accepted,
        reason=payload.decline_reason,
        note=payload.note,
    )
    return _offer_out(_get_offer(tenant, object_id))


@router.post(
    "/offers/{object_id}/withdraw",
    response={200: OfferOut, **STATE_ERRORS},
    tags=["offers"],
    summary="Withdraw an unanswered or accepted offer",
)
def withdraw_offer(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = matcher(request)
    offer = _get_offer(tenant, object_id)
    services.withdraw_offer(tenant=tenant, offer=offer)
    return _offer_out(_get_offer(tenant, object_id))


@router.post(
    "/offers/{object_id}/confirm",
    response={201: AssignmentOut, **CHANGE_ERRORS},
    tags=["offers"],
    summary="Confirm an accepted offer: the assignment starts",
)
def confirm_offer(request: HttpRequest, object_id: uuid.UUID, payload: ConfirmIn) -> Answer[Assignment]:
    tenant = matcher(request)
    offer = _get_offer(tenant, object_id)
    assignment = services.confirm_offer(tenant=tenant, offer=offer, start_on=payload.start_on)
    return Answer(201, assignment)
