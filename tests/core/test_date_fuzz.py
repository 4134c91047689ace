"""Every date a person can send, from 0001-01-01 to 9999-12-31, into every form, API body and import
column that takes one: the answer is a saved row within its bounds or a Swedish message naming the
field, never a 500 (the test client re-raises server errors) and never a stored out-of-range value."""

from __future__ import annotations

import datetime as dt
import json
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from bredvid.accounts.services import issue_api_token
from bredvid.casework import services
from bredvid.casework.models import Decision
from bredvid.core import date_bounds
from bredvid.supporters.importer import COLUMNS, import_supporters
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory, _number

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _edges() -> list[dt.date]:
    today = timezone.localdate()
    years = [date_bounds.Offset(years=n).on(today) for n in (-10, 10)]  # 29 February has no twin
    return [
        dt.date.min, dt.date.max, dt.date(1899, 12, 31), dt.date(1900, 1, 1), today,
        today + dt.timedelta(days=1), today + dt.timedelta(days=7), today + dt.timedelta(days=8),
        *years, *(d + dt.timedelta(days=s) for d in years for s in (-1, 1)), dt.date(9999, 12, 30),
    ]  # fmt: skip


# The edges are drawn while a test runs, relative to its (frozen) today, not to the day of collection.
EDGES = st.builds(_edges).flatmap(st.sampled_from)
DATES = st.one_of(st.dates(), EDGES)
ZONES = st.sampled_from(
    [None, dt.UTC, dt.timezone(dt.timedelta(hours=14)), dt.timezone(dt.timedelta(hours=-12))]
)
DATETIMES = st.one_of(
    st.datetimes(timezones=ZONES),
    st.builds(lambda d, z: dt.datetime.combine(d, dt.time(23, 30), tzinfo=z), EDGES, ZONES),
)


def _assert_nothing_stored_outside() -> None:
    assert list(date_bounds.stored_outside()) == []


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    child = PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )
    return CaseFactory(unit=world.home_unit, client=child, responsible=world.users["caseworker"])


@pytest.fixture
def api(world):  # type: ignore[no-untyped-def]
    def make(role: str = "caseworker") -> Client:
        token = issue_api_token(user=world.users[role], municipality=world.home)
        return Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    return make


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/{path}", data=json.dumps(body, default=str), content_type="application/json")


def _check_api(response: Any, field: str, value: Any) -> None:
    assert response.status_code in (201, 422), response.content
    if response.status_code == 422:
        fields = {item["field"] for item in response.json()["detail"]}
        assert f"body.{field}" in fields, response.content


# ---------------------------------------------------------------------------
# API bodies
# ---------------------------------------------------------------------------
def test_api_concern_report_received_at(world, case, api) -> None:  # type: ignore[no-untyped-def]
    client = api()

    @FUZZ
    @given(DATETIMES)
    def run(value: dt.datetime) -> None:
        body = {
            "case_id": str(case.pk),
            "received_at": value.isoformat(),
            "reporter": "school",
            "content": "Oro",
        }
        _check_api(_post(client, "concern-reports/", body), "received_at", value)

    run()
    _assert_nothing_stored_outside()
    assert client.get("/api/v1/deadlines/").status_code == 200


def test_api_application_investigation_and_journal_dates(world, case, api) -> None:  # type: ignore[no-untyped-def]
    client = api()

    @FUZZ
    @given(DATES)
    def run(value: dt.date) -> None:
        application = {
            "case_id": str(case.pk), "received_on": value.isoformat(), "form": "oral",
            "applicant": "guardians", "support_kind": "kontaktperson",
        }  # fmt: skip
        _check_api(_post(client, "applications/", application), "received_on", value)
        investigation = {"case_id": str(case.pk), "started_on": value.isoformat()}
        _check_api(_post(client, "investigations/", investigation), "started_on", value)
        journal = {
            "case_id": str(case.pk),
            "occurred_on": value.isoformat(),
            "title": "Samtal",
            "text": "Text",
        }
        _check_api(_post(client, "journal-entries/", journal), "occurred_on", value)

    run()
    _assert_nothing_stored_outside()
    assert client.get("/api/v1/deadlines/").status_code == 200
    assert world.client("caseworker").get(reverse("staff:case_detail", args=[case.pk])).status_code == 200


def test_api_decision_period(world, case, api) -> None:  # type: ignore[no-untyped-def]
    client = api()

    @FUZZ
    @given(DATES, st.one_of(st.none(), DATES))
    def run(start: dt.date, end: dt.date | None) -> None:
        body = {
            "case_id": str(case.pk), "outcome": "granted", "legal_basis": "sol_13_7",
            "support_kind": "kontaktperson", "scope_amount": "8", "scope_unit": "hours_per_month",
            "period_start": start.isoformat(), "period_end": end.isoformat() if end else None, "reasons": "Behov",
        }  # fmt: skip
        response = _post(client, "decisions/", body)
        assert response.status_code in (201, 422), response.content
        if response.status_code == 422:
            fields = {item["field"] for item in response.json()["detail"]}
            assert fields & {"body.period_start", "body.period_end"}, response.content

    run()
    _assert_nothing_stored_outside()


def test_api_person_birth_date(world, api) -> None:  # type: ignore[no-untyped-def]
    client = api()
    counter = iter(range(10_000))

    @FUZZ
    @given(DATES)
    def run(value: dt.date) -> None:
        body = {
            "identity_kind": "reserve", "identity_number": f"R-{next(counter)}", "birth_date": value.isoformat(),
            "first_name": "Nora", "last_name": "Lind",
        }  # fmt: skip
        _check_api(_post(client, "persons/", body), "birth_date", value)

    run()
    _assert_nothing_stored_outside()


# ---------------------------------------------------------------------------
# Forms (pages)
# ---------------------------------------------------------------------------
def _form_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        return {}
    return dict(response.context["form"].errors)


def test_case_forms(world, case) -> None:  # type: ignore[no-untyped-def]
    client = world.client("caseworker")

    def post(name: str, data: dict[str, str], *args: Any) -> dict[str, list[str]]:
        return _form_errors(client.post(reverse(f"staff:case_{name}", args=[case.pk, *args]), data))

    @FUZZ
    @given(DATES, DATETIMES)
    def run(value: dt.date, moment: dt.datetime) -> None:
        day = value.isoformat()
        errors = post("journal_new", {"occurred_on": day, "title": "Samtal", "text": "Text"})
        assert not errors or "occurred_on" in errors
        errors = post("application_new", {"received_on": day, "form": "oral", "applicant": "guardians",
                                          "support_kind": "kontaktperson", "description": ""})  # fmt: skip
        assert not errors or "received_on" in errors
        errors = post("investigation_new", {"started_on": day})
        assert not errors or "started_on" in errors
        errors = post("decision_new", {"outcome": "granted", "legal_basis": "sol_13_7", "support_kind": "kontaktperson",
                                       "scope_amount": "8", "scope_unit": "hours_per_month", "period_start": day,
                                       "reasons": "Behov"})  # fmt: skip
        assert not errors or "period_start" in errors
        local = moment.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")
        errors = post("concern_new", {"received_at": local, "reporter": "school", "content": "Oro"})
        assert not errors or "received_at" in errors

    run()
    _assert_nothing_stored_outside()
    assert client.get(reverse("staff:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("staff:todo")).status_code == 200


def test_decide_and_close_forms(world, case) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    data = {
        "outcome": "granted", "legal_basis": "sol_13_7", "support_kind": "kontaktperson", "scope_amount": 8,
        "scope_unit": Decision.ScopeUnit.HOURS_PER_MONTH, "period_start": today, "reasons": "Behov",
    }  # fmt: skip
    decision = services.propose_decision(tenant=world.tenant("caseworker"), case=case, data=data)
    manager = world.client("manager")

    @FUZZ
    @given(DATES)
    def run(value: dt.date) -> None:
        decision.refresh_from_db()
        if decision.status != Decision.Status.PROPOSED:
            return
        url = reverse("staff:case_decision_decide", args=[case.pk, decision.pk])
        errors = _form_errors(manager.post(url, {"decided_on": value.isoformat()}))
        assert not errors or "decided_on" in errors

    run()
    _assert_nothing_stored_outside()


def test_person_form_birth_date(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("caseworker")
    counter = iter(range(10_000))

    @FUZZ
    @given(DATES)
    def run(value: dt.date) -> None:
        data = {"identity_choice": "reserve", "identity_number": f"R-{next(counter)}", "birth_date": value.isoformat(),
                "first_name": "Nora", "last_name": "Lind", "protection_level": "none"}  # fmt: skip
        response = client.post(reverse("staff:person_create"), data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert "birth_date" in response.context["form"].errors

    run()
    _assert_nothing_stored_outside()


# ---------------------------------------------------------------------------
# Supporter import columns
# ---------------------------------------------------------------------------
def _xlsx(values: dict[str, Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    sheet.append([values.get(c, "") for c in COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_import_date_columns(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("family_care_officer")
    counter = iter(range(1, 10_000))

    @FUZZ
    @given(DATES, DATES, st.booleans())
    def run(approved: dt.date, received: dt.date, as_text: bool) -> None:
        n = next(counter)
        cell = (lambda d: d.isoformat()) if as_text else (lambda d: dt.datetime.combine(d, dt.time()))
        row = {
            "Namn": f"Familjen {n}", "Uppdrag": "familjehem", "Status": "Godkänd", "Godkänd datum": cell(approved),
            "Ort": "Alafors", "Personnummer 1": _number(n), "Förnamn 1": "Anna", "Efternamn 1": "Ek",
            "Belastningsregistret 1": cell(received), "Misstankeregistret 1": cell(received),
        }  # fmt: skip
        result = import_supporters(tenant=tenant, stream=BytesIO(_xlsx(row)), commit=True)
        columns = {e.column for e in result.errors}
        assert columns <= {"Godkänd datum", "Belastningsregistret 1", "Misstankeregistret 1"}, result.errors
        if not date_bounds.within(date_bounds.EVENT, approved):
            assert "Godkänd datum" in columns
        if not date_bounds.within(date_bounds.RECEIPT, received):
            assert "Belastningsregistret 1" in columns
        assert result.committed == (not result.errors)

    run()
    _assert_nothing_stored_outside()
