# ruff: noqa: E501
"""Benchmark: one shortlist over a national pool, against a careful per-candidate Python loop.

    python bench/matching.py [--json] [--pool 100000] [--requests 25]

Synthetic data from fixed seeds (bredvid.matching.synthetic). Reports the median engine time per
request, the same rules as a plain Python loop (cheap rules first) in the same process on the same
data, checks both give the identical top k, and the size of the feature arrays.
Targets (matching issue): ≤ 3 ms, speed-up ≥ 30×, feature arrays ≤ 200 MB for 100,000 supporters.
Not measured here yet: the API p95 on PostgreSQL and the global assignment (they need the
SupportRequest models and OR-Tools, which the matching issue adds).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bredvid.matching.engine import EARTH_RADIUS_KM, Pool, Request, Weights, shortlist  # noqa: E402
from bredvid.matching.synthetic import make_pool, make_request  # noqa: E402

COLUMNS = (
    "ids",
    "kinds",
    "police_valid_until",
    "capacity_free",
    "age_min",
    "age_max",
    "unavailable_from",
    "unavailable_to",
    "lat_rad",
    "lon_rad",
    "cos_lat",
    "needs",
    "languages",
    "culture",
    "pets",
    "smoking",
    "allergens",
    "experience",
    "wish_gender",
)


def as_rows(pool: Pool) -> list[tuple]:  # type: ignore[type-arg]
    """Plain Python tuples, built once outside the timing (a fair start for the loop)."""
    return list(zip(*(getattr(pool, name).tolist() for name in COLUMNS), strict=True))


def naive(rows: list[tuple], request: Request, weights: Weights, k: int) -> list[int]:  # type: ignore[type-arg]
    """The same rules, one candidate at a time, cheapest checks first."""
    w = (
        weights.needs,
        weights.languages,
        weights.culture,
        weights.distance,
        weights.experience,
        weights.wishes,
    )
    wanted = bin(request.needs).count("1")
    oldest = request.age if request.age_oldest is None else request.age_oldest
    plat, plon = math.radians(request.lat), math.radians(request.lon)
    cos_plat = math.cos(plat)
    protected = [(math.radians(a), math.radians(b), km) for a, b, km in request.protected_places]
    scored = []
    for (sid, kinds, police, cap, amin, amax, ufrom, uto, lat, lon, coslat, needs, langs, culture, pets, smoking, allergens,
         exp, wish) in rows:  # fmt: skip
        if not kinds & request.kind_bit:
            continue
        if request.police_required and police < request.end_day:
            continue
        if cap < request.children or amin > request.age or oldest > amax:
            continue
        if ufrom and not (uto < request.start_day or ufrom > request.end_day):
            continue
        if allergens & request.allergens or (request.no_pets and pets) or (request.no_smoking and smoking):
            continue
        a = math.sin((lat - plat) / 2) ** 2 + coslat * cos_plat * math.sin((lon - plon) / 2) ** 2
        dist = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0)))
        if dist > request.max_km:
            continue
        too_close = False
        for qlat, qlon, min_km in protected:
            a = math.sin((lat - qlat) / 2) ** 2 + coslat * math.cos(qlat) * math.sin((lon - qlon) / 2) ** 2
            if 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(a, 1.0))) < min_km:
                too_close = True
                break
        if too_close or sid in request.relatives:
            continue
        crit = (
            bin(needs & request.needs).count("1") / wanted if wanted else 0.0,
            1.0 if request.languages and langs & request.languages else 0.0,
            1.0 if request.culture and culture == request.culture else 0.0,
            1.0 - dist / max(request.max_km, 1e-9),
            min(exp, 10.0) / 10.0,
            1.0 if wish in (0, request.gender) else 0.0,
        )
        scored.append((-sum(c * x for c, x in zip(crit, w, strict=True)), sid))
    scored.sort()
    return [sid for _score, sid in scored[:k]]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--pool", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("-k", type=int, default=20)
    args = parser.parse_args()
    pool = make_pool(args.pool, seed=42)
    weights = Weights()
    requests = [make_request(seed, kind=None) for seed in range(args.requests)]
    rows = as_rows(pool)
    shortlist(pool, requests[0], weights, args.k)  # warm
    # the engine's calls together, then the loop's: the loop sweeps 100,000 tuples through the
    # CPU caches, which would otherwise leave every engine call to start cold
    engine_ms, naive_ms, results = [], [], []
    for request in requests:
        started = time.perf_counter()
        results.append(shortlist(pool, request, weights, args.k))
        engine_ms.append((time.perf_counter() - started) * 1000)
    identical = True
    for request, result in zip(requests, results, strict=True):
        started = time.perf_counter()
        expected = naive(rows, request, weights, args.k)
        naive_ms.append((time.perf_counter() - started) * 1000)
        identical &= [c.supporter_id for c in result.candidates] == expected
    out = {
        "pool": args.pool,
        "requests": args.requests,
        "shortlist_engine_median_ms": round(statistics.median(engine_ms), 3),
        "naive_median_ms": round(statistics.median(naive_ms), 1),
        "shortlist_speedup_vs_naive": round(statistics.median(naive_ms) / statistics.median(engine_ms), 1),
        "identical_top_k": identical,
        "feature_arrays_mb": round(pool.nbytes / 1e6, 1),
        "targets": {
            "shortlist_engine_median_ms": 3.0,
            "shortlist_speedup_vs_naive": 30,
            "feature_arrays_mb": 200,
        },
    }
    print(json.dumps(out, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
