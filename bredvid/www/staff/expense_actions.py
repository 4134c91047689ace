"""Actions on an assignment's expenses: register an expense or a trip with receipts, a purchase
request, approve, reject with a reason, settle an approved purchase by its receipt (ADR 0013).

Each loads the assignment (and the expense on it) through `visible_to`, so another municipality's
or unit's is a 404, and hands its form to `action_page`; the services check the role again, lock,
guard the state and audit.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.assignments.models import Assignment
from bredvid.expenses import services
from bredvid.expenses.models import Expense
from bredvid.expenses.perms import can_decide_expenses, can_register_expenses
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import expense_forms as f
from bredvid.www.staff.actions import action_page, posted, tenant_of, today
from bredvid.www.staff.decorators import permission_required

GET_POST = require_http_methods(["GET", "POST"])


def load_assignment(tenant: Tenant, assignment_id: uuid.UUID) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(tenant).select_related(
            "supporter", "intervention__case__client", "intervention__case__unit", "municipality"
        ),
        pk=assignment_id,
    )


def caption(assignment: Assignment) -> str:
    return f"{assignment.supporter.name} · {assignment.get_support_kind_display()}"


def list_url(assignment: Assignment) -> str:
    return reverse("staff:expense_list", args=[assignment.pk])


def _expense(request: HttpRequest, assignment_id: uuid.UUID, expense_id: uuid.UUID) -> tuple[Tenant, Expense]:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    expense = get_object_or_404(Expense.objects.visible_to(tenant), pk=expense_id, assignment=assignment)
    expense.assignment = assignment
    return tenant, expense


def _files(request: HttpRequest) -> object:
    return request.FILES if request.method == "POST" else None


@permission_required(can_register_expenses)
@GET_POST
def expense_new(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    back = list_url(assignment)
    return action_page(
        request,
        f.ExpenseForm(posted(request), _files(request), initial={"kind": "expense", **today("incurred_on")}),
        run=lambda d: services.submit_expense(tenant=tenant, assignment=assignment, **d),
        success=_("Utlägget är registrerat."),
        done=lambda _result: back,
        title=_("Registrera utlägg eller resa"),
        back=back,
        context={"caption": caption(assignment)},
    )


@permission_required(can_register_expenses)
@GET_POST
def purchase_new(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    back = list_url(assignment)
    return action_page(
        request,
        f.PurchaseForm(posted(request), initial=today("incurred_on")),
        run=lambda d: services.request_purchase(tenant=tenant, assignment=assignment, **d),
        success=_("Begäran om inköp är registrerad."),
        done=lambda _result: back,
        title=_("Begäran om större inköp"),
        back=back,
        context={"caption": caption(assignment)},
    )


@permission_required(can_decide_expenses)
@GET_POST
def expense_approve(request: HttpRequest, assignment_id: uuid.UUID, expense_id: uuid.UUID) -> HttpResponse:
    tenant, expense = _expense(request, assignment_id, expense_id)
    back = list_url(expense.assignment)
    purchase = expense.kind == Expense.Kind.PURCHASE
    return action_page(
        request,
        f.ApproveForm(
            posted(request),
            purchase=purchase,
            initial={"approved_amount": expense.approved_amount or expense.requested_amount},
        ),
        run=lambda d: services.approve(
            tenant=tenant, expense=expense, approved_amount=d.get("approved_amount")
        ),
        success=_("Utlägget är godkänt."),
        done=lambda _result: back,
        title=_("Godkänn"),
        back=back,
        context={
            "caption": caption(expense.assignment),
            "summary": "expenses/includes/expense_summary.html",
            "expense": expense,
        },
    )


@permission_required(can_decide_expenses)
@GET_POST
def expense_reject(request: HttpRequest, assignment_id: uuid.UUID, expense_id: uuid.UUID) -> HttpResponse:
    tenant, expense = _expense(request, assignment_id, expense_id)
    back = list_url(expense.assignment)
    return action_page(
        request,
        f.RejectForm(posted(request)),
        run=lambda d: services.reject(tenant=tenant, expense=expense, reason=d["reason"]),
        success=_("Utlägget är avslaget."),
        done=lambda _result: back,
        title=_("Avslå"),
        back=back,
        context={
            "caption": caption(expense.assignment),
            "summary": "expenses/includes/expense_summary.html",
            "expense": expense,
        },
    )


@permission_required(can_register_expenses)
@GET_POST
def expense_settle(request: HttpRequest, assignment_id: uuid.UUID, expense_id: uuid.UUID) -> HttpResponse:
    tenant, expense = _expense(request, assignment_id, expense_id)
    back = list_url(expense.assignment)
    return action_page(
        request,
        f.SettleForm(posted(request), _files(request)),
        run=lambda d: services.settle(tenant=tenant, expense=expense, **d),
        success=_("Inköpet är redovisat med kvitto."),
        done=lambda _result: back,
        title=_("Redovisa inköp med kvitto"),
        back=back,
        context={
            "caption": caption(expense.assignment),
            "summary": "expenses/includes/expense_summary.html",
            "expense": expense,
        },
    )
