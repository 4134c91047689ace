"""Reading a month for the payment run: the rate table, the assignments, approved reports and payable
expenses in a handful of queries, turned into `calc` values; and what earlier runs already paid.

Read-only: `services.prepare_run` locks, compares and writes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import holidays as holiday_calendars
from django.db.models import Q

from bredvid.assignments.models import Assignment, Report
from bredvid.expenses.models import Expense
from bredvid.payments import calc
from bredvid.payments.models import Component, PaymentLine, Rate, RateGroup, RateTable

if TYPE_CHECKING:
    from bredvid.tenancy.models import Municipality


def swedish_holidays(year: int) -> frozenset[dt.date]:
    """Sweden's public holidays (helgdagar) of a year, from the `holidays` library."""
    return frozenset(holiday_calendars.country_holidays("SE", years=year, language="sv").keys())


def rates_of(table: RateTable) -> calc.Rates:
    """The table's figures as `calc.Rates` (one query)."""
    kp_fee: dict[str, Decimal] = {}
    kp_allowance: dict[str, Decimal] = {}
    kf_fee: list[calc.Band] = []
    kf_allowance: dict[str, list[calc.Band]] = defaultdict(list)
    fh_fee: dict[str, Decimal] = {}
    fh_allowance: dict[str, list[calc.Band]] = defaultdict(list)
    reduction: Decimal | None = None
    for rate in Rate.objects.filter(table=table).order_by("age_from"):
        value = rate.amount if rate.amount is not None else rate.percent
        if value is None:
            continue  # the municipality has not decided this figure yet
        band = calc.Band(rate.age_from or 0, rate.age_to, value)
        match (rate.group, rate.component):
            case (RateGroup.KONTAKTPERSON, Component.FEE):
                kp_fee[rate.level] = value
            case (RateGroup.KONTAKTPERSON, Component.ALLOWANCE):
                kp_allowance[rate.level] = value
            case (RateGroup.KONTAKTFAMILJ, Component.FEE):
                kf_fee.append(band)
            case (RateGroup.KONTAKTFAMILJ, Component.ALLOWANCE):
                kf_allowance[rate.level or "basic"].append(band)
            case (RateGroup.FAMILJEHEM, Component.FEE):
                fh_fee[rate.level or "basic"] = value
            case (RateGroup.FAMILJEHEM, Component.ALLOWANCE):
                fh_allowance[rate.level or "basic"].append(band)
            case (RateGroup.FAMILJEHEM, Component.SIBLING_REDUCTION):
                reduction = value
    return calc.Rates(
        year=table.year,
        prisbasbelopp=table.prisbasbelopp,
        rounding=table.rounding,
        kp_fee=kp_fee,
        kp_allowance_percent=kp_allowance,
        kf_fee=tuple(kf_fee),
        kf_allowance_percent={k: tuple(v) for k, v in kf_allowance.items()},
        fh_fee=fh_fee,
        fh_sibling_reduction_percent=reduction,
        fh_allowance_percent={k: tuple(v) for k, v in fh_allowance.items()},
    )


@dataclass(frozen=True, slots=True)
class Computed:
    assignment_id: uuid.UUID
    supporter_id: uuid.UUID
    line: calc.Line
    expense_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    assignment_id: uuid.UUID
    reason: str


def compute_month(
    municipality: Municipality, period: calc.Period, rates: calc.Rates
) -> tuple[list[Computed], list[Problem]]:
    """Every line the month earns, for every assignment of the municipality running in it (3 queries)."""
    first, last = period.first, period.last
    assignments = (
        Assignment.objects.in_municipality(municipality)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=first), start_on__lte=last)
        .values_list(
            "id",
            "supporter_id",
            "support_kind",
            "start_on",
            "end_on",
            "fee_level",
            "allowance_level",
            "children",
            "child_allowance_deduction",
            "intervention__case__client__birth_date",
        )
    )
    meetings: dict[uuid.UUID, list[calc.Meeting]] = defaultdict(list)
    stays: dict[uuid.UUID, list[calc.Stay]] = defaultdict(list)
    reports = (
        Report.objects.in_municipality(municipality)
        .filter(status=Report.Status.APPROVED, starts_on__lte=last, ends_on__gte=first - dt.timedelta(days=1))
        .values_list("assignment_id", "kind", "starts_on", "ends_on", "arrives_at", "departs_at", "hours")
    )
    # Plain (client-side) cursors, not `.iterator()`: PostgreSQL plans a server-side cursor for its
    # first 10 % of rows (cursor_tuple_fraction) and picks an index scan over every approved report of
    # the year, 4x slower than the sequential scan it uses here. The month's rows fit in memory.
    for assignment_id, kind, starts_on, ends_on, arrives_at, departs_at, hours in reports:
        if kind == Report.Kind.STAY:
            stays[assignment_id].append(calc.Stay(starts_on, ends_on, arrives_at, departs_at))
        elif first <= starts_on:
            meetings[assignment_id].append(calc.Meeting(starts_on, hours))
    expenses: dict[uuid.UUID, list[calc.ExpenseItem]] = defaultdict(list)
    payable = (
        Expense.objects.in_municipality(municipality)
        .payable()
        .filter(incurred_on__lte=last, payment_line__isnull=True, amount__isnull=False)
        .values_list("id", "assignment_id", "amount", "incurred_on", "description")
    )
    for expense_id, assignment_id, amount, incurred_on, description in payable:
        expenses[assignment_id].append(calc.ExpenseItem(str(expense_id), amount, incurred_on, description))
    holidays = swedish_holidays(period.year)
    out: list[Computed] = []
    problems: list[Problem] = []
    for row in assignments:
        pk, supporter_id, kind, start_on, end_on, fee_level, allowance_level, children, deduction, birth = row
        facts = calc.Facts(kind, start_on, end_on, birth, fee_level, allowance_level, children, deduction)
        try:
            lines = calc.month_lines(
                facts,
                period,
                rates,
                meetings=meetings.get(pk, ()),
                stays=stays.get(pk, ()),
                expenses=expenses.pop(pk, ()),
                holidays=holidays,
            )
        except calc.MissingRate as missing:
            problems.append(Problem(pk, str(missing)))
            continue
        for line in lines:
            expense_id = uuid.UUID(line.component.split(":", 1)[1]) if line.kind == calc.EXPENSE else None
            out.append(Computed(pk, supporter_id, line, expense_id))
    return out, problems


@dataclass(slots=True)
class Paid:
    """What earlier runs paid for one (assignment, component) of the month."""

    amount: Decimal
    revision: int
    kind: str


def paid_for(municipality: Municipality, period: calc.Period) -> dict[tuple[uuid.UUID, str], Paid]:
    paid: dict[tuple[uuid.UUID, str], Paid] = {}
    rows = (
        PaymentLine.objects.in_municipality(municipality)
        .filter(period=period.first)
        .values_list("assignment_id", "component", "revision", "amount", "kind")
    )
    for assignment_id, component, revision, amount, kind in rows:
        have = paid.get((assignment_id, component))
        if have is None:
            paid[(assignment_id, component)] = Paid(amount, revision, kind)
        else:
            have.amount += amount
            have.revision = max(have.revision, revision)
    return paid


def chunks(items: list[Computed], size: int) -> Iterator[list[Computed]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
