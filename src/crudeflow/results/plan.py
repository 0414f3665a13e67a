"""The Plan: every result frame keyed by the input ids, with summary, JSON and CSV output."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.optimize.build import Model
from crudeflow.optimize.status import SolveResult
from crudeflow.results.explain import explain_shut_in, explain_unmet
from crudeflow.results.paths import decompose, path_costs
from crudeflow.units import mt_to_t

TOL = 1e-6

FRAMES = (
    "flows", "link_flows", "deliveries", "costs", "prices", "bottlenecks", "unmet",
    "shut_in", "sales", "supply", "paths", "concentration", "contracts",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Plan:
    """A least-cost supply plan. Volumes Mt/yr, costs USD/t, totals USD/yr.

    Frames: ``flows`` (link × grade), ``link_flows`` (per link, with utilisation and
    shadow price), ``deliveries`` (refinery × grade × origin with delivered cost),
    ``costs`` (per refinery, broken down), ``prices`` (marginal price per node and
    grade), ``bottlenecks``, ``unmet`` (with reasons), ``shut_in`` (fixed output not
    placed), ``sales`` (world-market outlets), ``supply``, ``paths`` (origin → … →
    sink), ``concentration`` (HHI and shares per importing country), ``contracts``.
    """

    status: str
    objective_usd: float
    scenario: str
    flows: pd.DataFrame
    link_flows: pd.DataFrame
    deliveries: pd.DataFrame
    costs: pd.DataFrame
    prices: pd.DataFrame
    bottlenecks: pd.DataFrame
    unmet: pd.DataFrame
    shut_in: pd.DataFrame
    sales: pd.DataFrame
    supply: pd.DataFrame
    paths: pd.DataFrame
    concentration: pd.DataFrame
    contracts: pd.DataFrame
    solve_seconds: float = 0.0
    iterations: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Headline figures: objective, volumes delivered, unmet, average delivered cost."""
        runs = float(self.deliveries["mt_per_year"].sum())
        cost = float((self.deliveries["mt_per_year"] * self.deliveries["delivered_cost_usd_per_t"]).sum())
        return {
            "scenario": self.scenario,
            "status": self.status,
            "objective_usd": self.objective_usd,
            "delivered_mt_per_year": runs,
            "unmet_mt_per_year": float(self.unmet["mt_per_year"].sum()),
            "shut_in_mt_per_year": float(self.shut_in["mt_per_year"].sum()),
            "sold_to_markets_mt_per_year": float(self.sales["mt_per_year"].sum()),
            "average_delivered_cost_usd_per_t": cost / runs if runs else float("nan"),
            "refinery_cost_usd": mt_to_t(cost),
            "bottlenecks": len(self.bottlenecks),
            "solve_seconds": self.solve_seconds,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: status, objective, flows, deliveries, unmet, prices, bottlenecks."""

        def rec(df: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
            d = df.reset_index() if df.index.name or isinstance(df.index, pd.MultiIndex) else df
            d = d[[c for c in cols if c in d.columns]]
            return _clean(d.to_dict(orient="records"))

        return {
            "status": self.status,
            "objective_usd": self.objective_usd,
            "scenario": self.scenario,
            "summary": _clean([self.summary()])[0],
            "flows": rec(self.flows, ["link", "from", "to", "grade", "grade_out", "mt_per_year"]),
            "deliveries": rec(
                self.deliveries,
                [
                    "refinery",
                    "grade",
                    "origin",
                    "mt_per_year",
                    "delivered_cost_usd_per_t",
                    "price_usd_per_t",
                    "transport_usd_per_t",
                    "duties_usd_per_t",
                    "fees_usd_per_t",
                ],
            ),
            "unmet": rec(self.unmet, ["node", "mt_per_year", "reason"]),
            "prices": rec(self.prices, ["node", "grade", "usd_per_t"]),
            "bottlenecks": rec(
                self.bottlenecks,
                ["link", "mt_per_year", "capacity_mt_per_year", "shadow_price_usd_per_t"],
            ),
            "costs": rec(self.costs, list(self.costs.reset_index().columns)),
            "shut_in": rec(self.shut_in, ["node", "grade", "mt_per_year", "reason"]),
            "sales": rec(self.sales, ["node", "grade", "mt_per_year", "price_usd_per_t"]),
            "concentration": rec(self.concentration, list(self.concentration.reset_index().columns)),
            "contracts": rec(self.contracts, list(self.contracts.reset_index().columns)),
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The JSON document as text (and written to ``path`` when given)."""
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_csv(self, directory: str | Path) -> Path:
        """One CSV per frame in ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name in FRAMES:
            frame: pd.DataFrame = getattr(self, name)
            frame.to_csv(
                d / f"{name}.csv",
                index=bool(frame.index.name) or isinstance(frame.index, pd.MultiIndex),
            )
        return d


def _clean(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for r in records:
        c: dict[str, Any] = {}
        for k, v in r.items():
            if isinstance(v, float | np.floating):
                c[k] = None if not np.isfinite(v) else float(v)
            elif isinstance(v, np.integer):
                c[k] = int(v)
            elif isinstance(v, np.bool_):
                c[k] = bool(v)
            elif isinstance(v, tuple):
                c[k] = list(v)
            else:
                c[k] = v
        out.append(c)
    return out


def make_plan(model: Model, res: SolveResult, scenario: str = "base") -> Plan:
    """Turn a solved model into a Plan."""
    net, lp, idx = model.network, model.lp, model.index
    x, dual = res.x, res.row_dual
    fb, sb, cb = lp.vars["flow"], lp.vars["supply"], lp.vars["consume"]
    ub, mb, shb = lp.vars["unmet"], lp.vars["sale"], lp.vars["shut_in"]

    # flows
    fx = x[fb.slice]
    fl = fb.labels
    on = fx > TOL
    flows = fl.loc[on, ["link", "from", "to", "grade", "grade_out"]].copy()
    flows["mt_per_year"] = fx[on]
    flows["tariff_usd_per_t"] = model.flow_tariff[on]
    flows["duty_usd_per_t"] = model.flow_duty[on]
    flows["fee_usd_per_t"] = model.flow_fee[on]
    cap_rows = lp.cons["capacity"]
    links = net.links.loc[idx.link_ids]
    link_total = np.bincount(fl["link_pos"].to_numpy(), weights=fx, minlength=len(idx.link_ids))
    cap = links["capacity_mt_per_year"].to_numpy(float)
    shadow = -dual[cap_rows.slice]
    link_flows = pd.DataFrame({
        "from": links["from"].to_numpy(), "to": links["to"].to_numpy(),
        "mode": links["mode"].to_numpy(), "mt_per_year": link_total,
        "capacity_mt_per_year": cap,
        "utilisation": np.divide(link_total, cap, out=np.zeros_like(cap), where=cap > 0),
        "shadow_price_usd_per_t": np.where(np.abs(shadow) > TOL, shadow, 0.0),
    }, index=pd.Index(idx.link_ids, name="link"))  # fmt: skip
    link_flows["binding"] = (link_total >= cap - 1e-6) & (link_flows["shadow_price_usd_per_t"] > TOL)
    flows = flows.merge(link_flows[["capacity_mt_per_year"]], left_on="link", right_index=True)
    flows["utilisation"] = np.divide(
        link_total[idx.link_ids.get_indexer(flows["link"])], flows["capacity_mt_per_year"]
    )
    flows = flows.reset_index(drop=True)
    bottlenecks = link_flows[link_flows["binding"]].sort_values("shadow_price_usd_per_t", ascending=False)[
        ["from", "to", "mode", "mt_per_year", "capacity_mt_per_year", "shadow_price_usd_per_t"]
    ]

    # prices (duals of conservation = marginal cost of a tonne more at node, grade)
    cons = lp.cons["conservation"]
    prices = cons.labels[["node", "grade"]].copy()
    prices["usd_per_t"] = dual[cons.slice]

    # supply
    supply = sb.labels[["node", "grade"]].copy()
    supply["mt_per_year"] = x[sb.slice]
    supply["min_mt_per_year"] = sb.lower
    supply["max_mt_per_year"] = sb.upper
    supply["price_usd_per_t"] = sb.cost
    supply = supply.set_index(["node", "grade"])

    # sinks
    consume = cb.labels[["node", "grade"]].assign(kind="refinery", mt_per_year=x[cb.slice])
    sale = mb.labels[["node", "grade"]].assign(kind="market", mt_per_year=x[mb.slice])
    shut = shb.labels[["node", "grade"]].assign(kind="shut_in", mt_per_year=x[shb.slice])
    sinks = pd.concat([consume, sale, shut], ignore_index=True)
    sinks = sinks[sinks["mt_per_year"] > TOL]

    # paths and their costs
    flow_in = fl.loc[on, ["from", "to", "grade", "grade_out"]].assign(
        var=np.flatnonzero(on), mt_per_year=fx[on]
    )
    sup_on = supply.reset_index()
    sup_on = sup_on[sup_on["mt_per_year"] > TOL]
    raw_paths = decompose(sup_on, flow_in, sinks)
    price_lookup = supply["price_usd_per_t"]
    p_price = price_lookup.reindex(
        pd.MultiIndex.from_arrays([raw_paths["source"], raw_paths["grade"]])
    ).to_numpy(float)
    paths = path_costs(raw_paths, p_price, model.flow_tariff, model.flow_duty, model.flow_fee)
    paths["origin"] = net.grades["origin_country"].reindex(paths["grade"]).to_numpy()
    paths["links"] = [tuple(fl["link"].to_numpy()[list(v)]) for v in paths["vars"]]
    paths["transit"] = _transit(net, paths)
    paths = paths.drop(columns=["vars"])

    # deliveries (refinery × grade run × origin) with delivered cost parts
    ref = paths[paths["sink_kind"] == "refinery"]
    parts = [
        "price_usd_per_t",
        "transport_usd_per_t",
        "duties_usd_per_t",
        "fees_usd_per_t",
        "cost_usd_per_t",
    ]
    w = ref[parts].multiply(ref["mt_per_year"], axis=0)
    w[["refinery", "grade", "origin", "mt_per_year"]] = ref[["sink", "grade_out", "origin", "mt_per_year"]]
    deliveries = w.groupby(["refinery", "grade", "origin"], as_index=False).sum()
    for p in parts:
        deliveries[p] = deliveries[p] / deliveries["mt_per_year"]
    deliveries = deliveries.rename(columns={"cost_usd_per_t": "delivered_cost_usd_per_t"})
    deliveries = deliveries[
        [
            "refinery",
            "grade",
            "origin",
            "mt_per_year",
            "delivered_cost_usd_per_t",
            "price_usd_per_t",
            "transport_usd_per_t",
            "duties_usd_per_t",
            "fees_usd_per_t",
        ]
    ]

    # unmet, with reasons
    dem = net.demands
    unmet_x = x[ub.slice]
    qual = lp.cons["quality"]
    qrows = qual.labels.assign(binding=np.abs(dual[qual.slice]) > TOL)
    unmet = pd.DataFrame(
        {"mt_per_year": unmet_x, "demand_mt_per_year": dem["demand_mt_per_year"].to_numpy(float)},
        index=pd.Index(dem.index, name="node"),
    )
    unmet = unmet[unmet["mt_per_year"] > TOL]
    unmet["reason"] = explain_unmet(model, unmet, link_flows, qrows, supply) if len(unmet) else []
    shut_in = shut[shut["mt_per_year"] > TOL].set_index(["node", "grade"])[["mt_per_year"]]
    shut_in["reason"] = explain_shut_in(model, shut_in, link_flows) if len(shut_in) else []

    # per-refinery costs
    costs = _refinery_costs(net, deliveries, unmet)
    sales = sale[sale["mt_per_year"] > TOL][["node", "grade", "mt_per_year"]].copy()
    sales["price_usd_per_t"] = -mb.cost[sale.index[sale["mt_per_year"] > TOL]] if len(sales) else []
    sales = sales.reset_index(drop=True)
    conc = concentration(net, paths)
    contracts = _contracts(model, x, res)
    status = res.status.value
    return Plan(
        status=status, objective_usd=mt_to_t(res.objective), scenario=scenario, flows=flows,
        link_flows=link_flows, deliveries=deliveries, costs=costs, prices=prices,
        bottlenecks=bottlenecks, unmet=unmet, shut_in=shut_in, sales=sales, supply=supply,
        paths=paths, concentration=conc, contracts=contracts, solve_seconds=res.seconds,
        iterations=res.iterations,
    )  # fmt: skip


def _transit(net: Any, paths: pd.DataFrame) -> list[tuple[str, ...]]:
    """Countries a path crosses other than its origin and its final country, in order."""
    node_c = net.nodes["country"]
    link_c = net.links["countries"]
    out: list[tuple[str, ...]] = []
    for nodes, links, origin in zip(paths["nodes"], paths["links"], paths["origin"], strict=True):
        seq: list[str] = []
        end = node_c[nodes[-1]]
        for i, n in enumerate(nodes):
            for c in (node_c[n],) if i == 0 else (*link_c[links[i - 1]], node_c[n]):
                if c not in seq:
                    seq.append(c)
        out.append(tuple(c for c in seq if c not in (origin, end)))
    return out


def concentration(net: Any, paths: pd.DataFrame) -> pd.DataFrame:
    """HHI (0–10,000) and top shares per importing country, by origin and by transit.

    Transit shares are the fraction of the country's runs crossing each transit country
    (a run crossing none counts as ``direct``); the HHI is taken over shares normalised
    to sum to one.
    """
    ref = paths[paths["sink_kind"] == "refinery"]
    if len(ref) == 0:
        return pd.DataFrame(columns=["importer", "by", "hhi", "top", "top_share_pct", "shares"])
    ref = ref.assign(importer=net.nodes["country"].reindex(ref["sink"]).to_numpy())
    rows = []
    for imp, grp in ref.groupby("importer"):
        total = grp["mt_per_year"].sum()
        by_origin = grp.groupby("origin")["mt_per_year"].sum() / total
        exploded = grp.assign(t=[t if t else ("direct",) for t in grp["transit"]]).explode("t")
        by_transit = exploded.groupby("t")["mt_per_year"].sum() / total
        for by, shares in (("origin", by_origin), ("transit", by_transit)):
            norm = shares / shares.sum()
            rows.append({
                "importer": imp, "by": by, "hhi": float((norm**2).sum() * 10_000),
                "top": str(shares.idxmax()), "top_share_pct": float(shares.max() * 100),
                "shares": {
                    str(k): round(float(v) * 100, 2)
                    for k, v in shares.sort_values(ascending=False).items()
                },
            })  # fmt: skip
    return pd.DataFrame(rows)


def _refinery_costs(net: Any, deliveries: pd.DataFrame, unmet: pd.DataFrame) -> pd.DataFrame:
    dem = net.demands
    parts = [
        "price_usd_per_t",
        "transport_usd_per_t",
        "duties_usd_per_t",
        "fees_usd_per_t",
        "delivered_cost_usd_per_t",
    ]
    w = deliveries[parts].multiply(deliveries["mt_per_year"], axis=0)
    w["refinery"] = deliveries["refinery"]
    w["mt_per_year"] = deliveries["mt_per_year"]
    g = w.groupby("refinery").sum()
    out = pd.DataFrame(index=pd.Index(dem.index, name="refinery"))
    out["country"] = net.nodes["country"].reindex(dem.index).to_numpy()
    out["demand_mt_per_year"] = dem["demand_mt_per_year"].to_numpy(float)
    out["delivered_mt_per_year"] = g["mt_per_year"].reindex(out.index).fillna(0.0)
    out["unmet_mt_per_year"] = unmet["mt_per_year"].reindex(out.index).fillna(0.0)
    for p in parts:
        out[p] = (g[p] / g["mt_per_year"]).reindex(out.index)
    out["total_cost_usd"] = mt_to_t(g["delivered_cost_usd_per_t"].reindex(out.index).fillna(0.0))
    return out


def _contracts(model: Model, x: np.ndarray, res: SolveResult) -> pd.DataFrame:
    lp = model.lp
    rows = lp.cons["contract"]
    if rows.size == 0:
        return pd.DataFrame(
            columns=[
                "contract",
                "seller",
                "buyer",
                "min_mt_per_year",
                "max_mt_per_year",
                "delivered_mt_per_year",
                "shortfall_mt_per_year",
            ]
        )
    sf = lp.vars["contract_shortfall"]
    out = rows.labels.copy()
    short = x[sf.slice]
    out["delivered_mt_per_year"] = res.row_activity[rows.slice] - short
    out["shortfall_mt_per_year"] = short
    out["hard"] = sf.labels["hard"].to_numpy()
    return out
