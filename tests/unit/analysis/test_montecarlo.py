from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from crudeflow.analysis import montecarlo
from crudeflow.analysis.montecarlo import draw_fractions, prepare
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


def _two_importers(stock_days: float = 73.0) -> Network:
    """A feeds D (BY, 4 Mt) on a link always out, and P (PL, 2 Mt) on a link never out."""
    return tiny_network(
        nodes=[{"id": "A", "country": "KZ"}, {"id": "D", "country": "BY", "kind": "refinery"},
               {"id": "P", "country": "PL", "kind": "refinery"}],
        links=[
            {"id": "ad", "from": "A", "to": "D", "capacity_mt_per_year": 5, "tariff_usd_per_t": 1,
             "outage_rate_per_year": 50.0, "outage_mean_days": 365.0},
            {"id": "ap", "from": "A", "to": "P", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2,
             "outage_rate_per_year": 0.0, "outage_mean_days": 0.0},
        ],
        supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "D", "demand_mt_per_year": 4, "stock_days": stock_days},
                 {"node": "P", "demand_mt_per_year": 2}],
    )  # fmt: skip


def test_hand_checked_outage_and_stocks() -> None:
    res = montecarlo(_two_importers(), n=40, seed=3, workers=1, chunk_size=16)
    s = res.summary
    # D's only link is out all year: 4 Mt short, 73/365 x 4 = 0.8 Mt covered by stocks
    assert s.loc["BY", "expected_unmet_mt_per_year"] == pytest.approx(3.2)
    assert s.loc["BY", "p_shortfall"] == 1.0
    assert s.loc["PL", "expected_unmet_mt_per_year"] == 0.0
    # P runs 2 Mt at 100 + 2 USD/t = 204 MUSD in every draw; D runs nothing
    assert s.loc["PL", "p99_cost_musd"] == pytest.approx(204.0)
    assert s.loc["BY", "expected_cost_musd"] == 0.0
    # objective: 204 + 4 Mt x 1000 USD/t shortage penalty (stocks are not in the LP)
    assert res.system.iloc[0]["p50_objective_musd"] == pytest.approx(4204.0)
    assert res.n == 40
    assert len(res.unmet) == 40
    assert res.drivers.empty  # every draw is equally bad: no tail above P90


def test_average_cost_by_mixing(make_diamond: Callable[..., Network]) -> None:
    # no outages: D runs 3 Mt at 102 and 1 Mt at 104 USD/t = 410 MUSD
    net = make_diamond()
    res = montecarlo(net, n=5, seed=1, workers=1, default_outages={"pipeline": (0.0, 0.0)})
    assert res.summary.loc["BY", "expected_cost_musd"] == pytest.approx(410.0)
    assert res.summary.loc["BY", "expected_unmet_mt_per_year"] == 0.0


def test_draws_depend_on_seed_and_chunk_only(make_diamond: Callable[..., Network]) -> None:
    net = make_diamond()
    p10, *_ = prepare(net, n=1000, seed=5, chunk_size=10)
    p50, *_ = prepare(net, n=30, seed=5, chunk_size=10)
    np.testing.assert_array_equal(draw_fractions(p10, 2), draw_fractions(p50, 2))
    f = draw_fractions(p10, 0)
    assert f.shape == (10, len(net.active_links()))
    assert ((f >= 0) & (f <= 1)).all()


def _outage_net(make_diamond: Callable[..., Network]) -> Network:
    net = make_diamond()
    links = net.links.copy()
    links["outage_rate_per_year"] = 2.0
    links["outage_mean_days"] = 60.0
    return net.replace(links=links)


def test_same_answer_on_one_and_two_local_workers(make_diamond: Callable[..., Network]) -> None:
    net = _outage_net(make_diamond)
    one = montecarlo(net, n=120, seed=11, workers=1, chunk_size=25)
    two = montecarlo(net, n=120, seed=11, workers=2, chunk_size=25)
    assert two.executor == "local"
    assert two.workers == 2
    pd.testing.assert_frame_equal(one.unmet, two.unmet)
    pd.testing.assert_frame_equal(one.cost, two.cost)
    pd.testing.assert_series_equal(one.objective_musd, two.objective_musd)
    assert one.unmet["BY"].max() > 0  # outages do bite


@pytest.mark.slow
def test_same_answer_on_a_dask_cluster(make_diamond: Callable[..., Network]) -> None:
    from distributed import Client, LocalCluster

    net = _outage_net(make_diamond)
    one = montecarlo(net, n=120, seed=11, workers=1, chunk_size=25)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        viaddr = montecarlo(net, n=120, seed=11, scheduler=cluster.scheduler_address, chunk_size=25)
        viaclient = montecarlo(net, n=120, seed=11, scheduler=client, chunk_size=25)
    assert viaddr.executor == "dask"
    assert viaddr.workers == 2
    for other in (viaddr, viaclient):
        pd.testing.assert_frame_equal(one.unmet, other.unmet)
        pd.testing.assert_frame_equal(one.cost, other.cost)
        pd.testing.assert_series_equal(one.objective_musd, other.objective_musd)


def test_ctrl_c_keeps_finished_chunks(
    make_diamond: Callable[..., Network], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    mc = importlib.import_module("crudeflow.analysis.montecarlo")

    real = mc.run_chunk

    def run_or_stop(p: object, chunk: int) -> object:
        if chunk == 2:
            raise KeyboardInterrupt
        return real(p, chunk)

    monkeypatch.setattr(mc, "run_chunk", run_or_stop)
    res = montecarlo(_outage_net(make_diamond), n=100, seed=1, workers=1, chunk_size=20)
    assert res.interrupted
    assert res.n == 40
    assert res.unmet.index.tolist() == list(range(40))
