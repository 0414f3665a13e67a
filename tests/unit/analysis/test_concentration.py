from __future__ import annotations

import pytest

from crudeflow.analysis import concentration, diversify, hhi
from crudeflow.api import plan
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


def test_hhi_hand_computed() -> None:
    assert hhi({"KZ": 60, "AZ": 40}) == pytest.approx(5200.0)
    assert hhi([3, 1]) == pytest.approx(6250.0)
    assert hhi([1]) == pytest.approx(10_000.0)


def _two_origins(fd_cap: float = 2.0) -> Network:
    """D (BY, 4 Mt): KZ crude from A (101 USD/t delivered, cap 3), AZ crude from F (111, cap fd_cap)."""
    return tiny_network(
        nodes=[{"id": "A", "country": "KZ"}, {"id": "F", "country": "AZ"},
               {"id": "D", "country": "BY", "kind": "refinery"}],
        links=[{"id": "ad", "from": "A", "to": "D", "capacity_mt_per_year": 3, "tariff_usd_per_t": 1},
               {"id": "fd", "from": "F", "to": "D", "capacity_mt_per_year": fd_cap, "tariff_usd_per_t": 1}],
        grades=[{"grade": "g", "origin_country": "KZ", "api_gravity": 35, "sulfur_pct": 0.5, "bbl_per_t": 7.5},
                {"grade": "az", "origin_country": "AZ", "api_gravity": 36, "sulfur_pct": 0.2, "bbl_per_t": 7.5}],
        supplies=[{"node": "A", "grade": "g", "max_mt_per_year": 10, "price_usd_per_t": 100},
                  {"node": "F", "grade": "az", "max_mt_per_year": 10, "price_usd_per_t": 110}],
        demands=[{"node": "D", "demand_mt_per_year": 4}],
    )  # fmt: skip


def test_plan_concentration_on_a_hand_split() -> None:
    c = concentration(plan(_two_origins()), "BY", "origin")
    assert c.loc[0, "top"] == "KZ"
    assert c.loc[0, "hhi"] == pytest.approx(6250.0)  # 75 % / 25 %
    assert c.loc[0, "share_of_intake_pct"] == {"KZ": 75.0, "AZ": 25.0}


def test_diversify_curve() -> None:
    res = diversify(_two_origins(), "BY", by="origin", caps=(100, 50, 25))
    df = res.curve
    assert df["country"].tolist() == ["KZ"] * 3
    by_cap = df.set_index("max_share_pct")
    assert by_cap.loc[100, "extra_usd_per_t"] == pytest.approx(0.0)
    # 50 %: 2 Mt KZ at 101 + 2 Mt AZ at 111 -> 106 USD/t vs 103.5; +10 MUSD/yr
    assert by_cap.loc[50, "delivered_cost_usd_per_t"] == pytest.approx(106.0)
    assert by_cap.loc[50, "extra_usd_per_t"] == pytest.approx(2.5)
    assert by_cap.loc[50, "extra_total_usd"] == pytest.approx(10e6)
    assert by_cap.loc[50, "share_pct"] == pytest.approx(50.0)
    # 25 %: AZ capped at 2 Mt by its link, KZ <= runs/4 -> runs 8/3, unmet 4/3
    assert by_cap.loc[25, "unmet_mt_per_year"] == pytest.approx(4 / 3)
    assert res.first_unmet_cap_pct == 25.0
    assert df["leaves_demand_unmet"].tolist() == [False, False, True]
