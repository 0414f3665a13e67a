"""The price cap and the services ban with its tanker market, hand-solved.

Russian crude u (RU) at port p costs 100 USD/t and reaches refinery r (IN) by tanker for
10 USD/t: 110 USD/t. Kazakh crude g at port q costs 150 + 10 = 160 USD/t. r needs 10 Mt/yr.
Above the cap, u may only move on the pool of other tankers (at most ``pool`` Mt/yr, paying
``premium`` USD/t on top). Objectives in USD/yr: Mt/yr × USD/t × 1e6.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crudeflow.api import plan
from crudeflow.exceptions import DatasetError
from crudeflow.optimize.build import build_lp
from crudeflow.optimize.solve import solve_lp
from crudeflow.testing import tiny_network

M = 1e6
GRADES = [
    {"grade": "g", "origin_country": "KZ", "api_gravity": 40.0, "sulfur_pct": 0.5, "bbl_per_t": 7.6},
    {"grade": "u", "origin_country": "RU", "api_gravity": 30.0, "sulfur_pct": 1.5, "bbl_per_t": 7.2},
]


def node(nid: str, country: str, kind: str = "junction") -> dict[str, Any]:
    return {"id": nid, "country": country, "kind": kind}


def tanker(lid: str, a: str, b: str, tariff: float, **kw: Any) -> dict[str, Any]:
    return {"id": lid, "from": a, "to": b, "tariff_usd_per_t": tariff, "capacity_mt_per_year": 100.0,
            "mode": "tanker", **kw}  # fmt: skip


def cap(pool: float, premium: float, **kw: Any) -> dict[str, Any]:
    return {"id": "cap", "kind": "price_cap", "origin": "RU", "cap_usd_per_bbl": 60.0,
            "shadow_mt_per_year": pool, "premium_usd_per_t": premium, **kw}  # fmt: skip


def urals(price: float, month: int | None = None) -> dict[str, Any]:
    return {"benchmark": "Urals", "year": 2023, "month": month, "price_usd_per_bbl": price}


def port_net(policies: list[dict[str, Any]] | None, prices: list[dict[str, Any]], **kw: Any) -> Any:
    return tiny_network(
        grades=GRADES,
        nodes=[node("p", "RU"), node("q", "KZ"), node("r", "IN", "refinery")],
        links=[tanker("pr", "p", "r", 10), tanker("qr", "q", "r", 10)],
        supplies=[{"node": "p", "grade": "u", "price_usd_per_t": 100.0, "max_mt_per_year": 100.0},
                  {"node": "q", "grade": "g", "price_usd_per_t": 150.0, "max_mt_per_year": 100.0}],
        demands=[{"node": "r", "demand_mt_per_year": 10.0}],
        policies=policies, prices=prices, base_year=2023, **kw,
    )  # fmt: skip


def flow(p: Any, link_id: str) -> float:
    return float(p.flows.loc[p.flows["link"] == link_id, "mt_per_year"].sum())


def by_class(p: Any) -> dict[str, float]:
    t = p.price_cap
    return {str(k): float(v) for k, v in t.groupby("tanker_class")["mt_per_year"].sum().items()}


def test_above_the_cap_russian_crude_moves_only_within_the_tanker_pool() -> None:
    # Urals 70 > 60: u only on the pool, 4 Mt/yr at 100 + 10 + 20 = 130; 6 Mt/yr of g at 160.
    p = plan(port_net([cap(pool=4.0, premium=20.0)], [urals(70.0)]))
    assert p.objective_usd == pytest.approx((4 * 130 + 6 * 160) * M)
    assert flow(p, "pr") == pytest.approx(4.0)
    assert by_class(p) == pytest.approx({"shadow": 4.0})
    assert p.economic_cost_parts_usd["tanker_premium_usd"] == pytest.approx(4 * 20 * M)
    row = p.price_cap.iloc[0]
    assert (row["to"], row["to_country"], bool(row["pool_full"])) == ("r", "IN", True)


def test_at_or_below_the_cap_it_moves_on_g7_tankers_at_the_legs_freight() -> None:
    # Urals exactly 60 (at the cap): G7 tankers may carry it, 10 Mt/yr at 110; no premium.
    for price in (60.0, 45.0):
        p = plan(port_net([cap(pool=0.0, premium=20.0)], [urals(price)]))
        assert p.objective_usd == pytest.approx(10 * 110 * M)
        assert by_class(p) == pytest.approx({"g7": 10.0})
        assert p.economic_cost_parts_usd["tanker_premium_usd"] == pytest.approx(0.0)
    # no pool at all above the cap: the Russian crude is stranded, r runs g at 160
    p = plan(port_net([cap(pool=0.0, premium=20.0)], [urals(60.01)]))
    assert p.objective_usd == pytest.approx(10 * 160 * M)
    assert flow(p, "pr") == pytest.approx(0.0)


def test_the_premium_is_paid_exactly_on_the_shadow_volume() -> None:
    # A pool that does not bind: all 10 Mt/yr on it at 130 (still below 160); premium 200 MUSD.
    p = plan(port_net([cap(pool=50.0, premium=20.0)], [urals(70.0)]))
    assert p.objective_usd == pytest.approx(10 * 130 * M)
    assert p.price_cap["premium_usd"].sum() == pytest.approx(10 * 20 * M)
    assert p.objective_parts_usd["tanker_premium_usd"] == pytest.approx(10 * 20 * M)
    assert sum(p.objective_parts_usd.values()) == pytest.approx(p.objective_usd)
    # a premium above the Kazakh alternative's saving (50 USD/t) leaves u unused
    p = plan(port_net([cap(pool=50.0, premium=51.0)], [urals(70.0)]))
    assert p.objective_usd == pytest.approx(10 * 160 * M)


def test_a_periods_price_decides_monthly_rows_first_then_the_years() -> None:
    # Quarters of 2023: Urals 55 in Jan-Jun (monthly rows for Jan and Jun, the annual row 55
    # for Feb-May), 70 in Jul-Dec: G7 tankers in Q1-Q2, only the pool (4 Mt/yr) in Q3-Q4.
    prices = [urals(55.0), urals(50.0, 1), urals(60.0, 6), *(urals(70.0, m) for m in range(7, 13))]
    p = plan(port_net([cap(pool=4.0, premium=20.0)], prices,
                      periods={"start": "2023-01-01", "end": "2023-12-31", "step": "quarter"}))  # fmt: skip
    pr = p.flows[p.flows["link"] == "pr"].set_index("period")["mt_per_year"]
    np.testing.assert_allclose(pr.to_numpy(), [10.0, 10.0, 4.0, 4.0])
    t = p.price_cap.set_index("period")
    assert list(t["tanker_class"]) == ["g7", "g7", "shadow", "shadow"]
    # Q1: (31 × 50 + 28 × 55 + 31 × 55) / 90; Q2: (61 × 55 + 30 × 60) / 91
    np.testing.assert_allclose(
        t["benchmark_usd_per_bbl"].to_numpy(), [(31 * 50 + 59 * 55) / 90, (61 * 55 + 30 * 60) / 91, 70, 70]
    )
    days = np.array([92.0, 92.0]) / 365.0
    assert t["premium_usd"].sum() == pytest.approx(20 * 4 * days.sum() * M)


def test_a_cap_dated_to_the_second_half_leaves_the_first_on_g7_tankers() -> None:
    prices = [urals(70.0)]
    pol = cap(pool=0.0, premium=20.0, valid_from="2023-07-01")
    p = plan(port_net([pol], prices, periods={"start": "2023-01-01", "end": "2023-12-31", "step": "quarter"}))
    pr = p.flows[p.flows["link"] == "pr"].groupby("period")["mt_per_year"].sum()
    np.testing.assert_allclose(pr.to_numpy(), [10.0, 10.0])  # Q3, Q4: no flow at all
    assert list(pr.index) == ["2023-01-01", "2023-04-01"]


def test_a_missing_benchmark_price_is_an_error_naming_prices_csv_and_the_months() -> None:
    with pytest.raises(DatasetError, match=r"prices.csv.*'Urals'.*none for 2023"):
        build_lp(port_net([cap(pool=4.0, premium=20.0)], [urals(70.0, 1)]))


# --------------------------------------------------------------------------- through a swap

# Russian crude u at f (50 USD/t) is swapped at s into g (1 USD/t) and shipped s → r (IN) by
# tanker (5 USD/t): 56 USD/t. Genuine Kazakh g at q: 100 + 2 = 102 USD/t. r needs 5 Mt/yr.


def swap_net(policies: list[dict[str, Any]]) -> Any:
    return tiny_network(
        grades=GRADES,
        nodes=[node("f", "RU", "field"), node("s", "RU"), node("q", "KZ"), node("r", "IN", "refinery")],
        links=[{"id": "fs", "from": "f", "to": "s", "mode": "swap", "swap_grade_in": "u", "swap_grade_out": "g",
                "tariff_usd_per_t": 1.0, "capacity_mt_per_year": 100.0},
               tanker("sr", "s", "r", 5), tanker("qr", "q", "r", 2)],
        supplies=[{"node": "f", "grade": "u", "price_usd_per_t": 50.0, "max_mt_per_year": 100.0},
                  {"node": "q", "grade": "g", "price_usd_per_t": 100.0, "max_mt_per_year": 100.0}],
        demands=[{"node": "r", "demand_mt_per_year": 5.0}],
        policies=policies, prices=[urals(70.0)], base_year=2023,
    )  # fmt: skip


def test_swapped_russian_crude_counts_by_its_origin_tag() -> None:
    assert plan(swap_net([])).objective_usd == pytest.approx(5 * 56 * M)
    # no pool: the swapped tonnes are still Russian on the tanker, so none of them moves
    p = plan(swap_net([cap(pool=0.0, premium=10.0)]))
    assert p.objective_usd == pytest.approx(5 * 102 * M)
    # a pool of 2 Mt/yr: 2 Mt/yr swapped at 56 + 10 and 3 Mt/yr genuine at 102
    p = plan(swap_net([cap(pool=2.0, premium=10.0)]))
    assert p.objective_usd == pytest.approx((2 * 66 + 3 * 102) * M)
    assert by_class(p) == pytest.approx({"shadow": 2.0})
    assert p.price_cap["premium_usd"].sum() == pytest.approx(2 * 10 * M)
    m = build_lp(swap_net([cap(pool=2.0, premium=10.0)]))
    assert solve_lp(m.lp).ok
    assert [la.tag.name for la in m.tags.layers] == ["origin:RU"]


def test_two_dated_caps_report_each_tonne_once_under_the_cap_in_force() -> None:
    # H1 cap (pool 0, Urals 55: G7) and H2 cap (pool 4, Urals 70): each quarter once.
    prices = [urals(55.0), *(urals(70.0, m) for m in range(7, 13))]
    h1 = {**cap(pool=0.0, premium=20.0), "id": "h1", "valid_to": "2023-06-30"}
    h2 = {**cap(pool=4.0, premium=20.0), "id": "h2", "valid_from": "2023-07-01"}
    p = plan(
        port_net([h1, h2], prices, periods={"start": "2023-01-01", "end": "2023-12-31", "step": "quarter"})
    )
    t = p.price_cap
    assert list(t["policy"]) == ["h1", "h1", "h2", "h2"]
    np.testing.assert_allclose(t["mt_per_year"].to_numpy(), [10.0, 10.0, 4.0, 4.0])
    assert list(t["tanker_class"]) == ["g7", "g7", "shadow", "shadow"]
