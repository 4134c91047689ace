"""Expenses (utlägg), requests for larger purchases (större inköp) and trips (resor), with receipts.

An expense or a trip is reported after the fact with its receipt and approved or rejected with a
reason. A purchase request is approved before the purchase and later settled by its receipt. What
is payable (`ExpenseScoped.payable`) is paid once by the monthly payment run (`bredvid.payments`),
which links the payment line to the expense.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bredvid.casework.models import case_access
from bredvid.core.date_bounds import PLAN, RECEIPT, bounded
from bredvid.core.models import BaseModel
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


class ExpenseScoped(ScopedQuerySet[Any]):
    """Expenses are visible to those who see their assignment."""

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.assignments.perms import can_read_assignments

        return can_read_assignments(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        from bredvid.assignments.perms import can_read_all_assignments

        if can_read_all_assignments(tenant):
            return self
        return self.filter(case_access(tenant, "assignment__intervention__case__"))

    def payable(self) -> Self:
        """Approved expenses and trips, and purchases settled by their receipt."""
        return self.filter(
            Q(kind__in=[Expense.Kind.EXPENSE, Expense.Kind.TRIP], status=Expense.Status.APPROVED)
            | Q(kind=Expense.Kind.PURCHASE, status=Expense.Status.SETTLED)
        )


class Expense(BaseModel):
    holds_personal_data = True

    class Kind(models.TextChoices):
        EXPENSE = "expense", _("Utlägg")
        PURCHASE = "purchase", _("Större inköp")
        TRIP = "trip", _("Resa")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Inskickad")
        APPROVED = "approved", _("Godkänd")
        REJECTED = "rejected", _("Avslagen")
        SETTLED = "settled", _("Kvitto redovisat")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(
        "assignments.Assignment", on_delete=models.PROTECT, related_name="expenses"
    )
    kind = models.CharField(_("typ"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    description = models.CharField(_("vad gäller det"), max_length=300)
    incurred_on = models.DateField(_("datum"), validators=bounded(PLAN))
    # For a purchase request: the amount asked for (approved up to); for the rest, and once a
    # purchase is settled: the amount on the receipt, which is what is paid.
    requested_amount = models.DecimalField(
        _("begärt belopp"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("belopp"), max_digits=10, decimal_places=2, null=True, blank=True)
    reason = models.TextField(_("skäl"), max_length=2000, blank=True)
    channel = models.CharField(
        _("kanal"),
        max_length=8,
        choices=[("staff", _("Registrerad av handläggare")), ("eservice", _("E-tjänsten"))],
        default="staff",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, validators=bounded(RECEIPT))
    # A purchase request: the amount approved (up to which the receipt settles it; a larger receipt
    # needs a new approval), and when and by whom it was settled by its receipt.
    approved_amount = models.DecimalField(
        _("godkänt belopp"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True, validators=bounded(RECEIPT))

    objects = ExpenseScoped.as_manager()

    class Meta:
        ordering = ["-incurred_on"]
        verbose_name = _("utlägg")
        verbose_name_plural = _("utlägg")
        indexes = [
            models.Index(fields=["municipality", "status", "incurred_on"], name="expense_municipality_status")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.incurred_on}"


class ReceiptScoped(ExpenseScoped):
    def restrict(self, tenant: Tenant) -> Self:
        from bredvid.assignments.perms import can_read_all_assignments

        if can_read_all_assignments(tenant):
            return self
        return self.filter(case_access(tenant, "expense__assignment__intervention__case__"))


class Receipt(BaseModel):
    """A receipt file, checked by content and stripped of image metadata before it is stored
    through Django's storage API; served only through a view that checks permission."""

    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    expense = models.ForeignKey(Expense, on_delete=models.PROTECT, related_name="receipts")
    file = models.FileField(upload_to="receipts/%Y/%m/", max_length=300)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ReceiptScoped.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("kvitto")
        verbose_name_plural = _("kvitton")

    def __str__(self) -> str:
        return self.original_name or str(self.pk)
