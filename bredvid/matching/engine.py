"""Matching engine: hard rules as vectorised masks, an explainable weighted score, top k.

Pure numpy (no ORM, no Django), so it can be tested and benchmarked alone. The pool is a
struct of arrays (`Pool`), one entry per supporter and support kind; `features.py` builds it
from the database. A request (`Request`) describes one child or sibling group.

Hard rules are applied in the fixed order of `HARD_RULES`, so each excluded supporter is
counted once, under the first rule it breaks: the counts add up to the pool size minus the
number eligible. Close persons (närstående, SoL 22 kap. 1 §) that pass the rules form a
first tier of their own; they are not given a bonus.

Speed. The first two rules are answered from an index built once per pool and support kind
(lazily, on the first request of that kind; `Pool.prepare()` builds them all up front): the
rows approved for the kind, sorted by latitude, with a copy of every column in that order.
A request reads only the latitude band that can lie within `max_km` (a great-circle
distance is never shorter than the earth's radius times the difference in latitude), then a
longitude box (bounded with the smallest cosine of latitude in the band), and computes the
exact float64 haversine only for the rows in the box. Both bounds are conservative, so the
rows outside them are exactly the rows farther than `max_km`, and the counts stay exact. The
remaining rules and the score run on the rows within the distance only, and the explanation
(`Candidate`) is built for the k listed and the relatives only.

A `Pool` is immutable: when the data change, `Pool.patched` makes a new one from it (the indexes
of the kinds no changed row carries are carried over, renumbered).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088

HARD_RULES = (
    "approved_for_kind",
    "max_distance",
    "police_checks",
    "capacity",
    "age",
    "available",
    "exclusions",
    "protected_distance",
)
CRITERIA = ("needs", "languages", "culture", "distance", "experience", "wishes")
DISTANCE_BANDS_KM = (2.0, 5.0, 10.0, 20.0, 50.0)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

_MARGIN = 1e-9  # relative slack of the conservative bounds (float rounding), in radians too
_TWO_PI = 2.0 * math.pi


class _KindIndex:
    """The rows approved for one kind bitmask, sorted by latitude, every column copied in that order.

    Also the unit vector of every home (x, y, z), so that "within d km" is a dot product: for
    two points on the sphere, 1 − p·q = 2·sin²(d/2R), the haversine's own quantity.
    """

    __slots__ = ("cols", "exact_only", "n")

    def __init__(self, pool: Pool, kind_bit: int) -> None:
        rows = np.flatnonzero((pool.kinds & np.uint8(kind_bit)) != 0)
        rows = rows[np.lexsort((pool.ids[rows], pool.lat_rad[rows]))]
        self.cols, consistent = _index_columns({name: getattr(pool, name)[rows] for name in _SOURCE_COLUMNS})
        self.n = int(rows.shape[0])
        # the dot-product test is exact up to a margin only if cos_lat is the cosine of lat_rad
        self.exact_only = not consistent

    def patched(self, drop: Bool, renumber: Any, rows: dict[str, npt.NDArray[Any]]) -> _KindIndex | None:
        """This index without the entries `drop`, the kept ids renumbered, and `rows` (the inserted
        rows of this kind, ids included) merged in at their places in (latitude, id) order: what a
        fresh build of the patched pool gives, without sorting it again. None: build it afresh."""
        if self.exact_only:
            return None
        kept = {name: column[~drop] for name, column in self.cols.items()}
        if renumber is not None:
            kept["ids"] = renumber(kept["ids"])
        if rows["ids"].shape[0]:
            order = np.lexsort((rows["ids"], rows["lat_rad"]))
            added, consistent = _index_columns({name: column[order] for name, column in rows.items()})
            if not consistent:
                return None
            lat, ids = kept["lat_rad"], kept["ids"]
            at = lat.searchsorted(added["lat_rad"], "left")
            ties = np.flatnonzero(at < lat.shape[0])
            ties = ties[lat[at[ties]] == added["lat_rad"][ties]]
            for j in ties.tolist():  # equal latitudes: ordered by id, as the lexsort of a build
                lo, hi = int(at[j]), int(lat.searchsorted(added["lat_rad"][j], "right"))
                at[j] = lo + int(ids[lo:hi].searchsorted(added["ids"][j]))
            kept = {name: np.insert(column, at, added[name]) for name, column in kept.items()}
        index = object.__new__(_KindIndex)
        index.cols, index.n, index.exact_only = kept, int(kept["ids"].shape[0]), False
        return index

    @property
    def nbytes(self) -> int:
        return sum(array.nbytes for array in self.cols.values())


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_indexes", {})

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def _index(self, kind_bit: int) -> _KindIndex:
        indexes: dict[int, _KindIndex] = self.__dict__["_indexes"]
        index = indexes.get(kind_bit)
        if index is None:
            index = indexes[kind_bit] = _KindIndex(self, kind_bit)
        return index

    def prepare(self) -> Pool:
        """Build the index of every single kind bit present in the pool now (else: on first use)."""
        present = int(np.bitwise_or.reduce(self.kinds)) if len(self) else 0
        for bit in range(8):
            if present & (1 << bit):
                self._index(1 << bit)
        return self

    def patched(self, remove: I64, insert_at: I64, rows: dict[str, npt.NDArray[Any]], ids: I64) -> Pool:
        """A new pool: this one without the rows at positions `remove`, with `rows` (one array per
        column but ids) inserted before positions `insert_at` of what remains (as `np.insert`,
        `insert_at` ascending), and the identifiers `ids` for the result. This pool is untouched
        (a shortlist running on it in another thread is not disturbed). The index of a kind that
        no removed or inserted row carries is carried over with its ids renumbered; the others
        are patched (`_KindIndex.patched`: the changed entries dropped, the new ones merged in at
        their places), not sorted again."""
        keep = np.ones(len(self), dtype=np.bool_)
        keep[remove] = False
        names = [name for name in self.__dataclass_fields__ if name != "ids"]
        new = Pool(
            ids=ids, **{name: np.insert(getattr(self, name)[keep], insert_at, rows[name]) for name in names}
        )
        touched = int(np.bitwise_or.reduce(self.kinds[remove])) if remove.shape[0] else 0
        if rows["kinds"].shape[0]:
            touched |= int(np.bitwise_or.reduce(rows["kinds"]))
        inserted = np.asarray(insert_at, dtype=np.int64) + np.arange(insert_at.shape[0], dtype=np.int64)
        new_position = np.ones(len(new), dtype=np.bool_)
        new_position[inserted] = False
        old_ids, new_ids = self.ids[keep], ids[new_position]  # the kept rows, before and after
        renumber = _renumbering(self.ids, keep, old_ids, new_ids)
        if renumber is False:
            return new  # every index is built again on first use
        removed_ids = self.ids[remove]
        for kind_bit, index in self.__dict__["_indexes"].items():
            if not kind_bit & touched:  # carried over, renumbered
                carried = object.__new__(_KindIndex)
                carried.cols = dict(index.cols)
                if renumber is not None:
                    carried.cols["ids"] = renumber(index.cols["ids"])
                carried.n, carried.exact_only = index.n, index.exact_only
                new.__dict__["_indexes"][kind_bit] = carried
                continue
            mine = np.flatnonzero((rows["kinds"] & np.uint8(kind_bit)) != 0)
            added = {name: rows[name][mine] for name in _SOURCE_COLUMNS if name != "ids"}
            added["ids"] = ids[inserted[mine]]
            drop = np.isin(index.cols["ids"], removed_ids)
            patched_index = index.patched(drop, renumber, added)
            if patched_index is not None:
                new.__dict__["_indexes"][kind_bit] = patched_index
        return new

    @property
    def nbytes(self) -> int:
        """The feature arrays and the indexes built so far (call `prepare()` first for all)."""
        columns = sum(getattr(self, name).nbytes for name in self.__dataclass_fields__)
        return columns + sum(index.nbytes for index in self.__dict__["_indexes"].values())


def _renumbering(ids: I64, keep: Bool, old_ids: I64, new_ids: I64) -> Any:
    """old id → new id of the kept rows (None: unchanged; False: not order-preserving, so the
    indexes are rebuilt), vectorised: a lookup table when the ids are the row positions (as
    features.py numbers them), else a sorted search."""
    if np.array_equal(old_ids, new_ids):
        return None
    n = ids.shape[0]
    if n and ids[0] == 0 and ids[-1] == n - 1 and np.array_equal(ids, np.arange(n)):
        table = np.full(n, -1, dtype=np.int64)
        table[keep] = new_ids
        return lambda old: table[old]
    order = np.argsort(old_ids, kind="stable")
    if np.any(np.diff(new_ids[order]) < 0):
        return False  # the order of ids changes: ties in latitude would be ordered differently
    return lambda old: new_ids[order[old_ids[order].searchsorted(old)]]


_INDEXED_COLUMNS = tuple(name for name in Pool.__dataclass_fields__ if name not in ("kinds", "experience"))
_SOURCE_COLUMNS = (*_INDEXED_COLUMNS, "experience")


def _index_columns(source: dict[str, npt.NDArray[Any]]) -> tuple[dict[str, npt.NDArray[Any]], bool]:
    """An index's columns from the pool's columns of its rows (in index order), and whether
    cos_lat is the cosine of lat_rad for every row (else the dot-product test is not exact)."""
    cols = {name: np.ascontiguousarray(source[name]) for name in _INDEXED_COLUMNS}
    # the experience criterion does not depend on the request: computed once, in float64
    cols["experience_term"] = np.minimum(source["experience"].astype(np.float64), 10.0) / 10.0
    lat, lon = source["lat_rad"], source["lon_rad"]
    cos_lat = np.cos(lat)
    cols["x"], cols["y"], cols["z"] = cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)
    consistent = lat.shape[0] == 0 or bool(np.max(np.abs(source["cos_lat"] - cos_lat)) <= 1e-12)
    return cols, consistent


@dataclass(frozen=True)
class Request:
    kind_bit: int
    police_required: bool
    children: int  # siblings placed together need this many free places in one home
    age: int  # for a sibling group: the youngest
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
    age_oldest: int | None = None  # for a sibling group: the oldest (None: same as `age`)


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


_BAND_LIMITS = np.array(DISTANCE_BANDS_KM)
_BAND_LABELS = (*(_band(limit - 1e-9) for limit in DISTANCE_BANDS_KM), _band(math.inf))


def _popcount(values: npt.NDArray[np.unsignedinteger]) -> npt.NDArray[np.int64]:
    return np.bitwise_count(values).astype(np.int64)  # numpy ≥ 2.0


def _lat_slice(index: _KindIndex, plat: float, max_km: float) -> tuple[int, int]:
    """The rows whose latitude can lie within max_km (a distance is never shorter than R·Δφ)."""
    if not max_km >= 0.0:  # negative or NaN: nothing is within
        return 0, 0
    if max_km >= math.pi * EARTH_RADIUS_KM:
        return 0, index.n
    lat = index.cols["lat_rad"]
    dlat = max_km / EARTH_RADIUS_KM * (1.0 + _MARGIN) + _MARGIN
    return int(lat.searchsorted(plat - dlat, "left")), int(lat.searchsorted(plat + dlat, "right"))


def _distance_mask(
    index: _KindIndex, rows: slice | I64, lat: float, lon: float, km: float, within: bool
) -> Bool:
    """haversine_km(row, (lat, lon)) <= km (within) or >= km (not within), exactly as computed by
    `haversine_km`, for the rows (a slice or positions) of the index.

    Mostly decided by a dot product of unit vectors (1 − p·q = 2a, where a is the haversine's
    sin²(d/2R)); a row whose a lies within a tiny margin of the limit's is decided by the
    haversine itself, so the answer is the haversine's for every row.
    """
    cols = index.cols
    if index.exact_only or not 0.0 <= km < math.pi * EARTH_RADIUS_KM:
        km_ = haversine_km(cols["lat_rad"][rows], cols["lon_rad"][rows], cols["cos_lat"][rows], lat, lon)
        return (km_ <= km) if within else (km_ >= km)
    plat, plon = math.radians(lat), math.radians(lon)
    qx, qy, qz = math.cos(plat) * math.cos(plon), math.cos(plat) * math.sin(plon), math.sin(plat)
    limit = math.sin(km / (2.0 * EARTH_RADIUS_KM)) ** 2
    deviation = cols["x"][rows] * qx
    deviation += cols["y"][rows] * qy
    deviation += cols["z"][rows] * qz
    deviation -= 1.0 - 2.0 * limit  # ≥ 0: within
    mask = (deviation >= 0.0) if within else (deviation <= 0.0)
    np.abs(deviation, out=deviation)
    unsure = np.flatnonzero(deviation <= 2.0 * (limit * 1e-8 + 1e-14))
    if unsure.shape[0]:
        positions = (unsure + rows.start) if isinstance(rows, slice) else rows[unsure]
        km_ = haversine_km(
            cols["lat_rad"][positions], cols["lon_rad"][positions], cols["cos_lat"][positions], lat, lon
        )
        mask[unsure] = (km_ <= km) if within else (km_ >= km)
    return mask


@dataclass(frozen=True)
class _Evaluation:
    """The eligible rows of one request: positions in the kind index, distances, criteria, scores."""

    index: _KindIndex
    positions: I64
    distances: F64
    terms: tuple[F64 | None, ...]  # criterion values per eligible row; None = 0 for every row
    scores: F64
    excluded: dict[str, int]


def _evaluate(pool: Pool, request: Request, weights: Weights) -> _Evaluation:
    index = pool._index(request.kind_bit)
    cols = index.cols
    excluded = dict.fromkeys(HARD_RULES, 0)
    excluded["approved_for_kind"] = len(pool) - index.n

    lo, hi = _lat_slice(index, math.radians(request.lat), request.max_km)
    band = slice(lo, hi)
    alive = _distance_mask(index, band, request.lat, request.lon, request.max_km, within=True)
    remaining = int(np.count_nonzero(alive))
    excluded["max_distance"] = index.n - remaining

    # the rules that follow are masks over the latitude band (views, no copies), and-ed into
    # `alive`; each row is counted under the first one it breaks
    def rule(name: str, ok: Bool) -> None:
        nonlocal remaining
        if remaining:
            np.logical_and(alive, ok, out=alive)
            left = int(np.count_nonzero(alive))
            excluded[name] = remaining - left
            remaining = left

    if request.police_required:
        rule("police_checks", cols["police_valid_until"][band] >= request.end_day)
    rule("capacity", cols["capacity_free"][band] >= request.children)
    oldest = request.age if request.age_oldest is None else request.age_oldest
    rule("age", (cols["age_min"][band] <= request.age) & (cols["age_max"][band] >= oldest))
    start = cols["unavailable_from"][band]
    rule(
        "available",
        (start == 0) | (start > request.end_day) | (cols["unavailable_to"][band] < request.start_day),
    )
    ok: Bool | None = None
    if request.allergens:
        ok = (cols["allergens"][band] & np.uint16(request.allergens)) == 0
    if request.no_pets:
        ok = ~cols["pets"][band] if ok is None else ok & ~cols["pets"][band]
    if request.no_smoking:
        ok = ~cols["smoking"][band] if ok is None else ok & ~cols["smoking"][band]
    if ok is not None:
        rule("exclusions", ok)
    positions = np.flatnonzero(alive)
    positions += lo
    for qlat, qlon, min_km in request.protected_places:
        if positions.shape[0]:
            far = _distance_mask(index, positions, qlat, qlon, min_km, within=False)
            excluded["protected_distance"] += int(positions.shape[0] - np.count_nonzero(far))
            positions = positions[far]
    distances = haversine_km(
        cols["lat_rad"][positions],
        cols["lon_rad"][positions],
        cols["cos_lat"][positions],
        request.lat,
        request.lon,
    )

    # criteria, and the score as their weighted sum from left to right (a term that is 0 for
    # every row is left out: adding 0.0 changes no float)
    wanted = int(request.needs).bit_count()
    terms: tuple[F64 | None, ...] = (
        _popcount(cols["needs"][positions] & np.uint32(request.needs)) / wanted if wanted else None,
        ((cols["languages"][positions] & np.uint64(request.languages)) != 0).astype(np.float64)
        if request.languages
        else None,
        (cols["culture"][positions] == request.culture).astype(np.float64) if request.culture else None,
        1.0 - distances / max(request.max_km, 1e-9),
        cols["experience_term"][positions],
        _wish(cols["wish_gender"][positions], request.gender),
    )
    scores: F64 | None = None
    for term, weight in zip(terms, weights.vector().tolist(), strict=True):
        if term is not None:
            scores = term * weight if scores is None else scores + term * weight
    assert scores is not None
    return _Evaluation(index, positions, distances, terms, scores, excluded)


def _wish(wish: npt.NDArray[Any], gender: int) -> F64:
    return ((wish == 0) | (wish == gender)).astype(np.float64)


def _best(scores: F64, ids: I64, rows: I64, k: int) -> I64:
    """The k best of `rows` by score, ties broken by supporter id (the pool's order never matters)."""
    if rows.shape[0] > k:
        if k <= 0:
            return rows[:0]
        part = np.argpartition(-scores[rows], k - 1)[:k]
        threshold = scores[rows[part]].min()
        rows = rows[scores[rows] >= threshold]
    return rows[np.lexsort((ids[rows], -scores[rows]))][:k]


def _relative_mask(ids: I64, relatives: tuple[int, ...]) -> Bool | None:
    if not relatives:
        return None
    mask = np.isin(ids, np.array(relatives, dtype=np.int64))
    return mask if mask.any() else None


def shortlist(pool: Pool, request: Request, weights: Weights, k: int = 20) -> Result:
    ev = _evaluate(pool, request, weights)
    ids: I64 = ev.index.cols["ids"][ev.positions]
    is_relative = _relative_mask(ids, request.relatives)
    every = np.arange(ids.shape[0], dtype=np.int64)
    if is_relative is None:
        top, relative_rows = _best(ev.scores, ids, every, k), every[:0]
    else:
        top = _best(ev.scores, ids, every[~is_relative], k)
        relative_rows = _best(ev.scores, ids, every[is_relative], int(np.count_nonzero(is_relative)))
    protected = bool(request.protected_places)
    weight_list = weights.vector().tolist()

    def build(rows: I64, relative: bool) -> list[Candidate]:
        if rows.shape[0] == 0:
            return []
        contributions = np.zeros((rows.shape[0], len(CRITERIA)), dtype=np.float64)
        for column, (term, weight) in enumerate(zip(ev.terms, weight_list, strict=True)):
            if term is not None:
                contributions[:, column] = term[rows] * weight
        distances = ev.distances[rows]
        bands = np.searchsorted(_BAND_LIMITS, distances, side="right").tolist()
        return [
            Candidate(
                supporter_id,
                score,
                dict(zip(CRITERIA, values, strict=True)),
                None if protected else km,
                _BAND_LABELS[band],
                relative,
            )
            for supporter_id, score, km, band, values in zip(
                ids[rows].tolist(),
                ev.scores[rows].tolist(),
                distances.tolist(),
                bands,
                contributions.tolist(),
                strict=True,
            )
        ]

    return Result(
        relatives=build(relative_rows, True),
        candidates=build(top, False),
        excluded=ev.excluded,
        eligible=int(ids.shape[0]),
        pool_size=len(pool),
        weights_version=weights.version,
        protected=protected,
    )


def eligible_scores(
    pool: Pool,
    request: Request,
    weights: Weights,
    *,
    limit: int | None = None,
    include_relatives: bool = False,
) -> tuple[I64, F64]:
    """Supporter ids and scores of every eligible candidate (the input to the global assignment).

    Relatives are left out unless `include_relatives` (they are a tier of their own, proposed by
    hand). With `limit`, only the `limit` best, best first (ties by supporter id); without it, all
    of them in no particular order.
    """
    ev = _evaluate(pool, request, weights)
    ids: I64 = ev.index.cols["ids"][ev.positions]
    scores = ev.scores
    if not include_relatives:
        is_relative = _relative_mask(ids, request.relatives)
        if is_relative is not None:
            ids, scores = ids[~is_relative], scores[~is_relative]
    if limit is not None:
        top = _best(scores, ids, np.arange(ids.shape[0], dtype=np.int64), limit)
        ids, scores = ids[top], scores[top]
    return ids, scores


# --- many requests at once (the global assignment's candidate lists) ---------------------------

_BLOCK_CELLS = 1 << 20  # (request, row) cells of one block: bounds the memory (a few MB)


_I16_MIN, _I16_MAX = int(np.iinfo(np.int16).min), int(np.iinfo(np.int16).max)
_I32_MIN, _I32_MAX = int(np.iinfo(np.int32).min), int(np.iinfo(np.int32).max)


def _vectorisable(request: Request, include_relatives: bool) -> bool:
    """Requests that `eligible_lists` evaluates in bulk (its parameters fit the columns' types,
    so the comparisons run in those types); the others go through `eligible_scores`."""
    oldest = request.age if request.age_oldest is None else request.age_oldest
    return (
        0.0 <= request.max_km < math.pi * EARTH_RADIUS_KM
        and abs(request.lat) <= 90.0
        and abs(request.lon) <= 180.0
        and not request.protected_places
        and (include_relatives or not request.relatives)
        and min(request.children, request.age, oldest) >= _I16_MIN
        and max(request.children, request.age, oldest) <= _I16_MAX
        and min(request.start_day, request.end_day) > _I32_MIN
        and max(request.start_day, request.end_day) <= _I32_MAX
        and 0 <= request.allergens < 2**16
        and 0 <= request.needs < 2**32
        and 0 <= request.languages < 2**64
    )


_STRIP_RAD = math.radians(0.1)  # height of a latitude strip of the grid


class _Grid:
    """A kind index's rows in latitude strips, each strip sorted by longitude: the rows of a
    box are one run per strip, found by searchsorted on (strip, longitude) keys."""

    __slots__ = ("first_strip", "keys", "last_strip", "order")

    def __init__(self, index: _KindIndex) -> None:
        lat, lon = index.cols["lat_rad"], index.cols["lon_rad"]
        strips = np.floor(lat / _STRIP_RAD).astype(np.int64)
        self.first_strip, self.last_strip = int(strips[0]), int(strips[-1])
        self.order = np.lexsort((lon, strips))  # index positions in grid order
        self.keys = (strips[self.order] - self.first_strip) * 8.0 + (lon[self.order] + math.pi)

    @staticmethod
    def usable(index: _KindIndex) -> bool:
        lat, lon = index.cols["lat_rad"], index.cols["lon_rad"]
        return bool(np.all(np.abs(lat) <= math.pi / 2)) and bool(np.all(np.abs(lon) <= math.pi))  # no NaN

    def box(
        self, lat_lo: float, lat_hi: float, lat_abs: float, dlat: float, lon_lo: float, lon_hi: float
    ) -> I64:
        """Index positions (ascending) of every row within `dlat` radians of latitude of
        [lat_lo, lat_hi] and of the longitude range widened as a spherical cap's around the
        latitude of largest |φ| needs (asin(sin r / cos φ)); conservative, with margins."""
        s_lo = max(math.floor((lat_lo - dlat) / _STRIP_RAD), self.first_strip)
        s_hi = min(math.floor((lat_hi + dlat) / _STRIP_RAD), self.last_strip)
        if s_hi < s_lo:
            return np.empty(0, dtype=np.int64)
        ratio = math.sin(min(dlat, math.pi / 2)) / max(math.cos(lat_abs), 1e-300)
        full = lat_abs + dlat >= math.pi / 2 or ratio >= 1.0
        dlon = 0.0 if full else math.asin(ratio) * (1.0 + 1e-6) + 1e-9
        west, east = lon_lo - dlon + math.pi, lon_hi + dlon + math.pi
        if full or west < 0.0 or east > _TWO_PI:
            west, east = -1.0, 7.5
        strips = np.arange(s_lo - self.first_strip, s_hi - self.first_strip + 1, dtype=np.float64) * 8.0
        start = self.keys.searchsorted(strips + west, "left")
        stop = self.keys.searchsorted(strips + east, "right")
        length = stop - start
        at = np.repeat(start - (np.cumsum(length) - length), length)
        at += np.arange(at.shape[0], dtype=np.int64)
        return np.sort(self.order[at])


def _pair_haversine(cols: dict[str, npt.NDArray[Any]], g: I64, plat: F64, plon: F64, cos_plat: F64) -> F64:
    """`haversine_km` of index row g[i] to request point i (the same operations, in the same order)."""
    a = (
        np.sin((cols["lat_rad"][g] - plat) * 0.5) ** 2
        + cols["cos_lat"][g] * cos_plat * np.sin((cols["lon_rad"][g] - plon) * 0.5) ** 2
    )
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def eligible_lists(
    pool: Pool,
    requests: list[Request],
    weights: Weights,
    *,
    limit: int | None = None,
    include_relatives: bool = False,
) -> list[tuple[I64, F64]]:
    """`eligible_scores` of every request (best first, ties by supporter id), computed for the
    requests of a kind together, in blocks of requests near each other against the rows of the
    block's bounding box (`_Grid.box`, less the rows a rule alone excludes for every request of
    the block): the distance test and the hard rules as broadcast operations over that
    (request × row) matrix, then the distances and the score over the eligible pairs, all with
    the same operations as `_evaluate`, so the same candidates and the same scores to the bit.
    Requests with protected places, with relatives (unless included), an unbounded distance or
    parameters outside the columns' types, and kinds whose index is not exact on the dot
    product or has homes off the globe's coordinates, go through `eligible_scores`."""
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
    out: list[tuple[I64, F64]] = [empty] * len(requests)
    by_kind: dict[int, list[int]] = {}
    for i, request in enumerate(requests):
        if _vectorisable(request, include_relatives):
            by_kind.setdefault(request.kind_bit, []).append(i)
        else:
            out[i] = _best_first(
                eligible_scores(pool, request, weights, limit=limit, include_relatives=include_relatives)
            )
    w = weights.vector().tolist()
    for kind_bit, members in by_kind.items():
        index = pool._index(kind_bit)
        if index.exact_only or not _Grid.usable(index):
            for i in members:
                out[i] = _best_first(
                    eligible_scores(
                        pool, requests[i], weights, limit=limit, include_relatives=include_relatives
                    )
                )
            continue
        if index.n == 0:
            continue
        for i, lists in _kind_lists(index, [requests[i] for i in members], w, limit).items():
            out[members[i]] = lists
    return out


def _best_first(lists: tuple[I64, F64]) -> tuple[I64, F64]:
    ids, scores = lists
    order = np.lexsort((ids, -scores))
    return ids[order], scores[order]


def _kind_lists(
    index: _KindIndex, requests: list[Request], w: list[float], limit: int | None
) -> dict[int, tuple[I64, F64]]:
    cols = index.cols
    n = len(requests)
    # per request, its scalars computed as `_lat_slice`, `_distance_mask` and `haversine_km` do
    q_lat = [math.radians(r.lat) for r in requests]
    q_lon = [math.radians(r.lon) for r in requests]
    q = np.array(
        [
            (math.cos(a) * math.cos(b), math.cos(a) * math.sin(b), math.sin(a))
            for a, b in zip(q_lat, q_lon, strict=True)
        ]
    )
    limits = [math.sin(r.max_km / (2.0 * EARTH_RADIUS_KM)) ** 2 for r in requests]
    offset = np.array([1.0 - 2.0 * x for x in limits])
    unsure_at = np.array([2.0 * (x * 1e-8 + 1e-14) for x in limits])  # `_distance_mask`'s margin
    h_lat = np.array([np.radians(r.lat) for r in requests], dtype=np.float64)
    h_lon = np.array([np.radians(r.lon) for r in requests], dtype=np.float64)
    h_cos = np.array([np.cos(np.radians(r.lat)) for r in requests], dtype=np.float64)
    max_km = np.array([r.max_km for r in requests], dtype=np.float64)
    # police not required: any day passes (the smallest int32 is below every stored day)
    police_until = np.array([r.end_day if r.police_required else _I32_MIN for r in requests], dtype=np.int64)
    end = np.array([r.end_day for r in requests], dtype=np.int64)
    start_day = np.array([r.start_day for r in requests], dtype=np.int64)
    children = np.array([r.children for r in requests], dtype=np.int64)
    age = np.array([r.age for r in requests], dtype=np.int64)
    oldest = np.array([r.age if r.age_oldest is None else r.age_oldest for r in requests], dtype=np.int64)
    allergens = np.array([r.allergens for r in requests], dtype=np.uint16)
    no_pets = np.array([r.no_pets for r in requests], dtype=np.bool_)
    no_smoking = np.array([r.no_smoking for r in requests], dtype=np.bool_)
    needs = np.array([r.needs for r in requests], dtype=np.uint32)
    wanted = np.array([int(r.needs).bit_count() for r in requests], dtype=np.int64)
    languages = np.array([r.languages for r in requests], dtype=np.uint64)
    culture = np.array([r.culture for r in requests], dtype=np.int64)
    gender = np.array([r.gender for r in requests], dtype=np.int64)
    scale = np.array([max(r.max_km, 1e-9) for r in requests], dtype=np.float64)
    row_free = cols["unavailable_from"] == 0

    # requests near each other (0.5° cells, then longitude) share a block and its box of rows
    # (those needing police checks apart: their block's rows are the checked ones only)
    cell = np.floor(np.array(q_lat) / math.radians(0.5))
    order = np.lexsort((np.array(q_lon), cell, np.array([r.police_required for r in requests])))
    dlats = np.array([r.max_km / EARTH_RADIUS_KM * (1.0 + _MARGIN) + _MARGIN for r in requests])
    grid = _Grid(index)
    lat_arr, lon_arr = np.array(q_lat), np.array(q_lon)
    packed = (
        cols["allergens"].astype(np.uint32)
        | (cols["pets"].astype(np.uint32) << np.uint32(16))
        | (cols["smoking"].astype(np.uint32) << np.uint32(17))
    )
    excluding = (
        allergens.astype(np.uint32)
        | (no_pets.astype(np.uint32) << np.uint32(16))
        | (no_smoking.astype(np.uint32) << np.uint32(17))
    )
    police_until = police_until.astype(np.int32)
    end32, start32 = end.astype(np.int32), start_day.astype(np.int32)
    children16, age16, oldest16 = children.astype(np.int16), age.astype(np.int16), oldest.astype(np.int16)
    result: dict[int, tuple[I64, F64]] = {}
    first = 0
    while first < n:
        # a block: the next requests in that order while (requests × rows of their box) stays small
        last = first + 1
        step = 8
        while last < n:
            trial = min(last + step, n)
            span = order[first:trial]
            rows = _box_size(grid, lat_arr[span], lon_arr[span], dlats[span])
            if (trial - first) * rows > _BLOCK_CELLS:
                break
            last, step = trial, step * 2
        block = order[first:last]
        first = last
        lats = lat_arr[block]
        dlat = float(dlats[block].max())
        g0 = grid.box(
            float(lats.min()), float(lats.max()), float(np.abs(lats).max()), dlat,
            float(lon_arr[block].min()), float(lon_arr[block].max()),
        )  # fmt: skip
        # rows no request of the block can take, by a rule alone (the rules are applied below
        # all the same: this only narrows the matrix)
        g0 = g0[
            (cols["police_valid_until"][g0] >= police_until[block].min())
            & (cols["capacity_free"][g0] >= children16[block].min())
            & (cols["age_min"][g0] <= age16[block].max())
            & (cols["age_max"][g0] >= oldest16[block].min())
            & ((packed[g0] & np.bitwise_and.reduce(excluding[block])) == 0)
        ]
        if g0.shape[0] == 0:
            for i in block.tolist():
                result[i] = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))
            continue
        column = block[:, None]
        # (requests, rows): the dot products, in `_distance_mask`'s order of operations (not a
        # matrix product: BLAS threads would contend with the other processes for the cores)
        qb = q[block]
        dots = qb[:, 0:1] * cols["x"][g0]
        dots += qb[:, 1:2] * cols["y"][g0]
        dots += qb[:, 2:3] * cols["z"][g0]
        # within, or nearly (twice the margin: the subtraction below is rounded on its own)
        ok = dots >= (offset[block] - 2.0 * unsure_at[block])[:, None]
        ok &= cols["police_valid_until"][g0] >= police_until[column]
        ok &= cols["capacity_free"][g0] >= children16[column]
        ok &= cols["age_min"][g0] <= age16[column]
        ok &= cols["age_max"][g0] >= oldest16[column]
        ok &= (
            row_free[g0]
            | (cols["unavailable_from"][g0] > end32[column])
            | (cols["unavailable_to"][g0] < start32[column])
        )
        ok &= (packed[g0] & excluding[column]) == 0
        at, g = np.nonzero(ok)
        r = block[at]
        deviation = dots[at, g] - offset[r]
        g = g0[g]
        unsure = np.flatnonzero(np.abs(deviation) <= unsure_at[r])
        keep = deviation >= 0.0
        if unsure.shape[0]:
            u, ru = g[unsure], r[unsure]
            keep[unsure] = _pair_haversine(cols, u, h_lat[ru], h_lon[ru], h_cos[ru]) <= max_km[ru]
        at, g, r = at[keep], g[keep], r[keep]

        distances = _pair_haversine(cols, g, h_lat[r], h_lon[r], h_cos[r])
        has_needs = wanted[r] > 0
        needs_term = np.zeros(g.shape[0], dtype=np.float64)
        needs_term[has_needs] = (
            _popcount(cols["needs"][g[has_needs]] & needs[r[has_needs]]) / wanted[r[has_needs]]
        )
        # the weighted sum from left to right; a term `_evaluate` leaves out is 0 here (adding
        # 0.0 changes no float)
        scores = needs_term * w[0]
        scores += ((cols["languages"][g] & languages[r]) != 0) * w[1]
        scores += ((cols["culture"][g] == culture[r]) & (culture[r] != 0)) * w[2]
        scores += (1.0 - distances / scale[r]) * w[3]
        scores += cols["experience_term"][g] * w[4]
        wish = cols["wish_gender"][g]
        scores += ((wish == 0) | (wish == gender[r])) * w[5]
        ids = cols["ids"][g]

        if limit is not None and g.shape[0] > limit > 0:
            # only the pairs scoring at least their request's limit-th best go on to the sort
            counts = np.bincount(at, minlength=block.shape[0])
            starts = np.cumsum(counts) - counts
            many = counts > limit
            if many.any():
                crowded = np.flatnonzero(many)
                table = np.full((crowded.shape[0], int(counts[crowded].max())), -np.inf)
                slot = np.full(block.shape[0], -1, dtype=np.int64)
                slot[crowded] = np.arange(crowded.shape[0])
                inside = slot[at] >= 0
                table[slot[at[inside]], np.arange(g.shape[0])[inside] - starts[at[inside]]] = scores[inside]
                threshold = np.full(block.shape[0], -np.inf)
                threshold[crowded] = -np.partition(-table, limit - 1, axis=1)[:, limit - 1]
                top = scores >= threshold[at]
                at, ids, scores = at[top], ids[top], scores[top]
        best = np.lexsort((ids, -scores, at))  # by request, best first, ties by supporter id
        at, ids, scores = at[best], ids[best], scores[best]
        bounds = np.searchsorted(at, np.arange(block.shape[0] + 1)).tolist()
        for j, i in enumerate(block.tolist()):
            b_lo, b_hi = bounds[j], bounds[j + 1]
            if limit is not None:
                b_hi = min(b_hi, b_lo + max(limit, 0))
            result[i] = (ids[b_lo:b_hi], scores[b_lo:b_hi])
    return result


def _box_size(grid: _Grid, lats: F64, lons: F64, dlats: F64) -> int:
    dlat = float(dlats.max())
    return int(
        grid.box(
            float(lats.min()), float(lats.max()), float(np.abs(lats).max()), dlat,
            float(lons.min()), float(lons.max()),
        ).shape[0]
    )  # fmt: skip
