"""What a worker process runs: plans, comparisons, figures, reports and analyses.

Every task takes a JSON-able payload (dataset folder and id, scenario text, options,
parameters) and returns JSON-able data, so it crosses the process boundary cheaply and
the server never holds a solver. Analyses run serially inside their worker (no nested
pools). Only the public API (``crudeflow``, ``crudeflow.report``) is used.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

import crudeflow
from crudeflow.exceptions import CrudeflowError
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.model.scenario import Scenario

Report = Callable[[dict[str, Any]], None]
"""Sends a progress record to the server: ``phase`` and ``done``/``total``."""

_NETWORKS: dict[str, Network] = {}
"""Per worker: loaded datasets by content hash (loading takes ~0.5 s, a plan ~0.1 s)."""


def versions() -> dict[str, str]:
    """Crudeflow's and HiGHS's versions, stored with every run."""
    import highspy

    highs = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
    return {"crudeflow_version": crudeflow.__version__, "highs_version": highs}


def warm_up() -> None:
    """Import what a plan needs (through the public names) so a worker's first plan is not slow."""
    _ = (crudeflow.load, crudeflow.plan, crudeflow.PlanOptions, crudeflow.Plan, crudeflow.read_scenario)


def records(frame: pd.DataFrame | pd.Series) -> list[dict[str, Any]]:
    """A frame as JSON records (index kept when named; NaN → null), as ``--json`` prints them."""
    df = frame.to_frame() if isinstance(frame, pd.Series) else frame
    if df.index.name is not None or isinstance(df.index, pd.MultiIndex):
        df = df.reset_index()
    out: list[dict[str, Any]] = json.loads(df.to_json(orient="records", double_precision=15))
    return out


def clean(obj: Any) -> Any:
    """A value made JSON-safe: NumPy scalars to Python, NaN/inf to None, tuples to lists."""
    return json.loads(pd.Series([obj], dtype=object).to_json(orient="values", double_precision=15))[0]


def _base(payload: dict[str, Any]) -> Network:
    key = str(payload["dataset_hash"])
    net = _NETWORKS.get(key)
    if net is None:
        net = crudeflow.load(Path(payload["dataset_path"]))
        _NETWORKS[key] = net
    return net


def _scenario(payload: dict[str, Any]) -> Scenario | None:
    from crudeflow.web.catalog import SCENARIO_FILE

    text = payload.get("scenario_text")
    if text is None:
        return None
    sc = parse_scenario(text, SCENARIO_FILE, default_name="scenario")
    name = payload.get("scenario_name")
    return sc if not name else Scenario(name, sc.base, sc.description, sc.source, sc.changes)


def _network(payload: dict[str, Any]) -> tuple[Network, Scenario | None]:
    """The dataset with the payload's scenario applied, and the scenario."""
    base = _base(payload)
    sc = _scenario(payload)
    return (base if sc is None else sc.apply(base)), sc


def _plan(payload: dict[str, Any]) -> tuple[Any, Network]:
    net, sc = _network(payload)
    strict = bool(payload.get("options", {}).get("strict", False))
    p = crudeflow.plan(net, strict=strict)
    return replace(p, scenario=sc.name if sc is not None else "base"), net


def plan_task(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Solve a plan: results in the ``plan --json`` shape, the summary and timings."""
    t0 = time.perf_counter()
    report({"phase": "loading the dataset"})
    _base(payload)
    t1 = time.perf_counter()
    report({"phase": "solving the plan"})
    p, _ = _plan(payload)
    t2 = time.perf_counter()
    return {
        "results": p.to_dict(),
        "summary": clean(p.summary()),
        "timings": {"load_seconds": t1 - t0, "plan_seconds": t2 - t1, "solve_seconds": p.solve_seconds},
        **versions(),
    }


def replan_task(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Re-solve a saved plan and draw its figures (map, Sankey, delivered cost) as plotly JSON."""
    from crudeflow.report import figures

    report({"phase": "re-solving the saved plan"})
    p, net = _plan(payload)
    report({"phase": "drawing the figures"})
    figs = {
        "map": figures.map_figure(p, net, legend="bottom"),
        "sankey": figures.sankey_figure(p, net),
        "cost": figures.cost_figure(p, net),
    }
    return {"objective_usd": float(p.objective_usd), "figures": {k: f.to_json() for k, f in figs.items()}}


def compare_task(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Re-solve two saved plans and line them up (``compare --json`` shape, B minus A)."""
    report({"phase": "re-solving plan A"})
    pa, _ = _plan(payload["a"])
    report({"phase": "re-solving plan B"})
    pb, net_b = _plan(payload["b"])
    c = crudeflow.compare_plans(pa, pb, net_b)
    out: dict[str, Any] = {
        name: records(getattr(c, name))
        for name in ("totals", "refineries", "flows", "unmet", "concentration")
    }
    out["objective_usd"] = {"a": float(pa.objective_usd), "b": float(pb.objective_usd)}
    return out


def report_task(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """The offline HTML report of a saved plan (against another saved plan when given)."""
    from crudeflow.report import Side

    report({"phase": "re-solving the saved plan"})
    p, net = _plan(payload)
    ref = None
    if payload.get("compare") is not None:
        report({"phase": "re-solving the reference plan"})
        pc, net_c = _plan(payload["compare"])
        ref = Side(pc, net_c, str(payload["compare"].get("label") or pc.scenario))
    report({"phase": "writing the report"})
    html = crudeflow.build_report(Side(p, net, str(payload.get("label") or p.scenario)), net, compare=ref)
    return {"html": html}


def _progress(report: Report, phase: str) -> Callable[[int, int], None]:
    """The analysis' ``progress`` callback: each ``(done, total)`` goes to the server."""

    def cb(done: int, total: int) -> None:
        report({"phase": phase, "done": float(done), "total": float(total)})

    return cb


def stress_task(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """N-1/N-2 over links, nodes or countries (the ``stress --json`` shape)."""
    params = payload.get("params", {})
    report({"phase": "loading the dataset"})
    net, _ = _network(payload)
    assets = str(params.get("assets", "links"))
    k = int(params.get("k", 1))
    top = int(params.get("top", 20))
    phase = f"N-{k} over {assets}"
    report({"phase": phase})
    res = crudeflow.stress(net, assets=assets, k=k, progress=_progress(report, phase))
    results = clean(res.to_dict(top=top))
    first = res.ranking.index[0] if len(res.ranking) else None
    summary = {
        "assets": assets,
        "k": k,
        "cases": len(res.ranking),
        "solved": int((~res.ranking["skipped"].astype(bool)).sum()),
        "most_critical": first,
        "seconds": res.seconds,
    }
    return {"results": results, "summary": clean(summary), "timings": {"seconds": res.seconds}, **versions()}


def montecarlo_task(payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Random link outages, sampled serially in this worker (the ``montecarlo --json`` shape)."""
    params = payload.get("params", {})
    n, seed, chunk = (
        int(params.get("n", 1000)),
        int(params.get("seed", 1)),
        int(params.get("chunk_size", 100)),
    )
    report({"phase": "loading the dataset"})
    net, _ = _network(payload)
    phase = f"sampling {n:,} years of outages"
    report({"phase": phase})
    res = crudeflow.montecarlo(
        net, n=n, seed=seed, workers=1, chunk_size=chunk, progress=_progress(report, phase)
    )
    results = clean(res.to_dict())
    s = res.summary
    worst = s["p90_unmet_mt_per_year"].idxmax() if len(s) else None
    summary = {
        "n": res.n,
        "seed": res.seed,
        "seconds": res.seconds,
        "expected_objective_musd": float(res.objective_musd.mean()),
        "worst_importer_p90": worst,
        "worst_p90_unmet_mt_per_year": float(s["p90_unmet_mt_per_year"].max()) if len(s) else 0.0,
    }
    return {"results": results, "summary": clean(summary), "timings": {"seconds": res.seconds}, **versions()}


TASKS: dict[str, Callable[[dict[str, Any], Report], dict[str, Any]]] = {
    "plan": plan_task,
    "replan": replan_task,
    "compare": compare_task,
    "report": report_task,
    "stress": stress_task,
    "montecarlo": montecarlo_task,
}
"""Task kinds a worker runs; ``plan``, ``stress`` and ``montecarlo`` results are saved as runs."""

SAVED_KINDS = ("plan", "stress", "montecarlo")


def run_task(kind: str, payload: dict[str, Any], report: Report) -> dict[str, Any]:
    """Run one task; a CrudeflowError propagates (the worker turns it into a JSON error)."""
    fn = TASKS.get(kind)
    if fn is None:
        msg = f"unknown task kind {kind!r}"
        raise CrudeflowError(msg)
    return fn(payload, report)
