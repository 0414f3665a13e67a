from __future__ import annotations

from collections.abc import Callable

import pytest

from crudeflow.analysis import trade_balance
from crudeflow.model.network import Network

SEED_TRADE = [
    {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "exports", "value_musd": 783.7},
    {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "imports", "value_musd": 112.3},
    {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "turnover", "value_musd": 896.0},
    {"reporter": "KZ", "partner": "BY", "year": 2017, "flow": "exports", "value_musd": 95.5},
    {"reporter": "KZ", "partner": "BY", "year": 2017, "flow": "imports", "value_musd": 508.6},
]


def test_seed_figures_balance(make_diamond: Callable[..., Network]) -> None:
    net = make_diamond(trade=SEED_TRADE)
    tb = trade_balance(net, "BY", "KZ")
    assert tb.year == 2018
    assert tb.basis == "BY reported"
    assert tb.imbalance_musd == pytest.approx(671.4)
    # the diamond plan delivers 4 Mt of KZ crude to BY: 3 at 102 + 1 at 104 USD/t delivered,
    # all bought at KZ's supply price of 100 USD/t (its export value, no Russian tariff in it)
    assert tb.planned_mt_per_year == pytest.approx(4.0)
    assert tb.planned_value_musd == pytest.approx(400.0)
    assert tb.planned_delivered_value_musd == pytest.approx(410.0)
    assert tb.planned_to_imbalance == pytest.approx(400.0 / 671.4)
    assert tb.seller == "KZ"
    assert tb.price_usd_per_t == pytest.approx(100.0)
    assert tb.balancing_mt_per_year == pytest.approx(671.4 / 100.0)
    assert tb.balancing_note.startswith(
        "6.71 Mt/yr of KZ crude sold to BY at 100.00 USD/t (KZ's supply price"
    )
    assert set(tb.figures["source"]) == {"test"}
    assert tb.to_dict()["imbalance_musd"] == pytest.approx(671.4)


def test_mirror_and_benchmark(make_diamond: Callable[..., Network]) -> None:
    net = make_diamond(trade=SEED_TRADE[3:])
    tb = trade_balance(net, "BY", "KZ")
    assert tb.year == 2017
    assert tb.basis == "mirrored from KZ"
    assert tb.exports_musd == 508.6
    assert tb.imports_musd == 95.5
    # KZ imports more from BY than it exports: the crude that closes it is KZ's, sold to BY
    # at KZ's supply price (100 USD/t), a positive volume; never a negative volume of BY crude
    back = trade_balance(net, "KZ", "BY", benchmark_usd_per_t=500.0)
    assert back.planned_mt_per_year == 0.0
    assert back.imbalance_musd == pytest.approx(95.5 - 508.6)
    assert back.seller == "KZ"
    assert back.balancing_mt_per_year == pytest.approx((508.6 - 95.5) / 100.0)
    assert "KZ imports more from BY than it exports, so the crude would flow KZ → BY" in back.balancing_note


def test_a_seller_without_crude_is_said_in_words(make_diamond: Callable[..., Network]) -> None:
    # KZ exports more to LT than it imports: LT would have to sell crude, and has none
    trade = [
        {"reporter": "KZ", "partner": "LT", "year": 2020, "flow": "exports", "value_musd": 300.0},
        {"reporter": "KZ", "partner": "LT", "year": 2020, "flow": "imports", "value_musd": 100.0},
    ]
    tb = trade_balance(make_diamond(trade=trade), "KZ", "LT")
    assert tb.seller == "LT"
    assert tb.balancing_mt_per_year != tb.balancing_mt_per_year  # NaN, not a number of tonnes
    assert tb.balancing_note == (
        "LT would have to sell crude to KZ to close the 200.0 MUSD imbalance, but LT produces no crude "
        "in this network: no crude volume balances this trade"
    )
    assert tb.to_dict()["balancing_mt_per_year"] is None


def test_seller_output_not_reaching_the_buyer_is_valued_at_its_supply_price(
    make_diamond: Callable[..., Network],
) -> None:
    trade = [
        {"reporter": "LT", "partner": "KZ", "year": 2020, "flow": "exports", "value_musd": 150.0},
        {"reporter": "LT", "partner": "KZ", "year": 2020, "flow": "imports", "value_musd": 50.0},
    ]
    tb = trade_balance(make_diamond(trade=trade), "LT", "KZ")
    # no KZ crude reaches LT; KZ's output placed in the plan is bought at 100 USD/t
    assert tb.planned_mt_per_year == 0.0
    assert tb.price_usd_per_t == pytest.approx(100.0)
    assert tb.balancing_mt_per_year == pytest.approx(1.0)  # 100 MUSD / 100 USD/t
