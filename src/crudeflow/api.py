"""The Python API behind every CLI command: plain functions returning DataFrames or dataclasses."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.io.dataset import read_dataset, resolve_dataset
from crudeflow.model.network import Network


@dataclass(frozen=True)
class DataOverview:
    """What ``crudeflow data show`` prints: counts and totals, capacity by mode, the links."""

    summary: dict[str, Any]
    capacity_by_mode: pd.DataFrame
    links: pd.DataFrame


def load(dataset: str | Path | Network | None = None) -> Network:
    """A Network from a Network, a folder, a shipped dataset name, or the default dataset."""
    if isinstance(dataset, Network):
        return dataset
    return read_dataset(dataset)


def data_overview(dataset: str | Path | Network | None = None) -> DataOverview:
    """Counts, supply and demand totals (Mt/yr), capacity by mode and the links table."""
    net = load(dataset)
    links = net.links
    by_mode = (
        links.assign(active=links["status"].isin(("operating", "intermittent")))
        .groupby("mode")
        .agg(
            links=("name", "size"),
            capacity_mt_per_year=("capacity_mt_per_year", "sum"),
            active_links=("active", "sum"),
        )
    )
    cols = [
        "name",
        "from",
        "to",
        "mode",
        "capacity_mt_per_year",
        "tariff_usd_per_t",
        "distance_km",
        "countries",
        "status",
    ]
    return DataOverview(net.summary(), by_mode, links[cols])


def export_dataset(dataset: str | Path, directory: str | Path) -> Path:
    """Copy a dataset folder (all files, README included) to ``directory`` and check it loads."""
    src = resolve_dataset(dataset)
    dst = Path(directory)
    shutil.copytree(src, dst, dirs_exist_ok=True)
    read_dataset(dst)
    return dst


def plan(
    dataset: str | Path | Network | None = None,
    scenario: Any = None,
    *,
    strict: bool = False,
    solver_options: dict[str, Any] | None = None,
) -> Any:
    """The least-cost supply plan of a network (optionally under a scenario) as a ``Plan``.

    ``scenario`` is a Scenario, a scenario file path or a shipped scenario name. With
    ``strict``, demand that cannot be met raises ``InfeasibleError`` naming it and why.
    """
    from crudeflow.exceptions import InfeasibleError, SolverError
    from crudeflow.optimize.build import PlanOptions, build_lp
    from crudeflow.optimize.solve import solve_lp
    from crudeflow.results.plan import make_plan

    net, name = _network_and_scenario(dataset, scenario)
    opts = PlanOptions(strict=strict, solver_options=dict(solver_options or {}))
    model = build_lp(net, opts)
    res = solve_lp(model.lp, opts.solver_options)
    if res.status.value == "infeasible" and strict:
        relaxed = plan(net, None, strict=False, solver_options=solver_options)
        lines = [f"{n}: {r.mt_per_year:.2f} Mt/yr short — {r.reason}" for n, r in relaxed.unmet.iterrows()]
        msg = "strict plan is infeasible: demand cannot be met" + (
            "\n  " + "\n  ".join(lines) if lines else " (contracts or fixed output conflict)"
        )
        raise InfeasibleError(msg)
    if not res.ok:
        msg = f"the plan did not solve: HiGHS status {res.status.value}"
        raise SolverError(msg)
    result = make_plan(model, res, name)
    hard = result.contracts
    if len(hard) and (hard["hard"] & (hard["shortfall_mt_per_year"] > 1e-6)).any():
        bad = hard[hard["hard"] & (hard["shortfall_mt_per_year"] > 1e-6)]
        what = "; ".join(
            f"contract '{r.contract}' ({r.seller} → {r.buyer}) needs {r.min_mt_per_year:g} Mt/yr, "
            f"only {r.delivered_mt_per_year:.2f} can be delivered"
            for r in bad.itertuples()
        )
        msg = f"infeasible: {what}"
        raise InfeasibleError(msg)
    return result


def _network_and_scenario(dataset: str | Path | Network | None, scenario: Any) -> tuple[Network, str]:
    """Load the base network and apply a scenario (object, file or shipped name) if given."""
    if scenario is None:
        return load(dataset), "base"
    from crudeflow.io.scenario import read_scenario
    from crudeflow.model.scenario import Scenario

    sc = scenario if isinstance(scenario, Scenario) else read_scenario(scenario, defer=True)
    base = load(dataset if dataset is not None else sc.base)
    return sc.apply(base), sc.name


@dataclass(frozen=True)
class Comparison:
    """Two plans side by side: totals, per-refinery cost, changed flows, unmet and HHI."""

    a: Any
    b: Any
    totals: pd.DataFrame
    refineries: pd.DataFrame
    flows: pd.DataFrame
    unmet: pd.DataFrame
    concentration: pd.DataFrame


def compare(
    a: Any = "base",
    b: Any = "base",
    *,
    dataset: str | Path | Network | None = None,
    strict: bool = False,
) -> Comparison:
    """Plan two scenarios (``"base"`` for none) and line them up: B minus A in every delta."""
    pa = plan(dataset, None if a in (None, "base") else a, strict=strict)
    pb = plan(dataset, None if b in (None, "base") else b, strict=strict)
    return compare_plans(pa, pb)


def compare_plans(pa: Any, pb: Any, network_b: Network | None = None) -> Comparison:
    """Line up two solved plans: totals, per refinery, changed link flows, unmet and HHI (B − A).

    With ``network_b``, changed flows also show each link's from, to and mode.
    """
    sa, sb = pa.summary(), pb.summary()
    keys = [
        "objective_usd",
        "delivered_mt_per_year",
        "unmet_mt_per_year",
        "shut_in_mt_per_year",
        "sold_to_markets_mt_per_year",
        "average_delivered_cost_usd_per_t",
        "refinery_cost_usd",
    ]
    totals = pd.DataFrame(
        {"a": [sa[k] for k in keys], "b": [sb[k] for k in keys]},
        index=pd.Index(keys, name="figure"),
    )
    totals["delta"] = totals["b"] - totals["a"]
    name_b = str(pb.scenario) if pb.scenario != pa.scenario else f"{pb.scenario} (b)"
    totals.columns = pd.Index([str(pa.scenario), name_b, "delta"])
    cols = ["delivered_mt_per_year", "unmet_mt_per_year", "delivered_cost_usd_per_t"]
    ref = pa.costs[["country", *cols]].merge(
        pb.costs[cols], left_index=True, right_index=True, how="outer", suffixes=("_a", "_b")
    )
    ref["delta_cost_usd_per_t"] = ref["delivered_cost_usd_per_t_b"] - ref["delivered_cost_usd_per_t_a"]
    ref["delta_unmet_mt_per_year"] = ref["unmet_mt_per_year_b"] - ref["unmet_mt_per_year_a"]
    flows = pd.DataFrame(
        {"mt_per_year_a": pa.link_flows["mt_per_year"], "mt_per_year_b": pb.link_flows["mt_per_year"]}
    ).fillna(0.0)
    flows["delta_mt_per_year"] = flows["mt_per_year_b"] - flows["mt_per_year_a"]
    flows = flows[flows["delta_mt_per_year"].abs() > 1e-6]
    flows = flows.iloc[np.argsort(-flows["delta_mt_per_year"].abs().to_numpy(), kind="stable")]
    if network_b is not None:
        links = network_b.links.reindex(flows.index)
        for col in ("mode", "to", "from"):
            flows.insert(0, col, links[col].to_numpy())
    flows.index.name = "link"
    ua, ub = pa.unmet["mt_per_year"], pb.unmet["mt_per_year"]
    unmet = pd.DataFrame({"mt_per_year_a": ua, "mt_per_year_b": ub}).fillna(0.0)
    unmet["delta_mt_per_year"] = unmet["mt_per_year_b"] - unmet["mt_per_year_a"]
    reasons = pb.unmet["reason"].astype(object).reindex(unmet.index)
    unmet["reason_b"] = [r if isinstance(r, str) else "" for r in reasons]
    unmet.index.name = "node"

    def hhi(p: Any) -> pd.Series:
        c = p.concentration
        return c.set_index(["importer", "by"])["hhi"] if len(c) else pd.Series(dtype=float)

    conc = pd.DataFrame({"hhi_a": hhi(pa), "hhi_b": hhi(pb)})
    conc["delta_hhi"] = conc["hhi_b"] - conc["hhi_a"]
    return Comparison(pa, pb, totals, ref, flows, unmet, conc)
