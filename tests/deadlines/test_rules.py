"""Each statutory obligation with frozen dates."""

import datetime as dt
import uuid

from bredvid.deadlines.rules import (
    ConcernFacts,
    DecisionFacts,
    FollowUpFacts,
    InvestigationFacts,
    Kind,
    PlacementFacts,
    Status,
    obligations,
    summarise,
)

CASE = uuid.uuid4()
TODAY = dt.date(2026, 11, 22)


def ids() -> dict:  # type: ignore[type-arg]
    return {"id": uuid.uuid4(), "case_id": CASE, "case_ref": "1440-2026-0001", "responsible_id": 7}


def by_kind(facts) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return {o.kind: o for o in obligations([facts])}


def test_concern_report_protection_and_preliminary_assessment() -> None:
    result = by_kind(ConcernFacts(**ids(), received_on=dt.date(2026, 12, 10)))
    assert result[Kind.PROTECTION_ASSESSMENT].due == dt.date(2026, 12, 11)
    prelim = result[Kind.PRELIMINARY_ASSESSMENT]
    assert prelim.nominal_due == dt.date(2026, 12, 24)  # julafton
    assert prelim.due == dt.date(2026, 12, 28)
    assert prelim.shifted
    assert prelim.legal_ref == "SoL 20 kap. 2 §"


def test_investigation_started_31_october_is_due_end_of_february() -> None:
    inv = by_kind(InvestigationFacts(**ids(), started_on=dt.date(2026, 10, 31)))[Kind.INVESTIGATION]
    assert inv.nominal_due == dt.date(2027, 2, 28)  # a Sunday
    assert inv.due == dt.date(2027, 3, 1)
    leap = by_kind(InvestigationFacts(**ids(), started_on=dt.date(2027, 10, 31)))[Kind.INVESTIGATION]
    assert leap.nominal_due == dt.date(2028, 2, 29)
    assert leap.due == dt.date(2028, 2, 29)  # a Tuesday


def test_investigation_extension_replaces_due_date_and_conclusion_marks_done() -> None:
    facts = InvestigationFacts(**ids(), started_on=dt.date(2026, 5, 4), extended_until=dt.date(2026, 11, 30))
    inv = by_kind(facts)[Kind.INVESTIGATION]
    assert inv.due == dt.date(2026, 11, 30)
    assert inv.status(TODAY) is Status.DUE_SOON
    done = InvestigationFacts(**ids(), started_on=dt.date(2026, 5, 4), concluded_on=dt.date(2026, 8, 1))
    assert by_kind(done)[Kind.INVESTIGATION].status(TODAY) is Status.DONE


def test_adult_investigation_has_no_four_month_rule() -> None:
    assert by_kind(InvestigationFacts(**ids(), started_on=dt.date(2026, 1, 1), about_child=False)) == {}


def test_decision_not_executed_within_three_months() -> None:
    facts = DecisionFacts(**ids(), decided_on=dt.date(2026, 3, 19))
    execution = by_kind(facts)[Kind.EXECUTION]
    assert execution.nominal_due == dt.date(2026, 6, 19)  # midsommarafton
    assert execution.due == dt.date(2026, 6, 22)
    assert execution.status(TODAY) is Status.OVERDUE
    executed = DecisionFacts(**ids(), decided_on=dt.date(2026, 3, 19), executed_on=dt.date(2026, 4, 1))
    assert by_kind(executed)[Kind.EXECUTION].status(TODAY) is Status.DONE


def test_paused_intervention_must_resume_within_three_months() -> None:
    facts = DecisionFacts(
        **ids(),
        decided_on=dt.date(2026, 1, 10),
        executed_on=dt.date(2026, 2, 1),
        paused_on=dt.date(2026, 8, 31),
    )
    resumption = by_kind(facts)[Kind.RESUMPTION]
    assert resumption.nominal_due == dt.date(2026, 11, 30)
    assert resumption.status(TODAY) is Status.DUE_SOON


def test_placement_reviews_visits_custody_and_care_plan() -> None:
    facts = PlacementFacts(
        **ids(),
        jourhem=False,
        started_on=dt.date(2024, 11, 29),
        last_review_on=dt.date(2026, 6, 1),
        last_visit_on=dt.date(2026, 9, 30),
        visits_per_year=4,
        last_care_plan_on=dt.date(2025, 1, 10),
    )
    result = by_kind(facts)
    assert result[Kind.REVIEW].nominal_due == dt.date(2026, 12, 1)
    assert result[Kind.VISIT].nominal_due == dt.date(2026, 12, 30)
    assert result[Kind.CUSTODY_TRANSFER].nominal_due == dt.date(2026, 11, 29)  # Sunday → Monday
    assert result[Kind.CUSTODY_TRANSFER].due == dt.date(2026, 11, 30)
    assert result[Kind.CARE_PLAN_REVISION].nominal_due == dt.date(2027, 1, 10)
    later = PlacementFacts(
        **ids(),
        jourhem=False,
        started_on=dt.date(2020, 1, 1),
        last_custody_consideration_on=dt.date(2026, 2, 3),
    )
    assert by_kind(later)[Kind.CUSTODY_TRANSFER].nominal_due == dt.date(2027, 2, 3)


def test_visit_frequency_is_a_setting() -> None:
    facts = PlacementFacts(**ids(), jourhem=False, started_on=dt.date(2026, 1, 15), visits_per_year=6)
    assert by_kind(facts)[Kind.VISIT].nominal_due == dt.date(2026, 3, 15)
    none = PlacementFacts(**ids(), jourhem=False, started_on=dt.date(2026, 1, 15), visits_per_year=0)
    assert Kind.VISIT not in by_kind(none)


def test_jourhem_limit_two_months_after_investigation() -> None:
    facts = PlacementFacts(
        **ids(), jourhem=True, started_on=dt.date(2026, 8, 1), investigation_closed_on=dt.date(2026, 10, 31)
    )
    result = by_kind(facts)
    assert result[Kind.JOURHEM_LIMIT].nominal_due == dt.date(2026, 12, 31)  # nyårsafton
    assert result[Kind.JOURHEM_LIMIT].due == dt.date(2027, 1, 4)
    assert Kind.CUSTODY_TRANSFER not in result


def test_follow_up_ends_within_six_months_of_closure() -> None:
    result = by_kind(FollowUpFacts(**ids(), closed_on=dt.date(2026, 8, 31)))
    assert result[Kind.FOLLOW_UP_END].nominal_due == dt.date(2027, 2, 28)


def test_summary_sorts_by_due_date() -> None:
    items = obligations(
        [
            DecisionFacts(**ids(), decided_on=dt.date(2026, 1, 5)),
            DecisionFacts(**ids(), decided_on=dt.date(2026, 9, 1)),
            InvestigationFacts(**ids(), started_on=dt.date(2026, 7, 30)),
            InvestigationFacts(**ids(), started_on=dt.date(2026, 1, 1), concluded_on=dt.date(2026, 3, 1)),
        ]
    )
    summary = summarise(items, TODAY)
    assert [o.kind for o in summary.overdue] == [Kind.EXECUTION]
    assert [o.kind for o in summary.due_soon] == [Kind.INVESTIGATION, Kind.EXECUTION]
    assert len(summary.done) == 1


def test_plan_follow_up_is_an_obligation_until_a_new_version_moves_it() -> None:
    from bredvid.deadlines.rules import PlanFollowUpFacts

    [item] = obligations([PlanFollowUpFacts(**ids(), follow_up_on=dt.date(2026, 12, 24))])
    assert item.kind == Kind.PLAN_FOLLOW_UP
    assert item.due == dt.date(2026, 12, 28)
    assert item.legal_ref == "SoF 10 kap. 3 §"
