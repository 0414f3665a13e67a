"""Plotly figures of a plan: network map, Sankey of paths, delivered-cost bars, deltas.

Every function returns a ``plotly.graph_objects.Figure`` so a notebook can show it; the
HTML report embeds the same figures. The map is a plain cartesian figure (projected with
NumPy in :mod:`crudeflow.report.geo`) so it needs no map tiles or topojson from a CDN.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crudeflow.model.network import Network
from crudeflow.report import geo
from crudeflow.results.plan import Plan, horizon_rate
from crudeflow.schema.modes import MODE_TABLE, mode_values

FONT = "Helvetica Neue, Helvetica, Arial, sans-serif"
COST_PARTS = (
    ("price_usd_per_t", "Crude price at origin", "#4c78a8"),
    ("transport_usd_per_t", "Transport (tariffs, freight)", "#f58518"),
    ("duties_usd_per_t", "Duties", "#e45756"),
    ("fees_usd_per_t", "Transit and swap fees", "#72b7b2"),
)
"""Delivered-cost parts (column, legend label, colour), stacked in this order."""


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 12, "color": "#222"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        paper_bgcolor="white",
        hoverlabel={"font": {"family": FONT, "size": 12}},
    )
    return fig


def map_figure(
    plan: Plan,
    network: Network,
    *,
    title: str | None = None,
    height: int | None = None,
    legend: str = "right",
    width_hint_px: float = 1250.0,
    show_idle: bool = False,
) -> go.Figure:
    """The network on a map: links coloured by mode, width by flow (Mt/yr), hover details.

    ``legend`` is ``right`` (beside the map) or ``bottom`` (under it, for side-by-side maps).
    Without ``height``, it is set so a map ``width_hint_px`` wide fills the figure.
    Tanker legs follow their sea paths. Idle links (active, no flow) are hidden unless
    ``show_idle`` (a click on their legend entry shows them, dotted); disabled links are
    dashed grey, binding links (at capacity with a positive shadow price) carry a red
    halo. Nodes outside the view sit on its edge where their route enters, *off map*.
    """
    md = geo.map_data(plan, network)
    fig = go.Figure()
    _land(fig, md)

    links = md.links[md.links["visible"]]
    order = {"disabled": 0, "idle": 1, "flowing": 2}
    links = links.iloc[np.argsort(links["state"].map(order).to_numpy(), kind="stable")]
    binding = links[links["binding"]]
    for _, r in binding.iterrows():
        fig.add_trace(
            go.Scatter(
                x=r["x"], y=r["y"], mode="lines", hoverinfo="skip", showlegend=False,
                line={"color": "rgba(214,39,40,0.45)", "width": r["width_px"] + 7},
                legendgroup="binding",
            )
        )  # fmt: skip
    for _, r in links.iterrows():
        dash = {"disabled": "dash", "idle": "dot"}.get(r["state"], "solid")
        fig.add_trace(
            go.Scatter(
                x=r["x"], y=r["y"], mode="lines", hoverinfo="skip", showlegend=False,
                line={"color": r["colour"], "width": r["width_px"] if r["state"] == "flowing" else 1.0,
                      "dash": dash},
                opacity=0.9 if r["state"] == "flowing" else 0.4,
                legendgroup=r["state"] if r["state"] != "flowing" else r["mode"],
                visible=True if r["state"] != "idle" or show_idle else "legendonly",
            )
        )  # fmt: skip
    hover_links = links if show_idle else links[links["state"] != "idle"]
    _link_hover(fig, hover_links, geo.link_hover(hover_links))

    # legend entries for link styles
    for m in MODE_TABLE.values():
        if (links["mode"] == m.name).any():
            _legend_line(fig, m.display_name, m.colour, "solid", 4, group=m.name)
    if (links["state"] == "idle").any():
        _legend_line(fig, "Idle (click to show)" if not show_idle else "Idle", "#666", "dot", 2, group="idle",
                     visible=True if show_idle else "legendonly")  # fmt: skip
    if (links["state"] == "disabled").any():
        _legend_line(fig, "Disabled", geo.DISABLED_COLOUR, "dash", 2, group="disabled")
    if len(binding):
        _legend_line(fig, "At capacity", "rgba(214,39,40,0.6)", "solid", 9, group="binding")
    _nodes(fig, md, links[links["state"] != "idle"], network, width_hint_px)
    scen = getattr(plan, "scenario", "") if plan is not None else ""
    _map_layout(fig, md, title or (f"Crude flows — {scen}" if scen else "Crude network"), height, legend,
                width_hint_px, "<b>Links</b> (width ∝ √flow)")  # fmt: skip
    return fig


def change_map_figure(
    base: Plan,
    other: Plan,
    network: Network,
    *,
    title: str | None = None,
    height: int | None = None,
    width_hint_px: float = 1250.0,
) -> go.Figure:
    """Where crude moves: each link's change in flow (Mt/yr), ``other`` minus ``base``.

    Blue links carry more, red links less, width ∝ √|change|; unchanged links are faint.
    ``network`` is the one ``other`` was solved on (links missing from a plan count as 0).
    """
    md = geo.map_data(other, network)
    fig = go.Figure()
    _land(fig, md)
    links = md.links[md.links["visible"]].copy()
    # plans over periods: each link's horizon-average rate
    fa = horizon_rate(base, base.link_flows, "mt_per_year").reindex(links.index).fillna(0.0).to_numpy(float)
    fb = horizon_rate(other, other.link_flows, "mt_per_year").reindex(links.index).fillna(0.0).to_numpy(float)
    delta = fb - fa
    links["delta"] = delta
    moved = np.abs(delta) > 1e-6
    dmax = float(np.abs(delta).max()) if moved.any() else 1.0
    links["dwidth"] = geo.MIN_WIDTH_PX + (geo.MAX_WIDTH_PX - geo.MIN_WIDTH_PX) * np.sqrt(np.abs(delta) / dmax)
    more, less = "#2166ac", "#d6604d"
    for _, r in links[~moved & (fb > 1e-6)].iterrows():
        fig.add_trace(
            go.Scatter(x=r["x"], y=r["y"], mode="lines", hoverinfo="skip", showlegend=False,
                       line={"color": "rgba(110,110,110,0.35)", "width": 1.2})
        )  # fmt: skip
    for _, r in links[moved].sort_values("dwidth", ascending=False).iterrows():
        up = r["delta"] > 0
        fig.add_trace(
            go.Scatter(x=r["x"], y=r["y"], mode="lines", hoverinfo="skip", showlegend=False,
                       line={"color": more if up else less, "width": r["dwidth"]}, opacity=0.9,
                       legendgroup="more" if up else "less")
        )  # fmt: skip
    hover = [
        f"<b>{r['name']}</b><br>{r['from']} → {r['to']} · {r['mode']}<br>"
        f"{f0:,.2f} → {f1:,.2f} Mt/yr ({d:+,.2f})"
        for (_, r), f0, f1, d in zip(links.iterrows(), fa, fb, delta, strict=True)
    ]
    _link_hover(fig, links, hover)
    _legend_line(fig, "More flow", more, "solid", 5, group="more")
    _legend_line(fig, "Less flow", less, "solid", 5, group="less")
    _legend_line(fig, "Unchanged", "rgba(110,110,110,0.5)", "solid", 1.5)
    _nodes(fig, md, links[moved | (fb > 1e-6)], network, width_hint_px)
    _map_layout(fig, md, title or f"What moves: link flows, {other.scenario} minus {base.scenario} (Mt/yr)",
                height, "right", width_hint_px, "<b>Change in flow</b> (width ∝ √|Δ|)")  # fmt: skip
    return fig


def _land(fig: go.Figure, md: geo.MapData) -> None:
    """Countries (network countries a shade darker), graticule and faint country names."""
    for cs, colour in (
        ([c for c in geo.countries() if c.iso_a2 not in md.network_countries], geo.LAND_COLOUR),
        ([c for c in geo.countries() if c.iso_a2 in md.network_countries], geo.NETWORK_LAND_COLOUR),
    ):
        if not cs:
            continue
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([c.x for c in cs]), y=np.concatenate([c.y for c in cs]), mode="lines",
                fill="toself", fillcolor=colour, line={"color": geo.BORDER_COLOUR, "width": 0.8},
                hoverinfo="skip", showlegend=False,
            )
        )  # fmt: skip
    _graticule(fig)
    _country_labels(fig, md)


def _link_hover(fig: go.Figure, links: pd.DataFrame, text: list[str]) -> None:
    """Invisible markers at link midpoints carrying the hover text."""
    fig.add_trace(
        go.Scatter(
            x=links["mid_x"], y=links["mid_y"], mode="markers",
            marker={"size": 12, "color": "rgba(0,0,0,0)"}, hovertext=text,
            hoverinfo="text", showlegend=False, name="links",
        )
    )  # fmt: skip


def _nodes(fig: go.Figure, md: geo.MapData, links: pd.DataFrame, network: Network, width_px: float) -> None:
    """Node markers by kind; fields, refineries, markets and off-map ends labelled, crowded labels thinned."""
    nd = md.nodes
    ends = list(set(links["from"]) | set(links["to"])) + list(network.demands.index)
    shown = nd[nd["on_map"] & nd["used"] & nd.index.isin(ends)]
    lab = shown[shown["kind"].isin(geo.LABELLED_KINDS)]
    prio = lab["kind"].map({k: i for i, k in enumerate(("market", "field", "refinery"))}).to_numpy()
    lab = lab.iloc[np.argsort(prio, kind="stable")]
    off = geo.off_map_markers(md.off_map, links.index)
    keys = [*lab.index, *(f"off:{i}" for i in range(len(off)))]
    placed = geo.place_labels(
        np.concatenate([off["x"].to_numpy(float), lab["x"].to_numpy(float)]),
        np.concatenate([off["y"].to_numpy(float), lab["y"].to_numpy(float)]),
        [*off["label"], *lab["label"]], md.extent, width_px=width_px,
    )  # fmt: skip
    placed = placed[len(off) :] + placed[: len(off)]  # off-map markers placed first: they sit on the edge
    pos = dict(zip(keys, placed, strict=True))
    for kind, (symbol, colour, size) in geo.NODE_STYLE.items():
        sel = shown[shown["kind"] == kind]
        if not len(sel):
            continue
        labelled = kind in geo.LABELLED_KINDS
        fig.add_trace(
            go.Scatter(
                x=sel["x"], y=sel["y"], mode="markers+text" if labelled else "markers",
                marker={"symbol": symbol, "color": colour, "size": size,
                        "line": {"color": "white", "width": 1}},
                text=[lb if pos.get(i) else "" for i, lb in zip(sel.index, sel["label"], strict=True)]
                if labelled else None,
                textposition=[pos.get(i) or "top center" for i in sel.index] if labelled else None,
                textfont={"size": 10, "color": "#222"},
                hovertext=sel["hover"], hoverinfo="text", name=kind.capitalize(),
                legendgroup=f"node-{kind}", cliponaxis=False,
            )
        )  # fmt: skip
    if len(off):
        fig.add_trace(
            go.Scatter(
                x=off["x"], y=off["y"], mode="markers+text",
                marker={"symbol": "circle-open", "color": "#555", "size": 8, "line": {"width": 1.5}},
                text=[lb if pos.get(f"off:{i}") else "" for i, lb in enumerate(off["label"])],
                textposition=[pos.get(f"off:{i}") or "middle right" for i in range(len(off))],
                textfont={"size": 9, "color": "#555"}, hovertext=off["label"],
                hoverinfo="text", name="Off map (where its route enters)", cliponaxis=False,
            )
        )  # fmt: skip


def _map_layout(
    fig: go.Figure,
    md: geo.MapData,
    title: str,
    height: int | None,
    legend: str,
    width_hint_px: float,
    legend_title: str,
) -> None:
    x0, x1, y0, y1 = md.extent
    if height is None:
        height = int((y1 - y0) / (x1 - x0) * width_hint_px) + (60 if legend == "right" else 130)
    _layout(fig, title, height)
    fig.update_layout(
        plot_bgcolor=geo.SEA_COLOUR,
        legend={**({"orientation": "v", "x": 1.005, "y": 1.0, "xanchor": "left", "yanchor": "top"}
                   if legend == "right" else
                   {"orientation": "h", "x": 0.0, "y": -0.01, "xanchor": "left", "yanchor": "top"}),
                "bgcolor": "rgba(255,255,255,0.85)", "bordercolor": "#bbb", "borderwidth": 1,
                "font": {"size": 11}, "title": {"text": legend_title}, "tracegroupgap": 2},
        hovermode="closest",
        dragmode="pan",
    )  # fmt: skip
    fig.update_xaxes(range=[x0, x1], visible=False, showgrid=False, zeroline=False, constrain="domain",
                     constraintoward="center" if legend == "right" else "left")  # fmt: skip
    fig.update_yaxes(range=[y0, y1], visible=False, showgrid=False, zeroline=False,
                     scaleanchor="x", scaleratio=1, constrain="domain", constraintoward="top")  # fmt: skip


def _legend_line(
    fig: go.Figure,
    name: str,
    colour: str,
    dash: str,
    width: float,
    group: str | None = None,
    visible: bool | str = True,
) -> None:
    fig.add_trace(
        go.Scatter(
            x=[None], y=[None], mode="lines", name=name,
            line={"color": colour, "dash": dash, "width": width},
            legendgroup=group or name, hoverinfo="skip", visible=visible,
        )
    )  # fmt: skip


def _graticule(fig: go.Figure) -> None:
    """Faint meridians and parallels every 10 degrees."""
    xs: list[float] = []
    ys: list[float] = []
    lo, la0, hi, la1 = geo.REGION
    lat = np.linspace(la0, la1, 60)
    for lon in np.arange(-10.0, hi + 1, 10.0):
        x, y = geo.project(np.full_like(lat, lon), lat)
        xs += [*x, np.nan]
        ys += [*y, np.nan]
    lon = np.linspace(lo, hi, 120)
    for la in np.arange(30.0, la1 + 1, 10.0):
        x, y = geo.project(lon, np.full_like(lon, la))
        xs += [*x, np.nan]
        ys += [*y, np.nan]
    fig.add_trace(
        go.Scatter(
            x=xs, y=ys, mode="lines", line={"color": "rgba(90,120,150,0.18)", "width": 0.7},
            hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip


def _country_labels(fig: go.Figure, md: geo.MapData) -> None:
    """Faint upper-case names of the network's countries at their node centroid."""
    nd = md.nodes[md.nodes["on_map"]]
    cen = nd.groupby("country")[["x", "y"]].median()
    names = geo.country_names()
    cen = cen[cen.index.isin(list(names))]
    fig.add_trace(
        go.Scatter(
            x=cen["x"], y=cen["y"] - 60, mode="text",
            text=[names.get(str(c), str(c)).upper() for c in cen.index],
            textfont={"size": 10, "color": "rgba(120,105,80,0.55)"}, hoverinfo="skip",
            showlegend=False,
        )
    )  # fmt: skip


def _country_name(code: str, names: dict[str, str]) -> str:
    return names.get(code, code)


def land_transit(paths: pd.DataFrame, network: Network) -> list[tuple[str, ...]]:
    """Countries each path enters on land or at a port, in order, without origin and end.

    Unlike ``Plan.paths['transit']`` this ignores the coastal states a tanker leg passes
    (its ``countries`` list), which would make every sea route read as a long transit chain.
    """
    node_c = network.nodes["country"]
    link_c = network.links["countries"]
    seaborne = pd.Series(mode_values(network.links["mode"], "seaborne"), index=network.links.index)
    out: list[tuple[str, ...]] = []
    for nodes, links, origin in zip(paths["nodes"], paths["links"], paths["origin"], strict=True):
        seq: list[str] = []
        for i, n in enumerate(nodes):
            over = () if i == 0 or seaborne.get(links[i - 1], False) else tuple(link_c.get(links[i - 1], ()))
            for c in (*over, str(node_c.get(n, ""))):
                if c and c not in seq:
                    seq.append(c)
        end = str(node_c.get(nodes[-1], ""))
        out.append(tuple(c for c in seq if c not in (origin, end)))
    return out


def _group_small(labels: list[str], mt: Any, share: float = 0.01, keep: int = 14) -> list[str]:
    """Fold labels carrying under ``share`` of the volume (or beyond the top ``keep``) into one."""
    s = pd.Series(mt, index=labels).groupby(level=0).sum().sort_values(ascending=False)
    big = set(s.index[:keep][s.iloc[:keep] >= share * s.sum()])
    return [lab if lab in big else "other routes" for lab in labels]


def sankey_figure(
    plan: Plan, network: Network, *, include_markets: bool = True, title: str | None = None, height: int = 560
) -> go.Figure:
    """Origin country → transit route → importing country → refinery (Mt/yr), from ``Plan.paths``.

    Transit is the ordered chain of countries crossed (``direct`` for none). Sales to
    world-market outlets appear as *World market* destinations when ``include_markets``.
    """
    names = geo.country_names()
    p = plan.paths
    kinds = ["refinery", "market"] if include_markets else ["refinery"]
    p = p[p["sink_kind"].isin(kinds) & (p["mt_per_year"] > 1e-6)]
    node_name = network.nodes["name"].map(lambda s: str(s).split(" (")[0])
    node_country = network.nodes["country"]
    origin = [_country_name(str(o), names) for o in p["origin"]]
    transit = _group_small(
        ["via " + " → ".join(_country_name(c, names) for c in t) if t else "direct"
         for t in land_transit(p, network)],
        p["mt_per_year"].to_numpy(float),
    )  # fmt: skip
    is_ref = (p["sink_kind"] == "refinery").to_numpy()
    importer = [
        _country_name(str(node_country.get(s, "?")), names) if r else "World market"
        for s, r in zip(p["sink"], is_ref, strict=True)
    ]
    sink = [str(node_name.get(s, s)) for s in p["sink"]]
    frame = pd.DataFrame(
        {"origin": origin, "transit": transit, "importer": importer, "sink": sink,
         "colour_key": origin, "mt": p["mt_per_year"].to_numpy(float)}
    )  # fmt: skip
    stages = ["origin", "transit", "importer", "sink"]
    labels: list[str] = []
    index: dict[tuple[str, str], int] = {}
    xs: list[float] = []
    for k, st in enumerate(stages):
        totals = frame.groupby(st)["mt"].sum().sort_values(ascending=False)
        for lab in totals.index:
            index[(st, str(lab))] = len(labels)
            labels.append(f"{lab}")
            xs.append(0.001 + k * 0.998 / (len(stages) - 1))
    src: list[int] = []
    dst: list[int] = []
    val: list[float] = []
    colours: list[str] = []
    palette = ["rgba(31,95,168,0.35)", "rgba(224,123,0,0.35)", "rgba(46,139,87,0.35)",
               "rgba(142,68,173,0.35)", "rgba(214,39,40,0.35)", "rgba(140,86,75,0.35)",
               "rgba(23,190,207,0.35)", "rgba(188,189,34,0.35)"]  # fmt: skip
    # one colour per origin country, stable across plans of the same dataset
    every = sorted({str(c) for c in network.grades["origin_country"]} | set(p["origin"].astype(str)))
    by_code = {c: palette[i % len(palette)] for i, c in enumerate(every)}
    origin_colour = {_country_name(c, names): col for c, col in by_code.items()}
    for a, b in itertools.pairwise(stages):
        g = frame.groupby([a, b, "colour_key"], sort=False)["mt"].sum().reset_index()
        for ra, rb, ro, mt in g.itertuples(index=False):
            if a == "importer" and ra == rb:
                continue
            src.append(index[(a, str(ra))])
            dst.append(index[(b, str(rb))])
            val.append(float(mt))
            colours.append(origin_colour[ro])
    node_colour = ["#4c78a8"] * len(labels)
    for (st, lab), i in index.items():
        node_colour[i] = {"origin": "#2e7d32", "transit": "#8c6d31", "importer": "#1f5fa8", "sink": "#444"}[
            st
        ]
        del lab
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            valueformat=",.2f",
            valuesuffix=" Mt/yr",
            node={"label": labels, "pad": 12, "thickness": 16, "color": node_colour,
                  "line": {"color": "white", "width": 0.5}, "x": xs},
            link={"source": src, "target": dst, "value": val, "color": colours},
        )
    )  # fmt: skip
    scen = getattr(plan, "scenario", "")
    _layout(fig, title or f"Who supplies whom, through whom — {scen} (Mt/yr)", height)
    for k, head in enumerate(("Origin", "Transit (land, ports)", "Importing country", "Refinery / outlet")):
        fig.add_annotation(
            x=k / 3, y=1.06, xref="paper", yref="paper", text=f"<b>{head}</b>", showarrow=False,
            xanchor=["left", "center", "center", "right"][k], font={"size": 12, "color": "#555"},
        )  # fmt: skip
    fig.update_layout(margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return fig


def _refinery_labels(ids: Any, countries: Any, network: Network | None) -> list[str]:
    names = network.nodes["name"] if network is not None else pd.Series(dtype=str)
    return [f"{geo.short_name(str(names.get(r, r)))} ({c})" for r, c in zip(ids, countries, strict=True)]


def cost_figure(
    plan: Plan, network: Network | None = None, *, title: str | None = None, height: int | None = None
) -> go.Figure:
    """Delivered cost per refinery (USD/t) stacked by part, cheapest at the top.

    Refineries receiving nothing are listed with a *no supply* note instead of a bar;
    unmet demand (Mt/yr) is noted beside the bar. ``network`` gives refinery names.
    """
    c = plan.costs.copy()
    c = c.sort_values("delivered_cost_usd_per_t", ascending=False, na_position="first")
    labels = _refinery_labels(c.index, c["country"], network)
    fig = go.Figure()
    for col, name, colour in COST_PARTS:
        vals = c[col].fillna(0.0).to_numpy(float)
        if col not in ("price_usd_per_t", "transport_usd_per_t") and not np.any(np.abs(vals) > 1e-9):
            continue
        fig.add_trace(
            go.Bar(
                y=labels, x=vals, name=name, orientation="h", marker={"color": colour},
                hovertemplate=f"%{{y}}<br>{name}: %{{x:,.2f}} USD/t<extra></extra>",
            )
        )  # fmt: skip
    tot = c["delivered_cost_usd_per_t"].to_numpy(float)
    unmet = c["unmet_mt_per_year"].to_numpy(float)
    notes = [
        (f"{t:,.0f}" if t == t else "no supply") + (f" · unmet {u:,.1f} Mt/yr" if u > 1e-6 else "")
        for t, u in zip(tot, unmet, strict=True)
    ]
    fig.add_trace(
        go.Scatter(
            y=labels, x=np.nan_to_num(tot, nan=0.0), mode="text", text=notes, textposition="middle right",
            textfont={"size": 11}, showlegend=False, hoverinfo="skip",
        )
    )  # fmt: skip
    scen = getattr(plan, "scenario", "")
    _layout(fig, title or f"Delivered cost per refinery — {scen} (USD/t)", height or 140 + 26 * len(c))
    xmax = float(np.nanmax(tot)) if np.isfinite(tot).any() else 1.0
    fig.update_layout(
        barmode="stack", plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.08, "x": 0, "yanchor": "top", "traceorder": "normal"},
        margin={"l": 10, "r": 30, "t": 50, "b": 60},
    )  # fmt: skip
    fig.update_xaxes(title="USD per tonne delivered", gridcolor="#eee", range=[0, xmax * 1.22])
    fig.update_yaxes(automargin=True)
    return fig


def cost_delta_figure(
    base: Plan, other: Plan, network: Network | None = None, *, height: int | None = None
) -> go.Figure:
    """Change in delivered cost per refinery (USD/t), ``other`` minus ``base``, by part."""
    a, b = base.costs, other.costs
    idx = a.index.union(b.index)
    country = a["country"].reindex(idx).fillna(b["country"].reindex(idx))
    labels = _refinery_labels(idx, country, network)
    fig = go.Figure()
    total = (
        b["delivered_cost_usd_per_t"].reindex(idx) - a["delivered_cost_usd_per_t"].reindex(idx)
    ).to_numpy(float)
    order = np.argsort(np.nan_to_num(total, nan=-np.inf))
    for col, name, colour in COST_PARTS:
        d = (b[col].reindex(idx) - a[col].reindex(idx)).to_numpy(float)[order]
        if not np.any(np.abs(np.nan_to_num(d)) > 1e-9):
            continue
        fig.add_trace(
            go.Bar(
                y=[labels[i] for i in order], x=d, name=name, orientation="h", marker={"color": colour},
                hovertemplate=f"%{{y}}<br>{name}: %{{x:+,.2f}} USD/t<extra></extra>",
            )
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            y=[labels[i] for i in order], x=np.nan_to_num(total[order]), mode="markers+text",
            marker={"symbol": "line-ns", "size": 14, "line": {"width": 2, "color": "#222"}},
            text=[f"{t:+,.1f}" if t == t else "n/a" for t in total[order]], textposition="middle right",
            name="Net change", hovertemplate="%{y}<br>net %{x:+,.2f} USD/t<extra></extra>",
        )
    )  # fmt: skip
    _layout(
        fig,
        f"Change in delivered cost, {other.scenario} vs {base.scenario} (USD/t)",
        height or 140 + 26 * len(idx),
    )
    fig.update_layout(barmode="relative", plot_bgcolor="white",
                      legend={"orientation": "h", "y": -0.08, "x": 0, "yanchor": "top",
                              "traceorder": "normal"},
                      margin={"l": 10, "r": 40, "t": 50, "b": 60})  # fmt: skip
    fig.update_xaxes(title="USD per tonne, scenario minus base", gridcolor="#eee", zeroline=True,
                     zerolinecolor="#444")  # fmt: skip
    fig.update_yaxes(automargin=True)
    return fig


def stress_figure(ranking: pd.DataFrame, *, top: int = 15, height: int | None = None) -> go.Figure:
    """The most critical assets: what each single outage adds to the plan.

    Added system cost in bn USD/yr (shortage and shut-in penalties included), added unmet
    demand and supply shut in, in Mt/yr.
    """
    r = ranking
    if "skipped" in r.columns:
        r = r[~r["skipped"].astype(bool)]
    r = r.head(top).iloc[::-1]
    labels = [str(a) for a in r.index]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=labels, x=r["delta_objective_usd"].to_numpy(float) / 1e9, orientation="h",
            name="Added system cost (bn USD/yr)", marker={"color": "#e45756"},
            hovertemplate="%{y}<br>+%{x:,.2f} bn USD/yr<extra></extra>",
        )
    )  # fmt: skip
    for col, name, colour, symbol in (
        ("unmet_mt_per_year", "Added unmet demand (Mt/yr)", "#222", "diamond"),
        ("shut_in_mt_per_year", "Supply shut in (Mt/yr)", "#2e7d32", "triangle-up"),
    ):
        if col in r.columns:
            fig.add_trace(
                go.Scatter(
                    y=labels, x=r[col].to_numpy(float), mode="markers", xaxis="x2", name=name,
                    marker={"color": colour, "size": 10, "symbol": symbol,
                            "line": {"color": "white", "width": 1}},
                    hovertemplate=f"%{{y}}<br>{name}: %{{x:,.2f}}<extra></extra>",
                )
            )  # fmt: skip
    _layout(fig, "Most critical assets: what one outage costs", height or 170 + 26 * len(r))
    fig.update_layout(
        plot_bgcolor="white",
        xaxis={"title": "Added system cost, bn USD/yr (shortage and shut-in penalties included)",
               "gridcolor": "#eee", "rangemode": "tozero"},
        xaxis2={"title": "Mt/yr", "overlaying": "x", "side": "top", "showgrid": False, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.12, "x": 0, "yanchor": "top"},
        margin={"l": 10, "r": 20, "t": 90, "b": 80},
    )  # fmt: skip
    fig.update_yaxes(automargin=True)
    return fig


TIME_COLOURS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d")


def _time_panels(
    dates: list[str], stocks: pd.DataFrame, routes: pd.DataFrame, unmet: pd.DataFrame, title: str
) -> go.Figure:
    """Three panels over the periods: stock levels (lines), route flows (lines), unmet (bars).

    Each frame is period (index, ISO start) × series (columns), Mt.
    """
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.08,
        subplot_titles=("Stock levels at the end of each period, Mt", "Flows by route, Mt per period",
                        "Unmet demand, Mt per period"),
    )  # fmt: skip
    for row, frame, kind in ((1, stocks, "stock"), (2, routes, "route")):
        for i, name in enumerate(frame.columns):
            fig.add_trace(
                go.Scatter(
                    x=dates, y=frame[name].reindex(dates).fillna(0.0).to_numpy(float), mode="lines+markers",
                    name=f"{name}", legendgroup=kind, legendgrouptitle_text=f"{kind}s",
                    line={"color": TIME_COLOURS[i % len(TIME_COLOURS)], "dash": "solid" if row == 1 else "dot"
                          },
                    marker={"size": 4},
                    hovertemplate=f"{name}<br>%{{x}}: %{{y:,.3f}} Mt<extra></extra>",
                ),
                row=row, col=1,
            )  # fmt: skip
    for i, name in enumerate(unmet.columns):
        fig.add_trace(
            go.Bar(
                x=dates, y=unmet[name].reindex(dates).fillna(0.0).to_numpy(float), name=f"{name} unmet",
                legendgroup="unmet", legendgrouptitle_text="unmet",
                marker={"color": ("#222", "#e45756", "#9d755d", "#b279a2")[i % 4]},
                hovertemplate=f"{name}<br>%{{x}}: %{{y:,.3f}} Mt<extra></extra>",
            ),
            row=3, col=1,
        )  # fmt: skip
    _layout(fig, title, 720)
    fig.update_layout(plot_bgcolor="white", barmode="stack", margin={"l": 10, "r": 10, "t": 70, "b": 30},
                      legend={"groupclick": "toggleitem"})  # fmt: skip
    fig.update_yaxes(gridcolor="#eee", rangemode="tozero", automargin=True)
    fig.update_xaxes(gridcolor="#eee")
    return fig


def periods_figure(plan: Plan, *, routes: int = 8, title: str | None = None) -> go.Figure | None:
    """A plan over periods as time series: stocks by tank, the links whose flow moves most, unmet.

    None for an annual plan (one period). Routes: the ``routes`` links with the largest
    spread of flow between periods (Mt per period), so reroutings and outages show.
    """
    lf = plan.link_flows
    if "period" not in lf.columns or lf["period"].nunique() < 2:
        return None
    dates = sorted(lf["period"].astype(str).unique())
    flows = lf.reset_index().pivot_table(index="period", columns="link", values="mt", aggfunc="sum")
    flows.index = flows.index.astype(str)
    spread = (flows.max() - flows.min()).sort_values(ascending=False, kind="stable")
    flows = flows[[c for c in spread.index[:routes] if spread[c] > 1e-6]]
    st = plan.stocks
    stocks = (
        st.pivot_table(index="period", columns="node", values="level_mt", aggfunc="sum")
        if len(st) else pd.DataFrame(index=pd.Index(dates))
    )  # fmt: skip
    stocks.index = stocks.index.astype(str)
    stocks = stocks.loc[:, stocks.max() > 1e-6] if stocks.shape[1] else stocks
    un = plan.unmet.reset_index()
    if len(un):
        un["country"] = un["node"]
        unmet = un.pivot_table(index="period", columns="country", values="mt", aggfunc="sum")
        unmet.index = unmet.index.astype(str)
    else:
        unmet = pd.DataFrame(index=pd.Index(dates))
    return _time_panels(dates, stocks, flows, unmet, title or "Over time: stocks, routes and unmet demand")


def holdout_figure(
    ranking: pd.DataFrame, importer: str, horizon_days: int, *, top: int = 15, height: int | None = None
) -> go.Figure:
    """Days of cover per case for one importer, fewest first, with the horizon marked.

    Cases beyond the horizon are drawn to it in grey (their cover is at least the horizon).
    """
    r = ranking[(ranking["importer"] == importer) & (ranking["case"] != "(no loss)")]
    r = r[~r["skipped"].astype(bool)].head(top).iloc[::-1]
    beyond = r["beyond_horizon"].astype(bool).to_numpy()
    days = np.where(beyond, float(horizon_days), r["days_of_cover"].to_numpy(float))
    labels = [str(c) for c in r["case"]]
    text = [
        f"> {horizon_days}" if b else f"{d:.1f} d · {u:.2f} Mt short"
        for d, b, u in zip(days, beyond, r["unmet_mt"].to_numpy(float), strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            y=labels, x=days, orientation="h", text=text, textposition="outside", cliponaxis=False,
            marker={"color": np.where(beyond, "#c7c7c7", "#e45756").tolist()},
            customdata=r["first_short_date"].to_numpy(),
            hovertemplate="%{y}<br>%{x:.1f} days of cover<br>first short %{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fig.add_vline(x=horizon_days, line={"color": "#222", "dash": "dash", "width": 1})
    fig.add_annotation(x=horizon_days, y=1.0, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"horizon {horizon_days} days", font={"size": 11})  # fmt: skip
    _layout(fig, f"{importer}: days of cover after each loss (fewest first)", height or 150 + 26 * len(r))
    fig.update_layout(
        plot_bgcolor="white", showlegend=False, margin={"l": 10, "r": 90, "t": 70, "b": 50},
        xaxis={"title": "days at full refinery runs from the loss (grey: beyond the horizon)",
               "gridcolor": "#eee", "range": [0, horizon_days * 1.18]},
    )  # fmt: skip
    fig.update_yaxes(automargin=True)
    return fig


def holdout_series_figure(series: pd.DataFrame, importer: str, case: str) -> go.Figure:
    """One days-of-cover case over its horizon: the importer's stocks, routes in, output, unmet."""
    s = series[(series["importer"] == importer) & (series["case"] == case)]
    dates = sorted(s["start"].unique())

    def wide(q: str) -> pd.DataFrame:
        part = s[s["quantity"] == q]
        if len(part) == 0:
            return pd.DataFrame(index=pd.Index(dates))
        out = part.pivot_table(index="start", columns="source", values="mt", aggfunc="sum")
        return out.loc[:, out.max() > 1e-6]

    unmet = s[s["quantity"] == "unmet"].set_index("start")["mt"].rename(importer).to_frame()
    routes = pd.concat([wide("route"), wide("domestic").add_suffix(" (domestic)")], axis=1)
    return _time_panels(dates, wide("stock"), routes, unmet, f"{importer} after {case}")
