"""Named variable blocks and sparse constraint blocks stacked into one CSC matrix.

Each block keeps its labels (a DataFrame) so results, duals and hot re-solves can map
ids <-> LP columns and rows without searching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from crudeflow._types import FArray, IArray

INF = np.inf


def _ranged(labels: pd.DataFrame) -> pd.DataFrame:
    """Labels on a 0..n−1 index (as given when they already are: no copy of a large frame)."""
    if isinstance(labels.index, pd.RangeIndex) and labels.index.start == 0 and labels.index.step == 1:
        return labels
    return labels.reset_index(drop=True)


@dataclass(frozen=True)
class VarBlock:
    """A block of columns: cost (USD/t), bounds (Mt/yr), and one label row per column."""

    name: str
    cost: FArray
    lower: FArray
    upper: FArray
    labels: pd.DataFrame
    start: int = 0

    @property
    def size(self) -> int:
        """Number of columns."""
        return len(self.cost)

    @property
    def slice(self) -> slice:
        """The block's column range in the stacked LP."""
        return slice(self.start, self.start + self.size)


@dataclass(frozen=True)
class ConBlock:
    """A block of rows as COO triplets over global column indices, with row bounds."""

    name: str
    rows: IArray
    cols: IArray
    vals: FArray
    lower: FArray
    upper: FArray
    labels: pd.DataFrame
    start: int = 0

    @property
    def size(self) -> int:
        """Number of rows."""
        return len(self.lower)

    @property
    def slice(self) -> slice:
        """The block's row range in the stacked LP."""
        return slice(self.start, self.start + self.size)


@dataclass
class LP:
    """A linear program under construction: min c·x s.t. lo <= A x <= hi, lb <= x <= ub."""

    vars: dict[str, VarBlock] = field(default_factory=dict)
    cons: dict[str, ConBlock] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0
    offset: float = 0.0

    def add_vars(
        self,
        name: str,
        cost: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        labels: pd.DataFrame,
    ) -> VarBlock:
        """Append a block of columns and return it (with its start offset)."""
        n = len(labels)
        block = VarBlock(
            name,
            np.broadcast_to(np.asarray(cost, float), (n,)).copy(),
            np.broadcast_to(np.asarray(lower, float), (n,)).copy(),
            np.broadcast_to(np.asarray(upper, float), (n,)).copy(),
            _ranged(labels),
            self.n_cols,
        )
        self.vars[name] = block
        self.n_cols += n
        return block

    def add_cons(
        self,
        name: str,
        rows: npt.ArrayLike,
        cols: npt.ArrayLike,
        vals: npt.ArrayLike,
        lower: npt.ArrayLike,
        upper: npt.ArrayLike,
        labels: pd.DataFrame,
    ) -> ConBlock:
        """Append a block of rows given as local-row COO triplets; rows are offset here."""
        n = len(labels)
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.broadcast_to(np.asarray(vals, float), r.shape).copy()
        block = ConBlock(
            name, r + self.n_rows, c, v,
            np.broadcast_to(np.asarray(lower, float), (n,)).copy(),
            np.broadcast_to(np.asarray(upper, float), (n,)).copy(),
            _ranged(labels), self.n_rows,
        )  # fmt: skip
        self.cons[name] = block
        self.n_rows += n
        return block

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix as one CSC (duplicates summed)."""
        if self.cons:
            r = np.concatenate([b.rows for b in self.cons.values()])
            c = np.concatenate([b.cols for b in self.cons.values()])
            v = np.concatenate([b.vals for b in self.cons.values()])
        else:
            r = c = np.zeros(0, np.int64)
            v = np.zeros(0)
        a = sp.csc_matrix((v, (r, c)), shape=(self.n_rows, self.n_cols))
        a.sum_duplicates()
        return a

    def _stack(self, attr: str, blocks: dict[str, VarBlock] | dict[str, ConBlock]) -> FArray:
        arrays = [getattr(b, attr) for b in blocks.values()]
        return np.concatenate(arrays) if arrays else np.zeros(0)

    @property
    def cost(self) -> FArray:
        """Objective coefficients of every column."""
        return self._stack("cost", self.vars)

    @property
    def col_lower(self) -> FArray:
        """Lower bounds of every column."""
        return self._stack("lower", self.vars)

    @property
    def col_upper(self) -> FArray:
        """Upper bounds of every column."""
        return self._stack("upper", self.vars)

    @property
    def row_lower(self) -> FArray:
        """Lower bounds of every row."""
        return self._stack("lower", self.cons)

    @property
    def row_upper(self) -> FArray:
        """Upper bounds of every row."""
        return self._stack("upper", self.cons)
