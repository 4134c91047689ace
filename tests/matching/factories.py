"""Building blocks for matching tests: a granted intervention waiting for a supporter, an approved
home with valid police checks and a profile, and a support request made through the service."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone
from stdnum import luhn

from bredvid.casework.models import Decision, Intervention, Investigation
from bredvid.supporters.models import (
    RegisterCheck,
    Supporter,
    SupporterMember,
    SupporterProfile,
)
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory

ALE = (57.9306, 12.0744)  # Nödinge, Ale: a place with known coordinates
NEAR_ALE = (57.95, 12.10)  # ~3 km away


_serials = itertools.count(100)


def _number_born(birth: dt.date) -> str:
    """A valid personnummer for a given birth date (serials from a counter: unique in a test run)."""
    serial = f"{next(_serials) % 1000:03d}"
    return f"{birth:%Y%m%d}-{serial}{luhn.calc_check_digit(f'{birth:%y%m%d}{serial}')}"


def granted_intervention(
    world: Any, *, kind: str = "familjehem", age: int = 9, other: bool = False
) -> Intervention:
    municipality = world.other if other else world.home
    unit = world.other_unit if other else world.home_unit
    users = world.other_users if other else world.users
    today = timezone.localdate()
    birth = dt.date(today.year - age, 3, 14)
    client = PersonFactory(municipality=municipality, identity_number=_number_born(birth), birth_date=birth)
    case = CaseFactory(unit=unit, municipality=municipality, client=client, responsible=users["caseworker"])
    investigation = Investigation.objects.create(
        municipality=municipality,
        case=case,
        started_on=today - dt.timedelta(days=60),
        status=Investigation.Status.CONCLUDED,
        concluded_on=today - dt.timedelta(days=10),
        conclusion="Behov av stöd.",
    )
    decision = Decision.objects.create(
        municipality=municipality,
        case=case,
        investigation=investigation,
        status=Decision.Status.DECIDED,
        outcome=Decision.Outcome.GRANTED,
        legal_basis=Decision.LegalBasis.SOL_13_7,
        support_kind=kind,
        period_start=today - dt.timedelta(days=5),
        reasons="Beviljas.",
        proposed_by=users["caseworker"],
        decided_by=users["manager"],
        decided_on=today - dt.timedelta(days=5),
    )
    return Intervention.objects.create(
        municipality=municipality, case=case, decision=decision, support_kind=kind
    )


def approved_supporter(
    world: Any,
    *,
    kind: str = "familjehem",
    at: tuple[float, float] = NEAR_ALE,
    places: int = 1,
    name: str = "Familjen Ek",
    police_valid: bool = True,
    other: bool = False,
    **profile: Any,
) -> Supporter:
    municipality = world.other if other else world.home
    today = timezone.localdate()
    supporter = Supporter.objects.create(
        municipality=municipality,
        name=name,
        status=Supporter.Status.APPROVED,
        supports=[kind],
        approved_supports=[kind],
        approved_on=today - dt.timedelta(days=100),
        latitude=at[0],
        longitude=at[1],
        phone="070-1112233",
    )
    member = SupporterMember.objects.create(
        municipality=municipality, supporter=supporter, person=PersonFactory(municipality=municipality)
    )
    if police_valid:
        for check in (RegisterCheck.Kind.POLICE_RECORD, RegisterCheck.Kind.POLICE_SUSPICION):
            RegisterCheck.objects.create(
                municipality=municipality,
                member=member,
                kind=check,
                requested_on=today - dt.timedelta(days=40),
                received_on=today - dt.timedelta(days=30),
                outcome=RegisterCheck.Outcome.NO_RECORD,
                valid_until=today + dt.timedelta(days=700),
            )
    SupporterProfile.objects.create(
        municipality=municipality,
        supporter=supporter,
        support_kind=kind,
        children_at_once=places,
        **{"age_min": 0, "age_max": 18, **profile},
    )
    return supporter


def request_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "gender": "girl",
        "needs": ["school"],
        "languages": "svenska",
        "location_name": "Nödinge",
        "latitude": ALE[0],
        "longitude": ALE[1],
        "max_distance_km": 50,
        "start_on": timezone.localdate(),
    }
    data.update(overrides)
    return data
