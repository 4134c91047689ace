"""Supporter routes of API v1: interest registrations, supporters and assessments (family-care unit)."""

import datetime
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import BODY_ERRORS, ERRORS, Clean, OneOf, Printable, Strict, SupportKind
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.supporters import services
from bredvid.supporters.models import Assessment, InterestRegistration, Supporter
from bredvid.supporters.perms import can_read_supporters
from bredvid.tenancy.context import Tenant

router = Router()


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_supporters(tenant):
        raise PermissionDenied
    return tenant


class RegistrationFilter(Clean):
    status: Annotated[str, OneOf(InterestRegistration.Status, blank=True)] = ""


class SupporterFilter(Clean):
    status: Annotated[str, OneOf(Supporter.Status, blank=True)] = ""


class AssessmentFilter(Clean):
    status: Annotated[str, OneOf(Assessment.Status, blank=True)] = ""


class RegistrationOut(Schema):
    id: uuid.UUID
    received_at: datetime.datetime
    source: Annotated[str, OneOf(InterestRegistration.Source)]
    supports: list[SupportKind]
    first_name: str
    last_name: str
    email: str
    phone: str
    city: str
    area: str
    status: Annotated[str, OneOf(InterestRegistration.Status)]


class RegistrationIn(Strict):
    supports: list[SupportKind] = Field(min_length=1)
    first_name: Printable = Field(min_length=1, max_length=100)
    last_name: Printable = Field(min_length=1, max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    street_address: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=6)
    city: str = Field("", max_length=100)
    area: str = Field("", max_length=100)
    household: str = Field("", max_length=2000)
    message: str = Field("", max_length=5000)


class SupporterOut(Schema):
    id: uuid.UUID
    name: str
    status: Annotated[str, OneOf(Supporter.Status)]
    supports: list[SupportKind]
    approved_supports: list[SupportKind]
    city: str
    area: str
    latitude: float | None
    longitude: float | None
    approved_on: datetime.date | None


class AssessmentOut(Schema):
    id: uuid.UUID
    supporter_id: uuid.UUID
    status: Annotated[str, OneOf(Assessment.Status)]
    started_on: datetime.date
    supports: list[SupportKind]
    decided_on: datetime.date | None


def _listed(tenant: Tenant, qs: Any, status: str, object_type: str) -> Listed:
    if status:
        qs = qs.filter(status=status)

    def audit(rows: list[Any], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type=object_type,
            detail={"status": status, "page": page, "count": len(rows)},
        )

    return Listed(qs, audit)


@router.get(
    "/interest-registrations/",
    response={200: list[RegistrationOut], **ERRORS},
    tags=["interest registrations"],
)
@paged
def list_registrations(request: HttpRequest, params: Query[RegistrationFilter]) -> Listed:
    tenant = _tenant(request)
    return _listed(
        tenant,
        InterestRegistration.objects.visible_to(tenant).order_by("-received_at", "id"),
        params.status,
        "supporters.interestregistration",
    )


@router.post(
    "/interest-registrations/",
    response={201: RegistrationOut, **BODY_ERRORS},
    tags=["interest registrations"],
)
def create_registration(request: HttpRequest, payload: RegistrationIn) -> Status[Any]:
    tenant = _tenant(request)
    registration = services.register_interest(
        municipality=tenant.municipality,
        data=payload.model_dump(),
        consent_text=str(services.CONSENT_TEXT),
        source="staff",
        tenant=tenant,
    )
    return Status(201, registration)


@router.get(
    "/interest-registrations/{object_id}",
    response={200: RegistrationOut, **ERRORS},
    tags=["interest registrations"],
)
def get_registration(request: HttpRequest, object_id: uuid.UUID) -> Any:
    tenant = _tenant(request)
    registration = get_object_or_404(InterestRegistration.objects.visible_to(tenant), pk=object_id)
    record(action=Action.VIEW, tenant=tenant, obj=registration)
    return registration


@router.get("/supporters/", response={200: list[SupporterOut], **ERRORS}, tags=["supporters"])
@paged
def list_supporters(request: HttpRequest, params: Query[SupporterFilter]) -> Listed:
    tenant = _tenant(request)
    qs = Supporter.objects.visible_to(tenant).order_by("name", "id")
    return _listed(tenant, qs, params.status, "supporters.supporter")


@router.get("/supporters/{object_id}", response={200: SupporterOut, **ERRORS}, tags=["supporters"])
def get_supporter(request: HttpRequest, object_id: uuid.UUID) -> Any:
    tenant = _tenant(request)
    supporter = get_object_or_404(Supporter.objects.visible_to(tenant), pk=object_id)
    record(action=Action.VIEW, tenant=tenant, obj=supporter)
    return supporter


@router.get("/assessments/", response={200: list[AssessmentOut], **ERRORS}, tags=["assessments"])
@paged
def list_assessments(request: HttpRequest, params: Query[AssessmentFilter]) -> Listed:
    tenant = _tenant(request)
    qs = Assessment.objects.visible_to(tenant).order_by("-started_on", "id")
    return _listed(tenant, qs, params.status, "supporters.assessment")


@router.get("/assessments/{object_id}", response={200: AssessmentOut, **ERRORS}, tags=["assessments"])
def get_assessment(request: HttpRequest, object_id: uuid.UUID) -> Any:
    tenant = _tenant(request)
    assessment = get_object_or_404(Assessment.objects.visible_to(tenant), pk=object_id)
    record(action=Action.VIEW, tenant=tenant, obj=assessment)
    return assessment
