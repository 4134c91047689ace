"""The monthly payment run: prepared from approved reports and payable expenses, idempotent,
corrections as adjustment lines, attested by another manager, exported as PAXml that validates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from lxml import etree

from bredvid.audit.models import AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.expenses.models import Expense
from bredvid.payments import exports, services
from bredvid.payments.models import PaymentLine, PaymentRun, Rate, RateTable, Source
from tests.payments.conftest import make_assignment, report

MARCH = dt.date(2026, 3, 1)


def test_seeding_ships_skr_years_as_editable_data(world: Any) -> None:
    services.seed_known_years(municipality=world.home)
    services.seed_known_years(municipality=world.home)  # idempotent
    tables = {t.year: t for t in RateTable.objects.in_municipality(world.home)}
    assert {y: t.prisbasbelopp for y, t in tables.items()} == {2025: Decimal(58800), 2026: Decimal(59200)}
    kf = Rate.objects.get(
        table=tables[2026], group="kontaktfamilj", component="allowance", level="basic", age_from=0
    )
    assert (kf.percent, kf.amount, kf.source) == (Decimal(105), None, Source.SKR)
    undecided = Rate.objects.get(table=tables[2026], group="kontaktperson", component="fee", level="1")
    assert undecided.amount is None and undecided.source == Source.MUNICIPALITY


def test_editing_a_figure_makes_it_the_municipalitys_decision(world: Any) -> None:
    services.seed_known_years(municipality=world.home)
    rate = Rate.objects.in_municipality(world.home).get(
        table__year=2026, group="kontaktfamilj", component="fee", age_from=0
    )
    services.update_rate(tenant=world.tenant("admin"), rate=rate, value=Decimal(250))
    rate.refresh_from_db()
    assert (rate.amount, rate.source) == (Decimal(250), Source.MUNICIPALITY)
    with pytest.raises(PermissionDenied):
        services.update_rate(tenant=world.tenant("manager"), rate=rate, value=Decimal(1))


def test_a_month_run_pays_reports_and_expenses_and_a_rerun_adds_nothing(decided: Any) -> None:
    world = decided
    kp = make_assignment(world)
    report(kp, dt.date(2026, 3, 4), hours=Decimal(3))
    kf = make_assignment(
        world, kind="kontaktfamilj", fee_level="", allowance_level="basic", name="Familjen Al"
    )
    report(kf, dt.date(2026, 3, 13), dt.date(2026, 3, 15))  # Friday to Sunday
    report(kf, dt.date(2026, 3, 20), dt.date(2026, 3, 22), status="submitted")  # not approved: not paid
    expense = Expense.objects.create(
        municipality=world.home,
        assignment=kp,
        kind=Expense.Kind.EXPENSE,
        status=Expense.Status.APPROVED,
        description="Bowling",
        incurred_on=dt.date(2026, 3, 5),
        amount=Decimal("240.00"),
    )
    manager = world.tenant("manager")
    prepared = services.prepare_run(tenant=manager, period=MARCH)
    run = prepared.run
    assert run is not None and prepared.new_lines == 6
    lines = {(line.assignment_id, line.component): line for line in PaymentLine.objects.filter(run=run)}
    # kontaktperson category 1 (decided 1 000 kr) and 25 % × 59 200 / 12 = 1 233.33 → 1 233 kr
    assert lines[(kp.pk, "fee")].amount == Decimal(1000)
    assert lines[(kp.pk, "allowance")].amount == Decimal(1233)
    assert lines[(kp.pk, f"expense:{expense.pk}")].expense_id == expense.pk
    # kontaktfamilj Fri 13 - Sun 15 March 2026, a 9-year-old: 1 × 225 + 1.5 × 450; 2.5 × 170 (105 % × 59 200 / 365)
    assert lines[(kf.pk, "fee:0–12 år:single")].amount == Decimal(225)
    assert lines[(kf.pk, "fee:0–12 år:double")].amount == Decimal(675)
    assert lines[(kf.pk, "allowance:0–12 år")].amount == Decimal(425)
    assert (
        run.total_fee == Decimal(1900)
        and run.total_allowance == Decimal(1658)
        and run.total_expense == Decimal(240)
    )
    # again: nothing new
    again = services.prepare_run(tenant=manager, period=MARCH)
    assert again.new_lines == 0 and again.run == run
    assert PaymentLine.objects.count() == 6


def test_a_correction_after_attest_is_an_adjustment_in_a_later_run(decided: Any, second_manager: Any) -> None:
    world = decided
    kf = make_assignment(world, kind="kontaktfamilj", fee_level="", allowance_level="basic")
    report(kf, dt.date(2026, 3, 13), dt.date(2026, 3, 15))
    manager = world.tenant("manager")
    first = services.prepare_run(tenant=manager, period=MARCH).run
    assert first is not None
    services.attest_run(tenant=second_manager, run=first)
    # a late report for the same month is approved after the attest
    report(kf, dt.date(2026, 3, 2), dt.date(2026, 3, 3))  # Mon-Tue: 1.5 dygn, single
    later = services.prepare_run(tenant=manager, period=MARCH)
    assert later.run is not None and later.run != first
    adjustments = {line.component: line for line in PaymentLine.objects.filter(run=later.run)}
    assert set(adjustments) == {"fee:0–12 år:single", "allowance:0–12 år"}
    assert adjustments["fee:0–12 år:single"].adjustment
    assert adjustments["fee:0–12 år:single"].amount == Decimal("337.50")  # 1.5 × 225
    assert adjustments["fee:0–12 år:single"].revision == 1
    assert "tidigare utbetalt 225 kr" in adjustments["fee:0–12 år:single"].why
    # the attested run is locked: its lines did not change
    assert PaymentLine.objects.filter(run=first).count() == 3


def test_attest_needs_another_manager_and_happens_once(decided: Any, second_manager: Any) -> None:
    world = decided
    kp = make_assignment(world)
    report(kp, dt.date(2026, 3, 4))
    manager = world.tenant("manager")
    run = services.prepare_run(tenant=manager, period=MARCH).run
    assert run is not None
    with pytest.raises(IllegalTransition, match="förberedde"):
        services.attest_run(tenant=manager, run=run)
    with pytest.raises(PermissionDenied):
        services.attest_run(tenant=world.tenant("family_care_officer"), run=run)
    services.attest_run(tenant=second_manager, run=run)
    stale = PaymentRun.objects.get(pk=run.pk)
    stale.status = PaymentRun.Status.PREPARED  # a copy loaded before the attest
    events = AuditEvent.objects.count()
    with pytest.raises(IllegalTransition, match="redan attesterad"):
        services.attest_run(tenant=second_manager, run=stale)
    assert AuditEvent.objects.count() == events


def test_the_paxml_validates_and_its_totals_equal_the_runs(decided: Any, second_manager: Any) -> None:
    world = decided
    kp = make_assignment(world, name='=HYPERLINK("x")')
    report(kp, dt.date(2026, 3, 4))
    fh = make_assignment(world, kind="familjehem", fee_level="basic", allowance_level="basic", children=2)
    fh.child_allowance_deduction = Decimal(1250)
    fh.save()
    run = services.prepare_run(tenant=world.tenant("manager"), period=MARCH).run
    assert run is not None
    with pytest.raises(IllegalTransition, match="attesterad"):
        exports.paxml(run)
    services.attest_run(tenant=second_manager, run=run)
    run.refresh_from_db()
    document = etree.fromstring(exports.paxml(run))
    exports.paxml_schema().assertValid(document)
    amounts = [Decimal(x) for x in document.xpath("//lonetrans/belopp/text()")]
    assert len(amounts) == run.line_count
    assert sum(amounts) == run.total
    codes = {c: Decimal(0) for c in ("711", "712", "790")}
    for trans in document.xpath("//lonetrans"):
        codes[trans.findtext("lonart")] += Decimal(trans.findtext("belopp"))
    assert codes["711"] == run.total_fee and codes["712"] == run.total_allowance
    csv_text = exports.csv_bytes(run).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    assert exports.excel_summary(run)[:2] == b"PK"
    pdf, totals = exports.yearly_statement(fh.supporter, 2026)
    assert pdf.startswith(b"%PDF")
    assert totals["fee"] == Decimal(11237) + Decimal(8990)


def test_missing_wage_types_refuse_the_export(world: Any, second_manager: Any) -> None:
    services.seed_known_years(municipality=world.home)
    fh = make_assignment(world, kind="familjehem", fee_level="basic", allowance_level="basic")
    assert fh
    run = services.prepare_run(tenant=world.tenant("manager"), period=MARCH).run
    assert run is not None
    services.attest_run(tenant=second_manager, run=run)
    with pytest.raises(IllegalTransition, match="Lönearter saknas"):
        exports.paxml(run)


def test_a_missing_rate_is_listed_not_paid(world: Any) -> None:
    services.seed_known_years(municipality=world.home)  # kontaktperson fees not decided
    kp = make_assignment(world)
    report(kp, dt.date(2026, 3, 4))
    prepared = services.prepare_run(tenant=world.tenant("manager"), period=MARCH)
    assert prepared.new_lines == 0
    assert prepared.problems and "kategori 1" in prepared.problems[0]["reason"]


def test_no_table_for_the_year_is_a_clear_refusal(world: Any) -> None:
    with pytest.raises(IllegalTransition, match="ingen ersättningstabell för 2026"):
        services.prepare_run(tenant=world.tenant("manager"), period=MARCH)


def test_a_new_year_carries_over_the_municipalitys_own_figures(world, decided) -> None:  # type: ignore[no-untyped-def]
    from bredvid.payments.models import Component, RateGroup

    admin = world.tenant("admin")
    table = services.create_year(tenant=admin, year=2027, prisbasbelopp=Decimal(60000))
    fees = Rate.objects.filter(table=table, group=RateGroup.KONTAKTPERSON, component=Component.FEE)
    assert {r.level: r.amount for r in fees} == {"1": Decimal(1000), "2": Decimal(2000), "3": Decimal(3000)}
    assert {r.source for r in fees} == {Source.MUNICIPALITY}
    assert all("2026" in r.note for r in fees)
    # SKR's own figures are SKR's again in the new year, not the municipality's
    skr = Rate.objects.filter(table=table, group=RateGroup.KONTAKTFAMILJ, component=Component.FEE)
    assert skr.exists() and {r.source for r in skr} == {Source.SKR}
    event = AuditEvent.objects.filter(object_id=str(table.pk)).latest("seq")
    assert (
        event.detail["carried_over"]
        == fees.count() + Rate.objects.filter(table=table, component=Component.SIBLING_REDUCTION).count()
    )
