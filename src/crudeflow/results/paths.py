"""Flow decomposition and delivered-cost propagation on the (node, grade) state graph.

A *state* is one (node, grade) conservation row, so swaps (which change the grade) are
followed like any other leg. ``decompose`` splits the optimal flows into paths from a supply
to a sink (a refinery run, a world-market sale or a shut-in); ``average_costs`` gives every
state the volume-weighted average cost of the crude there, split into parts, by one sparse
linear solve (no path enumeration), which is what delivered costs are built from.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from crudeflow._types import TOL_PATH_MT as EPS
from crudeflow._types import FArray, IArray
from crudeflow.optimize.build import Model
from crudeflow.results.commitments import net_tariff


def decompose_states(
    src_state: IArray,
    src_amt: FArray,
    e_from: IArray,
    e_to: IArray,
    e_amt: FArray,
    sink_state: IArray,
    sink_amt: FArray,
    n_states: int,
    eps: float = EPS,
) -> tuple[list[int], list[int], list[float], list[list[int]], list[list[int]]]:
    """Split a conserving flow on integer states into source → sink paths.

    Walks from each source along edges with flow left (largest first, with a per-state
    pointer so an exhausted edge is never looked at again), stops at the first state with
    sink volume left, and subtracts the bottleneck amount. A cycle met on the walk is a
    circulation: it is cancelled (its smallest flow is taken off every edge of the cycle)
    and the walk goes on, so cycles (bidirectional links, swaps back and forth) never stop
    the decomposition. A dead end (solver noise) drops the last edge's remainder.

    Returns, per path: source position, sink position, amount, states visited and edge
    positions used. Work is linear in the total path length plus the number of edges.
    """
    order = np.lexsort((-e_amt, e_from))
    ef = e_from[order]
    states = np.arange(n_states + 1)
    e_start = np.searchsorted(ef, states[:-1], "left").tolist()
    e_end = np.searchsorted(ef, states[:-1], "right").tolist()
    e_to_l = e_to[order].tolist()
    res = e_amt[order].astype(float).tolist()
    e_orig = order.tolist()
    s_order = np.argsort(sink_state, kind="stable")
    ss = sink_state[s_order]
    k_start = np.searchsorted(ss, states[:-1], "left").tolist()
    k_end = np.searchsorted(ss, states[:-1], "right").tolist()
    sink_res = sink_amt[s_order].astype(float).tolist()
    sink_orig = s_order.tolist()
    ptr = list(e_start)
    kptr = list(k_start)

    p_src: list[int] = []
    p_sink: list[int] = []
    p_amt: list[float] = []
    p_states: list[list[int]] = []
    p_edges: list[list[int]] = []
    for i, (s0, amt0) in enumerate(zip(src_state.tolist(), src_amt.tolist(), strict=True)):
        left = float(amt0)
        while left > eps:
            walk_states = [s0]
            walk_edges: list[int] = []
            pos = {s0: 0}
            s = s0
            sink = -1
            while True:
                k = kptr[s]
                while k < k_end[s] and sink_res[k] <= eps:
                    k += 1
                kptr[s] = k
                if k < k_end[s]:
                    sink = k
                    break
                j = ptr[s]
                while j < e_end[s] and res[j] <= eps:
                    j += 1
                ptr[s] = j
                if j == e_end[s]:
                    break  # dead end
                t = e_to_l[j]
                if t in pos:  # a cycle: cancel it and carry on from where it closed
                    at = pos[t]
                    cyc = [*walk_edges[at:], j]
                    m = min(res[c] for c in cyc)
                    for c in cyc:
                        res[c] -= m
                    for st in walk_states[at + 1 :]:
                        del pos[st]
                    del walk_states[at + 1 :]
                    del walk_edges[at:]
                    s = t
                    continue
                walk_edges.append(j)
                walk_states.append(t)
                pos[t] = len(walk_states) - 1
                s = t
            if sink < 0:
                if not walk_edges:
                    break  # nothing leaves the source: the rest is noise
                res[walk_edges[-1]] = 0.0
                continue
            amount = min(left, sink_res[sink], *(res[e] for e in walk_edges))
            for e in walk_edges:
                res[e] -= amount
            sink_res[sink] -= amount
            left -= amount
            p_src.append(i)
            p_sink.append(sink_orig[sink])
            p_amt.append(amount)
            p_states.append(walk_states)
            p_edges.append([e_orig[e] for e in walk_edges])
    return p_src, p_sink, p_amt, p_states, p_edges


def decompose(
    supply: pd.DataFrame,
    flows: pd.DataFrame,
    sinks: pd.DataFrame,
) -> pd.DataFrame:
    """Path decomposition of a feasible flow given as frames.

    ``supply``: node, grade, mt_per_year. ``flows``: var, from, to, grade, grade_out,
    mt_per_year. ``sinks``: node, grade, kind, mt_per_year. Returns one row per path:
    source, grade (as supplied), sink, sink_kind, grade_out, mt_per_year, nodes (tuple),
    vars (tuple of flow-variable positions).

    With a tag layer (``optimize.tags``), states are (node, grade, tag): ``flows`` then has
    ``from_tag`` / ``to_tag`` and ``supply`` / ``sinks`` a ``tag`` column (0 untagged, 1
    tagged; a flow variable appears once per part), so paths keep tagged and untagged
    crude apart as the plan did (a capped route is not blended into another path).
    """
    cols = ["source", "grade", "sink", "sink_kind", "grade_out", "mt_per_year", "nodes", "vars"]
    nodes = np.concatenate(
        [
            supply["node"].to_numpy(object),
            flows["from"].to_numpy(object),
            flows["to"].to_numpy(object),
            sinks["node"].to_numpy(object),
        ]
    )
    grades = np.concatenate(
        [
            supply["grade"].to_numpy(object),
            flows["grade"].to_numpy(object),
            flows["grade_out"].to_numpy(object),
            sinks["grade"].to_numpy(object),
        ]
    )
    levels = [nodes, grades]
    if "from_tag" in flows.columns:
        levels.append(
            np.concatenate(
                [
                    supply["tag"].to_numpy(np.int64),
                    flows["from_tag"].to_numpy(np.int64),
                    flows["to_tag"].to_numpy(np.int64),
                    sinks["tag"].to_numpy(np.int64),
                ]
            )
        )
    codes, uniq = pd.MultiIndex.from_arrays(levels).factorize()
    n_s, n_f = len(supply), len(flows)
    src = codes[:n_s].astype(np.int64)
    ef = codes[n_s : n_s + n_f].astype(np.int64)
    et = codes[n_s + n_f : n_s + 2 * n_f].astype(np.int64)
    sk = codes[n_s + 2 * n_f :].astype(np.int64)
    p_src, p_sink, p_amt, p_states, p_edges = decompose_states(
        src, supply["mt_per_year"].to_numpy(float), ef, et, flows["mt_per_year"].to_numpy(float),
        sk, sinks["mt_per_year"].to_numpy(float), len(uniq),
    )  # fmt: skip
    if not p_src:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "mt_per_year" else object) for c in cols})
    state_node = np.asarray(uniq.get_level_values(0), dtype=object)
    var = flows["var"].to_numpy(np.int64)
    si = np.asarray(p_sink)
    sup_i = np.asarray(p_src)
    return pd.DataFrame(
        {
            "source": supply["node"].to_numpy()[sup_i],
            "grade": supply["grade"].to_numpy()[sup_i],
            "sink": sinks["node"].to_numpy()[si],
            "sink_kind": sinks["kind"].to_numpy()[si],
            "grade_out": sinks["grade"].to_numpy()[si],
            "mt_per_year": np.asarray(p_amt, float),
            "nodes": [tuple(state_node[st].tolist()) for st in p_states],
            "vars": [tuple(var[e].tolist()) for e in p_edges],
        },
        columns=cols,
    )


def path_costs(
    paths: pd.DataFrame,
    price: FArray,
    tariff: FArray,
    duty: FArray,
    fee: FArray,
) -> pd.DataFrame:
    """Add per-tonne cost parts to each path: price, transport, duties, fees, total (USD/t)."""
    out = paths.copy()
    lens = np.fromiter((len(v) for v in paths["vars"]), np.int64, len(paths))
    flat = (
        np.fromiter((i for v in paths["vars"] for i in v), np.int64, int(lens.sum()))
        if len(paths)
        else np.zeros(0, np.int64)
    )
    owner = np.repeat(np.arange(len(paths)), lens)

    def per_path(values: FArray) -> FArray:
        return np.bincount(owner, weights=values[flat], minlength=len(paths)).astype(float)

    t, d, f = per_path(tariff), per_path(duty), per_path(fee)
    out["price_usd_per_t"] = price
    out["transport_usd_per_t"] = t
    out["duties_usd_per_t"] = d
    out["fees_usd_per_t"] = f
    out["cost_usd_per_t"] = price + t + d + f
    return out


def average_costs(
    n_states: int,
    src_state: IArray,
    src_amt: FArray,
    src_parts: FArray,
    e_from: IArray,
    e_to: IArray,
    e_amt: FArray,
    e_parts: FArray,
) -> FArray:
    """Volume-weighted average cost (USD/t) of the crude at every state, per cost part.

    ``src_parts`` (sources × k) and ``e_parts`` (edges × k) are per-tonne charges. With
    inflow(s) the volume entering state s, the averages a solve
    ``inflow(s)·a(s) = Σ_src amt·part + Σ_edges u→s amt·(a(u) + part)`` — one sparse
    solve for all parts, exact for any flow including cycles that are fed from outside.
    A volume-weighted sum of a over all sinks equals the total cost of the flow. States
    that no source feeds (no inflow, or an unfed circulation — a zero-cost tie) get NaN
    and are left out of the solve, which keeps the system non-singular.
    """
    k = src_parts.shape[1]
    out = np.full((n_states, k), np.nan)
    if n_states == 0:
        return out
    # states fed by some source: reachable from a source over edges carrying flow
    fed = fed_states(n_states, src_state, e_from, e_to)
    e_ok = fed[e_from] & fed[e_to]
    sub = np.flatnonzero(fed)
    n_sub = len(sub)
    where = np.full(n_states, -1, np.int64)
    where[sub] = np.arange(n_sub)
    s_i, ef, et = where[src_state], where[e_from[e_ok]], where[e_to[e_ok]]
    ea = e_amt[e_ok]
    inflow = np.bincount(s_i, weights=src_amt, minlength=n_sub) + np.bincount(et, weights=ea, minlength=n_sub)
    b = np.zeros((n_sub, k))
    for j in range(k):
        b[:, j] = np.bincount(s_i, weights=src_amt * src_parts[:, j], minlength=n_sub)
        b[:, j] += np.bincount(et, weights=ea * e_parts[e_ok, j], minlength=n_sub)
    diag = np.where(inflow > 0, inflow, 1.0)
    out[sub] = _solve_averages(diag, et, ef, ea, b)
    return out


def average_costs_by_tag(
    n_states: int,
    src_state: IArray,
    src_amt: FArray,
    src_parts: FArray,
    e_from: IArray,
    e_to: IArray,
    e_amt: FArray,
    e_parts: FArray,
    e_tagged: FArray,
    e_untagged_tags: npt.NDArray[np.bool_],
    e_tagged_stays: npt.NDArray[np.bool_],
) -> FArray:
    """``average_costs`` on (state, tag) pairs: rows ``[0, n)`` untagged, ``[n, 2n)`` tagged.

    Each edge splits into its untagged part (``e_amt − e_tagged``, from the untagged tail;
    tagged at the head when ``e_untagged_tags``) and its tagged part (from the tagged tail;
    still tagged at the head when ``e_tagged_stays``). Sources are untagged. So crude that
    carries a tag (e.g. crossed a country) keeps its own average cost apart from the rest.
    """
    y = np.clip(e_tagged, 0.0, e_amt)
    amt = np.concatenate([e_amt - y, y])
    keep = amt > 0
    n = n_states
    frm = np.concatenate([e_from, e_from + n])
    to = np.concatenate([e_to + n * e_untagged_tags, e_to + n * e_tagged_stays])
    parts = np.vstack([e_parts, e_parts])
    return average_costs(2 * n, src_state, src_amt, src_parts, frm[keep], to[keep], amt[keep], parts[keep])


def sink_averages(avg: FArray, n_states: int, state: IArray, amt: FArray, tagged: FArray | None) -> FArray:
    """Per sink (state, volume): its average cost per part (USD/t).

    When ``avg`` is by tag (``average_costs_by_tag``), volume-weighted over the sink's
    untagged and tagged parts (``tagged`` per sink, same units as ``amt``).
    """
    if tagged is None:
        return np.asarray(avg[state], float)
    t = np.clip(tagged, 0.0, amt)[:, None]
    u = amt[:, None] - t
    a0, a1 = avg[state], avg[state + n_states]
    total = np.where(u > 0, u * a0, 0.0) + np.where(t > 0, t * a1, 0.0)
    return np.asarray(total / np.where(amt > 0, amt, 1.0)[:, None], float)


def _solve_averages(diag: FArray, et: IArray, ef: IArray, ea: FArray, b: FArray) -> FArray:
    """Solve ``diag·a − W a = b`` (W[to, from] = edge volume) for the average costs.

    Jacobi sweeps are exact after as many sweeps as the longest chain of states when the
    flow has no cycle (the usual optimum) and converge geometrically on cycles fed from
    outside; a sparse direct solve (scipy.sparse.linalg, imported only then) takes over if
    they have not converged. Keeping the common case free of that import saves ~0.2 s of
    start-up for every ``crudeflow plan``.
    """
    n = len(diag)
    x = b / diag[:, None]
    scale = max(float(np.abs(x).max(initial=0.0)), 1.0)
    w = sp.csr_matrix((ea, (et, ef)), shape=(n, n))  # one sparse product per sweep
    for _ in range(min(n + 1, 500)):
        nxt = (b + w @ x) / diag[:, None]
        if float(np.abs(nxt - x).max(initial=0.0)) <= 1e-12 * scale:
            return np.asarray(nxt, float)
        x = nxt
    from scipy.sparse.linalg import spsolve

    a = (sp.diags(diag) - w).tocsc()
    return np.asarray(spsolve(a, b), float).reshape(n, b.shape[1])


def fed_states(n_states: int, src_state: IArray, e_from: IArray, e_to: IArray) -> npt.NDArray[np.bool_]:
    """Which states a source reaches over the given edges (vectorised label propagation).

    Each sweep marks the heads of edges whose tails are marked; it stops when nothing
    changes, after as many sweeps as the longest chain of newly reached states.
    """
    fed = np.zeros(n_states, bool)
    fed[src_state] = True
    count = int(fed.sum())
    while True:
        fed[e_to[fed[e_from]]] = True
        new = int(fed.sum())
        if new == count:
            return fed
        count = new


def reachable(g: sp.csr_matrix, start: int) -> npt.NDArray[np.bool_]:
    """Which vertices of a directed graph (CSR adjacency) can be reached from ``start``.

    Level-by-level frontier expansion in NumPy (no scipy.sparse.csgraph import).
    """
    g = sp.csr_matrix(g)
    seen = np.zeros(g.shape[0], bool)
    seen[start] = True
    frontier = np.array([start], np.int64)
    indptr, indices = g.indptr, g.indices
    while len(frontier):
        lo, hi = indptr[frontier], indptr[frontier + 1]
        counts = hi - lo
        if counts.sum() == 0:
            break
        offs = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        nbrs = np.unique(indices[offs])
        frontier = nbrs[~seen[nbrs]]
        seen[frontier] = True
    return seen


STOCK_EDGE = -1
"""``edge_var`` of an inventory arc (crude held at a node into the next period)."""


def decompose_periods(
    n_states: int,
    sources: pd.DataFrame,
    edges: pd.DataFrame,
    sinks: pd.DataFrame,
) -> pd.DataFrame:
    """Paths of a multi-period plan on the (node, grade, period) states, through stocks.

    ``sources``: state, node, grade, period, mt, price_usd_per_t (supplies, and initial stocks
    as sources at their node). ``edges``: tail, head, mt, var (the flow column, or
    ``STOCK_EDGE`` for an inventory arc), head_node, hold_usd_per_t (holding cost of an
    inventory arc).
    ``sinks``: state, node, grade, kind, period, mt (runs, sales, shut-in, and the stock
    left after the last period as kind ``stock``). One row per path: source, grade, sink,
    sink_kind, grade_out, ``loaded`` / ``period`` (positions of the source's and the sink's
    period), mt, ``held_periods`` (inventory arcs passed) and ``held_at`` (their nodes),
    ``hold_usd_per_t`` (holding costs on the way), nodes and vars (flow columns only: a stop
    in the tanks does not repeat the node). Prices and tariffs are added by :func:`path_costs`.
    """
    p_src, p_sink, p_amt, _, p_edges = decompose_states(
        sources["state"].to_numpy(np.int64), sources["mt"].to_numpy(float),
        edges["tail"].to_numpy(np.int64), edges["head"].to_numpy(np.int64), edges["mt"].to_numpy(float),
        sinks["state"].to_numpy(np.int64), sinks["mt"].to_numpy(float), n_states,
    )  # fmt: skip
    cols = ["source", "grade", "sink", "sink_kind", "grade_out", "loaded", "period", "mt",
            "held_periods", "held_at", "hold_usd_per_t", "nodes", "vars"]  # fmt: skip
    if not p_src:
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in ("mt", "hold_usd_per_t") else object) for c in cols}
        )
    e_var = edges["var"].to_numpy(np.int64)
    e_hold = edges["hold_usd_per_t"].to_numpy(float)
    e_head_node = np.asarray(edges["head_node"].to_numpy(), dtype=object)
    src_node = sources["node"].to_numpy(object)
    lens = np.fromiter(map(len, p_edges), np.int64, len(p_edges))
    flat = np.fromiter(itertools.chain.from_iterable(p_edges), np.int64, int(lens.sum()))
    owner = np.repeat(np.arange(len(p_edges)), lens)
    is_stock = e_var[flat] == STOCK_EDGE
    held = np.bincount(owner, weights=is_stock, minlength=len(p_edges)).astype(np.int64)
    hold = np.bincount(owner, weights=e_hold[flat], minlength=len(p_edges))
    # nodes and vars along flow edges only (an inventory arc stays at its node)
    nodes: list[tuple[str, ...]] = []
    vars_: list[tuple[int, ...]] = []
    held_at: list[tuple[str, ...]] = []
    for i, es in enumerate(p_edges):  # per path, linear in its length
        fl = [e for e in es if e_var[e] != STOCK_EDGE]
        nodes.append((str(src_node[p_src[i]]), *(str(e_head_node[e]) for e in fl)))
        vars_.append(tuple(int(e_var[e]) for e in fl))
        held_at.append(tuple(dict.fromkeys(str(e_head_node[e]) for e in es if e_var[e] == STOCK_EDGE)))
    si, sup_i = np.asarray(p_sink), np.asarray(p_src)
    return pd.DataFrame(
        {
            "source": src_node[sup_i],
            "grade": sources["grade"].to_numpy(object)[sup_i],
            "sink": sinks["node"].to_numpy(object)[si],
            "sink_kind": sinks["kind"].to_numpy(object)[si],
            "grade_out": sinks["grade"].to_numpy(object)[si],
            "loaded": sources["period"].to_numpy(np.int64)[sup_i],
            "period": sinks["period"].to_numpy(np.int64)[si],
            "mt": np.asarray(p_amt, float),
            "held_periods": held,
            "held_at": held_at,
            "hold_usd_per_t": hold,
            "nodes": nodes,
            "vars": vars_,
        },
        columns=cols,
    )


def period_paths(model: Model, x: FArray, tol: float = EPS) -> pd.DataFrame:
    """Paths of a solved multi-period model, priced: ``decompose_periods`` plus cost parts.

    Sources are the supply columns and the initial stocks (valued, as in delivered costs, at
    their grade's mean supply price); sinks are refinery runs, market sales, shut-in and the
    stock left after the last period. Holding costs on the way count as transport.
    """
    lp, sg, net, idx = model.lp, model.states, model.network, model.index
    sb, fb = lp.vars["supply"], lp.vars["flow"]
    sx, fx = x[sb.slice], x[fb.slice]
    s_on, f_on = np.flatnonzero(sx > tol), np.flatnonzero(fx > tol)
    sl = sb.labels.iloc[s_on]
    src = [pd.DataFrame({"state": sg.rows["supply"][s_on], "node": sl["node"].to_numpy(object),
                         "grade": sl["grade"].to_numpy(object), "period": sl["period"].to_numpy(np.int64),
                         "mt": sx[s_on], "price_usd_per_t": sb.cost[s_on]})]  # fmt: skip
    fl = fb.labels.iloc[f_on]
    edges = [pd.DataFrame({"tail": sg.flow_tail[f_on], "head": sg.flow_head[f_on], "mt": fx[f_on],
                           "var": f_on, "head_node": fl["to"].to_numpy(object),
                           "hold_usd_per_t": 0.0})]  # fmt: skip
    sinks = []
    for name, kind in (("consume", "refinery"), ("sale", "market"), ("shut_in", "shut_in")):
        b = lp.vars[name]
        bx = x[b.slice]
        on = np.flatnonzero(bx > tol)
        lab = b.labels.iloc[on]
        sinks.append(pd.DataFrame({"state": sg.rows[name][on], "node": lab["node"].to_numpy(object),
                                   "grade": lab["grade"].to_numpy(object), "kind": kind,
                                   "period": lab["period"].to_numpy(np.int64), "mt": bx[on]}))  # fmt: skip
    if "stock" in lp.vars:
        kb = lp.vars["stock"]
        kx = x[kb.slice]
        on = np.flatnonzero(kx > tol)
        carry = on[sg.stock_head[on] >= 0]
        k_node, k_grade = kb.labels["node"].to_numpy(object), kb.labels["grade"].to_numpy(object)
        k_t = kb.labels["period"].to_numpy(np.int64)
        edges.append(pd.DataFrame({"tail": sg.stock_tail[carry], "head": sg.stock_head[carry],
                                   "mt": kx[carry], "var": STOCK_EDGE, "head_node": k_node[carry],
                                   "hold_usd_per_t": kb.cost[carry]}))  # fmt: skip
        last = on[sg.stock_head[on] < 0]
        sinks.append(pd.DataFrame({"state": sg.stock_tail[last], "node": k_node[last], "grade": k_grade[last],
                                   "kind": "stock", "period": k_t[last], "mt": kx[last]}))  # fmt: skip
        init = net.storage[net.storage["initial_mt"].to_numpy(float) > 0]
        i_grade = init["initial_grade"].to_numpy(object)
        i_state = sg.row(idx.node_ids.get_indexer(init.index), idx.grade_ids.get_indexer(i_grade), 0)
        ok = i_state >= 0
        mean_price = net.supplies.groupby(level="grade")["price_usd_per_t"].mean()
        i_price = mean_price.reindex(i_grade[ok]).fillna(0.0).to_numpy(float)
        i_mt = init["initial_mt"].to_numpy(float)[ok]
        i_node = init.index.to_numpy(object)[ok]
        src.append(pd.DataFrame({"state": i_state[ok], "node": i_node, "grade": i_grade[ok], "period": 0,
                                 "mt": i_mt, "price_usd_per_t": i_price}))  # fmt: skip
    sources = pd.concat(src, ignore_index=True)
    paths = decompose_periods(
        sg.size, sources, pd.concat(edges, ignore_index=True), pd.concat(sinks, ignore_index=True)
    )
    price = sources.set_index(["node", "grade", "period"])["price_usd_per_t"]
    price = price[~price.index.duplicated()]
    key = pd.MultiIndex.from_arrays([paths["source"], paths["grade"], paths["loaded"]])
    tariff = net_tariff(model, x)  # no tariff on ship-or-pay volume already paid for
    out = path_costs(paths, price.reindex(key).to_numpy(float), tariff, model.flow_duty, model.flow_fee)
    out["transport_usd_per_t"] += out["hold_usd_per_t"]
    out["cost_usd_per_t"] += out["hold_usd_per_t"]
    return out.drop(columns="hold_usd_per_t")
