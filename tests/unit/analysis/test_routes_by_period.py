"""Routes in one period of a dated network: its capacities, prices and policies in force."""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.analysis import routes
from crudeflow.exceptions import CrudeflowError
from crudeflow.io.scenario import parse_scenario
from crudeflow.testing import tiny_network

SCEN = """name: dated
periods: {start: 2023-01-01, end: 2023-12-31, step: month}
changes:
  - events:
      - {policy: emb, from: 2023-12-05}
      - {link: b, capacity_factor: 0.5, from: 2023-03-01, to: 2023-03-31}
  - period_values:
      - {table: links, id: a, field: tariff_usd_per_t, period: 2023-06-01, value: 9}
"""


def _net() -> Any:
    base = tiny_network(
        nodes=[{"id": "kz", "kind": "field", "country": "KZ"}, {"id": "r", "kind": "refinery", "country": "PL"}],
        links=[{"id": "a", "from": "kz", "to": "r", "capacity_mt_per_year": 10.0, "tariff_usd_per_t": 1.0},
               {"id": "b", "from": "kz", "to": "r", "capacity_mt_per_year": 8.0, "tariff_usd_per_t": 2.0}],
        supplies=[{"node": "kz", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r", "demand_mt_per_year": 5.0}],
        policies=[{"id": "emb", "kind": "embargo", "importers": ["PL"], "origins": ["KZ"], "enabled": False}],
    )  # fmt: skip
    return parse_scenario(SCEN, "dated.yaml").apply(base)


def _by_link(net: Any, period: str) -> Any:
    t = routes(net, "kz", "r", period=period).table
    return t.set_index(t["links"].map(lambda ls: "+".join(ls)))


def test_routes_follow_the_period() -> None:
    net = _net()
    jan = _by_link(net, "2023-01-01")
    assert jan.loc["a", "delivered_cost_usd_per_t"] == pytest.approx(11.0)
    assert jan.loc["b", "bottleneck_mt_per_year"] == pytest.approx(8.0)
    # March: link b at half capacity for the whole month
    mar = _by_link(net, "2023-03-01")
    assert mar.loc["b", "bottleneck_mt_per_year"] == pytest.approx(4.0)
    # June: link a costs 9 USD/t
    jun = _by_link(net, "2023-06-01")
    assert jun.loc["a", "delivered_cost_usd_per_t"] == pytest.approx(19.0)
    # December: the embargo is in force (27 of 31 days), no route
    assert len(routes(net, "kz", "r", period="2023-12-01")) == 0
    assert len(routes(net, "kz", "r", period="2023-11-01")) == 2


def test_an_unknown_period_is_an_error() -> None:
    with pytest.raises(CrudeflowError, match="unknown period '2024-01-01'"):
        routes(_net(), "kz", "r", period="2024-01-01")
