"""Network to Plan in one call: build the LP, solve it, check it, shape the results.

The one planning routine every layer above uses (the analyses re-plan with it; the API's
``plan`` is this after loading a dataset and applying a scenario).
"""

from __future__ import annotations

from collections.abc import Mapping

from crudeflow._types import TOL_FLOW_MT
from crudeflow.exceptions import InfeasibleError, SolverError
from crudeflow.model.network import Network
from crudeflow.optimize.build import PlanOptions, build_lp
from crudeflow.optimize.solve import solve_lp
from crudeflow.optimize.status import SolveStatus
from crudeflow.results.plan import Plan, make_plan

SolverOptions = Mapping[str, str | int | float | bool]
"""HiGHS options by name (``time_limit``, ``presolve``, ...)."""


def solve_plan(
    network: Network,
    scenario: str = "base",
    *,
    strict: bool = False,
    solver_options: SolverOptions | None = None,
    calibrated: bool = False,
) -> Plan:
    """The least-cost plan of ``network``, labelled ``scenario``.

    ``calibrated`` adds the network's calibration frictions (``frictions.csv``) to the costs.

    With ``strict``, demand that cannot be met raises ``InfeasibleError`` naming each
    refinery short and why (from the relaxed plan); a hard contract that cannot be met
    raises it too. A solve that is not optimal raises ``SolverError``.
    """
    opts = PlanOptions(strict=strict, solver_options=dict(solver_options or {}), calibrated=calibrated)
    model = build_lp(network, opts)
    res = solve_lp(model.lp, opts.solver_options)
    if res.status is SolveStatus.INFEASIBLE and strict:
        relaxed = solve_plan(network, scenario, strict=False, solver_options=solver_options,
                             calibrated=calibrated)  # fmt: skip
        lines = [f"{n}: {r.mt_per_year:.2f} Mt/yr short — {r.reason}" for n, r in relaxed.unmet.iterrows()]
        msg = "strict plan is infeasible: demand cannot be met" + (
            "\n  " + "\n  ".join(lines) if lines else " (contracts or fixed output conflict)"
        )
        raise InfeasibleError(msg)
    if not res.ok:
        msg = f"the plan did not solve: HiGHS status {res.status.value}"
        raise SolverError(msg)
    result = make_plan(model, res, scenario)
    hard = result.contracts
    short = hard["hard"] & (hard["shortfall_mt_per_year"] > TOL_FLOW_MT) if len(hard) else None
    if short is not None and short.any():
        what = "; ".join(
            f"contract '{r.contract}' ({r.seller} → {r.buyer}) needs {r.min_mt_per_year:g} Mt/yr, "
            f"only {r.delivered_mt_per_year:.2f} can be delivered"
            for r in hard[short].itertuples()
        )
        msg = f"infeasible: {what}"
        raise InfeasibleError(msg)
    return result
