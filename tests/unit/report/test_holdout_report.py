"""The report over time: a plan with periods gets time series; days of cover get their chart."""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.analysis.holdout import holdout
from crudeflow.api import plan
from crudeflow.report import build_report, figures
from crudeflow.testing import tiny_network


def _net(periods: Any = None) -> Any:
    return tiny_network(
        nodes=[{"id": "f", "kind": "field", "country": "KZ"}, "j", "r"],
        links=[
            {"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 100.0},
            {"id": "b", "from": "f", "to": "j", "capacity_mt_per_year": 1.46},
            {"id": "c", "from": "j", "to": "r", "capacity_mt_per_year": 100.0},
        ],
        supplies=[{"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r", "demand_mt_per_year": 3.65}],
        storage=[{"node": "r", "capacity_mt": 0.15, "initial_mt": 0.15, "initial_grade": "g"}],
        periods=periods,
    )


def test_days_of_cover_chart_marks_the_horizon_and_draws_beyond_it_to_it() -> None:
    res = holdout(_net(), "PL", cases=("link:a", "link:b"), horizon_days=60, start="2023-01-01")
    fig = figures.holdout_figure(res.ranking, "PL", 60)
    bars = fig.data[0]
    got = dict(zip(bars.y, bars.x, strict=True))
    assert got["link:a"] == pytest.approx(25.0, abs=1e-6)
    assert "link:b" not in got  # skipped: no flow on it in the no-loss plan
    assert [s.x0 for s in fig.layout.shapes] == [60]
    page = build_report(plan(_net()), _net(), holdout=res)
    assert 'id="holdout"' in page
    assert "link:a" in page


def test_a_plan_over_periods_gets_time_series() -> None:
    net = _net({"start": "2023-01-01", "end": "2023-03-31", "step": "month"})
    p = plan(net)
    fig = figures.periods_figure(p)
    assert fig is not None
    assert 'id="time"' in build_report(p, net)
    assert figures.periods_figure(plan(_net())) is None
    assert 'id="time"' not in build_report(plan(_net()), _net())
