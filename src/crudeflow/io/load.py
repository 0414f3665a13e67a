"""Names to networks: a dataset (folder, shipped name, Network) and a scenario applied to it."""

from __future__ import annotations

from pathlib import Path

from crudeflow.io.dataset import read_dataset
from crudeflow.model.network import Network
from crudeflow.model.scenario import Scenario

DatasetLike = str | Path | Network | None
"""A Network, a dataset folder, a shipped dataset name, or None for the default dataset."""
ScenarioLike = str | Path | Scenario | None
"""A Scenario, a scenario file, a shipped scenario name, or None (``"base"``) for none."""


def load(dataset: DatasetLike = None) -> Network:
    """A Network from a Network, a folder, a shipped dataset name, or the default dataset."""
    if isinstance(dataset, Network):
        return dataset
    return read_dataset(dataset)


def read_any_scenario(scenario: str | Path | Scenario) -> Scenario:
    """A Scenario as given, or read (deferred checks) from a file or shipped name."""
    if isinstance(scenario, Scenario):
        return scenario
    from crudeflow.io.scenario import read_scenario

    return read_scenario(scenario, defer=True)


def network_and_scenario(dataset: DatasetLike, scenario: ScenarioLike) -> tuple[Network, str]:
    """Load the base network and apply a scenario if given: (network, scenario name).

    Without ``dataset`` the scenario's own ``base`` dataset is loaded.
    """
    if scenario is None:
        return load(dataset), "base"
    sc = read_any_scenario(scenario)
    base = load(dataset if dataset is not None else sc.base)
    return sc.apply(base), sc.name
