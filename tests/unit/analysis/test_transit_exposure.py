"""Transit exposure: share of intake crossing each country, HHI on normalised shares (issue 10)."""

from __future__ import annotations

import pytest

from crudeflow.analysis import concentration
from crudeflow.api import plan
from crudeflow.testing import tiny_network


def _two_routes() -> object:
    # Refinery D in DE needs 4 Mt of KZ crude from field A. Route 1 (3 Mt, cheap) crosses RU
    # and BY; route 2 (1 Mt, dear) crosses UA only.
    return tiny_network(
        nodes=[{"id": "A", "country": "KZ", "kind": "field"}, {"id": "R", "country": "RU"},
               {"id": "B", "country": "BY"}, {"id": "U", "country": "UA"},
               {"id": "D", "country": "DE", "kind": "refinery"}],
        links=[{"id": "ar", "from": "A", "to": "R", "capacity_mt_per_year": 3, "tariff_usd_per_t": 1},
               {"id": "rb", "from": "R", "to": "B", "capacity_mt_per_year": 9, "tariff_usd_per_t": 1},
               {"id": "bd", "from": "B", "to": "D", "capacity_mt_per_year": 9, "tariff_usd_per_t": 1},
               {"id": "au", "from": "A", "to": "U", "capacity_mt_per_year": 9, "tariff_usd_per_t": 5},
               {"id": "ud", "from": "U", "to": "D", "capacity_mt_per_year": 9, "tariff_usd_per_t": 5}],
        supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "D", "demand_mt_per_year": 4}],
    )  # fmt: skip


def test_transit_shares_of_intake_may_sum_above_100_and_hhi_is_normalised() -> None:
    c = concentration(plan(_two_routes()), "DE", "transit")
    shares = c.loc[0, "share_of_intake_pct"]
    # 3 of 4 Mt cross RU and BY, 1 of 4 crosses UA: 75 + 75 + 25 = 175 %
    assert shares == pytest.approx({"RU": 75.0, "BY": 75.0, "UA": 25.0})
    assert sum(shares.values()) == pytest.approx(175.0)
    assert c.loc[0, "top_share_of_intake_pct"] == pytest.approx(75.0)
    # HHI on the normalised distribution: 3/7, 3/7, 1/7 -> (9 + 9 + 1) / 49 × 10,000
    assert c.loc[0, "hhi"] == pytest.approx(19 / 49 * 10_000)
    # not the sum of squared raw shares (0.75² + 0.75² + 0.25² = 1.1875 -> 11,875)
    assert c.loc[0, "hhi"] < 10_000


def test_origin_shares_sum_to_100() -> None:
    c = concentration(plan(_two_routes()), "DE", "origin")
    assert c.loc[0, "share_of_intake_pct"] == {"KZ": 100.0}
    assert c.loc[0, "hhi"] == pytest.approx(10_000.0)
