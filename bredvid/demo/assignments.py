"""Demo assignments: a kontaktperson and a kontaktfamilj per municipality, started 13 months ago
through the whole path (case, decision, order, offer, confirmation), with scope, levels, a year of
reports (mostly approved; one submitted, one returned, one draft), supervision notes and a change of
terms in their history. The kontaktperson's meetings stop five weeks ago, so the officer's Att göra
flags it. Every change goes through the services. Deterministic (no randomness, dates from today)
and idempotent: a municipality with assignments is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from stdnum import luhn

from bredvid.assignments import services
from bredvid.assignments.models import Assignment, Report
from bredvid.casework.models import Decision, Intervention
from bredvid.core.errors import DomainError
from bredvid.demo.casework import DAY, _tenant
from bredvid.demo.matching import _granted_intervention
from bredvid.matching import services as matching
from bredvid.people import services as people_services
from bredvid.people.models import Guardianship, Person
from bredvid.supporters.models import Supporter, SupporterMember, SupporterProfile
from bredvid.tenancy.models import Municipality, Role, Unit

#: kind → (decision scope, the assignment's terms, what the case says)
KINDS: dict[str, tuple[Any, dict[str, Any], str]] = {
    "kontaktperson": (
        (4, Decision.ScopeUnit.HOURS_PER_MONTH),
        {
            "scope_unit": "meetings",
            "planned_per_month": Decimal(4),
            "fee_level": "1",
            "allowance_level": "10",
        },
        "Pojken behöver en vuxen att träffa regelbundet och göra fritidsaktiviteter med.",
    ),
    "kontaktfamilj": (
        (2, Decision.ScopeUnit.DAYS_PER_MONTH),
        {
            "scope_unit": "days",
            "planned_per_month": Decimal(2),
            "fee_level": "0-12",
            "allowance_level": "bas",
        },
        "Mamma behöver avlastning en helg i månaden; flickan trivs med andra barn.",
    ),
}
CHILDREN = (("Elias", "Lindgren"), ("Wilma", "Holm"))
ACTIVITIES = (
    "Fotboll",
    "Bio",
    "Simhallen",
    "Fika och läxor",
    "Promenad",
    "Bowling",
    "Bibliotek",
    "Matlagning",
)
MONTHS = 13


def _today() -> datetime.date:
    return timezone.localdate()


def _age(person: Person, on: datetime.date) -> int:
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _free_adults(municipality: Municipality, today: datetime.date) -> list[Person]:
    """Adults who are nobody's guardian or child and in no supporter's household: the guardians."""
    linked = Guardianship.objects.filter(Q(child=OuterRef("pk")) | Q(guardian=OuterRef("pk")))
    member = SupporterMember.objects.filter(person=OuterRef("pk"))
    people = (
        Person.objects.filter(municipality=municipality, protection_level="none")
        .exclude(Exists(linked))
        .exclude(Exists(member))
        .order_by("identity_number")
    )
    return [p for p in people if 30 <= _age(p, today) <= 60]


def _child(municipality: Municipality, index: int, today: datetime.date) -> Person:
    """A child born on the 3rd of a month 10 or 11 years ago, with a valid personnummer (test data)."""
    first, last = CHILDREN[index]
    born = datetime.date(today.year - 10 - index, 1 + (int(municipality.kommunkod) + index) % 12, 3)
    for serial in range(200, 1000):
        digits = f"{born:%y%m%d}{serial:03d}"
        number = f"{born:%Y%m%d}-{serial:03d}{luhn.calc_check_digit(digits)}"
        if not Person.objects.filter(identity_number=number).exists():
            break
    data = {"identity_number": number, "first_name": first, "last_name": last}
    return people_services.create_person(tenant=_tenant(municipality, Role.CASEWORKER), data=data)


def _case(
    municipality: Municipality, kind: str, child: Person, guardian: Person, start: datetime.date
) -> Intervention:
    cw, mgr = _tenant(municipality, Role.CASEWORKER), _tenant(municipality, Role.MANAGER)
    unit = Unit.objects.get(municipality=municipality, name__startswith="Barn")
    scope, _terms, reasons = KINDS[kind]
    return _granted_intervention(
        municipality, cw, mgr, unit, child, [guardian], kind,
        opened=start - 60 * DAY, decision_data=("sol_13_7", scope, reasons),
    )  # fmt: skip


def _supporter(municipality: Municipality, kind: str, age: int) -> Supporter | None:
    """The approved home with the most free places for the kind that takes a child of the age."""
    profiles = (
        SupporterProfile.objects.filter(
            municipality=municipality,
            support_kind=kind,
            supporter__status=Supporter.Status.APPROVED,
            age_min__lte=age,
            age_max__gte=age,
            supporter__latitude__isnull=False,
        )
        .select_related("supporter")
        .order_by("supporter__name", "id")
    )
    best = max(
        profiles, key=lambda p: p.children_at_once - services.places_used(p.supporter, kind), default=None
    )
    if best is None or best.children_at_once - services.places_used(best.supporter, kind) < 1:
        return None
    return best.supporter


def _assign(municipality: Municipality, kind: str, child: Person, guardian: Person) -> Assignment | None:
    today = _today()
    start = today - 395 * DAY
    supporter = _supporter(municipality, kind, _age(child, start))
    if supporter is None:
        return None
    officer = _tenant(municipality, Role.FAMILY_CARE_OFFICER)
    intervention = _case(municipality, kind, child, guardian, start)
    request = matching.create_request(
        tenant=_tenant(municipality, Role.CASEWORKER),
        intervention=intervention,
        data={
            "gender": "boy" if kind == "kontaktperson" else "girl",
            "needs": [],
            "languages": "svenska",
            "location_name": supporter.city or "Centrum",
            "latitude": supporter.latitude,
            "longitude": supporter.longitude,
            "max_distance_km": 50,
            "start_on": start,
        },
    )
    (offer,) = matching.send_offers(tenant=officer, support_request=request, supporters=[supporter])
    matching.answer_offer(tenant=officer, offer=offer, accepted=True)
    assignment = matching.confirm_offer(tenant=officer, offer=offer, start_on=start)
    terms = KINDS[kind][1]
    services.change_terms(
        tenant=officer,
        assignment=assignment,
        **{**terms, "fee_level": "2" if kind == "kontaktperson" else "13+"},
    )
    services.change_terms(tenant=officer, assignment=assignment, **terms)
    return assignment


def _reports(assignment: Assignment) -> int:
    """A year of reports, oldest first: approved, except the newest few."""
    municipality = assignment.municipality
    officer = _tenant(municipality, Role.FAMILY_CARE_OFFICER)
    today = _today()
    made: list[Report] = []
    day = assignment.start_on + 3 * DAY
    n = 0
    if assignment.support_kind == "kontaktperson":
        last = today - 35 * DAY  # then nothing: flagged on Att göra
        while day <= last:
            data = {
                "kind": "meeting",
                "starts_on": day,
                "hours": Decimal("2.5") if n % 3 else Decimal(2),
                "activity": ACTIVITIES[n % len(ACTIVITIES)],
                "note": "Det gick bra." if n % 4 else "",
            }
            made.append(services.create_report(tenant=officer, assignment=assignment, data=data))
            day += 7 * DAY
            n += 1
    else:
        day += (4 - day.weekday()) % 7 * DAY  # the first Friday
        while day + 2 * DAY < today:
            data = {
                "kind": "stay",
                "starts_on": day,
                "ends_on": day + 2 * DAY,
                "arrives_at": datetime.time(17),
                "departs_at": datetime.time(15),
                "activity": "Helgvistelse",
            }
            made.append(services.create_report(tenant=officer, assignment=assignment, data=data))
            day += 28 * DAY
    for index, report in enumerate(made):
        newest = len(made) - 1 - index
        if newest == 0 and assignment.support_kind == "kontaktperson":
            continue  # a draft
        services.submit_report(tenant=officer, report=report)
        if newest == 0:
            continue  # waiting for approval
        if newest == 1:
            services.return_report(tenant=officer, report=report, comment="Ange hur många timmar ni sågs.")
            continue
        services.approve_report(tenant=officer, report=report)
    return len(made)


def load_demo_assignments(municipality: Municipality) -> int:
    """Returns the number of assignments created (0 when the municipality already has some)."""
    if Assignment.objects.filter(municipality=municipality).exists():
        return 0
    today = _today()
    adults = _free_adults(municipality, today)
    made = 0
    for index, kind in enumerate(KINDS):
        if not adults:
            break
        try:
            with transaction.atomic():  # all of it or nothing of it
                assignment = _assign(municipality, kind, _child(municipality, index, today), adults.pop(0))
        except (ValidationError, DomainError):
            continue  # the demo homes do not fit: the rest of the demo stands without this one
        if assignment is None:
            continue
        _reports(assignment)
        officer = _tenant(municipality, Role.FAMILY_CARE_OFFICER)
        for months in (11, 6, 1):
            services.add_supervision(
                tenant=officer,
                assignment=assignment,
                held_on=today - months * 30 * DAY,
                form="home_visit" if months == 6 else "phone",
                text="Uppdraget fungerar bra. Vi pratade om barnets skola och om nästa period.",
            )
        _expenses(assignment, officer, today)
        made += 1
    return made


def _expenses(assignment: Assignment, officer: Any, today: datetime.date) -> None:
    """Trips approved in earlier months (the payment runs pay them) and a purchase request waiting."""
    from bredvid.expenses import services as expense_services

    for months, amount, what in (
        (10, "240", "Resa till badhuset"),
        (5, "380", "Resa till zoo"),
        (2, "150", "Bussresa"),
    ):
        trip = expense_services.submit_expense(
            tenant=officer, assignment=assignment, kind="trip", description=what,
            incurred_on=today - months * 30 * DAY, amount=Decimal(amount),
        )  # fmt: skip
        expense_services.approve(tenant=officer, expense=trip)
    expense_services.request_purchase(
        tenant=officer, assignment=assignment, description="Vinterkläder till utflykter",
        incurred_on=today - 7 * DAY, requested_amount=Decimal(1200),
    )  # fmt: skip
