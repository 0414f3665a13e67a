"""Random streams per chunk, and which executor Monte Carlo picks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from crudeflow.analysis import montecarlo
from crudeflow.analysis.montecarlo import PARALLEL_MIN_DRAWS, choose_executor, draw_fractions, prepare
from crudeflow.exceptions import CrudeflowError
from crudeflow.model.network import Network
from crudeflow.parallel import cpu_count


def _outage_net(make_diamond: Callable[..., Network]) -> Network:
    net = make_diamond()
    links = net.links.copy()
    links["outage_rate_per_year"] = 2.0
    links["outage_mean_days"] = 60.0
    return net.replace(links=links)


def test_chunks_draw_independent_streams(make_diamond: Callable[..., Network]) -> None:
    # seeding each chunk by the seed alone would repeat chunk 0's draws in every chunk
    p, *_ = prepare(_outage_net(make_diamond), n=40, seed=7, chunk_size=20)
    f0, f1 = draw_fractions(p, 0), draw_fractions(p, 1)
    assert f0.shape == f1.shape == (20, 5)
    assert (f0 != f1).any(axis=1).all()  # every draw differs from its twin in the other chunk
    assert not np.array_equal(f0, draw_fractions(prepare(_outage_net(make_diamond), n=40, seed=8,
                                                         chunk_size=20)[0], 0))  # fmt: skip


def test_chunk_streams_show_in_results_on_one_and_two_workers(make_diamond: Callable[..., Network]) -> None:
    net = _outage_net(make_diamond)
    one = montecarlo(net, n=40, seed=7, workers=1, chunk_size=20)
    two = montecarlo(net, n=40, seed=7, workers=2, chunk_size=20)
    assert (one.executor, two.executor) == ("serial", "local")
    pd.testing.assert_series_equal(one.objective_musd, two.objective_musd)
    obj = one.objective_musd.to_numpy()
    assert not np.array_equal(obj[:20], obj[20:])  # chunk 1 is not a replay of chunk 0
    assert one.objective_musd.sum() == two.objective_musd.sum()


def test_executor_chosen_from_the_size_of_the_work() -> None:
    cores = cpu_count()
    name, workers, note = choose_executor(PARALLEL_MIN_DRAWS - 1, 100)
    assert (name, workers) == ("serial", 1)
    assert f"fewer than the {PARALLEL_MIN_DRAWS}" in note or note == "auto: in-process (one core)"
    name, workers, note = choose_executor(PARALLEL_MIN_DRAWS, 100)
    assert (name, workers) == (("local", cores) if cores > 1 else ("serial", 1))
    assert note.startswith("auto:")
    assert choose_executor(50, 1, workers=2)[:2] == ("serial", 1)  # one chunk: nothing to share
    assert choose_executor(10, 1, scheduler="tcp://h:1")[0] == "dask"
    with pytest.raises(CrudeflowError, match="at least 1"):
        choose_executor(100, 1, workers=0)


def test_result_says_which_executor_ran(make_diamond: Callable[..., Network]) -> None:
    res = montecarlo(_outage_net(make_diamond), n=30, seed=1, chunk_size=10)
    assert res.executor == "serial"
    assert "auto: in-process" in res.executor_note
    capped = montecarlo(_outage_net(make_diamond), n=30, seed=1, chunk_size=10, workers=1000)
    assert capped.workers == min(cpu_count(), 3)
    assert "capped" in capped.executor_note
    pd.testing.assert_series_equal(res.objective_musd, capped.objective_musd)


def test_draws_solve_through_the_checked_run(
    make_diamond: Callable[..., Network], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a draw that stops at an iteration limit must not be read as a solution
    from dataclasses import replace

    from crudeflow.exceptions import SolverError
    from crudeflow.optimize.solve import HighsModel
    from crudeflow.optimize.status import SolveStatus

    real = HighsModel.run

    def limited(self: HighsModel, *, check: bool = True) -> object:
        return replace(real(self, check=check), status=SolveStatus.ITERATION_LIMIT)

    monkeypatch.setattr(HighsModel, "run", limited)
    with pytest.raises(SolverError, match="Monte Carlo draw 0 did not solve: iteration"):
        montecarlo(_outage_net(make_diamond), n=5, seed=1, workers=1)
