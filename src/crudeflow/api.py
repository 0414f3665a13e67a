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
    confidence: pd.DataFrame
    """Rows per table (index) by confidence grade (columns: official, operator, press,
    estimate, ungraded), with a ``total`` row: how far the dataset's figures can be trusted."""


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
        "confidence",
    ]
    return DataOverview(net.summary(), by_mode, links[cols], confidence_counts(net))


def confidence_counts(net: Network) -> pd.DataFrame:
    """Rows of each table that carries figures, counted by confidence grade, plus a total row."""
    from crudeflow.schema import CONFIDENCE_GRADES

    grades = [*CONFIDENCE_GRADES, "ungraded"]
    rows: dict[str, pd.Series] = {}
    for name, frame in net.tables().items():
        if "confidence" not in frame.columns or len(frame) == 0:
            continue
        graded = frame["confidence"].fillna("").astype(str).replace("", "ungraded")
        rows[name] = graded.value_counts().reindex(grades, fill_value=0)
    table = pd.DataFrame(rows).T.reindex(columns=grades, fill_value=0).astype(int)
    table.index.name = "table"
    table.loc["total"] = table.sum(axis=0)
    return table


def export_dataset(dataset: str | Path, directory: str | Path, *, force: bool = False) -> Path:
    """Copy a dataset folder (all files, README included) to ``directory`` and check it loads.

    ``directory`` must be new or empty: with ``force``, the dataset's files replace those
    of the same name there and other files are left alone. The copy is made beside the
    target after the dataset is checked, so a failed export changes nothing.
    """
    from crudeflow.io.output import OutputError, atomic_dir, check_dir_target, is_inside

    src = resolve_dataset(dataset)
    dst = Path(directory)
    if is_inside(dst, src):
        msg = f"cannot export {src} into {dst}: that is the dataset's own folder; give another folder"
        raise OutputError(msg)
    check_dir_target(dst, force=force)
    read_dataset(src)
    with atomic_dir(dst, force=force) as tmp:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
    return dst


def write_plan_csv(result: Any, directory: str | Path, *, force: bool = False) -> Path:
    """Write every table of a plan as CSV into ``directory``, atomically (``plan --csv``).

    ``directory`` must be new, empty, or one this function wrote whose files are unchanged
    (its ``.crudeflow-manifest.json`` says so); ``force`` writes into any folder, replacing
    files of the same name and leaving others alone.
    """
    from crudeflow.io.output import atomic_dir

    with atomic_dir(directory, force=force, manifest=True) as tmp:
        result.to_csv(tmp)
    return Path(directory)


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
    units: str = "mt",
) -> Comparison:
    """Plan two scenarios (``"base"`` for none) and line them up: B minus A in every delta.

    ``units="kbd"``: volumes in kb/d and costs in USD/bbl (``Plan.in_units``).
    """
    pa = plan(dataset, None if a in (None, "base") else a, strict=strict)
    pb = plan(dataset, None if b in (None, "base") else b, strict=strict)
    return compare_plans(pa.in_units(units), pb.in_units(units))


def compare_plans(pa: Any, pb: Any, network_b: Network | None = None) -> Comparison:
    """Line up two solved plans: totals, per refinery, changed link flows, unmet and HHI (B − A).

    The totals lead with the economic cost, then the unmet and shut-in volumes (the
    ``summary`` figures, in the plans' units). With ``network_b``, changed flows also show
    each link's from, to and mode.
    """
    sa, sb = pa.summary(), pb.summary()
    keys = [k for k in sa if k not in ("scenario", "status", "units", "bottlenecks", "solve_seconds")]
    totals = pd.DataFrame(
        {"a": [sa[k] for k in keys], "b": [sb[k] for k in keys]},
        index=pd.Index(keys, name="figure"),
    )
    totals["delta"] = totals["b"] - totals["a"]
    name_b = str(pb.scenario) if pb.scenario != pa.scenario else f"{pb.scenario} (b)"
    totals.columns = pd.Index([str(pa.scenario), name_b, "delta"])
    kbd = getattr(pa, "units", "mt") == "kbd"
    v, c = ("kb_per_day", "usd_per_bbl") if kbd else ("mt_per_year", "usd_per_t")
    cols = [f"delivered_{v}", f"unmet_{v}", f"delivered_cost_{c}"]
    ref = pa.costs[["country", *cols]].merge(
        pb.costs[cols], left_index=True, right_index=True, how="outer", suffixes=("_a", "_b")
    )
    ref[f"delta_cost_{c}"] = ref[f"delivered_cost_{c}_b"] - ref[f"delivered_cost_{c}_a"]
    ref[f"delta_unmet_{v}"] = ref[f"unmet_{v}_b"] - ref[f"unmet_{v}_a"]
    flows = pd.DataFrame({f"{v}_a": pa.link_flows[v], f"{v}_b": pb.link_flows[v]}).fillna(0.0)
    flows[f"delta_{v}"] = flows[f"{v}_b"] - flows[f"{v}_a"]
    flows = flows[flows[f"delta_{v}"].abs() > 1e-6]
    flows = flows.iloc[np.argsort(-flows[f"delta_{v}"].abs().to_numpy(), kind="stable")]
    if network_b is not None:
        links = network_b.links.reindex(flows.index)
        for col in ("mode", "to", "from"):
            flows.insert(0, col, links[col].to_numpy())
    flows.index.name = "link"
    ua, ub = pa.unmet[v], pb.unmet[v]
    unmet = pd.DataFrame({f"{v}_a": ua, f"{v}_b": ub}).fillna(0.0)
    unmet[f"delta_{v}"] = unmet[f"{v}_b"] - unmet[f"{v}_a"]
    reasons = pb.unmet["reason"].astype(object).reindex(unmet.index)
    unmet["reason_b"] = [r if isinstance(r, str) else "" for r in reasons]
    unmet.index.name = "node"

    def hhi(p: Any) -> pd.Series:
        c = p.concentration
        return c.set_index(["importer", "by"])["hhi"] if len(c) else pd.Series(dtype=float)

    conc = pd.DataFrame({"hhi_a": hhi(pa), "hhi_b": hhi(pb)})
    conc["delta_hhi"] = conc["hhi_b"] - conc["hhi_a"]
    return Comparison(pa, pb, totals, ref, flows, unmet, conc)


def backtest(
    dataset: str | Path | Network | None = None,
    scenario: Any = None,
    *,
    year: int | None = None,
) -> Any:
    """Plan the dataset (under ``scenario``) and score it against its observed rows: a ``Backtest``.

    Each observed row of the plan's year (``year``, else the scenario's ``year`` if it has
    one, else the dataset's base year) is measured the way its ``measure`` columns say and
    passes when the model is within its ``tolerance``; scores per year and per role.
    """
    from dataclasses import replace

    from crudeflow.analysis.backtest import measure_plan

    net, name = _network_and_scenario(dataset, scenario)
    p = replace(plan(net), scenario=name)
    yr = year if year is not None else getattr(scenario, "year", None)
    return measure_plan(p, net, year=yr)
