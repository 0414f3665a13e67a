"""crudeflow: how crude oil reaches refineries across borders, at what cost, and what breaks.

The public API, re-exported here; every CLI command has its function below.
"""

from __future__ import annotations

from crudeflow.exceptions import (
    CrudeflowError,
    DatasetError,
    InfeasibleError,
    Problem,
    ScenarioError,
    SolverError,
)
from crudeflow.io.dataset import read_dataset, shipped_datasets, write_dataset
from crudeflow.model.network import DatasetMeta, Network

__version__ = "0.1.0"

__all__ = [
    "CrudeflowError",
    "DatasetError",
    "DatasetMeta",
    "InfeasibleError",
    "Network",
    "Problem",
    "ScenarioError",
    "SolverError",
    "__version__",
    "read_dataset",
    "shipped_datasets",
    "write_dataset",
]
