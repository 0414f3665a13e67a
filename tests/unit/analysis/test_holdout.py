"""Days of cover on hand-solved networks (docs/holdout.md).

A refinery ``r`` in PL needs d = 0.01 Mt/day (3.65 Mt/yr); a field in KZ reaches it by
link ``a`` (covers demand) and link ``b`` (r = 0.004 Mt/day = 1.46 Mt/yr); the refinery's
tanks hold S = 0.15 Mt. Losing ``a`` leaves S / (d − r) = 0.15 / 0.006 = 25 days of cover;
losing the field leaves S / d = 15 days; losing ``b`` leaves cover beyond the horizon.
2023 has 365 days, so a day is exactly 1/365 of the annual figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crudeflow.analysis.holdout import HOLDOUT_DRAWS, HOLDOUT_RANKING, HOLDOUT_SERIES, cover_days, holdout
from crudeflow.exceptions import CrudeflowError
from crudeflow.testing import tiny_network

D, R, S = 0.01, 0.004, 0.15


def _net(capacity_mt: float = S, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field", "country": "KZ"}, "r"],
        "links": [
            {"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
            {"id": "b", "from": "f", "to": "r", "capacity_mt_per_year": R * 365, "tariff_usd_per_t": 2.0},
        ],
        "supplies": [{"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0}],
        "demands": [{"node": "r", "demand_mt_per_year": D * 365}],
        "storage": [{"node": "r", "capacity_mt": capacity_mt, "initial_mt": S, "initial_grade": "g"}],
    }
    base.update(kw)
    return tiny_network(**base)


def _row(res: Any, case: str) -> Any:
    return res.ranking.set_index("case").loc[case]


@pytest.mark.parametrize("step", ["day", "week"])
def test_days_of_cover_is_stock_over_the_deficit(step: str) -> None:
    res = holdout(_net(), "PL", cases=("link:a", "link:b", "node:f"), horizon_days=60, step=step,
                  start="2023-01-01")  # fmt: skip
    a = _row(res, "link:a")
    assert a["days_of_cover"] == pytest.approx(S / (D - R), abs=1e-6)  # 25 days
    assert a["first_short_date"] == "2023-01-26"
    assert a["unmet_mt"] == pytest.approx((60 - 25) * (D - R), abs=1e-6)
    assert a["stock_drawn_mt"] == pytest.approx(S)
    f = _row(res, "node:f")
    assert f["days_of_cover"] == pytest.approx(S / D, abs=1e-6)  # 15 days
    assert f["unmet_mt"] == pytest.approx(60 * D - S, abs=1e-6)
    b = _row(res, "link:b")
    assert bool(b["beyond_horizon"])
    assert np.isnan(b["days_of_cover"])
    assert b["unmet_mt"] == pytest.approx(0.0)
    assert b["first_short_date"] == ""
    assert _row(res, "(no loss)")["stock_drawn_mt"] == pytest.approx(0.0)  # stocks drawn only when short
    # ranked: fewest days first, the reference and the harmless loss last
    assert list(res.ranking["case"][:2]) == ["node:f", "link:a"]
    assert list(res.ranking["rank"]) == [1, 2, 3, 4]
    for table, frame in (
        (HOLDOUT_RANKING, res.ranking),
        (HOLDOUT_DRAWS, res.draws),
        (HOLDOUT_SERIES, res.series),
    ):
        assert table.problems(frame) == []
    # what was drawn from where before the shortage: the tanks, and 25 days of route b
    dr = res.draws[(res.draws["case"] == "link:a")].set_index("source")
    assert dr.loc["r", "mt"] == pytest.approx(S)
    assert dr.loc["b", "mt"] == pytest.approx(60 * R, abs=1e-6)


def test_stocks_are_not_raised_before_the_loss() -> None:
    # tanks of 10 Mt with room to fill and cheap crude all year: a loss on 1 June still
    # finds only the normal 0.15 Mt (a plan from January with foresight would fill them)
    net = _net(capacity_mt=10.0, periods={"start": "2023-01-01", "end": "2023-12-31", "step": "month"})
    res = holdout(net, "PL", cases=("link:a",), horizon_days=60, step="week", start="2023-06-01")
    a = _row(res, "link:a")
    assert a["days_of_cover"] == pytest.approx(25.0, abs=1e-6)
    assert a["first_short_date"] == "2023-06-26"
    assert a["stock_drawn_mt"] == pytest.approx(S)
    # the stock at the loss date is the normal level, also in a scenario starting in January
    first = res.series[(res.series["case"] == "link:a") & (res.series["quantity"] == "stock")]
    assert first["mt"].iloc[0] == pytest.approx(S - 7 * (D - R))


def test_stock_obligations_are_drawn_unless_told_not_to() -> None:
    # PL must hold 0.1 Mt (10 days of 3.65 Mt/yr): kept, only 0.05 Mt may go: 0.05 / 0.006 days
    ob = [{"country": "PL", "days_of_net_imports": 10.0, "net_imports_mt_per_year": 3.65}]
    drawn = holdout(_net(stock_obligations=ob), "PL", cases=("link:a",), horizon_days=60, start="2023-01-01")
    kept = holdout(_net(stock_obligations=ob), "PL", cases=("link:a",), horizon_days=60, start="2023-01-01",
                   stock_draw=False)  # fmt: skip
    assert _row(drawn, "link:a")["days_of_cover"] == pytest.approx(25.0, abs=1e-6)
    assert _row(kept, "link:a")["days_of_cover"] == pytest.approx(0.05 / (D - R), abs=1e-6)


def test_refinery_without_tanks_holds_its_stock_days() -> None:
    # no storage row: the refinery's stock_days (15 days of 3.65 Mt/yr = 0.15 Mt) stand in
    net = _net(storage=[], demands=[{"node": "r", "demand_mt_per_year": D * 365, "stock_days": 15.0}])
    res = holdout(net, "PL", cases=("link:a",), horizon_days=60, start="2023-01-01")
    assert _row(res, "link:a")["days_of_cover"] == pytest.approx(25.0, abs=1e-6)


def test_n_k_pairs_and_unknown_cases() -> None:
    res = holdout(_net(), "PL", cases=("link:a", "link:b"), k=2, horizon_days=30, start="2023-01-01")
    both = _row(res, "link:a + link:b")
    assert both["kind"] == "N-2"
    assert both["days_of_cover"] == pytest.approx(S / D, abs=1e-6)
    with pytest.raises(CrudeflowError, match="no link 'zz'"):
        holdout(_net(), "PL", cases=("link:zz",), horizon_days=30)
    with pytest.raises(CrudeflowError, match="not a country with refinery demand"):
        holdout(_net(), "XX", horizon_days=30)
    with pytest.raises(CrudeflowError, match="step must be"):
        holdout(_net(), "PL", step="month", horizon_days=30)


def test_cover_days_interpolates_within_the_first_short_period() -> None:
    days = np.array([7.0, 7.0, 7.0])
    demand = np.array([7.0, 7.0, 7.0])
    # week 2: 3 Mt run, 4 Mt short, week 3 runs 0 (the steady rate): 7 + 7 × 3 / 7 = 10 days
    assert cover_days(np.array([0.0, 4.0, 7.0]), demand, days, np.zeros(3)) == (10.0, 1)
    # week 3 runs 0.7 Mt from a route: 3 − 0.7 of week 2's runs were finite, the deficit 6.3
    d, t = cover_days(np.array([0.0, 4.0, 6.3]), demand, days, np.zeros(3))
    assert (d, t) == (pytest.approx(7.0 + 7.0 * 2.3 / 6.3), 1)
    # short first in the last week: the importer's own stock drawn there, 3 Mt against 4 short
    assert cover_days(np.array([0.0, 0.0, 4.0]), demand, days, np.array([0.0, 0.0, 3.0])) == (17.0, 2)
    d, t = cover_days(np.zeros(3), demand, days, np.zeros(3))
    assert np.isnan(d)
    assert t == -1


@pytest.mark.parametrize("stock_draw", [True, False])
def test_a_crisis_draws_the_working_level(stock_draw: bool) -> None:
    # the tanks' 0.15 Mt is all working stock (kept by a normal plan): holdout draws it anyway
    tanks = [{"node": "r", "capacity_mt": S, "initial_mt": S, "initial_grade": "g", "min_level_mt": S}]
    res = holdout(_net(storage=tanks), "PL", cases=("link:a",), horizon_days=60, start="2023-01-01",
                  stock_draw=stock_draw)  # fmt: skip
    assert _row(res, "link:a")["days_of_cover"] == pytest.approx(S / (D - R), abs=1e-6)


def _upstream_net() -> Any:
    # the tanks (S Mt) sit at a terminal t in LT upstream of the refinery, not at r
    return _net(
        nodes=[
            {"id": "f", "kind": "field", "country": "KZ"},
            {"id": "t", "kind": "port", "country": "LT"},
            "r",
        ],
        links=[
            {"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
            {"id": "b", "from": "f", "to": "r", "capacity_mt_per_year": R * 365, "tariff_usd_per_t": 2.0},
            {"id": "c", "from": "t", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
        ],
        storage=[{"node": "t", "capacity_mt": S, "initial_mt": S, "initial_grade": "g"}],
    )


def _refilled_net() -> Any:
    # r's tanks hold S of g; a second field offers crude h that r may not run (slate 0 %):
    # the plan may refill the tanks with h, so their level never falls, yet S of g was run
    grades = [{"grade": "g", "origin_country": "KZ", "api_gravity": 35.0, "sulfur_pct": 0.5, "bbl_per_t": 7.5},
              {"grade": "h", "origin_country": "AZ", "api_gravity": 35.0, "sulfur_pct": 0.5, "bbl_per_t": 7.5}]  # fmt: skip
    return _net(
        nodes=[
            {"id": "f", "kind": "field", "country": "KZ"},
            {"id": "e", "kind": "field", "country": "AZ"},
            "r",
        ],
        links=[
            {"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
            {"id": "b", "from": "f", "to": "r", "capacity_mt_per_year": R * 365, "tariff_usd_per_t": 2.0},
            {"id": "c", "from": "e", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
        ],
        supplies=[
            {"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0},
            {"node": "e", "grade": "h", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0},
        ],
        grades=grades,
        slates=[{"node": "r", "grade": "h", "max_share_pct": 0.0}],
    )


@pytest.mark.parametrize("make", [_upstream_net, _refilled_net], ids=["upstream_tank", "refilled_tank"])
@pytest.mark.parametrize("step", ["day", "week"])
def test_finite_crude_from_any_tank_counts_as_stock(make: Any, step: str) -> None:
    # losing a leaves S of finite crude and route b: S / (d − r) = 25 days, whether the tank
    # is upstream (its crude arrives by link c) or refilled with crude r cannot run; on weeks
    # the fourth week is short for 3 of its 7 days (counting only r's own level fall gave 21)
    res = holdout(make(), "PL", cases=("link:a",), horizon_days=60, step=step, start="2023-01-01")
    a = _row(res, "link:a")
    assert a["days_of_cover"] == pytest.approx(S / (D - R), abs=1e-6)
    assert a["first_short_date"] == "2023-01-26"
    assert a["unmet_mt"] == pytest.approx((60 - 25) * (D - R), abs=1e-6)
    dr = res.draws[res.draws["case"] == "link:a"].set_index("source")
    if make is _upstream_net:  # the terminal's S came in by link c
        assert dr.loc["c", "mt"] == pytest.approx(S, abs=1e-6)
        assert dr.loc["c", "mt_before_short"] == pytest.approx(
            S - 4 * (D - R) if step == "week" else S, abs=1e-6
        )


def test_live_model_keeps_only_what_can_reach_the_importer() -> None:
    # a second, separate system (field g in DE feeding refinery q with a full tank) cannot
    # reach PL: its columns are fixed at the no-loss plan, and every answer is the full model's
    from crudeflow.analysis.holdout import ImporterCases, horizon_network, relevant_columns
    from crudeflow.optimize.build import PlanOptions, build_lp
    from crudeflow.optimize.solve import HighsModel

    net = _net(
        nodes=[
            {"id": "f", "kind": "field", "country": "KZ"},
            "r",
            {"id": "g", "kind": "field", "country": "DE"},
            {"id": "q", "country": "DE"},
        ],
        links=[
            {"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
            {"id": "b", "from": "f", "to": "r", "capacity_mt_per_year": R * 365, "tariff_usd_per_t": 2.0},
            {"id": "c", "from": "g", "to": "q", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
        ],
        supplies=[
            {"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0},
            {"node": "g", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0},
        ],
        demands=[{"node": "r", "demand_mt_per_year": D * 365}, {"node": "q", "demand_mt_per_year": 10.0}],
        storage=[
            {"node": "r", "capacity_mt": S, "initial_mt": S, "initial_grade": "g"},
            {"node": "q", "capacity_mt": 0.1, "initial_mt": 0.1, "initial_grade": "g"},
        ],
    )
    model = build_lp(horizon_network(net, start="2023-01-01", horizon_days=28, step="week"))
    keep = relevant_columns(model, "PL")
    f = model.lp.vars["flow"]
    kept_links = set(
        f.labels["link"].to_numpy(dtype=str)[keep[(keep >= f.start) & (keep < f.start + f.size)] - f.start]
    )
    assert kept_links == {"a", "b"}
    s = model.lp.vars["stock"]
    kept_tanks = set(
        s.labels["node"].to_numpy(dtype=str)[keep[(keep >= s.start) & (keep < s.start + s.size)] - s.start]
    )
    assert kept_tanks == {"r"}
    live = ImporterCases(model, "PL", PlanOptions())
    assert live.live is not None
    held = np.flatnonzero(live.fixed & (live.x0 > 1e-9))  # q's tank, held full; closing its last
    # level (q runs it instead) is solved on the full model
    assert len(held) > 0
    for cols in (np.flatnonzero(f.labels["link"].to_numpy(dtype=str) == "a") + f.start, held[-1:]):
        cold = HighsModel(model.lp)
        cold.h.changeColsCost(len(live.cost), np.arange(len(live.cost), dtype=np.int32), live.cost)
        cold.close_cols(cols)
        want = cold.run(duals=False)
        got = live.solve(cols)
        assert got.objective == pytest.approx(want.objective, rel=1e-9)
        assert len(got.x) == model.lp.n_cols
