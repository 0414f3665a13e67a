"""The shipped sea paths of tanker legs: present, pinned to their ports, and never over land.

Land is the report's own Natural Earth 1:110m outlines (the region only). At that scale a
few narrow passages that tankers really use are drawn as land, so points inside them are
allowed; so are points near either end (terminals and refineries sit a little inland of
the generalised coastline), and a few km where a path hugs a generalised coast.
"""

from __future__ import annotations

import itertools
import json
from importlib import resources
from typing import Any

import numpy as np
import pytest

from crudeflow.api import load
from crudeflow.report import geo

PASSAGES = {  # lon_min, lat_min, lon_max, lat_max: water the 1:110m outlines fill in
    "Turkish Straits and Sea of Marmara": (26.0, 39.9, 29.5, 41.4),
    "Suez Canal and Gulf of Suez": (32.0, 27.5, 34.0, 31.5),
    "Danish Straits": (9.5, 54.2, 13.2, 57.9),
    "Kerch Strait": (36.2, 44.9, 36.9, 45.6),
    "Strait of Gibraltar": (-6.0, 35.7, -5.2, 36.2),
    "Strait of Dover": (1.2, 50.7, 2.0, 51.1),
    "Kythira Strait (Cape Malea)": (22.8, 36.0, 23.4, 36.6),
}
END_KM = 40.0
COAST_KM = 6.0  # the outlines are generalised (Douglas-Peucker 0.03 degree, about 3 km)
STEP_KM = 2.0


def _features() -> list[dict[str, Any]]:
    text = (resources.files("crudeflow") / "datasets/caspian-europe/sea_routes.geojson").read_text("utf-8")
    feats: list[dict[str, Any]] = json.loads(text)["features"]
    return feats


def _km(lon0: Any, lat0: Any, lon1: Any, lat1: Any) -> Any:
    p0, p1 = np.radians(lat0), np.radians(lat1)
    h = np.sin((p1 - p0) / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(np.radians(lon1 - lon0) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def land_km(coords: Any) -> float:
    """Km of a path (lon, lat) on land, outside the passages and away from its ends."""
    c = np.asarray(coords, float)
    lon: list[Any] = []
    lat: list[Any] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(c):
        n = max(2, int(_km(x0, y0, x1, y1) / STEP_KM) + 1)
        lon.append(np.linspace(x0, x1, n))
        lat.append(np.linspace(y0, y1, n))
    lo, la = np.concatenate(lon), np.concatenate(lat)
    near = (_km(lo, la, c[0, 0], c[0, 1]) < END_KM) | (_km(lo, la, c[-1, 0], c[-1, 1]) < END_KM)
    passage = np.zeros(len(lo), bool)
    for x0, y0, x1, y1 in PASSAGES.values():
        passage |= (lo >= x0) & (lo <= x1) & (la >= y0) & (la <= y1)
    return float((geo.on_land(lo, la) & ~near & ~passage).sum()) * STEP_KM


def test_land_check_sees_land() -> None:
    # a straight line Gdansk -> Constanta crosses Poland, Ukraine and Romania
    assert land_km([[18.7, 54.4], [28.7, 44.2]]) > 800
    # Corinth Canal (24 m wide, closed to crude tankers) is not one of the allowed passages
    assert land_km([[22.0, 38.2], [22.9, 37.95], [23.3, 37.9]]) > 0
    assert land_km([[-20.0, 40.0], [-10.0, 40.0]]) == 0  # Atlantic


def test_every_tanker_leg_has_a_path_pinned_to_its_ports() -> None:
    net = load("caspian-europe")
    tanker = net.links[net.links["mode"] == "tanker"]
    feats = {f["properties"]["link"]: f for f in _features()}
    assert set(tanker.index) <= set(feats)
    for lid, r in tanker.iterrows():
        c = feats[lid]["geometry"]["coordinates"]
        for end, node in ((c[0], r["from"]), (c[-1], r["to"])):
            assert end == pytest.approx([net.nodes.at[node, "lon"], net.nodes.at[node, "lat"]], abs=0.006), (
                lid
            )
        assert len(c) >= 2


def test_no_sea_path_crosses_land() -> None:
    over = {f["properties"]["link"]: land_km(f["geometry"]["coordinates"]) for f in _features()}
    bad = {k: v for k, v in over.items() if v > COAST_KM}
    assert not bad, f"paths over land (km): {bad}"


def test_geometry_file_is_small() -> None:
    size = len((resources.files("crudeflow") / "datasets/caspian-europe/sea_routes.geojson").read_bytes())
    assert size < 150_000
    for f in _features():  # rounded to 0.01 degree
        assert all(round(v, 2) == v for pt in f["geometry"]["coordinates"] for v in pt)
