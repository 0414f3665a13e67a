"""Time expansion: one period's LP tiled over the calendar, with storage arcs between periods.

``build_lp`` first builds the LP of one period exactly as an annual plan (Mt/yr), then
:func:`expand` repeats every *tiled* block once per period, period-major: column ``k`` of
a block of ``K`` columns in period ``t`` is column ``t · K + k``, row ``r`` of a family of
``R`` rows is row ``t · R + r``. Volume bounds (capacities, supply, demand, outlet volumes,
storage rates) are prorated by each period's ``year_fraction`` and by the share of the
period a row is valid (``coverage``); costs stay USD/t, so the objective is USD over the
horizon. *Horizon* blocks (contract shortfall) and families (contracts) are not repeated:
a contract row sums its runs over every period and its bounds are the annual figures
times the horizon's length in years. With one period of one year every factor is exactly
1.0 and the LP is the annual LP, column for column (a property test checks it).

Everything broadcasts over (rows × periods) or (non-zeros × periods): no Python loop per
arc or per period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import FArray, IArray
from crudeflow.exceptions import CrudeflowError, DatasetError, Problem
from crudeflow.model.network import Network
from crudeflow.model.periods import check_period_values, coverage, period_positions
from crudeflow.optimize.constraints import Rows, pipe_of
from crudeflow.optimize.index import NetIndex
from crudeflow.optimize.lp import LP
from crudeflow.optimize.policies import FlowPolicy, flow_policy, horizon_calendar
from crudeflow.optimize.states import StateGraph
from crudeflow.schema import PERIOD_FIELDS
from crudeflow.units import days_to_months, stock_days_to_mt

INF = np.inf

HORIZON_BLOCKS = ("contract_shortfall", "paid", "prepaid", "commit_shortfall")
"""Variable blocks that are not repeated per period (ship-or-pay and throughput commitments
are per horizon, like contracts: their bounds are by the policy's years in force)."""
HORIZON_FAMILIES = ("contract", "export_duty_quota", "ship_or_pay", "throughput_commitment")
"""Constraint families whose rows sum over the whole horizon."""
POLICY_HORIZON = ("paid", "prepaid", "commit_shortfall", "ship_or_pay", "throughput_commitment")
"""Horizon blocks and families labelled by ``policy``: scaled by the policy's years in force."""
DATED_POLICY_FAMILIES = ("share_cap", "reserved_capacity", "transit_refusal", "swap_buyers")
"""Per-period policy families whose rows are lifted (no bound) in periods a dated policy is out of force."""


@dataclass(frozen=True)
class TimeAxis:
    """The periods an LP is built over: their share of a year and their length in days."""

    frac: FArray
    """Per period: year_fraction (1.0 for an annual network)."""
    days: FArray
    """Per period: days (365 for an annual network)."""
    calendar: pd.DataFrame
    """The network's calendar (empty for an annual network)."""

    @property
    def n(self) -> int:
        """Number of periods."""
        return len(self.frac)

    @property
    def dated(self) -> bool:
        """Whether the network declares periods (with dates)."""
        return len(self.calendar) > 0


def time_axis(net: Network) -> TimeAxis:
    """The time axis of a network: its calendar, or one annual period."""
    cal = net.periods
    if len(cal) == 0:
        return TimeAxis(np.ones(1), np.full(1, 365.0), cal)
    return TimeAxis(cal["year_fraction"].to_numpy(float), cal["days"].to_numpy(float), cal)


def policy_axis(net: Network, axis: TimeAxis) -> TimeAxis:
    """The periods policy dates are read against: the plan's periods, or for an annual plan its year.

    An annual plan stands for one year: the dataset's ``base_year``, which a scenario's
    ``prices_year`` sets (``model.prices.reprice``). A dated policy then switches by
    :data:`POLICY_SWITCH_SHARE` of that year, and its volumes (ship-or-pay, throughput
    commitments) are prorated by the share of the year it covers (:func:`policy_years`).
    """
    if axis.dated:
        return axis
    return TimeAxis(axis.frac, axis.days, horizon_calendar(net))


def validity(frame: pd.DataFrame, axis: TimeAxis) -> FArray | None:
    """Per row of a table and period: the share of the period the row is valid, or None.

    Reads ``valid_from`` / ``valid_to`` (ISO days, empty = open) when the table has them
    and the network has dated periods; None means valid throughout.
    """
    if not axis.dated or len(frame) == 0:
        return None
    has_from, has_to = "valid_from" in frame.columns, "valid_to" in frame.columns
    if not (has_from or has_to):
        return None
    n = len(frame)
    vf = _dates(frame["valid_from"]) if has_from else np.full(n, np.datetime64("NaT"), "datetime64[D]")
    vt = _dates(frame["valid_to"]) if has_to else np.full(n, np.datetime64("NaT"), "datetime64[D]")
    if np.isnat(vf).all() and np.isnat(vt).all():
        return None
    return coverage(axis.calendar, vf, vt)


def _dates(col: pd.Series) -> npt.NDArray[np.datetime64]:
    """ISO days of a text column, NaT where empty; only the non-empty cells are parsed."""
    out = np.full(len(col), np.datetime64("NaT"), dtype="datetime64[D]")
    vals = col.to_numpy(dtype=object)
    given = np.flatnonzero(pd.notna(vals) & (vals != ""))
    if len(given):
        text = pd.Series(vals[given], dtype=object).astype(str).str.strip()
        out[given] = np.asarray(pd.to_datetime(text.where(text != "", None), errors="coerce").to_numpy(),
                                dtype="datetime64[D]")  # fmt: skip
    return out


def values_by_period(net: Network, axis: TimeAxis, table: str, field: str) -> FArray | None:
    """Per row of ``net.<table>`` and period: ``field``, with ``net.period_values`` applied.

    None when no per-period value touches this (table, field) or the network is annual (an
    annual plan keeps the annual figures). A value names a period of the horizon by label or
    first day; one outside the horizon is a ``DatasetError`` naming its file and row.
    """
    pv = net.period_values
    if not axis.dated or len(pv) == 0:
        return None
    sel = pv[(pv["table"].to_numpy() == table) & (pv["field"].to_numpy() == field)]
    if len(sel) == 0:
        return None
    frame: pd.DataFrame = getattr(net, table)
    tables = {t: getattr(net, t) for t in PERIOD_FIELDS}
    problems = check_period_values(sel, tables, PERIOD_FIELDS, axis.calendar)
    if problems:
        raise DatasetError(problems)
    if table == "supplies":
        key: pd.Index = pd.MultiIndex.from_arrays([sel["id"].astype(str), sel["grade"].astype(str)])
    else:
        key = pd.Index(sel["id"].astype(str))
    out = np.repeat(frame[field].to_numpy(float)[:, None], axis.n, axis=1)
    out[frame.index.get_indexer(key), period_positions(axis.calendar, sel["period"].to_numpy())] = sel[
        "value"
    ].to_numpy(float)
    return out


def scale(bound: FArray, factor: FArray) -> FArray:
    """Per (row, period): ``bound × factor`` (bound per row, or per row × period).

    Infinite bounds stay infinite where the factor is positive; a factor of zero closes the
    row to zero (a +∞ upper bound becomes 0, a −∞ lower bound stays −∞).
    """
    bnd = np.asarray(bound, float)
    b = np.broadcast_to(bnd[:, None] if bnd.ndim == 1 else bnd, factor.shape)
    with np.errstate(invalid="ignore"):
        out = b * factor
    out = np.where(factor > 0, out, np.where(np.isneginf(b), -INF, 0.0))
    return np.asarray(out, dtype=float)


def transit_lag(transit_days: FArray, axis: TimeAxis) -> IArray:
    """Per leg: periods between loading and arrival, ``round(transit_days / mean period days)``.

    A leg whose voyage takes half a period or more delivers in a later period: 14 days is no
    lag over months and two periods over weeks. An annual network has no lag. The horizon
    is *cyclic* for crude at sea: a flow loaded in period t arrives in (t + lag) mod T, so the
    crude afloat at the end of the horizon is the crude that lands in its first periods (the
    same volume is at sea at the start and at the end, as for a steady pipeline fill).
    """
    days = np.nan_to_num(np.asarray(transit_days, float), nan=0.0)
    if not axis.dated or axis.n == 1:
        return np.zeros(len(days), np.int64)
    return np.asarray(np.floor(days / float(axis.days.mean()) + 0.5), dtype=np.int64)


def tile_labels(labels: pd.DataFrame, n: int) -> pd.DataFrame:
    """The labels repeated once per period, period-major, with a ``period`` position column.

    ``take`` keeps each column's dtype (no re-inference of text columns).
    """
    k = len(labels)
    out = labels.take(np.tile(np.arange(k), n))
    out.index = pd.RangeIndex(len(out))
    out["period"] = np.repeat(np.arange(n, dtype=np.int64), k)
    return out


@dataclass(frozen=True)
class ColumnMap:
    """Where each column of the one-period LP goes in the expanded LP."""

    start: IArray
    """Per old column: start of its block in the new LP."""
    size: IArray
    """Per old column: columns per period of its block (0 for a horizon block)."""
    local: IArray
    """Per old column: its position inside its block."""

    def cols(self, old: IArray, n: int) -> IArray:
        """New columns of old columns in every period: shape (n, len(old))."""
        t = np.arange(n, dtype=np.int64)[:, None]
        return (self.start[old] + t * self.size[old] + self.local[old])[..., :].astype(np.int64)

    def tiled(self, old: IArray) -> npt.NDArray[np.bool_]:
        """Whether each old column is repeated per period."""
        return np.asarray(self.size[old] > 0)


def tile_triplets(
    rows: IArray,
    cols: IArray,
    vals: FArray,
    n_rows: int,
    n: int,
    cmap: ColumnMap,
    horizon: bool,
    lag: IArray | None = None,
) -> tuple[IArray, IArray, FArray]:
    """Constraint triplets of one period repeated per period (or summed over the horizon).

    A tiled family's row ``r`` becomes ``t · n_rows + r`` (``((t + lag) mod n) · n_rows + r``
    for a triplet with a lag: a flow's arrival, see :func:`transit_lag`); a horizon family
    keeps ``r`` and gathers its tiled columns of every period, its horizon columns once.
    """
    new_cols = cmap.cols(cols, n)
    t = np.arange(n, dtype=np.int64)[:, None]
    shift = t if lag is None else (t + lag[None, :]) % n
    new_rows = np.broadcast_to(rows[None, :] + (0 if horizon else shift * n_rows), new_cols.shape)
    keep = np.broadcast_to(cmap.tiled(cols)[None, :] | (t == 0), new_cols.shape)
    v = np.broadcast_to(vals[None, :], new_cols.shape)
    return (
        new_rows[keep].astype(np.int64),
        new_cols[keep].astype(np.int64),
        np.asarray(v[keep], dtype=float),
    )


POLICY_SWITCH_SHARE = 0.5
"""A dated policy is in force in a period when it covers at least this share of its days
(a mask cannot be prorated: a policy switches at the period boundary nearest its date)."""


@dataclass(frozen=True)
class PolicyEpochs:
    """Flow policies per stretch of periods with the same dated policies in force."""

    union: FlowPolicy
    """Flow variables kept in at least one period (the LP's flow columns), with the
    duties and fees of the undated policies."""
    per_epoch: tuple[FlowPolicy, ...]
    epoch: IArray
    """Per period: its epoch."""
    active: pd.DataFrame
    """Per dated policy (index: id), per period (columns: positions): in force."""


def policy_epochs(net: Network, idx: NetIndex, axis: TimeAxis) -> PolicyEpochs:
    """The flow policies of each period, from ``valid_from`` / ``valid_to`` on policies.

    Without dated policies there is one epoch: ``flow_policy(net)`` itself. An annual plan
    reads the dates against its year (:func:`policy_axis`).
    """
    pols = net.policies
    cov = validity(pols, policy_axis(net, axis))
    if cov is None:
        one = flow_policy(net, idx)
        return PolicyEpochs(
            one, (one,), np.zeros(axis.n, np.int64), pd.DataFrame(index=pd.Index([], name="id"))
        )
    on = cov >= POLICY_SWITCH_SHARE
    dated = ~np.all(on, axis=1)
    active = pd.DataFrame(on[dated], index=pols.index[dated])
    patterns, epoch = np.unique(on[dated].T, axis=0, return_inverse=True)
    enabled = pols["enabled"].to_numpy(bool)
    per: list[FlowPolicy] = []
    for pat in patterns:  # one per distinct set of dated policies in force (a handful)
        en = enabled.copy()
        en[np.flatnonzero(dated)] &= pat
        per.append(flow_policy(net.replace(policies=pols.assign(enabled=en)), idx))
    keep = np.logical_or.reduce([p.keep for p in per])
    removed = {k: v for p in per for k, v in p.removed_by.items()}
    union = FlowPolicy(keep, per[0].duty, per[0].fee, removed)
    return PolicyEpochs(union, tuple(per), epoch.astype(np.int64).ravel(), active)


@dataclass(frozen=True)
class StoragePairs:
    """Storage rows (``net.storage``) as (node, grade) pairs that may hold stock."""

    store: IArray
    """Per pair: position of its storage row."""
    node_pos: IArray
    grade_pos: IArray
    init_node: IArray
    """Per storage row with an initial stock: node position, grade position, Mt."""
    init_grade: IArray
    init_mt: FArray
    init_store: IArray


def storage_pairs(net: Network, idx: NetIndex, axis: TimeAxis) -> StoragePairs | None:
    """The (node, grade) pairs of every storage row; None without periods or storage.

    An annual network ignores ``storage.csv``: stocks matter only between periods (the
    annual model keeps the ``demands.stock_days`` rebate of Monte Carlo instead).
    """
    stor = net.storage
    if not axis.dated or len(stor) == 0:
        return None
    n_s, n_g = len(stor), len(idx.grade_ids)
    s_node = idx.node_ids.get_indexer(stor.index)
    allowed = np.ones((n_s, n_g), bool)
    lens = np.fromiter(map(len, stor["grades"]), np.int64, n_s)
    restricted = np.flatnonzero(lens > 0)
    if len(restricted):
        flat = [g for gs in stor["grades"].iloc[restricted] for g in gs]
        allowed[restricted] = False
        allowed[np.repeat(restricted, lens[restricted]), idx.grade_ids.get_indexer(flat)] = True
    s_i, g_i = np.nonzero(allowed)
    init = stor["initial_mt"].to_numpy(float)
    has = np.flatnonzero(init > 0)
    ig = idx.grade_ids.get_indexer(stor["initial_grade"].to_numpy()[has])
    return StoragePairs(
        s_i.astype(np.int64), s_node[s_i].astype(np.int64), g_i.astype(np.int64),
        s_node[has].astype(np.int64), ig.astype(np.int64), init[has], has.astype(np.int64),
    )  # fmt: skip


@dataclass(frozen=True)
class Expanded:
    """The LP over every period, its state graph and per-flow-column charges (USD/t)."""

    lp: LP
    states: StateGraph
    tariff: FArray
    duty: FArray
    fee: FArray


SCALED_VARS = {"supply": ("lower", "upper"), "shut_in": ("upper",)}
"""Variable blocks whose bounds are volumes (prorated by period); others keep theirs."""
SCALED_ROWS = {
    "capacity": "link",
    "pipe": "link",
    "demand": "node",
    "market": "node",
    "reserved_capacity": "link",
}
"""Constraint families whose bounds are volumes, with the label naming their row."""


def expand(
    net: Network,
    lp0: LP,
    sg0: StateGraph,
    fams: dict[str, Rows],
    axis: TimeAxis,
    epochs: PolicyEpochs,
    tariff: FArray,
    st: StoragePairs | None,
    dated_costs: dict[str, FArray] | None = None,
) -> Expanded:
    """The one-period LP ``lp0`` and its families repeated over ``axis`` (module docstring).

    ``dated_costs``: per-period costs (periods × columns) of blocks whose cost changes by
    period (ex-duty supply prices, intake duty rates), and ``flow_duty_adjust`` added to the
    flow duties (export duty rates by date).
    """
    dated_costs = dated_costs or {}
    n_t, frac = axis.n, axis.frac
    lp = LP()
    # columns: where each old column lands
    n0 = lp0.n_cols
    cm_start, cm_size, cm_local = np.zeros(n0, np.int64), np.zeros(n0, np.int64), np.zeros(n0, np.int64)
    at = 0
    for name, b in lp0.vars.items():
        tiled = name not in HORIZON_BLOCKS
        cm_start[b.slice] = at
        cm_size[b.slice] = b.size if tiled else 0
        cm_local[b.slice] = np.arange(b.size)
        at += b.size * (n_t if tiled else 1)
    cmap = ColumnMap(cm_start, cm_size, cm_local)

    # availability of the rows a table backs (valid_from / valid_to), per period
    sup_valid = validity(net.supplies, axis)
    # per-period values (period_values): None where the annual figure holds in every period
    sup_min = values_by_period(net, axis, "supplies", "min_mt_per_year")
    sup_max = values_by_period(net, axis, "supplies", "max_mt_per_year")
    sup_price = values_by_period(net, axis, "supplies", "price_usd_per_t")
    penalty = values_by_period(net, axis, "demands", "shortage_penalty_usd_per_t")
    m_price = values_by_period(net, axis, "markets", "price_usd_per_t")
    link_tariff = values_by_period(net, axis, "links", "tariff_usd_per_t")
    fl_link = net.links.index.get_indexer(lp0.vars["flow"].labels["link"])
    tariff_t = np.tile(tariff, (n_t, 1)) if link_tariff is None else link_tariff[fl_link].T
    keep_f = np.flatnonzero(epochs.union.keep)
    duty = np.stack([p.duty[keep_f] for p in epochs.per_epoch])[epochs.epoch]  # (T, K)
    fee = np.stack([p.fee[keep_f] for p in epochs.per_epoch])[epochs.epoch]
    open_f = np.stack([p.keep[keep_f] for p in epochs.per_epoch])[epochs.epoch]
    if "flow_duty_adjust" in dated_costs:
        duty = duty + dated_costs["flow_duty_adjust"]
    for name, b in lp0.vars.items():
        if name in HORIZON_BLOCKS:
            lo, hi = b.lower, b.upper
            if name == "contract_shortfall":
                hi = hi * _horizon_factor(net.contracts, axis)
            elif name in POLICY_HORIZON:
                years = policy_years(net, b.labels["policy"], axis)
                lo, hi = lo * years, hi * years
            lp.add_vars(name, b.cost, lo, hi, b.labels.assign(period=np.zeros(b.size, np.int64)))
            continue
        cost = np.broadcast_to(b.cost[None, :], (n_t, b.size))
        lower = np.broadcast_to(b.lower[None, :], (n_t, b.size))
        upper = np.broadcast_to(b.upper[None, :], (n_t, b.size))
        labels = tile_labels(b.labels, n_t)
        dated = dated_costs.get(name)
        if dated is not None and dated.shape != (n_t, b.size):
            dated = None
        if dated is not None:
            cost = dated
        if name == "flow":
            cost = tariff_t + duty + fee
            upper = np.where(open_f, upper, 0.0)
        elif name in SCALED_VARS:
            factor = np.broadcast_to(frac[None, :], (b.size, n_t))
            rows = _supply_rows(net, b.labels)
            if sup_valid is not None:
                factor = factor * sup_valid[rows]
            lo_v, hi_v = (sup_min, sup_max) if name == "supply" else (None, sup_min)
            if "lower" in SCALED_VARS[name]:
                lower = scale(b.lower if lo_v is None else lo_v[rows], factor).T
            upper = scale(b.upper if hi_v is None else hi_v[rows], factor).T
            if name == "supply" and sup_price is not None:
                cost = sup_price[rows].T
                if dated is not None:  # a per-period price, ex-duty like the annual one
                    cost = cost - (b.cost[None, :] - dated)
        elif name == "unmet" and penalty is not None:
            cost = penalty[net.demands.index.get_indexer(b.labels["node"])].T
        elif name == "sale" and m_price is not None:
            diff = b.labels["price_usd_per_t"].to_numpy(float) - net.markets["price_usd_per_t"].reindex(
                b.labels["node"]
            ).to_numpy(float)
            price = m_price[net.markets.index.get_indexer(b.labels["node"])].T + diff[None, :]
            cost = -price
            labels["price_usd_per_t"] = price.ravel()
        lp.add_vars(name, cost.ravel(), lower.ravel(), upper.ravel(), labels)

    sg = sg0.over_periods(n_t)
    fl0 = lp0.vars["flow"]
    links = net.links
    t_days = (
        links["transit_days"].reindex(fl0.labels["link"]).to_numpy(float)
        if "transit_days" in links.columns
        else np.zeros(fl0.size)
    )
    lag = transit_lag(t_days, axis)
    if lag.any():  # a flow loaded in period t lands in its head state of period (t + lag) mod T
        head0 = sg0.flow_head
        t_col = np.arange(n_t, dtype=np.int64)[:, None]
        sg = replace(sg, flow_head=(head0[None, :] + ((t_col + lag[None, :]) % n_t) * sg0.size).ravel())
    stock_cols: IArray = np.zeros(0, np.int64)
    pairs: IArray = np.zeros(0, np.int64)
    if st is not None:
        sg, pairs = sg.with_stock(st.node_pos, st.grade_pos)
        n_p = len(pairs)
        hold = net.storage["holding_cost_usd_per_t_per_month"].to_numpy(float)[st.store[pairs]]
        months = days_to_months(axis.days)
        sb = lp.add_vars(
            "stock",
            (hold[None, :] * months[:, None]).ravel(),
            0.0,
            INF,
            tile_labels(
                pd.DataFrame(
                    {
                        "node": net.storage.index.to_numpy()[st.store[pairs]],
                        "grade": sg.index.grade_ids.to_numpy()[st.grade_pos[pairs]],
                        "node_pos": st.node_pos[pairs],
                        "grade_pos": st.grade_pos[pairs],
                        "store": st.store[pairs],
                    }
                ),
                n_t,
            ),
        )
        stock_cols = sb.start + np.arange(sb.size, dtype=np.int64)
        del n_p

    for name, fam in fams.items():
        horizon = name in HORIZON_FAMILIES
        n_r = len(fam.lower)
        t_lag = None
        if name == "conservation" and lag.any():
            # a flow's +1 is its head state: it lands lag periods after it is loaded
            in_flow = (fam.cols >= fl0.start) & (fam.cols < fl0.start + fl0.size) & (fam.vals > 0)
            t_lag = np.where(in_flow, lag[np.clip(fam.cols - fl0.start, 0, max(fl0.size - 1, 0))], 0)
        r, c, v = tile_triplets(fam.rows, fam.cols, fam.vals, n_r, n_t, cmap, horizon, t_lag)
        if horizon:
            f = _horizon_factor(net.contracts, axis) if name == "contract" else np.full(n_r, axis.frac.sum())
            if name in POLICY_HORIZON:
                f = policy_years(net, fam.labels["policy"], axis)
            lo, hi = scale(fam.lower, f[:, None]).ravel(), scale(fam.upper, f[:, None]).ravel()
            labels = fam.labels
        else:
            lo_t = np.broadcast_to(fam.lower[:, None], (n_r, n_t))
            hi_t = np.broadcast_to(fam.upper[:, None], (n_r, n_t))
            if name in SCALED_ROWS:
                factor = np.broadcast_to(frac[None, :], (n_r, n_t))
                if name == "pipe":  # validity and events are in the members' capacities
                    lo_b, hi_b = fam.lower, pipe_capacity(net, fam.labels, axis, net.active_links().index)
                else:
                    valid = _row_validity(net, name, fam.labels, axis)
                    if valid is not None:
                        factor = factor * valid
                    lo_b, hi_b = _row_values(net, name, fam, axis)
                lo_t, hi_t = scale(lo_b, factor), scale(hi_b, factor)
            if name in DATED_POLICY_FAMILIES and len(epochs.active) and n_r:
                off = _inactive(epochs, fam.labels["policy"].to_numpy())
                hi_t = np.where(off, INF, hi_t)
            lo, hi = lo_t.T.ravel(), hi_t.T.ravel()
            labels = tile_labels(fam.labels, n_t)
        if name == "conservation" and st is not None:
            # stock at the end of period t leaves state (n, g, t) and enters (n, g, t + 1)
            tail, head = sg.stock_tail, sg.stock_head
            nxt = head >= 0
            r = np.concatenate([r, tail, head[nxt]])
            c = np.concatenate([c, stock_cols, stock_cols[nxt]])
            v = np.concatenate([v, np.full(len(tail), -1.0), np.ones(int(nxt.sum()))])
            # the initial stock enters its state in period 0: supply = -initial on the rhs
            init_rows = sg.row(st.init_node, st.init_grade, 0)
            lo, hi = lo.copy(), hi.copy()
            np.add.at(lo, init_rows, -st.init_mt)
            np.add.at(hi, init_rows, -st.init_mt)
        lp.add_cons(name, r, c, v, lo, hi, labels)
    if st is not None:
        _storage_rows(net, lp, st, pairs, stock_cols, axis)
    return Expanded(lp, sg, tariff_t.ravel(), duty.ravel(), fee.ravel())


def _inactive(epochs: PolicyEpochs, policy_ids: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Per (row of a policy family, period): the row's dated policy is out of force."""
    act = epochs.active.reindex(pd.Index(policy_ids)).fillna(True).to_numpy(bool)
    return np.asarray(~act)


def _supply_rows(net: Network, labels: pd.DataFrame) -> IArray:
    key = pd.MultiIndex.from_arrays([labels["node"].astype(str), labels["grade"].astype(str)])
    return np.asarray(net.supplies.index.get_indexer(key), dtype=np.int64)


ROW_FIELDS = {
    "capacity": ("links", "capacity_mt_per_year", False),
    "demand": ("demands", "demand_mt_per_year", True),
    "market": ("markets", "max_mt_per_year", False),
}
"""Per volume family: the table and column its bound comes from, and whether the lower
bound is the same figure (demand rows are equalities)."""


def _row_values(net: Network, family: str, fam: Rows, axis: TimeAxis) -> tuple[FArray, FArray]:
    """Lower and upper bounds of a volume family, per row (annual) or per row × period."""
    if family not in ROW_FIELDS:  # e.g. reserved_capacity: capacity less the reservation, annual
        return fam.lower, fam.upper
    table, field, both = ROW_FIELDS[family]
    vals = values_by_period(net, axis, table, field)
    if vals is None:
        return fam.lower, fam.upper
    per = vals[getattr(net, table).index.get_indexer(fam.labels[SCALED_ROWS[family]])]
    return (per if both else np.broadcast_to(fam.lower[:, None], per.shape)), per


def pipe_capacity(net: Network, labels: pd.DataFrame, axis: TimeAxis, link_ids: pd.Index) -> FArray:
    """Per shared-pipe row and period: the smallest capacity of its member links there (Mt/yr).

    A member's capacity in a period is its per-period value × the share of the period it is
    valid × dated events, as ``period_slice`` gives it, so a value or an event on any member
    (not only the one tightest over the year) narrows the line. As in the annual plan, a member
    with no capacity in a period (not yet valid, out) is not part of the line then; a line
    with no member left is closed. ``labels``: the pipe family's (``pipe`` per row).
    """
    n_r = len(labels)
    vals = values_by_period(net, axis, "links", "capacity_mt_per_year")
    valid = validity(net.links, axis)
    events = link_event_factor(net, axis)
    if vals is None and valid is None and events is None:
        cap0 = labels["capacity_mt_per_year"].to_numpy(float)
        return np.repeat(cap0[:, None], axis.n, axis=1)
    pos = net.links.index.get_indexer(link_ids)
    cap = (
        np.repeat(net.links["capacity_mt_per_year"].to_numpy(float)[:, None], axis.n, axis=1)
        if vals is None
        else vals
    )
    if valid is not None:
        cap = cap * valid
    if events is not None:
        cap = cap * events
    row = pd.Index(labels["pipe"].astype(str)).get_indexer(pipe_of(net.links.iloc[pos]))
    mem = np.flatnonzero(row >= 0)
    member_cap = cap[pos[mem]]
    out = np.full((n_r, axis.n), INF)
    np.minimum.at(out, row[mem], np.where(member_cap > 0, member_cap, INF))
    return np.asarray(np.where(np.isinf(out), 0.0, out), dtype=float)


def _row_validity(net: Network, family: str, labels: pd.DataFrame, axis: TimeAxis) -> FArray | None:
    table = {"demand": net.demands, "market": net.markets}.get(family, net.links)
    valid = validity(table, axis)
    if family in ("capacity", "reserved_capacity"):
        events = link_event_factor(net, axis)
        if events is not None:
            valid = events if valid is None else valid * events
    if valid is None:
        return None
    return np.asarray(valid[table.index.get_indexer(labels[SCALED_ROWS[family]])], dtype=float)


def link_event_factor(net: Network, axis: TimeAxis) -> FArray | None:
    """Per link of ``net.links`` and period: the capacity left by dated events (0 to 1).

    An event with factor f covering a share c of a period's days removes c · (1 − f) of the
    period's capacity; overlapping events add their cuts (floored at zero).
    """
    ev = net.link_events
    if not axis.dated or len(ev) == 0:
        return None
    cut = validity(ev, axis)
    if cut is None:
        cut = np.ones((len(ev), axis.n))
    cut = cut * (1.0 - ev["capacity_factor"].to_numpy(float))[:, None]
    out = np.ones((len(net.links), axis.n))
    np.subtract.at(out, net.links.index.get_indexer(ev["link"]), cut)
    return np.asarray(np.clip(out, 0.0, None), dtype=float)


def _horizon_factor(contracts: pd.DataFrame, axis: TimeAxis) -> FArray:
    """Per contract: years of the horizon it is valid (annual min/max times this)."""
    valid = validity(contracts, axis)
    if valid is None:
        return np.full(len(contracts), float(axis.frac.sum()))
    return np.asarray(valid @ axis.frac, dtype=float)


def policy_in_force(net: Network, policy_ids: pd.Series, axis: TimeAxis) -> npt.NDArray[np.bool_]:
    """Per policy id: in force in at least one period (an annual plan: its year).

    By :data:`POLICY_SWITCH_SHARE`, as :func:`policy_epochs` switches it; undated: in force.
    """
    frame = net.policies.reindex(pd.Index(policy_ids.to_numpy(dtype=str)))
    cov = validity(frame, policy_axis(net, axis))
    if cov is None:
        return np.ones(len(frame), bool)
    return np.asarray((cov >= POLICY_SWITCH_SHARE).any(axis=1), dtype=bool)


def policy_years(net: Network, policy_ids: pd.Series, axis: TimeAxis) -> FArray:
    """Per policy id: years of the horizon it is in force (annual volumes times this).

    An annual plan counts the share of its year the policy covers (:func:`policy_axis`).
    """
    frame = net.policies.reindex(pd.Index(policy_ids.to_numpy(dtype=str)))
    return _horizon_factor(frame, policy_axis(net, axis))


def working_levels(net: Network, axis: TimeAxis) -> FArray:
    """Per storage row and period: the working level (Mt) a plan keeps at the period's end.

    ``min_level_mt``, replaced by per-period values where given; a per-period value above
    the row's capacity is a ``DatasetError`` naming its file and row (it could not be held).
    """
    stor = net.storage
    base = stor["min_level_mt"].to_numpy(float) if "min_level_mt" in stor.columns else np.zeros(len(stor))
    base = np.nan_to_num(base, nan=0.0)
    work = values_by_period(net, axis, "storage", "min_level_mt")
    if work is None:
        return np.repeat(base[:, None], axis.n, axis=1)
    cap = stor["capacity_mt"].to_numpy(float)
    pv = net.period_values
    sel = pv[(pv["table"].to_numpy() == "storage") & (pv["field"].to_numpy() == "min_level_mt")]
    over = sel["value"].to_numpy(float) > cap[stor.index.get_indexer(sel["id"].astype(str))]
    if over.any():
        bad = sel[over]
        raise DatasetError(
            [
                Problem(str(f), int(r), "value", f"at most the capacity_mt of storage row {i}", f"{v:g}")
                for f, r, i, v in zip(bad["_file"], bad["_row"], bad["id"], bad["value"], strict=True)
            ]
        )
    return work


def _storage_rows(
    net: Network, lp: LP, st: StoragePairs, pairs: IArray, stock_cols: IArray, axis: TimeAxis
) -> None:
    """Storage rows: per storage and period, working level ≤ level ≤ capacity, fill/draw within rates.

    Also the final level ≥ its floor, and per stock obligation and period, the country's
    stocks ≥ its floor. The working level (``min_level_mt``, per-period values allowed) is
    what a normal plan keeps in the tanks: without it a plan with flat prices empties them
    at once, holding stock being a cost.
    """
    stor = net.storage
    n_s, n_t, n_p = len(stor), axis.n, len(pairs)
    store = st.store[pairs]
    t = np.repeat(np.arange(n_t, dtype=np.int64), n_p)
    s_of_col = np.tile(store, n_t)
    cap = stor["capacity_mt"].to_numpy(float)
    init = stor["initial_mt"].to_numpy(float)
    final = stor["min_final_mt"].to_numpy(float)
    final = np.where(np.isnan(final), init, final)
    inj = stor["max_injection_mt_per_year"].to_numpy(float)
    wd = stor["max_withdrawal_mt_per_year"].to_numpy(float)
    frac = np.broadcast_to(axis.frac[None, :], (n_s, n_t))
    # level rows (s, t): working level ≤ Σ_g stock ≤ capacity
    lvl_r = t * n_s + s_of_col
    work = working_levels(net, axis)
    # change rows (s, t): Σ_g stock[t] − Σ_g stock[t − 1] within [−draw, fill] (+ initial at t = 0)
    nxt = t < n_t - 1  # stock at the end of t enters the change row of t + 1 with −1
    chg_r = np.concatenate([lvl_r, lvl_r[nxt] + n_s]) + n_s * n_t
    chg_c = np.concatenate([stock_cols, stock_cols[nxt]])
    chg_v = np.concatenate([np.ones(len(stock_cols)), -np.ones(int(nxt.sum()))])
    start = np.zeros((n_s, n_t))
    start[:, 0] = init
    chg_lo = (start - scale(wd, frac)).T.ravel()
    chg_hi = (start + scale(inj, frac)).T.ravel()
    # final rows (s): Σ_g stock[T − 1] ≥ floor
    last = t == n_t - 1
    fin_r = s_of_col[last] + 2 * n_s * n_t
    rows = [lvl_r, chg_r, fin_r]
    cols = [stock_cols, chg_c, stock_cols[last]]
    vals = [np.ones(len(stock_cols)), chg_v, np.ones(int(last.sum()))]
    lower = [np.where(work > 0, work, -INF).T.ravel(), chg_lo, final]
    upper = [np.tile(cap, n_t), chg_hi, np.full(n_s, INF)]
    lab_t = tile_labels(pd.DataFrame({"node": stor.index.to_numpy()}), n_t)
    labels = [
        lab_t.assign(limit="capacity_mt"),
        lab_t.assign(limit="rate_mt"),
        pd.DataFrame({"node": stor.index.to_numpy(), "limit": "min_final_mt", "period": n_t - 1}),
    ]
    # stock obligations (country, t): Σ stocks of the country's storage ≥ days of net imports
    ob = net.stock_obligations
    if len(ob):
        ob = ob[~ob["released"].astype(bool).to_numpy()]
        country = net.nodes["country"].reindex(stor.index).to_numpy()
        o_of_col = pd.Index(ob.index).get_indexer(country[s_of_col])
        hit = o_of_col >= 0
        n_o = len(ob)
        floor = stock_days_to_mt(
            ob["days_of_net_imports"].to_numpy(float), ob["net_imports_mt_per_year"].to_numpy(float)
        )
        rows.append(2 * n_s * n_t + n_s + t[hit] * n_o + o_of_col[hit])
        cols.append(stock_cols[hit])
        vals.append(np.ones(int(hit.sum())))
        lower.append(np.tile(floor, n_t))
        upper.append(np.full(n_o * n_t, INF))
        labels.append(
            tile_labels(pd.DataFrame({"node": ob.index.to_numpy()}), n_t).assign(limit="obligation_mt")
        )
    lp.add_cons(
        "storage", np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
        np.concatenate(lower), np.concatenate(upper), pd.concat(labels, ignore_index=True),
    )  # fmt: skip


def period_slice(net: Network, period: str) -> Network:
    """The annual network of one period: its conditions as annual rates, no calendar.

    Capacities are the period's (per-period values × the share of its days a link is valid ×
    dated events), supplies, demands and markets likewise; prices and tariffs the period's;
    dated policies are enabled when in force in the period (``POLICY_SWITCH_SHARE``). Routes
    and other one-period analyses read a dated network through this.
    """
    axis = time_axis(net)
    if not axis.dated:
        return net
    t = int(period_positions(axis.calendar, [period])[0])
    if t < 0:
        labels = axis.calendar["label"].astype(str).tolist()
        shown = ", ".join(labels[:3] + (["...", labels[-1]] if len(labels) > 4 else labels[3:]))
        msg = f"unknown period '{period}': expected a period of the horizon ({shown})"
        raise CrudeflowError(msg)

    def at(table: str, field: str) -> FArray:
        vals = values_by_period(net, axis, table, field)
        return getattr(net, table)[field].to_numpy(float) if vals is None else vals[:, t]

    def share(frame: pd.DataFrame) -> FArray:
        cov = validity(frame, axis)
        return np.ones(len(frame)) if cov is None else cov[:, t]

    links = net.links.copy()
    cap_share = share(links)
    events = link_event_factor(net, axis)
    if events is not None:
        cap_share = cap_share * events[:, t]
    links["capacity_mt_per_year"] = at("links", "capacity_mt_per_year") * cap_share
    links["tariff_usd_per_t"] = at("links", "tariff_usd_per_t")
    sup = net.supplies.copy()
    s_share = share(sup)
    for col in ("min_mt_per_year", "max_mt_per_year"):
        sup[col] = at("supplies", col) * s_share
    sup["price_usd_per_t"] = at("supplies", "price_usd_per_t")
    dem = net.demands.copy()
    dem["demand_mt_per_year"] = at("demands", "demand_mt_per_year") * share(dem)
    dem["shortage_penalty_usd_per_t"] = at("demands", "shortage_penalty_usd_per_t")
    mk = net.markets.copy()
    mk["max_mt_per_year"] = at("markets", "max_mt_per_year") * share(mk)
    mk["price_usd_per_t"] = at("markets", "price_usd_per_t")
    pol = net.policies.copy()
    cov = validity(pol, axis)
    if cov is not None:
        pol["enabled"] = pol["enabled"].to_numpy(bool) & (cov[:, t] >= POLICY_SWITCH_SHARE)
    out = []
    for frame in (links, sup, dem, mk, pol):
        for col in ("valid_from", "valid_to"):
            if col in frame.columns:
                frame[col] = ""
        out.append(frame)
    return net.replace(
        links=out[0], supplies=out[1], demands=out[2], markets=out[3], policies=out[4],
        periods=net.periods.iloc[:0], link_events=net.link_events.iloc[:0],
        period_values=net.period_values.iloc[:0],
    )  # fmt: skip
