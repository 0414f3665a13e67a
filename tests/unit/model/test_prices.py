"""Prices by year: ``prices_year`` reprices grades, supplies and outlets from prices.csv."""

from __future__ import annotations

import pytest

from crudeflow import ScenarioError
from crudeflow.io.dataset import read_dataset
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.model.prices import reprice
from crudeflow.testing import tiny_network


def _net() -> Network:
    # g1 follows Urals (7.33 bbl/t, base spread -10 USD/bbl = Urals 70 - Brent 80);
    # g2 follows Brent (8.0 bbl/t, spread +1 USD/bbl): diff = 81 x 8 - 80 x 7.33 = 61.6 USD/t
    return tiny_network(
        nodes=[{"id": "a", "kind": "field", "country": "RU"}, "m"],
        links=[{"id": "am", "from": "a", "to": "m", "capacity_mt_per_year": 10}],
        grades=[
            {
                "grade": "g1",
                "origin_country": "RU",
                "api_gravity": 31,
                "sulfur_pct": 1.5,
                "bbl_per_t": 7.33,
                "differential_usd_per_t": -73.3,
                "benchmark": "Urals",
            },
            {
                "grade": "g2",
                "origin_country": "NO",
                "api_gravity": 40,
                "sulfur_pct": 0.3,
                "bbl_per_t": 8.0,
                "differential_usd_per_t": 61.6,
            },
        ],
        supplies=[
            {"node": "a", "grade": "g1", "max_mt_per_year": 5, "price_usd_per_t": 500},
            {"node": "a", "grade": "g2", "max_mt_per_year": 5, "price_usd_per_t": 640},
        ],
        markets=[{"node": "m", "price_usd_per_t": 600, "max_mt_per_year": 100}],
        prices=[
            {"benchmark": "Brent", "year": 2020, "price_usd_per_bbl": 80},
            {"benchmark": "Brent", "year": 2021, "price_usd_per_bbl": 100},
            {"benchmark": "Brent", "year": 2021, "month": 3, "price_usd_per_bbl": 150},
            {"benchmark": "Urals", "year": 2020, "price_usd_per_bbl": 70},
            {"benchmark": "Urals", "year": 2021, "price_usd_per_bbl": 95},
        ],
        base_year=2020,
    )


def test_reprice_by_hand() -> None:
    net2, problems = reprice(_net(), 2021)
    assert problems == []
    # g1: Urals spread -5 in 2021: diff = 95 x 7.33 - 100 x 7.33 = -36.65; value 513.1 -> 696.35
    assert net2.grades.loc["g1", "differential_usd_per_t"] == pytest.approx(-36.65)
    assert net2.supplies.loc[("a", "g1"), "price_usd_per_t"] == pytest.approx(500 + 183.25)
    # g2 keeps +1 USD/bbl to Brent: diff = 101 x 8 - 733 = 75; value 648 -> 808
    assert net2.grades.loc["g2", "differential_usd_per_t"] == pytest.approx(75.0)
    assert net2.supplies.loc[("a", "g2"), "price_usd_per_t"] == pytest.approx(640 + 160)
    # outlets move by the change of the reference tonne (annual rows only): 20 x 7.33
    assert net2.markets.loc["m", "price_usd_per_t"] == pytest.approx(600 + 146.6)
    assert net2.meta.base_year == 2021


def test_reprice_to_base_year_changes_nothing() -> None:
    net = _net()
    net2, _ = reprice(net, 2020)
    assert net2.supplies["price_usd_per_t"].tolist() == pytest.approx(
        net.supplies["price_usd_per_t"].tolist()
    )
    assert net2.grades["differential_usd_per_t"].tolist() == pytest.approx([-73.3, 61.6])


def test_shipped_2023_rows_agree_with_the_base() -> None:
    """prices.csv's 2023 rows reproduce grades.csv: the 2023 base plans the same either way."""
    net = read_dataset("caspian-europe")
    net2, problems = reprice(net, 2023)
    assert problems == []
    assert (net2.supplies["price_usd_per_t"] - net.supplies["price_usd_per_t"]).abs().max() < 0.02
    assert (net2.grades["differential_usd_per_t"] - net.grades["differential_usd_per_t"]).abs().max() < 0.02


def test_scenario_prices_year_missing_year_is_a_clear_error() -> None:
    sc = parse_scenario("name: s\nprices_year: 2019\nchanges: []\n", "s.yaml")
    with pytest.raises(ScenarioError) as err:
        sc.apply(_net())
    text = str(err.value)
    assert "prices.csv" in text
    assert "'Brent' in 2019" in text
    assert "'Urals' in 2019" in text


def test_scenario_prices_year_applies() -> None:
    sc = parse_scenario("name: s\nprices_year: 2021\nchanges: []\n", "s.yaml")
    out = sc.apply(_net())
    assert out.markets.loc["m", "price_usd_per_t"] == pytest.approx(746.6)


def test_scenario_prices_year_must_be_a_year() -> None:
    with pytest.raises(ScenarioError) as err:
        parse_scenario("name: s\nprices_year: soon\nchanges: []\n", "s.yaml")
    text = str(err.value)
    assert "a year from 1900 to 2100" in text
    assert "soon" in text
