"""The state graph: one owner of (node, grade[, period]) codes, read by everything else."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import crudeflow as cf
from crudeflow.analysis.montecarlo import average_costs as mc_average_costs
from crudeflow.analysis.montecarlo import prepare
from crudeflow.optimize.build import build_lp
from crudeflow.optimize.solve import solve_lp
from crudeflow.optimize.states import StateIndex
from crudeflow.results.paths import average_costs, fed_states

SRC = Path(__file__).resolve().parents[3] / "src" / "crudeflow"


def test_codes_round_trip_with_periods() -> None:
    si = StateIndex(pd.Index(["a", "b", "c"]), pd.Index(["g", "h"]), n_periods=4)
    n, g, t = np.meshgrid(np.arange(3), np.arange(2), np.arange(4), indexing="ij")
    codes = si.code(n.ravel(), g.ravel(), t.ravel())
    assert sorted(codes.tolist()) == list(range(si.size))
    np.testing.assert_array_equal(si.node_pos(codes), n.ravel())
    np.testing.assert_array_equal(si.grade_pos(codes), g.ravel())
    np.testing.assert_array_equal(si.period(codes), t.ravel())


def test_state_rows_name_the_node_and_grade_of_every_column() -> None:
    model = build_lp(cf.read_dataset("caspian-europe"))
    sg, lp = model.states, model.lp
    lab = lp.cons["conservation"].labels
    assert len(lab) == sg.size
    fl = lp.vars["flow"].labels
    np.testing.assert_array_equal(lab["node"].to_numpy()[sg.flow_tail], fl["from"].to_numpy())
    np.testing.assert_array_equal(lab["grade"].to_numpy()[sg.flow_tail], fl["grade"].to_numpy())
    np.testing.assert_array_equal(lab["node"].to_numpy()[sg.flow_head], fl["to"].to_numpy())
    np.testing.assert_array_equal(lab["grade"].to_numpy()[sg.flow_head], fl["grade_out"].to_numpy())
    for block, rows in sg.rows.items():
        b = lp.vars[block].labels
        np.testing.assert_array_equal(lab["node"].to_numpy()[rows], b["node"].to_numpy())
        np.testing.assert_array_equal(lab["grade"].to_numpy()[rows], b["grade"].to_numpy())
    # a state the LP does not touch has no row
    assert sg.row(np.array([0]), np.array([0])).shape == (1,)


def test_only_the_state_module_encodes_states() -> None:
    pattern = re.compile(r"\*\s*n_g\b|\bn_g\s*\+|//\s*n_g\b|%\s*n_g\b|\*\s*len\(\w+\.grade_ids\)")
    offenders = [
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "states.py" and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_fed_states_follow_edges_from_sources_only() -> None:
    # 0 -> 1 -> 2; 3 <-> 4 is a circulation no source feeds
    fed = fed_states(5, np.array([0]), np.array([0, 1, 3, 4]), np.array([1, 2, 4, 3]))
    assert fed.tolist() == [True, True, True, False, False]


def test_unfed_zero_cost_loop_is_left_out_not_singular() -> None:
    # source 10 t at state 0 (100 USD/t) -> state 1 (+5 USD/t); 2 <-> 3 circulate 3 t unfed
    avg = average_costs(
        4, np.array([0]), np.array([10.0]), np.array([[100.0]]),
        np.array([0, 2, 3]), np.array([1, 3, 2]), np.array([10.0, 3.0, 3.0]), np.array([[5.0], [0.0], [0.0]]),
    )  # fmt: skip
    assert avg[:2, 0].tolist() == pytest.approx([100.0, 105.0])
    assert np.isnan(avg[2:, 0]).all()


def test_monte_carlo_costs_are_the_plans_delivered_costs() -> None:
    net = cf.read_dataset("caspian-europe")
    p = cf.plan(net)
    problem, *_ = prepare(net, n=1, seed=1)
    model = build_lp(net)
    x = solve_lp(model.lp).x
    avg = mc_average_costs(problem, x)
    c_rows = model.states.rows["consume"]
    cl = model.lp.vars["consume"].labels
    run = x[model.lp.vars["consume"].slice] > 1e-6
    got = pd.Series(avg[c_rows][run], index=pd.MultiIndex.from_arrays([cl["node"][run], cl["grade"][run]]))
    want = p.deliveries.set_index(["refinery", "grade"])["delivered_cost_usd_per_t"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False, rtol=1e-6)
