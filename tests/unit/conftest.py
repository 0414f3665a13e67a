"""Fixtures shared by the unit tests of the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from crudeflow import write_dataset
from crudeflow.testing import tiny_network


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A one-link dataset folder: a -> r (5 Mt/yr at 10 USD/t); r needs 6 Mt/yr; penalty 1000 USD/t."""
    net = tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[{"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 5, "tariff_usd_per_t": 10}],
        supplies=[{"node": "a", "max_mt_per_year": 10, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 6}],
    )
    return write_dataset(net, tmp_path / "ds")
