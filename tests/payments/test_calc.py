"""Worked examples, one per rule of the remuneration (bredvid.payments.calc; DOMAIN.md §6).

Every expected figure is worked out in the comment above it, from the rate table written out here
(prisbasbelopp 58 800 kr for 2025, rounding to whole kronor half up unless a test says otherwise)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from bredvid.payments import calc
from bredvid.payments.calc import Band, Facts, Meeting, Period, Rates, Stay, month_lines

RATES = Rates(
    year=2025,
    prisbasbelopp=D(58800),
    rounding=calc.WHOLE_HALF_UP,
    kp_fee={"1": D(1500), "2": D(2500)},
    kp_allowance_percent={"10": D(10), "25": D(25), "40": D(40)},
    kf_fee=(Band(0, 12, D(225)), Band(13, 17, D(292)), Band(18, None, D(359))),
    kf_allowance_percent={"basic": (Band(0, 12, D(105)), Band(13, None, D(120)))},
    fh_fee={"basic": D(11237)},
    fh_sibling_reduction_percent=D(20),
    fh_allowance_percent={"basic": (Band(0, 12, D(110)), Band(13, None, D(125)))},
)
CHILD_8 = dt.date(2017, 1, 10)


def kf(**kw: object) -> Facts:
    base: dict[str, object] = {
        "support_kind": "kontaktfamilj",
        "start_on": dt.date(2025, 1, 1),
        "end_on": None,
        "birth_date": CHILD_8,
        "allowance_level": "basic",
    }
    return Facts(**{**base, **kw})  # type: ignore[arg-type]


def by_component(lines: list[calc.Line]) -> dict[str, calc.Line]:
    return {line.component: line for line in lines}


def test_a_friday_to_sunday_stay_is_two_and_a_half_dygn() -> None:
    # Friday 9 May 2025 to Sunday 11 May: the nights of Friday and Saturday (1 + 1) and the half day
    # of Sunday = 2.5 dygn. Saturday's night and Sunday's half are weekend: 1.5 dygn at double arvode.
    stay = Stay(dt.date(2025, 5, 9), dt.date(2025, 5, 11), dt.time(17, 0), dt.time(16, 0))
    assert sum(u[1] for u in calc.stay_units(stay)) == D("2.5")
    lines = by_component(month_lines(kf(), Period(2025, 5), RATES, stays=[stay]))
    single, double = lines["fee:0–12 år:single"], lines["fee:0–12 år:double"]
    assert (single.quantity, single.unit_price, single.amount) == (D(1), D(225), D(225))  # Friday
    assert (double.quantity, double.unit_price, double.amount) == (D("1.5"), D(450), D(675))  # Sat + ½ Sun
    # omkostnad: 105 % × 58 800 / 365 = 169.15 → 169 kr per dygn; × 2.5 = 422.50 kr
    allowance = lines["allowance:0–12 år"]
    assert (allowance.quantity, allowance.unit_price, allowance.amount) == (D("2.5"), D(169), D("422.50"))
    assert "2025-05-09 17:00–2025-05-11 16:00 (2,5 dygn)" in allowance.why
    assert allowance.kind == calc.ALLOWANCE and single.kind == calc.FEE


def test_a_public_holiday_doubles_the_arvode() -> None:
    # Kristi himmelsfärdsdag, Thursday 29 May 2025: Wed 28 (1, single), Thu 29 (1, double), Fri 30 (½, single)
    stay = Stay(dt.date(2025, 5, 28), dt.date(2025, 5, 30))
    lines = by_component(
        month_lines(kf(), Period(2025, 5), RATES, stays=[stay], holidays=frozenset({dt.date(2025, 5, 29)}))
    )
    assert lines["fee:0–12 år:single"].quantity == D("1.5")
    assert lines["fee:0–12 år:double"].quantity == D(1)
    assert lines["fee:0–12 år:double"].amount == D(450)


def test_a_long_stay_doubles_weekends_only_within_its_first_14_days() -> None:
    # Tuesday 1 July to Sunday 20 July 2025: 20 days (more than 14), 19 nights + ½ = 19.5 dygn.
    # Days 1-14 (1-14 July) hold the weekends 5-6 and 12-13 July: 4 dygn at double arvode.
    # Days 15-20 hold Saturday 19 (1) and Sunday 20 (½): single, because they are after day 14.
    stay = Stay(dt.date(2025, 7, 1), dt.date(2025, 7, 20))
    lines = by_component(month_lines(kf(), Period(2025, 7), RATES, stays=[stay]))
    assert lines["fee:0–12 år:double"].quantity == D(4)
    assert lines["fee:0–12 år:single"].quantity == D("15.5")
    # 15.5 × 225 + 4 × 450 = 3 487.50 + 1 800 = 5 287.50 kr
    assert lines["fee:0–12 år:single"].amount + lines["fee:0–12 år:double"].amount == D("5287.50")
    # the same weekend inside a stay of 14 days or less is doubled: 12-20 July is 9 days
    short = by_component(
        month_lines(kf(), Period(2025, 7), RATES, stays=[Stay(dt.date(2025, 7, 12), dt.date(2025, 7, 20))])
    )
    # Sat 12, Sun 13, Sat 19 (1 each) and Sun 20 (½) doubled: 3.5; Mon 14 - Fri 18: 5 single
    assert short["fee:0–12 år:double"].quantity == D("3.5")
    assert short["fee:0–12 år:single"].quantity == D(5)


def test_a_stay_across_a_month_boundary_counts_only_the_months_dygn() -> None:
    # June 2025. Fri 30 May - Mon 2 June: in June the night of Sun 1 (1, double) and the half day of
    # Mon 2 (½, single). Sat 28 June - Tue 1 July: Sat 28 and Sun 29 (1 + 1, double), Mon 30 (1,
    # single); the half day of 1 July belongs to July. Double 3 dygn, single 1.5.
    stays = [Stay(dt.date(2025, 5, 30), dt.date(2025, 6, 2)), Stay(dt.date(2025, 6, 28), dt.date(2025, 7, 1))]
    lines = by_component(month_lines(kf(), Period(2025, 6), RATES, stays=stays))
    assert lines["fee:0–12 år:double"].quantity == D(3)
    assert lines["fee:0–12 år:single"].quantity == D("1.5")
    assert lines["allowance:0–12 år"].quantity == D("4.5")
    assert (
        "2025-05-30–2025-06-02 (3,5 dygn); 2025-06-28–2025-07-01 (3,5 dygn)" in lines["allowance:0–12 år"].why
    )
    # an assignment that ends on Sunday 29 June is paid up to that day: Mon 30 is not counted
    ended = by_component(month_lines(kf(end_on=dt.date(2025, 6, 29)), Period(2025, 6), RATES, stays=stays))
    assert ended["fee:0–12 år:double"].quantity == D(3)
    assert ended["fee:0–12 år:single"].quantity == D("0.5")
    # a stay wholly in May is not June's and is not named in June's reason
    may = Stay(dt.date(2025, 5, 16), dt.date(2025, 5, 18))
    assert "2025-05-16" not in month_lines(kf(), Period(2025, 6), RATES, stays=[may, *stays])[0].why


def test_a_partial_first_month_is_pro_rata_by_days() -> None:
    # Kontaktperson from Tuesday 11 March 2025: 21 of March's 31 days.
    # arvode category 1: 1 500 × 21 / 31 = 1 016.129… → 1 016.13 kr
    # omkostnad 25 %: 25 % × 58 800 / 12 = 1 225 kr; × 21 / 31 = 829.838… → 829.84 kr
    facts = Facts("kontaktperson", dt.date(2025, 3, 11), None, CHILD_8, "1", "25")
    lines = by_component(
        month_lines(facts, Period(2025, 3), RATES, meetings=[Meeting(dt.date(2025, 3, 14), D(3))])
    )
    assert lines["fee"].amount == D("1016.13")
    assert lines["fee"].unit_price == D(1500)
    assert lines["allowance"].unit_price == D(1225)
    assert lines["allowance"].amount == D("829.84")
    assert "Del av månaden: 21 av 31 dagar." in lines["fee"].why
    # no approved meeting in the month: nothing is paid
    assert month_lines(facts, Period(2025, 4), RATES) == []


def test_the_sibling_reduction() -> None:
    # Familjehem for two siblings (aged 8) in April 2025, basic level 11 237 kr, sibling reduction 20 %:
    # the first child 11 237 kr; the sibling 11 237 × 80 % = 8 989.60 → 8 990 kr.
    # omkostnad 110 % × 58 800 / 12 = 5 390 kr per child; two children 10 780 kr.
    facts = Facts("familjehem", dt.date(2024, 1, 1), None, CHILD_8, "basic", "basic", children=2)
    lines = by_component(month_lines(facts, Period(2025, 4), RATES))
    assert lines["fee"].amount == D(11237)
    assert (lines["fee:sibling"].quantity, lines["fee:sibling"].unit_price) == (D(1), D(8990))
    assert lines["fee:sibling"].amount == D(8990)
    assert "syskonavdrag 20 %" in lines["fee:sibling"].why
    assert lines["allowance:0–12 år"].amount == D(10780)


def test_the_age_band_changes_at_a_birthday_inside_the_month() -> None:
    # Born 16 April 2012: 12 years on 1-15 April 2025, 13 from 16 April. April has 30 days.
    # 1-15 April: 110 % × 58 800 / 12 = 5 390 kr × 15/30 = 2 695.00 kr
    # 16-30 April: 125 % × 58 800 / 12 = 6 125 kr × 15/30 = 3 062.50 kr
    # the child allowance the home receives, 1 250 kr per month, is deducted.
    facts = Facts(
        "familjehem",
        dt.date(2024, 1, 1),
        None,
        dt.date(2012, 4, 16),
        "basic",
        "basic",
        child_allowance_deduction=D(1250),
    )
    lines = by_component(month_lines(facts, Period(2025, 4), RATES))
    assert lines["allowance:0–12 år"].amount == D("2695.00")
    assert lines["allowance:13 år och äldre"].amount == D("3062.50")
    assert lines["allowance:13 år och äldre"].unit_price == D(6125)
    assert lines["allowance:child_allowance"].amount == D(-1250)
    # per dygn, the band is the child's age on each day: a kontaktfamilj stay over the birthday
    stay = Stay(dt.date(2025, 4, 14), dt.date(2025, 4, 17))  # nights 14, 15 (12 years), 16 (13) and ½ on 17
    kf_lines = by_component(
        month_lines(kf(birth_date=dt.date(2012, 4, 16)), Period(2025, 4), RATES, stays=[stay])
    )
    assert kf_lines["fee:0–12 år:single"].quantity == D(2)
    assert kf_lines["fee:13–17 år:single"].quantity == D("1.5")
    assert kf_lines["fee:13–17 år:single"].unit_price == D(292)


def test_omkostnad_from_the_percentage_and_the_pbb_with_the_rounding_rule() -> None:
    # 105 % × 58 800 / 365 = 169.150… kr per dygn: 169 kr in whole kronor, 169.15 kr in öre
    assert calc.round_by(D(105) / 100 * D(58800) / 365, calc.WHOLE_HALF_UP) == D(169)
    assert calc.round_by(D(105) / 100 * D(58800) / 365, calc.ORE_HALF_UP) == D("169.15")
    # 2026: 105 % × 59 200 / 365 = 170.30… → 170 kr: the table follows the prisbasbelopp
    assert calc.round_by(D(105) / 100 * D(59200) / 365, calc.WHOLE_HALF_UP) == D(170)
    # a tie: 10 % × 58 860 / 12 = 490.50 kr: half up gives 491 kr, half to even 490 kr
    facts = Facts("kontaktperson", dt.date(2025, 1, 1), None, CHILD_8, "1", "10")
    meeting = [Meeting(dt.date(2025, 6, 3))]
    half_up = _rates(prisbasbelopp=D(58860))
    half_even = _rates(prisbasbelopp=D(58860), rounding=calc.WHOLE_HALF_EVEN)
    assert by_component(month_lines(facts, Period(2025, 6), half_up, meetings=meeting))[
        "allowance"
    ].amount == D(491)
    assert by_component(month_lines(facts, Period(2025, 6), half_even, meetings=meeting))[
        "allowance"
    ].amount == D(490)


def _rates(**changes: object) -> Rates:
    import dataclasses

    return dataclasses.replace(RATES, **changes)  # type: ignore[arg-type]


def test_a_missing_figure_is_reported_not_paid_as_zero() -> None:
    facts = Facts("kontaktperson", dt.date(2025, 1, 1), None, CHILD_8, "3", "10")
    with pytest.raises(calc.MissingRate, match="kategori 3"):
        month_lines(facts, Period(2025, 6), RATES, meetings=[Meeting(dt.date(2025, 6, 3))])


def test_an_ended_assignment_is_paid_to_its_end_date_and_expenses_once() -> None:
    # Familjehem ending 10 June 2025: 10 of 30 days: 11 237 × 10 / 30 = 3 745.666… → 3 745.67 kr
    facts = Facts("familjehem", dt.date(2024, 1, 1), dt.date(2025, 6, 10), CHILD_8, "basic", "basic")
    expense = calc.ExpenseItem("e1", D("349.90"), dt.date(2025, 6, 2), "Biobiljetter")
    lines = by_component(month_lines(facts, Period(2025, 6), RATES, expenses=[expense]))
    assert lines["fee"].amount == D("3745.67")
    assert lines["expense:e1"].amount == D("349.90")
    assert lines["expense:e1"].kind == calc.EXPENSE
    assert month_lines(facts, Period(2025, 7), RATES) == []
