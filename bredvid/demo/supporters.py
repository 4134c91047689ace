"""Demo supporters in every status, with households, register checks, training and profiles."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from faker import Faker

from bredvid.demo.casework import _tenant
from bredvid.people.models import Person
from bredvid.supporters import services
from bredvid.supporters.models import InterestRegistration, Supporter
from bredvid.supporters.needs import DEFAULT_NEEDS
from bredvid.tenancy.models import Municipality, Role

DAY = datetime.timedelta(days=1)
ASCII = str.maketrans("åäöéüæø", "aaoeuao")
LOCALITIES = {
    "1440": ["Alafors", "Älvängen", "Surte", "Skepplanda"],
    "2081": ["Borlänge", "Ornäs", "Torsång"],
    "2521": ["Pajala", "Korpilombolo"],
}
LANGUAGES = [
    "svenska",
    "svenska, engelska",
    "svenska, arabiska",
    "svenska, finska",
    "svenska, meänkieli",
    "svenska, somaliska",
]
SUPPORT_MIX = [
    ["kontaktperson"],
    ["kontaktfamilj"],
    ["familjehem"],
    ["familjehem", "jourhem"],
    ["kontaktfamilj", "familjehem"],
    ["jourhem"],
]


def load_demo_supporters(municipality: Municipality, *, seed: int) -> int:
    if Supporter.objects.filter(municipality=municipality).exists():
        return 0
    rng = random.Random(seed)
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    today = timezone.localdate()
    officer, manager = _tenant(municipality, Role.FAMILY_CARE_OFFICER), _tenant(municipality, Role.MANAGER)
    adults = [
        p
        for p in Person.objects.filter(municipality=municipality, protection_level="none").order_by(
            "-identity_number"
        )
        if 28 * 365 < (today - p.birth_date).days < 70 * 365
        and not p.supporter_memberships.exists()
        and not p.wards.exists()
    ]
    rng.shuffle(adults)
    made = 0
    for index in range(14):
        supports = SUPPORT_MIX[index % len(SUPPORT_MIX)]
        if index == 6:  # also approved for särskilt kvalificerad kontaktperson (demo matching needs one)
            supports = ["kontaktperson", "sarskilt_kvalificerad"]
        first, last = fake.first_name(), fake.last_name()
        city = rng.choice(LOCALITIES.get(municipality.kommunkod, ["Borlänge"]))
        data = {
            "supports": supports,
            "first_name": first,
            "last_name": last,
            "phone": fake.phone_number(),
            "email": f"{first}.{last}@example.invalid".lower().translate(ASCII).replace(" ", ""),
            "city": city,
            "area": city,
            "household": "Två vuxna och en hund." if index % 2 else "Jag bor ensam.",
            "message": "Vi har plats och tid över och vill göra skillnad för ett barn.",
        }
        registration = services.register_interest(
            municipality=municipality, data=data, consent_text=str(services.CONSENT_TEXT), source="public"
        )
        made += 1
        if index >= 11:  # left in the inbox in different states
            if index == 12:
                services.move_registration(
                    tenant=officer,
                    registration=registration,
                    to=InterestRegistration.Status.CONTACTED,
                    note="Ringde, bokat informationsmöte.",
                )
            if index == 13:
                services.move_registration(
                    tenant=officer,
                    registration=registration,
                    to=InterestRegistration.Status.CLOSED,
                    close_reason="withdrawn",
                    note="Har ångrat sig.",
                )
            continue
        started = today - (200 - index * 12) * DAY
        supporter = services.start_investigation(
            tenant=officer, registration=registration, started_on=started
        )
        household = [adults.pop(), adults.pop()] if index % 2 else [adults.pop()]
        members = [services.add_member(tenant=officer, supporter=supporter, person=p) for p in household]
        assessment = supporter.assessments.get()
        services.record_activity(
            tenant=officer,
            assessment=assessment,
            data={
                "kind": "interview",
                "occurred_on": started + 7 * DAY,
                "notes": "Samtal om motiv, vardag och nätverk.",
            },
        )
        services.record_activity(
            tenant=officer,
            assessment=assessment,
            data={
                "kind": "home_visit",
                "occurred_on": started + 21 * DAY,
                "notes": "Ljust och ombonat hem med eget rum till ett barn.",
            },
        )
        services.record_activity(
            tenant=officer,
            assessment=assessment,
            data={
                "kind": "reference",
                "occurred_on": started + 25 * DAY,
                "reference_name": fake.name(),
                "reference_relation": "Arbetskamrat",
                "notes": "Beskriver en trygg och lyhörd person.",
            },
        )
        # Checks received about eleven months ago for some, so that renewals come up on Att göra
        received = started + 30 * DAY if index % 3 else today - 320 * DAY
        for member in members:
            for kind in ("police_record", "police_suspicion", "social"):
                services.record_register_check(
                    tenant=officer,
                    member=member,
                    kind=kind,
                    requested_on=received - 10 * DAY,
                    received_on=received,
                    outcome="no_record",
                )
        if "familjehem" in supports:
            services.record_training(
                tenant=officer,
                supporter=supporter,
                course="Ett hem att växa i",
                sessions_attended=8 if index < 8 else 5,
                completed_on=started + 60 * DAY if index < 8 else None,
            )
        if index >= 9:
            continue  # still under investigation
        services.conclude_assessment(
            tenant=officer,
            assessment=assessment,
            conclusion="Stabil livssituation, god förmåga att samarbeta och att ta emot handledning.",
            supports=supports,
            method_notes="BRA-Fam genomförd utan anmärkning.",
        )
        services.approve(tenant=manager, assessment=assessment, decided_on=max(received, started + 70 * DAY))
        supporter.refresh_from_db()
        for profile in supporter.profiles.all():
            profile.children_at_once = (
                2 if profile.support_kind in ("familjehem", "kontaktfamilj") and index % 2 else 1
            )
            profile.age_min, profile.age_max = rng.choice([(0, 6), (4, 12), (7, 18), (0, 18)])
            profile.sibling_groups = bool(index % 2)
            profile.needs = [key for key, _label in rng.sample(DEFAULT_NEEDS, 2)]
            profile.languages = rng.choice(LANGUAGES)
            profile.pets = index % 3 == 0
            profile.own_car = True
            profile.save()
        if index == 7:
            services.pause(
                tenant=officer, supporter=supporter, reason="Föräldraledighet", until=today + 120 * DAY
            )
        if index == 8:
            services.end(
                tenant=officer,
                supporter=supporter,
                reason="Har flyttat från kommunen.",
                ended_on=today - 10 * DAY,
            )
    return made
