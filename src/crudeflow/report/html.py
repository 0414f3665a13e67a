"""The offline HTML report: one self-contained file (plotly.js, CSS and outlines inline).

No template engine: the page is assembled from f-strings and ``string.Template``; every
value written into the page is HTML-escaped. The page fetches nothing from the network.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.analysis.backtest import BacktestSummary
from crudeflow.analysis.contingency import StressResult
from crudeflow.analysis.holdout import HoldoutResult
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan

PLOT_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "scrollZoom": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

PAGE = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="crudeflow">
<title>$title</title>
<style>
$css
</style>
<script>
$plotlyjs
</script>
</head>
<body>
<header>
<h1>$title</h1>
<p>$subtitle</p>
<nav>$nav</nav>
</header>
<main>
$body
</main>
<footer>
$footer
</footer>
</body>
</html>
"""
)


@dataclass(frozen=True)
class Side:
    """One plan with the network it was solved on, and a display label."""

    plan: Plan
    network: Network
    label: str


PlanInput = Plan | tuple[Plan, Network] | Side
"""A plan for the report: a Plan (solved on the report's network), a (Plan, Network) pair or a Side."""


def _static(name: str) -> str:
    return resources.files("crudeflow.report").joinpath(f"static/{name}").read_text("utf-8")


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    # "</script" can't appear inside an inline script; plotly.js doesn't contain it, but be safe.
    return str(get_plotlyjs()).replace("</script", "<\\/script")


def _fig_html(fig: Any, div_id: str) -> str:
    """A figure in a ``fig`` box whose top strip holds plotly's toolbar, clear of titles."""
    inner = fig.to_html(
        full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=div_id, config=PLOT_CONFIG
    )
    return f'<div class="fig">{inner}</div>'


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _fmt(v: Any, col: str) -> tuple[str, bool]:
    """Cell text and whether it is numeric (right-aligned)."""
    if isinstance(v, bool | np.bool_):
        return ("yes" if v else ""), False
    if isinstance(v, int | np.integer):
        return f"{int(v):,}", True
    if isinstance(v, float | np.floating):
        if v != v:
            return "", True
        if col.endswith("_usd") or "objective" in col:
            return f"{v / 1e6:,.1f}", True
        if "utilisation" in col:
            return f"{100 * v:,.0f} %", True
        if "hhi" in col:
            return f"{v:,.0f}", True
        return f"{v:,.2f}", True
    if isinstance(v, tuple | list):
        return " → ".join(map(str, v)), False
    if isinstance(v, dict):
        return ", ".join(f"{k} {x}" for k, x in v.items()), False
    return str(v), False


def table_html(frame: pd.DataFrame, *, max_rows: int = 500, empty: str = "none") -> str:
    """An escaped HTML table of a frame (named index included); USD totals in millions."""
    df = frame
    if df.index.name is not None or isinstance(df.index, pd.MultiIndex):
        df = df.reset_index()
    if not len(df):
        return f'<p class="empty">{_e(empty)}</p>'
    cols = [str(c) for c in df.columns]
    numeric = {
        c: pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns
    }
    head = "".join(
        f'<th class="num">{_e(_header(c))}</th>' if numeric[c0] else f"<th>{_e(_header(c))}</th>"
        for c, c0 in zip(cols, df.columns, strict=True)
    )
    rows = []
    for rec in df.head(max_rows).itertuples(index=False):
        cells = []
        for c, v in zip(cols, rec, strict=True):
            text, num = _fmt(v, c)
            cells.append(f'<td class="num">{_e(text)}</td>' if num else f"<td>{_e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (
        f'<p class="note">{len(df) - max_rows} more rows not shown (see the CSV export).</p>'
        if len(df) > max_rows
        else ""
    )
    return (
        f'<div class="scroll"><table class="data"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}"
    )


def _header(col: str) -> str:
    """A readable column header with its unit: ``mt_per_year_a`` -> ``Mt/yr A``."""
    c = col.replace("mt_per_year", "Mt/yr").replace("usd_per_t", "USD/t")
    for suffix, text in (("_usd", " (M USD/yr)"), ("_pct", " (%)"), ("_a", " A"), ("_b", " B")):
        if c.endswith(suffix):
            c = c[: -len(suffix)] + text
    return c.replace("_", " ")


def _summary_cards(side: Side, base: Side | None) -> str:
    s = side.plan.summary()
    b = base.plan.summary() if base is not None else None
    # the last field: +1 if a rise is worse (red), -1 if a fall is worse, 0 neutral
    items = [
        ("Economic cost", "economic_cost_usd", 1e-9, "bn USD/yr", "{:,.2f}", 1),
        ("Unmet demand", "unmet_mt_per_year", 1.0, "Mt/yr", "{:,.2f}", 1),
        ("Shut-in output", "shut_in_mt_per_year", 1.0, "Mt/yr", "{:,.2f}", 1),
        ("Delivered to refineries", "delivered_mt_per_year", 1.0, "Mt/yr", "{:,.1f}", -1),
        ("Average delivered cost", "average_delivered_cost_usd_per_t", 1.0, "USD/t", "{:,.1f}", 1),
        ("Sold to world markets", "sold_to_markets_mt_per_year", 1.0, "Mt/yr", "{:,.1f}", 0),
        ("Binding links", "bottlenecks", 1.0, "", "{:,.0f}", 1),
    ]
    cards = []
    for label, key, scale, unit, f, worse_if in items:
        v = float(s[key]) * scale
        delta = ""
        if b is not None:
            d = v - float(b[key]) * scale
            sign = worse_if * (1 if d > 1e-9 else -1 if d < -1e-9 else 0)
            cls = "worse" if sign > 0 else "better" if sign < 0 else ""
            delta = (
                f'<div class="d">{_e(base.label if base else "")}: {_e(f.format(float(b[key]) * scale))} · '
                f'<span class="{cls}">Δ {_e(("+" if d >= 0 else "") + f.format(d))}</span></div>'
            )
        cards.append(
            f'<div class="card"><div class="k">{_e(label)}</div>'
            f'<div class="v">{_e(f.format(v))} <small>{_e(unit)}</small></div>{delta}</div>'
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _flows_table(plan: Plan, network: Network) -> pd.DataFrame:
    lf = plan.link_flows
    lf = lf[lf["mt_per_year"] > 1e-6].sort_values("mt_per_year", ascending=False)
    out = lf[
        ["from", "to", "mode", "mt_per_year", "capacity_mt_per_year", "utilisation", "shadow_price_usd_per_t"]
    ]
    out = out.assign(countries=network.links["countries"].reindex(out.index).to_numpy())
    return out


def _deltas(a: Side, b: Side) -> dict[str, pd.DataFrame]:
    """Per-refinery cost and volume changes, changed link flows and unmet, B minus A."""
    from crudeflow.analysis.compare import compare_plans

    c = compare_plans(a.plan, b.plan, b.network)
    return {"refineries": c.refineries, "flows": c.flows, "unmet": c.unmet, "concentration": c.concentration}


def _as_side(obj: PlanInput, network: Network, label: str | None = None) -> Side:
    if isinstance(obj, Side):
        return obj
    if isinstance(obj, tuple):
        p, n = obj
        return Side(p, n, label or str(p.scenario))
    return Side(obj, network, label or str(obj.scenario))


def _stress_ranking(stress: StressResult | pd.DataFrame | None) -> pd.DataFrame | None:
    if stress is None:
        return None
    return stress.ranking if isinstance(stress, StressResult) else stress


def build_report(
    plan: PlanInput,
    network: Network,
    *,
    compare: PlanInput | None = None,
    stress: StressResult | pd.DataFrame | None = None,
    stress_note: str | None = None,
    title: str | None = None,
    holdout: HoldoutResult | None = None,
    backtest_summary: BacktestSummary | None = None,
) -> str:
    """The report as one HTML string that works with no network access.

    ``plan`` was solved on ``network``. ``compare`` is the reference plan (e.g. the base
    case) — a ``Plan`` (same network), a ``(Plan, Network)`` pair or a :class:`Side` —
    shown on the left with every delta taken as ``plan`` minus ``compare``. ``stress``
    is a ``StressResult`` (or its ranking frame) from ``crudeflow.analysis``; when None,
    ``stress_note`` (if given) explains why the section is missing. A plan over periods
    gets a time-series section; ``holdout`` (``crudeflow.analysis.holdout``) adds the
    days-of-cover ranking of its importers; ``backtest_summary`` (``backtest --all``) adds
    the table of every year to the back-test section.
    """
    from crudeflow.report import figures

    main = _as_side(plan, network)
    base = _as_side(compare, network) if compare is not None else None
    sides = [base, main] if base is not None else [main]
    net_name = network.meta.title or network.meta.name
    year = f"base year {network.meta.base_year}"
    page_title = title or (
        f"crudeflow — {main.label} vs {base.label}" if base is not None else f"crudeflow — {main.label}"
    )
    subtitle = (
        f"Dataset {net_name}{'' if year in net_name else f' ({year})'} · least-cost plan solved with HiGHS · "
        f"volumes in Mt/yr, costs in USD/t · generated {dt.date.today().isoformat()}"
    )
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, html)

    # summary
    note = (
        f'<p class="note">Scenario <b>{_e(main.label)}</b>; deltas are against <b>{_e(base.label)}</b>.</p>'
        if base is not None
        else f'<p class="note">Scenario <b>{_e(main.label)}</b> ({_e(main.plan.status)}).</p>'
    )
    sections.append(("summary", "Summary", note + _summary_cards(main, base)))

    def pair(make: Any, prefix: str, layout: str = "pair") -> str:
        """One figure per side: side by side (``pair``) or one above the other (``stack``)."""
        if base is None:
            return str(make(main, f"{prefix}-0"))
        cells = "".join(f"<div>{make(s, f'{prefix}-{i}')}</div>" for i, s in enumerate(sides))
        return f'<div class="{layout}">{cells}</div>'

    def map_html(s: Side, div: str) -> str:
        fig = figures.map_figure(s.plan, s.network, title=f"Crude flows — {s.label}", width_hint_px=1250)
        return _fig_html(fig, div)

    map_note = (
        '<p class="note">Links coloured by mode, line width proportional to the square root of the '
        "flow; tanker legs follow their sea route; dashed grey = disabled, red halo = at capacity; "
        "idle links are hidden (click <i>Idle</i> in the legend to show them). An <i>off map</i> "
        "circle marks where a route from a place beyond the frame enters it. Hover a link's middle "
        "for capacity, flow, tariff and shadow price. Scroll to zoom, drag to pan. Outlines: Natural "
        "Earth (public domain).</p>"
    )
    if base is not None:
        change = _fig_html(figures.change_map_figure(base.plan, main.plan, main.network), "map-change")
        sections.append((
            "moves", "What moves",
            f'<p class="note">Change in each link\'s flow, {_e(main.label)} minus {_e(base.label)}: '
            "blue carries more, red less; width grows with the square root of the change. Hover a "
            "link's middle for both flows.</p>" + change,
        ))  # fmt: skip
    sections.append(("map", "Network map", map_note + pair(map_html, "map", "stack")))

    def sankey_html(s: Side, div: str) -> str:
        return _fig_html(
            figures.sankey_figure(s.plan, s.network, title=f"Origin → transit → destination — {s.label}"), div
        )

    sections.append((
        "sankey", "Who supplies whom, through whom",
        '<p class="note">Every unit of crude from its origin country, through the countries it '
        "crosses, to the importing country and refinery (or a world-market outlet), from the plan's "
        "path decomposition.</p>" + pair(sankey_html, "sankey"),
    ))  # fmt: skip

    def cost_html(s: Side, div: str) -> str:
        return _fig_html(
            figures.cost_figure(s.plan, s.network, title=f"Delivered cost per refinery — {s.label} (USD/t)"),
            div,
        )

    cost_body = pair(cost_html, "cost")
    if base is not None:
        cost_body += _fig_html(figures.cost_delta_figure(base.plan, main.plan, main.network), "cost-delta")
    sections.append(("costs", "Delivered cost per refinery", cost_body))

    over_time = figures.periods_figure(main.plan, title=f"Over time — {main.label}")
    if over_time is not None:
        sections.append((
            "time", "Over time",
            '<p class="note">Per period: stock levels of every tank with crude in it, the links whose '
            "flow changes most between periods, and unmet demand by refinery.</p>"
            + _fig_html(over_time, "time-series"),
        ))  # fmt: skip
    if holdout is not None:
        sections.append(("holdout", "Days of cover", _holdout_html(holdout)))

    # tables
    if base is not None:
        d = _deltas(base, main)
        legend = f'<p class="note">A = {_e(base.label)}, B = {_e(main.label)}; Δ = B − A.</p>'
        changes = (
            legend
            + "<h3>Per refinery</h3>"
            + table_html(d["refineries"])
            + "<h3>Changed link flows (Mt/yr)</h3>"
            + table_html(d["flows"], empty="no link flow changes")
            + "<h3>Unmet demand</h3>"
            + table_html(d["unmet"], empty="no unmet demand in either plan")
            + "<h3>Supply concentration (HHI, 10,000 = a single source)</h3>"
            + table_html(d["concentration"])
        )
        sections.append(("changes", "What changes", changes))

    def tables(s: Side) -> str:
        p = s.plan
        unmet = table_html(p.unmet, empty="all demand met")
        out = "<h3>Unmet demand and why</h3>" + unmet
        if len(p.shut_in):
            out += "<h3>Fixed output that cannot be placed</h3>" + table_html(p.shut_in)
        out += "<h3>Bottlenecks (binding links; shadow price = value of one more tonne of capacity)</h3>"
        out += table_html(p.bottlenecks, empty="no binding links")
        out += "<h3>Link flows</h3>" + table_html(_flows_table(p, s.network), empty="no flows")
        cost_cols = ["country", "demand_mt_per_year", "delivered_mt_per_year", "unmet_mt_per_year",
                     "price_usd_per_t", "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t",
                     "delivered_cost_usd_per_t"]  # fmt: skip
        out += "<h3>Delivered cost per refinery</h3>" + table_html(p.costs[cost_cols])
        out += "<h3>Deliveries by grade and origin</h3>" + table_html(p.deliveries)
        return out

    if base is None:
        sections.append(("tables", "Tables", tables(main)))
    else:
        cols = "".join(f"<div><h3>{_e(s.label)}</h3>{tables(s)}</div>" for s in sides)
        sections.append(("tables", "Tables", f'<div class="stack">{cols}</div>'))

    from crudeflow.report.backtest import backtest_section

    back = backtest_section(main.plan, main.network, _fig_html, table_html, backtest_summary)
    if back is not None:
        sections.append(("backtest", "Back-test: observed vs model", back))

    ranking = _stress_ranking(stress)
    if ranking is not None:
        body = (
            '<p class="note">Each link taken out alone (N-1) and the plan re-solved: the added system '
            "cost and unmet demand, most critical first.</p>"
        )
        body += _fig_html(figures.stress_figure(ranking), "stress-chart")
        show = ranking.drop(columns=[c for c in ("columns",) if c in ranking.columns])
        body += table_html(show.head(50))
        sections.append(("stress", "Criticality ranking (N-1)", body))
    elif stress_note:
        sections.append(("stress", "Criticality ranking (N-1)", f'<p class="note">{_e(stress_note)}</p>'))

    body = "\n".join(
        f'<section id="{a}"><h2>{_e(h)}</h2>\n{content}\n</section>' for a, h, content in sections
    )
    nav = " ".join(f'<a href="#{a}">{_e(h)}</a>' for a, h, _ in sections)
    n_src = len(network.sources)
    footer = (
        f"<p>Made with crudeflow. Dataset {_e(net_name)}: {n_src} cited sources (see the dataset's "
        "sources.csv). Country outlines: Natural Earth 1:110m (public domain). Charts: plotly.js (MIT), "
        "inlined — this file needs no network connection.</p>"
    )
    return PAGE.substitute(
        title=_e(page_title),
        subtitle=_e(subtitle),
        nav=nav,
        css=_static("report.css"),
        plotlyjs=_plotly_js(),
        body=body,
        footer=footer,
    )


def _holdout_html(res: HoldoutResult) -> str:
    """Days-of-cover section: per importer, the chart with the horizon, the ranking, the worst case."""
    from crudeflow.report import figures

    stock = "stock obligations may be drawn" if res.stock_draw else "stock obligations kept"
    out = (
        f'<p class="note">From the loss on {_e(res.start)}, {res.horizon_days} days of {_e(res.step)}s, '
        f"{stock}. Rule: {_e(res.rule)}. See docs/holdout.md.</p>"
    )
    for i, imp in enumerate(dict.fromkeys(res.ranking["importer"])):
        rk = res.ranking[res.ranking["importer"] == imp]
        out += f"<h3>{_e(imp)}</h3>"
        out += _fig_html(figures.holdout_figure(res.ranking, str(imp), res.horizon_days), f"holdout-{i}")
        cols = ["rank", "case", "days_of_cover", "beyond_horizon", "first_short_date", "unmet_mt",
                "stock_drawn_mt", "drawn_from"]  # fmt: skip
        out += table_html(rk[~rk["skipped"]][cols].head(30))
        worst = [c for c in rk["case"] if c != "(no loss)" and c in set(res.series["case"])]
        if worst:
            fig = figures.holdout_series_figure(res.series, str(imp), str(worst[0]))
            out += _fig_html(fig, f"holdout-series-{i}")
    return out


def write_report(
    path: str | Path,
    plan: PlanInput,
    network: Network,
    *,
    compare: PlanInput | None = None,
    stress: StressResult | pd.DataFrame | None = None,
    stress_note: str | None = None,
    title: str | None = None,
    holdout: HoldoutResult | None = None,
    backtest_summary: BacktestSummary | None = None,
) -> Path:
    """Write :func:`build_report` to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = build_report(
        plan, network, compare=compare, stress=stress, stress_note=stress_note, title=title, holdout=holdout,
        backtest_summary=backtest_summary,
    )  # fmt: skip
    out.write_text(text, encoding="utf-8")
    return out
