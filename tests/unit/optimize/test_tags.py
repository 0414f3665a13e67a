"""Origin and path tags (optimize.tags), hand-solved: a transit cap over the whole route and
an origin embargo through a swap, with conservation checked per layer.

Objectives in USD/yr: Mt/yr × USD/t × 1e6.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crudeflow.api import plan
from crudeflow.optimize.build import build_lp
from crudeflow.optimize.solve import solve_lp
from crudeflow.optimize.tags import Tag
from crudeflow.testing import tiny_network

M = 1e6
GRADES = [
    {"grade": "g", "origin_country": "KZ", "api_gravity": 40.0, "sulfur_pct": 0.5, "bbl_per_t": 7.6},
    {"grade": "u", "origin_country": "RU", "api_gravity": 30.0, "sulfur_pct": 1.5, "bbl_per_t": 7.2},
]


def node(nid: str, country: str, kind: str = "junction") -> dict[str, Any]:
    return {"id": nid, "country": country, "kind": kind}


def link(lid: str, a: str, b: str, tariff: float, **kw: Any) -> dict[str, Any]:
    return {"id": lid, "from": a, "to": b, "tariff_usd_per_t": tariff, "capacity_mt_per_year": 100.0, **kw}


def flow(p: Any, link_id: str) -> float:
    return float(p.flows.loc[p.flows["link"] == link_id, "mt_per_year"].sum())


def check_layers(net: Any) -> dict[str, Any]:
    """Solve at the LP level; every row (tag conservation, y ≤ x) holds; tagged flow per link."""
    m = build_lp(net)
    res = solve_lp(m.lp)
    assert res.ok
    a = m.lp.matrix()
    act = a @ res.x
    assert (act >= m.lp.row_lower - 1e-7).all()
    assert (act <= m.lp.row_upper + 1e-7).all()
    for name in m.lp.cons:
        if name.startswith("tag_conservation"):
            np.testing.assert_allclose(act[m.lp.cons[name].slice], 0.0, atol=1e-7)
    out: dict[str, Any] = {"model": m, "x": res.x}
    f = m.lp.vars["flow"].labels
    for la in m.tags.layers:
        links = f["link"].to_numpy()[la.flow]
        tagged = res.x[la.flow_y]
        assert (tagged <= res.x[m.lp.vars["flow"].start + la.flow] + 1e-7).all()
        out[la.tag.name] = {str(k): float(tagged[links == k].sum()) for k in np.unique(links)}
        # tagging arcs into the layer: all their crude is tagged (their tails may lie outside)
        e_links = f["link"].to_numpy()[la.entering]
        e_x = res.x[m.lp.vars["flow"].start + la.entering]
        for k in np.unique(e_links):
            out[la.tag.name].setdefault(str(k), float(e_x[e_links == k].sum()))
    return out


# --------------------------------------------------------------------------- transit cap

# f (KZ) → a (RU) → b (UA) → r (BY): 3 + 3 + 4 = 10 USD/t; f → c (PL) → r: 8 + 8 = 16.
ROUTE_NODES = [
    node("f", "KZ", "field"), node("a", "RU"), node("b", "UA"), node("c", "PL"),
    node("r", "BY", "refinery"),
]  # fmt: skip
ROUTE_LINKS = [link("fa", "f", "a", 3), link("ab", "a", "b", 3), link("br", "b", "r", 4),
               link("fc", "f", "c", 8), link("cr", "c", "r", 8)]  # fmt: skip


def route_net(policies: list[dict[str, Any]] | None = None) -> Any:
    return tiny_network(
        grades=GRADES, nodes=ROUTE_NODES, links=ROUTE_LINKS,
        supplies=[{"node": "f", "grade": "g", "price_usd_per_t": 100.0, "max_mt_per_year": 100.0}],
        demands=[{"node": "r", "demand_mt_per_year": 5.0}], policies=policies,
    )  # fmt: skip


def test_transit_cap_binds_on_the_first_country_of_a_two_transit_route() -> None:
    # Uncapped: 5 Mt via RU and UA at 110 = 550 MUSD. Crude that crossed RU ≤ 20 % of BY's
    # runs: the leg entering BY (b → r) crosses only UA and BY, yet the cap binds on RU:
    # 1 Mt via RU (110) + 4 Mt via PL (4 × 116 = 464) = 574 MUSD.
    assert plan(route_net()).objective_usd == pytest.approx(550 * M)
    cap = [{"id": "noru", "kind": "share_cap", "importer": "BY", "by": "transit", "country": "RU",
            "max_share_pct": 20.0}]  # fmt: skip
    p = plan(route_net(cap))
    assert p.objective_usd == pytest.approx(574 * M)
    assert flow(p, "br") == pytest.approx(1.0)
    assert flow(p, "cr") == pytest.approx(4.0)
    # the layer: everything on a → b → r crossed RU; nothing on the PL route did
    got = check_layers(route_net(cap))
    assert got["transit:RU"]["ab"] == pytest.approx(1.0)
    assert got["transit:RU"]["br"] == pytest.approx(1.0)
    assert got["transit:RU"].get("cr", 0.0) == pytest.approx(0.0)


def test_transit_caps_at_zero_close_the_route_they_name() -> None:
    # UA (the second country) at 0 %: all 5 Mt via PL at 116 = 580 MUSD; PL at 0 % leaves
    # the plan as it was (550 MUSD).
    ua = [{"id": "noua", "kind": "share_cap", "importer": "BY", "by": "transit", "country": "UA",
           "max_share_pct": 0.0}]  # fmt: skip
    assert plan(route_net(ua)).objective_usd == pytest.approx(580 * M)
    pl = [{"id": "nopl", "kind": "share_cap", "importer": "BY", "by": "transit", "country": "PL",
           "max_share_pct": 0.0}]  # fmt: skip
    assert plan(route_net(pl)).objective_usd == pytest.approx(550 * M)


def test_a_layer_is_built_only_for_the_countries_policies_name() -> None:
    assert build_lp(route_net()).tags.layers == ()
    cap = [{"id": "noru", "kind": "share_cap", "importer": "BY", "by": "transit", "country": "RU",
            "max_share_pct": 20.0}]  # fmt: skip
    m = build_lp(route_net(cap))
    (la,) = m.tags.layers
    assert la.tag == Tag("transit", "RU")
    # pruned: b and r (downstream of RU and upstream of BY's runs); not f or c, nor a: at
    # RU's own node, every leg out of it tags all its crude (a → b enters the layer)
    nodes = set(m.states.labels()["node"].to_numpy()[la.states])
    assert nodes == {"b", "r"}
    links = m.lp.vars["flow"].labels["link"].to_numpy()
    assert set(links[la.entering]) == {"ab"}


# --------------------------------------------------------------------------- embargo through a swap

# Russian crude u at f (50 USD/t) is swapped at s into g (1 USD/t), then s → r (PL) 5 USD/t;
# genuine Kazakh g at k (100 USD/t) reaches s for 2 USD/t.
SWAP_NODES = [node("f", "RU", "field"), node("k", "KZ", "field"), node("s", "RU"),
              node("r", "PL", "refinery")]  # fmt: skip
SWAP_LINKS = [
    link("fs", "f", "s", 1, mode="swap", swap_grade_in="u", swap_grade_out="g"),
    link("ks", "k", "s", 2),
    link("sr", "s", "r", 5),
]


def swap_net(policies: list[dict[str, Any]] | None = None) -> Any:
    return tiny_network(
        grades=GRADES, nodes=SWAP_NODES, links=SWAP_LINKS,
        supplies=[{"node": "f", "grade": "u", "price_usd_per_t": 50.0, "max_mt_per_year": 100.0},
                  {"node": "k", "grade": "g", "price_usd_per_t": 100.0, "max_mt_per_year": 100.0}],
        demands=[{"node": "r", "demand_mt_per_year": 5.0}], policies=policies,
    )  # fmt: skip


def test_origin_embargo_holds_through_a_swap() -> None:
    # Without the embargo: swapped Russian crude, 50 + 1 + 5 = 56 → 280 MUSD. With PL's
    # embargo on Russian crude, the swapped tonnes are still Russian (the g that leaves s for
    # r by the swap): only genuine Kazakh g, 100 + 2 + 5 = 107 → 535 MUSD.
    assert plan(swap_net()).objective_usd == pytest.approx(280 * M)
    emb = [{"id": "e", "kind": "embargo", "importers": ["PL"], "origins": ["RU"]}]
    p = plan(swap_net(emb))
    assert p.objective_usd == pytest.approx(535 * M)
    assert flow(p, "fs") == pytest.approx(0.0)
    assert flow(p, "ks") == pytest.approx(5.0)
    got = check_layers(swap_net(emb))
    assert got["origin:RU"].get("sr", 0.0) == pytest.approx(0.0)


def test_origin_share_cap_counts_swapped_crude() -> None:
    # Russian-origin ≤ 40 % of PL's runs, swapped crude included: 2 Mt at 56 + 3 Mt at 107
    # = 112 + 321 = 433 MUSD (by grade alone the swapped g would not count: 280).
    cap = [{"id": "c", "kind": "share_cap", "importer": "PL", "by": "origin", "country": "RU",
            "max_share_pct": 40.0}]  # fmt: skip
    p = plan(swap_net(cap))
    assert p.objective_usd == pytest.approx(433 * M)
    got = check_layers(swap_net(cap))
    assert got["origin:RU"]["sr"] == pytest.approx(2.0)


# --------------------------------------------------------------------------- shipped scenario


def test_belarus_without_russian_crude_takes_none_that_crossed_russia() -> None:
    # With the 2023 measures lifted, Belarus used to get Kazakh KEBCO shipped from
    # Novorossiysk (through Russia, which the scenario's description rules out). The
    # route-wide transit cap (BY, transit RU, 0 %) leaves no run of crude that crossed RU.
    import crudeflow as cf

    base = cf.read_dataset("caspian-europe")
    lifted = cf.read_scenario("no-2023-measures").apply(base)
    net = cf.read_scenario("belarus-without-russian-crude").apply(lifted)
    got = check_layers(net)
    m = got["model"]
    la = m.tags.layer(Tag("transit", "RU"))
    assert la is not None
    by = np.isin(m.lp.vars["consume"].labels["node"].to_numpy()[la.consume], ["mozyr", "naftan"])
    assert got["x"][la.consume_y[by]].sum() == pytest.approx(0.0, abs=1e-7)
    p = cf.plan(net)
    by_paths = p.paths[p.paths["sink"].isin(["mozyr", "naftan"])]
    assert not any("RU" in t for t in by_paths["transit"])
    assert by_paths["mt_per_year"].sum() == pytest.approx(
        p.deliveries.loc[p.deliveries["refinery"].isin(["mozyr", "naftan"]), "mt_per_year"].sum()
    )


# --------------------------------------------------------------------------- delivered costs split by tag

# f (KZ) → a (RU) → j (UA): 2 + 2 USD/t; f → c (PL) → j: 8 + 8; j → r1 (BY), j → r2 (LT): 1 each.
SPLIT_NODES = [
    node("f", "KZ", "field"), node("a", "RU"), node("c", "PL"), node("j", "UA"),
    node("r1", "BY", "refinery"), node("r2", "LT", "refinery"),
]  # fmt: skip
SPLIT_LINKS = [link("fa", "f", "a", 2), link("aj", "a", "j", 2), link("fc", "f", "c", 8),
               link("cj", "c", "j", 8), link("jr1", "j", "r1", 1), link("jr2", "j", "r2", 1)]  # fmt: skip


def test_delivered_costs_keep_tagged_and_untagged_crude_apart() -> None:
    # BY takes ≤ 20 % crude that crossed RU: r1 gets 1 Mt via RU (100 + 4 + 1 = 105) and 4 Mt
    # via PL (100 + 16 + 1 = 117), r2 all 5 Mt via RU (105): 6 × 105 + 4 × 117 = 1098 MUSD.
    # r1's delivered cost is (105 + 4 × 117) / 5 = 114.6, r2's 105 — not the blend at j
    # (6 × 104 + 4 × 116) / 10 + 1 = 109.8 for both.
    cap = [{"id": "noru", "kind": "share_cap", "importer": "BY", "by": "transit", "country": "RU",
            "max_share_pct": 20.0}]  # fmt: skip
    net = tiny_network(
        grades=GRADES, nodes=SPLIT_NODES, links=SPLIT_LINKS,
        supplies=[{"node": "f", "grade": "g", "price_usd_per_t": 100.0, "max_mt_per_year": 100.0}],
        demands=[{"node": "r1", "demand_mt_per_year": 5.0}, {"node": "r2", "demand_mt_per_year": 5.0}],
        policies=cap,
    )  # fmt: skip
    p = plan(net)
    assert p.objective_usd == pytest.approx(1098 * M)
    assert p.costs.loc["r1", "delivered_cost_usd_per_t"] == pytest.approx(114.6)
    assert p.costs.loc["r2", "delivered_cost_usd_per_t"] == pytest.approx(105.0)
    assert p.costs.loc["r1", "transport_usd_per_t"] == pytest.approx(14.6)
    d = p.deliveries.set_index("refinery")
    assert d.loc["r1", "delivered_cost_usd_per_t"] == pytest.approx(114.6)
    # per refinery: the delivered cost is the volume-weighted cost of its paths
    for r in ("r1", "r2"):
        rp = p.paths[p.paths["sink"] == r]
        w = float((rp["mt_per_year"] * rp["cost_usd_per_t"]).sum() / rp["mt_per_year"].sum())
        assert p.costs.loc[r, "delivered_cost_usd_per_t"] == pytest.approx(w)
    # and the deliveries add up to the objective
    total = float((p.deliveries["mt_per_year"] * p.deliveries["delivered_cost_usd_per_t"]).sum())
    assert total * M == pytest.approx(p.objective_usd)


def test_tagged_lps_stay_on_simplex() -> None:
    # Interior point stalls on the tagged ≤ flow rows (synthetic 10k links, 10 tagged
    # countries: over 900 s against 27 s simplex): large multi-grade LPs go to IPM only untagged.
    from crudeflow.optimize.solve import cold_options

    cap = [{"id": "noru", "kind": "share_cap", "importer": "BY", "by": "transit", "country": "RU",
            "max_share_pct": 20.0}]  # fmt: skip
    assert cold_options(build_lp(route_net()).lp, None, min_cols=1) == {"solver": "ipm"}
    assert cold_options(build_lp(route_net(cap)).lp, None, min_cols=1) == {}
    assert cold_options(build_lp(route_net(cap)).lp, {"solver": "ipm"}, min_cols=1) == {"solver": "ipm"}
