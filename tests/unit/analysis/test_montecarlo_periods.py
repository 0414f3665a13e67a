"""Monte Carlo on a network with periods: dated outages of real durations, stocks carry through."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from crudeflow.analysis import montecarlo
from crudeflow.analysis.montecarlo import draw_row_fractions, prepare
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network

MONTHS = {"start": "2023-01-01", "end": "2023-12-31", "step": "month"}


def _stocked(rate: float = 50.0, mean_days: float = 365.0) -> Network:
    """A feeds D (BY, 4 Mt/yr, 0.5 Mt in its tanks) on a link ``ad``; P (PL) on a link never out."""
    return tiny_network(
        nodes=[{"id": "A", "country": "KZ"}, {"id": "D", "country": "BY", "kind": "refinery"},
               {"id": "P", "country": "PL", "kind": "refinery"}],
        links=[
            {"id": "ad", "from": "A", "to": "D", "capacity_mt_per_year": 5, "tariff_usd_per_t": 1,
             "outage_rate_per_year": rate, "outage_mean_days": mean_days},
            {"id": "ap", "from": "A", "to": "P", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2,
             "outage_rate_per_year": 0.0, "outage_mean_days": 0.0},
        ],
        supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "D", "demand_mt_per_year": 4}, {"node": "P", "demand_mt_per_year": 2}],
        storage=[{"node": "D", "capacity_mt": 0.5, "initial_mt": 0.5, "initial_grade": "g", "min_final_mt": 0.0}],
        periods=MONTHS,
    )  # fmt: skip


def test_a_link_out_all_year_leaves_demand_less_the_stocks_unmet() -> None:
    # ~5,000 outages a year of ~365 days each, starting within the horizon: ad is out from
    # the first hours of January in every draw; the 0.5 Mt in D's tanks carry through and
    # cover part of the 4 Mt: 3.5 Mt unmet (less a few hours' flow before the first outage)
    res = montecarlo(_stocked(rate=5000.0), n=20, seed=3, workers=1, chunk_size=8)
    np.testing.assert_allclose(res.unmet["BY"].to_numpy(), 3.5, atol=0.01)
    np.testing.assert_allclose(res.unmet["PL"].to_numpy(), 0.0, atol=1e-9)


def test_outages_are_prorated_over_the_periods_they_cover() -> None:
    # one outage a year on average, 10 days: shares per month in [0, 1], mean outage share
    # of the year ≈ 10 / 365 (up to overlaps and the horizon's end)
    p, *_ = prepare(_stocked(rate=1.0, mean_days=10.0), n=4000, seed=7, chunk_size=4000)
    f = draw_row_fractions(p, 0)
    assert f.shape == (4000, 24)  # two links × twelve months
    assert ((f >= 0) & (f <= 1)).all()
    assert p.row_link is not None
    assert p.period_days is not None
    assert p.row_period is not None
    ad = p.row_link == 0
    days_out = (f[:, ad] * p.period_days[p.row_period[ad]]).sum(axis=1)
    assert days_out.mean() == pytest.approx(10.0, rel=0.1)
    assert np.all(f[:, ~ad] == 0.0)  # the link that is never out
    partial = (f[:, ad] > 0) & (f[:, ad] < 1)
    assert partial.any()  # 10-day outages cut months in part, not whole


def test_draws_depend_on_seed_and_chunk_only_and_chunks_are_independent() -> None:
    net = _stocked(rate=2.0, mean_days=30.0)
    big, *_ = prepare(net, n=100_000, seed=5, chunk_size=2000)
    small, *_ = prepare(net, n=6000, seed=5, chunk_size=2000)
    np.testing.assert_array_equal(draw_row_fractions(big, 2), draw_row_fractions(small, 2))
    a, b = draw_row_fractions(big, 0), draw_row_fractions(big, 1)
    assert not np.array_equal(a, b)
    # outage days per draw in chunk 0 and chunk 1: uncorrelated (|r| < 0.1 with 2,000 draws)
    r = np.corrcoef(a.sum(axis=1), b.sum(axis=1))[0, 1]
    assert abs(r) < 0.1
    # and month by month, no month's cut in one chunk predicts the same month in the other
    assert big.row_link is not None
    ad = np.flatnonzero(big.row_link == 0)
    cross = [np.corrcoef(a[:, j], b[:, j])[0, 1] for j in ad]
    assert max(abs(c) for c in cross) < 0.1


def test_same_answer_on_one_and_two_workers_with_periods(make_diamond: Callable[..., Network]) -> None:
    del make_diamond
    net = _stocked(rate=3.0, mean_days=40.0)
    one = montecarlo(net, n=60, seed=11, workers=1, chunk_size=15)
    two = montecarlo(net, n=60, seed=11, workers=2, chunk_size=15)
    assert two.workers == 2
    pd.testing.assert_frame_equal(one.unmet, two.unmet)
    pd.testing.assert_frame_equal(one.cost, two.cost)
    pd.testing.assert_series_equal(one.objective_musd, two.objective_musd)
    assert one.unmet["BY"].max() > 0  # outages do bite
    assert one.unmet["BY"].min() < one.unmet["BY"].max()  # and they vary with their dates


@pytest.mark.slow
def test_same_answer_on_a_dask_cluster_with_periods() -> None:
    from distributed import Client, LocalCluster

    net = _stocked(rate=3.0, mean_days=40.0)
    one = montecarlo(net, n=40, seed=11, workers=1, chunk_size=10)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        dask = montecarlo(net, n=40, seed=11, scheduler=client, chunk_size=10)
    assert dask.executor == "dask"
    pd.testing.assert_frame_equal(one.unmet, dask.unmet)
    pd.testing.assert_series_equal(one.objective_musd, dask.objective_musd)
