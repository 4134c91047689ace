"""Statutory obligations derived from case facts. Pure functions: no ORM, no clock.

Each rule takes plain facts (dataclasses built by `queries.py` from the database) and returns
`Obligation`s with the nominal last day (the calendar rule) and the legal last day (moved
past weekends and holidays, Lag (1930:173) 2 §). The paragraph each rule comes from is named
in `legal_ref`; SoL is Socialtjänstlag (2025:400), SoF Socialtjänstförordning (2025:468).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from enum import StrEnum

from bredvid.core.legal_time import RULE_EARLIEST, RULE_LATEST, add_months, add_years, legal_last_day

DAY = datetime.timedelta(days=1)

# RULE_EARLIEST..RULE_LATEST (core/legal_time.py): a stored date outside it is not computed; the
# record is flagged instead.


class Kind(StrEnum):
    PROTECTION_ASSESSMENT = "protection_assessment"
    PRELIMINARY_ASSESSMENT = "preliminary_assessment"
    INVESTIGATION = "investigation"
    EXECUTION = "execution"
    RESUMPTION = "resumption"
    REVIEW = "review"
    VISIT = "visit"
    CUSTODY_TRANSFER = "custody_transfer"
    CARE_PLAN_REVISION = "care_plan_revision"
    FOLLOW_UP_END = "follow_up_end"
    JOURHEM_LIMIT = "jourhem_limit"
    PLAN_FOLLOW_UP = "plan_follow_up"


LEGAL_REFS = {
    Kind.PROTECTION_ASSESSMENT: "SoL 20 kap. 1 §",
    Kind.PRELIMINARY_ASSESSMENT: "SoL 20 kap. 2 §",
    Kind.INVESTIGATION: "SoL 20 kap. 3 §",
    Kind.EXECUTION: "SoL 34 kap. 1 §",
    Kind.RESUMPTION: "SoL 34 kap. 1 §",
    Kind.REVIEW: "SoL 22 kap. 13 §",
    Kind.VISIT: "SoL 22 kap. 11–12 §§",
    Kind.CUSTODY_TRANSFER: "SoL 22 kap. 14 §",
    Kind.CARE_PLAN_REVISION: "SoL 9 kap. 13 §",
    Kind.FOLLOW_UP_END: "SoL 23 kap. 5 §",
    Kind.JOURHEM_LIMIT: "SoL 22 kap. 4 §",
    Kind.PLAN_FOLLOW_UP: "SoF 10 kap. 3 §",
}


class Status(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"
    DONE = "done"


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class Obligation:
    kind: Kind
    case_id: uuid.UUID
    case_ref: str
    object_id: uuid.UUID
    nominal_due: datetime.date
    due: datetime.date
    done_on: datetime.date | None = None
    responsible_id: int | None = None

    @property
    def legal_ref(self) -> str:
        return LEGAL_REFS[self.kind]

    @property
    def shifted(self) -> bool:
        """The legal last day differs from the calendar date (weekend or holiday)."""
        return self.due != self.nominal_due

    def status(self, today: datetime.date, soon_days: int = 14) -> Status:
        if self.done_on is not None:
            return Status.DONE
        if self.due < today:
            return Status.OVERDUE
        if self.due <= today + datetime.timedelta(days=soon_days):
            return Status.DUE_SOON
        return Status.UPCOMING


def _obligation(
    kind: Kind, facts: _Base, nominal: datetime.date, done_on: datetime.date | None
) -> Obligation:
    return Obligation(
        kind=kind,
        case_id=facts.case_id,
        case_ref=facts.case_ref,
        object_id=facts.id,
        nominal_due=nominal,
        due=legal_last_day(nominal),
        done_on=done_on,
        responsible_id=facts.responsible_id,
    )


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class _Base:
    id: uuid.UUID
    case_id: uuid.UUID
    case_ref: str
    responsible_id: int | None


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class ConcernFacts(_Base):
    received_on: datetime.date
    protection_assessed_on: datetime.date | None = None
    preliminary_decided_on: datetime.date | None = None


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class InvestigationFacts(_Base):
    started_on: datetime.date
    extended_until: datetime.date | None = None
    concluded_on: datetime.date | None = None
    about_child: bool = True


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class DecisionFacts(_Base):
    decided_on: datetime.date
    executed_on: datetime.date | None = None
    paused_on: datetime.date | None = None
    resumed_on: datetime.date | None = None
    ended_on: datetime.date | None = None


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class PlacementFacts(_Base):
    jourhem: bool
    started_on: datetime.date
    ended_on: datetime.date | None = None
    last_review_on: datetime.date | None = None
    last_visit_on: datetime.date | None = None
    visits_per_year: int = 4
    last_custody_consideration_on: datetime.date | None = None
    last_care_plan_on: datetime.date | None = None
    investigation_closed_on: datetime.date | None = None


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class FollowUpFacts(_Base):
    closed_on: datetime.date
    ended_on: datetime.date | None = None


def concern_obligations(f: ConcernFacts) -> Iterator[Obligation]:
    # The protection assessment is made at once: recorded the same or the next day (20 kap. 1 §).
    yield _obligation(Kind.PROTECTION_ASSESSMENT, f, f.received_on + DAY, f.protection_assessed_on)
    # The preliminary assessment is decided within 14 days of the report (20 kap. 2 §).
    yield _obligation(Kind.PRELIMINARY_ASSESSMENT, f, f.received_on + 14 * DAY, f.preliminary_decided_on)


def investigation_obligations(f: InvestigationFacts) -> Iterator[Obligation]:
    # A child's investigation is finished within four months; an extension sets a new end (20 kap. 3 §).
    if not f.about_child and f.extended_until is None:
        return
    nominal = f.extended_until or add_months(f.started_on, 4)
    yield _obligation(Kind.INVESTIGATION, f, nominal, f.concluded_on)


def decision_obligations(f: DecisionFacts) -> Iterator[Obligation]:
    # A granted decision not executed within three months is reported to IVO (34 kap. 1 §).
    if f.ended_on is not None and f.executed_on is None:
        return
    yield _obligation(Kind.EXECUTION, f, add_months(f.decided_on, 3), f.executed_on)
    # The same holds for an intervention not resumed within three months of a pause.
    if f.paused_on is not None:
        done = f.resumed_on if f.resumed_on is not None else f.ended_on
        yield _obligation(Kind.RESUMPTION, f, add_months(f.paused_on, 3), done)


def placement_obligations(f: PlacementFacts) -> Iterator[Obligation]:
    done_if_ended = f.ended_on
    # Övervägande at least every six months from the start of the placement (22 kap. 13 §).
    last_review = max(filter(None, (f.started_on, f.last_review_on)))
    yield _obligation(Kind.REVIEW, f, add_months(last_review, 6), done_if_ended)
    # Regular personal visits; the number a year is a municipal setting (22 kap. 11–12 §§).
    if f.visits_per_year > 0:
        last_visit = max(filter(None, (f.started_on, f.last_visit_on)))
        interval = max(1, 12 // f.visits_per_year)
        yield _obligation(Kind.VISIT, f, add_months(last_visit, interval), done_if_ended)
    if f.jourhem:
        # A jourhem placement ends at most two months after the investigation closed (22 kap. 4 §).
        if f.investigation_closed_on is not None:
            yield _obligation(Kind.JOURHEM_LIMIT, f, add_months(f.investigation_closed_on, 2), f.ended_on)
        return
    # Custody transfer considered after two years in the same home, then every year (22 kap. 14 §).
    if f.last_custody_consideration_on is None:
        nominal = add_years(f.started_on, 2)
    else:
        nominal = add_years(f.last_custody_consideration_on, 1)
    yield _obligation(Kind.CUSTODY_TRANSFER, f, nominal, done_if_ended)
    # The vårdplan is revised at the latest after two years (9 kap. 13 §).
    base = f.last_care_plan_on or f.started_on
    yield _obligation(Kind.CARE_PLAN_REVISION, f, add_years(base, 2), done_if_ended)


@dataclass(slots=True)  # not frozen: frozen __init__ is several times slower, and these are built in bulk
class PlanFollowUpFacts(_Base):
    follow_up_on: datetime.date


def plan_follow_up_obligations(f: PlanFollowUpFacts) -> Iterator[Obligation]:
    # The follow-up the plan schedules (SoF 10 kap. 3 §); a new version of the plan moves it.
    yield _obligation(Kind.PLAN_FOLLOW_UP, f, f.follow_up_on, None)


def follow_up_obligations(f: FollowUpFacts) -> Iterator[Obligation]:
    # A follow-up after a closed investigation ends within six months of the closure (23 kap. 5 §).
    yield _obligation(Kind.FOLLOW_UP_END, f, add_months(f.closed_on, 6), f.ended_on)


_RULES = {
    ConcernFacts: concern_obligations,
    InvestigationFacts: investigation_obligations,
    DecisionFacts: decision_obligations,
    PlacementFacts: placement_obligations,
    FollowUpFacts: follow_up_obligations,
    PlanFollowUpFacts: plan_follow_up_obligations,
}


_RECORDS = {
    ConcernFacts: "concern_report",
    InvestigationFacts: "investigation",
    DecisionFacts: "decision",
    PlacementFacts: "intervention",
    FollowUpFacts: "follow_up",
    PlanFollowUpFacts: "plan",
}
_DATE_FIELDS = {
    cls: tuple(f.name for f in fields(cls) if "date" in str(f.type) and f.name != "id") for cls in _RULES
}


@dataclass(slots=True)
class InvalidDate:
    """A record whose stored dates the rules cannot use ("ogiltigt datum"): shown, never computed."""

    record: str  # concern_report, investigation, decision, intervention, follow_up, plan
    case_id: uuid.UUID
    case_ref: str
    object_id: uuid.UUID
    fields: tuple[str, ...]  # the facts' names of the unusable dates
    responsible_id: int | None = None


@dataclass
class Evaluation:
    obligations: list[Obligation] = field(default_factory=list)
    invalid: list[InvalidDate] = field(default_factory=list)


def invalid_date(record: str, facts: _Base, names: tuple[str, ...]) -> InvalidDate:
    return InvalidDate(record, facts.case_id, facts.case_ref, facts.id, names, facts.responsible_id)


def _unusable(fact: _Base) -> tuple[str, ...]:
    bad = []
    for name in _DATE_FIELDS[type(fact)]:
        value = getattr(fact, name)
        if value is not None and not RULE_EARLIEST <= value <= RULE_LATEST:
            bad.append(name)
    return tuple(bad)


def evaluate(facts: Iterable[_Base]) -> Evaluation:
    """Every obligation of every fact, in input order, and the facts with dates the rules cannot use.

    One bad row never takes the others down: its dates are checked against the window first, and
    arithmetic that still fails (OverflowError, ValueError) flags the row instead of raising."""
    result = Evaluation()
    for fact in facts:
        kind = type(fact)
        bad = _unusable(fact)
        if not bad:
            try:
                result.obligations.extend(list(_RULES[kind](fact)))  # type: ignore[operator]
                continue
            except (OverflowError, ValueError):
                bad = _DATE_FIELDS[kind]
        result.invalid.append(invalid_date(_RECORDS[kind], fact, bad))
    return result


def obligations(facts: Iterable[_Base]) -> list[Obligation]:
    """Every obligation of every fact, in input order (facts with unusable dates are skipped)."""
    return evaluate(facts).obligations


@dataclass
class Summary:
    overdue: list[Obligation] = field(default_factory=list)
    due_soon: list[Obligation] = field(default_factory=list)
    upcoming: list[Obligation] = field(default_factory=list)
    done: list[Obligation] = field(default_factory=list)


def summarise(items: Iterable[Obligation], today: datetime.date, soon_days: int = 14) -> Summary:
    summary = Summary()
    for item in items:
        getattr(summary, item.status(today, soon_days).value).append(item)
    for bucket in (summary.overdue, summary.due_soon, summary.upcoming):
        bucket.sort(key=lambda o: (o.due, o.case_ref))
    summary.done.sort(key=lambda o: o.done_on or o.due, reverse=True)
    return summary
