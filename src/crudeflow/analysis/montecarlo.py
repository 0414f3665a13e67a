"""Monte Carlo of random link outages: distribution of unmet demand and crude cost per importer.

Model of one draw (one year):

* Each active link has ``outage_rate_per_year`` (expected outages per year) and
  ``outage_mean_days`` (mean duration); where the dataset leaves them empty a default per
  mode applies (``DEFAULT_OUTAGES``, overridable). The number of outages is Poisson, the
  durations exponential, so the days out are Gamma(count, mean); the fraction of the year
  out is ``f = min(1, days / 365)`` (overlaps are not merged: a simplification).
* The annual LP sees the link with capacity ``capacity × (1 − f)``: an outage of a
  fraction of the year removes that fraction of the year's throughput, assuming the rest
  of the year can run at full rate (no catch-up above capacity).
* On a network with periods (``periods:``) outages have dates: the number of outages of a
  link over the horizon is Poisson (rate × horizon in years), each starts on a uniform day
  of the horizon and lasts an exponential number of days; it removes the share of each
  period it covers from the link's capacity rows of that period (prorated, overlaps
  added, capped at the whole period). Stocks are the LP's storage and carry through the
  periods (no ``stock_days`` rebate); unmet is Mt over the horizon. Annual networks keep
  the model above exactly (the same random stream).
* Strategic stocks soften shortfalls after the LP (annual networks): a refinery's unmet demand is reduced
  by up to ``stock_days / 365 × demand`` (one drawdown a year, not refilled within it).
* Crude cost per importer: its refineries' runs at their average delivered cost (supply
  price + tariffs + duties + fees), million USD per year. Crude is costed by proportional
  mixing: each (node, grade) state's average cost is the flow-weighted average of what
  enters it, one sparse solve per draw (no path decomposition). Unmet demand is reported
  in Mt, not costed.

Draws are generated per chunk of fixed size from ``SeedSequence(seed, spawn_key=(chunk,))``
and every chunk starts from a cleared solver, so the same seed gives the same numbers on
any number of workers, local or on Dask. Each worker keeps one live HiGHS model and only
changes the capacity-row bounds per draw.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crudeflow._types import TOL_FLOW_MT, FArray, IArray, JSONDict
from crudeflow._types import TOL_PATH_MT as FLOW_EPS
from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError, SolverError
from crudeflow.model.network import Network
from crudeflow.optimize.build import PlanOptions, build_lp
from crudeflow.optimize.lp import LP
from crudeflow.optimize.solve import HighsModel
from crudeflow.progress import CancelToken, ProgressFn, is_cancelled, report
from crudeflow.results.commitments import prepaid_credit
from crudeflow.results.paths import average_costs as state_average_costs
from crudeflow.results.plan import economic_cost_vector
from crudeflow.results.tables import Column, JSONResult, ResultTable, col, records
from crudeflow.schema.modes import MODE_TABLE
from crudeflow.units import DAYS_PER_YEAR

DEFAULT_OUTAGES: dict[str, tuple[float, float]] = {
    m.name: (m.outage_rate_per_year, m.outage_mean_days) for m in MODE_TABLE.values()
}
"""Per mode: (outages per year, mean outage days) used where a link gives none, from the
modes table (``crudeflow.schema.modes``)."""

PARALLEL_MIN_DRAWS = 2000
"""Below this many draws Monte Carlo runs in-process unless ``workers`` is given: starting
worker processes (a fresh interpreter each, then the LP and a HiGHS model) costs more than
it saves. Measured on the shipped dataset, two busy cores, one against two workers, end to
end: 1,000 draws 13.3 s against 22.1 s, 2,000 draws 26.8 s against 26.8 s, 4,000 draws
40.2 s against 30.1 s (the same numbers each time)."""


@dataclass(frozen=True)
class MCProblem:
    """Everything a worker needs, pickled once per worker: the LP and the draw parameters."""

    token: str
    lp: LP
    solver_options: dict[str, str | int | float | bool]
    cap_rows: IArray
    capacity: FArray
    rate_per_year: FArray
    mean_days: FArray
    unmet_key: IArray
    stock_cover: FArray
    consume_key: IArray
    consume_rows: IArray
    flow_tail: IArray
    flow_head: IArray
    flow_cost: FArray
    supply_rows: IArray
    supply_price: FArray
    n_states: int
    n_importers: int
    seed: int
    n: int
    chunk_size: int
    economic_cost: FArray
    """Per LP column, its economic cost (``results.plan.economic_cost_vector``): ``@ x`` is MUSD/yr."""
    row_link: IArray | None = None
    """Per capacity row of a network with periods: its link's position (None: annual)."""
    row_period: IArray | None = None
    """Per capacity row: its period."""
    period_start_day: FArray | None = None
    """Per period: first day, counted from the start of the horizon."""
    period_days: FArray | None = None
    """Per period: days in it."""


@dataclass(frozen=True)
class ChunkResult:
    """Per draw of one chunk: objective (MUSD), unmet before/after stocks and cost per importer."""

    chunk: int
    objective_musd: FArray
    unmet_raw: FArray
    unmet: FArray
    cost_musd: FArray
    economic_cost_musd: FArray


def draw_row_fractions(p: MCProblem, chunk: int) -> FArray:
    """Share of each capacity row out per draw of one chunk: (draws, rows).

    Annual: the link's outage fraction of the year (``draw_fractions``). With periods,
    each outage starts on a uniform day of the horizon and lasts an exponential number of
    days: it removes the share of each period it covers (prorated; overlaps add, capped at
    the whole period). Depends on the seed and the chunk only.
    """
    if p.row_link is None or p.row_period is None or p.period_start_day is None or p.period_days is None:
        return draw_fractions(p, chunk)
    start = chunk * p.chunk_size
    m = min(p.n, start + p.chunk_size) - start
    rng = np.random.default_rng(np.random.SeedSequence(p.seed, spawn_key=(chunk,)))
    ps, pd_ = p.period_start_day, p.period_days
    horizon = float(ps[-1] + pd_[-1])
    n_l, n_t = len(p.rate_per_year), len(ps)
    counts = rng.poisson(p.rate_per_year * horizon / DAYS_PER_YEAR, size=(m, n_l))
    draw, link = np.nonzero(counts)
    reps = counts[draw, link]
    draw, link = np.repeat(draw, reps), np.repeat(link, reps)
    begin = rng.uniform(0.0, horizon, size=len(link))
    end = begin + rng.exponential(p.mean_days[link])
    cover = np.clip(
        np.minimum(end[:, None], (ps + pd_)[None, :]) - np.maximum(begin[:, None], ps[None, :]), 0, None
    )
    out = np.zeros((m, n_l, n_t))
    np.add.at(out, (draw, link), cover / pd_[None, :])
    frac = np.minimum(out, 1.0)
    return np.asarray(frac[:, p.row_link, p.row_period], dtype=float)


def draw_fractions(p: MCProblem, chunk: int) -> FArray:
    """Outage fraction of the year per (draw, link) for one chunk; depends on seed and chunk only."""
    start = chunk * p.chunk_size
    m = min(p.n, start + p.chunk_size) - start
    rng = np.random.default_rng(np.random.SeedSequence(p.seed, spawn_key=(chunk,)))
    counts = rng.poisson(p.rate_per_year, size=(m, len(p.rate_per_year)))
    days = rng.gamma(counts.astype(float), np.broadcast_to(p.mean_days, counts.shape))
    return np.minimum(1.0, days / DAYS_PER_YEAR)


def average_costs(p: MCProblem, x: FArray) -> FArray:
    """Average delivered cost (USD/t) of every (node, grade) state of a draw's solution.

    The plan's own delivered-cost solve (``results.paths.average_costs``: exact with loops
    and swaps, unfed states left out, no tariff on ship-or-pay volume already paid for);
    states no crude reaches get 0.
    """
    f = x[p.lp.vars["flow"].slice]
    s = x[p.lp.vars["supply"].slice]
    on, s_on = f > FLOW_EPS, s > FLOW_EPS
    avg = state_average_costs(
        p.n_states, p.supply_rows[s_on], s[s_on], p.supply_price[s_on, None],
        p.flow_tail[on], p.flow_head[on], f[on], (p.flow_cost - prepaid_credit(p.lp, x))[on, None],
    )  # fmt: skip
    return np.nan_to_num(avg[:, 0], nan=0.0)


_WORKER: dict[str, HighsModel] = {}
"""Per process: the live HiGHS model of the current problem (by token)."""


def run_chunk(p: MCProblem, chunk: int) -> ChunkResult:
    """Solve every draw of one chunk on this process's live model (pure given ``p`` and chunk)."""
    hm = _WORKER.get(p.token)
    if hm is None:
        _WORKER.clear()
        hm = HighsModel(p.lp, p.solver_options)
        _WORKER[p.token] = hm
    hm.h.clearSolver()
    frac = draw_row_fractions(p, chunk)
    m = len(frac)
    obj = np.empty(m)
    econ = np.empty(m)
    raw = np.empty((m, p.n_importers))
    unmet = np.empty((m, p.n_importers))
    cost = np.empty((m, p.n_importers))
    u_sl = p.lp.vars["unmet"].slice
    c_sl = p.lp.vars["consume"].slice
    lower = np.full(len(p.cap_rows), -np.inf)
    prev = np.full(len(p.cap_rows), np.nan)
    for j in range(m):
        cap = p.capacity * (1.0 - frac[j])
        changed = np.flatnonzero(cap != prev)  # the first draw of a chunk sets every row
        hm.set_row_bounds(p.cap_rows[changed], lower[changed], cap[changed])
        prev = cap
        res = hm.run()
        if not res.ok:
            msg = f"Monte Carlo draw {chunk * p.chunk_size + j} did not solve: {res.status.value}"
            raise SolverError(msg)
        x = res.x
        u = x[u_sl]
        obj[j] = res.objective
        econ[j] = float(p.economic_cost @ x)
        raw[j] = np.bincount(p.unmet_key, weights=u, minlength=p.n_importers)
        unmet[j] = np.bincount(
            p.unmet_key, weights=np.maximum(0.0, u - p.stock_cover), minlength=p.n_importers
        )
        avg = average_costs(p, x)
        value = x[c_sl] * avg[p.consume_rows]
        cost[j] = np.bincount(p.consume_key, weights=value, minlength=p.n_importers)
    return ChunkResult(chunk, obj, raw, unmet, cost, econ)


def _stat_cols(prefix: str, unit: str, label: str, what: str) -> tuple[Column, ...]:
    return (
        col(f"expected_{prefix}_{unit}", "float64", label, f"mean {what} over the draws"),
        col(f"p50_{prefix}_{unit}", "float64", label, f"median {what}"),
        col(f"p90_{prefix}_{unit}", "float64", label, f"90th percentile of {what}"),
        col(f"p99_{prefix}_{unit}", "float64", label, f"99th percentile of {what}"),
    )


MC_SUMMARY = ResultTable(
    "summary", "importing country", "importer",
    (
        col("demand_mt_per_year", "float64", "Mt/yr", "the importer's refinery demand"),
        *_stat_cols("unmet", "mt_per_year", "Mt/yr", "unmet demand after stocks"),
        col("p_shortfall", "float64", "", "share of draws with any unmet demand after stocks"),
        *_stat_cols("cost", "musd", "MUSD/yr", "crude cost of the importer's runs"),
    ),
)  # fmt: skip
"""``MonteCarloResult.summary``."""
MC_SYSTEM = ResultTable(
    "system", "the whole system (one row): economic cost first, then the objective", None,
    (
        *_stat_cols("economic_cost", "musd", "MUSD/yr", "economic cost (the objective without penalties)"),
        *_stat_cols("objective", "musd", "MUSD/yr", "the system objective (with penalties)"),
    ),
)  # fmt: skip
MC_DRIVERS = ResultTable(
    "drivers", "importer and link, top links per importer", None,
    (
        col("importer", "str", "", "importing country"),
        col("link", "str", "", "link id"),
        col("tail_draws", "int64", "", "draws above the importer's P90 unmet"),
        col("mean_outage_fraction", "float64", "", "the link's mean outage fraction of the year, all draws"),
        col("tail_outage_fraction", "float64", "", "its mean outage fraction in the tail draws"),
        col("lift", "float64", "", "tail minus overall outage fraction"),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class MonteCarloResult(JSONResult):
    """Distribution over draws. Volumes Mt/yr, costs million USD/yr.

    ``summary`` (index importer): demand, expected / P50 / P90 / P99 unmet demand after
    stocks, probability of any shortfall, expected / P50 / P90 / P99 crude cost.
    ``system``: the same statistics of the economic cost (no penalties), then of the
    objective (with the shortage, shut-in and contract penalties). ``drivers``: per importer, the
    links whose mean outage fraction in the draws above the importer's P90 unmet exceeds
    their overall mean the most (``lift``). ``unmet`` and ``cost``: per draw × importer.
    """

    n: int
    seed: int
    executor: str
    workers: int
    summary: pd.DataFrame
    system: pd.DataFrame
    drivers: pd.DataFrame
    unmet: pd.DataFrame
    cost: pd.DataFrame
    objective_musd: pd.Series
    economic_cost_musd: pd.Series
    interrupted: bool = False
    """Stopped early (cancel token or Ctrl-C): statistics over the draws finished (``n``)."""
    seconds: float = 0.0
    executor_note: str = ""

    def to_dict(self) -> JSONDict:
        """``montecarlo --json``: the run's scalars and its three tables as records.

        Keys: n, seed, executor, workers, executor_note, interrupted, seconds, ``summary``,
        ``system``, ``drivers``.
        """
        return {
            "n": self.n, "seed": self.seed, "executor": self.executor, "workers": self.workers,
            "executor_note": self.executor_note, "interrupted": self.interrupted, "seconds": self.seconds,
            "summary": records(self.summary), "system": records(self.system),
            "drivers": records(self.drivers),
        }  # fmt: skip


def choose_executor(
    n: int, n_chunks: int, workers: int | None = None, scheduler: str | object | None = None
) -> tuple[str, int | None, str]:
    """Executor name, workers and a note on why, from the size of the work.

    A scheduler means Dask. Given ``workers`` (validated, capped at the cores) is obeyed.
    Otherwise: in-process below ``PARALLEL_MIN_DRAWS`` draws or on one core, else one
    worker per core (no more than there are chunks). Results do not depend on the choice.
    """
    from crudeflow.parallel import check_workers

    if scheduler is not None:
        return "dask", None, ""
    use, note = check_workers(workers)
    if workers is None:
        if use == 1:
            return "serial", 1, "auto: in-process (one core)"
        if n < PARALLEL_MIN_DRAWS:
            why = f"{n} draws are fewer than the {PARALLEL_MIN_DRAWS} where worker processes pay off"
            return "serial", 1, f"auto: in-process, {why} (set workers to override)"
        note = f"auto: one worker per core for {n} draws"
    if use > n_chunks:
        why = (
            f"{use} workers asked for, but {n} draws make {n_chunks} chunk{'s' if n_chunks > 1 else ''}: "
            f"at most one worker per chunk (a smaller chunk size spreads the draws)"
        )
        note = f"{note}; {why}" if note else why
    use = min(use, n_chunks)
    return ("serial" if use == 1 else "local"), use, note


def _outage_params(
    links: pd.DataFrame, defaults: Mapping[str, tuple[float, float]] | None
) -> tuple[FArray, FArray]:
    """Per link: outages per year and mean days, the link's own or its mode's default."""
    table = {**DEFAULT_OUTAGES, **(defaults or {})}
    modes = links["mode"].astype(str)
    unknown = sorted((set(defaults or {}) | set(modes)) - set(MODE_TABLE))  # never a silent 0
    if unknown:
        where = {m: links.index[modes == m].tolist()[:3] for m in unknown}
        named = "; ".join(f"{m!r}" + (f" (links {', '.join(map(str, where[m]))})" if where[m] else "")
                          for m in unknown)  # fmt: skip
        msg = f"outage defaults: mode(s) {named} not in the modes table ({', '.join(MODE_TABLE)})"
        raise CrudeflowError(msg)
    d_rate = modes.map(lambda m: table[m][0]).to_numpy(float)
    d_days = modes.map(lambda m: table[m][1]).to_numpy(float)
    rate = links["outage_rate_per_year"].to_numpy(float)
    days = links["outage_mean_days"].to_numpy(float)
    return np.where(np.isnan(rate), d_rate, rate), np.where(np.isnan(days), d_days, days)


def prepare(
    network: Network,
    *,
    n: int,
    seed: int,
    chunk_size: int = 100,
    default_outages: Mapping[str, tuple[float, float]] | None = None,
    options: PlanOptions | None = None,
) -> tuple[MCProblem, pd.Index, pd.Index, FArray]:
    """Build the LP and the worker problem; also return importer and link ids and demands."""
    opts = options or PlanOptions()
    _outage_params(network.links, default_outages)  # every mode in the table, before the LP
    model = build_lp(network, opts)
    lp, idx, net = model.lp, model.index, network
    links = net.links.loc[idx.link_ids]
    rate, days = _outage_params(links, default_outages)
    u = lp.vars["unmet"]
    d_country = net.nodes["country"].reindex(u.labels["node"]).to_numpy(dtype=str)
    importers, u_key = np.unique(d_country, return_inverse=True)
    dem = net.demands.reindex(u.labels["node"])
    demand = dem["demand_mt_per_year"].to_numpy(float)
    cover = dem["stock_days"].fillna(0.0).to_numpy(float) / DAYS_PER_YEAR * demand
    c = lp.vars["consume"]
    c_key = np.searchsorted(importers, net.nodes["country"].reindex(c.labels["node"]).to_numpy(dtype=str))
    sg = model.states
    c_rows, f_tail, f_head, s_rows = sg.rows["consume"], sg.flow_tail, sg.flow_head, sg.rows["supply"]
    sl = lp.vars["supply"]
    cap = lp.cons["capacity"]
    timed: dict[str, object] = {}
    if model.axis.dated:
        days_t = model.axis.days.astype(float)
        timed = {
            "row_link": idx.link_ids.get_indexer(cap.labels["link"]).astype(np.int64),
            "row_period": cap.labels["period"].to_numpy(np.int64),
            "period_start_day": np.concatenate([[0.0], np.cumsum(days_t)[:-1]]),
            "period_days": days_t,
        }
        cover = np.zeros_like(cover)  # stocks are storage rows of the LP and carry through periods
    problem = MCProblem(
        token=uuid.uuid4().hex, lp=lp, solver_options=dict(opts.solver_options),
        cap_rows=np.arange(cap.start, cap.start + cap.size, dtype=np.int64), capacity=cap.upper.copy(),
        rate_per_year=rate, mean_days=days, unmet_key=u_key.astype(np.int64), stock_cover=cover,
        consume_key=c_key.astype(np.int64), consume_rows=c_rows.astype(np.int64),
        flow_tail=f_tail.astype(np.int64), flow_head=f_head.astype(np.int64),
        flow_cost=lp.vars["flow"].cost.copy(),
        supply_rows=s_rows.astype(np.int64), supply_price=sl.cost.copy(), n_states=sg.size,
        n_importers=len(importers), seed=int(seed), n=int(n), chunk_size=int(chunk_size),
        economic_cost=economic_cost_vector(model), **timed,  # type: ignore[arg-type]
    )  # fmt: skip
    imp_demand = np.bincount(u_key, weights=demand, minlength=len(importers))
    return (
        problem,
        pd.Index(importers, name="importer"),
        pd.Index(idx.link_ids, name="link"),
        imp_demand.astype(float),
    )


def _stats(frame: pd.DataFrame, prefix: str, unit: str) -> pd.DataFrame:
    if len(frame) == 0:  # no draw finished (cancelled at once): the statistics are NaN
        frame = pd.DataFrame(np.full((1, frame.shape[1]), np.nan), columns=frame.columns)
    q = frame.quantile([0.5, 0.9, 0.99]).T
    return pd.DataFrame({
        f"expected_{prefix}_{unit}": frame.mean(), f"p50_{prefix}_{unit}": q[0.5],
        f"p90_{prefix}_{unit}": q[0.9], f"p99_{prefix}_{unit}": q[0.99],
    })  # fmt: skip


def montecarlo(
    network: Network | str | Path,
    *,
    n: int = 10_000,
    seed: int = 1,
    workers: int | None = None,
    scheduler: str | object | None = None,
    chunk_size: int = 100,
    default_outages: Mapping[str, tuple[float, float]] | None = None,
    top_drivers: int = 5,
    options: PlanOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> MonteCarloResult:
    """Sample ``n`` years of random link outages and re-plan each (see the module docstring).

    Runs in-process, on local worker processes (``workers``; by default chosen from
    ``n``, see ``choose_executor``) or on a Dask cluster (``scheduler``: an address
    ``tcp://HOST:PORT`` or a ``Client``); ``executor``, ``workers`` and ``executor_note``
    say which ran. The same ``seed`` and ``chunk_size`` give the same numbers whatever runs
    them. Works from a script without an ``if __name__ == "__main__":`` guard.

    ``progress(done, total)`` counts draws (0 first, then after each chunk). A ``cancel``
    token cancelled stops between chunks (work in flight is dropped) and returns the
    chunks finished so far, flagged ``interrupted`` (``n`` = draws kept, possibly 0). A
    ``KeyboardInterrupt`` does the same, except that with no chunk finished it propagates.
    """
    from crudeflow.parallel import get_executor

    if n < 1 or chunk_size < 1:
        msg = f"n and chunk_size must be at least 1, not n={n}, chunk_size={chunk_size}"
        raise CrudeflowError(msg)
    n_chunks = -(-n // chunk_size)
    name, use, note = choose_executor(n, n_chunks, workers, scheduler)
    t0 = time.perf_counter()
    network = as_network(network)
    problem, importers, link_ids, imp_demand = prepare(
        network, n=n, seed=seed, chunk_size=chunk_size, default_outages=default_outages, options=options
    )
    ex = get_executor(name, workers=use, scheduler=scheduler, note=note)
    done: dict[int, ChunkResult] = {}
    interrupted = keyboard = False
    drawn = 0
    try:
        report(progress, 0, n)
        if is_cancelled(cancel):
            interrupted = True
        else:
            for _, res in ex.map(run_chunk, problem, list(range(n_chunks))):
                done[res.chunk] = res
                drawn += len(res.objective_musd)
                report(progress, drawn, n)
                if is_cancelled(cancel) and drawn < n:
                    interrupted = True
                    break
    except KeyboardInterrupt:
        interrupted = keyboard = True
    finally:
        ex.close()
    chunks = sorted(done)
    if not chunks and keyboard:
        raise KeyboardInterrupt  # interrupted before any chunk finished: nothing to report
    draw_idx = np.concatenate(
        [np.zeros(0, np.int64)] + [c * chunk_size + np.arange(len(done[c].objective_musd)) for c in chunks]
    )
    dindex = pd.Index(draw_idx, name="draw")
    empty = np.zeros((0, len(importers)))
    unmet = pd.DataFrame(
        np.vstack([empty, *(done[c].unmet for c in chunks)]), index=dindex, columns=importers
    )
    cost = pd.DataFrame(
        np.vstack([empty, *(done[c].cost_musd for c in chunks)]), index=dindex, columns=importers
    )
    obj = pd.Series(
        np.concatenate([np.zeros(0)] + [done[c].objective_musd for c in chunks]), index=dindex,
        name="objective_musd",
    )  # fmt: skip
    summary = pd.concat([_stats(unmet, "unmet", "mt_per_year"), _stats(cost, "cost", "musd")], axis=1)
    summary.insert(0, "demand_mt_per_year", imp_demand)
    summary.insert(5, "p_shortfall", (unmet > TOL_FLOW_MT).mean() if len(unmet) else np.nan)
    summary.index.name = "importer"
    econ = pd.Series(
        np.concatenate([np.zeros(0)] + [done[c].economic_cost_musd for c in chunks]), index=dindex,
        name="economic_cost_musd",
    )  # fmt: skip
    system = pd.concat(
        [_stats(econ.to_frame(), "economic_cost", "musd").reset_index(drop=True),
         _stats(obj.to_frame(), "objective", "musd").reset_index(drop=True)], axis=1,
    )  # fmt: skip
    frac = np.vstack([np.zeros((0, len(link_ids)))] + [_link_fractions(problem, c) for c in chunks])
    drivers = _drivers(unmet, frac, link_ids, top_drivers)
    return MonteCarloResult(
        n=len(draw_idx), seed=seed, executor=ex.name, workers=ex.workers, summary=summary, system=system,
        drivers=drivers, unmet=unmet, cost=cost, objective_musd=obj, economic_cost_musd=econ,
        interrupted=interrupted, seconds=time.perf_counter() - t0, executor_note=ex.note,
    )  # fmt: skip


def _link_fractions(p: MCProblem, chunk: int) -> FArray:
    """Per draw and link: its outage share (with periods: of its capacity over the horizon)."""
    if p.row_link is None or p.period_days is None or p.row_period is None:
        return draw_fractions(p, chunk)
    rows = draw_row_fractions(p, chunk)
    w = p.period_days[p.row_period]
    n_l = len(p.rate_per_year)
    num = np.zeros((len(rows), n_l))
    den = np.bincount(p.row_link, weights=w, minlength=n_l)
    np.add.at(num.T, p.row_link, (rows * w[None, :]).T)
    return np.asarray(num / np.where(den > 0, den, 1.0)[None, :], dtype=float)


def _drivers(unmet: pd.DataFrame, frac: FArray, link_ids: pd.Index, top: int) -> pd.DataFrame:
    """Links out most in each importer's tail (unmet above its P90) compared with overall."""
    if len(frac) == 0:
        return MC_DRIVERS.frame()
    overall = frac.mean(axis=0)
    rows = []
    for imp in unmet.columns:
        u = unmet[imp].to_numpy(float)
        tail = u > np.quantile(u, 0.9)
        if not tail.any():
            continue
        tail_mean = frac[tail].mean(axis=0)
        lift = tail_mean - overall
        for j in np.argsort(-lift, kind="stable")[:top]:
            if lift[j] <= 0:
                break
            rows.append({
                "importer": imp, "link": link_ids[j], "tail_draws": int(tail.sum()),
                "mean_outage_fraction": float(overall[j]), "tail_outage_fraction": float(tail_mean[j]),
                "lift": float(lift[j]),
            })  # fmt: skip
    return MC_DRIVERS.frame(rows)
