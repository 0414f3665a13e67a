"""Back-test: each observed row of ``observed.csv`` against the plan, pass/fail by its tolerance.

An observed row says how the model measures it, in columns (``measure``, ``links``,
``origins``, ``grades``, ``importer``, ``exporter``): here that becomes a weight per LP
column (flow, supply or refinery run; ``crudeflow.optimize.observed``), so the model's
figure is a dot product with the plan's volumes. The same weights are the rows the
calibration adds to the LP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crudeflow._types import TOL_ZERO, JSONDict
from crudeflow.model.network import Network
from crudeflow.optimize.observed import Weights, period_fraction, weights
from crudeflow.results.plan import Plan
from crudeflow.results.tables import JSONResult, records

__all__ = [
    "Backtest",
    "Weights",
    "measure_plan",
    "observed_records",
    "period_fraction",
    "plan_columns",
    "weights",
]

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


def measure_plan(plan: Plan, net: Network, *, year: int | None = None, calibrated: bool = False) -> Backtest:
    """Score a solved plan (Mt/yr, solved on ``net``) against ``net``'s observed rows of ``year``.

    ``year`` defaults to the network's base year.
    """
    yr = int(year if year is not None else net.meta.base_year)
    flows, supply, consume = plan_columns(plan)
    x = {k: f["mt_per_year"].to_numpy(float) for k, f in (("flow", flows), ("supply", supply),
                                                          ("consume", consume))}  # fmt: skip
    recs = observed_records(net, yr)
    out = []
    for r in recs:
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
    other = net.observed[net.observed["year"] != yr]["year"].value_counts().sort_index()
    return Backtest(
        scenario=str(plan.scenario),
        year=yr,
        calibrated=calibrated,
        rows=rows,
        by_year=_scores(rows, "year"),
        by_role=_scores(rows, "role"),
        not_measured={int(k): int(v) for k, v in other.items()},
    )
