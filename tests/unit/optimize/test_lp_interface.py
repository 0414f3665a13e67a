"""The LP interface other modules build on: block names, label columns, sizes, re-solves."""

from __future__ import annotations

import numpy as np
import pytest

from crudeflow.optimize.build import PlanOptions, build_lp
from crudeflow.optimize.solve import HighsModel, cold_options, solve_lp
from crudeflow.testing import tiny_network


def small() -> object:
    return tiny_network(
        nodes=[
            {"id": "f", "kind": "field", "country": "KZ"},
            {"id": "j", "country": "RU"},
            {"id": "r", "kind": "refinery", "country": "DE"},
        ],
        links=[
            {"id": "a", "from": "f", "to": "j", "capacity_mt_per_year": 10, "tariff_usd_per_t": 5},
            {
                "id": "b",
                "from": "j",
                "to": "r",
                "capacity_mt_per_year": 4,
                "tariff_usd_per_t": 3,
                "bidirectional": True,
            },
        ],
        supplies=[{"node": "f", "max_mt_per_year": 20, "price_usd_per_t": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 6}],
    )


def test_blocks_and_labels() -> None:
    m = build_lp(small())
    lp = m.lp
    assert list(lp.vars) == [
        "flow", "supply", "consume", "unmet", "sale", "shut_in", "contract_shortfall", "paid", "prepaid",
        "commit_shortfall",
    ]  # fmt: skip
    assert list(lp.cons) == [
        "conservation", "capacity", "pipe", "demand", "market", "quality", "slate", "share_cap",
        "transit_refusal", "reserved_capacity", "ship_or_pay", "throughput_commitment", "swap_buyers", "price_cap",
        "export_duty", "export_duty_quota", "contract",
    ]  # fmt: skip
    fl = lp.vars["flow"].labels
    for col in ("link", "link_pos", "from", "to", "grade", "grade_out", "reverse"):
        assert col in fl.columns
    # a bidirectional link gives two flow variables (one per direction) and one capacity row
    assert sorted(map(tuple, fl[["link", "from", "to"]].to_numpy().tolist())) == [
        ("a", "f", "j"), ("b", "j", "r"), ("b", "r", "j"),
    ]  # fmt: skip
    assert lp.cons["capacity"].size == 2
    assert lp.n_cols == sum(b.size for b in lp.vars.values())
    assert lp.matrix().shape == (lp.n_rows, lp.n_cols)
    assert len(m.flow_tariff) == len(m.flow_duty) == len(m.flow_fee) == lp.vars["flow"].size


def test_hot_resolve_by_closing_columns_and_restoring() -> None:
    m = build_lp(small())
    hm = HighsModel(m.lp)
    base = hm.run()
    # 4 Mt/yr through b at 108, 2 unmet at 1000: 2,432 MUSD
    assert base.objective == pytest.approx(4 * 108 + 2 * 1000)
    fb = m.lp.vars["flow"]
    cols = fb.start + np.flatnonzero(fb.labels["link"].to_numpy() == "b")
    hm.close_cols(cols)
    assert hm.run().objective == pytest.approx(6 * 1000)
    hm.restore_cols(cols)
    assert hm.run().objective == pytest.approx(base.objective)


def test_strict_option_removes_the_unmet_slack() -> None:
    m = build_lp(small(), PlanOptions(strict=True))
    assert (m.lp.vars["unmet"].upper == 0).all()
    assert solve_lp(m.lp).status.value == "infeasible"
    relaxed = build_lp(small())
    assert np.isinf(relaxed.lp.vars["unmet"].upper).all()


def two_grade_net() -> object:
    return tiny_network(
        nodes=[
            {"id": "f", "kind": "field", "country": "KZ"},
            {"id": "p", "kind": "field", "country": "RU"},
            {"id": "r", "kind": "refinery", "country": "DE"},
        ],
        links=[
            {"id": "a", "from": "f", "to": "r", "capacity_mt_per_year": 3, "tariff_usd_per_t": 5},
            {"id": "b", "from": "p", "to": "r", "capacity_mt_per_year": 9, "tariff_usd_per_t": 9},
        ],
        grades=[
            {"grade": "g", "origin_country": "KZ", "api_gravity": 40, "sulfur_pct": 0.5, "bbl_per_t": 7.6},
            {"grade": "u", "origin_country": "RU", "api_gravity": 31, "sulfur_pct": 1.6, "bbl_per_t": 7.3},
        ],
        supplies=[
            {"node": "f", "grade": "g", "max_mt_per_year": 9, "price_usd_per_t": 100},
            {"node": "p", "grade": "u", "max_mt_per_year": 9, "price_usd_per_t": 90},
        ],
        demands=[{"node": "r", "demand_mt_per_year": 6, "max_sulfur_pct": 1.0}],
    )


def test_cold_solves_of_large_multi_grade_lps_use_interior_point() -> None:
    multi = build_lp(two_grade_net()).lp
    single = build_lp(small()).lp
    assert cold_options(multi, None, min_cols=1) == {"solver": "ipm"}
    assert cold_options(multi, {"solver": "simplex"}, min_cols=1) == {"solver": "simplex"}
    assert cold_options(single, None, min_cols=1) == {}
    assert cold_options(multi, None) == {}  # small: simplex
    # both give the same optimum and duals on the sulfur-limited blend: 1.6 x_u + 0.5 x_g
    # ≤ 1.0 (x_u + x_g) -> x_u ≤ 5/6 x_g; KZ capped at 3 by link a, so x_u ≤ 2.5 and 0.5 Mt
    # is short: 3 × 105 + 2.5 × 99 + 0.5 × 1000 = 1,062.5 MUSD.
    a, b = solve_lp(multi, {"solver": "ipm"}), solve_lp(multi, {"solver": "simplex"})
    assert a.objective == pytest.approx(1062.5)
    assert b.objective == pytest.approx(1062.5)
    np.testing.assert_allclose(a.row_dual, b.row_dual, atol=1e-6)


def test_hot_resolve_without_duals_gives_the_same_primal() -> None:
    import crudeflow as cf

    model = build_lp(cf.read_dataset("caspian-europe"))
    hm = HighsModel(model.lp)
    full = hm.run()
    cap = model.lp.cons["capacity"]
    row = np.array([cap.start + int(np.argmax(cap.upper))], np.int64)
    hm.set_row_bounds(row, np.array([-np.inf]), np.array([0.0]))
    light = hm.run(duals=False)
    again = hm.run()
    assert light.ok
    assert light.objective == pytest.approx(again.objective, rel=1e-9)
    np.testing.assert_allclose(light.x, again.x, atol=1e-7)
    assert np.isnan(light.row_dual).all()
    assert np.isnan(light.col_dual).all()
    assert not np.isnan(full.row_dual).any()


def test_resolve_closed_starts_every_case_from_the_kept_basis() -> None:
    # Without keep_basis a case starts from the previous case's optimum with that case's
    # link reopened, which costs far more dual simplex iterations than a restart from
    # the base (shipped dataset, 74 link outages: 8,112 chained against 2,914 from the
    # base with Devex pricing); the objectives agree either way.
    import crudeflow as cf
    from crudeflow.analysis.contingency import asset_columns

    model = build_lp(cf.read_dataset("caspian-europe"))
    cols = asset_columns(model, "links")

    def sweep(keep: bool) -> tuple[list[float], int]:
        hm = HighsModel(model.lp)
        base = hm.run()
        if keep:
            hm.keep_basis()
        objs, iters = [], 0
        for c in cols.values():
            if len(c) and float(base.x[c].max()) > 1e-6:
                r = hm.resolve_closed(c)
                objs.append(r.objective)
                iters += r.iterations
        return objs, iters

    (chained, chained_iters), (kept, kept_iters) = sweep(False), sweep(True)
    assert len(kept) >= 60
    np.testing.assert_allclose(kept, chained, rtol=1e-9)
    assert kept_iters < 0.5 * chained_iters


def test_keep_basis_needs_a_solved_model() -> None:
    from crudeflow.exceptions import SolverError

    hm = HighsModel(build_lp(small()).lp)
    with pytest.raises(SolverError, match="solved model"):
        hm.keep_basis()
