"""An assignment's expenses: the list (with its receipts and the actions) and a receipt's file.

A receipt is streamed only to those who may see the assignment (`visible_to` on the assignment,
the expense and the receipt), and every download is a PRINT event in the audit log.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core import uploads
from bredvid.expenses.models import Expense, Receipt
from bredvid.expenses.perms import can_decide_expenses, can_read_expenses, can_register_expenses
from bredvid.www.staff import expense_actions as actions
from bredvid.www.staff.actions import paginate, tenant_of
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.expense_actions import caption, load_assignment


@permission_required(can_read_expenses)
@require_GET
def expense_list(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    qs = (
        Expense.objects.visible_to(tenant)
        .filter(assignment=assignment)
        .select_related("decided_by")
        .prefetch_related("receipts")
        .order_by("-incurred_on", "-created_at")
    )
    page = paginate(request, qs)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=assignment,
        person_id=assignment.intervention.case.client_id,
        detail={"page": "expenses", "count": len(page.object_list)},
    )
    context = {
        "assignment": assignment,
        "caption": caption(assignment),
        "page": page,
        "can_register": can_register_expenses(tenant),
        "can_decide": can_decide_expenses(tenant),
    }
    return render(request, "expenses/expense_list.html", context)


@permission_required(can_read_expenses)
@require_GET
def receipt_download(
    request: HttpRequest, assignment_id: uuid.UUID, expense_id: uuid.UUID, receipt_id: uuid.UUID
) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    receipt = get_object_or_404(
        Receipt.objects.visible_to(tenant),
        pk=receipt_id,
        expense_id=expense_id,
        expense__assignment=assignment,
    )
    response = uploads.stream(
        receipt.file.name,
        content_type=receipt.content_type,
        filename=f"kvitto-{receipt.pk.hex[:8]}.{receipt.file.name.rsplit('.', 1)[-1]}",
    )
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=receipt,
        person_id=assignment.intervention.case.client_id,
        detail={"document": "receipt", "sha256": receipt.sha256},
    )
    return response


def urls() -> list[URLPattern]:
    base = "uppdrag/<uuid:assignment_id>/utlagg/"
    one = base + "<uuid:expense_id>/"
    return [
        path(base, expense_list, name="expense_list"),
        path(base + "nytt/", actions.expense_new, name="expense_new"),
        path(base + "inkop/", actions.purchase_new, name="purchase_new"),
        path(one + "godkann/", actions.expense_approve, name="expense_approve"),
        path(one + "avsla/", actions.expense_reject, name="expense_reject"),
        path(one + "redovisa/", actions.expense_settle, name="expense_settle"),
        path(one + "kvitton/<uuid:receipt_id>/", receipt_download, name="receipt_download"),
    ]
