"""The terms of an agreement version: what the officer confirms, stored on the version as it was.

`suggested_terms(assignment)` gives the form its initial values. The remuneration figures come from
the municipality's rate tables (bredvid.payments) at one marked spot, `_rate_figures`; until that is
wired the levels come from the assignment and the kronor are typed by the officer. Whatever the
suggestion, the version stores the figures the officer confirmed, never a lookup made later.
"""

from __future__ import annotations

import datetime
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
    """(arvode, omkostnad) in kronor per `fee_per`/`allowance_per` for the assignment's levels.

    MERGE (payments): replace the body with the rate-table lookup for the assignment's municipality,
    support kind, fee_level and allowance_level in the year of its start (for kontaktfamilj: the
    per-dygn figures of the client's age band on the start date). Return None for a figure the table
    does not have; the officer then types it.
    """
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
