"""Payment run routes of API v1: the runs of the municipality and their lines (managers), read-only.

A run's lines are a paged list of their own (a month of a large municipality has tens of thousands);
each read is audited."""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import ERRORS, Clean, OneOf
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.payments.models import LineKind, PaymentLine, PaymentRun
from bredvid.payments.perms import can_run_payments
from bredvid.tenancy.context import Tenant

router = Router()


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_run_payments(tenant):
        raise PermissionDenied
    return tenant


class RunFilter(Clean):
    status: Annotated[str, OneOf(PaymentRun.Status, blank=True)] = ""


class LineFilter(Clean):
    kind: Annotated[str, OneOf(LineKind, blank=True)] = ""


class RunOut(Schema):
    id: uuid.UUID
    period: datetime.date
    status: Annotated[str, OneOf(PaymentRun.Status)]
    prepared_at: datetime.datetime
    attested_at: datetime.datetime | None
    total_fee: Decimal
    total_allowance: Decimal
    total_expense: Decimal
    line_count: int


class LineOut(Schema):
    id: uuid.UUID
    assignment_id: uuid.UUID
    supporter_id: uuid.UUID
    period: datetime.date
    kind: Annotated[str, OneOf(LineKind)]
    component: str
    adjustment: bool
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    why: str
    expense_id: uuid.UUID | None


@router.get("/payment-runs/", response={200: list[RunOut], **ERRORS}, tags=["payment runs"])
@paged
def list_payment_runs(request: HttpRequest, params: Query[RunFilter]) -> Listed:
    tenant = _tenant(request)
    qs = PaymentRun.objects.visible_to(tenant).order_by("-period", "-prepared_at", "id")
    if params.status:
        qs = qs.filter(status=params.status)

    def audit(rows: list[Any], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="payments.paymentrun",
            detail={"status": params.status, "page": page, "count": len(rows)},
        )

    return Listed(qs, audit)


@router.get("/payment-runs/{object_id}", response={200: RunOut, **ERRORS}, tags=["payment runs"])
def get_payment_run(request: HttpRequest, object_id: uuid.UUID) -> Any:
    tenant = _tenant(request)
    run = get_object_or_404(PaymentRun.objects.visible_to(tenant), pk=object_id)
    record(action=Action.VIEW, tenant=tenant, obj=run)
    return run


@router.get(
    "/payment-runs/{object_id}/lines/", response={200: list[LineOut], **ERRORS}, tags=["payment runs"]
)
@paged
def list_payment_lines(request: HttpRequest, object_id: uuid.UUID, params: Query[LineFilter]) -> Listed:
    tenant = _tenant(request)
    run = get_object_or_404(PaymentRun.objects.visible_to(tenant), pk=object_id)
    qs = (
        PaymentLine.objects.visible_to(tenant)
        .filter(run=run)
        .order_by("supporter_id", "assignment_id", "component", "revision", "id")
    )
    if params.kind:
        qs = qs.filter(kind=params.kind)

    def audit(rows: list[Any], page: int) -> None:
        record(
            action=Action.VIEW,
            tenant=tenant,
            obj=run,
            detail={"lines": len(rows), "page": page, "kind": params.kind},
        )

    return Listed(qs, audit)
