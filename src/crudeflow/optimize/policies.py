"""Policies and contracts as LP pieces: flow masks, per-tonne charges, side constraints.

Flow masks come from bans and embargoes, charges from export duties and transit fees,
side constraints from share caps and contracts.

Rules, per flow variable on a leg from node *a* to node *b* (country(a) = the country of
node *a*; a leg's *territory* is its endpoints' countries plus its ``countries`` list):

* export duty (origin X, importers I?): grades of origin X pay once when they leave X: on
  legs with country(a) = X and country(b) ≠ X. With importers I, the duty is owed on the
  crude *towards* I instead: it is charged on the leg entering I (country(a) ∉ I,
  country(b) ∈ I, country(b) ≠ X), so crude reaching I through a transit country pays it
  too, and crude going elsewhere does not.
* transit fee (country T, origins O?): grades of origin ≠ T (and ∈ O when given) on legs
  whose territory includes T and with country(b) ≠ T — charged once per exit from T.
* transit ban (country T, origins O): grades of origin ∈ O, ≠ T, may not pass through T:
  legs whose territory includes T and with country(b) ≠ T (the legs leaving or crossing
  T) are closed to them. Deliveries *into* T stay open (an embargo closes those).
* embargo (importers I, origins O, modes M?): grades of origin ∈ O on legs with
  country(b) ∈ I (and mode ∈ M when given): the importer neither takes nor moves them.
  Swaps are judged by the grade delivered.
* share cap by origin: crude runs of origin C at the importer's refineries ≤ x % of runs.
* share cap by transit: crude of origin ≠ T entering the importer's country over legs whose
  territory includes T ≤ x % of the importer's runs (measured on the entering legs, so a
  transit earlier on the route is not seen; for a refinery importer, on the legs into it).
* contract (seller S, buyer B): runs at B's refineries of S's grades (grades of origin S,
  or grades supplied at node S — from any supply of those grades) within [min, max];
  each tonne below min costs take-or-pay (or, with none given, is infeasible).

A swap link takes grade A at its start and delivers grade B at its end; its capacity is
the agreed volume (an upper bound) and its tariff the fee. Swaps pay no duty or transit
fee: they are paper exchanges.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import BArray, FArray, IArray
from crudeflow.model.network import Network
from crudeflow.optimize.index import NetIndex


@dataclass(frozen=True)
class Territory:
    """Boolean (link × country) membership: which countries each active link touches."""

    countries: pd.Index
    member: BArray

    def has(self, codes: tuple[str, ...] | list[str]) -> BArray:
        """Per link, whether its territory includes any of these countries."""
        cols = self.countries.get_indexer(list(codes))
        cols = cols[cols >= 0]
        if len(cols) == 0:
            return np.zeros(self.member.shape[0], bool)
        return np.asarray(self.member[:, cols].any(axis=1)).ravel()


def territory(net: Network, idx: NetIndex) -> Territory:
    """Countries of each active link's endpoints and ``countries`` list, as a bool matrix."""
    links = net.links.loc[idx.link_ids]
    n = len(links)
    cf = net.nodes["country"].reindex(links["from"]).to_numpy(dtype=str)
    ct = net.nodes["country"].reindex(links["to"]).to_numpy(dtype=str)
    lens = np.fromiter(map(len, links["countries"]), np.int64, n)
    extra = np.asarray(list(chain.from_iterable(links["countries"])), dtype=str)
    rows = np.concatenate([np.arange(n), np.arange(n), np.repeat(np.arange(n), lens)])
    codes = np.concatenate([cf, ct, extra]).astype(str)
    universe = pd.Index(np.unique(codes))
    member = np.zeros((n, len(universe)), bool)
    member[rows, universe.get_indexer(codes)] = True
    return Territory(universe, member)


def enabled(net: Network, kind: str) -> pd.DataFrame:
    """Enabled policies of one kind."""
    p = net.policies
    return p[(p["kind"] == kind) & p["enabled"].astype(bool)]


@dataclass(frozen=True)
class FlowPolicy:
    """Per flow variable: kept or removed, duty and fee (USD/t), and what removed it."""

    keep: BArray
    duty: FArray
    fee: FArray
    removed_by: dict[str, IArray]
    """Policy id -> positions of the flow variables it removed."""


def flow_policy(net: Network, idx: NetIndex, terr: Territory | None = None) -> FlowPolicy:
    """Apply duties, fees, bans and embargoes to every flow variable at once.

    ``terr`` is computed here, and only when a transit fee or ban needs it, if not given.
    """
    transit = [enabled(net, "transit_fee"), enabled(net, "transit_ban")]
    if terr is None:
        terr = (
            territory(net, idx)
            if any(len(t) for t in transit)
            else Territory(pd.Index([]), np.zeros((0, 0), bool))
        )
    n = len(idx.var_arc)
    links = net.links.loc[idx.link_ids]
    var_link = idx.var_link
    is_swap = (links["mode"] == "swap").to_numpy()[var_link]
    modes = links["mode"].to_numpy(dtype=str)[var_link]
    c_from = idx.node_country[idx.var_from]
    c_to = idx.node_country[idx.var_to]
    o_in = idx.grade_origin[idx.var_gin]
    o_out = idx.grade_origin[idx.var_gout]
    keep = np.ones(n, bool)
    duty = np.zeros(n)
    fee = np.zeros(n)
    removed: dict[str, IArray] = {}
    for _pid, p in enabled(net, "export_duty").iterrows():
        x = p["origin"]
        if p["importers"]:
            imp = net.expand_countries(p["importers"])
            hit = (o_in == x) & np.isin(c_to, imp) & ~np.isin(c_from, imp) & (c_to != x) & ~is_swap
        else:
            hit = (o_in == x) & (c_from == x) & (c_to != x) & ~is_swap
        duty[hit] += float(p["usd_per_t"])
    for _pid, p in enabled(net, "transit_fee").iterrows():
        t = p["country"]
        hit = terr.has([t])[var_link] & (c_to != t) & (o_in != t) & ~is_swap
        if p["origins"]:
            hit &= np.isin(o_in, net.expand_countries(p["origins"]))
        fee[hit] += float(p["usd_per_t"])
    for pid, p in enabled(net, "transit_ban").iterrows():
        t = p["country"]
        origins = net.expand_countries(p["origins"])
        hit = terr.has([t])[var_link] & (c_to != t) & np.isin(o_in, origins) & (o_in != t)
        removed[str(pid)] = np.flatnonzero(hit & keep)
        keep &= ~hit
    for pid, p in enabled(net, "embargo").iterrows():
        importers = net.expand_countries(p["importers"])
        origins = net.expand_countries(p["origins"])
        origin = np.where(is_swap, o_out, o_in)
        hit = np.isin(c_to, importers) & np.isin(origin, origins)
        if p["modes"]:
            hit &= np.isin(modes, p["modes"])
        removed[str(pid)] = np.flatnonzero(hit & keep)
        keep &= ~hit
    return FlowPolicy(keep, duty, fee, removed)


def importer_nodes(net: Network, importer: str) -> npt.NDArray[np.str_]:
    """Demand nodes of an importer given as a refinery node id, a country or a group."""
    demands = net.demands
    if importer in demands.index:
        return np.asarray([importer], dtype=str)
    countries = net.expand_countries([importer])
    mask = net.nodes["country"].reindex(demands.index).isin(countries).to_numpy()
    return np.asarray(demands.index.to_numpy(dtype=str)[mask], dtype=str)


def seller_grades(net: Network, seller: str) -> npt.NDArray[np.str_]:
    """Grades a seller delivers: grades supplied at a supply node, or grades of an origin."""
    sup = net.supplies.reset_index()
    if seller in set(sup["node"]):
        return np.asarray(np.unique(sup.loc[sup["node"] == seller, "grade"].to_numpy(dtype=str)), dtype=str)
    countries = net.expand_countries([seller])
    mask = net.grades["origin_country"].isin(countries).to_numpy()
    return np.asarray(net.grades.index.to_numpy(dtype=str)[mask], dtype=str)
