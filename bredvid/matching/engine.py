"""Matching engine: hard rules as vectorised masks, an explainable weighted score, top k.

Pure numpy (no ORM, no Django), so it can be tested and benchmarked alone. The pool is a
struct of arrays (`Pool`), one entry per supporter and support kind; `features.py` builds it
from the database. A request (`Request`) describes one child or sibling group.

Hard rules are applied in a fixed order to a shrinking set of candidate indices, so each
excluded supporter is counted once, under the first rule it breaks: the counts add up to
the pool size minus the number eligible. Close persons (närstående, SoL 22 kap. 1 §) that
pass the rules form a first tier of their own; they are not given a bonus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088

HARD_RULES = (
    "approved_for_kind",
    "police_checks",
    "capacity",
    "age",
    "available",
    "exclusions",
    "max_distance",
    "protected_distance",
)
CRITERIA = ("needs", "languages", "culture", "distance", "experience", "wishes")
DISTANCE_BANDS_KM = (2.0, 5.0, 10.0, 20.0, 50.0)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Pool:
    """One row per supporter (for one support kind). Days are integers (e.g. date.toordinal())."""

    ids: I64  # stable identifiers, used to break ties (order of the pool never matters)
    kinds: npt.NDArray[np.uint8]  # bitmask of approved support kinds
    police_valid_until: npt.NDArray[
        np.int32
    ]  # last day both police checks of every adult are valid; 0 = none
    capacity_free: npt.NDArray[np.int16]  # children the home can take now
    age_min: npt.NDArray[np.int16]
    age_max: npt.NDArray[np.int16]
    unavailable_from: npt.NDArray[np.int32]  # 0 = no period
    unavailable_to: npt.NDArray[np.int32]
    lat_rad: F64
    lon_rad: F64
    cos_lat: F64
    needs: npt.NDArray[np.uint32]  # bitmask of needs the home can meet
    languages: npt.NDArray[np.uint64]  # bitmask of languages spoken
    culture: npt.NDArray[np.int16]  # 0 = not stated
    pets: npt.NDArray[np.bool_]
    smoking: npt.NDArray[np.bool_]
    allergens: npt.NDArray[np.uint16]  # bitmask of allergens present in the home
    experience: npt.NDArray[np.float32]  # completed assignments, capped when scored
    wish_gender: npt.NDArray[np.int8]  # 0 = any, 1 = girl, 2 = boy

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class Request:
    kind_bit: int
    police_required: bool
    children: int  # siblings placed together need this many free places in one home
    age: int
    gender: int  # 1 girl, 2 boy
    start_day: int
    end_day: int
    lat: float
    lon: float
    max_km: float
    needs: int = 0
    languages: int = 0
    culture: int = 0
    no_pets: bool = False
    no_smoking: bool = False
    allergens: int = 0  # the child's allergies
    protected_places: tuple[tuple[float, float, float], ...] = ()  # (lat, lon, minimum km)
    relatives: tuple[int, ...] = ()  # supporter ids of närstående


@dataclass(frozen=True)
class Weights:
    needs: float = 4.0
    languages: float = 2.0
    culture: float = 1.0
    distance: float = 2.0
    experience: float = 1.0
    wishes: float = 0.5
    version: int = 1

    def vector(self) -> F64:
        return np.array([getattr(self, name) for name in CRITERIA], dtype=np.float64)


@dataclass(frozen=True)
class Candidate:
    supporter_id: int
    score: float
    contributions: dict[str, float]
    distance_km: float | None  # None for protected requests: only the band is shown
    distance_band: str
    relative: bool


@dataclass(frozen=True)
class Result:
    relatives: list[Candidate]
    candidates: list[Candidate]
    excluded: dict[str, int]
    eligible: int
    pool_size: int
    weights_version: int
    protected: bool = field(default=False)


def haversine_km(lat_rad: F64, lon_rad: F64, cos_lat: F64, lat: float, lon: float) -> F64:
    """Great-circle distance in float64 (short distances matter)."""
    plat, plon = np.radians(lat), np.radians(lon)
    a = np.sin((lat_rad - plat) * 0.5) ** 2 + cos_lat * np.cos(plat) * np.sin((lon_rad - plon) * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _band(km: float) -> str:
    for limit in DISTANCE_BANDS_KM:
        if km < limit:
            return f"< {limit:g} km"
    return f"≥ {DISTANCE_BANDS_KM[-1]:g} km"


def _popcount(values: npt.NDArray[np.unsignedinteger]) -> npt.NDArray[np.int64]:
    return np.bitwise_count(values).astype(np.int64)  # numpy ≥ 2.0


def shortlist(pool: Pool, request: Request, weights: Weights, k: int = 20) -> Result:
    idx = np.arange(len(pool), dtype=np.int64)
    excluded: dict[str, int] = {}
    distances: F64 | None = None

    def keep(rule: str, ok: npt.NDArray[np.bool_]) -> None:
        nonlocal idx, distances
        excluded[rule] = int(idx.shape[0] - np.count_nonzero(ok))
        idx = idx[ok]
        if distances is not None:
            distances = distances[ok]

    keep("approved_for_kind", (pool.kinds[idx] & np.uint8(request.kind_bit)) != 0)
    if request.police_required:
        keep("police_checks", pool.police_valid_until[idx] >= request.end_day)
    else:
        excluded["police_checks"] = 0
    keep("capacity", pool.capacity_free[idx] >= request.children)
    keep("age", (pool.age_min[idx] <= request.age) & (request.age <= pool.age_max[idx]))
    start, end = pool.unavailable_from[idx], pool.unavailable_to[idx]
    keep("available", (start == 0) | (end < request.start_day) | (start > request.end_day))
    ok = (pool.allergens[idx] & np.uint16(request.allergens)) == 0
    if request.no_pets:
        ok &= ~pool.pets[idx]
    if request.no_smoking:
        ok &= ~pool.smoking[idx]
    keep("exclusions", ok)
    distances = haversine_km(
        pool.lat_rad[idx], pool.lon_rad[idx], pool.cos_lat[idx], request.lat, request.lon
    )
    keep("max_distance", distances <= request.max_km)
    ok = np.ones(idx.shape[0], dtype=bool)
    for plat, plon, min_km in request.protected_places:
        ok &= haversine_km(pool.lat_rad[idx], pool.lon_rad[idx], pool.cos_lat[idx], plat, plon) >= min_km
    keep("protected_distance", ok)

    criteria = np.empty((idx.shape[0], len(CRITERIA)), dtype=np.float64)
    wanted_needs = _popcount(np.array([request.needs], dtype=np.uint32))[0]
    met = _popcount(pool.needs[idx] & np.uint32(request.needs))
    criteria[:, 0] = met / wanted_needs if wanted_needs else 0.0
    criteria[:, 1] = ((pool.languages[idx] & np.uint64(request.languages)) != 0) if request.languages else 0.0
    criteria[:, 2] = (pool.culture[idx] == request.culture) if request.culture else 0.0
    criteria[:, 3] = 1.0 - distances / max(request.max_km, 1e-9)
    criteria[:, 4] = np.minimum(pool.experience[idx], 10.0) / 10.0
    wish = pool.wish_gender[idx]
    criteria[:, 5] = (wish == 0) | (wish == request.gender)
    contributions = criteria * weights.vector()
    scores = contributions.sum(axis=1)

    relative_ids = np.array(request.relatives, dtype=np.int64)
    is_relative = (
        np.isin(pool.ids[idx], relative_ids) if relative_ids.size else np.zeros(idx.shape[0], dtype=bool)
    )
    protected = bool(request.protected_places)

    def build(rows: I64, relative: bool) -> list[Candidate]:
        return [
            Candidate(
                supporter_id=int(pool.ids[idx[r]]),
                score=float(scores[r]),
                contributions={name: float(contributions[r, c]) for c, name in enumerate(CRITERIA)},
                distance_km=None if protected else float(distances[r]),  # type: ignore[index]
                distance_band=_band(float(distances[r])),  # type: ignore[index]
                relative=relative,
            )
            for r in rows
        ]

    relatives = np.flatnonzero(is_relative)
    others = np.flatnonzero(~is_relative)
    if others.shape[0] > k:
        # the k best, ties broken by supporter id so the pool's order never matters
        part = others[np.argpartition(-scores[others], k - 1)[:k]]
        threshold = scores[part].min()
        others = others[scores[others] >= threshold]
    order = np.lexsort((pool.ids[idx[others]], -scores[others]))
    top = others[order][:k]
    rel_order = relatives[np.lexsort((pool.ids[idx[relatives]], -scores[relatives]))]
    return Result(
        relatives=build(rel_order, True),
        candidates=build(top, False),
        excluded={rule: excluded.get(rule, 0) for rule in HARD_RULES},
        eligible=int(idx.shape[0]),
        pool_size=len(pool),
        weights_version=weights.version,
        protected=protected,
    )
