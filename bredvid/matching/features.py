"""The matching feature arrays: built from the database once per municipality, then patched.

`pool_for(municipality)` returns the municipality's `MunicipalPool` (the engine's `Pool` plus the
maps between pool rows and supporters and the vocabularies of the bitmask columns). It is cached
in the process. signals.py logs a `PoolChange` (municipality, seq, supporter) in the transaction
of every change to a supporter, profile, household member, register check, unavailable period or
assignment; each use reads the log since the cached seq (one query), and re-reads only the
changed supporters' rows (one query per source table) into a patched copy of the arrays. A new
day, a change of "everything", a rolled-back seq or a vocabulary that cannot grow: a cold build.
Never built per request. See docs/adr/0007-matching.md.

One pool row per supporter profile (a supporter approved for familjehem and kontaktfamilj has two
rows). Supporters that are approved or paused are in the pool (a paused one is excluded by the
availability rule, so "why not X?" can say so); those under investigation or ended are not.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import secrets
import threading
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Count,
    DateField,
    F,
    FloatField,
    IntegerField,
    Sum,
    TextField,
    UUIDField,
    Value,
)
from django.db.models.functions import Cast
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
    """Bit (or code) of each need, language, culture and allergen in the pool's columns.

    A cold build numbers the words by frequency and keeps the 64 (16) most common; a patch only
    appends words it has not seen yet while there is room (`extended`), so a bit never changes
    meaning while arrays that use it are cached. `truncated`: a cap dropped words at the build, so
    only a rebuild can tell which words are now the most common (patches fall back to one)."""

    needs: dict[str, int]
    languages: dict[str, int]
    cultures: dict[str, int]
    allergens: dict[str, int]
    truncated: bool = False

    def mask(self, words: list[str], table: dict[str, int]) -> int:
        value = 0
        for word in words:
            if word in table:
                value |= 1 << table[word]
        return value

    def extended(self, profiles: list[tuple[Any, ...]]) -> Vocabulary | None:
        """This vocabulary with the profiles' new words appended; None when a rebuild is needed."""
        if self.truncated:
            return None
        languages, cultures, allergens = dict(self.languages), dict(self.cultures), dict(self.allergens)
        for row in profiles:
            for word in tokens(row[_LANGS]):
                languages.setdefault(word, len(languages))
            culture = _culture(row[_CULTURE])
            if culture:
                cultures.setdefault(culture, len(cultures) + 1)
            for word in tokens(row[_ALLERGIES]):
                allergens.setdefault(word, len(allergens))
        if len(languages) > 64 or len(allergens) > 16:
            return None
        return Vocabulary(self.needs, languages, cultures, allergens)


@dataclass(frozen=True)
class MunicipalPool:
    """The engine's pool and what maps its rows to supporters. Rows are ordered by (supporter id,
    kind), so a patched pool has exactly the rows, in the order, of a fresh build."""

    municipality_id: uuid.UUID
    version: int  # the random tag of the last change included (0: none yet)
    pool: Pool
    vocabulary: Vocabulary
    supporter_of_row: list[uuid.UUID]  # pool row id → supporter id
    kind_of_row: list[str]
    keys: npt.NDArray[np.bytes_] = field(default_factory=lambda: np.zeros(0, "S16"))  # supporter bytes
    built_on: datetime.date | None = None  # availability is read relative to this day: rebuilt daily
    seq: int = 0  # the last change (PoolChange.seq) included

    def rows_for(self, supporter_id: uuid.UUID, kind: str) -> list[int]:
        key = np.array([supporter_id.bytes], "S16")
        lo, hi = int(self.keys.searchsorted(key, "left")[0]), int(self.keys.searchsorted(key, "right")[0])
        return [r for r in range(lo, hi) if self.kind_of_row[r] == kind]


_cache: dict[uuid.UUID, MunicipalPool] = {}
_lock = threading.Lock()
PATCH_LIMIT = 2_000  # more changed supporters than this since the cached seq: rebuild instead
KEEP_CHANGES = 10_000  # change-log rows kept per municipality (a worker further behind rebuilds)


def bump_pool_version(municipality_id: uuid.UUID | None, supporter_id: uuid.UUID | None = None) -> None:
    """Log a change to the municipality's pool in the current transaction: it commits with the
    change, so readers see it exactly when the change becomes visible, and never if it rolls back.
    `supporter_id` None: everything changed (every worker rebuilds). The update of PoolVersion
    takes its row lock first, so sequence numbers are handed out (and become visible) in commit
    order; the random tag tells a rolled-back sequence number from a later one."""
    if municipality_id is None:
        return
    from bredvid.matching.models import PoolChange, PoolVersion

    version = secrets.randbits(62) + 1
    table = connection.ops.quote_name(PoolVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET seq = seq + 1, version = %s WHERE municipality_id = %s RETURNING seq",  # noqa: S608
            [version, municipality_id.hex if connection.vendor == "sqlite" else municipality_id],
        )
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                PoolVersion.objects.create(municipality_id=municipality_id, version=version, seq=1)
            seq = 1
        except IntegrityError:  # created by a concurrent writer
            bump_pool_version(municipality_id, supporter_id)
            return
    else:
        seq = int(row[0])
    PoolChange.objects.create(
        municipality_id=municipality_id, seq=seq, version=version, supporter_id=supporter_id
    )
    if seq % 1000 == 0:
        PoolChange.objects.filter(municipality_id=municipality_id, seq__lte=seq - KEEP_CHANGES).delete()


def pool_for(municipality: Municipality) -> MunicipalPool:
    """The municipality's current pool: one query (the change log since the cached seq) when
    nothing changed; the changed supporters' rows re-read and patched in when something did; a
    cold build the first time, on a new day, or when the cache cannot be trusted."""
    from bredvid.matching.models import PoolChange

    mid = municipality.pk
    today = timezone.localdate()
    cached = _cache.get(mid)
    if cached is None or cached.built_on != today:
        return _rebuild(municipality)
    changes = list(
        PoolChange.objects.filter(municipality_id=mid, seq__gte=cached.seq)
        .order_by("seq")
        .values_list("seq", "version", "supporter_id")
    )
    if cached.seq:
        if not changes or changes[0][:2] != (cached.seq, cached.version):
            return _rebuild(municipality)  # cached from a rolled-back transaction, or pruned
        changes = changes[1:]
    if not changes:
        return cached
    changed = {sid for _seq, _version, sid in changes}
    if None in changed or len(changed) > PATCH_LIMIT:
        return _rebuild(municipality)
    seq, version = changes[-1][0], changes[-1][1]
    with _lock:
        patched = _patch(municipality, cached, sorted(changed), today)  # type: ignore[arg-type]
        if patched is None:
            return _rebuild(municipality, locked=True)
        patched = dataclasses.replace(patched, seq=seq, version=version)
        if _cache.get(mid) is cached:
            _cache[mid] = patched
        return patched


def _rebuild(municipality: Municipality, *, locked: bool = False) -> MunicipalPool:
    from bredvid.matching.models import PoolVersion

    head = PoolVersion.objects.filter(municipality_id=municipality.pk).values_list("seq", "version").first()
    seq, version = head or (0, 0)  # read before the data: a change in between is re-read, never lost
    if not locked:
        with _lock:
            return _rebuild(municipality, locked=True)
    built = dataclasses.replace(build_pool(municipality, version=version), seq=seq)
    built.pool.prepare()  # every kind's index now, not in the first shortlist of each kind
    _cache[municipality.pk] = built
    return built


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _ordinal(day: datetime.date | None, default: int) -> int:
    return day.toordinal() if day is not None else default


def _culture(text: str) -> str:
    return " ".join(text.split()).casefold()


PROFILE_FIELDS = (
    "supporter_id",
    "support_kind",
    "children_at_once",
    "age_min",
    "age_max",
    "needs_text",
    "languages",
    "culture_religion",
    "pets",
    "smoking",
    "allergies",
    "preferred_gender",
    "supporter__status",
    "approved_text",
    "supporter__latitude",
    "supporter__longitude",
)
_LANGS, _CULTURE, _ALLERGIES = 6, 7, 10


@dataclass
class _Source:
    """What the rows of some supporters (all, or `only`) are built from: one query per table. The
    maps are keyed by the supporter id's integer (`uuid.int`: hashed in C, a UUID's hash is not)."""

    profiles: list[tuple[Any, ...]]
    used: dict[tuple[int, str], int]
    experience: dict[int, int]
    unavailable: dict[int, tuple[int, int]]
    police: dict[int, int]


def _read(mid: uuid.UUID, today: datetime.date, only: list[uuid.UUID] | None = None) -> _Source:
    from bredvid.assignments.models import Assignment
    from bredvid.supporters.models import (
        POLICE_KINDS,
        RegisterCheck,
        Supporter,
        SupporterMember,
        SupporterProfile,
        Unavailability,
    )

    def scoped(qs: Any, path: str = "supporter_id") -> Any:
        qs = qs.filter(municipality_id=mid)
        return qs if only is None else qs.filter(**{f"{path}__in": only})

    # the two JSON lists as their text: decoded once per distinct text in _encode, not per row
    profiles = list(
        scoped(SupporterProfile.objects)
        .filter(supporter__status__in=[Supporter.Status.APPROVED, Supporter.Status.PAUSED])
        .annotate(
            needs_text=Cast("needs", TextField()),
            approved_text=Cast("supporter__approved_supports", TextField()),
        )
        .order_by("supporter_id", "support_kind")
        .values_list(*PROFILE_FIELDS)
    )
    used: dict[tuple[int, str], int] = {}
    experience: dict[int, int] = defaultdict(int)
    for sid, kind, status, n, children in (
        scoped(Assignment.objects)
        .values("supporter_id", "support_kind", "status")
        .annotate(n=Count("id"), children=Sum("children"))
        .values_list("supporter_id", "support_kind", "status", "n", "children")
    ):
        experience[sid.int] += n
        if status == Assignment.Status.ACTIVE:
            used[(sid.int, kind)] = int(children or 0)
    unavailable: dict[int, tuple[int, int]] = {}
    for supporter_id, starts, ends in (
        scoped(Unavailability.objects)
        .filter(ends_on__gte=today)
        .order_by("starts_on")
        .values_list("supporter_id", "starts_on", "ends_on")
    ):
        unavailable.setdefault(supporter_id.int, (starts.toordinal(), ends.toordinal()))  # the next period
    # per supporter: the last day on which every active adult has both valid police checks (0:
    # none), as column operations: the best check per (member, kind), then the least per supporter
    members = list(
        scoped(SupporterMember.objects)
        .filter(active=True, adult=True)
        .order_by("pk")
        .values_list("pk", "supporter_id")
    )
    checks = RegisterCheck.objects.filter(municipality_id=mid)
    if only is None:
        checks = checks.filter(member__active=True, member__adult=True)
    else:  # the members just read, by primary key (an index lookup, not a join over every check)
        checks = checks.filter(member_id__in=[m for m, _s in members])
    found = list(checks.police().valid_on(today).values_list("member_id", "kind", "valid_until"))
    police: dict[int, int] = {}
    if members:
        member_ids = np.fromiter((m for m, _s in members), np.int64, len(members))
        best = np.zeros((len(members), len(POLICE_KINDS)), np.int64)
        if found:
            member_of, kind_of, until = zip(*found, strict=True)
            at = member_ids.searchsorted(np.fromiter(member_of, np.int64, len(found)))
            kind_index = {kind: i for i, kind in enumerate(POLICE_KINDS)}
            column = np.fromiter(map(kind_index.__getitem__, kind_of), np.int64, len(found))
            days = np.fromiter((NO_END if d is None else d.toordinal() for d in until), np.int64, len(found))
            np.maximum.at(best, (at, column), days)
        least = best.min(axis=1)
        supporter_ints = [s.int for _m, s in members]
        for sid, day in zip(supporter_ints, least.tolist(), strict=True):
            police[sid] = min(police.get(sid, NO_END), day)
    return _Source(profiles, used, dict(experience), unavailable, police)


def _police_valid_until(municipality_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Per supporter: the last day on which every active adult has both valid police checks (0:
    none). Used by the demo loader."""
    src = _read(municipality_id, timezone.localdate())
    return {uuid.UUID(int=sid): day for sid, day in src.police.items()}


def _vocabulary(municipality: Municipality, profiles: list[tuple[Any, ...]]) -> Vocabulary:
    from bredvid.supporters.needs import needs_for

    need_bits = {key: i for i, (key, _label) in enumerate(needs_for(municipality)[:32])}
    language_count: Counter[str] = Counter()
    cultures: dict[str, int] = {}
    allergen_count: Counter[str] = Counter()
    for text, count in Counter(row[_LANGS] for row in profiles).items():
        for word in tokens(text):
            language_count[word] += count
    for text in dict.fromkeys(row[_CULTURE] for row in profiles):
        culture = _culture(text)
        if culture and culture not in cultures:
            cultures[culture] = len(cultures) + 1
    for text, count in Counter(row[_ALLERGIES] for row in profiles).items():
        for word in tokens(text):
            allergen_count[word] += count
    by_count = sorted(language_count, key=lambda w: (-language_count[w], w))
    allergen_order = sorted(allergen_count, key=lambda w: (-allergen_count[w], w))
    return Vocabulary(
        needs=need_bits,
        languages={w: i for i, w in enumerate(by_count[:64])},
        cultures=cultures,
        allergens={w: i for i, w in enumerate(allergen_order[:16])},
        truncated=len(by_count) > 64 or len(allergen_order) > 16,
    )


def _memo(values: Any, encode: Any, dtype: Any) -> npt.NDArray[Any]:
    """encode() of each value, computed once per distinct value (few distinct texts)."""
    codes = {value: encode(value) for value in set(values)}
    return np.fromiter(map(codes.__getitem__, values), dtype, len(values))


def _encode(src: _Source, vocabulary: Vocabulary, local_today: datetime.date) -> dict[str, Any]:
    """The engine's columns for the source's profile rows, a column at a time."""
    rows = src.profiles
    n = len(rows)
    if n == 0:
        cols0: dict[str, Any] = {name: np.zeros(0, dtype) for name, dtype in _DTYPES.items()}
        return {**cols0, "supporters": [], "kinds_text": []}
    (
        sids,
        kinds,
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
    ) = (list(c) for c in zip(*rows, strict=True))
    today = local_today.toordinal()
    lat_in = np.fromiter((np.nan if v is None else v for v in lat), np.float64, n)
    lon_in = np.fromiter((np.nan if v is None else v for v in lon), np.float64, n)
    located = ~(np.isnan(lat_in) | np.isnan(lon_in))
    # without coordinates a home cannot be placed within any distance: it fails max_distance
    lat_deg = np.where(located, lat_in, 90.0)
    lon_deg = np.where(located, lon_in, 0.0)
    lat_rad, lon_rad = np.radians(lat_deg), np.radians(lon_deg)
    police_kind = _memo(kinds, lambda k: k in POLICE_CHECKS_REQUIRED_FOR, np.bool_)
    ints = [s.int for s in sids]
    police = np.array([src.police.get(s, 0) for s in ints], np.int32)
    paused = _memo(status, lambda st: st == "paused", np.bool_)
    period = [src.unavailable.get(s, (0, 0)) for s in ints] if src.unavailable else [(0, 0)] * n
    unavailable = np.array(period, np.int32).reshape(n, 2)
    used = np.array(
        [src.used.get((s, k), 0) for s, k in zip(ints, kinds, strict=True)] if src.used else np.zeros(n),
        np.int32,
    )
    cols: dict[str, Any] = {
        "kinds": _memo(
            list(zip(kinds, approved, strict=True)),
            lambda pair: KIND_BITS.get(pair[0], 0) if pair[1] and pair[0] in json.loads(pair[1]) else 0,
            np.uint8,
        ),
        "police_valid_until": np.where(police_kind, police, NO_END).astype(np.int32),
        "capacity_free": np.maximum(0, np.array(places, np.int32) - used).astype(np.int16),
        "age_min": np.array(amin, np.int16),
        "age_max": np.array(amax, np.int16),
        "unavailable_from": np.where(paused, today, unavailable[:, 0]).astype(np.int32),
        "unavailable_to": np.where(paused, NO_END, unavailable[:, 1]).astype(np.int32),
        "lat_rad": lat_rad,
        "lon_rad": lon_rad,
        "cos_lat": np.cos(lat_rad),
        "needs": _memo(
            needs,
            lambda text: vocabulary.mask(list(json.loads(text) or []) if text else [], vocabulary.needs),
            np.uint32,
        ),
        "languages": _memo(langs, lambda v: vocabulary.mask(tokens(v), vocabulary.languages), np.uint64),
        "culture": _memo(culture, lambda v: vocabulary.cultures.get(_culture(v), 0), np.int16),
        "pets": np.array(pets, np.bool_),
        "smoking": np.array(smoking, np.bool_),
        "allergens": _memo(allergies, lambda v: vocabulary.mask(tokens(v), vocabulary.allergens), np.uint16),
        "experience": np.array(
            [src.experience.get(s, 0) for s in ints] if src.experience else np.zeros(n), np.float32
        ),
        "wish_gender": _memo(wish, lambda v: GENDER_CODES.get(v, 0), np.int8),
    }
    return {**cols, "supporters": sids, "kinds_text": kinds}


_DTYPES = {
    "kinds": np.uint8,
    "police_valid_until": np.int32,
    "capacity_free": np.int16,
    "age_min": np.int16,
    "age_max": np.int16,
    "unavailable_from": np.int32,
    "unavailable_to": np.int32,
    "lat_rad": np.float64,
    "lon_rad": np.float64,
    "cos_lat": np.float64,
    "needs": np.uint32,
    "languages": np.uint64,
    "culture": np.int16,
    "pets": np.bool_,
    "smoking": np.bool_,
    "allergens": np.uint16,
    "experience": np.float32,
    "wish_gender": np.int8,
}


def _keys(supporters: list[uuid.UUID]) -> npt.NDArray[np.bytes_]:
    return np.array([s.bytes for s in supporters], dtype="S16")


def build_pool(municipality: Municipality, *, version: int = 0) -> MunicipalPool:
    """Read the municipality's supporters once and lay them out as arrays (one query per table)."""
    local_today = timezone.localdate()
    src = _read(municipality.pk, local_today)
    vocabulary = _vocabulary(municipality, src.profiles)
    cols = _encode(src, vocabulary, local_today)
    supporters, kinds = cols.pop("supporters"), cols.pop("kinds_text")
    pool = Pool(ids=np.arange(len(supporters), dtype=np.int64), **cols)
    return MunicipalPool(
        municipality_id=municipality.pk,
        version=version,
        pool=pool,
        vocabulary=vocabulary,
        supporter_of_row=supporters,
        kind_of_row=kinds,
        keys=_keys(supporters),
        built_on=local_today,
    )


def _patch(
    municipality: Municipality, cached: MunicipalPool, changed: list[uuid.UUID], local_today: datetime.date
) -> MunicipalPool | None:
    """The cached pool with the changed supporters' rows re-read (None: only a rebuild will do)."""
    src = _read(municipality.pk, local_today, only=changed)
    vocabulary = cached.vocabulary.extended(src.profiles)
    if vocabulary is None:
        return None
    cols = _encode(src, vocabulary, local_today)
    supporters, kinds = cols.pop("supporters"), cols.pop("kinds_text")
    # the changed supporters' rows: keys are sorted (rows by supporter id), so a binary search
    # each, not np.isin's sort of every key
    changed_keys = _keys(changed)
    starts = cached.keys.searchsorted(changed_keys, "left")
    ends = cached.keys.searchsorted(changed_keys, "right")
    remove = (
        np.sort(
            np.concatenate(
                [np.arange(a, b, dtype=np.int64) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
            )
        )
        if len(changed)
        else np.zeros(0, np.int64)
    )
    kept_keys = np.delete(cached.keys, remove)
    new_keys = _keys(supporters)
    insert_at = kept_keys.searchsorted(new_keys) if len(new_keys) else np.zeros(0, np.int64)
    n = len(cached.pool) - len(remove) + len(supporters)
    pool = cached.pool.patched(remove, insert_at, cols, np.arange(n, dtype=np.int64))
    supporter_of_row, kind_of_row = list(cached.supporter_of_row), list(cached.kind_of_row)
    for r in remove[::-1].tolist():
        del supporter_of_row[r], kind_of_row[r]
    for j, at in enumerate(insert_at.tolist()):
        supporter_of_row.insert(at + j, supporters[j])
        kind_of_row.insert(at + j, kinds[j])
    return dataclasses.replace(
        cached,
        pool=pool,
        vocabulary=vocabulary,
        supporter_of_row=supporter_of_row,
        kind_of_row=kind_of_row,
        keys=np.insert(kept_keys, insert_at, new_keys),
    )


@dataclass(frozen=True)
class Relations:
    """What a request's engine view needs from its related rows."""

    sibling_births: tuple[datetime.date, ...]  # the siblings placed with the child
    relative_ids: tuple[uuid.UUID, ...]  # supporters who are närstående
    protected_places: tuple[tuple[float, float, float], ...]  # (lat, lon, minimum km)


def request_relations(support_request: SupportRequest) -> Relations:
    """The request's siblings, relatives and protected places: from prefetched rows when the caller
    prefetched all three, else in one query (a UNION ALL of the three tables), kept on the instance."""
    cached = support_request.__dict__.get("_matching_relations")
    if cached is not None:
        return cached
    prefetched = getattr(support_request, "_prefetched_objects_cache", {})
    if {"siblings", "relatives", "protected_places"} <= set(prefetched):
        relations = Relations(
            tuple(s.intervention.case.client.birth_date for s in support_request.siblings.all()),
            tuple(r.supporter_id for r in support_request.relatives.all()),
            tuple(
                (p.latitude, p.longitude, float(p.min_distance_km))
                for p in support_request.protected_places.all()
            ),
        )
    else:
        relations = _relations_query(support_request)
    support_request.__dict__["_matching_relations"] = relations
    return relations


def _relations_query(support_request: SupportRequest) -> Relations:
    from bredvid.matching.models import ProtectedPlace, RequestRelative, RequestSibling

    columns = ("rel_tag", "rel_birth", "rel_supporter", "rel_lat", "rel_lon", "rel_km")
    # typed NULLs: PostgreSQL resolves a UNION's column types pairwise (NULL with NULL is text)
    nothing = {
        "rel_birth": Cast(Value(None), DateField()),
        "rel_supporter": Cast(Value(None), UUIDField()),
        "rel_lat": Cast(Value(None), FloatField()),
        "rel_lon": Cast(Value(None), FloatField()),
        "rel_km": Cast(Value(None), FloatField()),
    }

    def part(qs: Any, tag: int, **given: Any) -> Any:
        values = {**nothing, **given}
        return (
            qs.filter(request=support_request)
            .order_by()
            .annotate(rel_tag=Value(tag, output_field=IntegerField()), **values)
            .values_list(*columns)
        )

    rows = list(
        part(RequestSibling.objects, 0, rel_birth=F("intervention__case__client__birth_date")).union(
            part(RequestRelative.objects, 1, rel_supporter=F("supporter_id")),
            part(
                ProtectedPlace.objects,
                2,
                rel_lat=F("latitude"),
                rel_lon=F("longitude"),
                rel_km=Cast("min_distance_km", FloatField()),
            ),
            all=True,
        )
    )
    return Relations(
        tuple(birth for tag, birth, *_rest in rows if tag == 0),
        tuple(row[2] for row in rows if row[0] == 1),
        tuple((row[3], row[4], float(row[5])) for row in rows if row[0] == 2),
    )


def children_ages(support_request: SupportRequest, on: datetime.date) -> list[int]:
    """Ages of the request's child and its siblings on `on` (the request's start)."""
    births = [support_request.case.client.birth_date, *request_relations(support_request).sibling_births]
    return [on.year - b.year - ((on.month, on.day) < (b.month, b.day)) for b in births]


def engine_request(support_request: SupportRequest, mpool: MunicipalPool) -> Request:
    """The engine's view of a support request (no names, no identity numbers)."""
    start = support_request.start_on
    year = datetime.timedelta(days=365)
    end = support_request.end_on or (start + year if start <= datetime.date.max - year else datetime.date.max)
    ages = children_ages(support_request, start)
    vocab = mpool.vocabulary
    relations = request_relations(support_request)
    relatives = tuple(
        row for sid in relations.relative_ids for row in mpool.rows_for(sid, support_request.support_kind)
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
        protected_places=relations.protected_places,
        relatives=relatives,
    )
