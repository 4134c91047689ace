"""Matching routes of API v1: support requests (uppdragsbeställningar), shortlists and offers (förfrågningar).

Scoped like the pages: the family-care unit and managers see every request of the municipality,
caseworkers the requests of their units' cases. Every change goes through `matching.services`
(which writes its audit event); every read is audited here, and the shortlist by the service.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.responses import Status

from bredvid.api.schemas import (
    CHANGE_ERRORS,
    ERRORS,
    STATE_ERRORS,
    Bool,
    Clean,
    Float,
    Int,
    IsoDate,
    Patch,
    Strict,
)
from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.models import Intervention
from bredvid.casework.perms import can_read_cases
from bredvid.matching import services
from bredvid.matching.models import Offer, ProtectedPlace, SupportRequest
from bredvid.matching.perms import can_match, can_read_requests
from bredvid.supporters.models import Supporter
from bredvid.tenancy.context import Tenant

router = Router()

Gender = Literal["girl", "boy", "other"]
RequestStatusFilter = Literal["", "open", "matched", "cancelled"]
OfferStatusFilter = Literal["", "sent", "declined", "accepted", "confirmed", "withdrawn", "expired"]
KindFilter = Literal["", "kontaktperson", "kontaktfamilj", "sarskilt_kvalificerad", "familjehem", "jourhem"]
DeclineReason = Literal["", "no_time", "not_suitable", "distance", "personal", "other"]
Need = str  # validated by the service against the municipality's list of needs


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_requests(tenant):
        raise PermissionDenied
    return tenant


def _matcher(request: HttpRequest) -> Tenant:
    """Shortlists, offers and confirmation: the family-care unit and managers."""
    tenant = _tenant(request)
    if not can_match(tenant):
        raise PermissionDenied
    return tenant


# ---------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------
class PageParams(Clean):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class RequestListParams(PageParams):
    status: RequestStatusFilter = ""
    kind: KindFilter = ""


class RelativeOut(Schema):
    supporter_id: uuid.UUID
    relation: str


class SupportRequestOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    intervention_id: uuid.UUID
    sibling_intervention_ids: list[uuid.UUID]
    support_kind: str
    status: str
    ordered_on: datetime.date
    gender: str
    needs: list[str]
    languages: str
    culture_religion: str
    location_name: str
    latitude: float
    longitude: float
    max_distance_km: int
    no_pets: bool
    no_smoking: bool
    allergies: str
    wishes: str
    start_on: datetime.date
    end_on: datetime.date | None
    protected: bool = Field(description="the child must be kept away from places (never shown)")
    relatives: list[RelativeOut]
    cancelled_reason: str
    closed_on: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SupportRequestPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SupportRequestOut]


class RequestFields(Strict):
    """The fields of services.REQUEST_FIELDS; the service checks the rest (needs, end after start)."""

    gender: Gender = "other"
    needs: list[Need] = Field(default_factory=list, max_length=30)
    languages: str = Field("", max_length=200)
    culture_religion: str = Field("", max_length=200)
    location_name: str = Field(min_length=1, max_length=200)
    latitude: Float = Field(ge=-90, le=90)
    longitude: Float = Field(ge=-180, le=180)
    max_distance_km: Int | None = Field(None, ge=1, le=2000, description="default by support kind")
    no_pets: Bool = False
    no_smoking: Bool = False
    allergies: str = Field("", max_length=200)
    wishes: str = Field("", max_length=10_000)
    start_on: IsoDate | None = Field(None, description="default today")
    end_on: IsoDate | None = None


class SupportRequestIn(RequestFields):
    intervention_id: uuid.UUID
    sibling_intervention_ids: list[uuid.UUID] = Field(default_factory=list, max_length=10)


class SupportRequestPatch(Patch):
    """Only `end_on` can be emptied (null: no end); the other fields refuse null."""

    gender: Gender = None  # type: ignore[assignment]
    needs: list[Need] = Field(None, max_length=30)  # type: ignore[assignment]
    languages: str = Field(None, max_length=200)  # type: ignore[assignment]
    culture_religion: str = Field(None, max_length=200)  # type: ignore[assignment]
    location_name: str = Field(None, min_length=1, max_length=200)  # type: ignore[assignment]
    latitude: Float = Field(None, ge=-90, le=90)  # type: ignore[assignment]
    longitude: Float = Field(None, ge=-180, le=180)  # type: ignore[assignment]
    max_distance_km: Int = Field(None, ge=1, le=2000)  # type: ignore[assignment]
    no_pets: Bool = None  # type: ignore[assignment]
    no_smoking: Bool = None  # type: ignore[assignment]
    allergies: str = Field(None, max_length=200)  # type: ignore[assignment]
    wishes: str = Field(None, max_length=10_000)  # type: ignore[assignment]
    start_on: IsoDate = None  # type: ignore[assignment]
    end_on: IsoDate | None = None


class ShortlistParams(Clean):
    k: int = Field(20, ge=1, le=100, description="how many candidates (besides relatives)")
    why_not: uuid.UUID = Field(None, description="a supporter id: why is this one (not) shown?")  # type: ignore[assignment]
    max_km: int = Field(None, ge=1, le=2000, description="filter: only candidates at most this far")  # type: ignore[assignment]
    not_asked: bool = Field(False, description="filter: hide supporters already asked about this request")
    all_needs: bool = Field(False, description="filter: only candidates who can meet every need")
    language: bool = Field(False, description="filter: only candidates who speak one of the languages")


class Contribution(Schema):
    criterion: str
    label: str
    value: float


class CandidateOut(Schema):
    rank: int
    supporter_id: uuid.UUID
    name: str
    relative: bool
    score: float
    contributions: list[Contribution]
    distance_km: float | None = Field(description="null for protected requests: only the band is shown")
    distance_band: str
    offer_id: uuid.UUID | None
    offer_status: str | None


class ExcludedOut(Schema):
    rule: str
    label: str
    count: int


class WhyNotOut(Schema):
    supporter_id: uuid.UUID
    name: str
    eligible: bool
    reasons: list[str]
    score: float | None
    contributions: list[Contribution]
    lowest_shown_score: float | None


class ShortlistOut(Schema):
    request_id: uuid.UUID
    protected: bool
    k: int
    relatives: list[CandidateOut]
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]
    eligible: int
    pool_size: int
    weights_version: int
    pool_version: int
    why_not: WhyNotOut | None
    filtered_out: int


class OfferListParams(PageParams):
    request_id: uuid.UUID = None  # type: ignore[assignment]
    status: OfferStatusFilter = ""


class OfferOut(Schema):
    id: uuid.UUID
    request_id: uuid.UUID
    supporter_id: uuid.UUID
    supporter_name: str
    status: str
    expired: bool
    channel: str
    sent_on: datetime.date
    expires_on: datetime.date
    answered_on: datetime.date | None
    decline_reason: str
    note: str
    score: float | None
    rank: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OfferPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[OfferOut]


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


class AssignmentOut(Schema):
    id: uuid.UUID
    supporter_id: uuid.UUID
    intervention_id: uuid.UUID
    request_id: uuid.UUID | None
    offer_id: uuid.UUID | None
    support_kind: str
    children: int
    status: str
    start_on: datetime.date
    end_on: datetime.date | None
    created_at: datetime.datetime


# ---------------------------------------------------------------------------
# Support requests
# ---------------------------------------------------------------------------
def _requests(tenant: Tenant) -> QuerySet[SupportRequest]:
    return (
        SupportRequest.objects.visible_to(tenant)
        .select_related("case")
        .prefetch_related("siblings__intervention", "relatives")
        .annotate(is_protected=Exists(ProtectedPlace.objects.filter(request=OuterRef("pk"))))
    )


def _request_out(sr: SupportRequest) -> dict[str, Any]:
    out = {name: getattr(sr, name) for name in SupportRequestOut.model_fields if hasattr(sr, name)}
    out["sibling_intervention_ids"] = [s.intervention_id for s in sr.siblings.all()]
    out["relatives"] = [{"supporter_id": r.supporter_id, "relation": r.relation} for r in sr.relatives.all()]
    out["protected"] = bool(getattr(sr, "is_protected", False))
    return out


def _request_subjects(sr: SupportRequest) -> list[uuid.UUID]:
    sibling_cases = [s.intervention.case_id for s in sr.siblings.all()]
    if not sibling_cases:
        return [sr.case.client_id]
    from bredvid.casework.models import Case

    clients = Case.objects.filter(pk__in=sibling_cases).values_list("client_id", flat=True)
    return [sr.case.client_id, *clients]


def _get_request(tenant: Tenant, object_id: uuid.UUID) -> SupportRequest:
    return get_object_or_404(_requests(tenant), pk=object_id)


def _page(qs: QuerySet[Any], params: PageParams) -> tuple[Any, int]:
    paginator = Paginator(qs, params.page_size)
    page = paginator.get_page(params.page)
    return page, paginator.count


@router.get(
    "/support-requests/",
    response={200: SupportRequestPage, **ERRORS},
    tags=["support requests"],
    summary="List support requests (uppdragsbeställningar)",
)
def list_support_requests(request: HttpRequest, params: Query[RequestListParams]) -> dict[str, Any]:
    tenant = _tenant(request)
    qs = _requests(tenant)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.kind:
        qs = qs.filter(support_kind=params.kind)
    page, count = _page(qs.order_by("-ordered_on", "-created_at", "id"), params)
    rows = list(page)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="matching.supportrequest",
        subjects=[r.case.client_id for r in rows],
        detail={"status": params.status, "kind": params.kind, "page": page.number, "count": len(rows)},
    )
    return {
        "count": count,
        "page": page.number,
        "page_size": params.page_size,
        "results": [_request_out(r) for r in rows],
    }


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field names as the API's body fields (intervention → intervention_id)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(name, name): messages for name, messages in exc.message_dict.items()})


@router.post(
    "/support-requests/",
    response={201: SupportRequestOut, **CHANGE_ERRORS},
    tags=["support requests"],
    summary="Order a supporter for a granted intervention",
)
def create_support_request(request: HttpRequest, payload: SupportRequestIn) -> Status[dict[str, Any]]:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not (can_read_requests(tenant) and can_read_cases(tenant)):
        raise PermissionDenied
    visible = Intervention.objects.visible_to(tenant).select_related("case", "decision")
    intervention = get_object_or_404(visible, pk=payload.intervention_id)
    siblings = list(visible.filter(pk__in=payload.sibling_intervention_ids))
    found = {s.pk for s in siblings}
    missing = {
        f"sibling_intervention_ids.{i}": [_("Syskonet hittades inte.")]
        for i, sid in enumerate(payload.sibling_intervention_ids)
        if sid not in found
    }
    if missing:
        raise ValidationError(missing)
    data = payload.model_dump(exclude={"intervention_id", "sibling_intervention_ids"})
    data = {name: value for name, value in data.items() if not (value is None and name != "end_on")}
    try:
        created = services.create_request(
            tenant=tenant, intervention=intervention, data=data, siblings=siblings
        )
    except ValidationError as exc:
        raise _renamed(
            exc, {"intervention": "intervention_id", "siblings": "sibling_intervention_ids"}
        ) from exc
    return Status(201, _request_out(_get_request(tenant, created.pk)))


@router.get(
    "/support-requests/{object_id}",
    response={200: SupportRequestOut, **ERRORS},
    tags=["support requests"],
    summary="One support request",
)
def get_support_request(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = _tenant(request)
    sr = _get_request(tenant, object_id)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=sr,
        person_id=sr.case.client_id,
        subjects=_request_subjects(sr)[1:],
    )
    return _request_out(sr)


@router.patch(
    "/support-requests/{object_id}",
    response={200: SupportRequestOut, **CHANGE_ERRORS},
    tags=["support requests"],
    summary="Change an open support request",
)
def patch_support_request(
    request: HttpRequest, object_id: uuid.UUID, payload: SupportRequestPatch
) -> dict[str, Any]:
    tenant = _tenant(request)
    sr = _get_request(tenant, object_id)
    data = payload.model_dump(exclude_unset=True)  # null is refused by the schema, except for end_on
    services.update_request(tenant=tenant, support_request=sr, data=data)
    return _request_out(_get_request(tenant, object_id))


def _contributions(values: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"criterion": name, "label": str(services.CRITERION_LABELS[name]), "value": round(value, 4)}
        for name, value in values.items()
    ]


def _candidate_out(shown: services.ShownCandidate) -> dict[str, Any]:
    cand = shown.candidate
    return {
        "rank": shown.rank,
        "supporter_id": shown.supporter.pk,
        "name": shown.supporter.name,
        "relative": cand.relative,
        "score": round(cand.score, 4),
        "contributions": _contributions(cand.contributions),
        "distance_km": None if cand.distance_km is None else round(cand.distance_km, 1),
        "distance_band": cand.distance_band,
        "offer_id": shown.offer.pk if shown.offer else None,
        "offer_status": shown.offer.status if shown.offer else None,
    }


@router.get(
    "/support-requests/{object_id}/shortlist",
    response={200: ShortlistOut, **ERRORS},
    tags=["support requests"],
    summary="Ranked and explained candidates for a request (written to the audit log)",
)
def get_shortlist(
    request: HttpRequest, object_id: uuid.UUID, params: Query[ShortlistParams]
) -> dict[str, Any]:
    tenant = _matcher(request)
    sr = get_object_or_404(
        SupportRequest.objects.visible_to(tenant).select_related("case", "municipality"), pk=object_id
    )
    why_not = None
    if params.why_not is not None:
        why_not = Supporter.objects.visible_to(tenant).filter(pk=params.why_not).first()
        if why_not is None:  # a query parameter: reported as query.why_not
            error = {"loc": ("query", "why_not"), "type": "value_error"}
            raise NinjaValidationError([{**error, "ctx": {"error": _("Uppdragstagaren hittades inte.")}}])
    filters = services.Filters(
        max_km=float(params.max_km) if params.max_km is not None else None,
        not_asked=params.not_asked,
        all_needs=params.all_needs,
        language=params.language,
    )
    result = services.shortlist(
        tenant=tenant, support_request=sr, k=params.k, why_not=why_not, filters=filters
    )
    explained = None
    if result.why_not is not None:
        cand = result.why_not.candidate
        explained = {
            "supporter_id": result.why_not.supporter.pk,
            "name": result.why_not.supporter.name,
            "eligible": not result.why_not.reasons,
            "reasons": result.why_not.reasons,
            "score": round(cand.score, 4) if cand else None,
            "contributions": _contributions(cand.contributions) if cand else [],
            "lowest_shown_score": result.why_not.lowest_shown_score,
        }
    return {
        "request_id": sr.pk,
        "protected": result.protected,
        "k": params.k,
        "relatives": [_candidate_out(c) for c in result.relatives],
        "candidates": [_candidate_out(c) for c in result.candidates],
        "excluded": [{"rule": rule, "label": label, "count": n} for rule, label, n in result.excluded],
        "eligible": result.eligible,
        "pool_size": result.pool_size,
        "weights_version": result.weights_version,
        "pool_version": result.pool_version,
        "why_not": explained,
        "filtered_out": result.filtered_out,
    }


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
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
    response={200: OfferPage, **ERRORS},
    tags=["offers"],
    summary="List offers (förfrågningar)",
)
def list_offers(request: HttpRequest, params: Query[OfferListParams]) -> dict[str, Any]:
    tenant = _tenant(request)
    qs = _offers(tenant)
    if params.request_id is not None:
        qs = qs.filter(request_id=params.request_id)
    if params.status:
        qs = qs.filter(status=params.status)
    page, count = _page(qs.order_by("-sent_on", "-created_at", "id"), params)
    rows = list(page)
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="matching.offer",
        subjects=sorted({o.request.case.client_id for o in rows}, key=str),
        detail={
            "request_id": str(params.request_id or ""),
            "status": params.status,
            "page": page.number,
            "count": len(rows),
        },
    )
    return {
        "count": count,
        "page": page.number,
        "page_size": params.page_size,
        "results": [_offer_out(o) for o in rows],
    }


@router.post(
    "/offers/",
    response={201: list[OfferOut], **CHANGE_ERRORS},
    tags=["offers"],
    summary="Send offers for a request to one or more supporters",
)
def create_offers(request: HttpRequest, payload: OfferIn) -> Status[list[dict[str, Any]]]:
    tenant = _matcher(request)
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
        raise _renamed(exc, {"supporters": "supporter_ids"}) from exc
    return Status(201, [_offer_out(o) for o in offers])


@router.get("/offers/{object_id}", response={200: OfferOut, **ERRORS}, tags=["offers"], summary="One offer")
def get_offer(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = _tenant(request)
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
    tenant = _matcher(request)
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
    tenant = _matcher(request)
    offer = _get_offer(tenant, object_id)
    services.withdraw_offer(tenant=tenant, offer=offer)
    return _offer_out(_get_offer(tenant, object_id))


@router.post(
    "/offers/{object_id}/confirm",
    response={201: AssignmentOut, **CHANGE_ERRORS},
    tags=["offers"],
    summary="Confirm an accepted offer: the assignment starts",
)
def confirm_offer(request: HttpRequest, object_id: uuid.UUID, payload: ConfirmIn) -> Status[Assignment]:
    tenant = _matcher(request)
    offer = _get_offer(tenant, object_id)
    assignment = services.confirm_offer(tenant=tenant, offer=offer, start_on=payload.start_on)
    return Status(201, assignment)
