"""Unmet demand and stranded supply explained in words.

Names the capacities, policies, quality limits or supply limits that stand in the way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from crudeflow.optimize.build import Model

TOL = 1e-6


def _reach(model: Model, node: str, *, upstream: bool) -> np.ndarray:
    """Node positions that can reach ``node`` (upstream) or be reached from it, over active arcs."""
    idx = model.index
    n = len(idx.node_ids)
    g = sp.csr_matrix((np.ones(len(idx.arc_from)), (idx.arc_from, idx.arc_to)), shape=(n, n))
    if upstream:
        g = g.T.tocsr()
    start = int(idx.node_ids.get_indexer([node])[0])
    return np.asarray(breadth_first_order(g, start, directed=True, return_predecessors=False))


def _binding_links(model: Model, link_flow: pd.DataFrame, nodes: np.ndarray) -> list[str]:
    """Links at capacity whose both ends lie in a node set, largest shadow price first."""
    idx = model.index
    names = set(idx.node_ids.to_numpy()[nodes])
    lf = link_flow[(link_flow["from"].isin(names)) & (link_flow["to"].isin(names))]
    b = lf[lf["binding"]].sort_values("shadow_price_usd_per_t", ascending=False)
    return [f"{lid} ({r.capacity_mt_per_year:.1f} Mt/yr full)" for lid, r in b.head(4).iterrows()]


def explain_unmet(
    model: Model,
    unmet: pd.DataFrame,
    link_flow: pd.DataFrame,
    quality_rows: pd.DataFrame,
    supply: pd.DataFrame,
) -> pd.Series:
    """One sentence per refinery with unmet demand naming what binds."""
    net = model.network
    idx = model.index
    reasons: list[str] = []
    for node in unmet.index:
        ups = _reach(model, node, upstream=True)
        parts: list[str] = []
        inbound = np.isin(idx.arc_to, idx.node_ids.get_indexer([node]))
        if not inbound.any() and node not in set(net.supplies.index.get_level_values(0)):
            parts.append("no active link reaches it")
        caps = _binding_links(model, link_flow, ups)
        if caps:
            parts.append("capacity binds on " + ", ".join(caps))
        q = quality_rows[(quality_rows["node"] == node) & quality_rows["binding"]]
        for r in q.itertuples(index=False):
            parts.append(f"quality limit {r.limit} = {r.value:g} binds")
        up_names = set(idx.node_ids.to_numpy()[ups])
        for pid, removed in model.policy.removed_by.items():
            if len(removed) == 0:
                continue
            ends = idx.node_ids.to_numpy()[idx.var_to[removed]]
            if np.isin(ends, list(up_names | {node})).any():
                parts.append(
                    f"policy '{pid}' closes {len(np.unique(idx.var_link[removed]))} link(s) on its routes"
                )
        s = supply[supply.index.get_level_values(0).isin(up_names)]
        at_max = s[s["mt_per_year"] >= s["max_mt_per_year"] - TOL]
        if len(at_max) and len(at_max) == len(s):
            parts.append("every supply that can reach it is at its maximum")
        elif len(at_max):
            parts.append(f"{len(at_max)} of {len(s)} reachable supplies at their maximum")
        if not parts:
            parts.append("cheaper to leave unmet at the shortage penalty than to supply")
        reasons.append("; ".join(parts))
    return pd.Series(reasons, index=unmet.index, dtype=object)


def explain_shut_in(model: Model, shut: pd.DataFrame, link_flow: pd.DataFrame) -> pd.Series:
    """One sentence per supply whose fixed output could not all be placed."""
    idx = model.index
    reasons = []
    for node, _grade in shut.index:
        downs = _reach(model, node, upstream=False)
        caps = _binding_links(model, link_flow, downs)
        parts = []
        outbound = np.isin(idx.arc_from, idx.node_ids.get_indexer([node]))
        if not outbound.any():
            parts.append("no active link leaves it")
        if caps:
            parts.append("export capacity binds on " + ", ".join(caps))
        for pid, removed in model.policy.removed_by.items():
            starts = idx.node_ids.to_numpy()[idx.var_from[removed]]
            if len(removed) and np.isin(starts, idx.node_ids.to_numpy()[downs]).any():
                parts.append(f"policy '{pid}' closes routes")
        reasons.append("; ".join(parts) or "outlets are full")
    return pd.Series(reasons, index=shut.index, dtype=object)
