"""The "Att göra" page and the calendar feed."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bredvid.casework import services
from bredvid.casework.models import Decision
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory


def _pending_decision(world, case, decided_on):  # type: ignore[no-untyped-def]
    data = {
        "outcome": "granted",
        "legal_basis": "sol_13_7",
        "support_kind": "kontaktperson",
        "scope_amount": 8,
        "scope_unit": Decision.ScopeUnit.HOURS_PER_MONTH,
        "period_start": decided_on,
        "reasons": "Behov av en vuxen förebild.",
    }
    decision = services.propose_decision(tenant=world.tenant("caseworker"), case=case, data=data)
    return services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=decided_on)


@pytest.fixture
def cases(world):  # type: ignore[no-untyped-def]
    mine = CaseFactory(
        unit=world.home_unit, responsible=world.users["caseworker"], reference="1440-2026-00010"
    )
    child = PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )
    theirs = CaseFactory(
        unit=world.home_unit, client=child, responsible=world.users["manager"], reference="1440-2026-00011"
    )
    _pending_decision(world, mine, dt.date(2020, 1, 1))  # long overdue
    services.start_investigation(
        tenant=world.tenant("caseworker"), case=theirs, started_on=dt.date(2020, 2, 1)
    )
    return mine, theirs


def test_caseworker_sees_own_deadlines(world, cases) -> None:  # type: ignore[no-untyped-def]
    mine, _theirs = cases
    response = world.client("caseworker").get(reverse("staff:todo"))
    summary = response.context["summary"]
    assert [o.case_ref for o in summary.overdue] == [mine.reference]
    assert mine.client.last_name not in response.content.decode()  # references only, no names


def test_manager_sees_the_unit_and_filters(world, cases) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = cases
    client = world.client("manager")
    response = client.get(reverse("staff:todo"), {"visa": "enheten"})
    assert {o.case_ref for o in response.context["summary"].overdue} == {mine.reference, theirs.reference}
    response = client.get(
        reverse("staff:todo"), {"visa": "enheten", "handlaggare": world.users["caseworker"].pk}
    )
    assert [o.case_ref for o in response.context["summary"].overdue] == [mine.reference]
    response = client.get(reverse("staff:todo"), {"visa": "enheten", "typ": "investigation"})
    assert [o.kind for o in response.context["summary"].overdue] == ["investigation"]


def test_caseworker_cannot_see_the_unit(world, cases) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get(reverse("staff:todo"), {"visa": "enheten"})
    assert not response.context["unit_view"]


def test_query_count_does_not_grow_with_cases(world, cases, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client("manager")
    client.get(reverse("staff:todo"), {"visa": "enheten"})
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("staff:todo"), {"visa": "enheten"})
    for n in range(15):
        case = CaseFactory(
            unit=world.home_unit, responsible=world.users["manager"], reference=f"1440-2026-{100 + n:05d}"
        )
        _pending_decision(world, case, dt.date(2026, 1, 5))
        services.start_investigation(
            tenant=world.tenant("caseworker"), case=case, started_on=dt.date(2026, 9, 1)
        )
    with django_assert_max_num_queries(30) as many:
        client.get(reverse("staff:todo"), {"visa": "enheten"})
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_cases_have_no_todo(world, role) -> None:  # type: ignore[no-untyped-def]
    assert world.client(role).get(reverse("staff:todo")).status_code == 403


def test_calendar_feed_has_references_and_no_names(world, cases) -> None:  # type: ignore[no-untyped-def]
    mine, _ = cases
    client = world.client("caseworker")
    client.post(reverse("staff:calendar_subscribe"))
    url = client.get(reverse("staff:todo")).context["feed_url"]
    assert url
    body = Client().get(url[url.index("/att-gora/") :]).content.decode()
    assert "BEGIN:VCALENDAR" in body
    assert mine.reference in body
    assert mine.client.last_name not in body
    assert mine.client.identity_number not in body
    # a new address replaces the old one
    client.post(reverse("staff:calendar_subscribe"))
    assert Client().get(url[url.index("/att-gora/") :]).status_code == 404
    assert Client().get("/att-gora/kalender/not-a-token.ics").status_code == 404


def test_reminders_carry_counts_and_a_link_only(world, cases, mailoutbox, settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mine, theirs = cases
    world.users["caseworker"].email = "sara@kommun.se"
    world.users["caseworker"].save()
    world.users["manager"].email = "maria@kommun.se"
    world.users["manager"].save()
    call_command("send_deadline_reminders")
    by_recipient = {m.to[0]: m.body for m in mailoutbox}
    assert set(by_recipient) == {"sara@kommun.se", "maria@kommun.se"}
    assert "1 försenade frister" in by_recipient["sara@kommun.se"]
    assert "/att-gora/" in by_recipient["sara@kommun.se"]
    for body in by_recipient.values():
        for secret in (
            mine.reference,
            theirs.reference,
            mine.client.last_name,
            theirs.client.identity_number,
        ):
            assert secret not in body


def test_family_care_officer_sees_expiring_register_checks(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt2

    from django.utils import timezone

    from bredvid.supporters.models import RegisterCheck, Supporter, SupporterMember

    today = timezone.localdate()
    officer = world.users["family_care_officer"]
    supporter = Supporter.objects.create(
        municipality=world.home, name="Familjen Ek", status="approved", responsible=officer
    )
    member = SupporterMember.objects.create(
        municipality=world.home, supporter=supporter, person=PersonFactory(municipality=world.home)
    )
    for kind, days in (("police_record", 20), ("police_suspicion", 45), ("social", 200)):
        RegisterCheck.objects.create(
            municipality=world.home,
            member=member,
            kind=kind,
            requested_on=today - dt2.timedelta(days=300),
            received_on=today - dt2.timedelta(days=300),
            outcome="no_record",
            valid_until=today + dt2.timedelta(days=days),
        )
    response = world.client("family_care_officer").get(reverse("staff:todo"))
    assert response.status_code == 200
    expiring = response.context["expiring"]
    assert [(e.what, e.urgent) for e in expiring] == [
        ("Polisen: belastningsregistret", True),
        ("Polisen: misstankeregistret", False),
    ]
    assert not response.context["case_deadlines"]
    # a renewed check removes the warning
    RegisterCheck.objects.create(
        municipality=world.home,
        member=member,
        kind="police_record",
        requested_on=today,
        received_on=today,
        outcome="no_record",
        valid_until=today + dt2.timedelta(days=365),
    )
    expiring = world.client("family_care_officer").get(reverse("staff:todo")).context["expiring"]
    assert [e.what for e in expiring] == ["Polisen: misstankeregistret"]
    assert (
        world.client("family_care_officer", other=True).get(reverse("staff:todo")).context["expiring"] == []
    )


def test_jourhem_limit_uses_the_cases_concluded_investigation(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.deadlines.queries import Scope, obligations_for

    child = PersonFactory(
        municipality=world.home, identity_number="20150623-4564", birth_date=dt.date(2015, 6, 23)
    )
    case = CaseFactory(unit=world.home_unit, client=child)
    cw = world.tenant("caseworker")
    investigation = services.start_investigation(tenant=cw, case=case, started_on=dt.date(2026, 8, 1))
    services.conclude_investigation(
        tenant=cw, investigation=investigation, concluded_on=dt.date(2026, 10, 31), conclusion="Placering"
    )
    data = {"outcome": "granted", "legal_basis": "sol_22", "support_kind": "jourhem", "scope_unit": "continuous",
            "period_start": dt.date(2026, 8, 2), "reasons": "Akut"}  # fmt: skip
    decision = services.decide(
        tenant=world.tenant("manager"),
        decision=services.propose_decision(tenant=cw, case=case, data=data),
        decided_on=dt.date(2026, 8, 2),
    )
    services.execute_intervention(
        tenant=cw, intervention=decision.intervention, executed_on=dt.date(2026, 8, 3)
    )
    items = obligations_for(Scope(municipality=world.home), dt.date(2026, 11, 22))
    [limit] = [o for o in items if o.kind == "jourhem_limit"]
    assert limit.nominal_due == dt.date(2026, 12, 31) and limit.due == dt.date(2027, 1, 4)


def test_latest_plan_version_schedules_the_follow_up(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.casework.models import Plan
    from bredvid.deadlines.queries import Scope, obligations_for

    case = CaseFactory(unit=world.home_unit)
    cw = world.tenant("caseworker")
    decision = _pending_decision(world, case, dt.date(2026, 9, 1))
    services.execute_intervention(
        tenant=cw, intervention=decision.intervention, executed_on=dt.date(2026, 9, 10)
    )
    base = {
        "kind": Plan.Kind.IMPLEMENTATION_PLAN,
        "goals": "Fritid",
        "actions": "Träffar",
        "follow_up": "Samtal",
    }
    services.save_plan(
        tenant=cw,
        intervention=decision.intervention,
        data={**base, "version_on": dt.date(2026, 9, 10), "next_follow_up_on": dt.date(2026, 11, 10)},
    )
    services.save_plan(
        tenant=cw,
        intervention=decision.intervention,
        data={**base, "version_on": dt.date(2026, 11, 10), "next_follow_up_on": dt.date(2027, 2, 10)},
    )
    follow_ups = [
        o
        for o in obligations_for(Scope(municipality=world.home), dt.date(2026, 11, 22))
        if o.kind == "plan_follow_up"
    ]
    assert [o.due for o in follow_ups] == [dt.date(2027, 2, 10)]
