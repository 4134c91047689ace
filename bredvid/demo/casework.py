"""Demo cases in every state, dated relative to today so that some deadlines are overdue,
some due soon and some decisions have waited more than three months (IVO report)."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from bredvid.casework import services
from bredvid.casework.models import Case, ConcernReport, Decision, PlacementEvent, Plan
from bredvid.people.models import Guardianship, Person
from bredvid.tenancy.context import Tenant, build_tenant
from bredvid.tenancy.models import Municipality, Role, Unit

DAY = datetime.timedelta(days=1)
REASONS = {
    "kontaktperson": "Den unge saknar vuxna att umgås med på fritiden och behöver en förebild.",
    "kontaktfamilj": "Familjen behöver avlastning och barnet behöver en trygg miljö en helg i månaden.",
    "familjehem": "Barnet kan inte bo hemma under utredningen och behöver en stabil familj.",
    "jourhem": "Barnet behöver ett tillfälligt hem omedelbart.",
}
LEGAL_BASIS = {
    "kontaktperson": "sol_13_7",
    "kontaktfamilj": "sol_13_7",
    "familjehem": "sol_22",
    "jourhem": "sol_22",
}
SCOPE = {
    "kontaktperson": (8, Decision.ScopeUnit.HOURS_PER_MONTH),
    "kontaktfamilj": (1, Decision.ScopeUnit.WEEKENDS_PER_MONTH),
    "familjehem": (None, Decision.ScopeUnit.CONTINUOUS),
    "jourhem": (None, Decision.ScopeUnit.CONTINUOUS),
}


def _tenant(municipality: Municipality, role: Role) -> Tenant:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=f"{role.value}.{municipality.kommunkod}")
    tenant = build_tenant(user, municipality.pk, ip=None, via="cli")
    assert tenant is not None
    return tenant


def _granted(cw: Tenant, mgr: Tenant, case: Case, kind: str, decided_on: datetime.date) -> Decision:
    amount, unit = SCOPE[kind]
    data: dict[str, Any] = {
        "outcome": Decision.Outcome.GRANTED,
        "legal_basis": LEGAL_BASIS[kind],
        "support_kind": kind,
        "scope_amount": amount,
        "scope_unit": unit,
        "period_start": decided_on,
        "reasons": REASONS[kind],
        "investigation": case.investigations.first(),
    }
    decision = services.propose_decision(tenant=cw, case=case, data=data)
    return services.decide(tenant=mgr, decision=decision, decided_on=decided_on)


def _journal(cw: Tenant, case: Case, on: datetime.date, title: str, text: str, *, sign: bool = True) -> None:
    entry = services.write_journal_entry(
        tenant=cw, case=case, data={"occurred_on": on, "title": title, "text": text}
    )
    if sign:
        services.sign_journal_entry(tenant=cw, entry=entry)


def load_demo_cases(municipality: Municipality, *, seed: int) -> int:
    if Case.objects.filter(municipality=municipality).exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    cw, mgr = _tenant(municipality, Role.CASEWORKER), _tenant(municipality, Role.MANAGER)
    unit = Unit.objects.get(municipality=municipality, name__startswith="Barn")
    people = list(
        Person.objects.filter(municipality=municipality, protection_level="none").order_by("identity_number")
    )
    children = [p for p in people if (today - p.birth_date).days < 17 * 365]
    adults = [p for p in people if (today - p.birth_date).days > 25 * 365]
    rng.shuffle(children)
    rng.shuffle(adults)
    made = 0

    def new_case(opened: datetime.date) -> Case:
        nonlocal made
        child = children.pop()
        for guardian in (adults.pop(), adults.pop()):
            Guardianship.objects.get_or_create(municipality=municipality, child=child, guardian=guardian)
        made += 1
        return services.open_case(tenant=cw, client=child, unit=unit, opened_on=opened)

    def concern(case: Case, received: datetime.date, *, assessed: bool, preliminary: str | None) -> None:
        at = timezone.make_aware(datetime.datetime.combine(received, datetime.time(10, 15)))
        report = services.register_concern_report(
            tenant=cw,
            case=case,
            data={
                "received_at": at,
                "reporter": rng.choice(["school", "health", "police", "supporter"]),
                "content": (
                    "Barnet har vid flera tillfällen kommit till skolan utan mat och berättar om bråk hemma."
                ),
            },
        )
        if assessed:
            services.record_protection_assessment(
                tenant=cw,
                report=report,
                assessed_at=at + datetime.timedelta(hours=3),
                assessment="Inget behov av omedelbart skydd.",
                immediate=False,
            )
        if preliminary:
            services.record_preliminary_assessment(
                tenant=cw,
                report=report,
                decided_on=received + 7 * DAY,
                outcome=preliminary,
                reasons="Uppgifterna behöver utredas."
                if preliminary == ConcernReport.Outcome.INVESTIGATE
                else "Familjen har redan stöd.",
            )

    # Concern reports waiting for assessments (one overdue preliminary assessment)
    concern(new_case(today - 20 * DAY), today - 20 * DAY, assessed=True, preliminary=None)
    concern(new_case(today - 3 * DAY), today - 3 * DAY, assessed=True, preliminary=None)
    concern(new_case(today), today, assessed=False, preliminary=None)
    # Open investigations: one overdue, one due soon, one extended
    for months_ago, extended in ((5, False), (4, False), (2, False), (5, True)):
        case = new_case(today - months_ago * 30 * DAY)
        concern(
            case, today - months_ago * 30 * DAY, assessed=True, preliminary=ConcernReport.Outcome.INVESTIGATE
        )
        investigation = case.investigations.get()
        services.update_investigation(
            tenant=cw,
            investigation=investigation,
            data={
                "child_needs": "Behöver stöd i skolan och en stabil vuxen.",
                "child_view": "Vill bo kvar hemma men träffa fler vuxna.",
            },
        )
        if extended:
            services.extend_investigation(
                tenant=mgr,
                investigation=investigation,
                until=today + 30 * DAY,
                reason="Väntar på utlåtande från BUP.",
                decided_on=today - 30 * DAY,
            )
        _journal(
            cw,
            case,
            investigation.started_on + 5 * DAY,
            "Samtal med barnet",
            "Samtal i skolan. Barnet berättade om sin vardag.",
        )
    # Applications leading to granted decisions: some not executed for over three months (IVO)
    for kind, decided_days_ago, executed_after, delay in (
        ("kontaktfamilj", 130, None, "Ingen lämplig kontaktfamilj finns i området."),
        ("kontaktperson", 100, None, ""),
        ("kontaktperson", 40, None, ""),
        ("kontaktperson", 200, 30, ""),
        ("kontaktfamilj", 300, 150, ""),
        ("familjehem", 400, 10, ""),
        ("jourhem", 50, 1, ""),
    ):
        opened = today - (decided_days_ago + 45) * DAY
        case = new_case(opened)
        application = services.register_application(
            tenant=cw,
            case=case,
            data={
                "received_on": opened,
                "form": "written",
                "applicant": "guardians",
                "support_kind": kind,
                "description": "Vårdnadshavarna ansöker om stöd för barnet.",
            },
        )
        for guardianship in Guardianship.objects.filter(child=case.client):
            services.record_consent(
                tenant=cw,
                application=application,
                giver="guardian",
                guardian=guardianship.guardian,
                given_on=opened,
            )
        investigation = services.start_investigation(
            tenant=cw, case=case, started_on=opened + DAY, application=application
        )
        services.conclude_investigation(
            tenant=cw,
            investigation=investigation,
            concluded_on=opened + 40 * DAY,
            conclusion="Barnet har behov av insatsen.",
        )
        decision = _granted(cw, mgr, case, kind, today - decided_days_ago * DAY)
        intervention = decision.intervention
        if delay:
            services.record_delay_reason(tenant=cw, intervention=intervention, reason=delay)
        if executed_after is not None:
            executed = decision.decided_on + executed_after * DAY  # type: ignore[operator]
            services.execute_intervention(tenant=cw, intervention=intervention, executed_on=executed)
            if intervention.is_placement:
                services.save_plan(
                    tenant=cw,
                    intervention=intervention,
                    data={
                        "kind": Plan.Kind.CARE_PLAN,
                        "version_on": executed,
                        "goals": "Trygg och stabil uppväxt.",
                        "actions": "Placering i familjehem, skolgång i närområdet.",
                        "follow_up": "Övervägande var sjätte månad.",
                        "contact_arrangements": "Umgänge med föräldrarna varannan helg.",
                    },
                )
                # a visit two months in, or today for a placement that began more recently
                # (never a future visit)
                services.record_placement_event(
                    tenant=cw,
                    intervention=intervention,
                    kind=PlacementEvent.Kind.VISIT,
                    occurred_on=min(executed + 60 * DAY, today),
                    private_talk=True,
                    notes="Barnet trivs.",
                )
        _journal(cw, case, opened + 2 * DAY, "Ansökan inkom", "Ansökan mottagen och samtycken inhämtade.")
        _journal(cw, case, today - 2 * DAY, "Telefonsamtal", "Samtal med mamma om hur det går.", sign=False)
    return made
