"""The state graph: the one owner of (node, grade[, period]) state codes.

A *state* is crude of one grade at one node (in one period, once periods exist). Every
flow variable is an arc from a tail state to a head state (a swap changes the grade);
supplies enter states; refinery runs, market sales and shut-in leave them. Conservation,
delivered costs, path decomposition, routes and Monte Carlo all read states from here:
nothing else computes a state code.

``StateIndex`` encodes and decodes codes over the whole (node × grade × period) space;
``StateGraph`` is the part a built LP touches — one conservation row per state, in code
order — with the row of every column's tail and head.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import IArray
from crudeflow.optimize.lp import LP


@dataclass(frozen=True)
class StateIndex:
    """Codes of (node, grade, period) states: ``(period · n_nodes + node) · n_grades + grade``."""

    node_ids: pd.Index
    grade_ids: pd.Index
    n_periods: int = 1

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def n_grades(self) -> int:
        """Number of grades."""
        return len(self.grade_ids)

    @property
    def size(self) -> int:
        """Number of possible states (codes run from 0 to size − 1)."""
        return self.n_nodes * self.n_grades * self.n_periods

    def code(self, node_pos: npt.ArrayLike, grade_pos: npt.ArrayLike, period: npt.ArrayLike = 0) -> IArray:
        """State codes of node, grade (and period) positions; vectorised, broadcasting."""
        n = np.asarray(node_pos, dtype=np.int64)
        g = np.asarray(grade_pos, dtype=np.int64)
        t = np.asarray(period, dtype=np.int64)
        return np.asarray((t * self.n_nodes + n) * self.n_grades + g, dtype=np.int64)

    def node_pos(self, code: npt.ArrayLike) -> IArray:
        """Node position of each state code."""
        return np.asarray((np.asarray(code, np.int64) // self.n_grades) % self.n_nodes, dtype=np.int64)

    def grade_pos(self, code: npt.ArrayLike) -> IArray:
        """Grade position of each state code."""
        return np.asarray(np.asarray(code, np.int64) % self.n_grades, dtype=np.int64)

    def period(self, code: npt.ArrayLike) -> IArray:
        """Period position of each state code."""
        return np.asarray(np.asarray(code, np.int64) // (self.n_grades * self.n_nodes), dtype=np.int64)

    def unique_pairs(self, node_pos: npt.ArrayLike, grade_pos: npt.ArrayLike) -> tuple[IArray, IArray]:
        """The distinct (node, grade) pairs among the given ones, in code order."""
        codes = np.unique(self.code(node_pos, grade_pos))
        return self.node_pos(codes), self.grade_pos(codes)

    def labels(self, codes: npt.ArrayLike) -> pd.DataFrame:
        """One row per code: node and grade ids and positions."""
        n, g = self.node_pos(codes), self.grade_pos(codes)
        return pd.DataFrame(
            {"node": self.node_ids.to_numpy()[n], "grade": self.grade_ids.to_numpy()[g],
             "node_pos": n, "grade_pos": g}
        )  # fmt: skip


STATE_BLOCKS: tuple[tuple[str, int], ...] = (
    ("supply", 1),
    ("consume", -1),
    ("sale", -1),
    ("shut_in", -1),
)
"""Variable blocks that touch one state (with their sign in conservation: in +, out −)."""


@dataclass(frozen=True)
class StateGraph:
    """The states a built LP touches, one conservation row each, and every column's states.

    ``codes`` is sorted (period-major), so a state's row is its position there. ``flow_tail``
    and ``flow_head`` give the row of each flow column's tail and head; ``rows[block]`` the
    row of each column of the supply, consume, sale and shut_in blocks. With periods, every
    period holds the same (node, grade) states, ``per_period`` of them, and ``stock_tail`` /
    ``stock_head`` give the rows of each inventory arc: crude held at a storage node from the
    end of one period (tail) into the next (head; −1 after the last period).
    """

    index: StateIndex
    codes: IArray
    flow_tail: IArray
    flow_head: IArray
    rows: dict[str, IArray]
    per_period: int = 0
    stock_tail: IArray = field(default_factory=lambda: np.zeros(0, np.int64))
    stock_head: IArray = field(default_factory=lambda: np.zeros(0, np.int64))

    @property
    def size(self) -> int:
        """Number of states (conservation rows)."""
        return len(self.codes)

    def labels(self) -> pd.DataFrame:
        """node, grade, node_pos, grade_pos (and period, a position) of each state row."""
        lab = self.index.labels(self.codes)
        lab["period"] = self.index.period(self.codes)
        return lab

    def row(self, node_pos: npt.ArrayLike, grade_pos: npt.ArrayLike, period: npt.ArrayLike = 0) -> IArray:
        """Row of each (node, grade[, period]) state, −1 where the LP has no such state."""
        key = self.index.code(node_pos, grade_pos, period)
        pos = np.searchsorted(self.codes, key)
        pos = np.minimum(pos, max(len(self.codes) - 1, 0))
        hit = (self.codes[pos] == key) if len(self.codes) else np.zeros(key.shape, bool)
        return np.where(hit, pos, -1).astype(np.int64)

    def over_periods(self, n_periods: int) -> StateGraph:
        """The same states in every one of ``n_periods`` periods, columns tiled period-major.

        Column ``k`` of a block of ``K`` columns in period ``t`` is column ``t · K + k``; its
        state row is the period-0 row + ``t · size``.
        """
        index = StateIndex(self.index.node_ids, self.index.grade_ids, n_periods)
        step = self.index.n_nodes * self.index.n_grades
        s0 = self.size
        t = np.arange(n_periods, dtype=np.int64)

        def tile(r: IArray, by: int) -> IArray:
            return (r[None, :] + by * t[:, None]).ravel()

        return StateGraph(
            index,
            tile(self.codes, step),
            tile(self.flow_tail, s0),
            tile(self.flow_head, s0),
            {k: tile(v, s0) for k, v in self.rows.items()},
            per_period=s0,
        )

    def with_stock(self, node_pos: IArray, grade_pos: IArray) -> tuple[StateGraph, IArray]:
        """Inventory arcs for (node, grade) pairs in every period; also the kept pair positions.

        Arcs are period-major (period t, then pair); pairs without a state are dropped.
        """
        n_t = self.index.n_periods
        r0 = self.row(node_pos, grade_pos)
        keep = np.flatnonzero(r0 >= 0)
        r0 = r0[keep]
        t = np.arange(n_t, dtype=np.int64)[:, None]
        tail = (r0[None, :] + t * self.per_period).ravel()
        head = np.where(t + 1 < n_t, r0[None, :] + (t + 1) * self.per_period, -1).ravel()
        return replace(self, stock_tail=tail, stock_head=head.astype(np.int64)), keep.astype(np.int64)


def state_graph(
    index: StateIndex, lp: LP, extra: tuple[npt.ArrayLike, npt.ArrayLike] | None = None
) -> StateGraph:
    """The state graph of the LP's flow, supply, consume, sale and shut_in blocks.

    ``extra`` (node positions, grade positions) adds states no block touches yet (storage).
    """
    f = lp.vars["flow"].labels
    tail = index.code(f["from_pos"].to_numpy(np.int64), f["gin_pos"].to_numpy(np.int64))
    head = index.code(f["to_pos"].to_numpy(np.int64), f["gout_pos"].to_numpy(np.int64))
    block_codes = {
        name: index.code(
            lp.vars[name].labels["node_pos"].to_numpy(np.int64),
            lp.vars[name].labels["grade_pos"].to_numpy(np.int64),
        )
        for name, _ in STATE_BLOCKS
    }
    more = index.code(*extra) if extra is not None else np.zeros(0, np.int64)
    codes, inverse = np.unique(np.concatenate([tail, head, *block_codes.values(), more]), return_inverse=True)
    inverse = inverse.astype(np.int64)
    n_f = len(tail)
    rows: dict[str, IArray] = {}
    at = 2 * n_f
    for name, c in block_codes.items():
        rows[name] = inverse[at : at + len(c)]
        at += len(c)
    return StateGraph(index, codes.astype(np.int64), inverse[:n_f], inverse[n_f : 2 * n_f], rows, len(codes))


def reachable(
    graph: StateGraph, seeds: IArray, allowed: npt.NDArray[np.bool_], *, forward: bool
) -> npt.NDArray[np.bool_]:
    """Per state row: reachable from ``seeds`` over flow and stock arcs within ``allowed`` states.

    ``forward`` follows arcs tail → head (where crude can go), else head → tail (where it
    can come from). Seeds outside ``allowed`` are dropped; one breadth-first search.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order

    n = graph.size
    nxt = graph.stock_head >= 0
    tail = np.concatenate([graph.flow_tail, graph.stock_tail[nxt]])
    head = np.concatenate([graph.flow_head, graph.stock_head[nxt]])
    a, b = (tail, head) if forward else (head, tail)
    on = allowed[a] & allowed[b]
    s = np.unique(seeds[allowed[seeds]]) if len(seeds) else np.zeros(0, np.int64)
    src = np.concatenate([a[on], np.full(len(s), n)])
    dst = np.concatenate([b[on], s])
    adj = csr_matrix((np.ones(len(src), np.int8), (src, dst)), shape=(n + 1, n + 1))
    order = breadth_first_order(adj, n, directed=True, return_predecessors=False)
    out = np.zeros(n + 1, bool)
    out[np.asarray(order, np.int64)] = True
    return np.asarray(out[:n], dtype=bool)
