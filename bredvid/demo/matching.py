"""Demo matching: open support requests (uppdragsbeställningar) of every kind, a sibling group,
a protected request, a relative who is a supporter, and offers (förfrågningar) in different states.

Runs after the demo cases and supporters. The three pending interventions of the demo cases get
requests; five more cases are opened for the kinds that have none (särskilt kvalificerad
kontaktperson, familjehem, two siblings in one familjehem request, jourhem). Every change goes
through the services, so it is audited. Idempotent: a municipality with requests is left alone.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

import numpy as np
from django.utils import timezone

from bredvid.casework import services as casework
from bredvid.casework.models import Decision, Intervention
from bredvid.demo.casework import DAY, _tenant
from bredvid.matching import services
from bredvid.matching.engine import haversine_km
from bredvid.matching.features import _police_valid_until
from bredvid.matching.models import SupportRequest
from bredvid.people.models import Guardianship, Person
from bredvid.supporters.geo import locate
from bredvid.supporters.models import Supporter, SupporterProfile
from bredvid.tenancy.models import Municipality, Role, Unit

#: Where the children go to school: a locality of the municipality with coordinates in the register.
SCHOOLS = {
    "1440": ["Älvängen", "Alafors", "Surte", "Skepplanda"],
    "2081": ["Borlänge", "Ornäs", "Torsång"],
    "2521": ["Pajala", "Korpilombolo"],
}
#: Pajala is large and sparsely populated: longer distances are accepted.
MAX_KM = {"2521": {"kontaktperson": 60, "sarskilt_kvalificerad": 60, "kontaktfamilj": 80}}
NEW_CASES = {
    "sarskilt_kvalificerad": (
        "sol_13_7",
        (10, Decision.ScopeUnit.HOURS_PER_MONTH),
        (
            "Den unge har en neuropsykiatrisk funktionsnedsättning och behöver en vuxen med särskild "
            "kompetens som kan ge struktur och stöd i vardagen."
        ),
    ),
    "familjehem": (
        "sol_22",
        (None, Decision.ScopeUnit.CONTINUOUS),
        "Barnet kan inte bo kvar hemma. Vårdnadshavarna samtycker till placering i familjehem.",
    ),
    "jourhem": (
        "sol_22",
        (None, Decision.ScopeUnit.CONTINUOUS),
        "Barnet behöver ett tryggt tillfälligt boende medan utredningen pågår.",
    ),
}
WISHES = {
    "kontaktperson": (
        "Pojken vill gärna hålla på med fotboll eller fiske. En manlig förebild som kan träffa honom en "
        "eftermiddag i veckan."
    ),
    "sarskilt_kvalificerad": (
        "Behöver en kontaktperson med erfarenhet av NPF som kan hjälpa till med struktur, läxor och att "
        "komma iväg till aktiviteter."
    ),
    "kontaktfamilj": (
        "Mamma är ensamstående med tre barn och behöver avlastning en helg i månaden. Flickan tycker om "
        "djur och att rita."
    ),
    "familjehem": (
        "Barnet behöver ett stabilt hem nära nuvarande skola så att skolgången och kontakten med "
        "kompisarna kan fortsätta."
    ),
    "siblings": (
        "Syskonen har en nära relation och ska placeras tillsammans. Umgänge med mamma varannan helg."
    ),
    "jourhem": (
        "Placeringen behöver kunna ske med kort varsel. Barnet är blygt i början men trivs med fasta rutiner."
    ),
    "protected": "Barnet har skyddade personuppgifter. Uppdragstagaren får inte bo i närheten av pappan.",
}


def _today() -> datetime.date:
    return timezone.localdate()


def _age(person: Person, on: datetime.date) -> int:
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _fits(profiles: list[SupporterProfile], kind: str, ages: list[int]) -> int:
    """How many approved homes of the kind take children of these ages (siblings: all at once)."""
    return sum(
        1
        for p in profiles
        if p.support_kind == kind
        and p.age_min <= min(ages)
        and p.age_max >= max(ages)
        and p.children_at_once >= len(ages)
    )


def _granted_intervention(
    municipality: Municipality,
    cw: Any,
    mgr: Any,
    unit: Unit,
    child: Person,
    guardians: list[Person],
    kind: str,
    *,
    opened: datetime.date | None = None,
    decision_data: tuple[str, tuple[Any, str], str] | None = None,
) -> Intervention:
    """A case through application, investigation and a granted decision (the intervention is pending).

    Opened 75 days ago and decided 20 days ago unless `opened` says otherwise (decided 55 days after)."""
    opened = opened or _today() - 75 * DAY
    for guardian in guardians:
        Guardianship.objects.get_or_create(municipality=municipality, child=child, guardian=guardian)
    case = casework.open_case(tenant=cw, client=child, unit=unit, opened_on=opened)
    application = casework.register_application(
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
    for guardian in guardians:
        casework.record_consent(
            tenant=cw, application=application, giver="guardian", guardian=guardian, given_on=opened
        )
    investigation = casework.start_investigation(
        tenant=cw, case=case, started_on=opened + DAY, application=application
    )
    casework.conclude_investigation(
        tenant=cw,
        investigation=investigation,
        concluded_on=opened + 45 * DAY,
        conclusion="Barnet har behov av insatsen.",
    )
    basis, (amount, scope_unit), reasons = decision_data or NEW_CASES[kind]
    decision = casework.propose_decision(
        tenant=cw,
        case=case,
        data={
            "outcome": Decision.Outcome.GRANTED,
            "legal_basis": basis,
            "support_kind": kind,
            "scope_amount": amount,
            "scope_unit": scope_unit,
            "period_start": opened + 55 * DAY,
            "reasons": reasons,
            "investigation": investigation,
        },
    )
    decision = casework.decide(tenant=mgr, decision=decision, decided_on=opened + 55 * DAY)
    return decision.intervention


def load_demo_matching(municipality: Municipality, *, seed: int) -> int:
    """Returns the number of support requests created (0 when the municipality already has some)."""
    if SupportRequest.objects.filter(municipality=municipality).exists():
        return 0
    rng = random.Random(seed)
    today = _today()
    cw, mgr = _tenant(municipality, Role.CASEWORKER), _tenant(municipality, Role.MANAGER)
    officer = _tenant(municipality, Role.FAMILY_CARE_OFFICER)
    unit = Unit.objects.get(municipality=municipality, name__startswith="Barn")
    code = municipality.kommunkod
    schools = [name for name in SCHOOLS.get(code, []) if locate(name)] or ["Borlänge"]
    profiles = _usable_profiles(municipality, today)
    people = list(
        Person.objects.filter(municipality=municipality, protection_level="none").order_by("identity_number")
    )
    taken = set(Guardianship.objects.filter(municipality=municipality).values_list("child_id", flat=True))
    taken |= set(Guardianship.objects.filter(municipality=municipality).values_list("guardian_id", flat=True))
    children = [p for p in people if p.pk not in taken and _age(p, today) < 17]
    adults = [
        p
        for p in people
        if p.pk not in taken
        and 27 * 365 < (today - p.birth_date).days < 60 * 365
        and not p.supporter_memberships.exists()
    ]
    rng.shuffle(children)
    rng.shuffle(adults)

    def child_for(kind: str, count: int = 1) -> list[Person] | None:
        """The child (or siblings) that the most demo homes of the kind can take."""
        if len(children) < count or len(adults) < 2:
            return None
        best = max(
            range(len(children) - count + 1),
            key=lambda i: _fits(profiles, kind, [_age(c, today) for c in children[i : i + count]]),
        )
        chosen = children[best : best + count]
        del children[best : best + count]
        return chosen

    def order(
        intervention: Intervention, wish: str, *, siblings: tuple[Intervention, ...] = (), **extra: Any
    ) -> SupportRequest:
        place = rng.choice(schools)
        lat, lon = locate(place)  # type: ignore[misc]
        kind = intervention.support_kind
        data: dict[str, Any] = {
            "gender": rng.choice(["girl", "boy"]),
            "needs": rng.sample(["school", "leisure", "trauma", "npf"], 2),
            "languages": "svenska",
            "location_name": place,
            "latitude": lat,
            "longitude": lon,
            "start_on": today + 14 * DAY,
            "wishes": WISHES[wish],
        }
        if code in MAX_KM and kind in MAX_KM[code]:
            data["max_distance_km"] = MAX_KM[code][kind]
        if kind in ("familjehem", "jourhem"):
            # a placement is reconsidered within six months (jourhem: a short stay); police checks
            # must be valid for the whole planned period
            data["end_on"] = today + PLANNED_END[kind] * DAY
        data.update(extra)
        return services.create_request(tenant=cw, intervention=intervention, data=data, siblings=siblings)

    made: list[SupportRequest] = []
    pending = list(
        Intervention.objects.filter(
            municipality=municipality,
            status=Intervention.Status.PENDING,
            decision__status=Decision.Status.DECIDED,
        )
        .exclude(decision__outcome=Decision.Outcome.REFUSED)
        .select_related("case")
        .order_by("created_at")
    )
    by_kind: dict[str, list[Intervention]] = {}
    for intervention in pending:
        by_kind.setdefault(intervention.support_kind, []).append(intervention)
    # the demo cases' pending interventions: two kontaktperson, one kontaktfamilj
    kontaktperson = by_kind.get("kontaktperson", [])
    if kontaktperson:
        made.append(order(kontaktperson[0], "kontaktperson", gender="boy"))
    if len(kontaktperson) > 1:
        protected = order(kontaktperson[1], "protected", gender="girl")
        # the person the protection is against lives in the farthest other locality: no home near there
        home = (protected.latitude, protected.longitude)
        places = [point for name in schools if (point := locate(name))]
        far = max(places, key=lambda point: _km(home, point))
        point = far if _km(home, far) > 8 else (home[0] + 0.25, home[1])
        services.add_protected_place(
            tenant=cw,
            support_request=protected,
            label="Där pappan bor (skyddet gäller honom)",
            latitude=point[0],
            longitude=point[1],
            min_distance_km=5,
        )
        made.append(protected)
    for intervention in by_kind.get("kontaktfamilj", [])[:1]:
        made.append(order(intervention, "kontaktfamilj", gender="girl"))
    # new cases for the kinds without a pending intervention
    for kind, wish, count in (
        ("sarskilt_kvalificerad", "sarskilt_kvalificerad", 1),
        ("familjehem", "familjehem", 1),
        ("familjehem", "siblings", 2),
        ("jourhem", "jourhem", 1),
    ):
        chosen = child_for(kind, count)
        if chosen is None:
            continue
        guardians = [adults.pop(), adults.pop()]
        interventions = [
            _granted_intervention(municipality, cw, mgr, unit, c, guardians, kind) for c in chosen
        ]
        made.append(order(interventions[0], wish, siblings=tuple(interventions[1:])))
    _relative(made, officer)
    _offers(made, officer)
    return len(made)


#: Days from today to a placement request's planned end (police checks must be valid until then).
PLANNED_END = {"familjehem": 180, "jourhem": 75}


def _usable_profiles(municipality: Municipality, today: datetime.date) -> list[SupporterProfile]:
    """Approved homes' profiles that pass the police-check rule for the planned period.

    One familjehem home with valid checks gets room for a sibling group if none has it (a demo
    adjustment: the sibling request must have someone to ask)."""
    police = _police_valid_until(municipality.pk)
    profiles = [
        p
        for p in SupporterProfile.objects.filter(
            municipality=municipality, supporter__status=Supporter.Status.APPROVED
        ).order_by("supporter__name", "support_kind")
        if p.support_kind not in PLANNED_END
        or police.get(p.supporter_id, 0) >= (today + PLANNED_END[p.support_kind] * DAY).toordinal()
    ]
    family_homes = [p for p in profiles if p.support_kind == "familjehem"]
    if family_homes and not any(p.children_at_once >= 2 for p in family_homes):
        roomy = family_homes[0]
        roomy.children_at_once, roomy.sibling_groups = 2, True
        roomy.age_min, roomy.age_max = min(roomy.age_min, 4), max(roomy.age_max, 15)
        roomy.save()
    return profiles


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat, lon = np.radians([a[0]]), np.radians([a[1]])
    return float(haversine_km(lat, lon, np.cos(lat), b[0], b[1])[0])


def _relative(made: list[SupportRequest], officer: Any) -> None:
    """One child's aunt is an approved supporter of the kind: she is considered first (närstående).
    Preferably the kontaktfamilj request; otherwise the first (unprotected) one someone fits."""
    ordered = sorted(made, key=lambda r: r.support_kind != "kontaktfamilj")
    for support_request in ordered:
        if support_request.protected_places.exists():
            continue
        result = services.shortlist(tenant=officer, support_request=support_request, k=5)
        if result.candidates:
            services.add_relative(
                tenant=officer,
                support_request=support_request,
                supporter=result.candidates[-1].supporter,
                relation="Moster",
            )
            return


def _offers(made: list[SupportRequest], officer: Any) -> None:
    """Offers in different states: sent (to call), declined with a reason, accepted (a proposal)."""
    notes = {
        "sent": "Ring på kvällen, efter kl. 17.",
        "declined": "Har tackat nej i telefon: tar emot ett barnbarn under våren.",
        "accepted": "Tackade ja. Vill träffa barnet och vårdnadshavarna före start.",
    }
    states = iter(["declined", "accepted", "sent", "sent"])
    for support_request in made:
        if support_request.protected_places.exists():
            continue  # the officer is still working on the protected request
        result = services.shortlist(tenant=officer, support_request=support_request, k=3)
        shown = [c.supporter for c in (*result.relatives, *result.candidates)]
        if not shown:
            continue
        state = next(states, None)
        if state is None:
            return
        (offer,) = services.send_offers(
            tenant=officer, support_request=support_request, supporters=shown[:1], note=notes["sent"]
        )
        if state == "declined":
            services.answer_offer(
                tenant=officer, offer=offer, accepted=False, reason="no_time", note=notes["declined"]
            )
            if len(shown) > 1:  # the next one on the list is asked
                services.send_offers(tenant=officer, support_request=support_request, supporters=shown[1:2])
        elif state == "accepted":
            services.answer_offer(tenant=officer, offer=offer, accepted=True, note=notes["accepted"])
