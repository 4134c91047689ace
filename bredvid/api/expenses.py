"""Expenses of API v1: expenses, trips and purchase requests on an assignment, and their decisions.

Reading follows the assignment (expenses.perms); registering, approving, rejecting through
`expenses.services`. Receipts are uploaded and downloaded on the staff pages (the files are
checked there by content); here each expense lists its receipts' type, size and SHA-256.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Answer

from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import CHANGE_ERRORS, ERRORS, Clean, IsoDate, OneOf, Strict
from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.expenses import services
from bredvid.expenses.models import Expense
from bredvid.expenses.perms import can_decide_expenses, can_read_expenses, can_register_expenses
from bredvid.tenancy.context import Tenant

router = Router()

Amount = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2)]


def _reader(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_expenses(tenant):
        raise PermissionDenied
    return tenant


class ExpenseFilter(Clean):
    assignment_id: uuid.UUID = None  # type: ignore[assignment]
    status: Annotated[str, OneOf(Expense.Status, blank=True)] = ""
    kind: Annotated[str, OneOf(Expense.Kind, blank=True)] = ""


class ReceiptOut(Schema):
    id: uuid.UUID
    content_type: str
    size: int
    sha256: str
    created_at: datetime.datetime


class ExpenseOut(Schema):
    id: uuid.UUID
    assignment_id: uuid.UUID
    kind: Annotated[str, OneOf(Expense.Kind)]
    status: Annotated[str, OneOf(Expense.Status)]
    channel: str
    description: str
    incurred_on: datetime.date
    requested_amount: Decimal | None
    approved_amount: Decimal | None
    amount: Decimal | None
    reason: str
    decided_at: datetime.datetime | None
    settled_at: datetime.datetime | None
    receipts: list[ReceiptOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PurchaseIn(Strict):
    assignment_id: uuid.UUID
    description: str = Field(min_length=1, max_length=300)
    incurred_on: IsoDate = Field(description="the planned date of the purchase")
    requested_amount: Amount


class TripIn(Strict):
    assignment_id: uuid.UUID
    description: str = Field(min_length=1, max_length=300)
    incurred_on: IsoDate
    amount: Amount


class ApproveIn(Strict):
    approved_amount: Amount | None = Field(None, description="a purchase: default the amount asked")


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


def _expenses(tenant: Tenant) -> QuerySet[Expense]:
    return (
        Expense.objects.visible_to(tenant)
        .select_related("assignment__intervention__case")
        .prefetch_related("receipts")
    )


def _out(expense: Expense) -> dict[str, Any]:
    return {
        **{name: getattr(expense, name) for name in ExpenseOut.model_fields if name != "receipts"},
        "receipts": list(expense.receipts.all()),
    }


def _get(tenant: Tenant, object_id: uuid.UUID) -> Expense:
    return get_object_or_404(_expenses(tenant), pk=object_id)


@router.get("/expenses/", response={200: list[ExpenseOut], **ERRORS}, tags=["expenses"], summary="Expenses")
@paged
def list_expenses(request: HttpRequest, params: Query[ExpenseFilter]) -> Listed:
    tenant = _reader(request)
    qs = _expenses(tenant)
    if params.assignment_id:
        qs = qs.filter(assignment_id=params.assignment_id)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.kind:
        qs = qs.filter(kind=params.kind)

    def audit(rows: list[Expense], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="expenses.expense",
            subjects=list(dict.fromkeys(e.assignment.intervention.case.client_id for e in rows)),
            detail={"status": params.status, "kind": params.kind, "page": page, "count": len(rows)},
        )

    return Listed(qs.order_by("-incurred_on", "-created_at", "id"), audit, _out)


def _assignment(tenant: Tenant, assignment_id: uuid.UUID) -> Assignment:
    if not can_register_expenses(tenant):
        raise PermissionDenied
    return get_object_or_404(
        Assignment.objects.visible_to(tenant).select_related("intervention__case"), pk=assignment_id
    )


@router.post(
    "/expenses/purchases/",
    response={201: ExpenseOut, **CHANGE_ERRORS},
    tags=["expenses"],
    summary="Register a request for a larger purchase (approved before it is bought)",
)
def create_purchase(request: HttpRequest, payload: PurchaseIn) -> Answer[dict[str, Any]]:
    tenant = _reader(request)
    expense = services.request_purchase(
        tenant=tenant,
        assignment=_assignment(tenant, payload.assignment_id),
        description=payload.description,
        incurred_on=payload.incurred_on,
        requested_amount=payload.requested_amount,
    )
    return Answer(201, _out(_get(tenant, expense.pk)))


@router.post(
    "/expenses/trips/",
    response={201: ExpenseOut, **CHANGE_ERRORS},
    tags=["expenses"],
    summary="Register a trip after the fact (an expense with its receipt: on the staff page)",
)
def create_trip(request: HttpRequest, payload: TripIn) -> Answer[dict[str, Any]]:
    tenant = _reader(request)
    expense = services.submit_expense(
        tenant=tenant,
        assignment=_assignment(tenant, payload.assignment_id),
        kind=Expense.Kind.TRIP,
        description=payload.description,
        incurred_on=payload.incurred_on,
        amount=payload.amount,
    )
    return Answer(201, _out(_get(tenant, expense.pk)))


@router.get(
    "/expenses/{object_id}", response={200: ExpenseOut, **ERRORS}, tags=["expenses"], summary="One expense"
)
def get_expense(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = _reader(request)
    expense = _get(tenant, object_id)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=expense,
        person_id=expense.assignment.intervention.case.client_id,
    )
    return _out(expense)


def _decider(request: HttpRequest) -> Tenant:
    tenant = _reader(request)
    if not can_decide_expenses(tenant):
        raise PermissionDenied
    return tenant


@router.post(
    "/expenses/{object_id}/approve",
    response={200: ExpenseOut, **CHANGE_ERRORS},
    tags=["expenses"],
    summary="Approve (a purchase: up to an amount)",
)
def approve_expense(request: HttpRequest, object_id: uuid.UUID, payload: ApproveIn) -> dict[str, Any]:
    tenant = _decider(request)
    expense = _get(tenant, object_id)
    services.approve(tenant=tenant, expense=expense, approved_amount=payload.approved_amount)
    return _out(_get(tenant, object_id))


@router.post(
    "/expenses/{object_id}/reject",
    response={200: ExpenseOut, **CHANGE_ERRORS},
    tags=["expenses"],
    summary="Reject with a reason",
)
def reject_expense(request: HttpRequest, object_id: uuid.UUID, payload: RejectIn) -> dict[str, Any]:
    tenant = _decider(request)
    expense = _get(tenant, object_id)
    services.reject(tenant=tenant, expense=expense, reason=payload.reason)
    return _out(_get(tenant, object_id))
