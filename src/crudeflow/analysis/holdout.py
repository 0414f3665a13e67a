"""Days of cover: how long an importer's refineries run at full demand after a loss.

For each *case* (a link, a node, a country as supplier, transit or both, or several at
once) the network is planned over a horizon of daily or weekly periods that starts on the
loss date, with the case's columns closed in every period, and the importer's shortage is
read off period by period (docs/holdout.md states the rule):

* **No foresight before the loss.** The horizon begins at the loss date; stocks start at
  their normal level: the dataset's ``storage.csv`` initial level, raised to a country's
  stock obligation where one is given; a refinery without a storage row holds its
  ``demands.stock_days`` of demand (the stock the dataset states for it). Nothing can be
  built up in anticipation, and no final level is required (stocks may end empty).
* **After the loss**, the plan minimises the importer's unmet volume and, among plans with
  the same volume, pushes its shortages as late as possible: the objective is the
  importer's unmet volume, weighted ``SHORT_WEIGHT`` in the last period and
  ``1 + LATENESS`` (1 %) more in the first, falling linearly, less a far smaller reward
  ``KEEP_WEIGHT`` for its own stocks kept (stocks are drawn only when something is
  short). The importer is served first from the routes and stocks left: other countries'
  demand, prices and tariffs do not count (in a crisis the question is what can
  physically reach the importer, not at what cost).
* **Stock obligations** may be drawn (released) by default; ``stock_draw=False`` keeps
  the obligation floors and leaves out the ``stock_days`` stand-ins. The tanks' working
  stock (``storage.min_level_mt``, kept by normal plans) is released either way: a crisis
  may draw a tank down to zero (above an obligation floor when one is kept).
* **Days of cover** = days before the first period with unmet demand + the part of that
  period the finite crude covers at full rate: ``L × W / (W + u)`` (``u`` unmet in that
  period of ``L`` days; ``W`` the finite crude run there = the period's runs less what the
  routes left deliver at their steady rate, read off the next period's runs per day), so
  a stock ``S`` with a remaining route ``r`` against demand ``d`` (per day) gives
  ``S / (d − r)`` days whatever the period length and wherever the tank is (the
  importer's own, upstream, or refilled with crude it may not run); no unmet: beyond
  the horizon. See ``cover_days``.

One HiGHS model per importer stays live (``ImporterCases``): the columns that can matter
to the importer (``relevant_columns``: crude that can still reach its refineries or tanks),
the rest fixed at the no-loss plan. Each case closes its columns, re-solves hot from the
no-loss basis and restores them (as ``stress``); a case closing a fixed column that carries
crude is solved on the full model. A case none of whose columns carries flow in the
importer's no-loss plan cannot change it: it is reported as skipped. A sample is re-solved
cold (the full model, fresh) and must agree within 1e-6 relative.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from crudeflow._types import TOL_FLOW_MT as SHORT_TOL_MT
from crudeflow._types import TOL_REL as REL_TOL
from crudeflow._types import TOL_ZERO as TOL
from crudeflow._types import FArray, IArray, JSONDict
from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError, SolverError
from crudeflow.model.network import Network
from crudeflow.model.periods import empty_calendar, stepped
from crudeflow.optimize.build import Model, PlanOptions, build_lp
from crudeflow.optimize.solve import HighsModel
from crudeflow.optimize.status import SolveResult
from crudeflow.progress import CancelToken, ProgressFn, is_cancelled, report
from crudeflow.results.tables import JSONResult, ResultTable, col, dumps, records
from crudeflow.units import stock_days_to_mt

HOLDOUT_STEPS = ("day", "week")
"""Period lengths of a days-of-cover horizon."""
SHORT_WEIGHT = 1000.0
"""Objective weight of a tonne of the importer's shortage in the last period (unitless)."""
LATENESS = 1e-2
"""Relative fall of the weight of the importer's shortage from the first period to the last."""
FLOW_WEIGHT = 1e-4
"""Objective cost per Mt on every flow: among equal plans, the fewest legs (and no crude
moved that the importer does not need, which keeps hot re-solves small)."""
KEEP_WEIGHT = 1e-3
"""Objective reward per Mt of the importer's own stock kept per period: stocks are not drawn
when nothing is short (far below the step of the shortage weight from period to period)."""
MAX_HORIZON_DAYS = 3660
CASE_KINDS = ("links", "nodes", "countries", "suppliers", "transits")
"""Case families ``cases`` may name; ``countries`` is each country in all three roles."""
ROLE_PREFIX = {"link": "link", "node": "node", "supplier": "supplier", "transit": "transit",
               "country": "both"}  # fmt: skip
RULE = (
    "no foresight: the horizon starts at the loss with stocks at their normal level (storage.csv initial "
    "level, raised to a stock obligation; stock_days of demand at refineries without a storage row); "
    "after the loss the importer's unmet volume is minimised and its shortages pushed as late as possible "
    "(a shortage weighs 1 % more in the first period than in the last; stocks are drawn only when needed); "
    "the importer is served first "
    "from the routes and stocks left, costs and other countries' demand do not count"
)

HOLDOUT_RANKING = ResultTable(
    "ranking", "importer and case (a loss), fewest days of cover first", None,
    (
        col("importer", "str", "", "importing country"),
        col("case", "str", "", "what is lost: link:ID, node:ID, supplier:CC, transit:CC, country:CC "
            "(both roles), joined by ' + ' for N-k; '(no loss)' is the reference"),
        col("kind", "str", "", "link, node, supplier, transit, country, N-k or none"),
        col("members", "tuple", "", "the cases lost together"),
        col("columns", "int64", "", "LP columns the loss closes (every period)"),
        col("skipped", "bool", "", "no flow on any closed column in the no-loss plan: nothing changes"),
        col("status", "str", "", "solve status (optimal, skipped, ...)"),
        col("days_of_cover", "float64", "days",
            "days from the loss before the importer's refineries first cannot run at full demand "
            "(NaN: beyond the horizon)"),
        col("beyond_horizon", "bool", "", "no unmet demand within the horizon"),
        col("first_short_date", "str", "", "the first day with unmet demand (empty: beyond the horizon)"),
        col("unmet_mt", "float64", "Mt", "the importer's unmet demand over the horizon"),
        col("unmet_share", "float64", "", "unmet over the importer's demand over the horizon"),
        col("stock_drawn_mt", "float64", "Mt", "the importer's own stocks drawn over the horizon"),
        col("drawn_from", "str", "", "largest sources over the horizon: stocks, imports by link (Mt)"),
        col("rank", "int64", "", "per importer: 1 = fewest days of cover, then most unmet"),
    ),
)  # fmt: skip
"""``HoldoutResult.ranking``."""
HOLDOUT_DRAWS = ResultTable(
    "draws", "importer, case and source of crude over the horizon", None,
    (
        col("importer", "str", "", "importing country"),
        col("case", "str", "", "the case"),
        col("source_kind", "str", "", "stock (drawn from a tank), route (a link into the country) or "
            "domestic (supply in the country)"),
        col("source", "str", "", "storage node, link id or supply node"),
        col("mt", "float64", "Mt", "over the horizon"),
        col("mt_before_short", "float64", "Mt", "before the first shortage period (the horizon if none)"),
    ),
)  # fmt: skip
HOLDOUT_SERIES = ResultTable(
    "series", "importer, case, period and quantity (the reference and the top cases)", None,
    (
        col("importer", "str", "", "importing country"),
        col("case", "str", "", "the case"),
        col("period", "int64", "", "period position"),
        col("start", "str", "", "first day of the period"),
        col("days", "float64", "days", "days in the period"),
        col("quantity", "str", "", "demand, unmet, stock (level at the end), route (flow in) or domestic"),
        col("source", "str", "", "link (route), storage node (stock), supply node (domestic), or ''"),
        col("mt", "float64", "Mt", "in the period (stock: the level)"),
    ),
)  # fmt: skip
HOLDOUT_CHECKS = ResultTable(
    "checks", "sampled case re-solved cold", None,
    (
        col("importer", "str", "", "importing country"),
        col("case", "str", "", "the case"),
        col("hot_seconds", "float64", "s", "hot re-solve time"),
        col("cold_seconds", "float64", "s", "fresh model, same bounds and costs"),
        col("hot_objective", "float64", "", "objective of the hot re-solve"),
        col("cold_objective", "float64", "", "objective of the cold solve"),
        col("rel_diff", "float64", "", "|hot − cold| / max(1, |cold|)"),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class HoldoutResult(JSONResult):
    """Days of cover per importer and case (module docstring); volumes Mt over the horizon.

    ``ranking``: one row per importer and case, ranked per importer (fewest days first).
    ``draws``: what each case drew from where (stocks by node, imports by link).
    ``series``: per period, demand, unmet, stock levels and route flows of the reference
    and the ``series_top`` first cases per importer. ``checks``: hot against cold solves.
    """

    start: str
    horizon_days: int
    step: str
    stock_draw: bool
    rule: str
    ranking: pd.DataFrame
    draws: pd.DataFrame
    series: pd.DataFrame
    checks: pd.DataFrame
    hot_seconds: float = 0.0
    """Mean seconds per hot re-solve."""
    interrupted: bool = False
    seconds: float = 0.0

    def to_dict(self, top: int | None = None) -> JSONDict:
        """``holdout --json``: scalars, the ranking (first ``top`` rows per importer), draws, checks."""
        rank = self.ranking if top is None else self.ranking[self.ranking["rank"] <= top]
        keep = set(zip(rank["importer"], rank["case"], strict=True))
        dr = self.draws[
            [(i, c) in keep for i, c in zip(self.draws["importer"], self.draws["case"], strict=True)]
        ]
        return {
            "start": self.start, "horizon_days": self.horizon_days, "step": self.step,
            "stock_draw": self.stock_draw, "rule": self.rule, "interrupted": self.interrupted,
            "seconds": self.seconds, "hot_seconds": self.hot_seconds, "ranking": records(rank),
            "draws": records(dr), "checks": records(self.checks),
        }  # fmt: skip

    def to_json(self, top: int | None = None) -> str:
        """``to_dict(top)`` as text."""
        return dumps(self.to_dict(top))


def horizon_network(
    net: Network, *, start: str, horizon_days: int, step: str, stock_draw: bool = True
) -> Network:
    """The network over ``horizon_days`` of ``step`` periods from ``start``, stocks at normal level.

    Annual figures are prorated by days and dated rows and events apply by date, as for
    any calendar (``optimize.periods``). Storage needs no final level nor working level;
    stock obligations are released when ``stock_draw``; see the module docstring for the
    normal level.
    """
    if step not in HOLDOUT_STEPS:
        msg = f"step must be one of {', '.join(HOLDOUT_STEPS)}, not {step!r}"
        raise CrudeflowError(msg)
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        msg = f"horizon_days must be 1 to {MAX_HORIZON_DAYS}, not {horizon_days}"
        raise CrudeflowError(msg)
    try:
        s = np.datetime64(str(start), "D")
    except ValueError:
        msg = f"start must be an ISO date YYYY-MM-DD, not {start!r}"
        raise CrudeflowError(msg) from None
    cal = stepped(str(s), str(s + np.timedelta64(horizon_days - 1, "D")), step)
    stor = net.storage.copy()
    stor["min_final_mt"] = 0.0
    stor["min_level_mt"] = 0.0  # a crisis may draw working stock down to zero
    pv = net.period_values
    net = net.replace(period_values=pv[pv["table"].to_numpy() != "storage"])
    ob = net.stock_obligations.copy()
    if len(ob):
        stor = _raise_to_obligations(net, stor, ob)
        ob["released"] = bool(stock_draw)
    if stock_draw:
        stor = pd.concat([stor, _refinery_stocks(net, stor)])
    return net.replace(periods=cal, storage=stor, stock_obligations=ob)


def _raise_to_obligations(net: Network, stor: pd.DataFrame, ob: pd.DataFrame) -> pd.DataFrame:
    """Initial levels of each obligated country's stocks raised to its floor (within capacity)."""
    country = net.nodes["country"].reindex(stor.index).to_numpy(dtype=object)
    floor = stock_days_to_mt(
        ob["days_of_net_imports"].to_numpy(float), ob["net_imports_mt_per_year"].to_numpy(float)
    )
    need = pd.Series(floor, index=ob.index).reindex(country).fillna(0.0).to_numpy(float)
    init = stor["initial_mt"].to_numpy(float)
    have = pd.Series(init).groupby(country).transform("sum").to_numpy(float)
    scale = np.where((have > 0) & (need > have), need / np.where(have > 0, have, 1.0), 1.0)
    out = stor.copy()
    out["initial_mt"] = np.minimum(init * scale, stor["capacity_mt"].to_numpy(float))
    return out


def _refinery_stocks(net: Network, stor: pd.DataFrame) -> pd.DataFrame:
    """Storage rows standing in for the ``stock_days`` of refineries without a storage row.

    Level and capacity: ``stock_days × demand / 365`` Mt of the grade the refinery runs
    most in the annual plan (refineries the annual plan leaves without crude get none).
    """
    dem = net.demands
    days = dem["stock_days"].astype(float).fillna(0.0)
    pick = dem[(days > 0).to_numpy() & ~dem.index.isin(stor.index)]
    if len(pick) == 0:
        return stor.iloc[:0]
    grade = _main_grade(net).reindex(pick.index)
    pick = pick[grade.notna().to_numpy()]
    grade = grade.dropna()
    level = stock_days_to_mt(pick["stock_days"].to_numpy(float), pick["demand_mt_per_year"].to_numpy(float))
    rows = pd.DataFrame(
        {
            "capacity_mt": level, "initial_mt": level, "initial_grade": grade.to_numpy(dtype=object),
            "min_final_mt": 0.0, "min_level_mt": 0.0, "max_injection_mt_per_year": np.inf,
            "max_withdrawal_mt_per_year": np.inf,
            "holding_cost_usd_per_t_per_month": 0.0, "grades": [()] * len(pick), "source": "",
            "evidence": "", "confidence": "estimate",
            "note": "holdout: demands.stock_days of demand at the refinery (no storage row)",
        },
        index=pd.Index(pick.index, name=stor.index.name or "node"),
    )  # fmt: skip
    return rows.reindex(columns=stor.columns)


def _main_grade(net: Network) -> pd.Series:
    """Per refinery: the grade it runs most in the annual plan of ``net`` (no periods)."""
    annual = net.replace(periods=empty_calendar(), link_events=net.link_events.iloc[:0])
    model = build_lp(annual)
    res = HighsModel(model.lp).run(duals=False)
    if not res.ok:
        msg = f"the annual plan did not solve: {res.status.value}"
        raise SolverError(msg)
    c = model.lp.vars["consume"]
    runs = pd.DataFrame({"node": c.labels["node"], "grade": c.labels["grade"], "x": res.x[c.slice]})
    runs = runs[runs["x"] > TOL].sort_values(["node", "x"], ascending=[True, False], kind="stable")
    return runs.drop_duplicates("node").set_index("node")["grade"]


@dataclass(frozen=True)
class _Maps:
    """Columns and rows of one importer in the horizon LP (built once per importer)."""

    u_cols: IArray
    u_period: IArray
    demand: FArray
    """Per period: the importer's demand, Mt."""
    s_cols: IArray
    s_period: IArray
    s_node: IArray
    s_nodes: pd.Index
    s_init: FArray
    """Per storage node of the importer: initial level, Mt."""
    r_cols: IArray
    r_period: IArray
    r_link: IArray
    r_links: pd.Index
    d_cols: IArray
    d_period: IArray
    d_node: IArray
    d_nodes: pd.Index


def _maps(model: Model, importer: str) -> _Maps:
    lp, net, idx = model.lp, model.network, model.index
    n_t = model.axis.n
    country = net.nodes["country"]
    u = lp.vars["unmet"]
    group = importer.split("+")
    mine = np.isin(country.reindex(u.labels["node"]).to_numpy(dtype=object), group)
    u_cols = (u.start + np.flatnonzero(mine)).astype(np.int64)
    u_period = u.labels["period"].to_numpy(np.int64)[mine]
    dem = lp.cons["demand"]
    dmine = np.isin(country.reindex(dem.labels["node"]).to_numpy(dtype=object), group)
    demand = np.bincount(
        dem.labels["period"].to_numpy(np.int64)[dmine], weights=dem.lower[dmine], minlength=n_t
    )
    if "stock" in lp.vars:
        s = lp.vars["stock"]
        smine = np.isin(country.reindex(s.labels["node"]).to_numpy(dtype=object), group)
        s_nodes, s_node = np.unique(s.labels["node"].to_numpy(dtype=str)[smine], return_inverse=True)
        s_cols = (s.start + np.flatnonzero(smine)).astype(np.int64)
        s_period = s.labels["period"].to_numpy(np.int64)[smine]
    else:
        s_nodes, s_node = np.zeros(0, dtype=str), np.zeros(0, np.int64)
        s_cols = s_period = np.zeros(0, np.int64)
    s_init = net.storage["initial_mt"].groupby(level=0).sum().reindex(s_nodes).fillna(0.0).to_numpy(float)
    f = lp.vars["flow"]
    to_c = idx.node_country[f.labels["to_pos"].to_numpy()]
    from_c = idx.node_country[f.labels["from_pos"].to_numpy()]
    rmine = np.isin(to_c, group) & ~np.isin(from_c, group)
    r_links, r_link = np.unique(f.labels["link"].to_numpy(dtype=str)[rmine], return_inverse=True)
    sup = lp.vars["supply"]
    dmine2 = np.isin(country.reindex(sup.labels["node"]).to_numpy(dtype=object), group)
    d_nodes, d_node = np.unique(sup.labels["node"].to_numpy(dtype=str)[dmine2], return_inverse=True)
    return _Maps(
        u_cols, u_period, demand.astype(float), s_cols, s_period, s_node.astype(np.int64),
        pd.Index(s_nodes), s_init, (f.start + np.flatnonzero(rmine)).astype(np.int64),
        f.labels["period"].to_numpy(np.int64)[rmine], r_link.astype(np.int64), pd.Index(r_links),
        (sup.start + np.flatnonzero(dmine2)).astype(np.int64),
        sup.labels["period"].to_numpy(np.int64)[dmine2],
        d_node.astype(np.int64), pd.Index(d_nodes),
    )  # fmt: skip


@dataclass(frozen=True)
class _Read:
    """One solve read for one importer."""

    days_of_cover: float
    first_period: int
    unmet_t: FArray
    levels: FArray
    """(storage node, period): level at the end of the period."""
    drawn: FArray
    """Per storage node: Σ over periods of the fall of its level."""
    drawn_before: FArray
    routes_t: FArray
    """(link, period): flow into the country."""
    domestic_t: FArray


def cover_days(
    unmet_t: FArray, demand_t: FArray, days: FArray, drawn_t: FArray, tol: float = SHORT_TOL_MT
) -> tuple[float, int]:
    """Days of cover and the first short period (−1 and NaN days: none) from per-period figures.

    Before the first period ``t`` with unmet ``u`` > ``tol`` every day runs full. Within it
    the finite crude ``W`` (stock anywhere, upstream or the importer's own) covers the
    deficit at full rate for ``L × W / (W + u)`` of its ``L`` days, where ``W`` = the
    period's runs (demand − unmet) − what the routes left deliver at their steady rate,
    read off the next period's runs per day (all finite crude that can be run in time is
    spent by then: an earlier shortage weighs more). In the last period, ``W`` is the
    importer's own stock drawn, ``drawn_t``.
    """
    short = np.flatnonzero(unmet_t > tol)
    if len(short) == 0:
        return float("nan"), -1
    t = int(short[0])
    u = float(unmet_t[t])
    if t + 1 < len(days):
        steady = (float(demand_t[t + 1]) - float(unmet_t[t + 1])) / float(days[t + 1]) * float(days[t])
        w = float(demand_t[t]) - u - steady
    else:
        w = float(drawn_t[t])
    w = max(w, 0.0)
    return float(days[:t].sum() + days[t] * w / (w + u)), t


def _read(x: FArray, m: _Maps, days: FArray) -> _Read:
    n_t = len(days)
    unmet_t = np.bincount(m.u_period, weights=x[m.u_cols], minlength=n_t).astype(float)
    n_s = len(m.s_nodes)
    levels = np.zeros((n_s, n_t))
    np.add.at(levels, (m.s_node, m.s_period), x[m.s_cols])
    prev = np.concatenate([m.s_init[:, None], levels[:, :-1]], axis=1)
    fall = np.clip(prev - levels, 0.0, None)
    doc, t = cover_days(unmet_t, m.demand, days, fall.sum(axis=0))
    stop = n_t if t < 0 else t
    routes_t = np.zeros((len(m.r_links), n_t))
    np.add.at(routes_t, (m.r_link, m.r_period), x[m.r_cols])
    dom = np.zeros((len(m.d_nodes), n_t))
    np.add.at(dom, (m.d_node, m.d_period), x[m.d_cols])
    return _Read(doc, t, unmet_t, levels, fall.sum(axis=1), fall[:, :stop].sum(axis=1), routes_t, dom)


class LiveCases:
    """Hot re-solves of cases on one live model, each from the no-loss basis.

    The basis is reset only when the previous case moved it (took simplex iterations): a
    reset refactorises the basis, which costs about as much as a small re-solve.
    """

    def __init__(self, hm: HighsModel) -> None:
        self.hm = hm
        self.base = hm.run(duals=False)
        self.basis = hm.h.getBasis()
        self.moved = False

    def solve(self, cols: IArray) -> SolveResult:
        """Close ``cols``, re-solve hot, restore them."""
        if self.moved:
            self.hm.h.setBasis(self.basis)
        self.hm.close_cols(cols)
        try:
            res = self.hm.run(duals=False)
        finally:
            self.hm.restore_cols(cols)
        self.moved = res.iterations > 0 or not res.ok
        return res


def relevant_columns(model: Model, importer: str) -> IArray:
    """LP columns that can matter to ``importer``: the rest are fixed at the no-loss plan.

    States (node, grade, period) from which crude can still reach one of the importer's
    refinery runs or its own tanks (backwards along flows, stock carries and lags); the
    columns leaving such a state or supplying it, and every column outside the
    conservation rows (unmet, contract and policy columns). Crude at any other state
    cannot reach the importer, and the importer's objective gives it no reason to move.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    lp, net = model.lp, model.network
    cb = lp.cons["conservation"]
    rows = cb.rows - cb.start
    n_s = cb.size
    head = np.full(lp.n_cols, -1, np.int64)
    tail = np.full(lp.n_cols, -1, np.int64)
    head[cb.cols[cb.vals > 0]] = rows[cb.vals > 0]
    tail[cb.cols[cb.vals < 0]] = rows[cb.vals < 0]
    group = importer.split("+")
    country = net.nodes["country"]
    seeds = []
    for name in ("consume", "stock"):
        if name in lp.vars:
            v = lp.vars[name]
            node = v.labels["node"].to_numpy(dtype=str)
            mine = np.isin(country.reindex(node).to_numpy(dtype=object), group)
            seeds.append(tail[v.start + np.flatnonzero(mine)])
    seed = np.unique(np.concatenate(seeds))
    seed = seed[seed >= 0]
    arc = (head >= 0) & (tail >= 0)
    # edges reversed (head -> tail) plus a root pointing at the seeds
    r = np.concatenate([head[arc], np.full(len(seed), n_s)])
    c = np.concatenate([tail[arc], seed])
    g = csr_matrix((np.ones(len(r)), (r, c)), shape=(n_s + 1, n_s + 1))
    reach = np.zeros(n_s + 1, bool)
    reach[breadth_first_order(g, n_s, directed=True, return_predecessors=False)] = True
    into = np.where(head >= 0, reach[np.maximum(head, 0)], True)  # supply, or outside conservation
    keep = np.where(tail >= 0, reach[np.maximum(tail, 0)], into)
    return np.flatnonzero(keep).astype(np.int64)


class ImporterCases:
    """Hot re-solves of one importer's cases on a model of the columns that matter to it.

    The full model is solved once (the no-loss plan); the live model keeps the
    ``relevant_columns`` and fixes the others at their no-loss values (their row
    activity moved to the row bounds, rows left without a column dropped). A case that
    closes a fixed column carrying flow, or that the live model finds infeasible, is
    solved on the full model instead. Results
    come back on the full columns, objectives with the fixed columns' cost.
    """

    def __init__(self, model: Model, importer: str, options: PlanOptions) -> None:
        from crudeflow.optimize.lp import LP

        self.cost = importer_costs(model, importer)
        full = HighsModel(model.lp, options.solver_options)
        full.h.changeColsCost(len(self.cost), np.arange(len(self.cost), dtype=np.int32), self.cost)
        self.full = LiveCases(full)
        self.base = self.full.base
        self.live: LiveCases | None = None
        if not self.base.ok:
            return
        lp = model.lp
        keep = relevant_columns(model, importer)
        fixed = np.ones(lp.n_cols, bool)
        fixed[keep] = False
        self.fixed = fixed
        self.pos = np.full(lp.n_cols, -1, np.int64)
        self.pos[keep] = np.arange(len(keep))
        self.keep = keep
        x0 = np.where(fixed, self.base.x, 0.0)
        a = lp.matrix()
        act = a @ x0
        ak = a[:, keep].tocsr()
        rows = np.flatnonzero(np.diff(ak.indptr) > 0)
        ak = ak[rows].tocoo()
        sub = LP()
        sub.add_vars("x", self.cost[keep], lp.col_lower[keep], lp.col_upper[keep], pd.DataFrame(index=keep))
        lo, hi = lp.row_lower[rows] - act[rows], lp.row_upper[rows] - act[rows]
        sub.add_cons("rows", ak.row, ak.col, ak.data, lo, hi, pd.DataFrame(index=rows))
        self.x0 = x0
        self.offset = float(self.cost @ x0)
        self.live = LiveCases(HighsModel(sub, options.solver_options))
        got, want = self.live.base.objective + self.offset, self.base.objective
        if not (self.live.base.ok and abs(got - want) <= REL_TOL * max(1.0, abs(want))):
            self.live = None  # the fixed columns do not reproduce the no-loss plan: use the full model

    def _full(self, res: SolveResult) -> SolveResult:
        if not res.ok:
            return res
        x = self.x0.copy()
        x[self.keep] = res.x
        return replace(res, x=x, objective=res.objective + self.offset)

    def solve(self, cols: IArray) -> SolveResult:
        """Close ``cols`` (full-model columns), re-solve hot, restore them."""
        if self.live is None or np.any(self.fixed[cols] & (np.abs(self.x0[cols]) > TOL)):
            return self.full.solve(cols)
        res = self.live.solve(self.pos[cols[~self.fixed[cols]]])
        # the live model restricts the full one: if it finds no plan, the full model decides
        return self._full(res) if res.ok else self.full.solve(cols)


def importer_costs(model: Model, importer: str) -> FArray:
    """Per LP column, the objective of ``importer``'s days of cover.

    ``FLOW_WEIGHT`` on flows, otherwise zero except on its unmet columns (``SHORT_WEIGHT`` ×
    ``1 + LATENESS`` in the first period, falling to × 1 in the last) and its stocks
    (−``KEEP_WEIGHT`` per Mt and period; others' full tanks a tenth of that).
    """
    lp = model.lp
    u = lp.vars["unmet"]
    country = model.network.nodes["country"].reindex(u.labels["node"]).to_numpy(dtype=object)
    group = importer.split("+")
    mine = np.flatnonzero(np.isin(country, group))
    n_t = model.axis.n
    t = u.labels["period"].to_numpy(float)[mine]
    cost = np.zeros(lp.n_cols)
    cost[lp.vars["flow"].slice] = FLOW_WEIGHT
    cost[u.start + mine] = SHORT_WEIGHT * (1.0 + LATENESS * (n_t - 1 - t) / max(n_t - 1, 1))
    if "stock" in lp.vars:
        s = lp.vars["stock"]
        own = np.isin(model.network.nodes["country"].reindex(s.labels["node"]).to_numpy(dtype=object), group)
        # others' full tanks (refinery stocks) are kept too, at a tenth of the weight, so they
        # are not run down for nothing; tanks with room get nothing (no crude moved to fill them)
        stor = model.network.storage
        full = (stor["initial_mt"] >= stor["capacity_mt"] - 1e-12).groupby(level=0).all()
        is_full = full.reindex(s.labels["node"]).fillna(False).to_numpy(bool)
        cost[s.slice] = np.where(own, -KEEP_WEIGHT, np.where(is_full, -0.1 * KEEP_WEIGHT, 0.0))
    return cost


def case_columns(model: Model, cases: Sequence[str], k: int = 1) -> dict[str, IArray]:
    """Columns each case closes, by case name.

    ``cases``: families (``CASE_KINDS``) or ids ``link:ID``, ``node:ID``, ``supplier:CC``,
    ``transit:CC``, ``country:CC``, joined by ``+`` for a case of several (N-k).
    """
    from crudeflow.analysis.contingency import asset_columns

    cache: dict[str, dict[str, IArray]] = {}

    def family(prefix: str) -> dict[str, IArray]:
        if prefix not in cache:
            if prefix in ("link", "node"):
                cache[prefix] = asset_columns(model, prefix + "s")
            else:
                cache[prefix] = asset_columns(model, "countries", ROLE_PREFIX[prefix])
        return cache[prefix]

    out: dict[str, IArray] = {}
    bad: list[str] = []
    for spec in cases:
        spec = spec.strip()
        fams = {"links": ["link"], "nodes": ["node"], "suppliers": ["supplier"], "transits": ["transit"],
                "countries": ["supplier", "transit", "country"]}.get(spec)  # fmt: skip
        if fams is not None:
            for p in fams:
                out.update({f"{p}:{a}": c for a, c in family(p).items()})
            continue
        parts = [s.strip() for s in spec.split("+")]
        cols: list[IArray] = []
        for part in parts:
            prefix, _, ident = part.partition(":")
            if prefix not in ROLE_PREFIX or not ident:
                bad.append(f"{part!r}: expected one of {', '.join(CASE_KINDS)} or link:ID, node:ID, "
                           "supplier:CC, transit:CC, country:CC")  # fmt: skip
                continue
            ident = ident.upper() if prefix in ("supplier", "transit", "country") else ident
            fam = family(prefix)
            if ident not in fam:
                bad.append(f"{part!r}: no {prefix if prefix in ('link', 'node') else 'country'} {ident!r}")
                continue
            cols.append(fam[ident])
        if len(cols) == len(parts):
            name = " + ".join(f"{p.partition(':')[0]}:{_norm(p)}" for p in parts)
            out[name] = np.unique(np.concatenate(cols)).astype(np.int64)
    if bad:
        raise CrudeflowError("cases: " + "; ".join(bad))
    del k
    return out


def _norm(part: str) -> str:
    prefix, _, ident = part.partition(":")
    return ident.strip().upper() if prefix.strip() in ("supplier", "transit", "country") else ident.strip()


def _kind(case: str) -> str:
    if " + " in case:
        return f"N-{case.count(' + ') + 1}"
    return case.partition(":")[0]


def holdout(
    network: Network | str | Path,
    importer: str | Sequence[str] | None = None,
    *,
    cases: Sequence[str] = ("links", "nodes", "countries"),
    k: int = 1,
    top_m: int = 8,
    horizon_days: int = 180,
    step: str = "week",
    start: str | None = None,
    stock_draw: bool = True,
    series_top: int = 10,
    check_sample: int = 3,
    options: PlanOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> HoldoutResult:
    """Days of cover of ``importer`` (a country code, several, or None: every importer) per case.

    ``cases``: case families or ids (``case_columns``); ``k`` ≥ 2 adds every combination
    of ``k`` of the ``top_m`` first N-1 cases of each importer. ``start``: the loss date
    (default: the first day of the network's periods, else 1 January of its base year).
    ``horizon_days`` of ``step`` (day or week) periods. ``stock_draw``: stock obligations
    may be drawn. See the module docstring for the rule.
    """
    if k < 1:
        msg = f"k must be at least 1, not {k}"
        raise CrudeflowError(msg)
    t0 = time.perf_counter()
    net = as_network(network)
    opts = options or PlanOptions()
    if start is None:
        start = str(net.periods["start"].iloc[0])[:10] if len(net.periods) else f"{net.meta.base_year}-01-01"
    hnet = horizon_network(net, start=start, horizon_days=horizon_days, step=step, stock_draw=stock_draw)
    importers = _importers(hnet, importer)
    model = build_lp(hnet, opts)
    days = model.axis.days
    starts = [str(s)[:10] for s in model.axis.calendar["start"]]
    case_cols = case_columns(model, cases)
    rows: list[dict[str, object]] = []
    draws: list[dict[str, object]] = []
    series: list[dict[str, object]] = []
    checks: list[dict[str, object]] = []
    hot: list[float] = []
    interrupted = False
    total = len(importers) * len(case_cols)
    done = 0
    report(progress, 0, total)
    try:
        for imp in importers:
            m = _maps(model, imp)
            live = ImporterCases(model, imp, opts)
            ccost = live.cost
            base = live.base
            if not base.ok:
                msg = f"the no-loss plan for {imp} did not solve: {base.status.value}"
                raise SolverError(msg)
            ref = _read(base.x, m, days)
            reads: dict[str, _Read] = {"(no loss)": ref}
            imp_rows = [_row(imp, "(no loss)", (), 0, False, "optimal", ref, m, days, starts)]
            solved: list[tuple[str, IArray, float, float]] = []
            todo = list(case_cols.items())
            passes = [todo] + ([[]] if k > 1 else [])
            for p, batch in enumerate(passes):
                if p == 1:  # N-k over the top_m first N-1 cases
                    first = _rank(imp_rows)
                    pool = [str(r["case"]) for r in first if r["case"] != "(no loss)"][:top_m]
                    batch = [
                        (" + ".join(c), np.unique(np.concatenate([case_cols[x] for x in c])))
                        for c in itertools.combinations(pool, k)
                    ]
                for case, c in batch:
                    if is_cancelled(cancel):
                        interrupted = True
                        break
                    members = tuple(case.split(" + "))
                    if len(c) == 0 or float(np.max(base.x[c], initial=0.0)) <= TOL:
                        r = ref
                        imp_rows.append(_row(imp, case, members, len(c), True, "skipped", r, m, days, starts))
                    else:
                        t_case = time.perf_counter()
                        res = live.solve(c)  # from the no-loss basis, not the last case's
                        hot.append(time.perf_counter() - t_case)
                        if not res.ok:
                            imp_rows.append(_row(imp, case, members, len(c), False, res.status.value, None,
                                                 m, days, starts))  # fmt: skip
                            continue
                        r = _read(res.x, m, days)
                        reads[case] = r
                        solved.append((case, c, res.objective, res.seconds))
                        imp_rows.append(
                            _row(imp, case, members, len(c), False, res.status.value, r, m, days, starts)
                        )
                    if p == 0:
                        done += 1
                        report(progress, done, total)
                if interrupted:
                    break
            ranked = _rank(imp_rows)
            rows += ranked
            for rr in ranked:
                r0 = reads.get(str(rr["case"]))
                if r0 is not None:
                    draws += _draws(imp, str(rr["case"]), r0, m)
            shown = ["(no loss)"] + [
                str(r["case"]) for r in ranked if r["case"] in reads and r["case"] != "(no loss)"
            ]
            for case in shown[: series_top + 1]:
                series += _series(imp, case, reads[case], m, days, starts)
            checks += _check(model, opts, imp, ccost, solved, check_sample)
            if interrupted:
                break
    except KeyboardInterrupt:
        interrupted = True
    return HoldoutResult(
        start=str(start), horizon_days=int(horizon_days), step=step, stock_draw=bool(stock_draw), rule=RULE,
        ranking=HOLDOUT_RANKING.frame(rows), draws=HOLDOUT_DRAWS.frame(draws),
        series=HOLDOUT_SERIES.frame(series), checks=HOLDOUT_CHECKS.frame(checks),
        hot_seconds=float(np.mean(hot)) if hot else 0.0, interrupted=interrupted,
        seconds=time.perf_counter() - t0,
    )  # fmt: skip


def _importers(net: Network, importer: str | Sequence[str] | None) -> list[str]:
    have = sorted(set(net.nodes["country"].reindex(net.demands.index).dropna().astype(str)))
    if importer is None or (isinstance(importer, str) and importer.lower() == "all"):
        return have
    want = [importer] if isinstance(importer, str) else list(importer)
    want = ["+".join(p.strip().upper() for p in w.split("+")) for w in want]
    bad = [p for w in want for p in w.split("+") if p not in have]
    if bad:
        msg = f"importer {', '.join(bad)}: not a country with refinery demand ({', '.join(have)})"
        raise CrudeflowError(msg)
    return want


def _row(
    imp: str, case: str, members: tuple[str, ...], n_cols: int, skipped: bool, status: str,
    r: _Read | None, m: _Maps, days: FArray, starts: list[str],
) -> dict[str, object]:  # fmt: skip
    rec: dict[str, object] = {
        "importer": imp, "case": case, "kind": "none" if case == "(no loss)" else _kind(case),
        "members": members, "columns": n_cols, "skipped": skipped, "status": status,
    }  # fmt: skip
    if r is None:
        rec.update(days_of_cover=np.nan, beyond_horizon=False, first_short_date="", unmet_mt=np.nan,
                   unmet_share=np.nan, stock_drawn_mt=np.nan, drawn_from="")  # fmt: skip
        return rec
    beyond = r.first_period < 0
    first = (
        ""
        if beyond
        else str(np.datetime64(starts[0], "D") + np.timedelta64(int(np.floor(r.days_of_cover + 1e-9)), "D"))
    )
    unmet = float(r.unmet_t.sum())
    rec.update(
        days_of_cover=r.days_of_cover, beyond_horizon=beyond, first_short_date=first, unmet_mt=unmet,
        unmet_share=unmet / float(m.demand.sum()) if m.demand.sum() > 0 else 0.0,
        stock_drawn_mt=float(r.drawn.sum()), drawn_from=_drawn_text(r, m),
    )  # fmt: skip
    return rec


def _drawn_text(r: _Read, m: _Maps, top: int = 4) -> str:
    items = [(f"{n} (stock)", v) for n, v in zip(m.s_nodes, r.drawn, strict=True)]
    items += list(zip(m.r_links, r.routes_t.sum(axis=1), strict=True))
    items += [(f"{n} (domestic)", v) for n, v in zip(m.d_nodes, r.domestic_t.sum(axis=1), strict=True)]
    items = [(n, v) for n, v in items if v > 1e-4]
    items.sort(key=lambda nv: -nv[1])
    return ", ".join(f"{n} {v:.2f}" for n, v in items[:top])


def _rank(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    def key(r: dict[str, object]) -> tuple[float, float, str]:
        d = r["days_of_cover"]
        u = r["unmet_mt"]
        dd = float(d) if isinstance(d, float) and np.isfinite(d) else np.inf
        uu = float(u) if isinstance(u, float) and np.isfinite(u) else -np.inf
        return (round(dd, 6), -round(uu, 6), str(r["case"]))

    out = sorted(rows, key=key)
    for i, r in enumerate(out):
        r["rank"] = i + 1
    return out


def _draws(imp: str, case: str, r: _Read, m: _Maps) -> list[dict[str, object]]:
    stop = r.routes_t.shape[1] if r.first_period < 0 else r.first_period
    out: list[dict[str, object]] = []
    for kind, names, tot, before in (
        ("stock", m.s_nodes, r.drawn, r.drawn_before),
        ("route", m.r_links, r.routes_t.sum(axis=1), r.routes_t[:, :stop].sum(axis=1)),
        ("domestic", m.d_nodes, r.domestic_t.sum(axis=1), r.domestic_t[:, :stop].sum(axis=1)),
    ):
        keep = np.flatnonzero(tot > 1e-6)
        out += [{"importer": imp, "case": case, "source_kind": kind, "source": str(names[i]),
                 "mt": float(tot[i]), "mt_before_short": float(before[i])} for i in keep]  # fmt: skip
    return out


def _series(
    imp: str, case: str, r: _Read, m: _Maps, days: FArray, starts: list[str]
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    base = {"importer": imp, "case": case}
    for t in range(len(days)):  # one row per period and quantity (small: the top cases only)
        per = {**base, "period": t, "start": starts[t], "days": float(days[t])}
        out.append({**per, "quantity": "demand", "source": "", "mt": float(m.demand[t])})
        out.append({**per, "quantity": "unmet", "source": "", "mt": float(r.unmet_t[t])})
        out += [{**per, "quantity": "stock", "source": str(n), "mt": float(r.levels[i, t])}
                for i, n in enumerate(m.s_nodes)]  # fmt: skip
        out += [{**per, "quantity": "route", "source": str(m.r_links[i]), "mt": float(r.routes_t[i, t])}
                for i in np.flatnonzero(r.routes_t.sum(axis=1) > 1e-6)]  # fmt: skip
        out += [{**per, "quantity": "domestic", "source": str(m.d_nodes[i]), "mt": float(r.domestic_t[i, t])}
                for i in np.flatnonzero(r.domestic_t.sum(axis=1) > 1e-6)]  # fmt: skip
    return out


def _check(
    model: Model, opts: PlanOptions, imp: str, cost: FArray,
    solved: list[tuple[str, IArray, float, float]], sample: int,
) -> list[dict[str, object]]:  # fmt: skip
    """Re-solve a sample cold (fresh model, same costs and closed columns); raise on disagreement."""
    out: list[dict[str, object]] = []
    if sample <= 0 or not solved:
        return out
    pick = np.unique(np.linspace(0, len(solved) - 1, min(sample, len(solved))).astype(int))
    for i in pick:
        case, c, hot_obj, hot_s = solved[i]
        t0 = time.perf_counter()
        cold = HighsModel(model.lp, opts.solver_options)
        cold.h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        cold.close_cols(c)
        res = cold.run(duals=False)
        secs = time.perf_counter() - t0
        rel = abs(hot_obj - res.objective) / max(1.0, abs(res.objective))
        out.append({"importer": imp, "case": case, "hot_seconds": hot_s, "cold_seconds": secs,
                    "hot_objective": hot_obj, "cold_objective": res.objective, "rel_diff": rel})  # fmt: skip
        if not rel <= REL_TOL:
            msg = f"{imp} {case}: hot {hot_obj:.8g} and cold {res.objective:.8g} re-solves disagree"
            raise CrudeflowError(msg)
    return out
