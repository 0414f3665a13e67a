from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from crudeflow.report import geo


def test_mercator_known_points() -> None:
    x, y = geo.project([0.0, 180.0, 0.0], [0.0, 0.0, 45.0])
    assert x[0] == pytest.approx(0.0)
    assert y[0] == pytest.approx(0.0)
    assert x[1] == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)
    # y(45°) = R ln tan(67.5°) = R asinh(1)
    assert y[2] == pytest.approx(geo.EARTH_RADIUS_KM * math.asinh(1.0))
    xn, _yn = geo.project([np.nan], [10.0])
    assert np.isnan(xn[0])


def test_outlines_are_clipped_to_the_region_and_coded() -> None:
    fc = geo.outlines_geojson()
    lo0, la0, lo1, la1 = geo.REGION
    pts = np.array(
        [p for f in fc["features"] for poly in f["geometry"]["coordinates"] for r in poly for p in r]
    )
    assert len(fc["features"]) > 50
    assert pts[:, 0].min() >= lo0 - 1e-9
    assert pts[:, 0].max() <= lo1 + 1e-9
    assert pts[:, 1].min() >= la0 - 1e-9
    assert pts[:, 1].max() <= la1 + 1e-9
    codes = {f["properties"]["iso_a2"] for f in fc["features"]}
    for c in ("KZ", "RU", "BY", "PL", "DE", "TR", "AZ", "UA", "NO", "FR", "IT"):
        assert c in codes
    assert "Natural Earth" in fc["source"]
    # every ring is closed
    for f in fc["features"]:
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                assert ring[0] == ring[-1]


def test_map_data_states_widths_and_off_map(tiny: Any, tiny_plan: Any) -> None:
    md = geo.map_data(tiny_plan, tiny)
    lk = md.links
    assert lk.loc["rail", "state"] == "disabled"
    assert lk.loc["r2_r1_back", "state"] == "idle"
    assert set(lk.loc[["fj", "j_r1", "j_r2", "sea"], "state"]) == {"flowing"}
    assert bool(lk.loc["fj", "binding"])
    assert bool(lk.loc["j_r1", "binding"])
    assert not bool(lk.loc["sea", "binding"])
    # width grows with flow: fj 10 > j_r2 6 > j_r1 4 > sea 2 Mt/yr
    w = lk.loc[["fj", "j_r2", "j_r1", "sea"], "width_px"].to_numpy()
    assert np.all(np.diff(w) < 0)
    assert w[0] == pytest.approx(geo.MAX_WIDTH_PX)
    # the tanker leg is an arc, the pipeline a straight segment
    assert len(lk.loc["sea", "x"]) > 2
    assert len(lk.loc["fj", "x"]) == 2
    # the US Gulf is off the map, drawn on the view's edge
    x0, x1, y0, y1 = md.extent
    assert list(md.off_map["node"]) == ["p"]
    ox, oy = md.off_map.loc[0, ["x", "y"]]
    assert x0 <= ox <= x1
    assert y0 <= oy <= y1
    on = md.nodes[md.nodes["on_map"]]
    assert set(on.index) == {"f", "j", "r1", "r2"}
    assert (on["x"].between(x0, x1) & on["y"].between(y0, y1)).all()
    assert {"KZ", "RU", "BY", "PL"} <= md.network_countries


def test_label_placement_avoids_overlap() -> None:
    # two labels on the same spot cannot both sit above it
    x = np.array([0.0, 0.0])
    y = np.array([0.0, 0.0])
    pos = geo.place_labels(x, y, ["Mozyr", "Naftan"], (-1000.0, 1000.0, -1000.0, 1000.0))
    assert pos[0] != pos[1]


def test_short_names() -> None:
    assert geo.short_name("Mozyr refinery (Naftan group)") == "Mozyr"
    assert geo.short_name("Kazakh refineries") == "Kazakh refineries"
