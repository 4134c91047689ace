"""Support requests (uppdragsbeställningar) of API v1: a supporter ordered for a granted intervention.

Scoped like the pages: the family-care unit and managers see every request of the municipality,
caseworkers the requests of their units' cases. Every change goes through `matching.services`
(which writes its audit event); every read is audited here.
"""

import datetime
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Answer

from bredvid.api.matching.common import reader, renamed
from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import (
    CHANGE_ERRORS,
    ERRORS,
    Bool,
    Clean,
    Float,
    Int,
    IsoDate,
    OneOf,
    Patch,
    Strict,
    SupportKind,
)
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.models import Case, Intervention
from bredvid.casework.perms import can_read_cases
from bredvid.core.choices import SupportKind as SupportKindChoice
from bredvid.matching import services
from bredvid.matching.models import ProtectedPlace, SupportRequest
from bredvid.matching.perms import can_read_requests
from bredvid.tenancy.context import Tenant

router = Router()

Gender = Annotated[str, OneOf(SupportRequest.Gender)]
Status = Annotated[str, OneOf(SupportRequest.Status)]
Need = str  # validated by the service against the municipality's list of needs


class RequestFilter(Clean):
    status: Annotated[str, OneOf(SupportRequest.Status, blank=True)] = ""
    kind: Annotated[str, OneOf(SupportKindChoice, blank=True)] = ""


class RelativeOut(Schema):
    supporter_id: uuid.UUID
    relation: str


class SupportRequestOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    intervention_id: uuid.UUID
    sibling_intervention_ids: list[uuid.UUID]
    support_kind: SupportKind
    status: Status
    ordered_on: datetime.date
    gender: Gender
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
    needs: list[Need] = Field(None, max_length=30)  # type: ignore[arg-type]
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
    clients = Case.objects.filter(pk__in=sibling_cases).values_list("client_id", flat=True)
    return [sr.case.client_id, *clients]


def _get_request(tenant: Tenant, object_id: uuid.UUID) -> SupportRequest:
    return get_object_or_404(_requests(tenant), pk=object_id)


@router.get(
    "/support-requests/",
    response={200: list[SupportRequestOut], **ERRORS},
    tags=["support requests"],
    summary="List support requests (uppdragsbeställningar)",
)
@paged
def list_support_requests(request: HttpRequest, params: Query[RequestFilter]) -> Listed:
    tenant = reader(request)
    qs = _requests(tenant)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.kind:
        qs = qs.filter(support_kind=params.kind)

    def audit(rows: list[SupportRequest], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="matching.supportrequest",
            subjects=[r.case.client_id for r in rows],
            detail={"status": params.status, "kind": params.kind, "page": page, "count": len(rows)},
        )

    return Listed(qs.order_by("-ordered_on", "-created_at", "id"), audit, _request_out)


@router.post(
    "/support-requests/",
    response={201: SupportRequestOut, **CHANGE_ERRORS},
    tags=["support requests"],
    summary="Order a supporter for a granted intervention",
)
def create_support_request(request: HttpRequest, payload: SupportRequestIn) -> Answer[dict[str, Any]]:
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
        raise renamed(
            exc, {"intervention": "intervention_id", "siblings": "sibling_intervention_ids"}
        ) from exc
    return Answer(201, _request_out(_get_request(tenant, created.pk)))


@router.get(
    "/support-requests/{object_id}",
    response={200: SupportRequestOut, **ERRORS},
    tags=["support requests"],
    summary="One support request",
)
def get_support_request(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = reader(request)
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
    tenant = reader(request)
    sr = _get_request(tenant, object_id)
    data = payload.model_dump(exclude_unset=True)  # null is refused by the schema, except for end_on
    services.update_request(tenant=tenant, support_request=sr, data=data)
    return _request_out(_get_request(tenant, object_id))
