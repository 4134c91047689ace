"""Expenses, trips and purchase requests: submitted, approved or rejected with a reason, settled.

Every function takes the acting tenant and the channel: staff register what comes on paper
(`channel="staff"`), the supporters' e-service (issue 15) calls the same functions with
`channel="eservice"` and a tenant acting for the supporter (expenses.perms.may_submit_for).

Receipts are checked and cleaned by `bredvid.core.uploads` before anything is written; the files are
stored inside the transaction that records them and deleted again if it fails, so a refused upload
leaves neither a row nor a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core import uploads
from bredvid.core.date_bounds import require
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked
from bredvid.expenses.models import Expense, Receipt
from bredvid.expenses.perms import can_decide_expenses, may_submit_for

if TYPE_CHECKING:
    import datetime

    from bredvid.tenancy.context import Tenant

MAX_RECEIPTS = 10
CHANNELS = ("staff", "eservice")


def _person(expense: Expense) -> Any:
    return expense.assignment.intervention.case.client_id


def _positive(amount: Decimal | None, field: str) -> Decimal:
    if amount is None or amount <= 0:
        raise ValidationError({field: _("Ange ett belopp större än 0 kr.")})
    if amount >= Decimal("100000000"):
        raise ValidationError({field: _("Beloppet är för stort.")})
    return amount.quantize(Decimal("0.01"))


def _cleaned(files: Sequence[Any], *, required: bool) -> list[uploads.CleanFile]:
    if required and not files:
        raise ValidationError({"files": _("Bifoga minst ett kvitto.")})
    if len(files) > MAX_RECEIPTS:
        raise ValidationError({"files": _("Högst %(n)s filer åt gången.") % {"n": MAX_RECEIPTS}})
    return [uploads.clean_upload(f, "files") for f in files]


def _attach(tenant: Tenant, expense: Expense, cleaned: list[uploads.CleanFile], stored: list[str]) -> None:
    """Store and record the receipts; the caller's `removed_on_error` deletes them on failure."""
    for clean in cleaned:
        name = uploads.store(clean.data, f"receipts/{expense.municipality_id}", clean.extension)
        stored.append(name)
        receipt = Receipt.objects.create(
            municipality=expense.municipality,
            expense=expense,
            file=name,
            content_type=clean.content_type,
            size=clean.size,
            sha256=clean.sha256,
            original_name=clean.original_name,
            uploaded_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=receipt,
            person_id=_person(expense),
            detail={"expense": str(expense.pk), "sha256": clean.sha256, "size": clean.size},
        )


def _check_channel(tenant: Tenant, assignment: Assignment, channel: str) -> None:
    if channel not in CHANNELS or not may_submit_for(tenant, assignment, channel):
        raise PermissionDenied


def submit_expense(
    *,
    tenant: Tenant,
    assignment: Assignment,
    kind: str,
    description: str,
    incurred_on: datetime.date,
    amount: Decimal,
    files: Sequence[Any] = (),
    channel: str = "staff",
) -> Expense:
    """An expense (utlägg) or a trip (resa) after the fact, with its receipts (a trip may have none)."""
    _check_channel(tenant, assignment, channel)
    if kind not in (Expense.Kind.EXPENSE, Expense.Kind.TRIP):
        raise ValidationError({"kind": _("Välj utlägg eller resa.")})
    amount = _positive(amount, "amount")
    require(Expense, incurred_on=incurred_on)
    cleaned = _cleaned(files, required=kind == Expense.Kind.EXPENSE)  # before anything is written
    stored: list[str] = []
    with uploads.removed_on_error(stored), transaction.atomic():
        locked(assignment)
        if assignment.status != Assignment.Status.ACTIVE:
            raise IllegalTransition(_("Uppdraget är avslutat."))
        expense = Expense.objects.create(
            municipality=assignment.municipality,
            assignment=assignment,
            kind=kind,
            description=description,
            incurred_on=incurred_on,
            amount=amount,
            channel=channel,
            created_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=expense,
            person_id=assignment.intervention.case.client_id,
            detail={"kind": kind, "amount": str(amount), "channel": channel, "receipts": len(cleaned)},
        )
        _attach(tenant, expense, cleaned, stored)
    return expense


def request_purchase(
    *,
    tenant: Tenant,
    assignment: Assignment,
    description: str,
    incurred_on: datetime.date,
    requested_amount: Decimal,
    channel: str = "staff",
) -> Expense:
    """A request for a larger purchase (större inköp), approved before it is bought."""
    _check_channel(tenant, assignment, channel)
    requested_amount = _positive(requested_amount, "requested_amount")
    require(Expense, incurred_on=incurred_on)
    with transaction.atomic():
        locked(assignment)
        if assignment.status != Assignment.Status.ACTIVE:
            raise IllegalTransition(_("Uppdraget är avslutat."))
        expense = Expense.objects.create(
            municipality=assignment.municipality,
            assignment=assignment,
            kind=Expense.Kind.PURCHASE,
            description=description,
            incurred_on=incurred_on,
            requested_amount=requested_amount,
            channel=channel,
            created_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=expense,
            person_id=assignment.intervention.case.client_id,
            detail={"kind": "purchase", "requested_amount": str(requested_amount), "channel": channel},
        )
    return expense


def approve(*, tenant: Tenant, expense: Expense, approved_amount: Decimal | None = None) -> Expense:
    """Approve a submitted expense or trip (its amount is paid), or a purchase request up to an
    amount (default: the amount asked). An approved purchase not yet settled may be approved again
    with another amount (a receipt above the first approval)."""
    if not can_decide_expenses(tenant):
        raise PermissionDenied
    with transaction.atomic():
        locked(expense)
        purchase = expense.kind == Expense.Kind.PURCHASE
        allowed = [Expense.Status.SUBMITTED, *([Expense.Status.APPROVED] if purchase else [])]
        if expense.status not in allowed:
            raise IllegalTransition(_("Utlägget är redan hanterat."))
        again = expense.status == Expense.Status.APPROVED
        detail: dict[str, Any] = {"status": "approved", "again": again}
        if purchase:
            amount = _positive(
                approved_amount if approved_amount is not None else expense.requested_amount,
                "approved_amount",
            )
            expense.approved_amount = amount
            detail["approved_amount"] = str(amount)
        expense.status = Expense.Status.APPROVED
        expense.decided_by = tenant.user
        expense.decided_at = timezone.now()
        expense.reason = ""
        expense.save(
            update_fields=["status", "approved_amount", "decided_by", "decided_at", "reason", "updated_at"]
        )
        record(action=Action.UPDATE, tenant=tenant, obj=expense, person_id=_person(expense), detail=detail)
    return expense


def reject(*, tenant: Tenant, expense: Expense, reason: str) -> Expense:
    """Reject a submitted expense, trip or purchase request; the reason is required and kept."""
    if not can_decide_expenses(tenant):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför utlägget avslås.")})
    with transaction.atomic():
        locked(expense)
        if expense.status != Expense.Status.SUBMITTED:
            raise IllegalTransition(_("Utlägget är redan hanterat."))
        expense.status = Expense.Status.REJECTED
        expense.reason = reason
        expense.decided_by = tenant.user
        expense.decided_at = timezone.now()
        expense.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=expense,
            person_id=_person(expense),
            reason=reason,
            detail={"status": "rejected"},
        )
    return expense


def settle(
    *,
    tenant: Tenant,
    expense: Expense,
    amount: Decimal,
    files: Sequence[Any],
    channel: str = "staff",
) -> Expense:
    """Settle an approved purchase by its receipt: the receipt's amount is paid, at most the amount
    approved (a larger one must be approved again first)."""
    _check_channel(tenant, expense.assignment, channel)
    amount = _positive(amount, "amount")
    cleaned = _cleaned(files, required=True)
    stored: list[str] = []
    with uploads.removed_on_error(stored), transaction.atomic():
        locked(expense)
        if expense.kind != Expense.Kind.PURCHASE or expense.status != Expense.Status.APPROVED:
            raise IllegalTransition(_("Bara ett godkänt inköp kan redovisas med kvitto."))
        if expense.approved_amount is not None and amount > expense.approved_amount:
            raise ValidationError(
                {
                    "amount": _(
                        "Kvittots belopp är större än det godkända (%(approved)s kr). "
                        "Inköpet måste godkännas igen med det högre beloppet först."
                    )
                    % {"approved": expense.approved_amount}
                }
            )
        expense.status = Expense.Status.SETTLED
        expense.amount = amount
        expense.settled_by = tenant.user
        expense.settled_at = timezone.now()
        expense.save(update_fields=["status", "amount", "settled_by", "settled_at", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=expense,
            person_id=_person(expense),
            detail={"status": "settled", "amount": str(amount), "channel": channel},
        )
        _attach(tenant, expense, cleaned, stored)
    return expense
