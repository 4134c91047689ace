"""Demo data: three municipalities, one user per role in each, and realistic persons.

Deterministic (fixed seeds) and idempotent: running it again changes nothing but passwords.
Identity numbers are generated with valid check digits; they are test data, not real people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.people.models import Person, PersonStaffAccess, ProtectionLevel
from bredvid.tenancy.models import Membership, Municipality, Role, Unit

MUNICIPALITIES = (("Ale", "1440", "ale"), ("Borlänge", "2081", "borlange"), ("Pajala", "2521", "pajala"))
UNITS = {
    "barn": "Barn och unga – utredning",
    "familjehem": "Familjehemsenheten",
    "ledning": "Individ- och familjeomsorgens ledning",
}
ROLE_UNITS = {
    Role.CASEWORKER: ("barn",),
    Role.FAMILY_CARE_OFFICER: ("familjehem",),
    Role.MANAGER: ("barn", "familjehem"),
    Role.AUDITOR: ("ledning",),
    Role.ADMIN: ("ledning",),
}
FIRST_NAMES = {
    Role.CASEWORKER: ("Sara", "Lindqvist"),
    Role.FAMILY_CARE_OFFICER: ("Johan", "Berglund"),
    Role.MANAGER: ("Maria", "Håkansson"),
    Role.AUDITOR: ("Per", "Nyström"),
    Role.ADMIN: ("Lena", "Sundberg"),
}
LANGUAGES = [
    "svenska",
    "svenska",
    "svenska",
    "arabiska",
    "somaliska",
    "finska",
    "nordsamiska",
    "meänkieli",
    "dari",
]


# What load_demo_cases, load_demo_supporters and load_demo_matching take per municipality: a child and two
# guardians for each of the 14 cases, 16 more adults (who are nobody's guardian) for the supporters'
# households, and five children with four guardians (two of them siblings) for the matching cases.
DEMO_CHILDREN_NEEDED = 14 + 5
DEMO_ADULTS_NEEDED = 2 * 14 + 16 + 8


@dataclass(frozen=True)
class DemoSummary:
    usernames: list[str]
    persons_created: int
    cases_created: int = 0


def _identity_number(fake: Faker) -> str | None:
    raw = fake.ssn(min_age=0, max_age=80, long=True, dash=True)
    try:
        return parse_identity_number(raw).number
    except InvalidIdentityNumber:
        return None


def _identity_number_aged(fake: Faker, min_age: int, max_age: int) -> str | None:
    raw = fake.ssn(min_age=min_age, max_age=max_age, long=True, dash=True)
    try:
        return parse_identity_number(raw).number
    except InvalidIdentityNumber:
        return None


@transaction.atomic
def load_demo(*, persons_per_municipality: int = 120, password: str | None = None) -> DemoSummary:
    password = password or settings.DEMO_PASSWORD
    user_model = get_user_model()
    usernames: list[str] = []
    created_total = 0
    for index, (name, code, slug) in enumerate(MUNICIPALITIES):
        municipality, _ = Municipality.objects.get_or_create(
            kommunkod=code, defaults={"name": name, "slug": slug, **_public_profile(index, slug)}
        )
        units = {
            key: Unit.objects.get_or_create(municipality=municipality, name=label)[0]
            for key, label in UNITS.items()
        }
        users = {}
        for role, unit_keys in ROLE_UNITS.items():
            username = f"{role.value}.{code}"
            first, last = FIRST_NAMES[role]
            user, _ = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.invalid"},
            )
            user.set_password(password)
            user.save(update_fields=["password"])
            for key in unit_keys:
                Membership.objects.get_or_create(user=user, unit=units[key], role=role)
            users[role] = user
            usernames.append(username)
        created_total += _load_persons(
            municipality, users[Role.CASEWORKER], seed=1000 + index, count=persons_per_municipality
        )
    from bredvid.demo.casework import load_demo_cases

    cases = sum(
        load_demo_cases(municipality, seed=2000 + index)
        for index, municipality in enumerate(
            Municipality.objects.filter(kommunkod__in=[m[1] for m in MUNICIPALITIES])
        )
    )
    from bredvid.demo.supporters import load_demo_supporters

    for index, municipality in enumerate(
        Municipality.objects.filter(kommunkod__in=[m[1] for m in MUNICIPALITIES])
    ):
        load_demo_supporters(municipality, seed=3000 + index)
    from bredvid.demo.matching import load_demo_matching

    for index, municipality in enumerate(
        Municipality.objects.filter(kommunkod__in=[m[1] for m in MUNICIPALITIES])
    ):
        load_demo_matching(municipality, seed=4000 + index)
    from bredvid.demo.assignments import load_demo_assignments

    for municipality in Municipality.objects.filter(kommunkod__in=[m[1] for m in MUNICIPALITIES]):
        load_demo_assignments(municipality)

    from bredvid.demo.payments import load_demo_payments

    for municipality in Municipality.objects.filter(kommunkod__in=[code for _n, code, _s in MUNICIPALITIES]):
        load_demo_payments(municipality, password=password)
    return DemoSummary(usernames=usernames, persons_created=created_total, cases_created=cases)


def _public_profile(index: int, slug: str) -> dict[str, object]:
    """The demo municipalities publish their public sites (with made-up contact details); the first
    one works with Skolfam, so its site shows that page too."""
    return {
        "publishes_site": True,
        "public_phone": f"0{index + 1}00-12 34 5{index}",
        "public_email": f"socialtjansten@{slug}.example.invalid",
        "public_address": "Kommunhuset\nStorgatan 1",
        "opening_hours": "Måndag–fredag 8–16\nLunchstängt 12–13",
        "colour": ("#1d70b8", "#00703c", "#4c2c92")[index % 3],
        "settings": {"uses_skolfam": index == 0},
    }


def _load_persons(municipality: Municipality, named_user: object, *, seed: int, count: int) -> int:
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    existing = Person.objects.filter(municipality=municipality)
    existing_numbers = set(existing.values_list("identity_number", flat=True))
    new: list[Person] = []
    seen: set[str] = set()

    def add(number: str | None, *, may_be_protected: bool = True) -> None:
        first = fake.first_name()
        last = fake.last_name()
        street = fake.street_address()
        digits = fake.postcode().replace(" ", "")
        postcode = f"{digits[:3]} {digits[3:]}"
        city = fake.city()
        phone = fake.phone_number()
        roll = rng.random()
        language = rng.choice(LANGUAGES)
        if number is None or number in seen:
            return
        seen.add(number)
        if number in existing_numbers:
            return
        protection = ProtectionLevel.NONE
        if may_be_protected and roll < 0.04:
            protection = ProtectionLevel.SKYDDAD_FOLKBOKFORING
        elif may_be_protected and roll < 0.08:
            protection = ProtectionLevel.SEKRETESSMARKERING
        parsed = parse_identity_number(number)
        new.append(
            Person(
                municipality=municipality,
                identity_kind=parsed.kind.value,
                identity_number=parsed.number,
                birth_date=parsed.birth_date,
                first_name=first,
                last_name=last,
                street_address=street,
                postal_code=postcode,
                city=city,
                phone=phone,
                email=f"{first.lower()}.{last.lower()}@example.invalid".replace(" ", ""),
                languages=language,
                needs_interpreter=language not in ("svenska", "finska", "meänkieli") and roll > 0.5,
                protection_level=protection,
            )
        )

    for _ in range(count * 2):
        if len(seen) >= count:
            break
        add(_identity_number(fake))
    # The demo cases take children under 17 and guardians over 25, the supporters' households adults
    # aged 28 to 70 who are nobody's guardian. A small --persons is topped up with unprotected persons
    # well inside those ages until there are enough (nothing is added at the default size).
    today = timezone.localdate()
    unprotected = [p for p in [*existing, *new] if p.protection_level == ProtectionLevel.NONE]
    for (youngest, oldest), (min_age, max_age), needed in (
        ((0, 17 * 365), (2, 15), DEMO_CHILDREN_NEEDED),
        ((28 * 365, 70 * 365), (30, 65), DEMO_ADULTS_NEEDED),
    ):
        have = sum(1 for p in unprotected if youngest < (today - p.birth_date).days < oldest)
        for _ in range(4 * max(0, needed - have)):
            if have >= needed:
                break
            before = len(new)
            add(_identity_number_aged(fake, min_age, max_age), may_be_protected=False)
            have += len(new) - before
    Person.objects.bulk_create(new)
    for person in new:
        if person.is_protected:
            PersonStaffAccess.objects.create(municipality=municipality, person=person, user=named_user)
    if new:
        record(
            action=Action.CREATE,
            municipality=municipality,
            object_type="people.person",
            via="cli",
            detail={"demo_data": len(new)},
        )
    return len(new)
