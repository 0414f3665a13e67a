"""Back-test: each observed row of ``observed.csv`` against the plan, pass/fail by its tolerance.

An observed row says how the model measures it, in columns (``measure``, ``links``,
``origins``, ``grades``, ``importer``, ``exporter``): here that becomes a weight per LP
column (flow, supply or refinery run; ``crudeflow.optimize.observed``), so the model's
figure is a dot product with the plan's volumes. The same weights are the rows the
calibration adds to the LP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crudeflow._types import TOL_ZERO, JSONDict
from crudeflow.model.network import Network
from crudeflow.model.scenario import Scenario
from crudeflow.optimize.observed import Weights, period_fraction, weights
from crudeflow.results.plan import Plan
from crudeflow.results.tables import JSONResult, records

__all__ = [
    "Backtest",
    "BacktestSummary",
    "Weights",
    "backtest_all_scenarios",
    "historical_scenarios",
    "measure_plan",
    "observed_records",
    "period_fraction",
    "plan_columns",
    "scenario_year",
    "weights",
]

_PERIOD_TEXT = re.compile(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})")

ROW_COLUMNS = [
    "id", "quantity", "year", "period", "role", "measure", "observed", "model", "unit", "tolerance",
    "deviation", "ok", "source",
]  # fmt: skip


def observed_records(net: Network, year: int | None = None) -> list[dict[str, Any]]:
    """The observed rows (of ``year`` if given) as records with their id."""
    obs = net.observed
    if year is not None:
        obs = obs[obs["year"] == year]
    return [dict(r, id=str(i)) for i, r in zip(obs.index, obs.to_dict(orient="records"), strict=True)]


@dataclass(frozen=True)
class Backtest(JSONResult):
    """Observed vs model for each observed row of the plan's year, with scores.

    ``rows``: one per observation (``observed`` and ``model`` in the row's ``unit``,
    ``deviation`` = model − observed, ``ok`` = within ``tolerance``); ``by_year`` and
    ``by_role``: rows, passed and ``score_pct`` (share passed, %); ``not_measured``: rows
    of other years per year (the plan measures its own year only).
    """

    scenario: str
    year: int
    calibrated: bool
    rows: pd.DataFrame
    by_year: pd.DataFrame
    by_role: pd.DataFrame
    not_measured: dict[int, int] = field(default_factory=dict)

    def score(self, role: str | None = None) -> float:
        """Share of rows passed (%), all rows or one role's; NaN when there are none."""
        r = self.rows if role is None else self.rows[self.rows["role"] == role]
        return 100.0 * float(r["ok"].mean()) if len(r) else float("nan")

    def to_dict(self) -> JSONDict:
        """The JSON document: rows (quantity, year, role, observed, model, unit, tolerance, ok)."""
        return {
            "scenario": self.scenario,
            "year": self.year,
            "calibrated": self.calibrated,
            "rows": records(self.rows),
            "by_year": records(self.by_year),
            "by_role": records(self.by_role),
            "not_measured": {str(k): int(v) for k, v in self.not_measured.items()},
        }


def _scores(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    g = rows.groupby(key)["ok"]
    out = pd.DataFrame({"rows": g.size(), "passed": g.sum().astype(int)})
    out["score_pct"] = 100.0 * out["passed"] / out["rows"]
    return out


def plan_columns(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A plan's flows, supply and runs as (labels + ``mt_per_year``) frames, for ``weights``."""
    flows = plan.flows[["link", "from", "to", "grade", "mt_per_year"]].reset_index(drop=True)
    supply = plan.supply.reset_index()[["node", "grade", "mt_per_year"]]
    consume = plan.deliveries.rename(columns={"refinery": "node"})[["node", "grade", "mt_per_year"]]
    return flows, supply, consume.reset_index(drop=True)


_Cols = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
_FLOW_KEY = ["link", "from", "to", "grade"]
_NODE_KEY = ["node", "grade"]


def observation_window(rec: Mapping[str, Any]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day an observed row covers: its ``period`` (``YYYY-MM..YYYY-MM``) or its year."""
    m = _PERIOD_TEXT.fullmatch(str(rec.get("period") or ""))
    if m is None:
        y = int(rec["year"])
        return pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 31)
    y1, m1, y2, m2 = (int(g) for g in m.groups())
    return pd.Timestamp(y1, m1, 1), pd.Timestamp(y2, m2, 1) + pd.offsets.MonthEnd(0)


def window_columns(plan: Plan, start: pd.Timestamp, end: pd.Timestamp) -> _Cols | None:
    """A period plan's columns over one window as annual rates (``mt_per_year``), or None.

    The volumes (``mt``) of the periods whose middle day lies in the window are summed per
    column and divided by the window's length in years (months / 12, as ``period_fraction``
    reads a row's period), so ``weights`` reads them as it reads an annual plan. None when
    the plan's periods do not cover the window (less than 97 % of its days): the plan
    cannot express the row.
    """
    cal = plan.periods
    first = pd.to_datetime(cal["start"])
    last = pd.to_datetime(cal["end"])
    mid = first + (last - first) / 2
    inside = ((mid >= start) & (mid <= end)).to_numpy()
    days = float(cal["days"].to_numpy(float)[inside].sum())
    if days < 0.97 * ((end - start).days + 1):
        return None
    labels = set(cal["label"].astype(str).to_numpy()[inside])
    years = ((end.year - start.year) * 12 + end.month - start.month + 1) / 12.0

    def rate(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
        sel = frame[frame["period"].astype(str).isin(labels)]
        out = sel.groupby(key, sort=False, as_index=False)["mt"].sum()
        return out.assign(mt_per_year=out["mt"] / years)[[*key, "mt_per_year"]]

    flows = rate(plan.flows.reset_index(drop=True), _FLOW_KEY)
    supply = rate(plan.supply.reset_index(), _NODE_KEY)
    consume = rate(plan.deliveries.rename(columns={"refinery": "node"}).reset_index(drop=True), _NODE_KEY)
    return flows, supply, consume


def plan_years(plan: Plan) -> list[int]:
    """The calendar years a plan's periods touch (empty for an annual plan)."""
    if len(plan.periods) == 0:
        return []
    first = pd.to_datetime(plan.periods["start"])
    last = pd.to_datetime(plan.periods["end"])
    return list(range(int(first.min().year), int(last.max().year) + 1))


def measure_plan(plan: Plan, net: Network, *, year: int | None = None, calibrated: bool = False) -> Backtest:
    """Score a solved plan (solved on ``net``) against ``net``'s observed rows of ``year``.

    ``year`` defaults to the network's base year (an annual plan; a scenario's
    ``prices_year`` makes it that year) or the first year of the plan's periods. A plan
    over periods measures each row from the periods its window covers (``window_columns``);
    a row outside the horizon is counted in ``not_measured``.
    """
    years = plan_years(plan)
    yr = int(year if year is not None else (years[0] if years else net.meta.base_year))
    recs = observed_records(net, yr)
    out = []
    skipped = 0
    cache: dict[tuple[pd.Timestamp, pd.Timestamp], _Cols | None] = {}
    annual = None if years else plan_columns(plan)
    for r in recs:
        win = observation_window(r)
        if annual is None and win not in cache:
            cache[win] = window_columns(plan, *win)
        got = annual if annual is not None else cache[win]
        if got is None:
            skipped += 1
            continue
        flows, supply, consume = got
        x = {"flow": flows["mt_per_year"].to_numpy(float), "supply": supply["mt_per_year"].to_numpy(float),
             "consume": consume["mt_per_year"].to_numpy(float)}  # fmt: skip
        model = weights(r, net, flows, supply, consume).value(x)
        dev = model - float(r["value"])
        out.append({
            "id": r["id"], "quantity": r["quantity"], "year": int(r["year"]), "period": r["period"] or "",
            "role": r["role"], "measure": r["measure"], "observed": float(r["value"]), "model": model,
            "unit": r["unit"], "tolerance": float(r["tolerance"]), "deviation": dev,
            "ok": bool(np.isfinite(dev) and abs(dev) <= float(r["tolerance"]) + TOL_ZERO),
            "source": r["source"],
        })  # fmt: skip
    rows = pd.DataFrame(out, columns=ROW_COLUMNS)
    rows["ok"] = rows["ok"].astype(bool)
    other = net.observed[net.observed["year"] != yr]["year"].value_counts()
    if skipped:
        other.loc[yr] = other.get(yr, 0) + skipped
    other = other.sort_index()
    return Backtest(
        scenario=str(plan.scenario),
        year=yr,
        calibrated=calibrated,
        rows=rows,
        by_year=_scores(rows, "year"),
        by_role=_scores(rows, "role"),
        not_measured={int(k): int(v) for k, v in other.items()},
    )


def scenario_year(scenario: Scenario) -> int | None:
    """The year a scenario plans: its ``prices_year``, else the first year of its periods, else None."""
    if scenario.prices_year is not None:
        return int(scenario.prices_year)
    if scenario.periods is not None and len(scenario.periods):
        return int(pd.to_datetime(scenario.periods["start"]).min().year)
    return None


def historical_scenarios(net: Network) -> list[Scenario]:
    """The shipped scenarios on ``net``'s dataset that plan another year with observed rows.

    A scenario qualifies when its ``base`` is the dataset (or unset), it plans a year
    (``scenario_year``) other than the base year, and ``observed.csv`` has rows of that year.
    """
    from crudeflow.io.scenario import read_scenario, shipped_scenarios

    years = set(net.observed["year"].astype(int)) if len(net.observed) else set()
    out = []
    for name in shipped_scenarios():
        sc = read_scenario(name, defer=True)
        yr = scenario_year(sc)
        if (
            sc.base in (None, net.meta.name)
            and yr is not None
            and yr != int(net.meta.base_year)
            and yr in years
        ):
            out.append(sc)
    return sorted(out, key=lambda s: (scenario_year(s) or 0, s.name))


SUMMARY_COLUMNS = [
    "year", "scenario", "role", "rows", "passed", "score_pct", "passed_calibrated", "score_calibrated_pct",
    "misses",
]  # fmt: skip
MAX_MISSES = 3
"""Misses named per (scenario, role) in the summary, largest relative deviation first."""


def _misses(bt: Backtest, role: str) -> str:
    """The rows of ``role`` that miss, largest deviation (in tolerances) first: ``id model/observed``."""
    r = bt.rows[(bt.rows["role"] == role) & ~bt.rows["ok"]]
    if len(r) == 0:
        return ""
    size = (r["deviation"].abs() / r["tolerance"]).fillna(np.inf)
    r = r.assign(size=size).sort_values("size", ascending=False, kind="stable")
    parts = [f"{x.id} {x.model:,.3g}/{x.observed:,.3g}" for x in r.head(MAX_MISSES).itertuples()]
    more = len(r) - MAX_MISSES
    return "; ".join(parts) + (f"; +{more} more" if more > 0 else "")


@dataclass(frozen=True)
class BacktestSummary(JSONResult):
    """The back-test of the base year and of every historical scenario, uncalibrated and calibrated.

    ``table``: one row per (year, scenario, role) with the rows measured, passed and score
    (%) of the uncalibrated plan and of the calibrated one (NaN without frictions), and
    ``misses``: the calibrated plan's missed rows (uncalibrated without frictions) as
    ``id model/observed``, largest miss first. ``runs``: each plan's ``Backtest`` pair.
    """

    dataset: str
    table: pd.DataFrame
    runs: tuple[tuple[Backtest, Backtest | None], ...]

    def to_dict(self) -> JSONDict:
        """The JSON document: the summary table and every row of every run."""
        return {
            "dataset": self.dataset,
            "table": records(self.table),
            "runs": [
                {"uncalibrated": a.to_dict(), "calibrated": None if b is None else b.to_dict()}
                for a, b in self.runs
            ],
        }


def backtest_all_scenarios(net: Network, scenarios: Sequence[Scenario] | None = None) -> BacktestSummary:
    """Plan the base and each scenario (default: ``historical_scenarios``), with and without frictions.

    Each plan is scored on its own year's rows (``measure_plan``); the calibrated plans use
    the dataset's ``frictions.csv`` (the base year's calibration) unchanged.
    """
    from crudeflow.results.solve import solve_plan

    scs = historical_scenarios(net) if scenarios is None else list(scenarios)
    cal = len(net.frictions) > 0
    runs: list[tuple[Backtest, Backtest | None]] = []
    for sc in [None, *scs]:
        n = net if sc is None else sc.apply(net)
        name = "base" if sc is None else sc.name
        plain = measure_plan(solve_plan(n, name), n)
        runs.append(
            (plain, measure_plan(solve_plan(n, name, calibrated=True), n, calibrated=True) if cal else None)
        )
    out = []
    for plain, calib in runs:
        for role, s in plain.by_role.iterrows():
            c = calib.by_role.loc[role] if calib is not None else None
            out.append({
                "year": plain.year, "scenario": plain.scenario, "role": role, "rows": int(s["rows"]),
                "passed": int(s["passed"]), "score_pct": float(s["score_pct"]),
                "passed_calibrated": int(c["passed"]) if c is not None else None,
                "score_calibrated_pct": float(c["score_pct"]) if c is not None else float("nan"),
                "misses": _misses(calib if calib is not None else plain, str(role)),
            })  # fmt: skip
    table = pd.DataFrame(out, columns=SUMMARY_COLUMNS)
    return BacktestSummary(dataset=net.meta.name, table=table, runs=tuple(runs))
