"""The parts of the assignment's page that the apps above assignments write: the agreement, the
expenses and what has been paid. Each provider takes `(tenant, assignment)` and returns a `Section`,
or None when the tenant may not see that part; the page renders each in its own `<section>`.

The providers live here, in the pages layer, because a domain app below the pages never imports
them (ADR 0012); the assignment page reads `SECTION_PROVIDERS` in page order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from bredvid.agreements import services as agreement_services
from bredvid.agreements.models import Agreement
from bredvid.agreements.perms import can_read_agreements
from bredvid.expenses.models import Expense
from bredvid.expenses.perms import can_read_expenses
from bredvid.payments.models import LineKind, PaymentLine, PaymentRun
from bredvid.payments.perms import can_read_payments

if TYPE_CHECKING:
    from bredvid.assignments.models import Assignment
    from bredvid.tenancy.context import Tenant


@dataclass(frozen=True)
class Section:
    """A part of the assignment's page written by another app."""

    key: str  # the section's id in the page (an anchor): "agreement", "expenses", "payments"
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def agreement_section(tenant: Tenant, assignment: Assignment) -> Section | None:
    if not can_read_agreements(tenant):
        return None
    agreement = (
        Agreement.objects.visible_to(tenant)
        .filter(assignment=assignment)
        .prefetch_related("versions")
        .first()
    )
    state = agreement_services.status(agreement)
    return Section(
        "agreement",
        _("Uppdragsavtal"),
        "assignments/sections/agreement.html",
        {"state": state, "versions": len(agreement.versions.all()) if agreement else 0},
    )


def expense_section(tenant: Tenant, assignment: Assignment) -> Section | None:
    if not can_read_expenses(tenant):
        return None
    counts = (
        Expense.objects.visible_to(tenant)
        .filter(assignment=assignment)
        .aggregate(total=Count("id"), waiting=Count("id", filter=Q(status=Expense.Status.SUBMITTED)))
    )
    return Section("expenses", _("Utlägg, inköp och resor"), "assignments/sections/expenses.html", counts)


def payment_section(tenant: Tenant, assignment: Assignment) -> Section | None:
    """What attested runs have paid for the assignment, month by month (the last twelve)."""
    if not can_read_payments(tenant):
        return None
    rows = (
        PaymentLine.objects.visible_to(tenant)
        .filter(assignment=assignment, run__status=PaymentRun.Status.ATTESTED)
        .values("period")
        .annotate(
            fee=Sum("amount", filter=Q(kind=LineKind.FEE)),
            allowance=Sum("amount", filter=Q(kind=LineKind.ALLOWANCE)),
            expense=Sum("amount", filter=Q(kind=LineKind.EXPENSE)),
        )
        .order_by("-period")[:12]
    )
    return Section(
        "payments",
        _("Utbetalt"),
        "assignments/sections/payments.html",
        {"months": list(rows), "supporter_id": assignment.supporter_id},
    )


#: In page order.
SECTION_PROVIDERS: tuple[Callable[[Tenant, Assignment], Section | None], ...] = (
    agreement_section,
    expense_section,
    payment_section,
)


def sections(tenant: Tenant, assignment: Assignment) -> list[Section]:
    return [s for provider in SECTION_PROVIDERS if (s := provider(tenant, assignment)) is not None]
