"""The matching feature arrays: built from the database once per municipality and pool version.

`pool_for(municipality)` returns the municipality's `MunicipalPool` (the engine's `Pool` plus the
maps between pool rows and supporters and the vocabularies of the bitmask columns). It is cached
in the process; each use costs one query for the `PoolVersion`, and the arrays are rebuilt only
when the version moved (signals.py bumps it when a supporter, profile, household member, register
check, unavailable period or assignment changes). Never built per request.

One pool row per supporter profile (a supporter approved for familjehem and kontaktfamilj has two
rows). Supporters that are approved or paused are in the pool (a paused one is excluded by the
availability rule, so "why not X?" can say so); those under investigation or ended are not.
"""

from __future__ import annotations

import datetime
import secrets
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from bredvid.core.choices import SupportKind
from bredvid.matching.engine import Pool, Request
from bredvid.supporters.models import POLICE_CHECKS_REQUIRED_FOR, PreferredGender

if TYPE_CHECKING:
    from bredvid.matching.models import SupportRequest
    from bredvid.tenancy.models import Municipality

KIND_BITS: dict[str, int] = {
    SupportKind.KONTAKTPERSON: 1,
    SupportKind.KONTAKTFAMILJ: 2,
    SupportKind.FAMILJEHEM: 4,
    SupportKind.JOURHEM: 8,
    SupportKind.SARSKILT_KVALIFICERAD: 16,
}
NO_END = np.iinfo(np.int32).max  # a check without expiry; a pause without end
GENDER_CODES: dict[str, int] = {PreferredGender.ANY: 0, PreferredGender.GIRL: 1, PreferredGender.BOY: 2}
REQUEST_GENDER_CODES = {"girl": 1, "boy": 2}  # "other": matches only supporters without a wish


def tokens(text: str) -> list[str]:
    """Comma- or slash-separated words, case-folded: "Arabiska, svenska" → ["arabiska", "svenska"]."""
    return [t for t in (" ".join(part.split()).casefold() for part in text.replace("/", ",").split(",")) if t]


@dataclass(frozen=True)
class Vocabulary:
    """Bit (or code) of each need, language, culture and allergen in the pool's columns."""

    needs: dict[str, int]
    languages: dict[str, int]
    cultures: dict[str, int]
    allergens: dict[str, int]

    def mask(self, words: list[str], table: dict[str, int]) -> int:
        value = 0
        for word in words:
            if word in table:
                value |= 1 << table[word]
        return value


@dataclass(frozen=True)
class MunicipalPool:
    municipality_id: uuid.UUID
    version: int
    pool: Pool
    vocabulary: Vocabulary
    supporter_of_row: list[uuid.UUID]  # pool row id → supporter id
    kind_of_row: list[str]
    rows_of_supporter: dict[uuid.UUID, list[int]] = field(default_factory=dict)
    built_on: datetime.date | None = None  # availability is read relative to this day: rebuilt daily

    def rows_for(self, supporter_id: uuid.UUID, kind: str) -> list[int]:
        return [r for r in self.rows_of_supporter.get(supporter_id, []) if self.kind_of_row[r] == kind]


_cache: dict[uuid.UUID, MunicipalPool] = {}
_lock = threading.Lock()


def current_version(municipality_id: uuid.UUID) -> int:
    from bredvid.matching.models import PoolVersion

    version = PoolVersion.objects.filter(municipality_id=municipality_id).values_list("version", flat=True)
    return next(iter(version), 0)


def bump_pool_version(municipality_id: uuid.UUID | None) -> None:
    """Give the municipality's pool a new version in the current transaction: it commits with the
    change, so readers rebuild exactly when the change becomes visible. Versions are random, not
    counted: arrays cached by a transaction that later rolled back can never match a later version."""
    if municipality_id is None:
        return
    from bredvid.matching.models import PoolVersion

    version = secrets.randbits(62) + 1
    if PoolVersion.objects.filter(municipality_id=municipality_id).update(version=version):
        return
    try:
        with transaction.atomic():
            PoolVersion.objects.create(municipality_id=municipality_id, version=version)
    except IntegrityError:  # created by a concurrent writer
        PoolVersion.objects.filter(municipality_id=municipality_id).update(version=version)


def pool_for(municipality: Municipality) -> MunicipalPool:
    """The municipality's current pool: one query when cached, a rebuild when the version moved."""
    version = current_version(municipality.pk)
    today = timezone.localdate()
    cached = _cache.get(municipality.pk)
    if cached is not None and cached.version == version and cached.built_on == today:
        return cached
    with _lock:
        cached = _cache.get(municipality.pk)
        if cached is not None and cached.version == version and cached.built_on == today:
            return cached
        built = build_pool(municipality, version=version)
        built.pool.prepare()  # every kind's index now, not in the first shortlist of each kind
        _cache[municipality.pk] = built
        return built


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _ordinal(day: datetime.date | None, default: int) -> int:
    return day.toordinal() if day is not None else default


def _police_valid_until(municipality_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Per supporter: the last day on which every active adult has both valid police checks (0: none)."""
    from bredvid.supporters.models import POLICE_KINDS, RegisterCheck, SupporterMember

    adults: dict[uuid.UUID, set[int]] = defaultdict(set)
    for member_id, supporter_id in SupporterMember.objects.filter(
        municipality_id=municipality_id, active=True, adult=True
    ).values_list("pk", "supporter_id"):
        adults[supporter_id].add(member_id)
    best: dict[tuple[int, str], int] = {}
    checks = (
        RegisterCheck.objects.filter(municipality_id=municipality_id, member__active=True, member__adult=True)
        .police()
        .valid_on(timezone.localdate())
        .values_list("member_id", "kind", "valid_until")
    )
    for member_id, kind, valid_until in checks:
        key = (member_id, kind)
        best[key] = max(best.get(key, 0), _ordinal(valid_until, NO_END))
    out: dict[uuid.UUID, int] = {}
    for supporter_id, members in adults.items():
        out[supporter_id] = min(best.get((m, k), 0) for m in members for k in POLICE_KINDS)
    return out


def build_pool(municipality: Municipality, *, version: int = 0) -> MunicipalPool:
    """Read the municipality's supporters once and lay them out as arrays (a handful of queries)."""
    from bredvid.assignments.models import Assignment
    from bredvid.supporters.models import Supporter, SupporterProfile, Unavailability
    from bredvid.supporters.needs import needs_for

    mid = municipality.pk
    local_today = timezone.localdate()
    today = local_today.toordinal()
    profiles = list(
        SupporterProfile.objects.filter(
            municipality_id=mid, supporter__status__in=[Supporter.Status.APPROVED, Supporter.Status.PAUSED]
        )
        .order_by("supporter_id", "support_kind")
        .values_list(
            "supporter_id",
            "support_kind",
            "children_at_once",
            "age_min",
            "age_max",
            "needs",
            "languages",
            "culture_religion",
            "pets",
            "smoking",
            "allergies",
            "preferred_gender",
            "supporter__status",
            "supporter__approved_supports",
            "supporter__latitude",
            "supporter__longitude",
        )
    )
    used: dict[tuple[uuid.UUID, str], int] = {
        (s, k): int(n or 0)
        for s, k, n in Assignment.objects.filter(municipality_id=mid, status=Assignment.Status.ACTIVE)
        .values("supporter_id", "support_kind")
        .annotate(n=Sum("children"))
        .values_list("supporter_id", "support_kind", "n")
    }
    experience = dict(
        Assignment.objects.filter(municipality_id=mid)
        .values("supporter_id")
        .annotate(n=Count("id"))
        .values_list("supporter_id", "n")
    )
    unavailable: dict[uuid.UUID, tuple[int, int]] = {}
    for supporter_id, starts, ends in (
        Unavailability.objects.filter(municipality_id=mid, ends_on__gte=local_today)
        .order_by("starts_on")
        .values_list("supporter_id", "starts_on", "ends_on")
    ):
        unavailable.setdefault(supporter_id, (starts.toordinal(), ends.toordinal()))  # the next period
    police = _police_valid_until(mid)

    need_bits = {key: i for i, (key, _label) in enumerate(needs_for(municipality)[:32])}
    language_count: dict[str, int] = defaultdict(int)
    cultures: dict[str, int] = {}
    allergen_count: dict[str, int] = defaultdict(int)
    for row in profiles:
        for word in tokens(row[6]):
            language_count[word] += 1
        culture = " ".join(row[7].split()).casefold()
        if culture and culture not in cultures:
            cultures[culture] = len(cultures) + 1
        for word in tokens(row[10]):
            allergen_count[word] += 1
    languages = {
        w: i for i, w in enumerate(sorted(language_count, key=lambda w: (-language_count[w], w))[:64])
    }
    allergens = {
        w: i for i, w in enumerate(sorted(allergen_count, key=lambda w: (-allergen_count[w], w))[:16])
    }
    vocabulary = Vocabulary(needs=need_bits, languages=languages, cultures=cultures, allergens=allergens)

    n = len(profiles)
    cols: dict[str, Any] = {
        "kinds": np.zeros(n, np.uint8),
        "police_valid_until": np.zeros(n, np.int32),
        "capacity_free": np.zeros(n, np.int16),
        "age_min": np.zeros(n, np.int16),
        "age_max": np.zeros(n, np.int16),
        "unavailable_from": np.zeros(n, np.int32),
        "unavailable_to": np.zeros(n, np.int32),
        "lat": np.zeros(n, np.float64),
        "lon": np.zeros(n, np.float64),
        "needs": np.zeros(n, np.uint32),
        "languages": np.zeros(n, np.uint64),
        "culture": np.zeros(n, np.int16),
        "pets": np.zeros(n, np.bool_),
        "smoking": np.zeros(n, np.bool_),
        "allergens": np.zeros(n, np.uint16),
        "experience": np.zeros(n, np.float32),
        "wish_gender": np.zeros(n, np.int8),
    }
    supporter_of_row: list[uuid.UUID] = []
    kind_of_row: list[str] = []
    rows_of_supporter: dict[uuid.UUID, list[int]] = defaultdict(list)
    for r, (
        sid,
        kind,
        places,
        amin,
        amax,
        needs,
        langs,
        culture,
        pets,
        smoking,
        allergies,
        wish,
        status,
        approved,
        lat,
        lon,
    ) in enumerate(profiles):
        supporter_of_row.append(sid)
        kind_of_row.append(kind)
        rows_of_supporter[sid].append(r)
        located = lat is not None and lon is not None
        # without coordinates a home cannot be placed within any distance: it fails max_distance
        cols["lat"][r], cols["lon"][r] = (lat, lon) if located else (90.0, 0.0)
        cols["kinds"][r] = KIND_BITS.get(kind, 0) if kind in (approved or []) else 0
        cols["police_valid_until"][r] = police.get(sid, 0) if kind in POLICE_CHECKS_REQUIRED_FOR else NO_END
        cols["capacity_free"][r] = max(0, places - used.get((sid, kind), 0))
        cols["age_min"][r], cols["age_max"][r] = amin, amax
        if status == "paused":
            cols["unavailable_from"][r], cols["unavailable_to"][r] = today, NO_END
        elif sid in unavailable:
            cols["unavailable_from"][r], cols["unavailable_to"][r] = unavailable[sid]
        cols["needs"][r] = vocabulary.mask(list(needs or []), need_bits)
        cols["languages"][r] = vocabulary.mask(tokens(langs), languages)
        cols["culture"][r] = cultures.get(" ".join(culture.split()).casefold(), 0)
        cols["pets"][r], cols["smoking"][r] = pets, smoking
        cols["allergens"][r] = vocabulary.mask(tokens(allergies), allergens)
        cols["experience"][r] = experience.get(sid, 0)
        cols["wish_gender"][r] = GENDER_CODES.get(wish, 0)
    lat_rad, lon_rad = np.radians(cols.pop("lat")), np.radians(cols.pop("lon"))
    pool = Pool(
        ids=np.arange(n, dtype=np.int64), lat_rad=lat_rad, lon_rad=lon_rad, cos_lat=np.cos(lat_rad), **cols
    )
    return MunicipalPool(
        municipality_id=mid,
        version=version,
        pool=pool,
        vocabulary=vocabulary,
        supporter_of_row=supporter_of_row,
        kind_of_row=kind_of_row,
        rows_of_supporter=dict(rows_of_supporter),
        built_on=local_today,
    )


def children_ages(support_request: SupportRequest, on: datetime.date) -> list[int]:
    """Ages of the request's child and its siblings on `on` (the request's start)."""
    people = [support_request.case.client] + [
        s.intervention.case.client for s in support_request.siblings.all()
    ]
    return [
        on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))
        for p in people
    ]


def engine_request(support_request: SupportRequest, mpool: MunicipalPool) -> Request:
    """The engine's view of a support request (no names, no identity numbers)."""
    start = support_request.start_on
    year = datetime.timedelta(days=365)
    end = support_request.end_on or (start + year if start <= datetime.date.max - year else datetime.date.max)
    ages = children_ages(support_request, start)
    vocab = mpool.vocabulary
    relatives = tuple(
        row
        for rel in support_request.relatives.all()
        for row in mpool.rows_for(rel.supporter_id, support_request.support_kind)
    )
    return Request(
        kind_bit=KIND_BITS[support_request.support_kind],
        police_required=support_request.support_kind in POLICE_CHECKS_REQUIRED_FOR,
        children=len(ages),
        age=min(ages),
        age_oldest=max(ages),
        gender=REQUEST_GENDER_CODES.get(support_request.gender, 3),
        start_day=start.toordinal(),
        end_day=end.toordinal(),
        lat=support_request.latitude,
        lon=support_request.longitude,
        max_km=float(support_request.max_distance_km),
        needs=vocab.mask(list(support_request.needs), vocab.needs),
        languages=vocab.mask(tokens(support_request.languages), vocab.languages),
        culture=vocab.cultures.get(" ".join(support_request.culture_religion.split()).casefold(), 0),
        no_pets=support_request.no_pets,
        no_smoking=support_request.no_smoking,
        allergens=vocab.mask(tokens(support_request.allergies), vocab.allergens),
        protected_places=tuple(
            (p.latitude, p.longitude, float(p.min_distance_km))
            for p in support_request.protected_places.all()
        ),
        relatives=relatives,
    )
