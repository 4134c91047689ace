"""Synthetic national-scale pools and requests from a fixed seed (tests and benchmarks)."""

from __future__ import annotations

import numpy as np

from bredvid.matching.engine import Pool, Request

KIND_BITS = {
    "kontaktperson": 1,
    "kontaktfamilj": 2,
    "familjehem": 4,
    "jourhem": 8,
    "sarskilt_kvalificerad": 16,
}
DAY0 = 739_000  # an ordinal day in 2024


def make_pool(n: int, seed: int = 42) -> Pool:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(55.3, 68.5, n)  # Sweden, roughly
    lon = rng.uniform(11.1, 23.9, n)
    lat_rad, lon_rad = np.radians(lat), np.radians(lon)
    age_min = rng.integers(0, 10, n).astype(np.int16)
    unavailable = rng.random(n) < 0.1
    start = np.where(unavailable, DAY0 + rng.integers(0, 400, n), 0).astype(np.int32)
    return Pool(
        ids=rng.permutation(n).astype(np.int64) + 1,
        kinds=rng.integers(1, 32, n).astype(np.uint8),
        police_valid_until=np.where(rng.random(n) < 0.85, DAY0 + rng.integers(0, 700, n), 0).astype(np.int32),
        capacity_free=rng.integers(0, 4, n).astype(np.int16),
        age_min=age_min,
        age_max=(age_min + rng.integers(3, 18, n)).astype(np.int16),
        unavailable_from=start,
        unavailable_to=np.where(unavailable, start + rng.integers(7, 120, n), 0).astype(np.int32),
        lat_rad=lat_rad,
        lon_rad=lon_rad,
        cos_lat=np.cos(lat_rad),
        needs=rng.integers(0, 2**8, n).astype(np.uint32),
        languages=(rng.integers(0, 2**6, n).astype(np.uint64) | np.uint64(1)),
        culture=rng.integers(0, 6, n).astype(np.int16),
        pets=rng.random(n) < 0.4,
        smoking=rng.random(n) < 0.1,
        allergens=rng.integers(0, 4, n).astype(np.uint16),
        experience=rng.integers(0, 15, n).astype(np.float32),
        wish_gender=rng.integers(0, 3, n).astype(np.int8),
    )


def make_request(seed: int = 7, *, protected: bool = False, relatives: tuple[int, ...] = ()) -> Request:
    rng = np.random.default_rng(seed)
    lat, lon = float(rng.uniform(56, 60)), float(rng.uniform(12, 18))
    places = ((lat + 0.02, lon + 0.02, 5.0),) if protected else ()
    return Request(
        kind_bit=KIND_BITS["familjehem"],
        police_required=True,
        children=int(rng.integers(1, 3)),
        age=int(rng.integers(2, 15)),
        gender=int(rng.integers(1, 3)),
        start_day=DAY0 + 100,
        end_day=DAY0 + 300,
        lat=lat,
        lon=lon,
        max_km=float(rng.uniform(60, 250)),
        needs=int(rng.integers(1, 2**8)),
        languages=int(rng.integers(1, 2**6)),
        culture=int(rng.integers(0, 6)),
        no_pets=bool(rng.random() < 0.3),
        no_smoking=True,
        allergens=int(rng.integers(0, 4)),
        protected_places=places,
        relatives=relatives,
    )
