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

from dataclasses import dataclass

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

    ``codes`` is sorted, so a state's row is its position there. ``flow_tail`` and
    ``flow_head`` give the row of each flow column's tail and head; ``rows[block]`` the row
    of each column of the supply, consume, sale and shut_in blocks.
    """

    index: StateIndex
    codes: IArray
    flow_tail: IArray
    flow_head: IArray
    rows: dict[str, IArray]

    @property
    def size(self) -> int:
        """Number of states (conservation rows)."""
        return len(self.codes)

    def labels(self) -> pd.DataFrame:
        """node, grade, node_pos, grade_pos of each state row."""
        return self.index.labels(self.codes)

    def row(self, node_pos: npt.ArrayLike, grade_pos: npt.ArrayLike) -> IArray:
        """Row of each (node, grade) state, −1 where the LP has no such state."""
        key = self.index.code(node_pos, grade_pos)
        pos = np.searchsorted(self.codes, key)
        pos = np.minimum(pos, max(len(self.codes) - 1, 0))
        hit = (self.codes[pos] == key) if len(self.codes) else np.zeros(key.shape, bool)
        return np.where(hit, pos, -1).astype(np.int64)


def state_graph(index: StateIndex, lp: LP) -> StateGraph:
    """The state graph of the LP's flow, supply, consume, sale and shut_in blocks."""
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
    codes, inverse = np.unique(np.concatenate([tail, head, *block_codes.values()]), return_inverse=True)
    inverse = inverse.astype(np.int64)
    n_f = len(tail)
    rows: dict[str, IArray] = {}
    at = 2 * n_f
    for name, c in block_codes.items():
        rows[name] = inverse[at : at + len(c)]
        at += len(c)
    return StateGraph(index, codes.astype(np.int64), inverse[:n_f], inverse[n_f : 2 * n_f], rows)
