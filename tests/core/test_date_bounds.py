"""The date bounds: one table, relative to today, on every input date field; check_dates lists what
is stored outside them; the IVO report and import keep working around a bad row."""

from __future__ import annotations

import datetime as dt
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bredvid.casework import services
from bredvid.casework.models import ConcernReport, Decision, Investigation
from bredvid.core import date_bounds
from bredvid.core.date_bounds import BIRTH, EVENT, PLAN, RECEIPT, DateBounds
from bredvid.people.models import Person
from bredvid.supporters.importer import COLUMNS, import_supporters
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory, _number

TODAY = dt.date(2026, 3, 15)


@pytest.fixture
def frozen_today(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(date_bounds, "today", lambda: TODAY)
    return TODAY


@pytest.mark.parametrize(
    ("kind", "inside", "outside"),
    [
        (BIRTH, [dt.date(1900, 1, 1), TODAY], [dt.date(1899, 12, 31), TODAY + dt.timedelta(days=1)]),
        (RECEIPT, [dt.date(1900, 1, 1), TODAY], [dt.date(1, 1, 1), TODAY + dt.timedelta(days=1)]),
        (
            EVENT,
            [dt.date(1900, 1, 1), TODAY + dt.timedelta(days=7)],
            [TODAY + dt.timedelta(days=8), dt.date.max],
        ),
        (PLAN, [dt.date(2016, 3, 15), dt.date(2036, 3, 15)], [dt.date(2016, 3, 14), dt.date(2036, 3, 16)]),
    ],
)
def test_ranges_are_relative_to_today(frozen_today, kind, inside, outside) -> None:  # type: ignore[no-untyped-def]
    for value in inside:
        DateBounds(kind)(value)
    for value in outside:
        with pytest.raises(ValidationError) as caught:
            DateBounds(kind)(value)
        assert caught.value.code == "date_out_of_range"
        assert caught.value.messages[0].startswith("Ange ")


def test_times_are_checked_by_their_local_date(frozen_today) -> None:  # type: ignore[no-untyped-def]
    late_evening_utc = dt.datetime(2026, 3, 14, 23, 30, tzinfo=dt.UTC)  # 00:30 on the 15th in Sweden
    DateBounds(RECEIPT)(late_evening_utc)
    with pytest.raises(ValidationError):
        DateBounds(RECEIPT)(dt.datetime(2026, 3, 15, 23, 30, tzinfo=dt.UTC))  # the 16th locally
    for extreme in (dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC), dt.datetime(1, 1, 1, tzinfo=dt.UTC)):
        with pytest.raises(ValidationError):
            DateBounds(RECEIPT)(extreme)


def test_messages_name_the_range(frozen_today) -> None:  # type: ignore[no-untyped-def]
    assert (
        date_bounds.message(PLAN) == "Ange ett datum inom tio år från i dag: från 2016-03-15 till 2036-03-15."
    )
    assert date_bounds.message(EVENT) == "Ange ett datum från 1900-01-01 till 2026-03-22."


def test_validators_store_only_the_kind_so_migrations_never_follow_the_clock(db, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert DateBounds(PLAN).deconstruct() == ("bredvid.core.date_bounds.DateBounds", (PLAN,), {})
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2040, 1, 1))
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())  # exits non-zero on changes


def test_every_input_date_field_is_bounded() -> None:
    bounded = {(f.model._meta.label, f.name) for f in date_bounds.bounded_fields()}
    from django.apps import apps
    from django.db import models

    system = {"created_at", "updated_at", "at", "occurred_at", "revoked_at", "last_login", "date_joined"}
    for model in apps.get_models():
        if not model.__module__.startswith("bredvid."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and field.name not in system:
                assert (model._meta.label, field.name) in bounded, (model._meta.label, field.name)


def test_model_validation_refuses_with_the_field(db, world) -> None:  # type: ignore[no-untyped-def]
    person = Person(
        municipality=world.home, identity_kind="reserve", identity_number="R-9", birth_date=dt.date(1, 1, 1),
        first_name="A", last_name="B",
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "birth_date" in caught.value.message_dict


def test_services_check_dates_they_set_on_stored_rows(world) -> None:  # type: ignore[no-untyped-def]
    case = CaseFactory(unit=world.home_unit, responsible=world.users["caseworker"])
    with pytest.raises(ValidationError) as caught:
        services.close_case(tenant=world.tenant("caseworker"), case=case, closed_on=dt.date.max)
    assert "closed_on" in caught.value.message_dict
    case.refresh_from_db()
    assert case.closed_on is None


def test_check_dates_lists_stored_values_outside_the_bounds(world) -> None:  # type: ignore[no-untyped-def]
    case = CaseFactory(unit=world.home_unit, responsible=world.users["caseworker"])
    cw = world.tenant("caseworker")
    investigation = services.start_investigation(tenant=cw, case=case, started_on=timezone.localdate())
    report = services.register_concern_report(
        tenant=cw, case=case, data={"received_at": timezone.now(), "reporter": "school", "content": "Oro"}
    )
    out = StringIO()
    call_command("check_dates", stdout=out)  # all within: exit 0
    assert "within the bounds" in out.getvalue()

    Investigation.objects.filter(pk=investigation.pk).update(started_on=dt.date(9999, 12, 31))
    ConcernReport.objects.filter(pk=report.pk).update(received_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    out = StringIO()
    with pytest.raises(CommandError, match="2 stored date"):
        call_command("check_dates", stdout=out)
    lines = sorted(out.getvalue().splitlines())
    assert lines == [
        f"casework.ConcernReport\t{report.pk}\treceived_at\t0001-01-01T00:00:00+00:00\tmunicipality={world.home.pk}",
        f"casework.Investigation\t{investigation.pk}\tstarted_on\t9999-12-31\tmunicipality={world.home.pk}",
    ]


def test_ivo_report_lists_a_bad_row_and_keeps_the_others(world) -> None:  # type: ignore[no-untyped-def]
    cases = []
    for n in range(2):
        child = PersonFactory(
            municipality=world.home, identity_number=_number(n + 1), birth_date=dt.date(1981, 12, 28)
        )
        case = CaseFactory(unit=world.home_unit, client=child, reference=f"1440-2026-0000{n}")
        data = {
            "outcome": "granted", "legal_basis": "sol_13_7", "support_kind": "kontaktperson", "scope_amount": 2,
            "scope_unit": Decision.ScopeUnit.DAYS_PER_MONTH, "period_start": dt.date(2026, 3, 1), "reasons": "Behov.",
        }  # fmt: skip
        decision = services.propose_decision(tenant=world.tenant("caseworker"), case=case, data=data)
        services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=dt.date(2026, 3, 1))
        cases.append(case)
    Decision.objects.filter(case=cases[0]).update(decided_on=dt.date(1, 1, 1))
    response = world.client("manager").get(reverse("staff:ivo_report"), {"ar": 2026, "kvartal": 3})
    assert response.status_code == 200
    assert [r["case_ref"] for r in response.context["report"]["rows"]] == [cases[1].reference]
    assert response.context["invalid_dates"] == [{"case_ref": cases[0].reference, "kind": "decision"}]
    assert "ogiltigt datum" in response.content.decode()


def test_import_reports_out_of_range_dates_per_row_and_column(world) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    base = {"Namn": "Familjen Ek", "Uppdrag": "familjehem", "Status": "Godkänd", "Ort": "Alafors",
            "Personnummer 1": _number(1), "Förnamn 1": "Anna", "Efternamn 1": "Ek"}  # fmt: skip
    sheet.append([{**base, "Godkänd datum": "9999-12-31", "Belastningsregistret 1": "2026-01-02",
                   "Misstankeregistret 1": "0001-01-01"}.get(c, "") for c in COLUMNS])  # fmt: skip
    buffer = BytesIO()
    workbook.save(buffer)
    result = import_supporters(
        tenant=world.tenant("family_care_officer"), stream=BytesIO(buffer.getvalue()), commit=True
    )
    assert not result.committed
    errors = {(e.row, e.column) for e in result.errors}
    assert {(2, "Godkänd datum"), (2, "Misstankeregistret 1")} <= errors
    assert any("1900-01-01" in e.message for e in result.errors if e.column == "Godkänd datum")


def test_supporter_services_refuse_dates_outside_before_changing_anything(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.supporters import services as supporter_services
    from bredvid.supporters.models import Supporter

    officer = world.tenant("family_care_officer")
    registration = supporter_services.register_interest(
        municipality=world.home,
        data={"supports": ["kontaktfamilj"], "first_name": "Anna", "last_name": "Ek", "phone": "070-1234567"},
        consent_text="Jag samtycker.",
        source="public",
    )
    with pytest.raises(ValidationError) as caught:
        supporter_services.start_investigation(
            tenant=officer, registration=registration, started_on=dt.date.max
        )
    assert "started_on" in caught.value.message_dict
    assert not Supporter.objects.exists()
    supporter = supporter_services.start_investigation(
        tenant=officer, registration=registration, started_on=timezone.localdate()
    )
    member = supporter_services.add_member(
        tenant=officer, supporter=supporter, person=PersonFactory(municipality=world.home)
    )
    with pytest.raises(ValidationError) as caught:  # add_months(9999-12-31, 12) would overflow
        supporter_services.record_register_check(
            tenant=officer, member=member, kind="police_record", requested_on=dt.date(2026, 1, 1),
            received_on=dt.date.max, outcome="no_record",
        )  # fmt: skip
    assert "received_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        supporter_services.end(tenant=officer, supporter=supporter, reason="Flytt", ended_on=dt.date(1, 1, 1))
    assert "ended_on" in caught.value.message_dict
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.INVESTIGATING and supporter.ended_on is None
