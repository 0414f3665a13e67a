"""Outages (N-1, N-2): remove an asset, re-plan hot on one live HiGHS model, rank the damage.

An *asset* is a set of LP columns forced to zero (``HighsModel.resolve_closed``), solved
from the base plan's basis, then restored. Definitions (one set of columns per asset):

* link: every flow variable of the link (all grades, both directions).
* node: every flow variable on an arc that starts or ends at the node, plus the node's
  supply, shut-in, refinery-run and market-sale columns. A lost refinery therefore shows
  its demand as unmet (its country loses those runs); a lost field or port strands its
  output.
* country as ``supplier``: the supply (and shut-in) columns of supply nodes located in
  the country. Grades of the country's origin supplied at nodes elsewhere (resold or
  stored cargoes) keep flowing.
* country as ``transit``: flow variables of grades of another origin on legs whose
  territory (end countries plus the ``countries`` list) includes the country and whose
  end node lies outside it: crude may still enter the country for its own refineries but
  may no longer leave or cross it. The country's own exports are untouched.
* country as ``both``: the union of the two.

An asset none of whose columns carries flow in the base plan cannot change the optimum
(the base solution stays feasible, hence optimal, in the smaller LP): it is reported as
skipped with a zero delta and not solved. Hot re-solves are checked against cold solves
(a fresh HiGHS model with the same bounds) on a sample; disagreement beyond 1e-6
relative raises ``CrudeflowError``.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crudeflow._types import TOL_CHANGE_MT as TOL_MT
from crudeflow._types import TOL_REL as REL_TOL
from crudeflow._types import TOL_ZERO as TOL
from crudeflow._types import FArray, IArray, JSONDict
from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError, SolverError
from crudeflow.model.network import Network
from crudeflow.optimize.build import Model, PlanOptions, build_lp
from crudeflow.optimize.policies import territory
from crudeflow.optimize.solve import HighsModel
from crudeflow.optimize.status import SolveResult
from crudeflow.progress import CancelToken, ProgressFn, is_cancelled, report
from crudeflow.results.tables import JSONResult, ResultTable, col, records
from crudeflow.units import mt_to_t

ASSET_KINDS = ("links", "nodes", "countries")
COUNTRY_ROLES = ("supplier", "transit", "both")

STRESS_RANKING = ResultTable(
    "ranking", "asset (or pair of assets) taken out", "asset",
    (
        col("kind", "str", "", "link, node or country"),
        col("members", "tuple", "", "the asset ids taken out together (one, or two for N-2)"),
        col("columns", "int64", "", "LP columns the outage closes"),
        col("skipped", "bool", "", "no base flow on any closed column: the optimum cannot change"),
        col("status", "str", "", "solve status of the re-plan (optimal, skipped, ...)"),
        col("unmet_mt_per_year", "float64", "Mt/yr", "added unmet demand, all importers"),
        col("shut_in_mt_per_year", "float64", "Mt/yr", "added shut-in (fixed output not placed)"),
        col("delta_economic_cost_usd", "float64", "USD/yr", "added economic cost (no penalties)"),
        col("unserved_value_usd", "float64", "USD/yr",
            "added unmet demand × each refinery's base delivered cost (what the lost crude was worth)"),
        col("delta_objective_usd", "float64", "USD/yr", "added objective (with penalties)"),
        col("lost_mt_per_year", "float64", "Mt/yr", "unmet + shut-in"),
        col("rank", "int64", "", "1 = most volume lost, then the largest added economic cost"),
    ),
)  # fmt: skip
"""``StressResult.ranking``: one row per case, best-ranked first."""

STRESS_UNMET = ResultTable(
    "unmet", "asset; one column per importing country", "asset",
    (col("<country>", "float64", "Mt/yr", "added unmet demand of that country"),), wide=True,
)  # fmt: skip
STRESS_SHUT_IN = ResultTable(
    "shut_in", "asset; one column per producing country", "asset",
    (col("<country>", "float64", "Mt/yr", "added shut-in of that country"),), wide=True,
)  # fmt: skip
STRESS_CHECKS = ResultTable(
    "checks", "sampled case re-solved cold", None,
    (
        col("asset", "str", "", "the case (or ``(base, restored)``)"),
        col("hot_objective_usd", "float64", "USD/yr", "objective of the hot re-solve"),
        col("cold_objective_usd", "float64", "USD/yr", "objective of a fresh model"),
        col("rel_diff", "float64", "", "|hot − cold| / max(1, |cold|)"),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class StressResult(JSONResult):
    """N-1 / N-2 outcome. Volumes Mt/yr (change versus the base plan), costs USD/yr.

    ``ranking`` (index ``asset``): kind, members, skipped, status, unmet_mt_per_year (added
    unmet demand, all importers), shut_in_mt_per_year (added shut-in: fixed output that
    cannot be placed, all producers), delta_economic_cost_usd (crude, transport, duties,
    fees minus market revenue), delta_objective_usd (with the penalties),
    lost_mt_per_year (unmet + shut-in), rank (1 = most volume lost, then the largest
    added economic cost). ``unmet``: asset × importing country, added unmet demand.
    ``shut_in``: asset × producing country (country of the supply node), added shut-in.
    ``checks``: hot versus cold objectives on the sampled assets.
    """

    base_objective_usd: float
    ranking: pd.DataFrame
    unmet: pd.DataFrame
    shut_in: pd.DataFrame
    checks: pd.DataFrame
    interrupted: bool = False
    """Stopped early (cancel token or Ctrl-C): the tables hold the cases finished so far."""
    seconds: float = 0.0

    def to_dict(self, top: int | None = None) -> JSONDict:
        """``stress --json``: scalars, then frames as records (the first ``top`` rows).

        Keys: base_objective_usd, interrupted, seconds, ``ranking``, ``unmet_mt_per_year``
        (from ``unmet``), ``shut_in_mt_per_year`` (from ``shut_in``), and every ``checks`` row.
        """
        return {
            "base_objective_usd": self.base_objective_usd, "interrupted": self.interrupted,
            "seconds": self.seconds, "ranking": records(self.ranking.head(top)),
            "unmet_mt_per_year": records(self.unmet.head(top)),
            "shut_in_mt_per_year": records(self.shut_in.head(top)), "checks": records(self.checks),
        }  # fmt: skip

    def to_json(self, top: int | None = None) -> str:
        """``to_dict(top)`` as text."""
        from crudeflow.results.tables import dumps

        return dumps(self.to_dict(top))


def _group(keys: IArray, cols: IArray, n: int) -> list[IArray]:
    """Split columns by an integer key 0..n-1 (vectorised sort + split)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n + 1))
    sorted_cols = cols[order]
    return [np.unique(sorted_cols[bounds[i] : bounds[i + 1]]) for i in range(n)]


def asset_columns(model: Model, assets: str = "links", country_role: str = "both") -> dict[str, IArray]:
    """Map each asset id to the LP columns its loss closes (see the module docstring)."""
    lp, idx, net = model.lp, model.index, model.network
    f = lp.vars["flow"]
    fl = f.labels
    fcols = f.start + np.arange(f.size, dtype=np.int64)
    if assets == "links":
        groups = _group(fl["link_pos"].to_numpy(np.int64), fcols, len(idx.link_ids))
        return dict(zip(idx.link_ids.astype(str), groups, strict=True))
    if assets == "nodes":
        keys = [fl["from_pos"].to_numpy(np.int64), fl["to_pos"].to_numpy(np.int64)]
        cols = [fcols, fcols]
        for name in ("supply", "shut_in", "consume", "sale"):
            b = lp.vars[name]
            keys.append(b.labels["node_pos"].to_numpy(np.int64))
            cols.append(b.start + np.arange(b.size, dtype=np.int64))
        groups = _group(np.concatenate(keys), np.concatenate(cols), len(idx.node_ids))
        return dict(zip(idx.node_ids.astype(str), groups, strict=True))
    if assets != "countries":
        msg = f"unknown asset kind {assets!r}: expected one of {', '.join(ASSET_KINDS)}"
        raise CrudeflowError(msg)
    if country_role not in COUNTRY_ROLES:
        msg = f"unknown country role {country_role!r}: expected one of {', '.join(COUNTRY_ROLES)}"
        raise CrudeflowError(msg)
    terr = territory(net, idx)
    countries = sorted(set(terr.countries) | set(idx.node_country))
    out: dict[str, IArray] = {}
    sup_cols = []
    for name in ("supply", "shut_in"):
        b = lp.vars[name]
        sup_cols.append((idx.node_country[b.labels["node_pos"].to_numpy()], b.start + np.arange(b.size)))
    f_to = idx.node_country[fl["to_pos"].to_numpy()]
    f_origin = idx.grade_origin[fl["gin_pos"].to_numpy()]
    f_link = fl["link_pos"].to_numpy()
    for c in countries:
        parts: list[IArray] = []
        if country_role in ("supplier", "both"):
            parts += [cols[ctry == c] for ctry, cols in sup_cols]
        if country_role in ("transit", "both"):
            hit = terr.has([c])[f_link] & (f_to != c) & (f_origin != c)
            parts.append(fcols[hit])
        out[c] = np.unique(np.concatenate(parts)).astype(np.int64) if parts else np.zeros(0, np.int64)
    return out


def _dot(a: FArray, b: FArray) -> float:
    """``a · b`` without BLAS: once per case in a sweep.

    ``a @ b`` and ``np.dot`` hand 1-D products of ~20,000 entries to multi-threaded
    OpenBLAS, whose threads spin between calls: 1-8 ms CPU per product on syn-10k (2 cores,
    busy) against ~15 us for ``einsum``.
    """
    return float(np.einsum("i,i->", a, b))


def dated_outage(model: Model, cols: IArray, start: str, days: float) -> tuple[IArray, FArray]:
    """Columns and upper bounds of an outage of ``days`` days from ``start`` on a network with periods.

    A period the outage covers in full closes the columns (upper 0); a period it covers in
    part (a share ``c`` of its days) keeps ``1 − c`` of what each column could carry: of its
    own bound when finite, else of its link's capacity in that period (flows), of the
    refinery's demand (runs) or of the outlet's volume (sales). Periods outside the outage
    keep their bounds. Only the columns whose bound changes are returned.
    """
    from crudeflow.model.periods import coverage

    lp, axis = model.lp, model.axis
    if not axis.dated:
        msg = (
            "an outage with a duration (days) needs a network with periods (a dataset or scenario 'periods:')"
        )
        raise CrudeflowError(msg)
    s = np.datetime64(str(start), "D")
    e = s + np.timedelta64(max(int(np.ceil(days)) - 1, 0), "D")
    cov = coverage(axis.calendar, np.array([s]), np.array([e]))[0]
    if days != np.ceil(days):  # a fractional last day: its share of the period it falls in
        last = coverage(axis.calendar, np.array([e]), np.array([e]))[0]
        cov = cov - last * (np.ceil(days) - days)
    period = np.zeros(lp.n_cols, np.int64)
    reach = np.full(lp.n_cols, np.inf)
    for b in lp.vars.values():
        if "period" in b.labels.columns:
            period[b.slice] = b.labels["period"].to_numpy(np.int64)
    upper = lp.col_upper
    reach = np.where(np.isfinite(upper), upper, reach)
    for fam, var, key in (
        ("capacity", "flow", "link"),
        ("demand", "consume", "node"),
        ("market", "sale", "node"),
    ):
        if fam not in lp.cons or var not in lp.vars:
            continue
        rows, b = lp.cons[fam], lp.vars[var]
        cap = pd.Series(rows.upper, index=pd.MultiIndex.from_arrays(
            [rows.labels[key].astype(str).to_numpy(), rows.labels["period"].to_numpy(np.int64)]))  # fmt: skip
        cap = cap.groupby(level=[0, 1]).max()
        want = pd.MultiIndex.from_arrays(
            [b.labels[key].astype(str).to_numpy(), b.labels["period"].to_numpy(np.int64)]
        )
        got = cap.reindex(want).to_numpy(float)
        sl = np.arange(b.start, b.start + b.size)
        reach[sl] = np.fmin(reach[sl], np.where(np.isnan(got), np.inf, got))
    c = cov[period[cols]]
    hit = c > 0
    cols = cols[hit]
    up = np.where(c[hit] >= 1.0 - 1e-12, 0.0, (1.0 - c[hit]) * reach[cols])
    return cols.astype(np.int64), np.asarray(up, dtype=float)


class _Reader:
    """Vectorised read of one solve: unmet per importer, shut-in per producer, economic cost.

    Shut-in (``docs/glossary.md``) is fixed output that cannot be placed: per supply row
    with a minimum, ``max(0, min − (output − shut_in))``. With nothing closed this is the
    plan's ``shut_in`` variable; when an outage closes a fixed field's own columns its
    whole minimum is stranded. Reduced purchases from flexible suppliers are not shut-in.
    """

    def __init__(self, model: Model) -> None:
        from crudeflow.results.plan import economic_cost_vector

        lp, net = model.lp, model.network
        u, s, sh = lp.vars["unmet"], lp.vars["supply"], lp.vars["shut_in"]
        d_c = net.nodes["country"].reindex(u.labels["node"]).to_numpy(dtype=str)
        self.importers, self.u_key = np.unique(d_c, return_inverse=True)
        fixed = np.flatnonzero(s.lower > 0)
        self.fixed_cols = s.start + fixed
        self.fixed_min = np.asarray(s.lower, float)[fixed]
        sh_c = net.nodes["country"].reindex(sh.labels["node"]).to_numpy(dtype=str)
        s_c = net.nodes["country"].reindex(s.labels["node"]).to_numpy(dtype=str)
        self.producers = np.unique(np.concatenate([s_c, sh_c]))
        self.sh_key = np.searchsorted(self.producers, sh_c)
        self.u_sl, self.sh_sl = u.slice, sh.slice
        self.econ = economic_cost_vector(model)

    def read(self, x: FArray) -> tuple[FArray, FArray, float]:
        """(unmet per importer, shut-in per producer) in Mt/yr, economic cost in USD/yr."""
        unmet = np.bincount(self.u_key, weights=x[self.u_sl], minlength=len(self.importers))
        placed = x[self.fixed_cols] - x[self.sh_sl]
        shut = np.maximum(self.fixed_min - placed, 0.0)
        shut_in = np.bincount(self.sh_key, weights=shut, minlength=len(self.producers))
        return unmet.astype(float), shut_in.astype(float), mt_to_t(_dot(self.econ, x))


def _unmet_value_vector(model: Model, base: SolveResult) -> FArray:
    """USD/t per unmet column: the refinery's delivered cost in the base plan.

    A refinery that received nothing in the base plan takes the volume-weighted average
    delivered cost of all refineries. Multiplied by added unmet Mt/yr it gives the value
    of the crude the outage leaves undelivered (``unserved_value_usd``, docs/glossary.md).
    """
    from crudeflow.results.plan import make_plan

    costs = make_plan(model, base, paths=False).costs
    cost = costs["delivered_cost_usd_per_t"].groupby(level=0).mean() if len(costs) else pd.Series(dtype=float)
    deliveries = costs["delivered_mt_per_year"] if len(costs) else pd.Series(dtype=float)
    if float(deliveries.sum()) > 0:
        mean = float((costs["delivered_cost_usd_per_t"].fillna(0.0) * deliveries).sum() / deliveries.sum())
    else:
        mean = float(cost.mean()) if len(cost) else 0.0
    nodes = model.lp.vars["unmet"].labels["node"]
    out: FArray = cost.reindex(nodes).fillna(mean).to_numpy(float)
    return out


def stress(
    network: Network | str | Path,
    *,
    assets: str = "links",
    k: int = 1,
    top: int | None = None,
    top_m: int = 10,
    country_role: str = "both",
    check_sample: int = 5,
    options: PlanOptions | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    start: str | None = None,
    days: float | None = None,
) -> StressResult:
    """Remove each asset (``k`` = 1) or pair of assets (``k`` = 2) and re-plan hot.

    On a network with periods, ``days`` (with ``start``, default the first day of the
    periods) makes each outage last that many days from that date: it removes capacity
    only in the periods it covers, prorated (``dated_outage``), and stocks carry through;
    volumes are then Mt over the horizon. Without ``days`` an outage lasts the whole
    horizon (as on an annual network).

    ``assets`` is ``links``, ``nodes`` or ``countries`` (with ``country_role``). N-2 runs
    over all pairs of countries, or over pairs of the ``top_m`` assets of the N-1 ranking
    for links and nodes. ``top`` keeps the first rows of the ranking.

    ``progress(done, total)`` is called before the first case and after each (cases of
    the final pass). A ``cancel`` token cancelled (or a ``KeyboardInterrupt``) stops
    between cases and returns the cases finished so far, flagged ``interrupted``; in the
    N-1 pass of an N-2 run, with no pair (the pairs to try are not known yet).
    """
    if k not in (1, 2):
        msg = "k must be 1 or 2"
        raise CrudeflowError(msg)
    t0 = time.perf_counter()
    network = as_network(network)
    opts = options or PlanOptions()
    model = build_lp(network, opts)
    if days is not None and start is None and model.axis.dated:
        start = str(model.axis.calendar["start"].iloc[0])[:10]
    if days is not None and not days > 0:
        msg = f"days must be above 0, not {days}"
        raise CrudeflowError(msg)
    hm = HighsModel(model.lp, opts.solver_options)
    base = hm.run()
    if not base.ok:
        msg = f"the base plan did not solve: {base.status.value}"
        raise SolverError(msg)
    hm.keep_basis()  # every case re-solves from the base basis
    reader = _Reader(model)
    base_unmet, base_shut, base_econ = reader.read(base.x)
    value = _unmet_value_vector(model, base)
    base_u = base.x[reader.u_sl]
    cols = asset_columns(model, assets, country_role)
    kind = {"links": "link", "nodes": "node", "countries": "country"}[assets]
    cases: list[tuple[str, tuple[str, ...], IArray]] = [(a, (a,), c) for a, c in cols.items()]
    interrupted = False
    if k == 2:
        if assets == "countries":
            pool = list(cols)
        else:
            n1 = stress(network, assets=assets, k=1, country_role=country_role, check_sample=0,
                        options=opts, cancel=cancel, start=start, days=days)  # fmt: skip
            # Ctrl-C in the N-1 pass: its ranking, hence the pairs to try, is incomplete; stop
            interrupted = n1.interrupted
            pool = [] if interrupted else list(n1.ranking[~n1.ranking["skipped"]].index[:top_m])
        cases = [
            (f"{a} + {b}", (a, b), np.union1d(cols[a], cols[b])) for a, b in itertools.combinations(pool, 2)
        ]

    rows: list[dict[str, object]] = []
    unmet_rows: dict[str, FArray] = {}
    shut_rows: dict[str, FArray] = {}
    solved: list[tuple[str, IArray, float]] = []
    uppers: dict[str, FArray] = {}
    total = len(cases)
    try:
        report(progress, 0, total)
        for asset, members, c in cases:
            if is_cancelled(cancel):
                interrupted = True
                break
            rec: dict[str, object] = {"asset": asset, "kind": kind, "members": members, "columns": len(c)}
            up = None
            if days is not None:
                c, up = dated_outage(model, c, str(start), float(days))
            if len(c) == 0 or float(np.max(base.x[c], initial=0.0)) <= TOL:
                rec.update(skipped=True, status="skipped", delta_economic_cost_usd=0.0,
                           unserved_value_usd=0.0, delta_objective_usd=0.0, unmet_mt_per_year=0.0,
                           shut_in_mt_per_year=0.0)  # fmt: skip
            else:
                if up is not None:
                    uppers[asset] = up
                res = hm.resolve_closed(c, up)
                rec.update(skipped=False, status=res.status.value)
                if res.ok:
                    unmet, shut, econ = reader.read(res.x)
                    du, ds = unmet - base_unmet, shut - base_shut
                    du[du < TOL_MT] = 0.0
                    ds[ds < TOL_MT] = 0.0
                    unmet_rows[asset], shut_rows[asset] = du, ds
                    dcol = res.x[reader.u_sl] - base_u
                    dcol[dcol < TOL_MT] = 0.0  # as the added unmet per country
                    rec.update(
                        delta_economic_cost_usd=econ - base_econ,
                        unserved_value_usd=mt_to_t(_dot(dcol, value)),
                        delta_objective_usd=mt_to_t(res.objective - base.objective),
                        unmet_mt_per_year=float(du.sum()), shut_in_mt_per_year=float(ds.sum()),
                    )  # fmt: skip
                    solved.append((asset, c, res.objective))
                else:
                    rec.update(delta_economic_cost_usd=np.nan, delta_objective_usd=np.nan,
                               unserved_value_usd=np.nan, unmet_mt_per_year=np.nan,
                               shut_in_mt_per_year=np.nan)  # fmt: skip
            rows.append(rec)
            report(progress, len(rows), total)
    except KeyboardInterrupt:
        interrupted = True

    checks = _check_hot_cold(model, opts, base.objective, solved, check_sample, hm, uppers)
    ranking = rank_cases(STRESS_RANKING.frame(rows).drop(columns=["lost_mt_per_year", "rank"]))
    if top is not None:
        ranking = ranking.head(top)
    zeros_u = np.zeros(len(reader.importers))
    zeros_s = np.zeros(len(reader.producers))
    unmet_df = pd.DataFrame(
        [unmet_rows.get(a, zeros_u) for a in ranking.index], index=ranking.index, columns=reader.importers
    )
    shut_df = pd.DataFrame(
        [shut_rows.get(a, zeros_s) for a in ranking.index], index=ranking.index, columns=reader.producers
    )
    return StressResult(
        base_objective_usd=mt_to_t(base.objective), ranking=ranking, unmet=unmet_df,
        shut_in=shut_df, checks=checks, interrupted=interrupted,
        seconds=time.perf_counter() - t0,
    )  # fmt: skip


def rank_cases(ranking: pd.DataFrame) -> pd.DataFrame:
    """Order cases by lost volume (unmet + shut-in, Mt/yr), then by added economic cost.

    Cases that did not solve (NaN) go last. Adds ``lost_mt_per_year`` and ``rank``.
    """
    out = ranking.assign(lost_mt_per_year=ranking["unmet_mt_per_year"] + ranking["shut_in_mt_per_year"])
    # round the volume key so solver noise does not reorder cases that lose the same volume
    key = out.assign(_lost=out["lost_mt_per_year"].round(6), _cost=out["delta_economic_cost_usd"])
    key = key.sort_values(["_lost", "_cost"], ascending=False, kind="stable", na_position="last")
    out = out.loc[key.index]
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def _check_hot_cold(
    model: Model,
    opts: PlanOptions,
    base_objective: float,
    solved: list[tuple[str, IArray, float]],
    sample: int,
    hm: HighsModel,
    uppers: dict[str, FArray] | None = None,
) -> pd.DataFrame:
    """Re-solve a sample cold (fresh HiGHS model) and the base hot; raise on disagreement."""
    rows = []
    if sample > 0:
        again = hm.run()
        rows.append(("(base, restored)", again.objective, base_objective))
        pick = np.unique(np.linspace(0, len(solved) - 1, min(sample, len(solved))).astype(int))
        for i in pick if solved else []:
            asset, c, hot = solved[i]
            cold_model = HighsModel(model.lp, opts.solver_options)
            up = (uppers or {}).get(asset)
            if up is None:
                cold_model.close_cols(c)
            else:
                cold_model.set_col_bounds(c, np.minimum(cold_model.base_lower[c], up), up)
            cold = cold_model.run()
            rows.append((asset, hot, cold.objective))
    out = pd.DataFrame(rows, columns=["asset", "hot_objective_usd", "cold_objective_usd"])
    out[["hot_objective_usd", "cold_objective_usd"]] = mt_to_t(
        out[["hot_objective_usd", "cold_objective_usd"]]
    )
    denom = np.maximum(1.0, np.abs(out["cold_objective_usd"].to_numpy(float)))
    out["rel_diff"] = np.abs(out["hot_objective_usd"] - out["cold_objective_usd"]).to_numpy(float) / denom
    bad = out[~(out["rel_diff"] <= REL_TOL)]
    if len(bad):
        what = "; ".join(f"{r.asset}: hot {r.hot_objective_usd:.6g} vs cold {r.cold_objective_usd:.6g}"
                         for r in bad.itertuples())  # fmt: skip
        msg = f"hot and cold re-solves disagree beyond {REL_TOL:g} relative: {what}"
        raise CrudeflowError(msg)
    return out
