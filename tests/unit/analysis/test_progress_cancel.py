"""Progress callbacks and cancel tokens: monotone (done, total), exactly k cases when cancelled."""

from __future__ import annotations

import threading

import pytest

from crudeflow.analysis import diversify, montecarlo, stress
from crudeflow.model.network import Network
from crudeflow.progress import CancelToken, ProgressFn
from crudeflow.testing import tiny_network


def _recorder(
    cancel_at: int | None = None, token: CancelToken | None = None
) -> tuple[list[tuple[int, int]], ProgressFn]:
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        if token is not None and cancel_at is not None and done >= cancel_at:
            token.cancel()

    return calls, progress


def _monotone_to_total(calls: list[tuple[int, int]]) -> None:
    dones = [d for d, _ in calls]
    totals = {t for _, t in calls}
    assert len(totals) == 1
    assert dones == sorted(dones)
    assert dones[0] == 0
    assert dones[-1] == totals.pop()


def _outage_net() -> Network:
    return tiny_network(
        nodes=[{"id": "A", "country": "KZ"}, {"id": "D", "country": "BY", "kind": "refinery"}],
        links=[
            {
                "id": "ad",
                "from": "A",
                "to": "D",
                "capacity_mt_per_year": 5,
                "tariff_usd_per_t": 1,
                "outage_rate_per_year": 4.0,
                "outage_mean_days": 30.0,
            },
        ],
        supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "D", "demand_mt_per_year": 4}],
    )


def test_stress_progress_is_monotone_and_ends_at_total(diamond_net: Network) -> None:
    calls, progress = _recorder()
    res = stress(diamond_net, assets="links", progress=progress)
    _monotone_to_total(calls)
    assert calls[-1][1] == len(res.ranking)
    assert not res.interrupted


def test_stress_cancelled_after_k_cases_returns_exactly_k(diamond_net: Network) -> None:
    full = stress(diamond_net, assets="links")
    assert len(full.ranking) > 3
    token = CancelToken()
    _, progress = _recorder(cancel_at=2, token=token)
    res = stress(diamond_net, assets="links", progress=progress, cancel=token)
    assert res.interrupted
    assert len(res.ranking) == 2
    assert set(res.ranking.index) <= set(full.ranking.index)
    # the cases it kept carry the same numbers as in the full run
    for asset in res.ranking.index:
        assert res.ranking.loc[asset, "delta_objective_usd"] == pytest.approx(
            full.ranking.loc[asset, "delta_objective_usd"]
        )
    assert res.to_dict()["interrupted"] is True


def test_a_token_cancelled_before_the_run_gives_no_case(diamond_net: Network) -> None:
    token = CancelToken()
    token.cancel()
    res = stress(diamond_net, assets="links", k=2, top_m=4, cancel=token)
    assert res.interrupted
    assert len(res.ranking) == 0


def test_montecarlo_progress_counts_draws_and_cancel_keeps_whole_chunks() -> None:
    net = _outage_net()
    calls, progress = _recorder()
    full = montecarlo(net, n=50, seed=2, workers=1, chunk_size=10, progress=progress)
    _monotone_to_total(calls)
    assert calls[-1] == (50, 50)
    token = CancelToken()
    _, progress = _recorder(cancel_at=30, token=token)
    res = montecarlo(net, n=50, seed=2, workers=1, chunk_size=10, progress=progress, cancel=token)
    assert res.interrupted
    assert res.n == 30  # three chunks of ten
    # the draws kept are the first 30 of the full run, number for number
    assert res.unmet.to_numpy() == pytest.approx(full.unmet.iloc[:30].to_numpy())
    assert res.to_dict()["n"] == 30


def test_montecarlo_cancelled_at_once_returns_an_empty_flagged_result() -> None:
    token = CancelToken()
    token.cancel()
    res = montecarlo(_outage_net(), n=20, seed=1, workers=1, chunk_size=10, cancel=token)
    assert res.interrupted
    assert res.n == 0
    assert len(res.unmet) == 0
    assert res.to_dict()["summary"][0]["expected_unmet_mt_per_year"] is None  # type: ignore[index]


def test_diversify_progress_and_cancel(diamond_net: Network) -> None:
    calls, progress = _recorder()
    full = diversify(diamond_net, "BY", caps=(100, 80, 60, 40), progress=progress)
    _monotone_to_total(calls)
    assert calls[-1] == (4, 4)
    token = CancelToken()
    _, progress = _recorder(cancel_at=1, token=token)
    res = diversify(diamond_net, "BY", caps=(100, 80, 60, 40), progress=progress, cancel=token)
    assert res.interrupted
    assert res.curve["max_share_pct"].tolist() == [100.0]
    assert res.curve["objective_usd"].tolist() == pytest.approx(full.curve["objective_usd"].iloc[:1].tolist())


def test_a_token_is_cancelled_from_another_thread() -> None:
    token = CancelToken()
    t = threading.Thread(target=token.cancel)
    t.start()
    t.join()
    assert token.cancelled


def test_a_process_token_reaches_a_child_process() -> None:
    import multiprocessing

    token = CancelToken.for_processes()
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=token.cancel)
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert token.cancelled
