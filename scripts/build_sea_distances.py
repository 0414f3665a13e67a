"""Compute tanker-leg distances (and distance-scaled freight) for a crudeflow dataset.

Build-time script, not part of the package. For every ``mode == tanker`` link of
``links.csv`` it computes ``distance_km`` with the ``searoute`` library from the
end nodes' lat/lon, adds the states of the internal straits the route passes
(Bosphorus: TR, Suez: EG) to ``countries``, writes the straits of international
transit passage (Gibraltar, Dover, the Danish straits, Bab-el-Mandeb, Hormuz) to
``chokepoints`` rather than their coastal states to ``countries`` (UNCLOS Part III:
transit passage cannot be suspended), and, for rows whose ``note`` asks for it, writes the
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

It also writes ``sea_routes.geojson`` beside links.csv: one LineString per tanker leg
(the searoute path from the ``from`` node to the ``to`` node, ends pinned to the nodes'
coordinates), simplified with Douglas-Peucker to ``TOLERANCE_DEG`` and rounded to
``DECIMALS`` decimals, so the report draws the leg along the sea lane. A simplification
that would cut across land (the shipped 1:110m outlines) is redone finer; a Caspian leg
is stored as the straight line (bent once if it would cross land) as searoute's Caspian
lanes are coarse, or left out when no such line stays at sea (the report then draws an
arc). searoute routes some Aegean-Ionian legs through the Corinth Canal, which crude
tankers cannot use: those go round Cape Matapan instead.

Usage (searoute is a build-time tool, not a crudeflow dependency)::

    pip install searoute
    PYTHONPATH=src python scripts/build_sea_distances.py [--geometry-only] [DATASET_DIR]

``--geometry-only`` writes sea_routes.geojson and leaves links.csv alone.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np
import searoute

from crudeflow.report.geo import on_land

DEFAULT = Path(__file__).resolve().parents[1] / "src" / "crudeflow" / "datasets" / "caspian-europe"

CPC_TERMINAL = (44.66, 37.63)  # lat, lon (Yuzhnaya Ozereyevka)
AUGUSTA = (37.23, 15.22)
NINGBO = (29.87, 121.55)
RATE_MED = 13.72  # USD/t, Suezmax CPC-Med (sp-cpc-suezmax)
RATE_FAR_EAST = 7.5e6 / 135e3  # USD/t, Suezmax CPC-Far East lump sum / cargo (sp-cpc-fareast)
CASPIAN_FACTOR = 2.0  # small Caspian tankers (12 kt) vs Suezmax: crudeflow assumption
CASPIAN_DETOUR = 1.15  # great-circle fallback factor for Caspian legs
CASPIAN_BOX = (36.0, 47.6, 46.4, 55.2)  # lat_min, lat_max, lon_min, lon_max
# Straits a state can close: the Turkish Straits are internal waters under Turkish
# sovereignty (passage regulated by the Montreux Convention, 1936), the Suez Canal is
# Egyptian territory. Their states are transit countries of the leg (``countries``).
INTERNAL_STRAITS = {
    "bosporus": ("TR",),
    "suez": ("EG",),
}
# Straits used for international navigation (UNCLOS Part III, arts. 37-44): transit
# passage "shall not be suspended", so the coastal states are not transit countries.
# They go to ``chokepoints`` (names from crudeflow.schema.CHOKEPOINTS) in route order.
CHOKEPOINT_PASSAGES = {
    "gibraltar": "gibraltar",
    "babalmandab": "bab_el_mandeb",
    "ormuz": "hormuz",
    "malacca": "malacca",
}
CHOKEPOINT_AT = {  # lat, lon of each strait: orders a leg's chokepoints along its path
    "gibraltar": (35.95, -5.6),
    "dover": (51.0, 1.45),
    "danish_straits": (55.7, 11.0),
    "bab_el_mandeb": (12.6, 43.4),
    "hormuz": (26.5, 56.4),
    "malacca": (2.5, 101.5),
}
# coastal states of those straits, listed in ``countries`` by older builds: taken out
# again unless the leg starts or ends there
COASTAL_STATES = {"ES", "MA", "GB", "FR", "DK", "SE", "YE", "DJ", "ER", "IR", "OM", "MY", "ID", "SG"}
BALTIC = {"primorsk", "ust_luga", "naftoport", "butinge", "klaipeda", "ventspils", "riga", "rostock"}
DOVER_LINE = (51.0, 1.0, 2.2)  # lat, lon_min, lon_max: the path crosses it in the Strait of Dover
CORINTH_BOX = (22.8, 37.75, 23.25, 38.05)  # lon_min, lat_min, lon_max, lat_max
SOUTH_OF_MATAPAN = (36.0, 22.5)  # lat, lon: waypoint for Aegean <-> Ionian legs
GEOMETRY_FILE = "sea_routes.geojson"
TOLERANCE_DEG = 0.05  # Douglas-Peucker tolerance (about 5 km; under a pixel on the report's map)
DECIMALS = 2  # coordinates rounded to 0.01 degree (about 1 km)
END_KM = 40.0  # a path may cross land this close to its ends (ports sit inland of the coastline)


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (lat, lon) points."""
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _searoute(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, list[str], list[list[float]]]:
    r = searoute.searoute([a[1], a[0]], [b[1], b[0]], units="km", return_passages=True)
    return (
        float(r.properties["length"]),
        list(r.properties.get("traversed_passages", [])),
        r.geometry["coordinates"],
    )


def uses_corinth(coords: list[list[float]]) -> bool:
    """True if a searoute path (lon, lat) goes through the Corinth Canal."""
    lon0, lat0, lon1, lat1 = CORINTH_BOX
    return any(lon0 <= lon <= lon1 and lat0 <= lat <= lat1 for lon, lat in coords)


def sea_route(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, list[str], list[list[float]]]:
    """Length (km), traversed passages and geometry of the searoute path from a to b.

    searoute's network includes the Corinth Canal (24 m wide, closed to crude tankers);
    a path through it is replaced by the two paths via a point south of Cape Matapan.
    """
    dist, passages, coords = _searoute(a, b)
    if uses_corinth(coords):
        d1, p1, c1 = _searoute(a, SOUTH_OF_MATAPAN)
        d2, p2, c2 = _searoute(SOUTH_OF_MATAPAN, b)
        dist, passages, coords = d1 + d2, p1 + [p for p in p2 if p not in p1], c1 + c2[1:]
    return dist, passages, coords


def crosses_dover(coords: list[list[float]]) -> bool:
    """True if a path (lon, lat) crosses latitude 51.0 N between 1.0 and 2.2 E (Strait of Dover)."""
    lat0, lon0, lon1 = DOVER_LINE
    for (xa, ya), (xb, yb) in itertools.pairwise(coords):
        if (ya - lat0) * (yb - lat0) < 0:
            x = xa + (xb - xa) * (lat0 - ya) / (yb - ya)
            if lon0 <= x <= lon1:
                return True
    return False


def strait_columns(
    countries: list[str], ends: tuple[str, str], passages: list[str], coords: list[list[float]], baltic: bool
) -> tuple[list[str], list[str]]:
    """``countries`` and ``chokepoints`` of a tanker leg from its searoute passages and path.

    States of internal straits (TR, EG) join ``countries``; international straits go to
    ``chokepoints`` in route order and their coastal states leave ``countries`` (endpoints kept).
    """
    out = [c for c in countries if c not in COASTAL_STATES or c in ends]
    for p in passages:
        for c in INTERNAL_STRAITS.get(p, ()):
            if c not in out:
                out.append(c)
    points = {CHOKEPOINT_PASSAGES[p] for p in passages if p in CHOKEPOINT_PASSAGES}
    if baltic:
        points.add("danish_straits")
    if crosses_dover(coords):
        points.add("dover")
    path = np.asarray(coords, float).reshape(-1, 2)

    def position(name: str) -> int:
        lat, lon = CHOKEPOINT_AT[name]
        return int(np.argmin(np.hypot(path[:, 0] - lon, path[:, 1] - lat))) if len(path) else 0

    return out, sorted(points, key=position)


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


def simplify(coords: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker: the vertices of ``coords`` (n x 2, degrees) kept within ``tol`` degrees."""
    keep = np.zeros(len(coords), bool)
    keep[[0, -1]] = True
    stack = [(0, len(coords) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = coords[i], coords[j]
        seg = b - a
        rel = coords[i + 1 : j] - a
        norm = float(np.hypot(*seg))
        d = (
            np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
            if norm > 0
            else np.hypot(rel[:, 0], rel[:, 1])
        )
        k = int(np.argmax(d))
        if d[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return coords[keep]


def land_km(coords: np.ndarray, step_km: float = 2.0) -> float:
    """Length (km) of the path's stretches on land, sampled every ``step_km``, ends excepted."""
    lon: list[float] = []
    lat: list[float] = []
    for (lo0, la0), (lo1, la1) in itertools.pairwise(coords):
        n = max(2, int(great_circle_km((la0, lo0), (la1, lo1)) / step_km) + 1)
        lon += list(np.linspace(lo0, lo1, n))
        lat += list(np.linspace(la0, la1, n))
    lo, la = np.asarray(lon), np.asarray(lat)
    start, end = (coords[0, 1], coords[0, 0]), (coords[-1, 1], coords[-1, 0])
    near = np.array(
        [
            min(great_circle_km(start, (y, x)), great_circle_km(end, (y, x))) < END_KM
            for x, y in zip(lo, la, strict=True)
        ]
    )
    return float((on_land(lo, la) & ~near).sum()) * step_km


def leg_geometry(
    pa: tuple[float, float], pb: tuple[float, float], coords: list[list[float]] | None
) -> list[list[float]] | None:
    """The stored path (lon, lat rounded) from a to b: searoute's or, if None, the straight line.

    A straight line that crosses land is bent through one point beside it (up to 0.6 x
    its length sideways, the least bend first); if none stays at sea there is no path (None).
    """
    if coords is None:
        (la0, lo0), (la1, lo1) = pa, pb
        a, b = np.array([lo0, la0]), np.array([lo1, la1])
        side = np.array([-(la1 - la0), lo1 - lo0])
        tries = sorted(
            ((abs(f), t, f) for t in (0.5, 0.3, 0.7, 0.85) for f in np.arange(-0.6, 0.61, 0.05)),
            key=lambda x: x[:2],
        )
        for _, t, f in tries:
            raw = np.asarray([a, a + t * (b - a) + f * side, b], float)
            if land_km(raw) == 0:
                break
        else:
            return None
        base = 0.0
    else:
        raw = np.asarray([[pa[1], pa[0]], *coords, [pb[1], pb[0]]], float)
        base = land_km(raw)
    tol = TOLERANCE_DEG
    while True:
        out = np.round(simplify(raw, tol), DECIMALS)
        if land_km(out) <= base or tol < 0.002:
            break
        tol /= 2
    keep = np.r_[True, np.any(np.diff(out, axis=0) != 0, axis=1)]  # drop repeats from rounding
    return [[float(x), float(y)] for x, y in out[keep]]


def write_geometry(folder: Path, legs: list[dict[str, object]]) -> Path:
    """``sea_routes.geojson``: one compact line per feature, so diffs stay readable."""
    head = {
        "type": "FeatureCollection",
        "name": "crudeflow sea routes",
        "note": f"tanker legs from searoute {getattr(searoute, '__version__', '')}, simplified "
        f"(Douglas-Peucker {TOLERANCE_DEG} deg) and rounded to {DECIMALS} decimals by "
        "scripts/build_sea_distances.py; lon, lat",
    }
    lines = [json.dumps(f, separators=(",", ":")) for f in legs]
    text = json.dumps(head, separators=(",", ":"))[:-1] + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    out = folder / GEOMETRY_FILE
    out.write_text(text, encoding="utf-8")
    return out


def main(folder: Path, geometry_only: bool = False) -> None:
    with open(folder / "nodes.csv", encoding="utf-8") as f:
        nodes = {r["id"]: r for r in csv.DictReader(f)}
    with open(folder / "links.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    if "chokepoints" not in cols:
        cols.insert(cols.index("countries") + 1, "chokepoints")
    a, b, d_med, d_fe = freight_coefficients()
    print(
        f"freight = {a:.2f} + {b * 1000:.3f} x distance/1000 km  (ref: CPC-Augusta {d_med:.0f} km, CPC-Ningbo {d_fe:.0f} km)"
    )
    legs: list[dict[str, object]] = []
    for r in rows:
        if r["mode"] != "tanker":
            continue
        fr, to = nodes[r["from"]], nodes[r["to"]]
        pa, pb = (float(fr["lat"]), float(fr["lon"])), (float(to["lat"]), float(to["lon"]))
        caspian = "Caspian small-tanker formula" in r["note"]
        dist, passages, coords = sea_route(pa, pb)
        path: list[list[float]] | None
        if caspian and not in_caspian(coords):
            dist, passages = great_circle_km(pa, pb) * CASPIAN_DETOUR, []
            if "great-circle x 1.15" not in r["note"]:
                r["note"] += "; searoute left the Caspian, distance = great-circle x 1.15 (assumption)"
        # searoute's Caspian lanes are coarse (they cut Mangyshlak): draw Caspian legs straight
        path = leg_geometry(pa, pb, None if caspian else coords)
        if path is None:
            print(f"  {r['id']}: no sea path that stays off land; the report draws an arc")
        else:
            legs.append({"type": "Feature", "properties": {"link": r["id"], "from": r["from"], "to": r["to"]},
                         "geometry": {"type": "LineString", "coordinates": path}})  # fmt: skip
        r["distance_km"] = str(round(dist))
        countries, points = strait_columns(
            [c for c in r["countries"].split(";") if c],
            (fr["country"], to["country"]),
            passages,
            [] if caspian else coords,
            (r["from"] in BALTIC) != (r["to"] in BALTIC),
        )
        r["countries"], r["chokepoints"] = ";".join(countries), ";".join(points)
        if caspian:
            r["tariff_usd_per_t"] = f"{CASPIAN_FACTOR * (a + b * dist):.2f}"
        elif "estimate: freight = A + B x distance" in r["note"]:
            r["tariff_usd_per_t"] = f"{a + b * dist:.2f}"
    with open(folder / "links.csv", encoding="utf-8", newline="") as f:
        unchanged = list(csv.DictReader(f)) == rows
    if geometry_only or unchanged:
        print(f"links.csv left as it is ({'as asked' if geometry_only else 'no value changed'})")
    else:
        with open(folder / "links.csv", "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        print(f"updated {sum(r['mode'] == 'tanker' for r in rows)} tanker links in {folder / 'links.csv'}")
    out = write_geometry(folder, legs)
    n_pts = sum(len(f["geometry"]["coordinates"]) for f in legs)  # type: ignore[index]
    print(f"wrote {len(legs)} sea paths ({n_pts} points, {out.stat().st_size:,} bytes) to {out}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--geometry-only"]
    main(Path(args[0]) if args else DEFAULT, geometry_only="--geometry-only" in sys.argv[1:])
