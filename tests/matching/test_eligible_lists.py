"""The candidate lists of many requests at once equal the per-request lists, to the bit."""

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bredvid.matching.engine import Pool, Request, Weights, eligible_lists, eligible_scores
from bredvid.matching.global_assignment import Problem, assign
from bredvid.matching.synthetic import KIND_BITS, make_pool, make_request

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _per_request(pool: Pool, requests: list[Request], weights: Weights, limit: int | None):  # type: ignore[no-untyped-def]
    lists = []
    for request in requests:
        ids, scores = eligible_scores(pool, request, weights, limit=limit)
        order = np.lexsort((ids, -scores))  # best first, ties by id (as eligible_lists)
        lists.append((ids[order], scores[order]))
    return lists


def _random_requests(seed: int, count: int, extremes: bool) -> list[Request]:
    rng = np.random.default_rng(seed)
    requests = []
    for i in range(count):
        request = make_request(seed * 1000 + i, kind=None)
        if extremes and rng.random() < 0.5:
            request = replace(
                request,
                max_km=float(rng.choice([0.0, 0.5, 3.0, 900.0, 2500.0, 25_000.0])),
                lat=float(rng.choice([request.lat, 89.9, -89.9, 0.0])),
                lon=float(rng.choice([request.lon, 179.99, -179.99])),
                children=int(rng.integers(1, 5)),
                police_required=bool(rng.random() < 0.5),
                needs=int(rng.choice([0, request.needs])),
                languages=int(rng.choice([0, request.languages])),
                culture=int(rng.choice([0, request.culture])),
                end_day=request.start_day + int(rng.integers(0, 400)),
            )
        if rng.random() < 0.1:
            request = replace(request, protected_places=((request.lat, request.lon, 5.0),))
        if rng.random() < 0.1:
            request = replace(request, relatives=(int(rng.integers(0, 50)),))
        requests.append(request)
    return requests


@SETTINGS
@given(
    pool_size=st.integers(0, 3000),
    seed=st.integers(0, 10_000),
    count=st.integers(1, 60),
    limit=st.sampled_from([None, 0, 1, 5, 50]),
    extremes=st.booleans(),
    weights=st.sampled_from([Weights(), Weights(needs=0.0, distance=7.0, wishes=-1.0, version=2)]),
)
def test_the_lists_equal_the_per_request_lists(
    pool_size: int, seed: int, count: int, limit: int | None, extremes: bool, weights: Weights
) -> None:
    pool = make_pool(pool_size, seed=seed)
    if extremes and pool_size:  # homes at the poles and the date line, equal latitudes (ties)
        rng = np.random.default_rng(seed)
        lat = pool.lat_rad.copy()
        lon = pool.lon_rad.copy()
        some = rng.random(pool_size) < 0.05
        lat[some] = rng.choice([np.radians(89.95), np.radians(-89.95), lat[0]], some.sum())
        lon[some] = rng.choice([np.radians(179.999), np.radians(-179.999), lon[0]], some.sum())
        pool = replace(pool, lat_rad=lat, lon_rad=lon, cos_lat=np.cos(lat))
    requests = _random_requests(seed, count, extremes)
    got = eligible_lists(pool, requests, weights, limit=limit)
    expected = _per_request(pool, requests, weights, limit)
    for (ids, scores), (want_ids, want_scores) in zip(got, expected, strict=True):
        assert ids.tolist() == want_ids.tolist()
        assert scores.tolist() == want_scores.tolist()  # the same floats, not approximately


def test_every_kind_and_the_inconsistent_cos_lat_fallback() -> None:
    pool = make_pool(4000, seed=3)
    skewed = replace(pool, cos_lat=pool.cos_lat * (1 + 1e-6))
    requests = [make_request(seed, kind=kind) for kind in KIND_BITS for seed in range(8)]
    for p in (pool, skewed):
        got = eligible_lists(p, requests, Weights(), limit=20)
        for (ids, scores), (want_ids, want_scores) in zip(
            got, _per_request(p, requests, Weights(), 20), strict=True
        ):
            assert ids.tolist() == want_ids.tolist() and scores.tolist() == want_scores.tolist()


def test_the_plan_is_the_same() -> None:
    pool = make_pool(3000, seed=9)
    pool = replace(pool, capacity_free=np.random.default_rng(9).integers(1, 4, len(pool)).astype(np.int16))
    requests = [make_request(500 + seed, kind=None) for seed in range(400)]

    def plan(lists):  # type: ignore[no-untyped-def]
        problem = Problem.from_lists(
            request_ids=np.arange(len(requests)),
            children=[r.children for r in requests],
            order_keys=np.arange(len(requests)),
            candidates=lists,
            supporter_ids=pool.ids,
            capacity=pool.capacity_free,
        )
        return assign(problem).plan

    vectorised = plan(eligible_lists(pool, requests, Weights(), limit=50))
    one_by_one = plan([eligible_scores(pool, r, Weights(), limit=50) for r in requests])
    assert vectorised.as_dict() == one_by_one.as_dict()
    assert vectorised.objective == one_by_one.objective
    assert any(r.children > 1 for r in requests)
