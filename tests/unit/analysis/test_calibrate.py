"""Calibration on a hand-solved two-route network: the friction is the cost gap, by the band's edge.

Field f (10 Mt/yr fixed, KZ) reaches refinery r (PL) by a cheap route f-c-r (5 USD/t) and a
dear one f-d-r (9 USD/t): the least-cost plan sends nothing the dear way. An observation
that 4 Mt/yr went the dear way (± 0.5) can only be met by a pull of the 4 USD/t cost gap.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.unit.analysis.test_backtest import obs, two_routes

from crudeflow import api
from crudeflow.analysis.calibrate import MARGIN_USD_PER_T, calibrate
from crudeflow.io.dataset import read_dataset, write_dataset
from crudeflow.model.network import Network
from crudeflow.model.scenario import Scenario
from crudeflow.optimize.build import PlanOptions, build_lp
from crudeflow.optimize.solve import solve_lp
from crudeflow.results.solve import solve_plan

GAP = 9.0 - 5.0
"""Cost gap between the dear and the cheap route, USD/t."""


def calibrated(net: Network) -> Network:
    return net.replace(frictions=calibrate(net, computed="test").frictions)


def test_friction_is_the_cost_gap_and_the_plan_reproduces_the_row() -> None:
    net = two_routes([obs("dear", 4.0, 0.5, links=("fd",))])
    cal = calibrate(net, computed="test")
    f = cal.frictions
    assert list(f["observation"]) == ["dear"]
    row = f.iloc[0]
    assert row["kind"] == "pull"  # the observed route is the dearer one: a pull towards it
    assert row["dual_usd_per_t"] == pytest.approx(GAP)
    assert row["friction_usd_per_t"] == pytest.approx(GAP + MARGIN_USD_PER_T)
    # missed by the plan (0 vs 4 ± 0.5): aimed at the inner half of the band, 4 - 0.25
    assert row["threshold_mt_per_year"] == pytest.approx(3.75)
    assert row["uncalibrated"] == pytest.approx(0.0)
    p = solve_plan(net.replace(frictions=f), calibrated=True)
    flows = p.flows.groupby("link")["mt_per_year"].sum()
    assert flows.get("fd", 0.0) == pytest.approx(3.75)
    assert flows.get("fc", 0.0) == pytest.approx(6.25)
    assert bool(cal.rows.loc["dear", "ok_calibrated"])
    assert not bool(cal.rows.loc["dear", "ok_uncalibrated"])
    # the friction is a cost of its own: pull of 4.1 USD/t on 3.75 Mt/yr
    assert p.objective_parts_usd["friction_usd"] == pytest.approx(-(GAP + MARGIN_USD_PER_T) * 3.75e6)
    assert p.economic_cost_usd == pytest.approx(solve_plan(net).economic_cost_usd + GAP * 3.75e6)


def test_a_row_the_plan_meets_gets_no_friction() -> None:
    # 0.4 ± 0.5 already holds at 0: no friction; 10 ± 0.5 on the cheap route holds too
    net = two_routes([obs("dear", 0.4, 0.5, links=("fd",)), obs("cheap", 10.0, 0.5)])
    assert len(calibrate(net).frictions) == 0


def test_a_push_when_the_plan_sends_too_much() -> None:
    # observed: only 6 ± 0.4 Mt/yr the cheap way; the plan sends 10
    net = two_routes([obs("cheap", 6.0, 0.4)])
    row = calibrate(net).frictions.iloc[0]
    assert row["kind"] == "push"
    assert row["dual_usd_per_t"] == pytest.approx(-GAP)
    assert row["threshold_mt_per_year"] == pytest.approx(6.2)
    flows = solve_plan(calibrated(net), calibrated=True).flows.groupby("link")["mt_per_year"].sum()
    assert flows["fc"] == pytest.approx(6.2)


def test_an_unreachable_row_is_reported_at_the_penalty() -> None:
    net = two_routes([obs("cheap", 15.0, 0.5)])  # the field only has 10
    cal = calibrate(net, penalty_usd_per_t=300.0)
    assert cal.missed == ("cheap",)
    assert cal.frictions.iloc[0]["friction_usd_per_t"] == pytest.approx(300.0 + MARGIN_USD_PER_T)
    assert "could not be reached" in cal.frictions.iloc[0]["note"]


def _scenario(tmp_path: Path, changes: str) -> Scenario:
    from crudeflow.io.scenario import read_scenario

    f = tmp_path / "cut.yaml"
    f.write_text("name: cut\n" + changes, encoding="utf-8")
    return read_scenario(f)


def test_a_scenario_on_a_calibrated_base_still_changes_what_it_changes(tmp_path: Path) -> None:
    net = calibrated(two_routes([obs("dear", 4.0, 0.5, links=("fd",))]))
    # the dear route is cut to 2 Mt/yr: the pull can only hold 2 there
    sc = _scenario(tmp_path, "changes:\n  - capacity: {fd: 2.0}\n")
    p = solve_plan(sc.apply(net), calibrated=True)
    flows = p.flows.groupby("link")["mt_per_year"].sum()
    assert flows["fd"] == pytest.approx(2.0)
    assert flows["fc"] == pytest.approx(8.0)
    assert len(sc.apply(net).frictions) == 1  # scenarios leave the frictions alone


def test_duals_and_the_friction_block_of_a_calibrated_lp() -> None:
    net = calibrated(two_routes([obs("dear", 4.0, 0.5, links=("fd",))]))
    model = build_lp(net, PlanOptions(calibrated=True))
    assert "friction" in model.lp.vars
    assert "friction" in model.lp.cons
    res = solve_lp(model.lp)
    row = model.lp.cons["friction"].slice
    # the kink row (u − corridor ≤ 0) binds at 3.75 from both sides: its dual lies between
    # the cost gap (the next tonne the dear way) and the pull (the last tonne that earns it)
    d = float(res.row_dual[row][0])
    assert -(GAP + MARGIN_USD_PER_T) - 1e-9 <= d <= -GAP + 1e-9
    assert "friction" not in build_lp(net).lp.vars  # uncalibrated unless asked


def test_write_and_read_back(tmp_path: Path) -> None:
    net = two_routes([obs("dear", 4.0, 0.5, links=("fd",))])
    folder = write_dataset(net, tmp_path / "ds")
    cal = api.calibrate(folder, write=True)
    back = read_dataset(folder)
    assert list(back.frictions.index) == list(cal.frictions.index)
    assert back.frictions["friction_usd_per_t"].tolist() == cal.frictions["friction_usd_per_t"].tolist()
    assert api.backtest(folder, calibrated=True).score("calibrate") == pytest.approx(100.0)


def test_a_friction_for_an_unknown_observation_is_a_dataset_error(tmp_path: Path) -> None:
    from crudeflow.exceptions import DatasetError

    net = two_routes([obs("dear", 4.0, 0.5, links=("fd",))])
    folder = write_dataset(net, tmp_path / "ds")
    api.calibrate(folder, write=True)
    text = (folder / "frictions.csv").read_text(encoding="utf-8").replace(",dear,", ",nope,")
    (folder / "frictions.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DatasetError, match=r"frictions.csv.*row 2.*observation.*'nope': no such row"):
        read_dataset(folder)


def test_calibrated_without_frictions_is_a_clear_error() -> None:
    from crudeflow.exceptions import CrudeflowError

    with pytest.raises(CrudeflowError, match=r"no frictions\.csv"):
        api.plan(two_routes([]), calibrated=True)


MONTHLY = "periods: {start: 2023-01-01, end: 2023-12-31, step: month}\n"


def test_frictions_apply_per_period_prorated(tmp_path: Path) -> None:
    # the annual pull holds 3.75 Mt/yr the dear way: over months, 3.75 × each month's share
    net = calibrated(two_routes([obs("dear", 4.0, 0.5, links=("fd",))]))
    monthly = _scenario(tmp_path, MONTHLY + "changes: []\n").apply(net)
    p = solve_plan(monthly, calibrated=True)
    fd = p.flows[p.flows["link"] == "fd"].groupby("period")["mt"].sum()
    frac = p.periods.set_index("label")["year_fraction"]
    assert len(fd) == 12
    assert fd.to_numpy() == pytest.approx(3.75 * frac.reindex(fd.index).to_numpy())
    assert float(fd.sum()) == pytest.approx(3.75)
    assert p.objective_parts_usd["friction_usd"] == pytest.approx(-(GAP + MARGIN_USD_PER_T) * 3.75e6)
    # a month whose dear route is cut keeps the others' pull: no month makes up for it
    cut = _scenario(
        tmp_path,
        MONTHLY + "changes:\n  - events:\n"
        "      - {link: fd, capacity_factor: 0.0, from: 2023-03-01, to: 2023-03-31}\n",
    ).apply(net)
    q = solve_plan(cut, calibrated=True)
    fdq = q.flows[q.flows["link"] == "fd"].groupby("period")["mt"].sum()
    assert fdq.get("2023-03-01", 0.0) == pytest.approx(0.0)
    assert float(fdq.sum()) == pytest.approx(3.75 * (1.0 - frac["2023-03-01"]))
