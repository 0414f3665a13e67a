"""Small helpers shared by the analyses."""

from __future__ import annotations

from pathlib import Path

from crudeflow.model.network import Network


def as_network(network: Network | str | Path) -> Network:
    """A Network as given, or read from a dataset folder or shipped dataset name."""
    if isinstance(network, Network):
        return network
    from crudeflow.io.dataset import read_dataset

    return read_dataset(network)
