"""Unmet demand and stranded supply explained in words.

Names the capacities (with their shadow prices), policies, quality limits, supply limits
or prices that stand in the way. The arc graph is built once per call, not per refinery.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from crudeflow._types import TOL_FLOW_MT as TOL
from crudeflow._types import IArray
from crudeflow.optimize.build import Model
from crudeflow.optimize.policies import importer_nodes
from crudeflow.results.paths import reachable


def _graph(model: Model, *, upstream: bool) -> sp.csr_matrix:
    """Node graph over active arcs (reversed for upstream searches)."""
    idx = model.index
    n = len(idx.node_ids)
    a, b = (idx.arc_to, idx.arc_from) if upstream else (idx.arc_from, idx.arc_to)
    return sp.csr_matrix((np.ones(len(a)), (a, b)), shape=(n, n))


def _reach(model: Model, g: sp.csr_matrix, node: str) -> IArray:
    """Node positions reachable from ``node`` in ``g`` (itself included)."""
    start = int(model.index.node_ids.get_indexer([node])[0])
    return np.flatnonzero(reachable(g, start)).astype(np.int64)


def shadow_price_words(usd_per_t: float) -> str:
    """A capacity shadow price (USD/t) as a sentence that parses (``docs/glossary.md``)."""
    return f"each extra tonne of capacity would lower the system cost by {usd_per_t:,.0f} USD"


class _Binding:
    """Binding links (largest shadow price first) as arrays, each with its sentence."""

    def __init__(self, model: Model, link_flow: pd.DataFrame) -> None:
        idx = model.index
        b = link_flow[link_flow["binding"].to_numpy(bool)].sort_values(
            "shadow_price_usd_per_t", ascending=False
        )
        self.from_pos = idx.node_ids.get_indexer(b["from"])
        self.to_pos = idx.node_ids.get_indexer(b["to"])
        self.shadow = b["shadow_price_usd_per_t"].to_numpy(float)
        self.text = [
            f"link '{lid}' is full at {cap:.2f} Mt/yr ({shadow_price_words(sh)})"
            for lid, cap, sh in zip(
                b.index, b["capacity_mt_per_year"], b["shadow_price_usd_per_t"], strict=True
            )
        ]

    def within(self, inside: npt.NDArray[np.bool_], top: int = 4, rel: float = 0.5) -> list[str]:
        """Sentences for the binding links with both ends inside a node set.

        Only those worth at least ``rel`` × the largest shadow price among them are named
        (a cheap bottleneck elsewhere upstream is rarely why this node is short), at most
        ``top``.
        """
        hit = np.flatnonzero(inside[self.from_pos] & inside[self.to_pos])
        if len(hit) == 0:
            return []
        hit = hit[self.shadow[hit] >= rel * self.shadow[hit[0]]][:top]
        return [self.text[i] for i in hit]


def _binding_links(model: Model, link_flow: pd.DataFrame, nodes: IArray) -> list[str]:
    """Links at capacity with both ends in a node set, largest shadow price first."""
    inside = np.zeros(len(model.index.node_ids), bool)
    inside[nodes] = True
    return _Binding(model, link_flow).within(inside)


_LIMIT_WORDS = {"max_sulfur_pct": "sulfur ceiling", "min_api": "API floor", "max_api": "API ceiling"}


def side_reasons(model: Model, row_dual: npt.NDArray[np.float64]) -> dict[str, list[str]]:
    """Per refinery, sentences for what binds on its runs.

    Slates, share caps, contracts, duty-free quotas (used up) and transit refusals.
    """
    net, lp = model.network, model.lp
    out: dict[str, list[str]] = {}

    def binding(name: str) -> pd.DataFrame:
        block = lp.cons[name]
        return block.labels[np.abs(row_dual[block.slice]) > TOL]

    for r in binding("slate").itertuples(index=False):
        out.setdefault(str(r.node), []).append(f"its slate caps {r.grade} at {r.max_share_pct:g} % of runs")
    for r in binding("share_cap").itertuples(index=False):
        limit = f"{r.by} {r.country} ≤ {r.max_share_pct:g} % of {r.importer}'s runs"
        text = f"share cap '{r.policy}' ({limit}) binds"
        for node in importer_nodes(net, str(r.importer)):
            out.setdefault(str(node), []).append(text)
    for r in binding("contract").itertuples(index=False):
        text = f"contract '{r.contract}' ({r.seller} → {r.buyer}) binds"
        for node in importer_nodes(net, str(r.buyer)):
            out.setdefault(str(node), []).append(text)
    if "duty_paid" in lp.vars and lp.cons["export_duty_quota"].size:
        paid = lp.vars["duty_paid"]
        rate = pd.Series(paid.cost, index=paid.labels["policy"].astype(str)).groupby(level=0).mean()
        for r in binding("export_duty_quota").drop_duplicates("policy").itertuples(index=False):
            importers = str(r.importers).split(";")
            text = (
                f"duty-free quota '{r.policy}' ({r.duty_free_mt_per_year:.2f} Mt/yr of {r.origin} crude to "
                f"{', '.join(importers)}) is used up: more {r.origin} crude pays "
                f"{float(rate.get(str(r.policy), 0.0)):,.2f} USD/t duty"
            )
            for imp in importers:
                for node in importer_nodes(net, imp):
                    out.setdefault(str(node), []).append(text)
    if "transit_refusal" in lp.cons:
        for r in binding("transit_refusal").drop_duplicates(["policy", "importer"]).itertuples(index=False):
            what = f"{r.country} carries no {r.origins} crude to {r.importer}"
            text = f"transit refusal '{r.policy}' ({what}) binds"
            for node in importer_nodes(net, str(r.importer)):
                out.setdefault(str(node), []).append(text)
    return out


def link_policy_reasons(model: Model, row_dual: npt.NDArray[np.float64]) -> list[tuple[int, int, str]]:
    """(from, to node positions, sentence) for reservations and ship-or-pay binding on a link."""
    lp, idx = model.lp, model.index
    out: list[tuple[int, int, str]] = []
    words = {
        "reserved_capacity": lambda r: (
            f"reservation '{r.policy}' keeps {r.reserved_mt_per_year:.2f} Mt/yr of link '{r.link}' for "
            f"{r.holder} (others at most {r.others_max_mt_per_year:.2f} Mt/yr)"
        ),
        "ship_or_pay": lambda r: (
            f"ship-or-pay '{r.policy}' has {r.paid_mt_per_year:.2f} Mt/yr of link '{r.link}' paid for "
            "(no tariff up to it)"
        ),
    }
    for name, text in words.items():
        block = lp.cons.get(name)
        if block is None or block.size == 0:
            continue
        hit = block.labels[np.abs(row_dual[block.slice]) > TOL].drop_duplicates("policy")
        for r in hit.itertuples(index=False):
            ends = model.network.links.loc[str(r.link), ["from", "to"]]
            a, b = idx.node_ids.get_indexer([ends["from"], ends["to"]])
            out.append((int(a), int(b), text(r)))
    return out


def explain_unmet(
    model: Model,
    unmet: pd.DataFrame,
    link_flow: pd.DataFrame,
    quality_rows: pd.DataFrame,
    supply: pd.DataFrame,
    prices: pd.DataFrame | None = None,
    row_dual: npt.NDArray[np.float64] | None = None,
) -> pd.Series:
    """One sentence per refinery with unmet demand naming what binds.

    Looks upstream of the refinery: full links (with their shadow prices in words),
    binding quality limits (and, given ``row_dual``, slates, share caps and contracts),
    policies that close legs on its routes, supplies at their maximum; when nothing
    binds, the shortage penalty is cheaper than supplying it.
    """
    net = model.network
    idx = model.index
    n = len(idx.node_ids)
    g_up = _graph(model, upstream=True)
    binding = _Binding(model, link_flow)
    sup_pos = idx.node_ids.get_indexer(supply.index.get_level_values(0))
    at_max = (supply["mt_per_year"] >= supply["max_mt_per_year"] - TOL).to_numpy()
    q = quality_rows[quality_rows["binding"].to_numpy(bool)]
    q_text: dict[str, list[str]] = {}
    for node, limit, value in zip(q["node"], q["limit"], q["value"], strict=True):
        q_text.setdefault(str(node), []).append(
            f"its {_LIMIT_WORDS.get(str(limit), str(limit))} ({value:g}) binds"
        )
    pol_ends = {
        pid: (np.unique(idx.var_to[removed]), len(np.unique(idx.var_link[removed])))
        for pid, removed in model.policy.removed_by.items()
        if len(removed)
    }
    penalty = net.demands["shortage_penalty_usd_per_t"]
    side = side_reasons(model, row_dual) if row_dual is not None else {}
    on_links = link_policy_reasons(model, row_dual) if row_dual is not None else []
    reasons: list[str] = []
    for node in unmet.index:
        inside = np.zeros(n, bool)
        inside[_reach(model, g_up, node)] = True
        parts: list[str] = []
        reach = inside[sup_pos]
        n_sup = int(reach.sum())
        if n_sup == 0:
            parts.append("no supply can reach it over active links")
        caps = binding.within(inside)
        parts.extend(caps)
        quality = q_text.get(str(node), []) + side.get(str(node), [])
        quality += [text for a, b, text in on_links if inside[a] and inside[b]]
        parts.extend(quality)
        for pid, (ends, n_links) in pol_ends.items():
            if inside[ends].any():
                parts.append(f"policy '{pid}' closes {n_links} link(s) on its routes")
        if n_sup:
            n_max = int((reach & at_max).sum())
            if n_max == n_sup:
                parts.append("every supply that can reach it is at its maximum")
            elif n_max:
                parts.append(f"{n_max} of {n_sup} reachable supplies are at their maximum")
        if n_sup and not caps and not quality:
            pen = float(penalty.get(node, np.nan))
            parts.append(f"supplying it would cost more than its shortage penalty ({pen:,.0f} USD/t)")
        reasons.append("; ".join(parts))
    return pd.Series(reasons, index=unmet.index, dtype=object)


def explain_shut_in(model: Model, shut: pd.DataFrame, link_flow: pd.DataFrame) -> pd.Series:
    """One sentence per supply whose fixed output could not all be placed."""
    idx = model.index
    g_down = _graph(model, upstream=False)
    binding = _Binding(model, link_flow)
    node_arr = idx.node_ids.to_numpy()
    reasons = []
    for node, _grade in shut.index:
        downs = _reach(model, g_down, node)
        inside = np.zeros(len(node_arr), bool)
        inside[downs] = True
        caps = binding.within(inside)
        parts = []
        if not np.isin(idx.arc_from, idx.node_ids.get_indexer([node])).any():
            parts.append("no active link leaves it")
        parts.extend(caps)
        for pid, removed in model.policy.removed_by.items():
            starts = node_arr[idx.var_from[removed]]
            if len(removed) and np.isin(starts, node_arr[downs]).any():
                parts.append(f"policy '{pid}' closes routes")
        reasons.append("; ".join(parts) or "its outlets take no more")
    return pd.Series(reasons, index=shut.index, dtype=object)


def _row_periods(model: Model) -> IArray:
    """Per LP row: its period position, −1 for rows over the whole horizon (contracts)."""
    parts = [
        b.labels["period"].to_numpy(np.int64) if "period" in b.labels else np.full(b.size, -1, np.int64)
        for b in model.lp.cons.values()
    ]
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def explain_by_period(
    model: Model,
    frame: pd.DataFrame,
    link_flow: pd.DataFrame,
    quality_rows: pd.DataFrame,
    supply: pd.DataFrame,
    stocks: pd.DataFrame,
    row_dual: npt.NDArray[np.float64],
    *,
    shut_in: bool = False,
) -> list[str]:
    """Reasons for the unmet (or shut-in) rows of a multi-period plan, each in its own period.

    Each period with a row is explained like a one-period plan from that period's binding
    links, quality rows, supplies and duals (one call per period, not per arc); a refinery
    whose own tanks end the period empty says so.
    """
    labels = model.axis.calendar["label"].to_numpy(dtype=object)
    row_t = _row_periods(model)
    out = pd.Series("", index=range(len(frame)), dtype=object)
    period = frame["period"].to_numpy(dtype=object)
    for t, lab in enumerate(labels):  # one pass per period with a shortage
        at = np.flatnonzero(period == lab)
        if len(at) == 0:
            continue
        lf = link_flow[link_flow["period"].to_numpy(dtype=object) == lab]
        sub = frame.iloc[at]
        if shut_in:
            out.iloc[at] = explain_shut_in(model, sub, lf).to_numpy(dtype=object)
            continue
        q = quality_rows[quality_rows["period"].to_numpy(np.int64) == t]
        sup = supply[supply["period"].to_numpy(dtype=object) == lab]
        dual_t = np.where((row_t == t) | (row_t < 0), row_dual, 0.0)
        words = explain_unmet(model, sub, lf, q, sup, None, dual_t).to_numpy(dtype=object)
        if len(stocks):
            st = stocks[stocks["period"].to_numpy(dtype=object) == lab].groupby("node")["level_mt"].sum()
            empty = {str(n) for n, v in st.items() if v <= TOL}
            words = np.array(
                [w + ("; its tanks are empty at the end of the period" if str(n) in empty else "")
                 for n, w in zip(sub.index, words, strict=True)],
                dtype=object,
            )  # fmt: skip
        out.iloc[at] = words
    return [str(w) for w in out.tolist()]
