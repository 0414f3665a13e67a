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
    # the diamond plan delivers 4 Mt of KZ crude to BY: 3 at 102 + 1 at 104 USD/t
    assert tb.planned_mt_per_year == pytest.approx(4.0)
    assert tb.planned_value_musd == pytest.approx(410.0)
    assert tb.price_usd_per_t == pytest.approx(102.5)
    assert tb.balancing_mt_per_year == pytest.approx(671.4 / 102.5)
    assert set(tb.figures["source"]) == {"test"}
    assert tb.to_dict()["imbalance_musd"] == pytest.approx(671.4)


def test_mirror_and_benchmark(make_diamond: Callable[..., Network]) -> None:
    net = make_diamond(trade=SEED_TRADE[3:])
    tb = trade_balance(net, "BY", "KZ")
    assert tb.year == 2017
    assert tb.basis == "mirrored from KZ"
    assert tb.exports_musd == 508.6
    assert tb.imports_musd == 95.5
    # nothing flows from BY's crude to KZ: the given benchmark prices the balance
    back = trade_balance(net, "KZ", "BY", benchmark_usd_per_t=500.0)
    assert back.planned_mt_per_year == 0.0
    assert back.imbalance_musd == pytest.approx(95.5 - 508.6)
    assert back.balancing_mt_per_year == pytest.approx((95.5 - 508.6) / 500.0)
