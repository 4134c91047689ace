"""The terms of an agreement version: what the officer confirms, stored on the version as it was.

`suggested_terms(assignment)` gives the form its initial values. The remuneration figures come from
the municipality's rate tables (bredvid.payments, `_rate_figures`) for the assignment's levels; a
figure the table lacks is typed by the officer. Whatever the suggestion, the version stores the
figures the officer confirmed, never a lookup made later.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bredvid.assignments.models import Assignment


@dataclass(frozen=True)
class Terms:
    start_on: datetime.date
    end_on: datetime.date | None
    scope_unit: str
    planned_per_month: Decimal | None
    fee_level: str
    fee_amount: Decimal | None
    fee_per: str  # "month" or "day" (dygn)
    allowance_level: str
    allowance_amount: Decimal | None
    allowance_per: str
    child_allowance_deduction: Decimal
    notice_days: int
    special_terms: str

    def as_json(self) -> dict[str, Any]:
        """The terms as JSON values (dates ISO, amounts as text, so nothing is rounded by floats)."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if isinstance(value, datetime.date):
                out[name] = value.isoformat()
            elif isinstance(value, Decimal):
                out[name] = str(value)
            else:
                out[name] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Terms:
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if f.name in {"start_on", "end_on"}:
                value = datetime.date.fromisoformat(value) if value else None
            elif f.name in {
                "planned_per_month",
                "fee_amount",
                "allowance_amount",
                "child_allowance_deduction",
            }:
                value = Decimal(value) if value not in (None, "") else None
            values[f.name] = value
        values["child_allowance_deduction"] = values["child_allowance_deduction"] or Decimal(0)
        values["notice_days"] = int(values["notice_days"] or 0)
        for name in (
            "scope_unit",
            "fee_level",
            "fee_per",
            "allowance_level",
            "allowance_per",
            "special_terms",
        ):
            values[name] = values[name] or ""
        return cls(**values)


#: Kontaktfamilj is paid per dygn; the others per month (DOMAIN.md §6).
PER_DAY_KINDS = frozenset({"kontaktfamilj"})
DEFAULT_NOTICE_DAYS = 30


def _rate_figures(assignment: Assignment) -> tuple[Decimal | None, Decimal | None]:
    """(arvode, omkostnad) in kronor per `fee_per`/`allowance_per` for the assignment's levels, from
    the municipality's rate table for the year of its start (the client's age band on the start date
    for age-banded figures). None for a figure the table does not have: the officer types it."""
    from bredvid.payments import calc
    from bredvid.payments.models import RateTable
    from bredvid.payments.runs import rates_of

    table = RateTable.objects.filter(
        municipality_id=assignment.municipality_id, year=assignment.start_on.year
    ).first()
    if table is None:
        return None, None
    rates = rates_of(table)
    birth = assignment.intervention.case.client.birth_date
    age = calc.age_on(birth, assignment.start_on) if birth else 0
    kind = assignment.support_kind

    def banded(bands: Sequence[calc.Band] | None) -> Decimal | None:
        try:
            return calc.band_for(bands or (), age).value
        except calc.MissingRate:
            return None

    def allowance_of(percent: Decimal | None, divisor: int) -> Decimal | None:
        if percent is None:
            return None
        return calc.derived(percent, rates.prisbasbelopp, Decimal(divisor), rates.rounding)

    if kind in calc.MONTHLY_CONTACT:
        fee = rates.kp_fee.get(assignment.fee_level)
        return fee, allowance_of(rates.kp_allowance_percent.get(assignment.allowance_level), 12)
    if kind == calc.KONTAKTFAMILJ:
        level = assignment.allowance_level or "basic"
        return banded(rates.kf_fee), allowance_of(banded(rates.kf_allowance_percent.get(level)), 365)
    if kind in calc.MONTHLY_HOME:
        fee = rates.fh_fee.get(assignment.fee_level or "basic")
        level = assignment.allowance_level or "basic"
        return fee, allowance_of(banded(rates.fh_allowance_percent.get(level)), 12)
    return None, None


def suggested_terms(assignment: Assignment) -> dict[str, Any]:
    """Initial values of the agreement form for `assignment` (the officer confirms or changes them)."""
    fee, allowance = _rate_figures(assignment)
    per = "day" if assignment.support_kind in PER_DAY_KINDS else "month"
    return {
        "start_on": assignment.start_on,
        "end_on": assignment.end_on,
        "scope_unit": assignment.scope_unit,
        "planned_per_month": assignment.planned_per_month,
        "fee_level": assignment.fee_level,
        "fee_amount": fee,
        "fee_per": per,
        "allowance_level": assignment.allowance_level,
        "allowance_amount": allowance,
        "allowance_per": per,
        "child_allowance_deduction": assignment.child_allowance_deduction,
        "notice_days": DEFAULT_NOTICE_DAYS,
        "special_terms": "",
    }
