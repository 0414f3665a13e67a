"""A typed solve outcome, checked on every call."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class SolveStatus(StrEnum):
    """Termination conditions crudeflow distinguishes (from HiGHS model status)."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ITERATION_LIMIT = "iteration_limit"
    TIME_LIMIT = "time_limit"
    ERROR = "error"


@dataclass(frozen=True)
class SolveResult:
    """Primal and dual values of one solve, with its status, objective and effort."""

    status: SolveStatus
    objective: float
    """Objective in million USD per year (Mt/yr × USD/t)."""
    x: npt.NDArray[np.float64]
    row_activity: npt.NDArray[np.float64]
    row_dual: npt.NDArray[np.float64]
    col_dual: npt.NDArray[np.float64]
    iterations: int
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the solve is optimal."""
        return self.status is SolveStatus.OPTIMAL
