"""Property tests of the matching engine (hypothesis): hard rules hold, explanations add up."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bredvid.matching.engine import (
    CRITERIA,
    EARTH_RADIUS_KM,
    HARD_RULES,
    Pool,
    Request,
    Weights,
    eligible_scores,
    haversine_km,
    shortlist,
)
from bredvid.matching.synthetic import KIND_BITS, make_pool, make_request

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _breaks_hard_rule(pool: Pool, i: int, request) -> bool:  # type: ignore[no-untyped-def]
    if not pool.kinds[i] & request.kind_bit:
        return True
    if request.police_required and pool.police_valid_until[i] < request.end_day:
        return True
    oldest = request.age if request.age_oldest is None else request.age_oldest
    if pool.capacity_free[i] < request.children or not (
        pool.age_min[i] <= request.age and oldest <= pool.age_max[i]
    ):
        return True
    if pool.unavailable_from[i] and not (
        pool.unavailable_to[i] < request.start_day or pool.unavailable_from[i] > request.end_day
    ):
        return True
    if (
        pool.allergens[i] & request.allergens
        or (request.no_pets and pool.pets[i])
        or (request.no_smoking and pool.smoking[i])
    ):
        return True
    d = haversine_km(
        pool.lat_rad[i : i + 1], pool.lon_rad[i : i + 1], pool.cos_lat[i : i + 1], request.lat, request.lon
    )[0]
    if d > request.max_km:
        return True
    for plat, plon, min_km in request.protected_places:
        if (
            haversine_km(
                pool.lat_rad[i : i + 1], pool.lon_rad[i : i + 1], pool.cos_lat[i : i + 1], plat, plon
            )[0]
            < min_km
        ):
            return True
    return False


@SETTINGS
@given(
    pool_seed=st.integers(0, 10_000),
    request_seed=st.integers(0, 10_000),
    protected=st.booleans(),
    k=st.integers(1, 30),
)
def test_no_candidate_breaks_a_hard_rule_and_contributions_add_up(
    pool_seed: int, request_seed: int, protected: bool, k: int
) -> None:
    pool = make_pool(3000, seed=pool_seed)
    request = make_request(
        request_seed, protected=protected, relatives=tuple(int(x) for x in pool.ids[:50]), kind=None
    )
    result = shortlist(pool, request, Weights(), k=k)
    index = {int(sid): i for i, sid in enumerate(pool.ids)}
    for candidate in result.candidates + result.relatives:
        assert not _breaks_hard_rule(pool, index[candidate.supporter_id], request)
        assert abs(sum(candidate.contributions.values()) - candidate.score) < 1e-9
    assert sum(result.excluded.values()) == result.pool_size - result.eligible
    assert set(result.excluded) == set(HARD_RULES)
    assert len(result.candidates) <= k
    # every eligible non-relative that was left out scores no higher than the last one listed
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)


@SETTINGS
@given(
    pool_seed=st.integers(0, 10_000), request_seed=st.integers(0, 10_000), shuffle_seed=st.integers(0, 10_000)
)
def test_result_does_not_depend_on_pool_order(pool_seed: int, request_seed: int, shuffle_seed: int) -> None:
    pool = make_pool(2000, seed=pool_seed)
    order = np.random.default_rng(shuffle_seed).permutation(len(pool))
    shuffled = Pool(**{name: getattr(pool, name)[order] for name in Pool.__dataclass_fields__})
    request = make_request(request_seed, kind=None, relatives=tuple(int(x) for x in pool.ids[::40]))
    a, b = shortlist(pool, request, Weights(), k=15), shortlist(shuffled, request, Weights(), k=15)
    assert a == b


@SETTINGS
@given(pool_seed=st.integers(0, 10_000), request_seed=st.integers(0, 10_000))
def test_protected_request_keeps_distance_and_hides_coordinates(pool_seed: int, request_seed: int) -> None:
    pool = make_pool(3000, seed=pool_seed)
    request = make_request(request_seed, protected=True)
    result = shortlist(pool, request, Weights(), k=50)
    plat, plon, min_km = request.protected_places[0]
    index = {int(sid): i for i, sid in enumerate(pool.ids)}
    for candidate in result.candidates:
        i = index[candidate.supporter_id]
        assert (
            haversine_km(
                pool.lat_rad[i : i + 1], pool.lon_rad[i : i + 1], pool.cos_lat[i : i + 1], plat, plon
            )[0]
            >= min_km
        )
        assert candidate.distance_km is None
        assert "km" in candidate.distance_band
        text = repr(candidate)
        assert str(round(float(np.degrees(pool.lat_rad[i])), 3)) not in text


def test_relatives_are_a_first_tier_not_a_bonus() -> None:
    pool = make_pool(5000, seed=1)
    base = make_request(3)
    plain = shortlist(pool, base, Weights(), k=5000)
    assert plain.candidates, "the synthetic request must have eligible candidates"
    relative = plain.candidates[-1].supporter_id  # the lowest-ranked eligible supporter
    with_relative = shortlist(pool, replace(base, relatives=(relative,)), Weights(), k=5)
    assert [c.supporter_id for c in with_relative.relatives] == [relative]
    assert with_relative.relatives[0].score == plain.candidates[-1].score
    assert relative not in [c.supporter_id for c in with_relative.candidates]


def test_siblings_need_room_in_one_home() -> None:
    pool = make_pool(5000, seed=2)
    request = replace(make_request(4), children=3)
    result = shortlist(pool, request, Weights(), k=100)
    index = {int(sid): i for i, sid in enumerate(pool.ids)}
    assert all(pool.capacity_free[index[c.supporter_id]] >= 3 for c in result.candidates)
    assert result.excluded["capacity"] > 0


def test_short_distances_are_exact() -> None:
    lat = np.radians(np.array([59.3293]))
    lon = np.radians(np.array([18.0686]))
    d = haversine_km(lat, lon, np.cos(lat), 59.3293, 18.0686 + 0.001)
    assert 0.05 < d[0] < 0.06  # about 57 m


# --- a reference: the same rules one supporter at a time, in plain Python -----------------------


def _km(lat: float, lon: float, cos_lat: float, qlat_deg: float, qlon_deg: float) -> float:
    qlat, qlon = math.radians(qlat_deg), math.radians(qlon_deg)
    a = math.sin((lat - qlat) * 0.5) ** 2 + cos_lat * math.cos(qlat) * math.sin((lon - qlon) * 0.5) ** 2
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))


def _reference(
    pool: Pool, request: Request, weights: Weights
) -> tuple[dict[str, int], list[tuple[float, int, bool]]]:
    """Exclusion counts (first rule broken, in HARD_RULES order) and every eligible (score, id, relative)."""
    excluded = dict.fromkeys(HARD_RULES, 0)
    eligible = []
    oldest = request.age if request.age_oldest is None else request.age_oldest
    wanted = bin(request.needs).count("1")
    w = [getattr(weights, name) for name in CRITERIA]
    for i in range(len(pool)):
        lat, lon, cos_lat = float(pool.lat_rad[i]), float(pool.lon_rad[i]), float(pool.cos_lat[i])
        dist = _km(lat, lon, cos_lat, request.lat, request.lon)
        start, end = int(pool.unavailable_from[i]), int(pool.unavailable_to[i])
        broken = [
            ("approved_for_kind", not int(pool.kinds[i]) & request.kind_bit),
            ("max_distance", not dist <= request.max_km),
            ("police_checks", request.police_required and pool.police_valid_until[i] < request.end_day),
            ("capacity", pool.capacity_free[i] < request.children),
            ("age", not (pool.age_min[i] <= request.age and oldest <= pool.age_max[i])),
            ("available", start != 0 and not (end < request.start_day or start > request.end_day)),
            (
                "exclusions",
                bool(int(pool.allergens[i]) & request.allergens)
                or (request.no_pets and bool(pool.pets[i]))
                or (request.no_smoking and bool(pool.smoking[i])),
            ),
            (
                "protected_distance",
                any(_km(lat, lon, cos_lat, a, b) < km for a, b, km in request.protected_places),
            ),
        ]
        first = next((rule for rule, bad in broken if bad), None)
        if first is not None:
            excluded[first] += 1
            continue
        criteria = (
            bin(int(pool.needs[i]) & request.needs).count("1") / wanted if wanted else 0.0,
            1.0 if request.languages and int(pool.languages[i]) & request.languages else 0.0,
            1.0 if request.culture and pool.culture[i] == request.culture else 0.0,
            1.0 - dist / max(request.max_km, 1e-9),
            min(float(pool.experience[i]), 10.0) / 10.0,
            1.0 if pool.wish_gender[i] in (0, request.gender) else 0.0,
        )
        score = 0.0
        for c, weight in zip(criteria, w, strict=True):
            score = score + c * weight
        sid = int(pool.ids[i])
        eligible.append((score, sid, sid in request.relatives))
    return excluded, eligible


def _world(pool: Pool, seed: int) -> Pool:
    """The same pool spread over the whole globe (poles and the antimeridian included)."""
    rng = np.random.default_rng(seed)
    lat = np.radians(rng.uniform(-90, 90, len(pool)))
    lon = np.radians(rng.uniform(-180, 180, len(pool)))
    return replace(pool, lat_rad=lat, lon_rad=lon, cos_lat=np.cos(lat))


@SETTINGS
@given(
    pool_seed=st.integers(0, 10_000),
    request_seed=st.integers(0, 10_000),
    protected=st.booleans(),
    siblings=st.booleans(),
    world=st.booleans(),
    kind_mask=st.sampled_from([None, 3, 12, 31]),
    max_km=st.sampled_from([None, 0.0, 0.5, 5000.0, 30000.0]),
    k=st.integers(1, 40),
)
def test_engine_equals_a_per_candidate_reference(
    pool_seed: int,
    request_seed: int,
    protected: bool,
    siblings: bool,
    world: bool,
    kind_mask: int | None,
    max_km: float | None,
    k: int,
) -> None:
    pool = make_pool(1500, seed=pool_seed)
    request = make_request(
        request_seed, protected=protected, relatives=tuple(int(x) for x in pool.ids[::30]), kind=None
    )
    if world:
        pool = _world(pool, pool_seed)
        rng = np.random.default_rng(request_seed)
        request = replace(
            request, lat=float(rng.uniform(-89.9, 89.9)), lon=float(rng.choice([-179.9, 179.9, 0.0, 45.0]))
        )
    if siblings:
        request = replace(request, children=2, age=3, age_oldest=9)
    if kind_mask is not None:
        request = replace(request, kind_bit=kind_mask)
    if max_km is not None:
        request = replace(request, max_km=max_km)
    excluded, eligible = _reference(pool, request, Weights())
    result = shortlist(pool, request, Weights(), k=k)
    assert result.excluded == excluded
    assert result.eligible == len(eligible)
    others = sorted((-score, sid) for score, sid, relative in eligible if not relative)
    assert [c.supporter_id for c in result.candidates] == [sid for _, sid in others[:k]]
    assert [c.score for c in result.candidates] == pytest.approx([-s for s, _ in others[:k]], abs=1e-12)
    relatives = sorted((-score, sid) for score, sid, relative in eligible if relative)
    assert [c.supporter_id for c in result.relatives] == [sid for _, sid in relatives]
    ids, scores = eligible_scores(pool, request, Weights())
    expected = sorted((sid, score) for score, sid, relative in eligible if not relative)
    got = sorted(zip(ids.tolist(), scores.tolist(), strict=True))
    assert [sid for sid, _ in got] == [sid for sid, _ in expected]
    assert [score for _, score in got] == pytest.approx([score for _, score in expected], abs=1e-12)
    best_ids, _ = eligible_scores(pool, request, Weights(), limit=k)
    assert best_ids.tolist() == [sid for _, sid in others[:k]]


def test_sibling_group_needs_a_home_for_every_age() -> None:
    pool = make_pool(4000, seed=5)
    base = replace(make_request(11), children=2, age=4, age_oldest=4)
    group = replace(base, age_oldest=15)
    index = {int(sid): i for i, sid in enumerate(pool.ids)}
    narrow, wide = shortlist(pool, base, Weights(), k=4000), shortlist(pool, group, Weights(), k=4000)
    assert {c.supporter_id for c in wide.candidates} < {c.supporter_id for c in narrow.candidates}
    assert all(pool.age_max[index[c.supporter_id]] >= 15 for c in wide.candidates)
    assert all(pool.age_min[index[c.supporter_id]] <= 4 for c in wide.candidates)
    assert wide.excluded["age"] > narrow.excluded["age"]


def test_inconsistent_cos_lat_falls_back_to_the_haversine() -> None:
    pool = make_pool(2000, seed=8)
    skewed = replace(pool, cos_lat=(pool.cos_lat * (1 + 1e-6)))
    request = make_request(2)
    excluded, eligible = _reference(skewed, request, Weights())
    result = shortlist(skewed, request, Weights(), k=10)
    assert result.excluded == excluded and result.eligible == len(eligible)


def test_prepare_builds_every_kind_and_counts_its_bytes() -> None:
    pool = make_pool(3000, seed=3)
    columns = pool.nbytes
    prepared = pool.prepare().nbytes
    assert columns < prepared < 10 * columns
    assert set(pool.__dict__["_indexes"]) == set(KIND_BITS.values())
