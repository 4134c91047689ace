"""Facts for the deadline rules, read from casework in a fixed number of queries.

`collect_facts` issues one query per kind of record (concern reports, investigations,
decisions, placements, follow-ups) whatever the number of cases, and returns the plain
dataclasses `rules.py` works on.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from bredvid.casework.models import (
    PLACEMENT_KINDS,
    ConcernReport,
    Decision,
    FollowUp,
    Intervention,
    InterventionPause,
    Investigation,
    InvestigationExtension,
    PlacementEvent,
    Plan,
)
from bredvid.core.perf import gc_paused
from bredvid.deadlines.rules import (
    RULE_EARLIEST,
    RULE_LATEST,
    ConcernFacts,
    DecisionFacts,
    Evaluation,
    FollowUpFacts,
    InvalidDate,
    InvestigationFacts,
    Obligation,
    PlacementFacts,
    PlanFollowUpFacts,
    evaluate,
)
from bredvid.tenancy.models import Municipality

RECENT_DAYS = 30


@dataclass(frozen=True)
class Scope:
    """Whose deadlines: a municipality, optionally narrowed to units and to one responsible worker."""

    municipality: Municipality
    unit_ids: frozenset[uuid.UUID] | None = None
    responsible_id: int | None = None


def _cases(scope: Scope, prefix: str = "case__") -> Q:
    q = Q(**{f"{prefix}municipality": scope.municipality})
    if scope.unit_ids is not None:
        q &= Q(**{f"{prefix}unit_id__in": scope.unit_ids})
    if scope.responsible_id is not None:
        q &= Q(**{f"{prefix}responsible_id": scope.responsible_id})
    return q


def _usable_times() -> tuple[datetime.datetime, datetime.datetime]:
    tz = datetime.UTC
    return (
        datetime.datetime.combine(RULE_EARLIEST, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(RULE_LATEST, datetime.time.max, tzinfo=tz),
    )


def _invalid_reports(reports: QuerySet[ConcernReport]) -> list[InvalidDate]:
    """Concern reports whose times the database cannot turn into local dates (TruncDate overflows)."""
    usable = _usable_times()
    outside = ~Q(received_at__range=usable) | (
        Q(protection_assessed_at__isnull=False) & ~Q(protection_assessed_at__range=usable)
    )
    bad = reports.filter(outside)
    invalid = []
    for pk, case_id, ref, responsible, received, assessed in bad.values_list(
        "id", "case_id", "case__reference", "case__responsible_id", "received_at", "protection_assessed_at"
    ):
        names = tuple(
            name
            for name, value in (("received_on", received), ("protection_assessed_on", assessed))
            if value is not None and not usable[0] <= value <= usable[1]
        )
        invalid.append(InvalidDate("concern_report", case_id, ref, pk, names, responsible))
    return invalid


def collect_facts(scope: Scope, today: datetime.date) -> list:  # type: ignore[type-arg]
    return collect(scope, today)[0]


def collect(scope: Scope, today: datetime.date) -> tuple[list, list[InvalidDate]]:  # type: ignore[type-arg]
    """The facts of the scope, and the records already known to have unusable dates."""
    recent = today - datetime.timedelta(days=RECENT_DAYS)
    facts: list = []  # type: ignore[type-arg]
    common = ("id", "case_id", "case__reference", "case__responsible_id")

    open_reports = ConcernReport.objects.filter(_cases(scope)).filter(
        Q(preliminary_decided_on__isnull=True) | Q(preliminary_decided_on__gte=recent)
    )
    invalid = _invalid_reports(open_reports)
    usable = _usable_times()
    reports = (
        open_reports.filter(received_at__range=usable)
        .filter(Q(protection_assessed_at__isnull=True) | Q(protection_assessed_at__range=usable))
        .annotate(received_on=TruncDate("received_at"), assessed_on=TruncDate("protection_assessed_at"))
    )
    for row in reports.values_list(*common, "received_on", "assessed_on", "preliminary_decided_on"):
        facts.append(
            ConcernFacts(
                id=row[0],
                case_id=row[1],
                case_ref=row[2],
                responsible_id=row[3],
                received_on=row[4],
                protection_assessed_on=row[5],
                preliminary_decided_on=row[6],
            )
        )

    latest_extension = InvestigationExtension.objects.filter(investigation=OuterRef("pk")).order_by(
        "-decided_on"
    )
    investigations = (
        Investigation.objects.filter(_cases(scope))
        .filter(Q(concluded_on__isnull=True) | Q(concluded_on__gte=recent))
        .annotate(extended_until=Subquery(latest_extension.values("until")[:1]))
    )
    for row in investigations.values_list(
        *common, "started_on", "extended_until", "concluded_on", "about_child"
    ):
        facts.append(
            InvestigationFacts(
                id=row[0],
                case_id=row[1],
                case_ref=row[2],
                responsible_id=row[3],
                started_on=row[4],
                extended_until=row[5],
                concluded_on=row[6],
                about_child=row[7],
            )
        )

    latest_pause = InterventionPause.objects.filter(intervention=OuterRef("intervention")).order_by(
        "-paused_on"
    )
    decisions = (
        Decision.objects.filter(_cases(scope), status=Decision.Status.DECIDED)
        .exclude(outcome=Decision.Outcome.REFUSED)
        .filter(
            Q(intervention__ended_on__isnull=True)
            | Q(intervention__ended_on__gte=recent)
            | Q(intervention__executed_on__gte=recent)
        )
        .annotate(
            paused_on=Subquery(latest_pause.values("paused_on")[:1]),
            resumed_on=Subquery(latest_pause.values("resumed_on")[:1]),
        )
    )
    decision_columns = (
        "decided_on",
        "intervention__executed_on",
        "paused_on",
        "resumed_on",
        "intervention__ended_on",
    )
    for row in decisions.values_list(*common, *decision_columns):
        facts.append(
            DecisionFacts(
                id=row[0],
                case_id=row[1],
                case_ref=row[2],
                responsible_id=row[3],
                decided_on=row[4],
                executed_on=row[5],
                paused_on=row[6],
                resumed_on=row[7],
                ended_on=row[8],
            )
        )

    def last(kind: str) -> Max:
        return Max("placement_events__occurred_on", filter=Q(placement_events__kind=kind))

    last_concluded = Investigation.objects.filter(case=OuterRef("case"), concluded_on__isnull=False).order_by(
        "-concluded_on"
    )
    last_care_plan = Plan.objects.filter(intervention=OuterRef("pk"), kind=Plan.Kind.CARE_PLAN).order_by(
        "-version_on"
    )
    placements = (
        Intervention.objects.filter(
            _cases(scope), support_kind__in=PLACEMENT_KINDS, executed_on__isnull=False
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=recent))
        .annotate(
            last_review=last(PlacementEvent.Kind.REVIEW),
            last_visit=last(PlacementEvent.Kind.VISIT),
            last_custody=last(PlacementEvent.Kind.CUSTODY_CONSIDERATION),
            last_care_plan=Subquery(last_care_plan.values("version_on")[:1]),
            last_investigation_closed=Subquery(last_concluded.values("concluded_on")[:1]),
        )
    )
    visits_per_year = scope.municipality.visits_per_year
    placement_columns = (
        "support_kind",
        "executed_on",
        "ended_on",
        "last_review",
        "last_visit",
        "last_custody",
        "last_care_plan",
        "investigation_closed_on",
        "last_investigation_closed",
    )
    for row in placements.values_list(*common, *placement_columns):
        facts.append(
            PlacementFacts(
                id=row[0],
                case_id=row[1],
                case_ref=row[2],
                responsible_id=row[3],
                jourhem=row[4] == "jourhem",
                started_on=row[5],
                ended_on=row[6],
                last_review_on=row[7],
                last_visit_on=row[8],
                visits_per_year=visits_per_year,
                last_custody_consideration_on=row[9],
                last_care_plan_on=row[10],
                # entered on the intervention, else the case's latest concluded investigation
                investigation_closed_on=row[11] or row[12],
            )
        )

    latest_version = Plan.objects.filter(intervention=OuterRef("intervention")).order_by(
        "-version_on", "-created_at"
    )
    plans = Plan.objects.filter(
        _cases(scope), intervention__ended_on__isnull=True, next_follow_up_on__isnull=False
    ).filter(pk=Subquery(latest_version.values("pk")[:1]))
    for row in plans.values_list(*common, "next_follow_up_on"):
        facts.append(
            PlanFollowUpFacts(
                id=row[0], case_id=row[1], case_ref=row[2], responsible_id=row[3], follow_up_on=row[4]
            )
        )

    follow_ups = FollowUp.objects.filter(_cases(scope)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=recent)
    )
    for row in follow_ups.values_list(*common, "investigation__concluded_on", "ended_on"):
        facts.append(
            FollowUpFacts(
                id=row[0],
                case_id=row[1],
                case_ref=row[2],
                responsible_id=row[3],
                closed_on=row[4],
                ended_on=row[5],
            )
        )
    return facts, invalid


def evaluate_for(scope: Scope, today: datetime.date | None = None) -> Evaluation:
    """The scope's obligations, and its records with dates the rules cannot use (flagged, skipped)."""
    today = today or timezone.localdate()
    with gc_paused():
        facts, invalid = collect(scope, today)
        result = evaluate(facts)
    result.invalid[:0] = invalid
    return result


def obligations_for(scope: Scope, today: datetime.date | None = None) -> list[Obligation]:
    return evaluate_for(scope, today).obligations
