"""Back-test: each observed row of ``observed.csv`` against the plan, pass/fail by its tolerance.

An observed row says how the model measures it, in columns (``measure``, ``links``,
``origins``, ``grades``, ``importer``, ``exporter``): here that becomes a weight per LP
column (flow, supply or refinery run), so the model's figure is a dot product with the
plan's volumes. The same weights are the rows the calibration adds to the LP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import TOL_ZERO, FArray, JSONDict
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan
from crudeflow.results.tables import JSONResult, records
from crudeflow.units import mt_to_million_bbl

_PERIOD = re.compile(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})")
"""Slack on the pass test, so a figure exactly at the band's edge passes (Mt/yr or %)."""

ROW_COLUMNS = [
    "id", "quantity", "year", "period", "role", "measure", "observed", "model", "unit", "tolerance",
    "deviation", "ok", "source",
]  # fmt: skip


def period_fraction(period: str) -> float:
    """Share of a year that ``'YYYY-MM..YYYY-MM'`` covers (1.0 for an empty period)."""
    m = _PERIOD.fullmatch(str(period or ""))
    if m is None:
        return 1.0
    y1, m1, y2, m2 = (int(g) for g in m.groups())
    return ((y2 - y1) * 12 + m2 - m1 + 1) / 12.0


@dataclass(frozen=True)
class Weights:
    """How one observation reads the LP columns: ``num · x`` (``100 num·x / den·x`` for a share).

    Each mapping is keyed by column set (``flow``, ``supply``, ``consume``) with one weight
    per row of that set, in the observation's unit per Mt/yr.
    """

    num: dict[str, FArray]
    den: dict[str, FArray] | None = None

    def value(self, x: Mapping[str, FArray]) -> float:
        """The model's figure for volumes ``x`` (Mt/yr per column of each set)."""
        top = sum(float(w @ x[k]) for k, w in self.num.items())
        if self.den is None:
            return top
        bottom = sum(float(w @ x[k]) for k, w in self.den.items())
        return 100.0 * top / bottom if bottom > TOL_ZERO else float("nan")


def _origin(net: Network, grades: pd.Series) -> FArray:
    return np.asarray(net.grades["origin_country"].reindex(grades).to_numpy(dtype=object))


def _country(net: Network, nodes: pd.Series) -> FArray:
    return np.asarray(net.nodes["country"].reindex(nodes).to_numpy(dtype=object))


def _crude_mask(obs: Mapping[str, Any], net: Network, grades: pd.Series) -> npt.NDArray[np.bool_]:
    """Rows whose grade is in ``grades`` (if given) and whose origin is in ``origins`` (if given)."""
    keep = np.ones(len(grades), bool)
    if obs["grades"]:
        keep = keep & grades.isin(list(obs["grades"])).to_numpy()
    if obs["origins"]:
        keep = keep & np.isin(_origin(net, grades), list(obs["origins"]))
    return keep


def _scale(obs: Mapping[str, Any], net: Network, grades: pd.Series) -> FArray:
    """Observed units per Mt/yr of each row: 1, the period's share of a year, or bbl/t."""
    unit = obs["unit"]
    if unit == "million bbl/yr":
        bbl = net.grades["bbl_per_t"].reindex(grades).to_numpy(float)
        return np.asarray(mt_to_million_bbl(np.ones(len(grades)), bbl), float)
    if unit == "Mt":
        return np.full(len(grades), period_fraction(obs["period"]))
    return np.ones(len(grades))


def _exports(obs: Mapping[str, Any], net: Network, flows: pd.DataFrame) -> FArray:
    """1 on flows of the exporter's crude on arcs that leave its territory."""
    ex = obs["exporter"]
    leaves = (_country(net, flows["from"]) == ex) & (_country(net, flows["to"]) != ex)
    return np.asarray(leaves & (_origin(net, flows["grade"]) == ex), dtype=float)


def weights(
    obs: Mapping[str, Any],
    net: Network,
    flows: pd.DataFrame,
    supply: pd.DataFrame,
    consume: pd.DataFrame,
) -> Weights:
    """The weights of one observation over flow (link, from, to, grade), supply and run rows."""
    zf, zs, zc = np.zeros(len(flows)), np.zeros(len(supply)), np.zeros(len(consume))
    measure = obs["measure"]
    if measure == "link_flow":
        on = flows["link"].isin(list(obs["links"])).to_numpy() & _crude_mask(obs, net, flows["grade"])
        w = on * _scale(obs, net, flows["grade"])
        return Weights({"flow": w, "supply": zs, "consume": zc})
    if measure == "exports":
        w = _exports(obs, net, flows) * _scale(obs, net, flows["grade"])
        return Weights({"flow": w, "supply": zs, "consume": zc})
    if measure == "exporter_share":
        on = flows["link"].isin(list(obs["links"])).to_numpy() & (
            _origin(net, flows["grade"]) == obs["exporter"]
        )
        return Weights(
            {"flow": on.astype(float), "supply": zs, "consume": zc},
            {"flow": _exports(obs, net, flows), "supply": zs, "consume": zc},
        )
    if measure == "production":
        w = _crude_mask(obs, net, supply["grade"]) * _scale(obs, net, supply["grade"])
        return Weights({"flow": zf, "supply": w, "consume": zc})
    if measure == "origin_to_importer":
        imp = obs["importer"]
        at = (consume["node"] == imp).to_numpy() | (_country(net, consume["node"]) == imp)
        w = (at & _crude_mask(obs, net, consume["grade"])) * _scale(obs, net, consume["grade"])
        return Weights({"flow": zf, "supply": zs, "consume": w})
    msg = f"unknown measure {measure!r}"
    raise ValueError(msg)


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
