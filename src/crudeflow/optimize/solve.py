"""HiGHS backend: one call to pass the CSC model, status checked on every run, hot re-solves."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt

from crudeflow.exceptions import SolverError
from crudeflow.optimize.lp import LP
from crudeflow.optimize.status import SolveResult, SolveStatus

DEFAULT_OPTIONS: dict[str, Any] = {
    "output_flag": False,
    "solver": "simplex",
    "presolve": "on",
    "threads": 1,
}
"""Options for network LPs: dual simplex with presolve, one thread (sweeps parallelise
across processes instead). Set before the first run: changing ``threads`` after a run
makes HiGHS fail the next run."""

HOT_OPTIONS: dict[str, Any] = {"simplex_dual_edge_weight_strategy": 1}
"""Options for outage re-solves from a kept basis (``HighsModel.keep_basis``): Devex
pricing. Steepest-edge pricing (HiGHS's choice) recomputes its weights from scratch, one
BTRAN per row, whenever a basis is set: 40 % of a re-solve on pure-10k, where an outage
from the base basis takes ~12 iterations. Devex starts from unit weights and needs few
more iterations than steepest edge; Dantzig needs 3x more on the shipped dataset."""

_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolveStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolveStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolveStatus.UNBOUNDED,
    highspy.HighsModelStatus.kIterationLimit: SolveStatus.ITERATION_LIMIT,
    highspy.HighsModelStatus.kTimeLimit: SolveStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kModelEmpty: SolveStatus.OPTIMAL,  # nothing to decide: x = []
}


_BANNER_SHOWN = False


def new_highs() -> highspy.Highs:
    """A fresh Highs instance; the once-per-process C++ banner is kept off stdout."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return highspy.Highs()
    _BANNER_SHOWN = True
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    return h


class HighsModel:
    """A live HiGHS model of one LP, re-solvable after bound changes (hot start)."""

    def __init__(self, lp: LP, options: Mapping[str, Any] | None = None) -> None:
        self.lp = lp
        self.h = new_highs()
        opts = {**DEFAULT_OPTIONS, **(options or {})}
        for k, v in opts.items():
            status = self.h.setOptionValue(k, v)
            if status != highspy.HighsStatus.kOk:
                msg = f"HiGHS rejected option {k}={v!r}"
                raise SolverError(msg)
        a = lp.matrix()
        model = highspy.HighsLp()
        model.num_col_ = lp.n_cols
        model.num_row_ = lp.n_rows
        model.col_cost_ = lp.cost
        model.col_lower_ = lp.col_lower
        model.col_upper_ = lp.col_upper
        model.row_lower_ = lp.row_lower
        model.row_upper_ = lp.row_upper
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = a.indptr
        model.a_matrix_.index_ = a.indices
        model.a_matrix_.value_ = a.data
        model.offset_ = lp.offset
        if self.h.passModel(model) != highspy.HighsStatus.kOk:
            msg = "HiGHS rejected the model"
            raise SolverError(msg)
        self.base_lower = lp.col_lower.copy()
        self.base_upper = lp.col_upper.copy()
        self._start_basis: highspy.HighsBasis | None = None

    def keep_basis(self) -> None:
        """Start every later ``resolve_closed`` from the current (solved) basis.

        Without it each outage starts from the previous outage's optimum with that
        outage's columns reopened, which costs ~30x the dual simplex iterations of a
        restart from the base (pure-10k: ~300 against ~12). Switches to ``HOT_OPTIONS``;
        HiGHS reads its simplex options only when its solver starts afresh, hence the
        ``clearSolver`` (the basis is set back right after).
        """
        basis = self.h.getBasis()
        if not basis.valid:
            msg = "keep_basis needs a solved model (HiGHS has no valid basis)"
            raise SolverError(msg)
        for k, v in HOT_OPTIONS.items():
            if self.h.setOptionValue(k, v) != highspy.HighsStatus.kOk:
                msg = f"HiGHS rejected option {k}={v!r}"
                raise SolverError(msg)
        self.h.clearSolver()
        if self.h.setBasis(basis) != highspy.HighsStatus.kOk:
            msg = "HiGHS rejected the kept basis"
            raise SolverError(msg)
        self._start_basis = basis

    def resolve_closed(
        self, cols: npt.NDArray[np.int64], upper: npt.NDArray[np.float64] | None = None
    ) -> SolveResult:
        """Close ``cols`` (or cap them at ``upper``), re-solve hot, restore them.

        Reads back the objective and column values only. Starts from the basis kept by
        ``keep_basis`` if any, else from the last one: a refactorisation of the kept basis
        costs far less than the iterations saved. ``upper`` (same length as ``cols``) is a
        partial outage: each column keeps at most that much (its lower bound is cut to match).
        """
        if self._start_basis is not None:
            self.h.setBasis(self._start_basis)
        if upper is None:
            self.close_cols(cols)
        else:
            self.set_col_bounds(cols, np.minimum(self.base_lower[cols], upper), upper)
        try:
            return self.run(duals=False)
        finally:
            self.restore_cols(cols)

    def run(self, *, check: bool = True, duals: bool = True) -> SolveResult:
        """Solve (hot-starting from the last basis if any) and return the checked result.

        ``duals=False`` reads back only the objective and the column values (row
        activities and duals are NaN): sweeps that need no prices skip three of the four
        solution copies, which dominate a hot re-solve that changes little.
        """
        t0 = time.perf_counter()
        run_status = self.h.run()
        seconds = time.perf_counter() - t0
        model_status = self.h.getModelStatus()
        status = _STATUS.get(model_status, SolveStatus.ERROR)
        if run_status == highspy.HighsStatus.kError:
            status = SolveStatus.ERROR
        info = self.h.getInfo()
        n, m = self.lp.n_cols, self.lp.n_rows
        if status is SolveStatus.OPTIMAL:
            sol = self.h.getSolution()
            x = np.asarray(sol.col_value, float)
            if duals:
                act = np.asarray(sol.row_value, float)
                rd = np.asarray(sol.row_dual, float)
                cd = np.asarray(sol.col_dual, float)
            else:
                act, rd, cd = np.full(m, np.nan), np.full(m, np.nan), np.full(n, np.nan)
            obj = float(info.objective_function_value) if n else float(self.lp.offset)
        else:
            x, act, rd, cd = np.zeros(n), np.zeros(m), np.zeros(m), np.zeros(n)
            obj = float("nan")
        result = SolveResult(status, obj, x, act, rd, cd, int(info.simplex_iteration_count), seconds)
        if check and status is SolveStatus.ERROR:
            msg = f"HiGHS failed: run status {run_status}, model status {model_status}"
            raise SolverError(msg)
        return result

    def set_col_bounds(
        self,
        cols: npt.NDArray[np.int64],
        lower: npt.NDArray[np.float64],
        upper: npt.NDArray[np.float64],
    ) -> None:
        """Change bounds of some columns on the live model (for hot re-solves)."""
        if len(cols) == 0:
            return
        self.h.changeColsBounds(len(cols), np.asarray(cols, np.int32), lower, upper)

    def close_cols(self, cols: npt.NDArray[np.int64]) -> None:
        """Force some columns to zero (an outage)."""
        z = np.zeros(len(cols))
        self.set_col_bounds(cols, z, z)

    def restore_cols(self, cols: npt.NDArray[np.int64]) -> None:
        """Restore some columns to their built bounds."""
        self.set_col_bounds(cols, self.base_lower[cols], self.base_upper[cols])

    def set_row_bounds(
        self,
        rows: npt.NDArray[np.int64],
        lower: npt.NDArray[np.float64],
        upper: npt.NDArray[np.float64],
    ) -> None:
        """Change bounds of some rows on the live model."""
        if len(rows) == 0:
            return
        self.h.changeRowsBounds(len(rows), np.asarray(rows, np.int32), lower, upper)  # type: ignore[attr-defined]


IPM_MIN_COLS = 20_000
"""Cold solves of multi-grade LPs from this many columns use interior point + crossover."""


def cold_options(
    lp: LP, options: Mapping[str, Any] | None = None, min_cols: int = IPM_MIN_COLS
) -> dict[str, Any]:
    """Options for one cold solve: interior point for large multi-grade LPs.

    Unless the caller names a solver. Crossover stays on, so a vertex and its duals come
    back as usual. Several grades sharing link capacities make a multi-commodity flow, where dual simplex
    slows down sharply with size (synthetic 30,000 links, 4 grades: 33 s simplex against
    8 s IPM; 100,000 links: 316 s against 37 s). One-grade flows stay on simplex, which
    is faster there (100,000 links: 6.7 s against 18.6 s). Hot re-solves (``HighsModel``)
    always use simplex: it warm-starts from the last basis. LPs with origin/path tag layers
    (``optimize.tags``) stay on simplex: their ``tagged ≤ flow`` rows stall interior point
    (synthetic 10k links, 3 tagged countries: 20.5 s CPU IPM against 3.2 s simplex; 10:
    over 900 s against 27 s).
    """
    opts = dict(options or {})
    flows, caps = lp.vars.get("flow"), lp.cons.get("capacity")
    multi = flows is not None and caps is not None and flows.size > 1.5 * max(caps.size, 1)
    tagged = any(name.startswith("tag:") for name in lp.vars)
    if "solver" not in opts and lp.n_cols >= min_cols and multi and not tagged:
        opts["solver"] = "ipm"
    return opts


def solve_lp(lp: LP, options: Mapping[str, Any] | None = None) -> SolveResult:
    """Build a HiGHS model from an LP, solve it cold, and return the checked result."""
    return HighsModel(lp, cold_options(lp, options)).run()
