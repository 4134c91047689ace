"""Synthetic national-scale pools and requests from a fixed seed (tests and benchmarks).

The choices, meant to look like Swedish family care rather than to suit any benchmark:

- Where people live: around 38 towns weighted by population (Stockholm about a fifth of the
  country); three in four homes within a few km of a town centre (spread growing with the
  town), one in four in the countryside around it (about 40 km), clipped to the box of Sweden
  (lat 55.3–68.5, lon 11.1–23.9). Requests come from the same places.
- Approvals: most supporters are approved for one kind (70 %), some for two (25 %), few for
  three (5 %); kontaktperson is the most common kind, särskilt kvalificerat familjehem the rarest.
- Free places 0–3 (most homes 1), police checks valid for 85 %, one in ten away for a period.
- Requests: a mix of kinds (kontaktperson 35 %, kontaktfamilj 25 %, familjehem 25 %, jourhem
  10 %, särskilt kvalificerat 5 %) with the distance a municipality would accept for each:
  kontaktperson and kontaktfamilj 10–40 km (the child meets them weekly), familjehem and
  jourhem 50–250 km, särskilt kvalificerat familjehem 100–400 km. Sibling groups (2–3
  children, `age` the youngest, `age_oldest` the oldest) in one placement request in five.
"""

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
KIND_SHARES = {  # of supporters' approvals and of requests alike
    "kontaktperson": 0.35,
    "kontaktfamilj": 0.25,
    "familjehem": 0.25,
    "jourhem": 0.10,
    "sarskilt_kvalificerad": 0.05,
}
MAX_KM = {  # range of the distance a request accepts, per kind
    "kontaktperson": (10.0, 40.0),
    "kontaktfamilj": (10.0, 40.0),
    "familjehem": (50.0, 250.0),
    "jourhem": (50.0, 250.0),
    "sarskilt_kvalificerad": (100.0, 400.0),
}
DAY0 = 739_000  # an ordinal day in 2024

# (lat, lon, population in thousands, roughly)
TOWNS = (
    (59.33, 18.07, 1600),  # Stockholm
    (57.71, 11.97, 600),  # Göteborg
    (55.60, 13.00, 350),  # Malmö
    (59.86, 17.64, 180),  # Uppsala
    (59.61, 16.55, 130),  # Västerås
    (59.27, 15.21, 125),  # Örebro
    (58.41, 15.62, 115),  # Linköping
    (56.05, 12.69, 110),  # Helsingborg
    (57.78, 14.16, 100),  # Jönköping
    (58.59, 16.19, 95),  # Norrköping
    (55.70, 13.19, 90),  # Lund
    (63.83, 20.26, 90),  # Umeå
    (60.67, 17.14, 75),  # Gävle
    (57.72, 12.94, 73),  # Borås
    (59.20, 17.63, 70),  # Södertälje
    (59.37, 16.51, 70),  # Eskilstuna
    (56.67, 12.86, 70),  # Halmstad
    (56.88, 14.81, 66),  # Växjö
    (59.38, 13.50, 65),  # Karlstad
    (62.39, 17.31, 58),  # Sundsvall
    (63.18, 14.64, 50),  # Östersund
    (58.28, 12.29, 50),  # Trollhättan
    (65.58, 22.15, 48),  # Luleå
    (60.48, 15.43, 43),  # Borlänge
    (60.61, 15.63, 40),  # Falun
    (56.66, 16.36, 40),  # Kalmar
    (56.03, 14.16, 40),  # Kristianstad
    (58.39, 13.85, 38),  # Skövde
    (56.16, 15.59, 36),  # Karlskrona
    (58.75, 17.01, 35),  # Nyköping
    (64.75, 20.95, 35),  # Skellefteå
    (63.29, 18.72, 30),  # Örnsköldsvik
    (57.11, 12.25, 30),  # Varberg
    (57.64, 18.30, 24),  # Visby
    (67.86, 20.23, 17),  # Kiruna
    (61.73, 17.10, 15),  # Hudiksvall
    (61.00, 14.54, 11),  # Mora
    (67.13, 20.66, 10),  # Gällivare
)


def _places(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (degrees) of n homes around the towns."""
    towns = np.array(TOWNS, dtype=np.float64)
    weight = towns[:, 2] / towns[:, 2].sum()
    town = rng.choice(len(TOWNS), size=n, p=weight)
    urban_km = 2.0 + 1.5 * np.sqrt(towns[town, 2] / 10.0)  # Stockholm ≈ 20 km, Mora ≈ 3.6 km
    spread_km = np.where(rng.random(n) < 0.75, urban_km, 40.0)
    north_km, east_km = rng.normal(size=n) * spread_km, rng.normal(size=n) * spread_km
    lat = towns[town, 0] + north_km / 111.2
    lon = towns[town, 1] + east_km / (111.2 * np.cos(np.radians(towns[town, 0])))
    return np.clip(lat, 55.3, 68.5), np.clip(lon, 11.1, 23.9)


def _kinds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Bitmasks of one to three distinct kinds, drawn by KIND_SHARES."""
    bits = np.array(list(KIND_BITS.values()), dtype=np.uint8)
    share = np.array(list(KIND_SHARES.values()))
    how_many = rng.choice(3, size=n, p=[0.70, 0.25, 0.05]) + 1
    # Gumbel top-k: the `how_many` largest of log(share) + Gumbel noise are a draw without replacement
    keys = np.log(share) + rng.gumbel(size=(n, len(bits)))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    chosen = rank < how_many[:, None]
    return np.bitwise_or.reduce(np.where(chosen, bits, np.uint8(0)), axis=1).astype(np.uint8)


def make_pool(n: int, seed: int = 42) -> Pool:
    rng = np.random.default_rng(seed)
    lat, lon = _places(rng, n)
    lat_rad, lon_rad = np.radians(lat), np.radians(lon)
    age_min = rng.integers(0, 13, n).astype(np.int16)
    unavailable = rng.random(n) < 0.1
    start = np.where(unavailable, DAY0 + rng.integers(0, 400, n), 0).astype(np.int32)
    return Pool(
        ids=rng.permutation(n).astype(np.int64) + 1,
        kinds=_kinds(rng, n),
        police_valid_until=np.where(rng.random(n) < 0.85, DAY0 + rng.integers(0, 700, n), 0).astype(np.int32),
        capacity_free=rng.choice(4, size=n, p=[0.25, 0.45, 0.2, 0.1]).astype(np.int16),
        age_min=age_min,
        age_max=np.minimum(age_min + rng.integers(3, 18, n), 20).astype(np.int16),
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


def make_request(
    seed: int = 7,
    *,
    protected: bool = False,
    relatives: tuple[int, ...] = (),
    kind: str | None = "familjehem",
) -> Request:
    """One request; `kind=None` draws the kind by KIND_SHARES (the benchmarks' mix)."""
    rng = np.random.default_rng(seed)
    if kind is None:
        kind = str(rng.choice(list(KIND_SHARES), p=list(KIND_SHARES.values())))
    lat_deg, lon_deg = _places(rng, 1)
    lat, lon = float(lat_deg[0]), float(lon_deg[0])
    placement = kind in ("familjehem", "jourhem", "sarskilt_kvalificerad")
    children = int(rng.choice([2, 3], p=[0.7, 0.3])) if placement and rng.random() < 0.2 else 1
    age = int(rng.integers(0, 16))
    oldest = min(age + int(rng.integers(1, 6)), 17) if children > 1 else None
    places = ((lat + 0.02, lon + 0.02, float(rng.uniform(5, 30))),) if protected else ()
    low, high = MAX_KM[kind]
    return Request(
        kind_bit=KIND_BITS[kind],
        police_required=kind != "kontaktperson" or bool(rng.random() < 0.8),
        children=children,
        age=age,
        age_oldest=oldest,
        gender=int(rng.integers(1, 3)),
        start_day=DAY0 + 100,
        end_day=DAY0 + 300,
        lat=lat,
        lon=lon,
        max_km=float(rng.uniform(low, high)),
        needs=int(rng.integers(1, 2**8)),
        languages=int(rng.integers(1, 2**6)),
        culture=int(rng.integers(0, 6)),
        no_pets=bool(rng.random() < 0.3),
        no_smoking=bool(placement or rng.random() < 0.5),
        allergens=int(rng.integers(0, 4)),
        protected_places=places,
        relatives=relatives,
    )
