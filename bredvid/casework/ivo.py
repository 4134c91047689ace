"""The quarterly report to IVO of granted decisions not executed within three months.

SoL 34 kap. 1–3 §§: each quarter the municipality reports every granted decision that has not
been executed within three months of the decision date (and every intervention not resumed
within three months of a pause), with the decision date, the kind of support and the reasons
for the delay; and the execution date of decisions reported earlier. A statistics summary
(counts only) goes to the municipal council.

`build_report` is deterministic: it depends only on the data and the quarter, never on today.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from stdnum.se import personnummer

from bredvid.casework.models import Decision, InterventionPause
from bredvid.core.legal_time import RULE_EARLIEST, RULE_LATEST, add_months
from bredvid.tenancy.models import Municipality


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1–4")
    start = datetime.date(year, 3 * quarter - 2, 1)
    end = add_months(start, 3) - datetime.timedelta(days=1)
    return start, end


@dataclass(frozen=True)
class IvoRow:
    case_ref: str
    kind: str  # "decision" or "resumption"
    decision_date: str
    support_kind: str
    gender: str
    birth_year: int | None
    limit_date: str
    days_waited: int
    reasons: str
    executed_on: str | None


def _gender(identity_number: str, kind: str) -> str:
    if kind == "reserve":
        return ""
    try:
        return {"M": "man", "F": "kvinna"}[personnummer.get_gender(identity_number)]
    except Exception:  # samordningsnummer: stdnum rejects the day; the serial digit still tells
        return "man" if int(identity_number[-2]) % 2 else "kvinna"


def _usable(*days: datetime.date | None) -> bool:
    """Dates the report can compute with; a row with another (stored before the date bounds) is
    listed under invalid_dates instead of failing the whole report."""
    return all(d is None or RULE_EARLIEST <= d <= RULE_LATEST for d in days)


def build_report(
    municipality: Municipality, year: int, quarter: int, invalid: list[dict[str, object]] | None = None
) -> dict[str, list[dict[str, object]]]:
    """The quarter's report; rows with dates it cannot use are appended to `invalid`, when given."""
    start, end = quarter_bounds(year, quarter)
    invalid = [] if invalid is None else invalid
    decisions = (
        Decision.objects.filter(
            municipality=municipality, status=Decision.Status.DECIDED, intervention__isnull=False
        )
        .exclude(outcome=Decision.Outcome.REFUSED)
        .select_related("case", "case__client", "intervention")
        .order_by("decided_on", "case__reference")
    )
    rows: list[IvoRow] = []
    executed: list[IvoRow] = []
    for decision in decisions:
        assert decision.decided_on is not None
        intervention = decision.intervention
        executed_on = intervention.executed_on
        if not _usable(decision.decided_on, executed_on, intervention.ended_on):
            invalid.append({"case_ref": decision.case.reference, "kind": "decision"})
            continue
        limit = add_months(decision.decided_on, 3)
        ended_unexecuted = (
            intervention.ended_on is not None and executed_on is None and intervention.ended_on <= end
        )
        if limit > end or ended_unexecuted:
            continue
        client = decision.case.client
        row = IvoRow(
            case_ref=decision.case.reference,
            kind="decision",
            decision_date=decision.decided_on.isoformat(),
            support_kind=decision.get_support_kind_display(),
            gender=_gender(client.identity_number, client.identity_kind),
            birth_year=client.birth_date.year if client.birth_date else None,
            limit_date=limit.isoformat(),
            days_waited=(
                (executed_on if executed_on and executed_on <= end else end) - decision.decided_on
            ).days,
            reasons=intervention.delay_reason,
            executed_on=executed_on.isoformat() if executed_on and executed_on <= end else None,
        )
        if executed_on is None or executed_on > end:
            rows.append(row)
        elif start <= executed_on <= end and executed_on > limit:
            executed.append(row)

    pauses = (
        InterventionPause.objects.filter(municipality=municipality)
        .select_related("intervention__decision", "case", "case__client")
        .order_by("paused_on", "case__reference")
    )
    for pause in pauses:
        if not _usable(pause.paused_on, pause.resumed_on, pause.intervention.ended_on):
            invalid.append({"case_ref": pause.case.reference, "kind": "resumption"})
            continue
        limit = add_months(pause.paused_on, 3)
        if limit > end:
            continue
        resumed = pause.resumed_on
        client = pause.case.client
        decision = pause.intervention.decision
        row = IvoRow(
            case_ref=pause.case.reference,
            kind="resumption",
            decision_date=decision.decided_on.isoformat() if decision.decided_on else "",
            support_kind=decision.get_support_kind_display(),
            gender=_gender(client.identity_number, client.identity_kind),
            birth_year=client.birth_date.year if client.birth_date else None,
            limit_date=limit.isoformat(),
            days_waited=((resumed if resumed and resumed <= end else end) - pause.paused_on).days,
            reasons=pause.reason,
            executed_on=resumed.isoformat() if resumed and resumed <= end else None,
        )
        if resumed is None or resumed > end:
            if pause.intervention.ended_on is None or pause.intervention.ended_on > end:
                rows.append(row)
        elif start <= resumed <= end and resumed > limit:
            executed.append(row)
    return {"rows": [asdict(r) for r in rows], "executed_rows": [asdict(r) for r in executed]}


def council_summary(report: dict[str, list[dict[str, object]]]) -> list[tuple[str, int, int]]:
    """Counts only, per support kind: (kind, not executed, executed late this quarter)."""
    kinds = sorted({str(r["support_kind"]) for r in report["rows"] + report["executed_rows"]})
    return [
        (
            kind,
            sum(1 for r in report["rows"] if r["support_kind"] == kind),
            sum(1 for r in report["executed_rows"] if r["support_kind"] == kind),
        )
        for kind in kinds
    ]
