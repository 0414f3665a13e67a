"""What one benchmark child process measures. Each function returns a JSON-able dict.

Timings: one warm-up, then ``reps`` timed runs; the median is reported with every run.
Every solve's status is checked (run status and model status) and its objective kept so
the parent can check that every method agrees.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import highspy
import numpy as np

from benchmarks.instances import INSTANCES, MCF, mcf_arrays
from crudeflow.model.network import Network
from crudeflow.optimize.build import Model, PlanOptions, build_lp
from crudeflow.optimize.solve import DEFAULT_OPTIONS, HighsModel, new_highs
from crudeflow.results.plan import make_plan

OPTION_SETS: dict[str, dict[str, Any]] = {
    "crudeflow": {},
    "highs-default": {"solver": "choose", "presolve": "choose", "threads": 0},
    "dual-nopresolve": {"presolve": "off"},
    "ipm": {"solver": "ipm"},
}
"""Solver option sets, merged over crudeflow's ``DEFAULT_OPTIONS`` (``highs-default``
restores HiGHS's own defaults; ``output_flag`` stays off everywhere)."""


def solver_options(name: str) -> dict[str, Any]:
    """The full HiGHS options of a named set."""
    return {**DEFAULT_OPTIONS, **OPTION_SETS[name]}


WARMUP = 1
"""Warm-up runs before the timed ones (the runner lowers it only for the slowest configurations)."""


def _timed(fn: Callable[[], dict[str, Any]], reps: int, warmup: int | None = None) -> dict[str, Any]:
    """Warm up, run ``reps`` times; median of every numeric ``*_s`` field, last run's other fields."""
    warmup = WARMUP if warmup is None else warmup
    for _ in range(warmup):
        fn()
    runs: list[dict[str, Any]] = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        out["total_s"] = time.perf_counter() - t0
        runs.append(out)
    res = dict(runs[-1])
    for k in runs[-1]:
        if k.endswith("_s"):
            res[k] = statistics.median(r[k] for r in runs)
    res["runs_s"] = [r["total_s"] for r in runs]
    res["reps"], res["warmup"] = reps, warmup
    return res


def _offset(net: Network) -> float:
    return float(net.meta.extra.get("objective_offset", 0.0))


def _check(h: highspy.Highs, run_status: Any) -> tuple[float, int]:
    ms = h.getModelStatus()
    if run_status != highspy.HighsStatus.kOk or ms != highspy.HighsModelStatus.kOptimal:
        msg = f"HiGHS run status {run_status}, model status {h.modelStatusToString(ms)}"
        raise RuntimeError(msg)
    info = h.getInfo()
    return float(info.objective_function_value), int(info.simplex_iteration_count + info.ipm_iteration_count)


def highs_raw(net: Network, strict: bool, options: str, reps: int) -> dict[str, Any]:
    """The floor: HiGHS on the pre-built CSC matrix (new Highs, options, passModel, run)."""
    model = build_lp(net, PlanOptions(strict=strict))
    lp = model.lp
    a = lp.matrix()
    arrays = (lp.cost, lp.col_lower, lp.col_upper, lp.row_lower, lp.row_upper)
    opts = solver_options(options)

    def once() -> dict[str, Any]:
        t0 = time.perf_counter()
        h = new_highs()
        for k, v in opts.items():
            h.setOptionValue(k, v)
        hl = highspy.HighsLp()
        hl.num_col_, hl.num_row_ = lp.n_cols, lp.n_rows
        hl.col_cost_, hl.col_lower_, hl.col_upper_, hl.row_lower_, hl.row_upper_ = arrays
        hl.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        hl.a_matrix_.start_, hl.a_matrix_.index_, hl.a_matrix_.value_ = a.indptr, a.indices, a.data
        h.passModel(hl)
        t1 = time.perf_counter()
        st = h.run()
        t2 = time.perf_counter()
        obj, it = _check(h, st)
        return {"pass_s": t1 - t0, "run_s": t2 - t1, "objective": obj + _offset(net), "iterations": it}

    res = _timed(once, reps)
    res.update(n_cols=lp.n_cols, n_rows=lp.n_rows, nnz=int(a.nnz), solver_options=opts)
    return res


def crudeflow_plan(
    net: Network, strict: bool, options: str, reps: int, paths: bool | None = None
) -> dict[str, Any]:
    """End to end, as ``crudeflow.api.plan`` does it: build, pass, solve, make the Plan."""
    opts = PlanOptions(strict=strict, solver_options=dict(OPTION_SETS[options]))

    def once() -> dict[str, Any]:
        t0 = time.perf_counter()
        model = build_lp(net, opts)
        t1 = time.perf_counter()
        hm = HighsModel(model.lp, opts.solver_options)
        t2 = time.perf_counter()
        res = hm.run()
        t3 = time.perf_counter()
        if not res.ok:
            msg = f"plan status {res.status}"
            raise RuntimeError(msg)
        plan = make_plan(model, res, "bench", paths=paths)
        t4 = time.perf_counter()
        return {
            "build_s": t1 - t0,
            "pass_s": t2 - t1,
            "run_s": t3 - t2,
            "results_s": t4 - t3,
            "objective": res.objective + _offset(net),
            "iterations": res.iterations,
            "unmet_mt_per_year": float(plan.unmet["mt_per_year"].sum()),
            "n_paths": len(plan.paths),
        }

    res = _timed(once, reps)
    res["solver_options"] = solver_options(options)
    return res


def networkx_mcf(net: Network, reps: int) -> dict[str, Any]:
    """networkx ``network_simplex`` (what ``min_cost_flow`` runs), graph build included."""
    import networkx as nx

    m = mcf_arrays(net)

    def once() -> dict[str, Any]:
        t0 = time.perf_counter()
        g = _nx_graph(m)
        t1 = time.perf_counter()
        cost, _ = nx.network_simplex(g)
        return {"graph_s": t1 - t0, "objective": float(cost) + _offset(net)}

    return _timed(once, reps)


def _nx_graph(m: MCF) -> Any:
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from((i, {"demand": -int(s)}) for i, s in enumerate(m.supply))
    g.add_edges_from(
        (int(t), int(h), i, {"capacity": int(c), "weight": int(w)})
        for i, (t, h, c, w) in enumerate(zip(m.tail, m.head, m.capacity, m.cost, strict=True))
    )
    return g


def _ortools(m: MCF) -> Any:
    from ortools.graph.python import min_cost_flow

    s = min_cost_flow.SimpleMinCostFlow()
    arcs = s.add_arcs_with_capacity_and_unit_cost(m.tail, m.head, m.capacity, m.cost)
    s.set_nodes_supplies(np.arange(m.n_nodes), m.supply)
    return s, arcs


def ortools_mcf(net: Network, reps: int) -> dict[str, Any]:
    """OR-Tools ``SimpleMinCostFlow`` (vectorised arc adds), build included."""
    m = mcf_arrays(net)

    def once() -> dict[str, Any]:
        t0 = time.perf_counter()
        s, _ = _ortools(m)
        t1 = time.perf_counter()
        st = s.solve()
        if st != s.OPTIMAL:
            msg = f"OR-Tools status {st}"
            raise RuntimeError(msg)
        return {"graph_s": t1 - t0, "objective": float(s.optimal_cost()) + _offset(net)}

    return _timed(once, reps)


def linopy_mcf(net: Network, options: str, reps: int) -> dict[str, Any]:
    """linopy + HiGHS (direct API) on the same min-cost flow, written the idiomatic way."""
    import warnings

    import linopy
    import pandas as pd
    import xarray as xr

    m = mcf_arrays(net)
    opts = solver_options(options)

    def once() -> dict[str, Any]:
        t0 = time.perf_counter()
        mod = linopy.Model()
        arcs = pd.RangeIndex(len(m.tail), name="arc")
        nodes = pd.RangeIndex(m.n_nodes, name="node")
        x = mod.add_variables(lower=0, upper=xr.DataArray(m.capacity.astype(float), coords=[arcs]), name="x")
        mod.add_objective((xr.DataArray(m.cost.astype(float), coords=[arcs]) * x).sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = x.groupby(xr.DataArray(m.tail, coords=[arcs], name="node")).sum().reindex(node=nodes)
            inn = x.groupby(xr.DataArray(m.head, coords=[arcs], name="node")).sum().reindex(node=nodes)
            mod.add_constraints(
                out - inn == xr.DataArray(m.supply.astype(float), coords=[nodes]), name="balance"
            )
        t1 = time.perf_counter()
        status, cond = mod.solve("highs", io_api="direct", **opts)
        if cond != "optimal":
            msg = f"linopy status {status} {cond}"
            raise RuntimeError(msg)
        return {"build_s": t1 - t0, "objective": float(mod.objective.value or 0.0) + _offset(net)}

    return _timed(once, reps)


def linopy_lp(net: Network, strict: bool, options: str, reps: int) -> dict[str, Any]:
    """linopy + HiGHS on crudeflow's full LP, given to linopy as padded rows (same matrix)."""
    import warnings

    import linopy
    import pandas as pd
    import xarray as xr

    model = build_lp(net, PlanOptions(strict=strict))
    lp = model.lp
    a = lp.matrix().tocsr()
    opts = solver_options(options)
    lengths = np.diff(a.indptr)
    width = int(lengths.max())
    vars_ = np.full((lp.n_rows, width), -1, np.int64)
    coeffs = np.zeros((lp.n_rows, width))
    pos = np.arange(a.nnz) - np.repeat(a.indptr[:-1], lengths)
    rows = np.repeat(np.arange(lp.n_rows), lengths)
    vars_[rows, pos], coeffs[rows, pos] = a.indices, a.data
    lo, hi = lp.row_lower, lp.row_upper

    def once() -> dict[str, Any]:
        t0 = time.perf_counter()
        mod = linopy.Model()
        cols = pd.RangeIndex(lp.n_cols, name="col")
        x = mod.add_variables(
            lower=xr.DataArray(lp.col_lower, coords=[cols]),
            upper=xr.DataArray(lp.col_upper, coords=[cols]),
            name="x",
        )
        mod.add_objective((xr.DataArray(lp.cost, coords=[cols]) * x).sum())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = pd.RangeIndex(lp.n_rows, name="row")
            expr = linopy.LinearExpression(
                xr.Dataset(
                    {
                        "coeffs": (("row", "_term"), coeffs),
                        "vars": (("row", "_term"), vars_ + x.labels.values.min()),
                    },
                    coords={"row": r},
                ),
                mod,
            )
            eq = lo == hi
            for name, mask, sign, rhs in (
                ("eq", eq, "=", lo),
                ("ge", ~eq & np.isfinite(lo), ">=", lo),
                ("le", ~eq & np.isfinite(hi), "<=", hi),
            ):
                idx = np.flatnonzero(mask)
                if len(idx):
                    mod.add_constraints(
                        expr.isel(row=idx), sign, xr.DataArray(rhs[idx], coords={"row": r[idx]}), name=name
                    )
        t1 = time.perf_counter()
        status, cond = mod.solve("highs", io_api="direct", **opts)
        if cond != "optimal":
            msg = f"linopy status {status} {cond}"
            raise RuntimeError(msg)
        return {"build_s": t1 - t0, "objective": float(mod.objective.value or 0.0) + _offset(net)}

    res = _timed(once, reps)
    res["solver_options"] = opts
    return res


# ---------------------------------------------------------------- outages


def outage_sample(net: Network, strict: bool, k: int, seed: int = 7) -> list[str]:
    """``k`` links carrying flow in the base plan (crudeflow defaults), seeded: the shared sample."""
    model = build_lp(net, PlanOptions(strict=strict))
    res = HighsModel(model.lp).run()
    fl = model.lp.vars["flow"].labels
    carrying = np.unique(fl["link"].to_numpy()[res.x[model.lp.vars["flow"].slice] > 1e-6])
    rng = np.random.default_rng(seed)
    return sorted(str(x) for x in rng.choice(carrying, size=min(k, len(carrying)), replace=False))


def _link_cols(model: Model, links: list[str]) -> list[np.ndarray]:
    f = model.lp.vars["flow"]
    lk = f.labels["link"].to_numpy().astype(str)
    return [f.start + np.flatnonzero(lk == x) for x in links]


def outage_hot(net: Network, strict: bool, options: str, links: list[str], reps: int) -> dict[str, Any]:
    """crudeflow hot re-solves on one live model, as ``stress`` runs them.

    ``keep_basis`` after the base solve, then ``resolve_closed`` per link (close, re-solve
    from the base basis, read the objective and column values, restore). Also, in the same
    process: the no-change ``run()`` (solved model, nothing changed, duals read) as the hot
    floor, and the chained re-solves of commit 8d364df (close / ``run(duals=False)`` /
    restore, each outage starting from the previous one's basis, HiGHS's default pricing)
    as the reference. With ``ipm`` the base is solved by IPM + crossover and re-solves
    switch to dual simplex.
    """
    model = build_lp(net, PlanOptions(strict=strict))
    cols = _link_cols(model, links)

    def fresh() -> tuple[HighsModel, Any, float]:
        hm = HighsModel(model.lp, OPTION_SETS[options])
        t0 = time.perf_counter()
        base = hm.run()
        base_s = time.perf_counter() - t0
        if options == "ipm":
            hm.h.setOptionValue("solver", "simplex")
        return hm, base, base_s

    def sweep(hm: HighsModel) -> tuple[list[float], list[float], list[int]]:
        objs: list[float] = []
        per: list[float] = []
        iters: list[int] = []
        for c in cols:
            t = time.perf_counter()
            r = hm.resolve_closed(c)
            per.append(time.perf_counter() - t)
            if not r.ok:
                msg = f"hot re-solve status {r.status}"
                raise RuntimeError(msg)
            objs.append(r.objective + _offset(net))
            iters.append(r.iterations)
        return objs, per, iters

    chained, _, _ = fresh()
    chained.run()
    _, per_chained, iters_chained = sweep(chained)
    hm, base, base_s = fresh()
    nochange = []
    for _ in range(reps + 1):
        r = hm.run()
        nochange.append(r.seconds)
    hm.keep_basis()
    objs, per, iters = sweep(hm)
    again = hm.run()
    return {
        "base_s": base_s,
        "base_objective": base.objective + _offset(net),
        "nochange_run_s": statistics.median(nochange[1:]),
        "per_outage_s": statistics.median(per),
        "sweep_s": float(sum(per)),
        "outages": len(cols),
        "objectives": objs,
        "iterations": iters,
        "chained_per_outage_s": statistics.median(per_chained),
        "chained_iterations": iters_chained,
        "restored_objective": again.objective + _offset(net),
        "solver_options": solver_options(options),
    }


def outage_cold(net: Network, strict: bool, options: str, links: list[str], reps: int) -> dict[str, Any]:
    """Cold re-solves: a fresh HiGHS model per outage (LP built once, as a sweep would)."""
    model = build_lp(net, PlanOptions(strict=strict))
    cols = _link_cols(model, links)[: max(1, reps)]
    HighsModel(model.lp, OPTION_SETS[options]).run()  # warm-up
    per, objs = [], []
    for c in cols:
        t = time.perf_counter()
        hm = HighsModel(model.lp, OPTION_SETS[options])
        hm.close_cols(c)
        r = hm.run()
        per.append(time.perf_counter() - t)
        objs.append(r.objective + _offset(net))
    return {
        "per_outage_s": statistics.median(per),
        "outages": len(cols),
        "objectives": objs,
        "solver_options": solver_options(options),
    }


def outage_ortools(net: Network, links: list[str]) -> dict[str, Any]:
    """OR-Tools: one solver, capacity set to 0 and restored around each solve."""
    m = mcf_arrays(net)
    s, arcs = _ortools(m)
    pos = {x: i for i, x in enumerate(m.link_ids)}
    s.solve()
    per, objs = [], []
    for x in links:
        a = int(arcs[pos[x]])
        t = time.perf_counter()
        s.set_arc_capacity(a, 0)
        st = s.solve()
        s.set_arc_capacity(a, int(m.capacity[pos[x]]))
        per.append(time.perf_counter() - t)
        objs.append(float(s.optimal_cost()) + _offset(net) if st == s.OPTIMAL else float("nan"))
    return {
        "per_outage_s": statistics.median(per),
        "sweep_s": float(sum(per)),
        "outages": len(links),
        "objectives": objs,
    }


def outage_networkx(net: Network, links: list[str]) -> dict[str, Any]:
    """networkx: one graph, the link's capacity set to 0 and restored around each solve."""
    import networkx as nx

    m = mcf_arrays(net)
    g = _nx_graph(m)
    pos = {x: i for i, x in enumerate(m.link_ids)}
    per, objs = [], []
    for x in links:
        k = pos[x]
        u, v = int(m.tail[k]), int(m.head[k])
        t = time.perf_counter()
        cap = g.edges[u, v, k]["capacity"]
        g.edges[u, v, k]["capacity"] = 0
        try:
            cost, _ = nx.network_simplex(g)
            objs.append(float(cost) + _offset(net))
        except nx.NetworkXUnfeasible:
            objs.append(float("nan"))
        g.edges[u, v, k]["capacity"] = cap
        per.append(time.perf_counter() - t)
    return {
        "per_outage_s": statistics.median(per),
        "sweep_s": float(sum(per)),
        "outages": len(links),
        "objectives": objs,
    }


REFERENCE_COMMIT = "8d364df"
"""The commit whose ``stress()`` the full N-1 sweep is timed against (before the re-solves
restarted from the base basis)."""


def _reference_stress() -> tuple[Callable[..., Any], str]:
    """``stress`` as it was at ``REFERENCE_COMMIT`` (its module source from git, run on today's
    lower layers), or, without git, today's ``stress`` with ``keep_basis`` disabled."""
    import subprocess
    import sys
    import types
    from pathlib import Path

    path = "src/crudeflow/analysis/contingency.py"
    root = Path(__file__).resolve().parent.parent
    try:
        cmd = ["git", "show", f"{REFERENCE_COMMIT}:{path}"]
        src = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True).stdout
        name = "crudeflow_reference_contingency"
        mod = types.ModuleType(name)
        sys.modules[name] = mod  # dataclasses look their module up
        exec(compile(src, f"{REFERENCE_COMMIT}:{path}", "exec"), mod.__dict__)
        return mod.stress, f"stress() of {REFERENCE_COMMIT}"
    except (OSError, subprocess.CalledProcessError, ImportError):
        from unittest import mock

        from crudeflow.analysis.contingency import stress

        def chained(*args: Any, **kwargs: Any) -> Any:
            with mock.patch.object(HighsModel, "keep_basis", return_value=None):
                return stress(*args, **kwargs)

        return chained, "stress() with keep_basis disabled (git unavailable)"


def stress_sweep(net: Network, reps: int) -> dict[str, Any]:
    """crudeflow's full N-1 over links (``analysis.contingency.stress``), hot, as shipped.

    The reference runs in the same process: ``stress`` as at ``REFERENCE_COMMIT`` (each
    case re-solved from the previous case's basis). Reference and shipped sweeps
    alternate, ``reps`` of each, and must give the same objective changes.
    """
    from crudeflow.analysis.contingency import stress

    reference, what = _reference_stress()

    def once(fn: Callable[..., Any]) -> tuple[float, Any]:
        t0 = time.perf_counter()
        r = fn(net, assets="links", check_sample=0)
        return time.perf_counter() - t0, r.ranking

    new_s: list[float] = []
    ref_s: list[float] = []
    for _ in range(reps):
        t_ref, r_ref = once(reference)
        t_new, r_new = once(stress)
        ref_s.append(t_ref)
        new_s.append(t_new)
        a = r_new["delta_objective_usd"].sort_index().to_numpy(float)
        b = r_ref["delta_objective_usd"].sort_index().to_numpy(float)
        if not np.allclose(a, b, rtol=1e-6, atol=1.0, equal_nan=True):
            msg = "stress objective changes differ from the reference's"
            raise RuntimeError(msg)
    return {
        "total_s": statistics.median(new_s),
        "runs_s": new_s,
        "reference_s": statistics.median(ref_s),
        "reference_runs_s": ref_s,
        "reference": what,
        "solved": int((~r_new["skipped"]).sum()),
        "assets": len(r_new),
        "reps": reps,
    }


def montecarlo_batch(net: Network, n: int, workers: int, reps: int) -> dict[str, Any]:
    """``crudeflow.analysis.montecarlo`` with ``workers`` processes: ms per draw."""
    from crudeflow.analysis.montecarlo import montecarlo

    def once() -> dict[str, Any]:
        # two chunks: each chunk starts from a cold solve (for reproducibility), so one per worker
        r = montecarlo(net, n=n, seed=1, workers=workers, chunk_size=max(1, n // 2))
        return {"draws": r.n, "mean_objective_musd": float(r.objective_musd.mean())}

    res = _timed(once, reps)
    res["ms_per_draw"] = 1000 * res["total_s"] / n
    return res


def load(instance: str) -> tuple[Network, bool]:
    """The instance's network and whether to plan it strict."""
    inst = INSTANCES[instance]
    return inst.build(), inst.strict
