"""A stored date the deadline rules cannot use takes down only its own row, never the municipality.

The rows are written with queryset.update(), which bypasses validation, as data saved before the
date bounds existed (or by a future bug) would be."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bredvid.accounts.services import issue_api_token
from bredvid.casework import services
from bredvid.casework.models import ConcernReport, Decision, Investigation
from bredvid.deadlines import rules
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory


def _ids(ref: str = "1440-2026-00001") -> dict:  # type: ignore[type-arg]
    import uuid

    return {"id": uuid.uuid4(), "case_id": uuid.uuid4(), "case_ref": ref, "responsible_id": 1}


def test_rules_flag_unusable_dates_and_compute_the_rest() -> None:
    good = rules.ConcernFacts(**_ids("A"), received_on=dt.date(2026, 3, 2))
    at_the_end = rules.ConcernFacts(**_ids("B"), received_on=dt.date(9999, 12, 31))
    at_the_start = rules.InvestigationFacts(**_ids("C"), started_on=dt.date(1, 1, 1))
    placement = rules.PlacementFacts(
        **_ids("D"), jourhem=False, started_on=dt.date(2025, 1, 1), last_visit_on=dt.date(9999, 6, 1)
    )
    result = rules.evaluate([good, at_the_end, at_the_start, placement])
    assert {o.case_ref for o in result.obligations} == {"A"}
    assert [(i.case_ref, i.record, i.fields) for i in result.invalid] == [
        ("B", "concern_report", ("received_on",)),
        ("C", "investigation", ("started_on",)),
        ("D", "intervention", ("last_visit_on",)),
    ]
    assert rules.obligations([good, at_the_end]) == rules.evaluate([good]).obligations


def test_arithmetic_that_still_overflows_flags_the_row(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rules, "RULE_LATEST", dt.date.max)  # as if the window were wrong
    result = rules.evaluate([rules.ConcernFacts(**_ids(), received_on=dt.date(9999, 12, 31))])
    assert result.obligations == []
    assert result.invalid[0].record == "concern_report"


def _decision(world, case, on):  # type: ignore[no-untyped-def]
    data = {
        "outcome": "granted",
        "legal_basis": "sol_13_7",
        "support_kind": "kontaktperson",
        "scope_amount": 8,
        "scope_unit": Decision.ScopeUnit.HOURS_PER_MONTH,
        "period_start": on,
        "reasons": "Behov av en vuxen förebild.",
    }
    decision = services.propose_decision(tenant=world.tenant("caseworker"), case=case, data=data)
    return services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=on)


@pytest.fixture
def municipality_cases(world):  # type: ignore[no-untyped-def]
    """Six cases of one caseworker, each with an overdue deadline; three get a bad date."""
    cw = world.tenant("caseworker")
    today = dt.date.today()
    cases = []
    for n in range(6):
        child = PersonFactory(
            municipality=world.home, identity_number=f"2015062{n}-0000", birth_date=dt.date(2015, 6, 20 + n)
        )
        case = CaseFactory(
            unit=world.home_unit,
            client=child,
            responsible=world.users["caseworker"],
            reference=f"1440-2026-{n:05d}",
        )
        services.register_concern_report(
            tenant=cw,
            case=case,
            data={
                "received_at": dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
                "reporter": "school",
                "content": "Oro",
            },
        )
        services.start_investigation(tenant=cw, case=case, started_on=today - dt.timedelta(days=200))
        _decision(world, case, today - dt.timedelta(days=120))
        cases.append(case)
    # the issue's value (a date 9999-12-31, local midnight), a UTC time the database cannot convert,
    # and a date column at the very end of the calendar
    ConcernReport.objects.filter(case=cases[0]).update(
        received_at=dt.datetime(9999, 12, 30, 23, tzinfo=dt.UTC)
    )
    ConcernReport.objects.filter(case=cases[1]).update(
        received_at=dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC)
    )
    Investigation.objects.filter(case=cases[2]).update(started_on=dt.date(9999, 12, 31))
    return cases


def test_every_page_of_the_municipality_stays_up(world, municipality_cases) -> None:  # type: ignore[no-untyped-def]
    bad, other_bad, bad_column, *good = municipality_cases
    client = world.client("caseworker")
    for case in municipality_cases:
        response = client.get(reverse("staff:case_detail", args=[case.pk]))
        assert response.status_code == 200, case.reference
    for case in good:  # the others keep their deadlines
        response = client.get(reverse("staff:case_detail", args=[case.pk]))
        assert {o.kind for o in response.context["obligations"]} >= {"investigation", "execution"}
        assert not response.context["invalid_dates"]
    # the bad rows are flagged on their case, with the record and the field
    flagged = client.get(reverse("staff:case_detail", args=[bad_column.pk]))
    assert [(r.record, r.fields) for r in flagged.context["invalid_dates"]] == [("Utredning", "startdatum")]
    assert "ogiltigt datum" in flagged.content.decode()
    assert {o.kind for o in flagged.context["obligations"]} == {
        "execution",
        "protection_assessment",
        "preliminary_assessment",
    }
    report_page = client.get(reverse("staff:case_detail", args=[other_bad.pk]))
    assert [(r.record, r.fields) for r in report_page.context["invalid_dates"]] == [("Orosanmälan", "inkom")]

    todo = client.get(reverse("staff:todo"))
    assert todo.status_code == 200
    assert {r.case_ref for r in todo.context["invalid_dates"]} == {
        c.reference for c in (bad, other_bad, bad_column)
    }
    assert "ogiltigt datum" in todo.content.decode()
    overdue_refs = {o.case_ref for o in todo.context["summary"].overdue}
    assert {c.reference for c in good} <= overdue_refs
    manager = world.client("manager").get(reverse("staff:todo"), {"visa": "enheten"})
    assert manager.status_code == 200 and len(manager.context["invalid_dates"]) == 3

    token = issue_api_token(user=world.users["caseworker"], municipality=world.home)
    api = client.__class__(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.get("/api/v1/deadlines/")
    assert response.status_code == 200
    by_case = {item["case_ref"] for item in response.json()["results"]}
    assert {c.reference for c in good} <= by_case
    for path in ("/api/v1/concern-reports/", "/api/v1/investigations/"):
        assert api.get(path).status_code == 200


def test_reminders_go_out_and_the_job_reports_what_it_skipped(
    world, municipality_cases, mailoutbox, settings, capsys
) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for role, address in (("caseworker", "sara@kommun.se"), ("manager", "maria@kommun.se")):
        world.users[role].email = address
        world.users[role].save()
    with pytest.raises(CommandError, match="problem"):
        call_command("send_deadline_reminders")
    assert [m.to[0] for m in mailoutbox] == ["sara@kommun.se"]  # the manager has no cases of her own
    body = mailoutbox[0].body
    assert "3 poster har ett ogiltigt datum" in body
    assert "försenade frister" in body
    err = capsys.readouterr().err
    assert err.count("Skipped ") == 3
    assert "1440-2026-00002" in err and "started_on" in err


def test_reminders_exit_cleanly_without_bad_dates(world, mailoutbox, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case = CaseFactory(unit=world.home_unit, responsible=world.users["caseworker"])
    world.users["caseworker"].email = "sara@kommun.se"
    world.users["caseworker"].save()
    _decision(world, case, dt.date.today() - dt.timedelta(days=120))
    call_command("send_deadline_reminders")  # no CommandError
    assert len(mailoutbox) == 1
