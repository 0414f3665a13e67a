"""Comparing a plan over periods with an annual one: flows and unmet as horizon-average rates."""

from __future__ import annotations

import pytest

from crudeflow.analysis.compare import compare_plans
from crudeflow.api import plan
from crudeflow.io.scenario import parse_scenario
from crudeflow.testing import tiny_network

LINKS = [{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 3.0, "tariff_usd_per_t": 1.0}]
NODES = [{"id": "f", "kind": "field"}, "r"]
SUPPLY = [{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}]
DEMAND = [{"node": "r", "demand_mt_per_year": 4.0}]


def test_a_two_year_plan_compares_as_average_rates() -> None:
    annual = plan(tiny_network(nodes=NODES, links=LINKS, supplies=SUPPLY, demands=DEMAND))
    # two calendar years; the link is out for all of 2024: 3 Mt/yr then 0, i.e. 1.5 on average
    dated = tiny_network(
        nodes=NODES, links=LINKS, supplies=SUPPLY, demands=DEMAND,
        periods={"start": "2023-01-01", "end": "2024-12-31", "step": "year"},
    )  # fmt: skip
    text = "name: out\nchanges:\n  - events:\n      - {link: fr, out: [2024-01-01, 2024-12-31]}\n"
    two = plan(parse_scenario(text, "out.yaml").apply(dated))
    c = compare_plans(annual, two)
    assert c.flows.loc["fr", "mt_per_year_a"] == pytest.approx(3.0)
    assert c.flows.loc["fr", "mt_per_year_b"] == pytest.approx(1.5)
    # unmet: 1 Mt/yr in 2023, 4 in 2024 -> 2.5 on average against 1 in the annual plan
    assert c.unmet.loc["r", "mt_per_year_a"] == pytest.approx(1.0)
    assert c.unmet.loc["r", "mt_per_year_b"] == pytest.approx(2.5)
    assert c.unmet.loc["r", "reason_b"] != ""


def test_two_plans_over_periods_compare() -> None:
    # both sides have periods: the horizon's text is no figure to subtract
    dated = tiny_network(
        nodes=NODES, links=LINKS, supplies=SUPPLY, demands=DEMAND,
        periods={"start": "2023-01-01", "end": "2024-12-31", "step": "year"},
    )  # fmt: skip
    a = plan(dated)
    c = compare_plans(a, a)
    assert "horizon" not in c.totals.index
    assert c.totals.loc["unmet_mt_per_year", "delta"] == pytest.approx(0.0)
