"""The map reads: sea routes, off-map markers at sea in their direction, idle links out of the
way, thinned labels, axes with units."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from crudeflow.report import figures, geo

BOSPORUS = (28.9, 40.9, 29.2, 41.3)  # lon_min, lat_min, lon_max, lat_max


def unproject(x: Any, y: Any) -> tuple[Any, Any]:
    """Inverse of geo.project (km -> degrees)."""
    r = geo.EARTH_RADIUS_KM
    x, y = np.asarray(x, float), np.asarray(y, float)
    return np.degrees(x / r), np.degrees(2 * np.arctan(np.exp(y / r)) - np.pi / 2)


@pytest.fixture(scope="module")
def shipped() -> tuple[Any, Any]:
    from crudeflow.api import load, plan

    net = load("caspian-europe")
    return net, plan(net)


def test_tanker_leg_follows_its_sea_path_through_the_bosporus(shipped: tuple[Any, Any]) -> None:
    net, p = shipped
    lk = geo.map_data(p, net).links
    leg = lk.loc["cpc_terminal__med_augusta"]
    assert bool(leg["sea_path"])
    lon, lat = unproject(leg["x"], leg["y"])
    x0, y0, x1, y1 = BOSPORUS
    assert ((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)).any()
    assert lk.loc[lk["mode"] == "tanker", "sea_path"].mean() > 0.9
    assert not lk.loc[lk["mode"] != "tanker", "sea_path"].any()


def test_off_map_markers_sit_at_sea_on_the_frame(shipped: tuple[Any, Any]) -> None:
    net, p = shipped
    md = geo.map_data(p, net)
    off = md.off_map
    assert len(off) > 10
    lon, lat = unproject(off["x"], off["y"])
    assert not geo.on_land(lon, lat).any(), off[geo.on_land(lon, lat)]
    # on the frame: within 1.5 degrees of an edge of the view
    (lo0, lo1), (la0, la1) = unproject(md.extent[:2], md.extent[2:])
    edge = np.minimum.reduce([lon - lo0, lo1 - lon, lat - la0, la1 - lat])
    assert (edge < 1.5).all()
    assert (edge > 0).all()
    # a route from the Persian Gulf enters from the south-east (via Suez), not from the west
    rt = off[off["node"] == "ras_tanura"]
    assert len(rt)
    rlon, _ = unproject(rt["x"], rt["y"])
    assert (rlon > 25.0).all()


def test_off_map_marker_without_a_path_is_at_sea_in_its_direction(tiny: Any, tiny_plan: Any) -> None:
    md = geo.map_data(tiny_plan, tiny)
    lk = md.links
    assert not bool(lk.loc["sea", "sea_path"])  # no stored path US Gulf -> Plock: the old arc
    assert len(lk.loc["sea", "x"]) == 17
    row = md.off_map[md.off_map["node"] == "p"].iloc[0]
    lon, lat = unproject(row["x"], row["y"])
    assert not geo.on_land([lon], [lat])[0]
    centre_x = (md.extent[0] + md.extent[1]) / 2
    assert row["x"] < centre_x  # the US Gulf lies to the west


def test_off_map_markers_share_a_spot() -> None:
    off = pd.DataFrame(
        {"node": ["a", "b", "c"], "x": [0.0, 50.0, 900.0], "y": [0.0, 0.0, 0.0], "link": ["l1", "l2", "l3"],
         "label": ["A (off map)", "B (off map)", "C (off map)"]}
    )  # fmt: skip
    m = geo.off_map_markers(off, ["l1", "l2", "l3"])
    assert list(m["label"]) == ["A, B (off map)", "C (off map)"]
    assert list(geo.off_map_markers(off, ["l3"])["label"]) == ["C (off map)"]


def test_idle_links_are_hidden_until_asked(tiny: Any, tiny_plan: Any) -> None:
    def idle_traces(fig: Any) -> list[Any]:
        return [t for t in fig.data if t.legendgroup == "idle"]

    hidden = idle_traces(figures.map_figure(tiny_plan, tiny))
    assert hidden  # the link trace and its legend entry
    assert all(t.visible == "legendonly" for t in hidden)
    shown = idle_traces(figures.map_figure(tiny_plan, tiny, show_idle=True))
    assert all(t.visible is True for t in shown)


def test_crowded_labels_are_thinned() -> None:
    x, y = np.zeros(10), np.zeros(10)
    labels = [f"Refinery number {i}" for i in range(10)]
    ext = (-1000.0, 1000.0, -1000.0, 1000.0)
    pos = geo.place_labels(x, y, labels, ext)
    assert pos[0] != ""
    assert "" in pos  # ten long labels on one spot cannot all be written
    assert "" not in geo.place_labels(x, y, labels, ext, thin=False)


def test_every_chart_axis_names_its_unit(tiny: Any, tiny_plan: Any) -> None:
    ranking = pd.DataFrame(
        {"kind": ["link"], "skipped": [False], "delta_objective_usd": [2e8], "unmet_mt_per_year": [1.0],
         "shut_in_mt_per_year": [0.5]}, index=["fj"],
    )  # fmt: skip
    charts = [
        figures.cost_figure(tiny_plan, tiny),
        figures.cost_delta_figure(tiny_plan, tiny_plan, tiny),
        figures.stress_figure(ranking),
    ]
    for fig in charts:
        layout = fig.to_plotly_json()["layout"]
        axes = [k for k in layout if k.startswith("xaxis")]
        assert axes
        for name in axes:
            text = layout[name].get("title", {}).get("text", "")
            assert any(u in text for u in ("USD", "Mt/yr")), (name, text)
