"""The network map as a static PNG or SVG (matplotlib, offline), for papers and slides.

Draws the same geometry as the HTML map (:mod:`crudeflow.report.geo`): Natural Earth
outlines, links coloured by mode with width by flow, tanker legs along their sea paths,
idle links left out (dotted with ``show_idle``), disabled dashed,
binding links with a red halo, labelled fields, refineries and markets, and a legend.
Uses matplotlib's object API (no pyplot), so it touches no global state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from crudeflow.exceptions import CrudeflowError
from crudeflow.model.network import Network
from crudeflow.report import geo
from crudeflow.results.plan import Plan
from crudeflow.schema.modes import MODE_TABLE

_MARKERS = {"triangle-up": "^", "square": "s", "star": "*", "diamond": "D", "circle": "o"}
_PX_TO_PT = 0.75
_OFFSETS = {  # textposition -> (dx, dy) in points, ha, va
    "top center": ((0, 5), "center", "bottom"),
    "bottom center": ((0, -5), "center", "top"),
    "middle right": ((6, 0), "left", "center"),
    "middle left": ((-6, 0), "right", "center"),
    "top right": ((5, 4), "left", "bottom"),
    "bottom left": ((-5, -4), "right", "top"),
}


def render_map(
    plan: Plan,
    network: Network,
    path: str | Path,
    *,
    title: str | None = None,
    width_in: float = 13.0,
    dpi: int = 200,
    show_idle: bool = False,
) -> Path:
    """Draw the plan's network map to ``path`` (``.png`` or ``.svg``; size in inches, dpi).

    Tanker legs follow their sea paths; idle links are left out unless ``show_idle``.
    """
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        msg = f"map output must end in .png or .svg, not {out.name!r}"
        raise CrudeflowError(msg)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection, PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    md = geo.map_data(plan, network)
    x0, x1, y0, y1 = md.extent
    map_w = width_in * 0.8
    height_in = map_w * (y1 - y0) / (x1 - x0) + 0.7
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.8, 1 - 0.6 / height_in))
    ax.set_facecolor(geo.SEA_COLOUR)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color("#999")
        s.set_linewidth(0.6)

    # countries
    for colour, inside in ((geo.LAND_COLOUR, False), (geo.NETWORK_LAND_COLOUR, True)):
        rings = []
        for c in geo.countries():
            if (c.iso_a2 in md.network_countries) != inside:
                continue
            breaks = np.flatnonzero(np.isnan(c.x))
            start = 0
            for b in breaks.tolist():
                if b - start >= 3:
                    rings.append(np.column_stack([c.x[start:b], c.y[start:b]]))
                start = b + 1
        ax.add_collection(
            PolyCollection(rings, facecolors=colour, edgecolors=geo.BORDER_COLOUR, linewidths=0.6, zorder=1)
        )
    # graticule
    for lon in np.arange(-10.0, 91.0, 10.0):
        gx, gy = geo.project([lon, lon], [geo.REGION[1], geo.REGION[3]])
        ax.plot(gx, gy, color=(0.35, 0.47, 0.59, 0.18), lw=0.5, zorder=1.5)
    for lat in np.arange(30.0, 71.0, 10.0):
        gx, gy = geo.project([geo.REGION[0], geo.REGION[2]], [lat, lat])
        ax.plot(gx, gy, color=(0.35, 0.47, 0.59, 0.18), lw=0.5, zorder=1.5)
    # faint country names
    names = geo.country_names()
    on = md.nodes[md.nodes["on_map"]]
    for code, row in on.groupby("country")[["x", "y"]].median().iterrows():
        if str(code) in names:
            ax.text(row["x"], row["y"] - 60, names[str(code)].upper(), fontsize=6.5, ha="center", va="top",
                    color=(0.47, 0.41, 0.31, 0.6), zorder=2, clip_on=True)  # fmt: skip

    links = md.links[md.links["visible"]]
    if not show_idle:
        links = links[links["state"] != "idle"]
    segs = [np.column_stack([x, y]) for x, y in zip(links["x"], links["y"], strict=True)]
    states = links["state"].to_numpy()
    widths = links["width_px"].to_numpy(float) * _PX_TO_PT
    colours = links["colour"].to_list()
    binding = links["binding"].to_numpy(bool)
    if binding.any():
        ax.add_collection(
            LineCollection(
                [segs[i] for i in np.flatnonzero(binding)], colors=[(0.84, 0.15, 0.16, 0.45)],
                linewidths=widths[binding] + 5.0, capstyle="round", zorder=3,
            )
        )  # fmt: skip
    for state, style, alpha, z in (("disabled", (0, (4, 3)), 0.6, 2.5), ("idle", (0, (1, 2)), 0.4, 2.6)):
        sel = np.flatnonzero(states == state)
        if len(sel):
            ax.add_collection(
                LineCollection([segs[i] for i in sel], colors=[colours[i] for i in sel], linewidths=0.8,
                               linestyles=[style], alpha=alpha, zorder=z)
            )  # fmt: skip
    sel = np.flatnonzero(states == "flowing")
    order = sel[np.argsort(-widths[sel])]  # thin lines on top of thick ones
    if len(order):
        ax.add_collection(
            LineCollection([segs[i] for i in order], colors=[colours[i] for i in order],
                           linewidths=widths[order], alpha=0.9, capstyle="round", zorder=4)
        )  # fmt: skip

    # nodes and labels
    nd = md.nodes
    ends = set(links["from"]) | set(links["to"]) | set(network.demands.index)
    shown = nd[nd["on_map"] & nd["used"] & nd.index.isin(list(ends))]
    lab = shown[shown["kind"].isin(geo.LABELLED_KINDS)]
    prio = lab["kind"].map({k: i for i, k in enumerate(("market", "field", "refinery"))}).to_numpy()
    lab = lab.iloc[np.argsort(prio, kind="stable")]
    off = geo.off_map_markers(md.off_map, links.index)
    width_px = map_w * 72
    placed = geo.place_labels(
        np.concatenate([lab["x"].to_numpy(float), off["x"].to_numpy(float)]),
        np.concatenate([lab["y"].to_numpy(float), off["y"].to_numpy(float)]),
        [*lab["label"], *off["label"]], md.extent, width_px=width_px, font_px=7.0,
    )  # fmt: skip
    handles: list[Any] = []
    for kind, (symbol, colour, size) in geo.NODE_STYLE.items():
        sel_nodes = shown[shown["kind"] == kind]
        if not len(sel_nodes):
            continue
        m = _MARKERS.get(symbol, "o")
        ax.scatter(sel_nodes["x"], sel_nodes["y"], marker=m, s=(size * 0.75) ** 2, c=colour,
                   edgecolors="white", linewidths=0.6, zorder=5)  # fmt: skip
        handles.append(Line2D([], [], marker=m, color=colour, ls="", markersize=size * 0.6,
                              markeredgecolor="white", label=kind.capitalize()))  # fmt: skip
    for (x, y, text), pos in zip(
        [
            *zip(lab["x"], lab["y"], lab["label"], strict=True),
            *zip(off["x"], off["y"], off["label"], strict=True),
        ],
        placed,
        strict=True,
    ):
        if not pos:  # thinned: no room for this label
            continue
        (dx, dy), ha, va = _OFFSETS[pos]
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, fontsize=7,
                    color="#222", zorder=6, annotation_clip=True,
                    bbox={"boxstyle": "round,pad=0.1", "fc": (1, 1, 1, 0.55), "ec": "none"})  # fmt: skip
    if len(off):
        ax.scatter(off["x"], off["y"], marker="o", s=30, facecolors="none", edgecolors="#555", linewidths=1.2,
                   zorder=5)  # fmt: skip
        handles.append(Line2D([], [], marker="o", color="#555", ls="", markerfacecolor="none",
                              label="Off map (route enters here)"))  # fmt: skip

    link_handles: list[Any] = [
        Line2D([], [], color=m.colour, lw=3, label=m.display_name)
        for m in MODE_TABLE.values()
        if (links["mode"] == m.name).any()
    ]
    if (states == "idle").any():
        link_handles.append(Line2D([], [], color="#666", lw=1, ls=(0, (1, 2)), label="Idle (no flow)"))
    if (states == "disabled").any():
        link_handles.append(Line2D([], [], color=geo.DISABLED_COLOUR, lw=1, ls=(0, (4, 3)), label="Disabled"))
    if binding.any():
        link_handles.append(Line2D([], [], color=(0.84, 0.15, 0.16, 0.6), lw=6, label="At capacity"))
    fmax = md.max_flow_mt_per_year
    if fmax > 0:
        for v in _nice_flows(fmax):
            w = geo.MIN_WIDTH_PX + (geo.MAX_WIDTH_PX - geo.MIN_WIDTH_PX) * np.sqrt(v / fmax)
            link_handles.append(Line2D([], [], color="#777", lw=w * _PX_TO_PT, label=f"{v:g} Mt/yr"))
    top = 1 - 0.6 / height_in
    leg = fig.legend(handles=link_handles + handles, loc="upper left", bbox_to_anchor=(0.815, top),
                     frameon=True, fontsize=8, title="Links and nodes", title_fontsize=9,
                     borderpad=0.8, labelspacing=0.6)  # fmt: skip
    leg.get_frame().set_edgecolor("#bbb")
    scen = getattr(plan, "scenario", "") if plan is not None else ""
    heading = title or (f"Crude flows — {scen}" if scen else "Crude network")
    fig.suptitle(heading, x=0.01, y=1 - 0.12 / height_in, ha="left", va="top", fontsize=13,
                 fontweight="bold")  # fmt: skip
    fig.text(0.99, 0.012, "crudeflow · outlines: Natural Earth (public domain)", ha="right", va="bottom",
             fontsize=6.5, color="#777")  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=fmt, dpi=dpi, facecolor="white")
    return out


def render_map_png(
    plan: Plan,
    network: Network,
    path: str | Path,
    *,
    title: str | None = None,
    width_in: float = 13.0,
    dpi: int = 200,
    show_idle: bool = False,
) -> Path:
    """:func:`render_map` to a PNG file (the name the API documents)."""
    p = Path(path)
    if p.suffix.lower() != ".png":
        p = p.with_suffix(".png")
    return render_map(plan, network, p, title=title, width_in=width_in, dpi=dpi, show_idle=show_idle)


def _nice_flows(fmax: float) -> list[float]:
    """Two or three round flow values (Mt/yr) for the width legend."""
    top = float(10 ** np.floor(np.log10(fmax)))
    top = max(v for v in (top, 2 * top, 5 * top) if v <= fmax)
    vals = [top, top / 5 if top / 5 >= 1 else top / 2, top / 25 if top / 25 >= 1 else None]
    return [v for v in vals if v is not None]
