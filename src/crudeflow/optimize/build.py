"""build_lp(network): variables, then constraint families in the order a table gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import FArray
from crudeflow.model.network import Network
from crudeflow.optimize import constraints as cf
from crudeflow.optimize.index import NetIndex, build_index
from crudeflow.optimize.lp import LP
from crudeflow.optimize.observed import add_frictions
from crudeflow.optimize.periods import TimeAxis, expand, policy_epochs, storage_pairs, time_axis
from crudeflow.optimize.policies import (
    Arcs,
    FlowPolicy,
    duty_rates,
    export_duty_legs,
    export_duty_quota_rows,
    export_duty_rows,
    general_duties,
    horizon_calendar,
    importer_duties,
    policy_families,
    price_cap_bounds,
)
from crudeflow.optimize.states import StateGraph, StateIndex, state_graph
from crudeflow.optimize.tags import Tagged, add_tags

INF = np.inf


@dataclass(frozen=True)
class PlanOptions:
    """How a plan is built: strictness, penalties (USD/t) and HiGHS options."""

    strict: bool = False
    """No unmet-demand slack: a demand that cannot be met makes the plan infeasible."""
    shut_in_penalty_usd_per_t: float = 2000.0
    """Cost of fixed field output that cannot be placed (shut in): a last resort."""
    hard_contract_penalty_usd_per_t: float = 100_000.0
    """Elastic cost on a hard contract minimum; any use is reported as infeasible."""
    solver_options: dict[str, str | int | float | bool] = field(default_factory=dict)
    """HiGHS options by name (``time_limit``, ``presolve``, ...)."""
    calibrated: bool = False
    """Add the network's calibration frictions (``frictions.csv``) as their own cost block."""


FAMILIES: tuple[tuple[str, Callable[[Network, NetIndex, LP, StateGraph], cf.Rows]], ...] = (
    ("conservation", cf.conservation),
    ("capacity", cf.capacity),
    ("pipe", cf.pipe),
    ("demand", cf.demand),
    ("market", cf.market),
    ("quality", cf.quality),
    ("slate", cf.slates),
    *policy_families(),  # one block per policy kind whose effect adds rows (share_cap, ...)
    ("export_duty", export_duty_rows),  # duties on importers' intake: duty-free + duty-paid
    ("export_duty_quota", export_duty_quota_rows),  # the duty-free quota (over the horizon)
    ("contract", cf.contracts),
)
"""Constraint families in build order; a new rule is one row here plus one function."""


@dataclass(frozen=True)
class Model:
    """A built LP with the maps from network ids to its columns and rows."""

    network: Network
    index: NetIndex
    lp: LP
    options: PlanOptions
    policy: FlowPolicy
    flow_tariff: FArray
    """Per flow variable: link tariff or freight, USD/t."""
    flow_duty: FArray
    """Per flow variable: export duties, USD/t."""
    flow_fee: FArray
    """Per flow variable: transit fees, USD/t."""
    states: StateGraph
    """The (node, grade, period) states the LP touches: one conservation row each."""
    axis: TimeAxis = field(default_factory=lambda: TimeAxis(np.ones(1), np.full(1, 365.0), pd.DataFrame()))
    """The periods the LP spans (one annual period unless the network declares some)."""
    tags: Tagged = field(default_factory=Tagged)
    """The origin and path tag layers the policies asked for (``optimize.tags``)."""


def build_lp(net: Network, options: PlanOptions | None = None) -> Model:
    """Assemble the supply LP of a network with NumPy index arithmetic (no per-link loop).

    One period is built as the annual LP, then repeated over the network's periods
    (``optimize.periods``) with storage arcs between them; an annual network is one period.
    """
    opt = options or PlanOptions()
    idx = build_index(net)
    axis = time_axis(net)
    epochs = policy_epochs(net, idx, axis)
    pol = epochs.union
    lp = LP()
    si = StateIndex(idx.node_ids, idx.grade_ids)
    node_arr = idx.node_ids.to_numpy()
    grade_arr = idx.grade_ids.to_numpy()

    # flow variables (policy-removed ones are dropped)
    keep = np.flatnonzero(pol.keep)
    links = net.links.loc[idx.link_ids]
    tariff_all = links["tariff_usd_per_t"].to_numpy(float)[idx.var_link]
    var_arc = idx.var_arc[keep]
    flow_labels = pd.DataFrame({
        "link": idx.link_ids.to_numpy()[idx.arc_link[var_arc]],
        "link_pos": idx.arc_link[var_arc],
        "from": node_arr[idx.arc_from[var_arc]],
        "to": node_arr[idx.arc_to[var_arc]],
        "from_pos": idx.arc_from[var_arc],
        "to_pos": idx.arc_to[var_arc],
        "grade": grade_arr[idx.var_gin[keep]],
        "grade_out": grade_arr[idx.var_gout[keep]],
        "gin_pos": idx.var_gin[keep],
        "gout_pos": idx.var_gout[keep],
        "reverse": idx.arc_reverse[var_arc],
    })  # fmt: skip
    cost = tariff_all[keep] + pol.duty[keep] + pol.fee[keep]
    lp.add_vars("flow", cost, 0.0, INF, flow_labels)

    # supply (ex-duty where a general export duty of the grade's origin is in force)
    sup = net.supplies.reset_index()
    s_node = idx.node_ids.get_indexer(sup["node"])
    s_grade = idx.grade_ids.get_indexer(sup["grade"])
    dated = duty_by_period(net, idx, axis, epochs.active, keep)
    lp.add_vars(
        "supply", dated["supply"].mean(axis=0), sup["min_mt_per_year"].to_numpy(float),
        sup["max_mt_per_year"].to_numpy(float),
        pd.DataFrame({"node": sup["node"], "grade": sup["grade"], "node_pos": s_node, "grade_pos": s_grade}),
    )  # fmt: skip

    # refinery runs: (refinery, grade) pairs that some flow can deliver, or supplied on site
    d_pos = idx.node_ids.get_indexer(net.demands.index)
    arrive_n = np.concatenate([flow_labels["to_pos"].to_numpy(), s_node])
    arrive_g = np.concatenate([flow_labels["gout_pos"].to_numpy(), s_grade])
    at_d = np.isin(arrive_n, d_pos)
    cn, cg = si.unique_pairs(arrive_n[at_d], arrive_g[at_d])
    lp.add_vars(
        "consume",
        0.0,
        0.0,
        INF,
        pd.DataFrame({"node": node_arr[cn], "grade": grade_arr[cg], "node_pos": cn, "grade_pos": cg}),
    )

    dem = net.demands
    # unmet ≤ demand follows from runs ≥ 0; no explicit bound, so the demand row's dual is
    # the marginal cost of demand (≤ the shortage penalty) instead of jumping past it
    unmet_ub = np.zeros(len(dem)) if opt.strict else np.full(len(dem), INF)
    lp.add_vars(
        "unmet",
        dem["shortage_penalty_usd_per_t"].to_numpy(float),
        0.0,
        unmet_ub,
        pd.DataFrame({"node": dem.index.to_numpy()}),
    )

    # world-market sales: (outlet, grade) pairs that can arrive
    m_pos = idx.node_ids.get_indexer(net.markets.index)
    at_m = np.isin(arrive_n, m_pos)
    mn, mg = si.unique_pairs(arrive_n[at_m], arrive_g[at_m])
    m_price = net.markets["price_usd_per_t"].reindex(node_arr[mn]).to_numpy(float)
    diff = net.grades["differential_usd_per_t"].to_numpy(float)[mg]
    lp.add_vars("sale", -(m_price + diff), 0.0, INF, pd.DataFrame({
        "node": node_arr[mn], "grade": grade_arr[mg], "node_pos": mn, "grade_pos": mg,
        "price_usd_per_t": m_price + diff}))  # fmt: skip

    # shut-in of fixed output (elastic, reported)
    fixed = np.flatnonzero(sup["min_mt_per_year"].to_numpy(float) > 0)
    lp.add_vars(
        "shut_in", opt.shut_in_penalty_usd_per_t, 0.0, sup["min_mt_per_year"].to_numpy(float)[fixed],
        pd.DataFrame({"node": sup["node"].to_numpy()[fixed], "grade": sup["grade"].to_numpy()[fixed],
                      "node_pos": s_node[fixed], "grade_pos": s_grade[fixed]}),
    )  # fmt: skip

    # contract shortfall (take-or-pay, or elastic for hard minimums)
    ct = net.contracts
    top = ct["take_or_pay_usd_per_t"].to_numpy(float) if len(ct) else np.zeros(0)
    hard = np.isnan(top)
    lp.add_vars(
        "contract_shortfall", np.where(hard, opt.hard_contract_penalty_usd_per_t, top), 0.0,
        ct["min_mt_per_year"].to_numpy(float) if len(ct) else np.zeros(0),
        pd.DataFrame({"contract": ct.index.to_numpy(), "hard": hard}),
    )  # fmt: skip

    cf.commitment_vars(net, idx, lp)  # ship-or-pay paid and prepaid volume, outlet shortfall (horizon)

    st = storage_pairs(net, idx, axis)
    sg0 = state_graph(si, lp, (st.init_node, st.init_grade) if st is not None else None)
    fams = {name: family(net, idx, lp, sg0) for name, family in FAMILIES}
    dated["duty_paid"] = _intake_rates(net, axis, epochs.active)
    ex = expand(net, lp, sg0, fams, axis, epochs, tariff_all[keep], st, dated)
    price_cap_bounds(net, ex.lp, axis.calendar, axis.frac)  # G7 tankers closed above the cap
    tagged = add_tags(net, idx, ex.lp, ex.states, epochs.active)  # layers only where policies ask
    if opt.calibrated and len(net.frictions):  # per period, thresholds prorated (optimize.observed)
        add_frictions(ex.lp, net, net.frictions, axis.frac if axis.n > 1 else None)
    return Model(net, idx, ex.lp, opt, pol, ex.tariff, ex.duty, ex.fee, ex.states, axis, tagged)


def _in_force(active: pd.DataFrame, pid: str, n: int) -> FArray:
    """Per period: 1.0 where a (dated) policy is in force, else 0.0."""
    if pid in active.index:
        return np.asarray(active.loc[pid].to_numpy(bool), dtype=float)
    return np.ones(n)


def duty_by_period(
    net: Network, idx: NetIndex, axis: TimeAxis, active: pd.DataFrame, keep: npt.NDArray[np.int64]
) -> dict[str, FArray]:
    """Per-period costs general export duties set (rates by date, ``duty_rates.csv``).

    ``supply`` (T, supplies): ex-duty prices; ``flow_duty_adjust`` (T, kept flows): each
    period's rate minus the horizon mean the flow charge used.
    """
    cal = horizon_calendar(net)
    price = net.supplies["price_usd_per_t"].to_numpy(float)
    supply = np.tile(price, (axis.n, 1))
    adjust = np.zeros((axis.n, len(keep)))
    origin = net.grades["origin_country"].reindex(net.supplies.index.get_level_values("grade")).to_numpy(str)
    pols = general_duties(net)
    arcs = Arcs(net, idx) if pols else None
    for p in pols:
        on = _in_force(active, p.id, axis.n)
        rate = duty_rates(p, net, cal)
        supply -= (rate * on)[:, None] * (origin == p.origin)[None, :]
        if arcs is not None:
            legs = export_duty_legs(p, arcs)[keep]
            adjust += ((rate - rate.mean()) * on)[:, None] * legs[None, :]
    return {"supply": supply, "flow_duty_adjust": adjust}


def _intake_rates(net: Network, axis: TimeAxis, active: pd.DataFrame) -> FArray:
    """Per (period, importer duty): its rate (USD/t), zero where it is out of force."""
    cal = horizon_calendar(net)
    pols = importer_duties(net)
    out = np.zeros((axis.n, len(pols)))
    for k, p in enumerate(pols):
        out[:, k] = duty_rates(p, net, cal) * _in_force(active, p.id, axis.n)
    return out
