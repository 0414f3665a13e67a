"""Links naming one ``pipe`` share one capacity across links and directions (hand-solved)."""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.api import plan
from crudeflow.optimize.build import build_lp
from crudeflow.optimize.solve import solve_lp
from crudeflow.testing import tiny_network

M = 1e6


def pipe_net(pipe: bool, reverse: bool = False) -> Any:
    # f supplies g at 100 USD/t; r needs 10 Mt. Two links over one physical line, l1
    # (5 USD/t, 8 Mt/yr) and l2 (7 USD/t, 6 Mt/yr), and a dear bypass l3 (50 USD/t).
    tag = {"pipe": "line"} if pipe else {}
    l2 = (
        {"id": "l2", "from": "r", "to": "f", "bidirectional": True}
        if reverse
        else {"id": "l2", "from": "f", "to": "r"}
    )
    return tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[
            {"id": "l1", "from": "f", "to": "r", "tariff_usd_per_t": 5, "capacity_mt_per_year": 8, **tag},
            {**l2, "tariff_usd_per_t": 7, "capacity_mt_per_year": 6, **tag},
            {"id": "l3", "from": "f", "to": "r", "tariff_usd_per_t": 50, "capacity_mt_per_year": 100},
        ],
        supplies=[{"node": "f", "grade": "g", "price_usd_per_t": 100, "max_mt_per_year": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 10}],
    )


def test_links_without_a_shared_pipe_keep_their_own_capacities() -> None:
    # l1 8 + l2 2: 10 × 100 + 8 × 5 + 2 × 7 = 1,054 MUSD.
    assert plan(pipe_net(False)).objective_usd == pytest.approx(1054 * M)


@pytest.mark.parametrize("reverse", [False, True])
def test_links_on_one_pipe_share_the_smallest_capacity(reverse: bool) -> None:
    # l1 + l2 ≤ min(8, 6) = 6: l1 carries 6, the bypass 4: 1,000 + 30 + 200 = 1,230 MUSD.
    # (reverse: l2 is declared r -> f, bidirectional; its f -> r direction counts the same.)
    p = plan(pipe_net(True, reverse))
    assert p.objective_usd == pytest.approx(1230 * M)
    lf = p.link_flows["mt_per_year"]
    assert lf["l1"] + lf.get("l2", 0.0) == pytest.approx(6)
    assert lf["l3"] == pytest.approx(4)


def test_the_shared_pipe_row_has_the_shadow_price() -> None:
    # One more Mt/yr on the pipe moves a tonne from the bypass to l1: 50 − 5 = 45 USD/t.
    # HiGHS duals are d(objective)/d(bound) (objective in MUSD per Mt = USD/t): −45.
    m = build_lp(pipe_net(True))
    rows = m.lp.cons["pipe"]
    assert list(rows.labels["pipe"]) == ["line"]
    assert list(rows.labels["link"]) == ["l2"]  # the tightest member names the row
    assert rows.upper.tolist() == [6.0]
    res = solve_lp(m.lp)
    assert res.row_dual[rows.slice].tolist() == pytest.approx([-45.0])
    # the member links' own rows are slack
    cap = m.lp.cons["capacity"]
    assert res.row_dual[cap.slice].tolist() == pytest.approx([0.0, 0.0, 0.0])


def counter_net() -> Any:
    # a supplies g, b supplies h (100 USD/t); ra may run ≤ 50 % g, rb ≤ 50 % h, so each
    # refinery needs 2 Mt of the far grade over the reversible a-b link (5 USD/t, 10 Mt/yr).
    return tiny_network(
        nodes=[{"id": "a", "kind": "field"}, {"id": "b", "kind": "field", "country": "DE"}, "ra", "rb"],
        links=[
            {"id": "ara", "from": "a", "to": "ra", "tariff_usd_per_t": 0, "capacity_mt_per_year": 100},
            {"id": "brb", "from": "b", "to": "rb", "tariff_usd_per_t": 0, "capacity_mt_per_year": 100},
            {"id": "ab", "from": "a", "to": "b", "tariff_usd_per_t": 5, "capacity_mt_per_year": 10,
             "bidirectional": True},
        ],
        grades=[
            {"grade": g, "origin_country": "KZ", "api_gravity": 35.0, "sulfur_pct": 0.5, "bbl_per_t": 7.5}
            for g in ("g", "h")
        ],
        supplies=[{"node": "a", "grade": "g", "price_usd_per_t": 100, "max_mt_per_year": 100},
                  {"node": "b", "grade": "h", "price_usd_per_t": 100, "max_mt_per_year": 100}],
        demands=[{"node": "ra", "demand_mt_per_year": 4}, {"node": "rb", "demand_mt_per_year": 6}],
        slates=[{"node": "ra", "grade": "g", "max_share_pct": 50.0},
                {"node": "rb", "grade": "h", "max_share_pct": 50.0}],
    )  # fmt: skip


def test_counter_flow_is_netted_and_named_in_a_warning() -> None:
    # ra takes 2 Mt h from b (b -> a), rb takes 3 Mt g from a (a -> b): gross 5, net 1 a -> b.
    p = plan(counter_net())
    row = p.link_flows.loc["ab"]
    assert row["forward_mt_per_year"] == pytest.approx(3)
    assert row["reverse_mt_per_year"] == pytest.approx(2)
    assert row["mt_per_year"] == pytest.approx(5)  # gross, as the capacity row counts it
    assert row["net_mt_per_year"] == pytest.approx(1)
    assert row["net_direction"] == "forward"
    texts = [str(w) for w in p.warnings if "counter-flow" in str(w)]
    assert len(texts) == 1
    assert "2.00 Mt/yr h b->a against 3.00 Mt/yr g a->b" in texts[0]
    assert "net flow 1.00 Mt/yr a->b" in texts[0]
    # one-way links are reported with their net equal to their flow and no warning
    assert p.link_flows.loc["ara", "net_mt_per_year"] == pytest.approx(p.link_flows.loc["ara", "mt_per_year"])
    assert not [w for w in plan(pipe_net(True)).warnings if "counter-flow" in str(w)]
