"""Paths and reasons of multi-period plans: through stocks, across a voyage, per period.

Hand-solved on two or three calendar years (year_fraction exactly 1 each).
"""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.api import plan
from crudeflow.testing import tiny_network

TWO_YEARS = {"start": "2023-01-01", "end": "2024-12-31", "step": "year"}


def _tank_net(**kw: Any) -> Any:
    base: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field"}, {"id": "s", "kind": "storage"}, "r"],
        "links": [
            {"id": "fs", "from": "f", "to": "s", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
            {"id": "sr", "from": "s", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 2.0},
        ],
        "supplies": [
            {"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0, "valid_to": "2023-12-31"}
        ],
        "demands": [{"node": "r", "demand_mt_per_year": 4.0}],
        "storage": [{"node": "s", "capacity_mt": 3.0, "min_final_mt": 0.0,
                     "holding_cost_usd_per_t_per_month": 0.5}],
        "periods": TWO_YEARS,
    }  # fmt: skip
    base.update(kw)
    return tiny_network(**base)


def test_a_path_passes_through_the_tanks_into_the_next_period() -> None:
    p = plan(_tank_net())
    pa = p.paths.set_index("period")
    # 2023: 4 Mt straight through; 2024: the 3 Mt put in the tanks in 2023
    assert pa.loc["2023-01-01", "mt"] == pytest.approx(4.0)
    assert pa.loc["2023-01-01", "held_periods"] == 0
    row = pa.loc["2024-01-01"]
    assert row["mt"] == pytest.approx(3.0)
    assert row["loaded"] == "2023-01-01"
    assert row["held_periods"] == 1
    assert row["held_at"] == ("s",)
    assert row["nodes"] == ("f", "s", "r")
    assert row["links"] == ("fs", "sr")
    # 10 + 1 + 2 USD/t, and 12 months (365 days) in the tanks at 0.5 USD/t/month
    months = 365 / (365.25 / 12)
    assert row["transport_usd_per_t"] == pytest.approx(3.0 + 0.5 * months)
    assert row["cost_usd_per_t"] == pytest.approx(13.0 + 0.5 * months)
    # paths add up to the deliveries of each period
    got = p.paths.groupby("period")["mt"].sum()
    want = p.deliveries.groupby("period")["mt"].sum()
    assert got.to_dict() == pytest.approx(want.to_dict())


def test_a_voyage_path_is_loaded_in_one_period_and_lands_in_the_next() -> None:
    net = tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[{"id": "sea", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0,
                "transit_days": 365.0}],
        supplies=[{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0, "valid_to": "2023-12-31"}],
        demands=[{"node": "r", "demand_mt_per_year": 4.0}],
        periods=TWO_YEARS,
    )  # fmt: skip
    p = plan(net)
    assert len(p.paths) == 1
    row = p.paths.iloc[0]
    assert (row["loaded"], row["period"], row["mt"]) == ("2023-01-01", "2024-01-01", pytest.approx(4.0))
    assert row["cost_usd_per_t"] == pytest.approx(11.0)


def test_unmet_reasons_are_given_per_period() -> None:
    # the leg to the refinery is full only in 2024 (capacity cut to 1 Mt/yr there); the tanks
    # cannot help, they sit upstream of the cut
    p = plan(_tank_net(
        supplies=[{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}],
        period_values=[{"table": "links", "id": "sr", "field": "capacity_mt_per_year", "period": "2024-01-01",
                        "value": 1.0}],
    ))  # fmt: skip
    u = p.unmet.reset_index().set_index("period")
    assert list(u.index) == ["2024-01-01"]
    assert u.loc["2024-01-01", "mt"] == pytest.approx(3.0)
    assert "link 'sr' is full at 1.00 Mt/yr" in u.loc["2024-01-01", "reason"]


def test_a_refinery_short_after_its_tanks_ran_dry_says_so() -> None:
    net = tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 1.0}],
        supplies=[{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r", "demand_mt_per_year": 4.0}],
        storage=[{"node": "r", "capacity_mt": 2.0, "initial_mt": 2.0, "initial_grade": "g",
                  "min_final_mt": 0.0}],
        periods=TWO_YEARS,
    )  # fmt: skip
    p = plan(net)
    u = p.unmet.reset_index().set_index("period")
    # 2023: 1 Mt by pipe + 2 Mt from the tanks, 1 Mt short; 2024: 1 Mt by pipe, 3 Mt short
    assert u["mt"].to_dict() == pytest.approx({"2023-01-01": 1.0, "2024-01-01": 3.0})
    assert "link 'fr' is full" in u.loc["2023-01-01", "reason"]
    assert "its tanks are empty at the end of the period" in u.loc["2023-01-01", "reason"]
