"""The k cheapest loop-free routes from A to B, with legs, transit and delivered cost parts.

Routes are searched on the (node, grade) state graph the planner uses: one edge per flow
variable the enabled policies keep (bans and embargoes remove edges, duties and fees add
to their cost, swaps change the grade), so routes and plans apply one set of rules
(``crudeflow.optimize.policies``). Yen's algorithm on a heap-based Dijkstra; a route is
loop-free in physical nodes (a swap cannot bring a route back to a node it left).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import JSONDict
from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError
from crudeflow.model.network import Network
from crudeflow.optimize.index import build_index
from crudeflow.optimize.periods import period_slice
from crudeflow.optimize.policies import flow_policy, territory
from crudeflow.optimize.states import StateIndex
from crudeflow.results.tables import JSONResult, ResultTable, col, records

ROUTES_TABLE = ResultTable(
    "routes", "route, cheapest first", None,
    (
        col("rank", "int64", "", "1 = cheapest"),
        col("from", "str", "", "start node"),
        col("to", "str", "", "end node"),
        col("grade", "str", "", "grade loaded at the start"),
        col("grade_out", "str", "", "grade delivered (differs after a swap)"),
        col("delivered_cost_usd_per_t", "float64", "USD/t", "price + transport + duties + fees"),
        col("price_usd_per_t", "float64", "USD/t", "supply price at the start (0 where none)"),
        col("transport_usd_per_t", "float64", "USD/t", "tariffs and freight"),
        col("duties_usd_per_t", "float64", "USD/t", "export duties"),
        col("fees_usd_per_t", "float64", "USD/t", "transit fees"),
        col("bottleneck_mt_per_year", "float64", "Mt/yr", "smallest link capacity on the route"),
        col("distance_km", "float64", "km", "length"),
        col("legs", "str", "", "``a → b [mode]; ...``"),
        col("modes", "tuple", "", "mode of each leg"),
        col("transit", "tuple", "", "countries crossed other than the two ends', in order"),
        col("nodes", "tuple", "", "node ids in order"),
        col("links", "tuple", "", "link ids in order"),
    ),
)  # fmt: skip
"""``Routes.table``."""
ROUTE_COLUMNS = ROUTES_TABLE.names


@dataclass(frozen=True)
class Routes(JSONResult):
    """The k cheapest loop-free routes from ``src`` to ``dst`` (``table``: ``ROUTES_TABLE``)."""

    src: str
    dst: str
    k: int
    table: pd.DataFrame

    def __len__(self) -> int:
        """Number of routes found (at most ``k``)."""
        return len(self.table)

    def to_dict(self) -> JSONDict:
        """``from``, ``to``, ``k`` and ``routes``: the table as records.

        ``routes --json`` prints the ``routes`` list.
        """
        return {"from": self.src, "to": self.dst, "k": self.k, "routes": records(self.table)}


@dataclass(frozen=True)
class _Path:
    cost: float
    states: tuple[int, ...]
    edges: tuple[int, ...]


class _Graph:
    """A directed multigraph on integer states with edge ids, costs and a node per state."""

    def __init__(self, n_states: int, tail: Sequence[int], head: Sequence[int], cost: Sequence[float],
                 phys: npt.NDArray[np.int64]) -> None:  # fmt: skip
        self.adj: dict[int, list[tuple[int, float, int]]] = {}
        for e, (a, b, c) in enumerate(zip(tail, head, cost, strict=True)):
            self.adj.setdefault(a, []).append((b, c, e))
        self.phys = phys
        self.n_states = n_states

    def dijkstra(self, src: int, dst: int, banned_edges: set[int], banned_nodes: set[int]) -> _Path | None:
        """Cheapest path src -> dst avoiding some edges and physical nodes (ties broken by id)."""
        dist = {src: 0.0}
        prev: dict[int, tuple[int, int]] = {}
        heap: list[tuple[float, int]] = [(0.0, src)]
        done: set[int] = set()
        phys = self.phys
        while heap:
            d, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            if u == dst:
                break
            for v, c, e in self.adj.get(u, ()):
                if e in banned_edges or v in done or int(phys[v]) in banned_nodes:
                    continue
                nd = d + c
                if nd < dist.get(v, np.inf) - 1e-12:
                    dist[v] = nd
                    prev[v] = (u, e)
                    heapq.heappush(heap, (nd, v))
        if dst not in done:
            return None
        states, edges = [dst], []
        while states[-1] != src:
            u, e = prev[states[-1]]
            states.append(u)
            edges.append(e)
        return _Path(dist[dst], tuple(reversed(states)), tuple(reversed(edges)))


def _yen(g: _Graph, src: int, dst: int, cost: npt.NDArray[np.float64]) -> Iterator[_Path]:
    """Yen's k-shortest loop-free paths, yielded cheapest first (lazily, unbounded k)."""
    first = g.dijkstra(src, dst, set(), set())
    if first is None:
        return
    found: list[_Path] = [first]
    seen = {first.edges}
    cand: list[tuple[float, int, _Path]] = []
    tick = itertools.count()
    yield first
    while True:
        last = found[-1]
        for i in range(len(last.states) - 1):
            spur = last.states[i]
            root_e = last.edges[:i]
            banned_e = {p.edges[i] for p in found if len(p.edges) > i and p.edges[:i] == root_e}
            banned_n = {int(g.phys[s]) for s in last.states[: i + 1]} - {-1}
            spur_path = g.dijkstra(spur, dst, banned_e, banned_n)
            if spur_path is None:
                continue
            edges = root_e + spur_path.edges
            if edges in seen:
                continue
            states = last.states[:i] + spur_path.states
            total = float(cost[list(edges)].sum())
            seen.add(edges)
            heapq.heappush(cand, (total, next(tick), _Path(total, states, edges)))
        if not cand:
            return
        _, _, best = heapq.heappop(cand)
        found.append(best)
        yield best


def _endpoints(net: Network, spec: str, role: str, grade: str | None) -> npt.NDArray[np.str_]:
    """Node ids for a node id or a country code (supply nodes / refineries / any node)."""
    if spec in net.nodes.index:
        return np.asarray([spec])
    code = spec.upper()
    in_c = net.nodes.index[net.nodes["country"] == code]
    if len(in_c) == 0:
        msg = f"'{spec}' is neither a node id nor the country code of any node"
        raise CrudeflowError(msg)
    if role == "from":
        sup = net.supplies.reset_index()
        if grade is not None:
            sup = sup[sup["grade"] == grade]
        ends = [n for n in in_c if n in set(sup["node"])]
    else:
        ends = [n for n in in_c if n in net.demands.index] or [n for n in in_c if n in net.markets.index]
    return np.asarray(ends or list(in_c), dtype=str)


def network_countries(net: Network) -> set[str]:
    """Every country code of the network: its nodes' and the ones its links cross."""
    inner = {str(c) for cs in net.links["countries"] for c in cs}
    return {str(c) for c in net.nodes["country"]} | inner


def _check_avoid_countries(net: Network, names: Sequence[str]) -> tuple[str, ...]:
    """ISO codes to avoid: group names expanded; an unknown or malformed name is an error."""
    if isinstance(names, str):
        names = [names]
    known = network_countries(net)
    groups = {g.upper(): g for g in net.groups}
    out: list[str] = []
    bad: list[str] = []
    for name in names:
        code = str(name).strip().upper()
        if code in groups:
            out += [c for c in net.expand_countries([groups[code]]) if c not in out]
        elif len(code) != 2 or not code.isalpha():
            also = f", or a group: {', '.join(sorted(groups))}" if groups else ""
            bad.append(f"'{name}' (use a two-letter ISO code such as RU{also})")
        elif code not in known:
            bad.append(f"'{name}' (no node or link of this network is in it)")
        elif code not in out:
            out.append(code)
    if bad:
        msg = f"avoid_countries: unknown country {'; '.join(bad)}; countries here: {', '.join(sorted(known))}"
        raise CrudeflowError(msg)
    return tuple(out)


def _check_avoid_modes(modes: Sequence[str]) -> tuple[str, ...]:
    """Transport modes to avoid, each one of the schema's modes (case-insensitive)."""
    from crudeflow.schema import MODES

    if isinstance(modes, str):
        modes = [modes]
    out = tuple(str(m).strip().lower() for m in modes)
    bad = [repr(m) for m, o in zip(modes, out, strict=True) if o not in MODES]
    if bad:
        msg = f"avoid_modes: unknown mode {', '.join(bad)}: expected one of {', '.join(MODES)}"
        raise CrudeflowError(msg)
    return out


def routes(
    network: Network | str | Path,
    src: str,
    dst: str,
    *,
    k: int = 5,
    avoid_countries: Sequence[str] = (),
    avoid_modes: Sequence[str] = (),
    grade: str | None = None,
    period: str | None = None,
) -> Routes:
    """The ``k`` cheapest loop-free routes from ``src`` to ``dst`` (node ids or country codes).

    Each row: legs, modes, transit countries, bottleneck capacity (Mt/yr), distance (km)
    and delivered cost (USD/t) split into price (the supply price of the grade at the
    start, 0 where the start has no supply), transport (tariffs and freight), duties and
    fees under the dataset's enabled policies. Routes that differ only in grade are shown
    once, with the cheapest grade.

    ``period`` (a period label or first day of a dated network): routes under that period's
    capacities, prices and dated policies and events (``optimize.periods.period_slice``);
    without it a dated network is read with its annual figures.
    """
    if k < 1:
        msg = "k must be at least 1"
        raise CrudeflowError(msg)
    net = as_network(network)
    if period is not None:
        net = period_slice(net, period)
    if grade is not None and grade not in net.grades.index:
        msg = f"unknown grade '{grade}'"
        raise CrudeflowError(msg)
    avoid_c = _check_avoid_countries(net, avoid_countries)
    avoid_m = _check_avoid_modes(avoid_modes)
    starts = _endpoints(net, src, "from", grade)
    ends = _endpoints(net, dst, "to", grade)
    idx = build_index(net)
    terr = territory(net, idx)
    pol = flow_policy(net, idx, terr)
    links = net.links.loc[idx.link_ids]
    si = StateIndex(idx.node_ids, idx.grade_ids)
    n_g = si.n_grades
    var_link = idx.var_link
    ok = pol.keep.copy()
    if avoid_c:
        ok &= ~terr.has(list(avoid_c))[var_link]
    if avoid_m:
        ok &= ~np.isin(links["mode"].to_numpy(dtype=str)[var_link], list(avoid_m))
    vars_ = np.flatnonzero(ok)
    tariff = links["tariff_usd_per_t"].to_numpy(float)[var_link[vars_]]
    duty, fee = pol.duty[vars_], pol.fee[vars_]
    tail = si.code(idx.var_from[vars_], idx.var_gin[vars_])
    head = si.code(idx.var_to[vars_], idx.var_gout[vars_])

    # virtual source (start states, cost = supply price) and sink (any grade at an end)
    s_state, t_state = si.size, si.size + 1
    sup = net.supplies.reset_index()
    src_tail: list[int] = []
    src_head: list[int] = []
    src_price: list[float] = []
    for node in starts:
        here = sup[sup["node"] == node]
        if grade is not None:
            here = here[here["grade"] == grade]
        npos = int(idx.node_ids.get_loc(node))
        if len(here):
            best = here.groupby("grade")["price_usd_per_t"].min()
            gl = idx.grade_ids.get_indexer(best.index)
            src_head += si.code(npos, gl).tolist()
            src_price += list(best.to_numpy(float))
        else:
            gl = idx.grade_ids.get_indexer([grade]) if grade is not None else np.arange(n_g)
            src_head += si.code(npos, gl).tolist()
            src_price += [0.0] * len(gl)
        src_tail += [s_state] * len(gl)
    e_pos = idx.node_ids.get_indexer(ends)
    sink_tail = si.code(e_pos[:, None], np.arange(n_g)[None, :]).ravel().tolist()
    n_v = len(vars_)
    all_tail = np.concatenate([tail, src_tail, sink_tail]).astype(np.int64)
    all_head = np.concatenate([head, src_head, np.full(len(sink_tail), t_state)]).astype(np.int64)
    cost = np.concatenate([tariff + duty + fee, src_price, np.zeros(len(sink_tail))])
    phys = np.concatenate([si.node_pos(np.arange(si.size)), [-1, -2]]).astype(np.int64)
    graph = _Graph(si.size + 2, all_tail.tolist(), all_head.tolist(), cost.tolist(), phys)

    node_arr = idx.node_ids.to_numpy()
    grade_arr = idx.grade_ids.to_numpy()
    link_arr = idx.link_ids.to_numpy()
    node_c = net.nodes["country"]
    rows: list[dict[str, object]] = []
    shown: set[tuple[object, ...]] = set()
    limit = 50 * k
    for tries, path in enumerate(_yen(graph, s_state, t_state, cost)):
        if len(rows) >= k or tries >= limit:
            break
        inner = [e for e in path.edges if e < n_v]
        states = path.states[1:-1]
        nodes = tuple(str(n) for n in node_arr[si.node_pos(states)])
        if not inner or len(set(nodes)) != len(nodes):
            continue
        lpos = var_link[vars_[inner]] if inner else np.zeros(0, np.int64)
        key = (nodes[0], *(link_arr[lpos].tolist()))
        if key in shown:
            continue
        shown.add(key)
        lk = links.iloc[lpos]
        modes = tuple(lk["mode"].astype(str))
        seq: list[str] = []
        for i, n in enumerate(nodes):
            for c in (node_c[n],) if i == 0 else (*lk["countries"].iloc[i - 1], node_c[n]):
                if c not in seq:
                    seq.append(c)
        transit = tuple(c for c in seq if c not in (node_c[nodes[0]], node_c[nodes[-1]]))
        price = float(cost[path.edges[0]])
        t, d, f = (float(a[inner].sum()) for a in (tariff, duty, fee))
        rows.append({
            "rank": len(rows) + 1, "from": nodes[0], "to": nodes[-1],
            "grade": str(grade_arr[si.grade_pos(states[0])]),
            "grade_out": str(grade_arr[si.grade_pos(states[-1])]),
            "delivered_cost_usd_per_t": price + t + d + f, "price_usd_per_t": price,
            "transport_usd_per_t": t, "duties_usd_per_t": d, "fees_usd_per_t": f,
            "bottleneck_mt_per_year": float(lk["capacity_mt_per_year"].min()) if len(lk) else np.inf,
            "distance_km": float(lk["distance_km"].sum()),
            "legs": "; ".join(f"{a} → {b} [{m}]" for a, b, m in zip(nodes, nodes[1:], modes, strict=False)),
            "modes": modes, "transit": transit, "nodes": nodes, "links": tuple(link_arr[lpos].tolist()),
        })  # fmt: skip
    table = ROUTES_TABLE.frame(rows)
    table["rank"] = table["rank"].astype(np.int64)
    return Routes(src, dst, k, table)
