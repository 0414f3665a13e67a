"""crudeflow: how crude oil reaches refineries across borders, at what cost, and what breaks.

The public API, re-exported here and imported lazily (so ``crudeflow --help`` starts fast);
every CLI command has its function below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Backtest": "crudeflow.analysis.backtest",
    "CancelToken": "crudeflow.progress",
    "Comparison": "crudeflow.analysis",
    "CrudeflowError": "crudeflow.exceptions",
    "DataOverview": "crudeflow.api",
    "DatasetError": "crudeflow.exceptions",
    "DatasetMeta": "crudeflow.model.network",
    "Diversification": "crudeflow.analysis",
    "InfeasibleError": "crudeflow.exceptions",
    "MonteCarloResult": "crudeflow.analysis",
    "Network": "crudeflow.model.network",
    "Plan": "crudeflow.results.plan",
    "PlanOptions": "crudeflow.optimize.build",
    "Problem": "crudeflow.exceptions",
    "ProgressFn": "crudeflow.progress",
    "Routes": "crudeflow.analysis",
    "Scenario": "crudeflow.model.scenario",
    "ScenarioError": "crudeflow.exceptions",
    "SolveStatus": "crudeflow.optimize.status",
    "SolverError": "crudeflow.exceptions",
    "StressResult": "crudeflow.analysis",
    "TradeBalance": "crudeflow.analysis",
    "backtest": "crudeflow.api",
    "build_report": "crudeflow.report",
    "compare": "crudeflow.api",
    "compare_plans": "crudeflow.analysis",
    "data_overview": "crudeflow.api",
    "diversify": "crudeflow.analysis",
    "export_dataset": "crudeflow.api",
    "hhi": "crudeflow.analysis",
    "holdout": "crudeflow.analysis",
    "HoldoutResult": "crudeflow.analysis",
    "load": "crudeflow.api",
    "montecarlo": "crudeflow.analysis",
    "plan": "crudeflow.api",
    "read_dataset": "crudeflow.io.dataset",
    "read_scenario": "crudeflow.io.scenario",
    "render_map": "crudeflow.report",
    "routes": "crudeflow.analysis",
    "scenario_map": "crudeflow.report",
    "scenario_report": "crudeflow.report",
    "shipped_datasets": "crudeflow.io.dataset",
    "shipped_scenarios": "crudeflow.io.scenario",
    "stress": "crudeflow.analysis",
    "trade_balance": "crudeflow.analysis",
    "trade_figures": "crudeflow.analysis",
    "write_dataset": "crudeflow.io.dataset",
    "write_plan_csv": "crudeflow.api",
    "write_report": "crudeflow.report",
}

__all__ = [
    "Backtest",
    "CancelToken",
    "Comparison",
    "CrudeflowError",
    "DataOverview",
    "DatasetError",
    "DatasetMeta",
    "Diversification",
    "HoldoutResult",
    "InfeasibleError",
    "MonteCarloResult",
    "Network",
    "Plan",
    "PlanOptions",
    "Problem",
    "ProgressFn",
    "Routes",
    "Scenario",
    "ScenarioError",
    "SolveStatus",
    "SolverError",
    "StressResult",
    "TradeBalance",
    "__version__",
    "backtest",
    "build_report",
    "compare",
    "compare_plans",
    "data_overview",
    "diversify",
    "export_dataset",
    "hhi",
    "holdout",
    "load",
    "montecarlo",
    "plan",
    "read_dataset",
    "read_scenario",
    "render_map",
    "routes",
    "scenario_map",
    "scenario_report",
    "shipped_datasets",
    "shipped_scenarios",
    "stress",
    "trade_balance",
    "trade_figures",
    "write_dataset",
    "write_plan_csv",
    "write_report",
]

if TYPE_CHECKING:
    from crudeflow.analysis import (
        Comparison,
        Diversification,
        HoldoutResult,
        MonteCarloResult,
        Routes,
        StressResult,
        TradeBalance,
        compare_plans,
        diversify,
        hhi,
        holdout,
        montecarlo,
        routes,
        stress,
        trade_balance,
        trade_figures,
    )
    from crudeflow.analysis.backtest import Backtest
    from crudeflow.api import (
        DataOverview,
        backtest,
        compare,
        data_overview,
        export_dataset,
        load,
        plan,
        write_plan_csv,
    )
    from crudeflow.exceptions import (
        CrudeflowError,
        DatasetError,
        InfeasibleError,
        Problem,
        ScenarioError,
        SolverError,
    )
    from crudeflow.io.dataset import read_dataset, shipped_datasets, write_dataset
    from crudeflow.io.scenario import read_scenario, shipped_scenarios
    from crudeflow.model.network import DatasetMeta, Network
    from crudeflow.model.scenario import Scenario
    from crudeflow.optimize.build import PlanOptions
    from crudeflow.optimize.status import SolveStatus
    from crudeflow.progress import CancelToken, ProgressFn
    from crudeflow.report import build_report, render_map, scenario_map, scenario_report, write_report
    from crudeflow.results.plan import Plan


def __getattr__(name: str) -> object:
    """Import a public name on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'crudeflow' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
