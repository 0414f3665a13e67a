from __future__ import annotations

from collections.abc import Callable

import pytest

from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


def diamond(**extra: object) -> Network:
    """A (KZ) -> B/C -> D (BY refinery, demand 4). Costs: A-B 1, B-D 1 (cap 3), A-C 2, C-D 2."""
    links = [
        {"id": "ab", "from": "A", "to": "B", "capacity_mt_per_year": 5, "tariff_usd_per_t": 1},
        {"id": "bd", "from": "B", "to": "D", "capacity_mt_per_year": 3, "tariff_usd_per_t": 1},
        {"id": "ac", "from": "A", "to": "C", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2},
        {"id": "cd", "from": "C", "to": "D", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2},
        {"id": "ae", "from": "A", "to": "E", "capacity_mt_per_year": 5, "tariff_usd_per_t": 9},
    ]
    kw: dict[str, object] = {
        "nodes": [
            {"id": "A", "country": "KZ", "kind": "field"},
            {"id": "B", "country": "RU"},
            {"id": "C", "country": "UA"},
            {"id": "D", "country": "BY", "kind": "refinery"},
            {"id": "E", "country": "LT"},
        ],
        "links": links,
        "supplies": [{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        "demands": [{"node": "D", "demand_mt_per_year": 4}],
    }
    kw.update(extra)
    return tiny_network(**kw)  # type: ignore[arg-type]


@pytest.fixture
def diamond_net() -> Network:
    return diamond()


@pytest.fixture
def make_diamond() -> Callable[..., Network]:
    return diamond
