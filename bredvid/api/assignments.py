"""Assignments and their reports in API v1.

Assignments are read by whoever reads them on the pages (caseworkers of the case's unit, the
family-care unit, managers) and created only by confirming an offer (`/offers/{id}/confirm`).
Reports are created, submitted, approved and returned through `assignments.services`, which check
the permission, lock, guard the state and audit; an approved report is locked (409 on any change).
"""

import datetime
import re
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Answer
from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import (
    CHANGE_ERRORS,
    ERRORS,
    STATE_ERRORS,
    Clean,
    IsoDate,
    OneOf,
    Strict,
    SupportKind,
)
from bredvid.assignments import services
from bredvid.assignments.models import Assignment, Report, ScopeUnit
from bredvid.assignments.perms import can_read_assignments
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.choices import SupportKind as SupportKindChoice
from bredvid.tenancy.context import Tenant

router = Router()

_TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"
_TIME = re.compile(_TIME_PATTERN)
#: A local time of day is documented as a pattern: JSON Schema's "time" format requires an offset.
_TIME_SCHEMA = {
    "type": "string",
    "pattern": _TIME_PATTERN,
    "example": "17:00",
    "description": "local time HH:MM",
}


def _local_time(value: Any) -> Any:
    """Only HH:MM or HH:MM:SS, a local time of day (no offset, never a number of seconds)."""
    if isinstance(value, datetime.time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and _TIME.fullmatch(value):
        return value
    raise PydanticCustomError("time_format", "time must be HH:MM")


def _hh_mm(value: datetime.time) -> str:
    return value.strftime("%H:%M")


LocalTime = Annotated[datetime.time, BeforeValidator(_local_time), WithJsonSchema(_TIME_SCHEMA)]
LocalTimeOut = Annotated[
    datetime.time,
    PlainSerializer(_hh_mm, return_type=str),
    WithJsonSchema(_TIME_SCHEMA, mode="serialization"),
]


def _reader(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_assignments(tenant):
        raise PermissionDenied
    return tenant


class AssignmentFilter(Clean):
    status: Annotated[str, OneOf(Assignment.Status, blank=True)] = ""
    support_kind: Annotated[str, OneOf(SupportKindChoice, blank=True)] = ""
    supporter_id: uuid.UUID = None  # type: ignore[assignment]


class AssignmentOut(Schema):
    id: uuid.UUID
    supporter_id: uuid.UUID
    intervention_id: uuid.UUID
    request_id: uuid.UUID | None
    offer_id: uuid.UUID | None
    support_kind: SupportKind
    children: int
    status: Annotated[str, OneOf(Assignment.Status)]
    start_on: datetime.date
    end_on: datetime.date | None
    end_reason: Annotated[str, OneOf(Assignment.EndReason, blank=True)]
    scope_unit: Annotated[str, OneOf(ScopeUnit, blank=True)]
    planned_per_month: Decimal | None
    fee_level: str = Field(description="the row of the municipality's fee table")
    allowance_level: str = Field(description="the row of the municipality's allowance table")
    child_allowance_deduction: Decimal
    created_at: datetime.datetime


class ReportFilter(Clean):
    assignment_id: uuid.UUID = None  # type: ignore[assignment]
    status: Annotated[str, OneOf(Report.Status, blank=True)] = ""
    kind: Annotated[str, OneOf(Report.Kind, blank=True)] = ""


class ReportOut(Schema):
    id: uuid.UUID
    assignment_id: uuid.UUID
    kind: Annotated[str, OneOf(Report.Kind)]
    starts_on: datetime.date
    ends_on: datetime.date
    arrives_at: LocalTimeOut | None
    departs_at: LocalTimeOut | None
    hours: Decimal | None
    activity: str
    note: str
    status: Annotated[str, OneOf(Report.Status)]
    channel: Annotated[str, OneOf(Report.Channel)]
    comment: str
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ReportIn(Strict):
    assignment_id: uuid.UUID
    kind: Annotated[str, OneOf(Report.Kind)]
    starts_on: IsoDate = Field(description="the meeting's date, or the stay's day of arrival")
    ends_on: IsoDate | None = Field(None, description="a stay's day of departure (a meeting: ignored)")
    arrives_at: LocalTime | None = Field(None, description="a stay: HH:MM, required")
    departs_at: LocalTime | None = Field(None, description="a stay: HH:MM, required, after the arrival")
    hours: Decimal | None = Field(None, ge=0, le=100, decimal_places=1, description="a meeting: 0.5-24")
    activity: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


class ReturnIn(Strict):
    comment: str = Field(min_length=1, max_length=2000, description="what the supporter should correct")


def _assignments(tenant: Tenant) -> QuerySet[Assignment]:
    return Assignment.objects.visible_to(tenant).select_related("intervention__case")


def _reports(tenant: Tenant) -> QuerySet[Report]:
    return Report.objects.visible_to(tenant).select_related("assignment__intervention__case")


def _client(report: Report) -> Any:
    return report.assignment.intervention.case.client_id


@router.get(
    "/assignments/",
    response={200: list[AssignmentOut], **ERRORS},
    tags=["assignments"],
    summary="List assignments (uppdrag)",
)
@paged
def list_assignments(request: HttpRequest, params: Query[AssignmentFilter]) -> Listed:
    tenant = _reader(request)
    qs = _assignments(tenant)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.support_kind:
        qs = qs.filter(support_kind=params.support_kind)
    if params.supporter_id is not None:
        qs = qs.filter(supporter_id=params.supporter_id)

    def audit(rows: list[Assignment], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="assignments.assignment",
            subjects=sorted({a.intervention.case.client_id for a in rows}, key=str),
            detail={"status": params.status, "kind": params.support_kind, "page": page, "count": len(rows)},
        )

    return Listed(qs.order_by("-start_on", "id"), audit)


@router.get(
    "/assignments/{object_id}",
    response={200: AssignmentOut, **ERRORS},
    tags=["assignments"],
    summary="One assignment",
)
def get_assignment(request: HttpRequest, object_id: uuid.UUID) -> Assignment:
    tenant = _reader(request)
    assignment = get_object_or_404(_assignments(tenant), pk=object_id)
    record(
        action=Action.VIEW, tenant=tenant, obj=assignment, person_id=assignment.intervention.case.client_id
    )
    return assignment


@router.get(
    "/reports/",
    response={200: list[ReportOut], **ERRORS},
    tags=["reports"],
    summary="List meeting and stay reports (träff- och vistelserapporter)",
)
@paged
def list_reports(request: HttpRequest, params: Query[ReportFilter]) -> Listed:
    tenant = _reader(request)
    qs = _reports(tenant)
    if params.assignment_id is not None:
        qs = qs.filter(assignment_id=params.assignment_id)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.kind:
        qs = qs.filter(kind=params.kind)

    def audit(rows: list[Report], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="assignments.report",
            subjects=sorted({_client(r) for r in rows}, key=str),
            detail={
                "assignment_id": str(params.assignment_id or ""),
                "status": params.status,
                "page": page,
                "count": len(rows),
            },
        )

    return Listed(qs.order_by("-starts_on", "-created_at", "id"), audit)


@router.post(
    "/reports/",
    response={201: ReportOut, **CHANGE_ERRORS},
    tags=["reports"],
    summary="Enter a report for the supporter (a draft)",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Answer[Report]:
    tenant = _reader(request)
    assignment = get_object_or_404(_assignments(tenant), pk=payload.assignment_id)
    data = payload.dict(exclude={"assignment_id"})
    report = services.create_report(tenant=tenant, assignment=assignment, data=data)
    return Answer(201, report)


@router.get(
    "/reports/{object_id}", response={200: ReportOut, **ERRORS}, tags=["reports"], summary="One report"
)
def get_report(request: HttpRequest, object_id: uuid.UUID) -> Report:
    tenant = _reader(request)
    report = get_object_or_404(_reports(tenant), pk=object_id)
    record(action=Action.VIEW, tenant=tenant, obj=report, person_id=_client(report))
    return report


@router.post(
    "/reports/{object_id}/submit",
    response={200: ReportOut, **STATE_ERRORS},
    tags=["reports"],
    summary="Submit a draft or returned report for approval",
)
def submit_report(request: HttpRequest, object_id: uuid.UUID) -> Report:
    tenant = _reader(request)
    report = get_object_or_404(_reports(tenant), pk=object_id)
    return services.submit_report(tenant=tenant, report=report)


@router.post(
    "/reports/{object_id}/approve",
    response={200: ReportOut, **STATE_ERRORS},
    tags=["reports"],
    summary="Approve a submitted report (it is locked from then on)",
)
def approve_report(request: HttpRequest, object_id: uuid.UUID) -> Report:
    tenant = _reader(request)
    report = get_object_or_404(_reports(tenant), pk=object_id)
    return services.approve_report(tenant=tenant, report=report)


@router.post(
    "/reports/{object_id}/return",
    response={200: ReportOut, **CHANGE_ERRORS},
    tags=["reports"],
    summary="Return a submitted report with a comment",
)
def return_report(request: HttpRequest, object_id: uuid.UUID, payload: ReturnIn) -> Report:
    tenant = _reader(request)
    report = get_object_or_404(_reports(tenant), pk=object_id)
    return services.return_report(tenant=tenant, report=report, comment=payload.comment)
