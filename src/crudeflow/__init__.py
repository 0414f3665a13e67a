"""crudeflow: how crude oil reaches refineries across borders, at what cost, and what breaks.

The public API, re-exported here and imported lazily (so ``crudeflow --help`` starts fast);
every CLI command has its function below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "Comparison": "crudeflow.api",
    "CrudeflowError": "crudeflow.exceptions",
    "DataOverview": "crudeflow.api",
    "DatasetError": "crudeflow.exceptions",
    "DatasetMeta": "crudeflow.model.network",
    "InfeasibleError": "crudeflow.exceptions",
    "Network": "crudeflow.model.network",
    "Plan": "crudeflow.results.plan",
    "PlanOptions": "crudeflow.optimize.build",
    "Problem": "crudeflow.exceptions",
    "Scenario": "crudeflow.model.scenario",
    "ScenarioError": "crudeflow.exceptions",
    "SolverError": "crudeflow.exceptions",
    "compare": "crudeflow.api",
    "data_overview": "crudeflow.api",
    "export_dataset": "crudeflow.api",
    "load": "crudeflow.api",
    "plan": "crudeflow.api",
    "read_dataset": "crudeflow.io.dataset",
    "read_scenario": "crudeflow.io.scenario",
    "shipped_datasets": "crudeflow.io.dataset",
    "shipped_scenarios": "crudeflow.io.scenario",
    "write_dataset": "crudeflow.io.dataset",
}

__all__ = [
    "Comparison",
    "CrudeflowError",
    "DataOverview",
    "DatasetError",
    "DatasetMeta",
    "InfeasibleError",
    "Network",
    "Plan",
    "PlanOptions",
    "Problem",
    "Scenario",
    "ScenarioError",
    "SolverError",
    "__version__",
    "compare",
    "data_overview",
    "export_dataset",
    "load",
    "plan",
    "read_dataset",
    "read_scenario",
    "shipped_datasets",
    "shipped_scenarios",
    "write_dataset",
]

if TYPE_CHECKING:
    from crudeflow.api import Comparison, DataOverview, compare, data_overview, export_dataset, load, plan
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
    from crudeflow.results.plan import Plan


def __getattr__(name: str) -> Any:
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
