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


TWO_YEARS = {"start": "2023-01-01", "end": "2024-12-31", "step": "year"}


def _pipe_over_years(**kw: Any) -> Any:
    # pipe_net's links l1 (8 Mt/yr, 5 USD/t) and l2 (6, 7 USD/t) on one line, over 2023 and 2024
    # (year_fraction 1 each): in 2023 the line carries 6 Mt, l3 (50 USD/t) the other 4
    net = pipe_net(True)
    return tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=net.links.reset_index().to_dict("records"),
        supplies=[{"node": "f", "grade": "g", "price_usd_per_t": 100, "max_mt_per_year": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 10}],
        periods=TWO_YEARS,
        **kw,
    )


def _line_mt(p: Any) -> dict[str, float]:
    f = p.flows[p.flows["link"].isin(["l1", "l2"])]
    return {str(k): float(v) for k, v in f.groupby("period")["mt"].sum().items()}


def test_a_per_period_value_on_the_wider_link_narrows_the_shared_pipe() -> None:
    # l1 down to 3 Mt/yr in 2024: the line's smallest capacity is 3 there (6 in 2023)
    pv = [
        {"table": "links", "id": "l1", "field": "capacity_mt_per_year", "period": "2024-01-01", "value": 3.0}
    ]
    assert _line_mt(plan(_pipe_over_years(period_values=pv))) == pytest.approx(
        {"2023-01-01": 6.0, "2024-01-01": 3.0}
    )


def test_a_per_period_value_widening_the_tightest_link_leaves_the_next_one_tightest() -> None:
    # l2 up to 20 Mt/yr in 2024: l1's 8 Mt/yr is then the line's smallest capacity
    pv = [
        {"table": "links", "id": "l2", "field": "capacity_mt_per_year", "period": "2024-01-01", "value": 20.0}
    ]
    p = plan(_pipe_over_years(period_values=pv))
    assert _line_mt(p) == pytest.approx({"2023-01-01": 6.0, "2024-01-01": 8.0})
    # 2023: 6 on l1 + 4 bypass; 2024: 8 on l1 + 2 bypass; 20 Mt at 100 USD/t
    assert p.objective_usd == pytest.approx((2000 + 6 * 5 + 4 * 50 + 8 * 5 + 2 * 50) * M)


def test_an_event_on_the_wider_link_narrows_the_shared_pipe() -> None:
    from crudeflow.io.scenario import parse_scenario

    text = (
        "name: half\nbase: x\nchanges:\n  - events:\n"
        "      - {link: l1, capacity_factor: 0.25, from: 2024-01-01, to: 2024-12-31}\n"
    )
    net = parse_scenario(text, "half.yaml").apply(_pipe_over_years())
    # l1 at a quarter of 8 = 2 Mt/yr in 2024: the line carries 2 there
    assert _line_mt(plan(net)) == pytest.approx({"2023-01-01": 6.0, "2024-01-01": 2.0})


def test_a_member_not_yet_valid_does_not_close_the_pipe() -> None:
    # a link valid only in 2024 on the line: in 2023 the line keeps l1's 8 Mt/yr
    net = tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[
            {"id": "l1", "from": "f", "to": "r", "tariff_usd_per_t": 5, "capacity_mt_per_year": 8, "pipe": "line"},
            {"id": "l2", "from": "f", "to": "r", "tariff_usd_per_t": 7, "capacity_mt_per_year": 6, "pipe": "line",
             "valid_from": "2024-01-01"},
            {"id": "l3", "from": "f", "to": "r", "tariff_usd_per_t": 50, "capacity_mt_per_year": 100},
        ],
        supplies=[{"node": "f", "grade": "g", "price_usd_per_t": 100, "max_mt_per_year": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 10}],
        periods=TWO_YEARS,
    )  # fmt: skip
    assert _line_mt(plan(net)) == pytest.approx({"2023-01-01": 8.0, "2024-01-01": 6.0})
