"""One vectorised function per constraint family.

Each takes the built variable blocks and returns a ``Rows`` (local COO triplets, bounds
and labels); ``build.py`` stacks them in the order its table gives. None mutates shared
state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from crudeflow._types import FArray, IArray
from crudeflow.model.network import Network
from crudeflow.model.policies import (
    ReservedCapacity,
    ShareCap,
    ShipOrPay,
    SwapBuyers,
    ThroughputCommitment,
    TransitRefusal,
    policies_of,
)
from crudeflow.optimize.index import NetIndex
from crudeflow.optimize.lp import LP
from crudeflow.optimize.policies import adds_rows, importer_nodes, seller_grades, territory
from crudeflow.optimize.states import StateGraph

INF = np.inf


@dataclass(frozen=True)
class Rows:
    """A constraint block before stacking: local rows, global columns, values, bounds, labels."""

    rows: IArray
    cols: IArray
    vals: FArray
    lower: FArray
    upper: FArray
    labels: pd.DataFrame


def _empty(columns: list[str]) -> Rows:
    z = np.zeros(0, np.int64)
    return Rows(z, z, np.zeros(0), np.zeros(0), np.zeros(0), pd.DataFrame(columns=columns))


def conservation(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per state (node, grade): supply + inflow − outflow − runs − sales − shut-in = 0."""
    f = lp.vars["flow"]
    parts = [
        (sg.flow_head, f.start, 1.0),
        (sg.flow_tail, f.start, -1.0),
        *((sg.rows[name], lp.vars[name].start, 1.0 if name == "supply" else -1.0) for name in sg.rows),
    ]
    rows = np.concatenate([r for r, _, _ in parts]).astype(np.int64)
    cols = np.concatenate([start + np.arange(len(r)) for r, start, _ in parts]).astype(np.int64)
    vals = np.concatenate([np.full(len(r), v) for r, _, v in parts])
    z = np.zeros(sg.size)
    return Rows(rows, cols, vals, z, z, sg.labels())


def capacity(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per active link: the sum of its flows over grades and directions ≤ capacity."""
    f = lp.vars["flow"]
    rows = f.labels["link_pos"].to_numpy(np.int64)
    cols = f.start + np.arange(f.size, dtype=np.int64)
    cap = net.links.loc[idx.link_ids, "capacity_mt_per_year"].to_numpy(float)
    labels = pd.DataFrame({"link": idx.link_ids.to_numpy(), "capacity_mt_per_year": cap})
    return Rows(rows, cols, np.ones(f.size), np.full(len(cap), -INF), cap, labels)


def pipe_of(links: pd.DataFrame) -> npt.NDArray[np.str_]:
    """Per link: its physical pipe, the ``pipe`` column or its own id when empty."""
    ids = links.index.to_numpy(dtype=str)
    declared = links["pipe"].fillna("").astype(str).to_numpy(dtype=str) if "pipe" in links else ids
    return np.asarray(np.where(declared == "", ids, declared), dtype=str)


def pipe(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per pipe shared by two or more active links: all their flows ≤ the smallest capacity.

    A link's pipe is its ``pipe`` column, or its own id when empty, so a scenario link
    with ``pipe: <link id>`` shares that link's line. One row caps the sum over grades
    and both directions, Mt/yr; it is labelled by its tightest link, whose dated
    validity and events it follows.
    """
    f = lp.vars["flow"]
    links = net.links.loc[idx.link_ids]
    pipe_ids = pipe_of(links)
    named = np.arange(len(links))
    groups, inv, counts = np.unique(pipe_ids[named], return_inverse=True, return_counts=True)
    shared = counts >= 2
    if not shared.any():
        return _empty(["pipe", "link", "capacity_mt_per_year"])
    row_of_group = np.full(len(groups), -1, np.int64)
    row_of_group[shared] = np.arange(int(shared.sum()))
    link_row = np.full(len(links), -1, np.int64)
    link_row[named] = row_of_group[inv]
    cap_l = links["capacity_mt_per_year"].to_numpy(float)
    # tightest member per row: sort members by (row, capacity) and take each row's first
    members = np.flatnonzero(link_row >= 0)
    order = members[np.lexsort((cap_l[members], link_row[members]))]
    first = order[np.unique(link_row[order], return_index=True)[1]]
    cap = cap_l[first]
    var_row = link_row[f.labels["link_pos"].to_numpy(np.int64)]
    on = np.flatnonzero(var_row >= 0)
    labels = pd.DataFrame(
        {"pipe": groups[shared], "link": idx.link_ids.to_numpy()[first], "capacity_mt_per_year": cap}
    )
    return Rows(
        var_row[on], f.start + on.astype(np.int64), np.ones(len(on)), np.full(len(cap), -INF), cap, labels
    )


def demand(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per refinery: runs over grades + unmet = demand."""
    c, u = lp.vars["consume"], lp.vars["unmet"]
    d_ids = net.demands.index
    rows = np.concatenate([d_ids.get_indexer(c.labels["node"]), d_ids.get_indexer(u.labels["node"])]).astype(
        np.int64
    )
    cols = np.concatenate([c.start + np.arange(c.size), u.start + np.arange(u.size)]).astype(np.int64)
    dem = net.demands["demand_mt_per_year"].to_numpy(float)
    labels = pd.DataFrame({"node": d_ids.to_numpy(), "demand_mt_per_year": dem})
    return Rows(rows, cols, np.ones(len(cols)), dem, dem, labels)


def market(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per world-market outlet: sales over grades ≤ the outlet's volume."""
    m = lp.vars["sale"]
    m_ids = net.markets.index
    rows = m_ids.get_indexer(m.labels["node"]).astype(np.int64)
    cols = m.start + np.arange(m.size, dtype=np.int64)
    cap = net.markets["max_mt_per_year"].to_numpy(float)
    labels = pd.DataFrame({"node": m_ids.to_numpy(), "max_mt_per_year": cap})
    return Rows(rows, cols, np.ones(len(cols)), np.full(len(cap), -INF), cap, labels)


def quality(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Linear blend limits: Σ runs × (sulfur − max) ≤ 0; Σ runs × (API − min) ≥ 0; ≤ max.

    Runs are in Mt, so both blends are mass-weighted: exact for sulfur (% by mass); for API
    gravity, which blends by volume, an approximation within a few tenths of a degree for
    crudes 10 °API apart (the volume weights differ from the mass weights by ~3 %).
    """
    c = lp.vars["consume"]
    if c.size == 0:
        return _empty(["node", "limit", "value"])
    dem = net.demands.reindex(c.labels["node"])
    g = net.grades.reindex(c.labels["grade"])
    d_ids = net.demands.index
    d_pos = d_ids.get_indexer(c.labels["node"])
    cols = c.start + np.arange(c.size, dtype=np.int64)
    parts: list[tuple[str, FArray, FArray, float, float]] = [
        (
            "max_sulfur_pct",
            dem["max_sulfur_pct"].to_numpy(float),
            g["sulfur_pct"].to_numpy(float),
            -INF,
            0.0,
        ),
        ("min_api", dem["min_api"].to_numpy(float), g["api_gravity"].to_numpy(float), 0.0, INF),
        ("max_api", dem["max_api"].to_numpy(float), g["api_gravity"].to_numpy(float), -INF, 0.0),
    ]
    r_all, c_all, v_all, lo_all, hi_all, labs = [], [], [], [], [], []
    offset = 0
    for name, limit, prop, lo, hi in parts:
        active = ~np.isnan(limit)
        if not active.any():
            continue
        nodes_with = np.unique(d_pos[active])
        local = pd.Index(nodes_with).get_indexer(d_pos[active])
        r_all.append(offset + local)
        c_all.append(cols[active])
        v_all.append(prop[active] - limit[active])
        lim = net.demands[name].to_numpy(float)[nodes_with]
        lo_all.append(np.full(len(nodes_with), lo))
        hi_all.append(np.full(len(nodes_with), hi))
        labs.append(pd.DataFrame({"node": d_ids.to_numpy()[nodes_with], "limit": name, "value": lim}))
        offset += len(nodes_with)
    if not labs:
        return _empty(["node", "limit", "value"])
    return Rows(
        np.concatenate(r_all).astype(np.int64), np.concatenate(c_all), np.concatenate(v_all),
        np.concatenate(lo_all), np.concatenate(hi_all), pd.concat(labs, ignore_index=True),
    )  # fmt: skip


def slates(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per (refinery, grade) cap: runs of the grade − share × all runs ≤ 0."""
    c = lp.vars["consume"]
    sl = net.slates.reset_index()
    if len(sl) == 0 or c.size == 0:
        return _empty(["node", "grade", "max_share_pct"])
    cl = c.labels
    # one row per slate entry: +1 on its own grade, −share on every grade of the refinery
    key_c = pd.MultiIndex.from_arrays([cl["node"].astype(str), cl["grade"].astype(str)])
    key_s = pd.MultiIndex.from_arrays([sl["node"].astype(str), sl["grade"].astype(str)])
    own = key_c.get_indexer(key_s)
    share = sl["max_share_pct"].to_numpy(float) / 100.0
    # pairs (slate row, consume col) for the refinery's whole runs
    s_nodes = sl["node"].to_numpy(dtype=str)
    c_nodes = cl["node"].to_numpy(dtype=str)
    order = np.argsort(c_nodes, kind="stable")
    sorted_nodes = c_nodes[order]
    lo = np.searchsorted(sorted_nodes, s_nodes, "left")
    hi = np.searchsorted(sorted_nodes, s_nodes, "right")
    counts = hi - lo
    rows_all = np.repeat(np.arange(len(sl)), counts)
    starts = np.repeat(lo, counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cols_all = order[starts + within]
    has_own = own >= 0
    rows = np.concatenate([rows_all, np.flatnonzero(has_own)]).astype(np.int64)
    cols = c.start + np.concatenate([cols_all, own[has_own]]).astype(np.int64)
    vals = np.concatenate([-share[rows_all], np.ones(int(has_own.sum()))])
    labels = sl[["node", "grade", "max_share_pct"]].copy()
    return Rows(rows, cols, vals, np.full(len(sl), -INF), np.zeros(len(sl)), labels)


@adds_rows("share_cap")
def share_caps(caps: Sequence[ShareCap], net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Share caps: per cap, one row: capped runs − share × all the importer's runs ≤ 0.

    By origin, the capped runs are the importer's runs of grades of the origin; by transit,
    none here. Both are made exact over the whole route by ``optimize.tags``, which adds the
    runs of crude that crossed the transit country anywhere on its way (or that was of the
    origin before a swap) from the tag layers it builds for these rows.
    """
    if len(caps) == 0:
        return _empty(["policy", "importer", "by", "country", "max_share_pct"])
    c = lp.vars["consume"]
    c_nodes = c.labels["node"].to_numpy(dtype=str)
    c_origin = idx.grade_origin[c.labels["grade_pos"].to_numpy()]
    rows, cols, vals, labs = [], [], [], []
    for r, p in enumerate(caps):
        share = p.max_share_pct / 100.0
        d_nodes = importer_nodes(net, p.importer)
        runs = np.flatnonzero(np.isin(c_nodes, d_nodes))
        rows.append(np.full(len(runs), r))
        cols.append(c.start + runs)
        vals.append(np.full(len(runs), -share))
        if p.by == "origin":
            hit = runs[np.isin(c_origin[runs], net.expand_countries([p.country]))]
            rows.append(np.full(len(hit), r))
            cols.append(c.start + hit)
            vals.append(np.ones(len(hit)))
        labs.append(
            {
                "policy": p.id,
                "importer": p.importer,
                "by": p.by,
                "country": p.country,
                "max_share_pct": p.max_share_pct,
            }
        )
    n = len(labs)
    return Rows(
        np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64),
        np.concatenate(vals), np.full(n, -INF), np.zeros(n), pd.DataFrame(labs),
    )  # fmt: skip


def contracts(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per contract: min ≤ runs of the seller's grades at the buyer (+ shortfall) ≤ max."""
    ct = net.contracts
    if len(ct) == 0:
        return _empty(["contract", "seller", "buyer", "min_mt_per_year", "max_mt_per_year"])
    c, sf = lp.vars["consume"], lp.vars["contract_shortfall"]
    c_nodes = c.labels["node"].to_numpy(dtype=str)
    c_grades = c.labels["grade"].to_numpy(dtype=str)
    rows, cols, vals = [], [], []
    for r, (_cid, k) in enumerate(ct.iterrows()):
        hit = np.flatnonzero(
            np.isin(c_nodes, importer_nodes(net, k["buyer"]))
            & np.isin(c_grades, seller_grades(net, k["seller"]))
        )
        rows.append(np.full(len(hit), r))
        cols.append(c.start + hit)
    rows.append(np.arange(len(ct)))
    cols.append(sf.start + np.arange(sf.size))
    vals = [np.ones(len(x)) for x in cols]
    labels = pd.DataFrame({
        "contract": ct.index.to_numpy(), "seller": ct["seller"].to_numpy(),
        "buyer": ct["buyer"].to_numpy(), "min_mt_per_year": ct["min_mt_per_year"].to_numpy(float),
        "max_mt_per_year": ct["max_mt_per_year"].to_numpy(float),
    })  # fmt: skip
    return Rows(
        np.concatenate(rows).astype(np.int64), np.concatenate(cols).astype(np.int64),
        np.concatenate(vals), ct["min_mt_per_year"].to_numpy(float),
        ct["max_mt_per_year"].to_numpy(float), labels,
    )  # fmt: skip


# --- commitments, reservations, swaps for a buyer, transit permissions (issue 14) ----------


def _link_flow_cols(lp: LP, link: str) -> IArray:
    """Flow columns (global) of one link, both directions; none when it is not active."""
    f = lp.vars["flow"]
    return f.start + np.flatnonzero(f.labels["link"].to_numpy(dtype=str) == link).astype(np.int64)


def commitment_vars(net: Network, idx: NetIndex, lp: LP) -> None:
    """Horizon columns of the commitments: paid and prepaid volume per ship-or-pay, shortfall per outlet.

    ``paid`` (fixed at the paid volume, Mt/yr) costs the fee: the fixed cost. ``prepaid`` (Mt/yr,
    at most the paid volume) costs minus the link's tariff: the part of the link's flow already
    paid for pays no tariff. ``commit_shortfall`` (Mt/yr short of a throughput commitment)
    costs its shortfall charge.
    """
    sop = policies_of(net.policies, ShipOrPay)
    paid = np.array([p.paid_mt_per_year for p in sop], dtype=np.float64)
    lp.add_vars(
        "paid", np.array([p.fee_usd_per_t for p in sop], dtype=np.float64), paid, paid,
        pd.DataFrame({"policy": [p.id for p in sop], "link": [p.link for p in sop]}, dtype=object),
    )  # fmt: skip
    tariff = net.links["tariff_usd_per_t"].reindex([p.link for p in sop]).to_numpy(float)
    lp.add_vars(
        "prepaid", -np.nan_to_num(tariff), 0.0, np.array([p.paid_mt_per_year for p in sop], float),
        pd.DataFrame({"policy": [p.id for p in sop], "link": [p.link for p in sop]}, dtype=object),
    )  # fmt: skip
    tc = policies_of(net.policies, ThroughputCommitment)
    lp.add_vars(
        "commit_shortfall", np.array([p.shortfall_usd_per_t for p in tc], float), 0.0,
        np.array([p.min_mt_per_year for p in tc], float),
        pd.DataFrame({"policy": [p.id for p in tc], "market": [p.market for p in tc]}, dtype=object),
    )  # fmt: skip


@adds_rows("ship_or_pay")
def ship_or_pay_rows(pols: Sequence[ShipOrPay], net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per ship-or-pay (over the horizon): prepaid use − flows on the link ≤ 0."""
    cols = ["policy", "link", "paid_mt_per_year", "fee_usd_per_t"]
    if not pols:
        return _empty(cols)
    pre = lp.vars["prepaid"]
    rows, cc, vals = [np.arange(len(pols))], [pre.start + np.arange(len(pols))], [np.ones(len(pols))]
    for r, p in enumerate(pols):
        fc = _link_flow_cols(lp, p.link)
        rows.append(np.full(len(fc), r))
        cc.append(fc)
        vals.append(-np.ones(len(fc)))
    labels = pd.DataFrame([[p.id, p.link, p.paid_mt_per_year, p.fee_usd_per_t] for p in pols], columns=cols)
    n = len(pols)
    return Rows(
        np.concatenate(rows).astype(np.int64), np.concatenate(cc).astype(np.int64), np.concatenate(vals),
        np.full(n, -INF), np.zeros(n), labels,
    )  # fmt: skip


@adds_rows("throughput_commitment")
def throughput_rows(
    pols: Sequence[ThroughputCommitment], net: Network, idx: NetIndex, lp: LP, sg: StateGraph
) -> Rows:
    """Per commitment (over the horizon): sales at the outlet + shortfall ≥ the committed volume."""
    cols = ["policy", "market", "min_mt_per_year"]
    if not pols:
        return _empty(cols)
    m, sf = lp.vars["sale"], lp.vars["commit_shortfall"]
    m_node = m.labels["node"].to_numpy(dtype=str)
    m_origin = idx.grade_origin[m.labels["grade_pos"].to_numpy(np.int64)]
    rows, cc = [np.arange(len(pols))], [sf.start + np.arange(len(pols))]
    for r, p in enumerate(pols):
        hit = m_node == p.market
        if p.origins:
            hit &= np.isin(m_origin, net.expand_countries(p.origins))
        rows.append(np.full(int(hit.sum()), r))
        cc.append(m.start + np.flatnonzero(hit))
    mins = np.array([p.min_mt_per_year for p in pols], float)
    labels = pd.DataFrame([[p.id, p.market, p.min_mt_per_year] for p in pols], columns=cols)
    r_all = np.concatenate(rows).astype(np.int64)
    return Rows(
        r_all, np.concatenate(cc).astype(np.int64), np.ones(len(r_all)), mins, np.full(len(pols), INF), labels
    )


def _holder_grades(net: Network, p: ReservedCapacity) -> npt.NDArray[np.str_]:
    """Grades whose flows use a reservation: the origin's, the shipper's or the contract seller's."""
    if p.origin:
        mask = net.grades["origin_country"].isin(net.expand_countries([p.origin])).to_numpy()
        return np.asarray(net.grades.index.to_numpy(dtype=str)[mask], dtype=str)
    seller = p.shipper or str(net.contracts.loc[p.contract, "seller"])
    return seller_grades(net, seller)


def _holder_most(net: Network, idx: NetIndex, p: ReservedCapacity, grades: npt.NDArray[np.str_]) -> float:
    """Mt/yr the holder could bring to the link at most: max supply of its grades upstream of it."""
    n = len(idx.node_ids)
    g_up = sp.csr_matrix((np.ones(len(idx.arc_to)), (idx.arc_to, idx.arc_from)), shape=(n, n))
    link = net.links.loc[p.link]
    ends = [link["from"], link["to"]] if bool(link["bidirectional"]) else [link["from"]]
    up = np.zeros(n, bool)
    for end in ends:
        up[breadth_first_order(g_up, int(idx.node_ids.get_loc(end)), return_predecessors=False)] = True
    sup = net.supplies.reset_index()
    hit = sup["grade"].isin(grades).to_numpy() & up[idx.node_ids.get_indexer(sup["node"])]
    if p.shipper:
        hit &= (sup["node"] == p.shipper).to_numpy()
    most = float(sup.loc[hit, "max_mt_per_year"].sum())
    if p.contract:
        most = min(most, float(np.nan_to_num(net.contracts.loc[p.contract, "max_mt_per_year"], nan=np.inf)))
    return most


@adds_rows("reserved_capacity")
def reserved_rows(
    pols: Sequence[ReservedCapacity], net: Network, idx: NetIndex, lp: LP, sg: StateGraph
) -> Rows:
    """Per reservation (and period): flows on the link of crude not the holder's ≤ capacity − reserved.

    With ``release_unused`` the reservation is cut to what the holder could use at most
    (:func:`_holder_most`); the bound is a volume, prorated by period like the capacity.
    """
    cols = ["policy", "link", "holder", "reserved_mt_per_year", "others_max_mt_per_year"]
    active = [p for p in pols if p.link in idx.link_ids]
    if not active:
        return _empty(cols)
    f = lp.vars["flow"]
    f_link = f.labels["link"].to_numpy(dtype=str)
    f_grade = f.labels["grade"].to_numpy(dtype=str)
    rows, cc, labs, ub = [], [], [], []
    for r, p in enumerate(active):
        grades = _holder_grades(net, p)
        reserved = (
            min(p.mt_per_year, _holder_most(net, idx, p, grades)) if p.release_unused else p.mt_per_year
        )
        cap = float(net.links.loc[p.link, "capacity_mt_per_year"])
        hit = np.flatnonzero((f_link == p.link) & ~np.isin(f_grade, grades))
        rows.append(np.full(len(hit), r))
        cc.append(f.start + hit)
        ub.append(max(cap - reserved, 0.0))
        holder = (
            f"origin {p.origin}"
            if p.origin
            else f"shipper {p.shipper}"
            if p.shipper
            else f"contract {p.contract}"
        )
        labs.append([p.id, p.link, holder, reserved, ub[-1]])
    r_all = np.concatenate(rows).astype(np.int64)
    return Rows(
        r_all, np.concatenate(cc).astype(np.int64), np.ones(len(r_all)), np.full(len(active), -INF),
        np.array(ub, float), pd.DataFrame(labs, columns=cols),
    )  # fmt: skip


@adds_rows("transit_refusal")
def transit_refusal_rows(
    pols: Sequence[TransitRefusal], net: Network, idx: NetIndex, lp: LP, sg: StateGraph
) -> Rows:
    """Per refusal and importer country: the origins' crude run there ≤ what may be.

    One row: runs of the origins' crude − that crude entering the importer over legs not
    crossing the transit country − that crude produced in it ≤ 0.
    """
    cols = ["policy", "country", "importer", "origins"]
    if not pols:
        return _empty(cols)
    c, f, s = lp.vars["consume"], lp.vars["flow"], lp.vars["supply"]
    terr = territory(net, idx)
    c_country = idx.node_country[c.labels["node_pos"].to_numpy(np.int64)]
    c_origin = idx.grade_origin[c.labels["grade_pos"].to_numpy(np.int64)]
    d_nodes = np.isin(c.labels["node"].to_numpy(dtype=str), net.demands.index.to_numpy(dtype=str))
    f_to = idx.node_country[f.labels["to_pos"].to_numpy(np.int64)]
    f_from = idx.node_country[f.labels["from_pos"].to_numpy(np.int64)]
    f_origin = idx.grade_origin[f.labels["gout_pos"].to_numpy(np.int64)]
    f_link = f.labels["link_pos"].to_numpy(np.int64)
    s_country = idx.node_country[s.labels["node_pos"].to_numpy(np.int64)]
    s_origin = idx.grade_origin[s.labels["grade_pos"].to_numpy(np.int64)]
    rows, cc, vals = [], [], []
    labs: list[list[str]] = []
    for p in pols:
        origins = [o for o in net.expand_countries(p.origins) if o != p.country]
        not_via = ~terr.has([p.country])[f_link]
        for imp in net.expand_countries(p.importers):
            r = len(labs)
            runs = np.flatnonzero(d_nodes & (c_country == imp) & np.isin(c_origin, origins))
            enter = np.flatnonzero((f_to == imp) & (f_from != imp) & not_via & np.isin(f_origin, origins))
            own = np.flatnonzero((s_country == imp) & np.isin(s_origin, origins))
            for start, pos, v in ((c.start, runs, 1.0), (f.start, enter, -1.0), (s.start, own, -1.0)):
                rows.append(np.full(len(pos), r))
                cc.append(start + pos)
                vals.append(np.full(len(pos), v))
            labs.append([p.id, p.country, imp, ";".join(origins)])
    n = len(labs)
    return Rows(
        np.concatenate(rows).astype(np.int64), np.concatenate(cc).astype(np.int64), np.concatenate(vals),
        np.full(n, -INF), np.zeros(n), pd.DataFrame(labs, columns=cols),
    )  # fmt: skip


@adds_rows("swap_buyers")
def swap_buyer_rows(pols: Sequence[SwapBuyers], net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per swap for buyers (and period): the swap's volume − the buyers' runs of its output grade ≤ 0."""
    cols = ["policy", "link", "buyers"]
    if not pols:
        return _empty(cols)
    c, f = lp.vars["consume"], lp.vars["flow"]
    f_link = f.labels["link"].to_numpy(dtype=str)
    c_node = c.labels["node"].to_numpy(dtype=str)
    c_grade = c.labels["grade"].to_numpy(dtype=str)
    rows, cc, vals = [], [], []
    for r, p in enumerate(pols):
        on = np.flatnonzero(f_link == p.link)
        out_grades = np.unique(f.labels["grade_out"].to_numpy(dtype=str)[on])
        buyers = np.unique(np.concatenate([importer_nodes(net, b) for b in p.buyers] or [np.zeros(0, str)]))
        runs = np.flatnonzero(np.isin(c_node, buyers) & np.isin(c_grade, out_grades))
        rows += [np.full(len(on), r), np.full(len(runs), r)]
        cc += [f.start + on, c.start + runs]
        vals += [np.ones(len(on)), -np.ones(len(runs))]
    labels = pd.DataFrame([[p.id, p.link, ";".join(p.buyers)] for p in pols], columns=cols)
    n = len(pols)
    return Rows(
        np.concatenate(rows).astype(np.int64), np.concatenate(cc).astype(np.int64), np.concatenate(vals),
        np.full(n, -INF), np.zeros(n), labels,
    )  # fmt: skip
