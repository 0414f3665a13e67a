"""Compute tanker-leg distances (and distance-scaled freight) for a crudeflow dataset.

Build-time script, not part of the package. For every ``mode == tanker`` link of
``links.csv`` it computes ``distance_km`` with the ``searoute`` library from the
end nodes' lat/lon, adds the strait states the route passes (Bosphorus: TR, Suez:
EG, ...) to ``countries``, and, for rows whose ``note`` asks for it, writes the
freight ``tariff_usd_per_t`` from the dataset's documented formula:

* ``estimate: freight = A + B x distance``: affine fit through two sourced
  Suezmax rates, CPC -> Med 13.72 USD/t (S&P Global, 2025) and CPC -> Far East
  7.5 M USD per 135 kt cargo (S&P Global, Jan 2024), both voyages measured with
  searoute from the CPC terminal (to Augusta and to Ningbo).
* ``Caspian small-tanker formula``: 2 x (A + B x distance), a crudeflow
  assumption for 12 kt Caspian tankers; Caspian legs whose searoute geometry
  leaves the Caspian fall back to great-circle x 1.15.

links.csv is rewritten in place with its column order kept; distances are
rounded to whole km and tariffs to cents.

Usage::

    python scripts/build_sea_distances.py [DATASET_DIR]
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import searoute

DEFAULT = Path(__file__).resolve().parents[1] / "src" / "crudeflow" / "datasets" / "caspian-europe"

CPC_TERMINAL = (44.66, 37.63)  # lat, lon (Yuzhnaya Ozereyevka)
AUGUSTA = (37.23, 15.22)
NINGBO = (29.87, 121.55)
RATE_MED = 13.72  # USD/t, Suezmax CPC-Med (sp-cpc-suezmax)
RATE_FAR_EAST = 7.5e6 / 135e3  # USD/t, Suezmax CPC-Far East lump sum / cargo (sp-cpc-fareast)
CASPIAN_FACTOR = 2.0  # small Caspian tankers (12 kt) vs Suezmax: crudeflow assumption
CASPIAN_DETOUR = 1.15  # great-circle fallback factor for Caspian legs
CASPIAN_BOX = (36.0, 47.6, 46.4, 55.2)  # lat_min, lat_max, lon_min, lon_max
STRAITS = {
    "bosporus": ("TR",),
    "suez": ("EG",),
    "gibraltar": ("ES", "MA"),
    "babalmandab": ("YE", "DJ"),
    "ormuz": ("IR", "OM"),
}
BALTIC = {"primorsk", "ust_luga", "naftoport", "butinge", "klaipeda", "ventspils", "riga", "rostock"}
DANISH_STRAITS = ("DK", "SE")


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def sea_route(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, list[str], list[list[float]]]:
    """Length (km), traversed passages and geometry of the searoute path from a to b."""
    r = searoute.searoute([a[1], a[0]], [b[1], b[0]], units="km", return_passages=True)
    return (
        float(r.properties["length"]),
        list(r.properties.get("traversed_passages", [])),
        r.geometry["coordinates"],
    )


def freight_coefficients() -> tuple[float, float, float, float]:
    """A (USD/t) and B (USD/t per km) of the affine freight fit, with the two reference distances."""
    d_med, _, _ = sea_route(CPC_TERMINAL, AUGUSTA)
    d_fe, _, _ = sea_route(CPC_TERMINAL, NINGBO)
    b = (RATE_FAR_EAST - RATE_MED) / (d_fe - d_med)
    a = RATE_MED - b * d_med
    return a, b, d_med, d_fe


def in_caspian(coords: list[list[float]]) -> bool:
    lat0, lat1, lon0, lon1 = CASPIAN_BOX
    return all(lat0 <= lat <= lat1 and lon0 <= lon <= lon1 for lon, lat in coords)


def main(folder: Path) -> None:
    with open(folder / "nodes.csv", encoding="utf-8") as f:
        nodes = {r["id"]: r for r in csv.DictReader(f)}
    with open(folder / "links.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    a, b, d_med, d_fe = freight_coefficients()
    print(
        f"freight = {a:.2f} + {b * 1000:.3f} x distance/1000 km  (ref: CPC-Augusta {d_med:.0f} km, CPC-Ningbo {d_fe:.0f} km)"
    )
    for r in rows:
        if r["mode"] != "tanker":
            continue
        fr, to = nodes[r["from"]], nodes[r["to"]]
        pa, pb = (float(fr["lat"]), float(fr["lon"])), (float(to["lat"]), float(to["lon"]))
        caspian = "Caspian small-tanker formula" in r["note"]
        dist, passages, coords = sea_route(pa, pb)
        if caspian and not in_caspian(coords):
            dist, passages = great_circle_km(pa, pb) * CASPIAN_DETOUR, []
            if "great-circle x 1.15" not in r["note"]:
                r["note"] += "; searoute left the Caspian, distance = great-circle x 1.15 (assumption)"
        r["distance_km"] = str(round(dist))
        countries = [c for c in r["countries"].split(";") if c]
        extra: list[str] = []
        for p in passages:
            extra.extend(STRAITS.get(p, ()))
        if (r["from"] in BALTIC) != (r["to"] in BALTIC):
            extra.extend(DANISH_STRAITS)
        for c in extra:
            if c not in countries:
                countries.append(c)
        r["countries"] = ";".join(countries)
        if caspian:
            r["tariff_usd_per_t"] = f"{CASPIAN_FACTOR * (a + b * dist):.2f}"
        elif "estimate: freight = A + B x distance" in r["note"]:
            r["tariff_usd_per_t"] = f"{a + b * dist:.2f}"
    with open(folder / "links.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"updated {sum(r['mode'] == 'tanker' for r in rows)} tanker links in {folder / 'links.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
