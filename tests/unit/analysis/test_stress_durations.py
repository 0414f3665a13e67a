"""Stress on a network with periods: an outage of d days removes capacity only where it falls.

A refinery ``r`` needs 3.65 Mt/yr (0.01 Mt a day) through one link ``a`` of exactly that
capacity; its tanks hold 0.15 Mt (no final level). Monthly periods of 2023.
"""

from __future__ import annotations

import pytest

from crudeflow.analysis import stress
from crudeflow.exceptions import CrudeflowError
from crudeflow.testing import tiny_network


def _net(periods: object = None) -> object:
    return tiny_network(
        nodes=[{"id": "f", "kind": "field", "country": "KZ"}, "r"],
        links=[{"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 3.65, "tariff_usd_per_t": 1.0}],
        supplies=[{"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r", "demand_mt_per_year": 3.65}],
        storage=[
            {"node": "r", "capacity_mt": 0.15, "initial_mt": 0.15, "initial_grade": "g", "min_final_mt": 0.0}
        ],
        periods=periods,
    )


MONTHS = {"start": "2023-01-01", "end": "2023-12-31", "step": "month"}


@pytest.mark.parametrize(
    ("start", "days", "unmet"),
    [
        ("2023-01-11", 10, 0.0),  # 0.1 Mt short of crude, 0.15 Mt in the tanks
        ("2023-01-11", 20, 0.05),  # 0.2 Mt short, 0.15 drawn
        ("2023-01-11", 40, 0.25),  # 21 days of January and 19 of February, prorated
        ("2023-12-22", 10, 0.0),  # within the horizon's last month
    ],
)
def test_an_outage_of_d_days_costs_its_days_less_the_stocks(start: str, days: float, unmet: float) -> None:
    res = stress(_net(MONTHS), assets="links", start=start, days=days, check_sample=2)
    assert res.ranking.loc["a", "unmet_mt_per_year"] == pytest.approx(unmet, abs=1e-9)


def test_without_days_the_outage_lasts_the_horizon() -> None:
    res = stress(_net(MONTHS), assets="links")
    assert res.ranking.loc["a", "unmet_mt_per_year"] == pytest.approx(3.65 - 0.15, abs=1e-9)


def test_days_need_periods() -> None:
    with pytest.raises(CrudeflowError, match="needs a network with periods"):
        stress(_net(), assets="links", start="2023-01-11", days=10)
