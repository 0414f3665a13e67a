"""The report's back-test section: observed vs model per observed row, with tolerance bars.

Rows carry different units (Mt/yr, Mt in a period, million bbl/yr, %), so the chart puts
each on its own scale: 100 = the observed figure, the bar = ± its tolerance, the dot = the
model. The table beside it gives the figures in their own units.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crudeflow.analysis.backtest import Backtest, BacktestSummary, measure_plan
from crudeflow.model.network import Network
from crudeflow.report.figures import FONT
from crudeflow.results.plan import Plan


def backtest_figure(bt: Backtest, *, height: int | None = None) -> go.Figure:
    """Observed (100, with ± tolerance as an error bar) and model, in % of the observed figure."""
    r = bt.rows.iloc[::-1]
    obs = r["observed"].to_numpy(float)
    base = np.where(obs > 0, obs, 1.0)
    tol = 100.0 * r["tolerance"].to_numpy(float) / base
    model = 100.0 * r["model"].to_numpy(float) / base
    labels = [f"{i} ({role})" for i, role in zip(r["id"], r["role"], strict=True)]
    ok = r["ok"].to_numpy(bool)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            y=labels, x=np.full(len(r), 100.0), mode="markers", name="Observed ± tolerance",
            marker={"color": "#555", "size": 8, "symbol": "line-ns-open"},
            error_x={"type": "data", "array": tol, "color": "#888", "thickness": 6, "width": 0},
            customdata=np.column_stack([obs, r["tolerance"].to_numpy(float), r["unit"].to_numpy(str)]),
            hovertemplate="%{y}<br>observed %{customdata[0]:,.3f} ± %{customdata[1]:,.3f} "
            "%{customdata[2]}<extra></extra>",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            y=labels, x=model, mode="markers", name="Model",
            marker={"color": np.where(ok, "#2e7d32", "#c62828").tolist(), "size": 11, "symbol": "diamond",
                    "line": {"color": "white", "width": 1}},
            customdata=np.column_stack([r["model"].to_numpy(float), r["unit"].to_numpy(str)]),
            hovertemplate="%{y}<br>model %{customdata[0]:,.3f} %{customdata[1]}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title={"text": f"Observed vs model, {bt.year} (green = within tolerance, red = outside)",
               "x": 0.01, "xanchor": "left", "font": {"size": 17}},
        font={"family": FONT, "size": 12, "color": "#222"},
        height=height or 150 + 26 * len(r), paper_bgcolor="white", plot_bgcolor="white",
        xaxis={"title": "% of the observed figure (100 = observed)", "gridcolor": "#eee",
               "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.15, "x": 0, "yanchor": "top"},
        margin={"l": 10, "r": 20, "t": 50, "b": 80},
    )  # fmt: skip
    return fig


def summary_html(summary: BacktestSummary, table_html: Callable[[pd.DataFrame], str]) -> str:
    """The back-test of every year (``backtest --all``) as a table with a note."""
    note = (
        '<h3>Every year the dataset can express</h3><p class="note">The base year and each '
        "historical scenario, planned without and with the base year's calibration frictions, "
        "scored on the observed rows of its own year (all rows of other years are holdout). "
        "Misses: the calibrated plan's rows outside their tolerance, model/observed, largest "
        "first.</p>"
    )
    return note + table_html(summary.table)


def backtest_section(
    plan: Plan,
    network: Network,
    fig_html: Callable[[go.Figure, str], str],
    table_html: Callable[[pd.DataFrame], str],
    summary: BacktestSummary | None = None,
) -> str | None:
    """The section's HTML, or None when the network has no observed rows of the plan's year.

    ``summary`` (``analysis.backtest.backtest_all_scenarios``) adds the table of every year.
    """
    if len(network.observed) == 0:
        return None
    bt = measure_plan(plan, network)
    if len(bt.rows) == 0:
        return summary_html(summary, table_html) if summary is not None else None
    score = ", ".join(
        f"{role} {int(s.passed)}/{int(s.rows)} ({s.score_pct:.0f} %)" for role, s in bt.by_role.iterrows()
    )
    note = (
        f'<p class="note">Each observed row of observed.csv for {bt.year}, measured in the plan the '
        "way its columns say. Passed: " + score + ". Tolerances were set from each source's "
        "precision before any calibration.</p>"
    )
    cols = ["id", "quantity", "role", "observed", "model", "tolerance", "unit", "ok", "source"]
    html = note + fig_html(backtest_figure(bt), "backtest-chart") + table_html(bt.rows[cols])
    html += frictions_html(network, plan, table_html) or ""
    return html + (summary_html(summary, table_html) if summary is not None else "")


FRICTION_REPORT = ["observation", "corridor", "links", "kind", "friction_usd_per_t", "threshold_mt_per_year",
                   "dual_usd_per_t", "uncalibrated", "target", "unit", "note"]  # fmt: skip
"""Columns of the report's frictions table."""


def frictions_html(network: Network, plan: Plan, table_html: Callable[[pd.DataFrame], str]) -> str | None:
    """The frictions (frictions.csv, largest first) and calibrated scores beside uncalibrated ones.

    None when the dataset has no frictions.
    """
    if len(network.frictions) == 0:
        return None
    from crudeflow.results.solve import solve_plan

    plain = measure_plan(plan, network)
    cal = measure_plan(solve_plan(network, str(plan.scenario), calibrated=True), network, calibrated=True)
    scores = plain.by_role.assign(
        passed_calibrated=cal.by_role["passed"], score_calibrated_pct=cal.by_role["score_pct"]
    )
    note = (
        '<h3>Calibration frictions</h3><p class="note">Per-tonne frictions on observed corridors '
        "(frictions.csv, from <code>crudeflow calibrate</code>) that make the calibrate rows optimal: "
        "a pull is a discount on the corridor's volume up to the threshold, a push a surcharge above "
        "it; the dual is the shadow price of the observation's band, the evidence for the size. Tens "
        "of USD/t can be contract terms or quality premiums; hundreds say the data is wrong. "
        "Calibrated plans (<code>--calibrated</code>) add them as a cost of their own; this report's "
        "plan does not. Scores with and without them:</p>"
    )
    fr = network.frictions.reset_index()
    return note + table_html(scores) + table_html(fr[["id", *FRICTION_REPORT]])
