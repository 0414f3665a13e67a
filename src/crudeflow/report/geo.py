"""Map geometry shared by the HTML map (plotly) and the static map (matplotlib).

Country outlines are Natural Earth 1:110m admin-0 polygons (public domain) shipped in
``static/countries.geojson``, clipped to lon −15..90, lat 20..72. Everything is drawn in
a Mercator projection computed with NumPy (km), so no map service or
topojson is ever fetched. Tanker legs follow the sea paths shipped with the datasets
(``sea_routes.geojson``, made by ``scripts/build_sea_distances.py``). Nodes outside the
view (US Gulf, West Africa, ...) are marked *off map* on its edge, where their sea path
enters the view, or else at sea in their direction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import FArray
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan, horizon_rate
from crudeflow.schema.modes import MODE_TABLE, mode_values

Coords: TypeAlias = FArray | pd.Series | Sequence[float] | float
"""Longitudes or latitudes in degrees: an array, a Series, a list or one number."""

REGION = (-15.0, 20.0, 90.0, 72.0)
"""lon_min, lat_min, lon_max, lat_max (degrees) of the shipped outlines."""

EARTH_RADIUS_KM = 6371.0

MODE_COLOURS = {m.name: m.colour for m in MODE_TABLE.values()}
"""Line colour per transport mode, from the modes table (``crudeflow.schema.modes``)."""
DISABLED_COLOUR = "#9a9a9a"
BINDING_COLOUR = "#d62728"
LAND_COLOUR = "#f1eee7"
NETWORK_LAND_COLOUR = "#e4ddcc"
SEA_COLOUR = "#d9e8f3"
BORDER_COLOUR = "#ffffff"

NODE_STYLE: dict[str, tuple[str, str, float]] = {
    # kind: (plotly symbol, colour, size px)
    "field": ("triangle-up", "#2e7d32", 11.0),
    "refinery": ("square", "#222222", 10.0),
    "market": ("star", "#b8860b", 14.0),
    "terminal": ("diamond", "#1f5fa8", 8.0),
    "port": ("circle", "#4a6d8c", 6.0),
    "junction": ("circle", "#7a7a7a", 4.0),
}
"""Marker per node kind."""

LABELLED_KINDS = ("field", "refinery", "market")
"""Node kinds whose names are written on the map (the rest show on hover)."""

MIN_WIDTH_PX, MAX_WIDTH_PX = 1.2, 9.0


def project(lon: Coords, lat: Coords) -> tuple[FArray, FArray]:
    """Mercator (km at the equator) of degrees; NaN passes through (path breaks).

    Conformal, so coastlines keep their shapes, and the region stays a rectangle, so
    any zoom inside it shows no clipped edges.
    """
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.clip(np.asarray(lat, dtype=float), -85.0, 85.0))
    x = EARTH_RADIUS_KM * lam
    y = EARTH_RADIUS_KM * np.log(np.tan(np.pi / 4 + phi / 2))
    return np.asarray(x, float), np.asarray(y, float)


@lru_cache(maxsize=1)
def outlines_geojson() -> dict[str, Any]:
    """The shipped country outlines (GeoJSON FeatureCollection, degrees)."""
    text = resources.files("crudeflow.report").joinpath("static/countries.geojson").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


SEA_ROUTES_FILE = "sea_routes.geojson"


def _end_key(a: Any, b: Any) -> tuple[float, ...]:
    """Lookup key of a leg: its end coordinates (lon, lat of each) rounded to 0.01 degree."""
    return tuple(float(v) for v in np.round(np.asarray([a[0], a[1], b[0], b[1]], float), 2))


@lru_cache(maxsize=1)
def sea_paths() -> dict[tuple[float, ...], FArray]:
    """Sea paths (n x 2 lon, lat) of every shipped dataset's tanker legs, by end coordinates.

    Keyed by coordinates, not link ids, so a scenario's or a user's tanker leg between
    the same two ports gets the path too; either direction is found.
    """
    out: dict[tuple[float, ...], FArray] = {}
    root = resources.files("crudeflow") / "datasets"
    for folder in sorted(root.iterdir(), key=lambda f: f.name):
        f = folder / SEA_ROUTES_FILE
        if not f.is_file():
            continue
        for feat in json.loads(f.read_text("utf-8")).get("features", []):
            c = np.asarray(feat["geometry"]["coordinates"], float)
            if c.ndim == 2 and c.shape[0] >= 2 and c.shape[1] == 2:
                out.setdefault(_end_key(c[0], c[-1]), c)
                out.setdefault(_end_key(c[-1], c[0]), c[::-1].copy())
    return out


def _inside(lon: Any, lat: Any, box: tuple[float, float, float, float]) -> npt.NDArray[np.bool_]:
    x0, y0, x1, y1 = box
    lo, la = np.asarray(lon, float), np.asarray(lat, float)
    out: npt.NDArray[np.bool_] = (lo >= x0) & (lo <= x1) & (la >= y0) & (la <= y1)
    return out


def enter_view(path: FArray, box: tuple[float, float, float, float]) -> FArray | None:
    """The part of ``path`` (lon, lat; it starts off the view) from where it first enters ``box``.

    The first point is where the path crosses the box's edge (to 0.01 degree); None if the
    path never enters the box.
    """
    inside = _inside(path[:, 0], path[:, 1], box)
    if not inside.any():  # pragma: no cover - callers pass legs with an end in the view
        return None
    k = int(np.argmax(inside))
    if k == 0:
        return path
    a, b = path[k - 1], path[k]
    lo, hi = 0.0, 1.0
    for _ in range(24):  # bisection on the segment for the crossing
        t = (lo + hi) / 2
        q = a + t * (b - a)
        if _inside(q[0], q[1], box):
            hi = t
        else:
            lo = t
    return np.vstack([a + hi * (b - a), path[k:]])


def _to_sea(lon: FArray, lat: FArray, box: tuple[float, float, float, float]) -> tuple[FArray, FArray]:
    """Points on the box's edge moved along it to the nearest point at sea (degrees)."""
    x0, y0, x1, y1 = box
    nx, ny = max(2, int((x1 - x0) / 0.2)), max(2, int((y1 - y0) / 0.2))
    px = np.r_[np.linspace(x0, x1, nx), np.full(ny, x1), np.linspace(x1, x0, nx), np.full(ny, x0)]
    py = np.r_[np.full(nx, y0), np.linspace(y0, y1, ny), np.full(nx, y1), np.linspace(y1, y0, ny)]
    sea = ~on_land(px, py)
    if not sea.any():
        return lon, lat
    px, py = px[sea], py[sea]
    land = on_land(lon, lat)
    lon, lat = lon.copy(), lat.copy()
    for i in np.flatnonzero(land):
        j = int(np.argmin((px - lon[i]) ** 2 + (py - lat[i]) ** 2))
        lon[i], lat[i] = px[j], py[j]
    return lon, lat


@dataclass(frozen=True)
class Country:
    """One country's projected outline: rings joined with NaN breaks (km)."""

    iso_a2: str
    name: str
    x: FArray
    y: FArray


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    """Every shipped country, projected, each ring closed and NaN-separated."""
    out = []
    for feat in outlines_geojson()["features"]:
        xs: list[FArray] = []
        ys: list[FArray] = []
        for poly in feat["geometry"]["coordinates"]:
            for ring in poly:
                a = np.asarray(ring, float)
                x, y = project(a[:, 0], a[:, 1])
                xs += [x, np.array([np.nan])]
                ys += [y, np.array([np.nan])]
        props = feat["properties"]
        out.append(Country(props["iso_a2"], props["name"], np.concatenate(xs), np.concatenate(ys)))
    return tuple(out)


@lru_cache(maxsize=1)
def _land_rings() -> tuple[Any, ...]:
    """The shipped outlines' rings as matplotlib paths (degrees), for point-in-land tests."""
    from matplotlib.path import Path as MplPath

    return tuple(
        MplPath(np.asarray(ring, float))
        for feat in outlines_geojson()["features"]
        for poly in feat["geometry"]["coordinates"]
        for ring in poly[:1]  # outer rings only: the shipped outlines have no holes
    )


def on_land(lon: Coords, lat: Coords) -> npt.NDArray[np.bool_]:
    """True where a point (degrees) lies inside a shipped country outline (1:110m, the region only).

    Points outside :data:`REGION` are never on land here: the outlines stop at its edge.
    """
    pts = np.column_stack([np.asarray(lon, float).ravel(), np.asarray(lat, float).ravel()])
    land = np.zeros(len(pts), bool)
    for ring in _land_rings():
        land |= ring.contains_points(pts)
    return land


def country_names() -> dict[str, str]:
    """ISO alpha-2 -> short English name for the countries of the region."""
    names = {c.iso_a2: c.name for c in countries() if c.iso_a2}
    names.update({"US": "United States", "VE": "Venezuela", "NG": "Nigeria", "BR": "Brazil"})
    return names


def _towards_edge(lon: FArray, lat: FArray, box: tuple[float, float, float, float]) -> tuple[FArray, FArray]:
    """Where the line from the box's centre towards each point leaves the box (degrees).

    Off-map nodes sit on the frame in their true direction, so two far ports in
    different directions never pile up in one corner.
    """
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = lon - cx, lat - cy
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(dx > 0, (x1 - cx) / dx, np.where(dx < 0, (x0 - cx) / dx, np.inf))
        ty = np.where(dy > 0, (y1 - cy) / dy, np.where(dy < 0, (y0 - cy) / dy, np.inf))
    t = np.minimum(np.minimum(tx, ty), 1.0)
    return cx + t * dx, cy + t * dy


def in_region(lon: Coords, lat: Coords) -> npt.NDArray[np.bool_]:
    """True where a point lies inside the mapped region."""
    x_min, y_min, x_max, y_max = REGION
    lo, la = np.asarray(lon, float), np.asarray(lat, float)
    inside: npt.NDArray[np.bool_] = (lo >= x_min) & (lo <= x_max) & (la >= y_min) & (la <= y_max)
    return inside


@dataclass(frozen=True)
class MapData:
    """Everything a map needs, in projected km.

    ``links`` (index link): from, to, mode, status, state (``flowing``, ``idle``,
    ``disabled``), mt_per_year, capacity_mt_per_year, utilisation, tariff_usd_per_t,
    shadow_price_usd_per_t, binding, width_px, colour, x/y (polyline arrays with the
    route), mid_x/mid_y (hover anchor). ``nodes`` (index node): name, label, kind,
    country, x, y, on_map, throughput figures. ``off_map``: edge markers (x, y, label).
    ``extent``: x0, x1, y0, y1 (km) to zoom to. ``network_countries``: ISO codes drawn
    darker.
    """

    links: pd.DataFrame
    nodes: pd.DataFrame
    off_map: pd.DataFrame
    extent: tuple[float, float, float, float]
    network_countries: frozenset[str]
    max_flow_mt_per_year: float


def short_name(name: str) -> str:
    """A node name without its parenthesised detail or a trailing kind word."""
    s = name.split(" (")[0].strip()
    for word in (" refinery", " field", " market"):
        if s.lower().endswith(word) and len(s) > len(word) + 2:
            s = s[: -len(word)]
    return s


def map_data(
    plan: Plan,
    network: Network,
    curve: float = 0.12,
    reach_deg: tuple[float, float] = (8.0, 5.0),
    lane_reach_deg: float = 5.0,
) -> MapData:
    """Link routes, states, widths and node positions for one plan on its network.

    Tanker legs follow their stored sea path (:func:`sea_paths`); those without one are
    drawn as gentle arcs (``curve`` × length sideways at the middle) so sea lanes read
    apart from pipelines; other links are straight segments between node coordinates.
    Links absent from the plan (disabled, closed, zero capacity) are
    ``disabled``; active links carrying no flow are ``idle``. The view frames the land
    network and the sea terminals within ``reach_deg`` (lon, lat degrees) of it, and the
    sea lanes of its tanker legs up to ``lane_reach_deg`` south of that; other nodes sit
    on the frame's edge where their route enters it, marked off map.
    """
    nodes = network.nodes
    links = network.links
    lf = plan.link_flows if plan is not None else pd.DataFrame()
    if len(lf) and "period" in lf.columns and lf.index.has_duplicates:
        # a plan over periods: one row per link, its average rate over the horizon
        assert plan is not None
        g = lf.groupby(level=0, sort=False)
        lf = pd.DataFrame({
            "mt_per_year": horizon_rate(plan, lf, "mt_per_year"), "utilisation": g["utilisation"].max(),
            "shadow_price_usd_per_t": g["shadow_price_usd_per_t"].max(), "binding": g["binding"].any(),
        })  # fmt: skip
    df = links[["from", "to", "mode", "status", "capacity_mt_per_year", "tariff_usd_per_t"]].copy()
    df["name"] = links["name"] if "name" in links.columns else df.index
    flow = lf["mt_per_year"].reindex(df.index) if len(lf) else pd.Series(np.nan, index=df.index)
    df["mt_per_year"] = flow.fillna(0.0).to_numpy(float)
    df["in_plan"] = flow.notna().to_numpy()
    df["utilisation"] = lf["utilisation"].reindex(df.index).fillna(0.0).to_numpy(float) if len(lf) else 0.0
    df["shadow_price_usd_per_t"] = (
        lf["shadow_price_usd_per_t"].reindex(df.index).fillna(0.0).to_numpy(float) if len(lf) else 0.0
    )
    df["binding"] = lf["binding"].reindex(df.index).fillna(False).to_numpy(bool) if len(lf) else False
    active = df["status"].isin(("operating", "intermittent")) & (df["capacity_mt_per_year"] > 0)
    flowing = df["mt_per_year"] > 1e-6
    df["state"] = np.where(
        ~(active & df["in_plan"]) & ~flowing, "disabled", np.where(flowing, "flowing", "idle")
    )
    fmax = float(df["mt_per_year"].max()) if len(df) else 0.0
    scale = np.sqrt(df["mt_per_year"].to_numpy(float) / fmax) if fmax > 0 else np.zeros(len(df))
    df["width_px"] = np.where(flowing, MIN_WIDTH_PX + (MAX_WIDTH_PX - MIN_WIDTH_PX) * scale, 1.0)
    seaborne = mode_values(df["mode"], "seaborne").astype(bool)  # an unknown mode is an error
    df["colour"] = np.where(df["state"] == "disabled", DISABLED_COLOUR, mode_values(df["mode"], "colour"))

    # where each node is drawn: inside the view box of the region's nodes, off-map ones on its edge
    nd = nodes[["name", "kind", "country", "lat", "lon"]].copy()
    nd["label"] = [short_name(str(n)) for n in nd["name"]]
    nd["on_map"] = in_region(nd["lon"], nd["lat"])
    live = df["state"] != "disabled"
    used = set(df.loc[live, "from"]) | set(df.loc[live, "to"]) | set(network.demands.index)
    nd["used"] = nd.index.isin(list(used))
    # zoom: the land network (pipeline, rail, swap ends and refineries) plus sea terminals
    # near it; far sea-only ends (Gulf loading ports, Indian outlets, ...) go to the edge
    sea = pd.Series(seaborne, index=df.index)
    land = set(df.loc[live & ~sea, "from"]) | set(df.loc[live & ~sea, "to"]) | set(network.demands.index)
    in_reg = nd["on_map"]
    core = nd[in_reg & nd.index.isin(list(land))]
    if not len(core):
        core = nd[in_reg & nd["used"]] if (in_reg & nd["used"]).any() else nd[in_reg] if in_reg.any() else nd
    near = nd[
        in_reg
        & nd["used"]
        & nd["lon"].between(core["lon"].min() - reach_deg[0], core["lon"].max() + reach_deg[0])
        & nd["lat"].between(core["lat"].min() - reach_deg[1], core["lat"].max() + reach_deg[1])
    ]
    box = pd.concat([core[["lon", "lat"]], near[["lon", "lat"]]])
    lo0 = max(REGION[0], float(box["lon"].min()) - 3.0)
    lo1 = min(REGION[2], float(box["lon"].max()) + 3.0)
    la0 = max(REGION[1], float(box["lat"].min()) - 2.0)
    la1 = min(REGION[3], float(box["lat"].max()) + 2.0)
    # reach a little south for the sea lanes of the view's tanker legs (the Mediterranean
    # lane, the Suez approach), so routes from beyond the frame enter it in their direction
    stored = sea_paths()
    on_box = nd["lon"].between(lo0, lo1) & nd["lat"].between(la0, la1)
    lane_lat = [la0]
    for a, b in zip(df.loc[live & sea, "from"], df.loc[live & sea, "to"], strict=True):
        if a in nd.index and b in nd.index and (on_box[a] or on_box[b]):
            ends = nd.loc[[a, b], ["lon", "lat"]].to_numpy(float)
            path = stored.get(_end_key(ends[0], ends[1]))
            if path is not None:
                near_lane = (path[:, 0] >= lo0) & (path[:, 0] <= lo1) & (path[:, 1] >= la0 - lane_reach_deg)
                near_lane &= ~on_land(path[:, 0], path[:, 1])  # open sea, not a canal
                lane_lat += list(path[near_lane, 1] - 0.5)  # the inset edge (0.8) falls just inside
    la0 = max(REGION[1], min(lane_lat))
    nd["on_map"] = nd["lon"].between(lo0, lo1) & nd["lat"].between(la0, la1)
    inset = (lo0 + 1.2, la0 + 0.8, lo1 - 1.2, la1 - 0.8)
    edge_lon, edge_lat = _towards_edge(nd["lon"].to_numpy(float), nd["lat"].to_numpy(float), inset)
    edge_lon, edge_lat = _to_sea(edge_lon, edge_lat, inset)
    nd["draw_lon"] = nd["lon"].where(nd["on_map"], edge_lon)
    nd["draw_lat"] = nd["lat"].where(nd["on_map"], edge_lat)
    nx, ny = project(nd["draw_lon"], nd["draw_lat"])
    nd["x"], nd["y"] = nx, ny
    nd["hover"] = _node_hover(plan, nd)
    ex0, ey0 = project(lo0, la0)
    ex1, ey1 = project(lo1, la1)
    extent = (float(ex0), float(ex1), float(ey0), float(ey1))

    # link routes between drawn node positions; tanker legs along their stored sea path
    # (else a quadratic Bezier arc), other links straight
    x0 = nd["x"].reindex(df["from"]).to_numpy(float)
    y0 = nd["y"].reindex(df["from"]).to_numpy(float)
    x1 = nd["x"].reindex(df["to"]).to_numpy(float)
    y1 = nd["y"].reindex(df["to"]).to_numpy(float)
    dx, dy = x1 - x0, y1 - y0
    bend = np.where(seaborne, curve, 0.0)
    cx = (x0 + x1) / 2 - dy * bend
    cy = (y0 + y1) / 2 + dx * bend
    tt = np.linspace(0.0, 1.0, 17)[:, None]
    xs = (1 - tt) ** 2 * x0 + 2 * (1 - tt) * tt * cx + tt**2 * x1  # (17, n_links)
    ys = (1 - tt) ** 2 * y0 + 2 * (1 - tt) * tt * cy + tt**2 * y1
    straight = bend == 0
    px: list[FArray] = [xs[[0, -1], i] if straight[i] else xs[:, i] for i in range(len(df))]
    py: list[FArray] = [ys[[0, -1], i] if straight[i] else ys[:, i] for i in range(len(df))]
    mid_x, mid_y = xs[8].copy(), ys[8].copy()
    on_view = nd["on_map"]
    coords = nd[["lon", "lat"]]
    off_rows: list[tuple[str, float, float, str]] = []  # node, x, y, link
    sea_path = np.zeros(len(df), bool)
    for i, (lid, a, b, by_sea) in enumerate(zip(df.index, df["from"], df["to"], seaborne, strict=True)):
        if not by_sea or a not in coords.index or b not in coords.index:
            continue
        on_a, on_b = bool(on_view[a]), bool(on_view[b])
        path = stored.get(_end_key(coords.loc[a].to_numpy(float), coords.loc[b].to_numpy(float)))
        if path is None or not (on_a or on_b):
            continue
        if not on_a:  # enter from the off-map start: the off end sits where the path enters
            part = enter_view(path, inset)
        elif not on_b:
            part = enter_view(path[::-1], inset)
            part = part[::-1] if part is not None else None
        else:
            part = path
        if part is None:
            continue
        qx, qy = project(part[:, 0], part[:, 1])
        px[i], py[i], sea_path[i] = qx, qy, True
        if not on_a:
            off_rows.append((str(a), float(qx[0]), float(qy[0]), str(lid)))
        if not on_b:
            off_rows.append((str(b), float(qx[-1]), float(qy[-1]), str(lid)))
        # hover anchor: halfway along the part of the path inside the view
        seen = _inside(part[:, 0], part[:, 1], (lo0, la0, lo1, la1))
        if seen.any():
            run = np.r_[0.0, np.cumsum(np.hypot(np.diff(qx), np.diff(qy)))]
            k = np.flatnonzero(seen)
            j = k[int(np.argmin(np.abs(run[k] - (run[k[0]] + run[k[-1]]) / 2)))]
            mid_x[i], mid_y[i] = qx[j], qy[j]
    df["x"], df["y"] = px, py
    df["mid_x"], df["mid_y"] = mid_x, mid_y
    df["sea_path"] = sea_path
    df["visible"] = np.isfinite(x0) & np.isfinite(x1)

    # off-map ends of links without a sea path sit at the node's edge position
    for lid, a, b, on_path in zip(df.index, df["from"], df["to"], sea_path, strict=True):
        if on_path:
            continue
        for n in (a, b):
            if n in nd.index and not bool(on_view[n]):
                off_rows.append((str(n), float(nd.at[n, "x"]), float(nd.at[n, "y"]), str(lid)))
    off = pd.DataFrame(off_rows, columns=["node", "x", "y", "link"])
    off = off[off["node"].isin(list(nd.index[nd["used"]]))].reset_index(drop=True)
    off["label"] = [f"{nd.at[n, 'label']} (off map)" for n in off["node"]]

    net_countries = set(nodes["country"]) | {c for cs in links["countries"] for c in cs}
    return MapData(
        links=df,
        nodes=nd,
        off_map=off,
        extent=extent,
        network_countries=frozenset(net_countries),
        max_flow_mt_per_year=fmax,
    )


def off_map_markers(off: pd.DataFrame, links: Iterable[str], merge_km: float = 120.0) -> pd.DataFrame:
    """Off-map markers for the ends of ``links`` (ids): one per spot, names joined.

    Ends closer than ``merge_km`` (projected) share a marker labelled with every node
    there, e.g. ``US Gulf Coast, Bonny terminal (off map)``. Columns: x, y, label, nodes.
    """
    sel = off[off["link"].isin(list(links))].drop_duplicates(["node", "x", "y"])
    groups: list[list[int]] = []
    centres: list[tuple[float, float]] = []
    for i, (x, y) in enumerate(zip(sel["x"], sel["y"], strict=True)):
        for g, (cx, cy) in enumerate(centres):
            if (x - cx) ** 2 + (y - cy) ** 2 <= merge_km**2:
                groups[g].append(i)
                break
        else:
            groups.append([i])
            centres.append((float(x), float(y)))
    rows = []
    for members, (cx, cy) in zip(groups, centres, strict=True):
        nodes = list(dict.fromkeys(sel["node"].iloc[members]))
        names = list(dict.fromkeys(str(lab).removesuffix(" (off map)") for lab in sel["label"].iloc[members]))
        rows.append((cx, cy, ", ".join(names) + " (off map)", tuple(nodes)))
    return pd.DataFrame(rows, columns=["x", "y", "label", "nodes"])


def _node_hover(plan: Any, nd: pd.DataFrame) -> list[str]:
    """Hover text per node: name, kind, country, and the plan's figures where relevant."""
    runs = costs = demand = supplied = sold = None
    if plan is not None:
        costs = plan.costs
        runs = costs["delivered_mt_per_year"]
        demand = costs["demand_mt_per_year"]
        supplied = plan.supply["mt_per_year"].groupby(level="node").sum()
        sold = plan.sales.groupby("node")["mt_per_year"].sum() if len(plan.sales) else pd.Series(dtype=float)
    out = []
    for nid, r in nd.iterrows():
        lines = [f"<b>{r['name']}</b>", f"{r['kind']} · {r['country']}"]
        if runs is not None and costs is not None and demand is not None and nid in runs.index:
            c = costs.at[nid, "delivered_cost_usd_per_t"]
            lines.append(f"runs {runs[nid]:,.1f} of {demand[nid]:,.1f} Mt/yr")
            if c == c:
                lines.append(f"delivered cost {c:,.1f} USD/t")
        if supplied is not None and nid in supplied.index:
            lines.append(f"supplies {supplied[nid]:,.1f} Mt/yr")
        if sold is not None and nid in sold.index:
            lines.append(f"world-market sales {sold[nid]:,.1f} Mt/yr")
        out.append("<br>".join(lines))
    return out


def link_hover(links: pd.DataFrame) -> list[str]:
    """Hover text per link: route, mode, flow against capacity, tariff, shadow price."""
    out = []
    for lid, r in links.iterrows():
        lines = [
            f"<b>{r['name']}</b>",
            f"{r['from']} → {r['to']} · {r['mode']} · {r['status']}",
            f"flow {r['mt_per_year']:,.2f} of {r['capacity_mt_per_year']:,.1f} Mt/yr"
            f" ({100 * r['utilisation']:.0f} %)",
            f"tariff {r['tariff_usd_per_t']:,.2f} USD/t",
        ]
        if r["binding"]:
            lines.append(f"<b>at capacity</b>: shadow price {r['shadow_price_usd_per_t']:,.2f} USD/t")
        if r["state"] == "disabled":
            lines.append("disabled in this plan")
        elif r["state"] == "idle":
            lines.append("idle (no flow)")
        out.append("<br>".join(lines))
        del lid
    return out


POSITIONS = ("top center", "bottom center", "middle right", "middle left", "top right", "bottom left")
"""Candidate label positions around a marker (plotly ``textposition`` names)."""


def place_labels(
    x: FArray,
    y: FArray,
    labels: list[str],
    extent: tuple[float, float, float, float],
    width_px: float = 1150.0,
    font_px: float = 10.0,
    thin: bool = True,
) -> list[str]:
    """Greedy label placement: a ``textposition`` per label, least overlap first.

    For each label (in the given priority order) the candidate position whose box
    overlaps the boxes placed so far, the markers and the map's edge the least. With
    ``thin``, a label that would still cover more than a tenth of an earlier label is
    dropped (position ``""``; its name stays on hover).

    Sizes are estimated from the plot width in pixels (a character ≈ 0.58 × font size).
    """
    x0, x1, y0, y1 = extent
    km_per_px = (x1 - x0) / width_px
    ch_w, h = 0.58 * font_px * km_per_px, 1.3 * font_px * km_per_px
    gap = 6 * km_per_px
    placed: list[tuple[float, float, float, float]] = []
    dots = np.column_stack([x, y])
    out = []
    for xi, yi, lab in zip(x, y, labels, strict=True):
        w = ch_w * len(lab)
        best, best_cost, best_clash = POSITIONS[0], np.inf, 0.0
        for pos in POSITIONS:
            v, hz = pos.split()
            cx = xi + {"center": 0.0, "right": w / 2 + gap, "left": -w / 2 - gap}[hz]
            cy = yi + {"top": h / 2 + gap, "bottom": -h / 2 - gap, "middle": 0.0}[v]
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            clash = sum(_overlap(box, b) for b in placed)
            cost = clash
            cost += 10 * (w * h - _overlap(box, (x0, y0, x1, y1)))  # keep labels inside the map
            inside = (
                (dots[:, 0] > box[0]) & (dots[:, 0] < box[2]) & (dots[:, 1] > box[1]) & (dots[:, 1] < box[3])
            )
            cost += float(inside.sum()) * h * h * 0.5 + POSITIONS.index(pos) * 1e-6
            if cost < best_cost:
                best, best_cost, best_clash = pos, cost, clash
        if thin and best_clash > 0.1 * w * h:
            out.append("")
            continue
        v, hz = best.split()
        cx = xi + {"center": 0.0, "right": w / 2 + gap, "left": -w / 2 - gap}[hz]
        cy = yi + {"top": h / 2 + gap, "bottom": -h / 2 - gap, "middle": 0.0}[v]
        placed.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
        out.append(best)
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0
