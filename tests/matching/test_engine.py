"""Property tests of the matching engine (hypothesis): hard rules hold, explanations add up."""

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bredvid.matching.engine import HARD_RULES, Pool, Weights, haversine_km, shortlist
from bredvid.matching.synthetic import make_pool, make_request

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _breaks_hard_rule(pool: Pool, i: int, request) -> bool:  # type: ignore[no-untyped-def]
    if not pool.kinds[i] & request.kind_bit:
        return True
    if request.police_required and pool.police_valid_until[i] < request.end_day:
        return True
    if pool.capacity_free[i] < request.children or not pool.age_min[i] <= request.age <= pool.age_max[i]:
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
    request = make_request(request_seed, protected=protected, relatives=tuple(int(x) for x in pool.ids[:50]))
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
    request = make_request(request_seed)
    a, b = shortlist(pool, request, Weights(), k=15), shortlist(shuffled, request, Weights(), k=15)
    assert [c.supporter_id for c in a.candidates] == [c.supporter_id for c in b.candidates]
    assert a.excluded == b.excluded


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
