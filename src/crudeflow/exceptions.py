"""The one exception family of crudeflow.

::

    CrudeflowError
    ├── DatasetError      a dataset folder has problems (carries every Problem found)
    ├── ScenarioError     a scenario file has problems (carries every Problem found)
    ├── InfeasibleError   a strict plan cannot meet every demand (says which and why)
    └── SolverError       HiGHS did not return an optimal solution (carries its status)

The CLI turns any of these into one red line and an exit code, never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is, what was expected and what was found.

    ``row`` is 1-based as a spreadsheet shows it (the header is row 1); for YAML files it
    is the line number (and is printed as such). ``severity`` is ``"error"`` or ``"warning"``.
    """

    file: str
    row: int | None
    column: str | None
    expected: str
    found: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            unit = "line" if self.file.endswith((".yaml", ".yml")) or self.file.startswith("<") else "row"
            where += f", {unit} {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: expected {self.expected}, found {self.found}"


class CrudeflowError(Exception):
    """Base of every error crudeflow raises on purpose; by default bad input or arguments.

    Exit code 2 (bad input), as the README documents; only infeasible plans (3) and solver
    failures (4) differ.
    """

    exit_code = 2


class _ProblemsError(CrudeflowError):
    """An error carrying every problem found in one pass over the input."""

    exit_code = 2
    what = "input"

    def __init__(self, problems: Sequence[Problem], message: str | None = None) -> None:
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        head = message or f"{len(errors)} problem(s) in the {self.what}"
        super().__init__(head + "".join(f"\n  - {p}" for p in errors))


class DatasetError(_ProblemsError):
    """A dataset folder failed validation; ``problems`` lists every problem found."""

    what = "dataset"


class ScenarioError(_ProblemsError):
    """A scenario file failed validation; ``problems`` lists every problem found."""

    what = "scenario"


class InfeasibleError(CrudeflowError):
    """A plan cannot meet its hard constraints; the message names demands and constraints."""

    exit_code = 3


class SolverError(CrudeflowError):
    """The solver failed or returned a status other than optimal."""

    exit_code = 4
