"""Transit time: a leg whose voyage spans periods delivers in a later period (hand-solved).

Three calendar years (2023-2025; year_fraction exactly 1 each) keep the numbers whole: a
leg of 365 days lands one period after it is loaded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crudeflow.api import plan
from crudeflow.model.periods import stepped
from crudeflow.optimize.periods import TimeAxis, transit_lag
from crudeflow.testing import tiny_network

THREE_YEARS = {"start": "2023-01-01", "end": "2025-12-31", "step": "year"}


def _by_period(frame: Any, col: str = "mt") -> dict[str, float]:
    return {
        str(k): round(float(v), 9) for k, v in frame.groupby("period")[col].sum().items() if abs(v) > 1e-9
    }


def _voyage(transit_days: float, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field"}, "r"],
        "links": [{"id": "sea", "from": "f", "to": "r", "capacity_mt_per_year": 100.0,
                   "tariff_usd_per_t": 1.0, "transit_days": transit_days}],
        # the field produces only in 2023
        "supplies": [{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0, "valid_to": "2023-12-31"}],
        "demands": [{"node": "r", "demand_mt_per_year": 4.0}],
        "periods": THREE_YEARS,
    }  # fmt: skip
    base.update(kw)
    return tiny_network(**base)


def test_a_voyage_of_a_period_delivers_in_the_next_one() -> None:
    # loaded in 2023 (4 Mt), landed in 2024; nothing is loaded later, so 2023 and 2025 are short
    p = plan(_voyage(365.0))
    assert _by_period(p.flows) == pytest.approx({"2023-01-01": 4.0})
    assert _by_period(p.deliveries) == pytest.approx({"2024-01-01": 4.0})
    assert _by_period(p.unmet) == pytest.approx({"2023-01-01": 4.0, "2025-01-01": 4.0})
    # the crude landed in 2024 carries its price and its leg's tariff
    d = p.deliveries.set_index("period")
    assert d.loc["2024-01-01", "delivered_cost_usd_per_t"] == pytest.approx(11.0)
    assert p.objective_usd == pytest.approx((4 * 11 + 8 * 1000) * 1e6)


def test_without_transit_time_the_same_network_delivers_at_once() -> None:
    p = plan(_voyage(0.0))
    assert _by_period(p.deliveries) == pytest.approx({"2023-01-01": 4.0})
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 4.0, "2025-01-01": 4.0})


def test_crude_at_sea_at_the_end_lands_at_the_start() -> None:
    # the horizon is cyclic for crude afloat: supply only in 2025 feeds 2023's refinery runs
    sup = [{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0, "valid_from": "2025-01-01"}]
    p = plan(_voyage(365.0, supplies=sup))
    assert _by_period(p.flows) == pytest.approx({"2025-01-01": 4.0})
    assert _by_period(p.deliveries) == pytest.approx({"2023-01-01": 4.0})


def test_capacity_counts_in_the_period_a_cargo_is_loaded() -> None:
    # 3 Mt/yr of capacity: 3 Mt loaded in 2023, landed in 2024, 1 Mt of 2024 short
    p = plan(_voyage(365.0, links=[{"id": "sea", "from": "f", "to": "r", "capacity_mt_per_year": 3.0,
                                     "transit_days": 365.0}]))  # fmt: skip
    lf = p.link_flows.reset_index()
    assert float(lf.loc[lf["period"] == "2023-01-01", "mt"].sum()) == pytest.approx(3.0)
    assert _by_period(p.unmet)["2024-01-01"] == pytest.approx(1.0)


def test_lag_is_the_transit_in_whole_periods() -> None:
    weeks = stepped("2023-01-02", "2023-03-26", "week")
    axis = TimeAxis(weeks["year_fraction"].to_numpy(float), weeks["days"].to_numpy(float), weeks)
    days = np.array([0.0, 3.0, 3.5, 10.0, 14.0, 25.0, np.nan])
    assert transit_lag(days, axis).tolist() == [0, 0, 1, 1, 2, 4, 0]
    months = stepped("2023-01-01", "2023-12-31", "month")
    m_axis = TimeAxis(months["year_fraction"].to_numpy(float), months["days"].to_numpy(float), months)
    assert transit_lag(np.array([14.0, 20.0]), m_axis).tolist() == [0, 1]
    annual = TimeAxis(np.ones(1), np.full(1, 365.0), months.iloc[:0])
    assert transit_lag(np.array([400.0]), annual).tolist() == [0]
