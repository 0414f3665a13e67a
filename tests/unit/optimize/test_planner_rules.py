"""Hand-solved networks, one per rule: each plan is compared with the same network without
the rule, and the optimal objective and flows are worked out on paper in the comments.

Objectives are in USD/yr: volumes in Mt/yr × costs in USD/t × 1e6.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from crudeflow.api import plan
from crudeflow.exceptions import InfeasibleError
from crudeflow.testing import tiny_network

M = 1e6
GRADES = [
    # g: Kazakh light sweet; u: Russian medium sour; h: Azeri light
    {"grade": "g", "origin_country": "KZ", "api_gravity": 40.0, "sulfur_pct": 0.5, "bbl_per_t": 7.6},
    {"grade": "u", "origin_country": "RU", "api_gravity": 30.0, "sulfur_pct": 1.5, "bbl_per_t": 7.2},
    {"grade": "h", "origin_country": "AZ", "api_gravity": 36.0, "sulfur_pct": 0.2, "bbl_per_t": 7.5},
]


def node(nid: str, country: str, kind: str = "junction") -> dict[str, Any]:
    return {"id": nid, "country": country, "kind": kind}


def link(lid: str, a: str, b: str, tariff: float, cap: float = 100.0, **kw: Any) -> dict[str, Any]:
    return {"id": lid, "from": a, "to": b, "tariff_usd_per_t": tariff, "capacity_mt_per_year": cap, **kw}


def supply(n: str, grade: str, price: float, mx: float = 100.0, mn: float = 0.0) -> dict[str, Any]:
    return {"node": n, "grade": grade, "price_usd_per_t": price, "max_mt_per_year": mx, "min_mt_per_year": mn}


def demand(n: str, mt: float, **kw: Any) -> dict[str, Any]:
    return {"node": n, "demand_mt_per_year": mt, **kw}


def net(**kw: Any) -> Any:
    kw.setdefault("grades", GRADES)
    return tiny_network(**kw)


def flow(p: Any, link_id: str, grade: str | None = None) -> float:
    f = p.flows[p.flows["link"] == link_id]
    if grade is not None:
        f = f[f["grade"] == grade]
    return float(f["mt_per_year"].sum())


def runs(p: Any, refinery: str, grade: str) -> float:
    d = p.deliveries
    return float(d[(d["refinery"] == refinery) & (d["grade"] == grade)]["mt_per_year"].sum())


def check_plan(p: Any) -> None:
    """Invariants every plan keeps: parts sum, demand balance, capacities, paths."""
    d = p.deliveries
    parts = d[["price_usd_per_t", "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t"]].sum(axis=1)
    np.testing.assert_allclose(parts, d["delivered_cost_usd_per_t"], atol=1e-9)
    c = p.costs.dropna(subset=["delivered_cost_usd_per_t"])
    cparts = c[["price_usd_per_t", "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t"]].sum(axis=1)
    np.testing.assert_allclose(cparts, c["delivered_cost_usd_per_t"], atol=1e-9)
    assert sum(p.objective_parts_usd.values()) == pytest.approx(p.objective_usd, rel=1e-9, abs=1.0)
    got = d.groupby("refinery")["mt_per_year"].sum().reindex(p.costs.index).fillna(0.0)
    np.testing.assert_allclose(got + p.costs["unmet_mt_per_year"], p.costs["demand_mt_per_year"], atol=1e-6)
    lf = p.link_flows
    assert (lf["mt_per_year"] <= lf["capacity_mt_per_year"] + 1e-6).all()
    ref = p.paths[p.paths["sink_kind"] == "refinery"]
    by_ref = ref.groupby(["sink", "grade_out"])["mt_per_year"].sum()
    want = d.set_index(["refinery", "grade"])["mt_per_year"]
    np.testing.assert_allclose(by_ref.reindex(want.index).fillna(0.0), want, atol=1e-6)


# --------------------------------------------------------------------------- export duty

EXPORT_NODES = [
    node("fk", "KZ", "field"), node("fa", "AZ", "field"), node("j", "RU"),
    node("r", "DE", "refinery"), node("r2", "IT", "refinery"),
]  # fmt: skip
EXPORT_LINKS = [
    link("a", "fk", "j", 5), link("b", "j", "r", 5), link("c", "j", "r2", 5),
    link("d", "fa", "r", 5), link("e", "fa", "r2", 5),
]  # fmt: skip


def export_net(policies: list[dict[str, Any]] | None = None) -> Any:
    return net(
        nodes=EXPORT_NODES, links=EXPORT_LINKS,
        supplies=[supply("fk", "g", 100), supply("fa", "h", 115)],
        demands=[demand("r", 4), demand("r2", 3)], policies=policies,
    )  # fmt: skip


def test_export_duty_without_importers_moves_both_refineries_to_the_other_origin() -> None:
    # KZ crude costs 100 + 5 + 5 = 110 at r and r2 (via RU), AZ 115 + 5 = 120.
    # Without duty: all 7 Mt KZ at 110 = 770 MUSD.
    base = plan(export_net())
    assert base.objective_usd == pytest.approx(770 * M)
    assert runs(base, "r", "g") == pytest.approx(4)
    assert runs(base, "r2", "g") == pytest.approx(3)
    # Duty 20 on KZ crude leaving KZ (leg a), and KZ supply priced ex-duty (100 - 20): the
    # export costs 80 + 20 + 10 = 110 as before, so the plan keeps KZ crude; 140 MUSD of duty.
    duty = [{"id": "kzd", "kind": "export_duty", "origin": "KZ", "usd_per_t": 20.0}]
    p = plan(export_net(duty))
    assert p.objective_usd == pytest.approx(770 * M)
    assert runs(p, "r", "g") == pytest.approx(4)
    assert runs(p, "r2", "g") == pytest.approx(3)
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(7 * 20 * M)
    assert p.objective_parts_usd["supply_usd"] == pytest.approx(7 * 80 * M)
    check_plan(p)


def test_export_duty_towards_importers_is_charged_on_entry_even_through_transit() -> None:
    # Duty 20 only towards DE: charged on leg b (RU → DE, entering DE), not on c (→ IT).
    # r: KZ 130 vs AZ 120 -> AZ, 4 × 120 = 480; r2: KZ 110 -> 3 × 110 = 330. Total 810 MUSD.
    duty = [{"id": "kzd", "kind": "export_duty", "origin": "KZ", "usd_per_t": 20.0, "importers": ["DE"]}]
    p = plan(export_net(duty))
    assert p.objective_usd == pytest.approx(810 * M)
    assert runs(p, "r", "h") == pytest.approx(4)
    assert runs(p, "r2", "g") == pytest.approx(3)
    f = p.flows.set_index(["link", "grade"])
    assert f.loc[("a", "g"), "duty_usd_per_t"] == 0.0  # leaving KZ towards RU: no duty
    assert f.loc[("c", "g"), "duty_usd_per_t"] == 0.0


def test_export_duty_cost_parts_when_duty_is_paid() -> None:
    # Make AZ dear (200) so KZ still goes to r and pays the DE duty: 100 + 10 transport + 20 duty.
    nt = net(
        nodes=EXPORT_NODES, links=EXPORT_LINKS,
        supplies=[supply("fk", "g", 100), supply("fa", "h", 200)], demands=[demand("r", 4)],
        policies=[{"id": "kzd", "kind": "export_duty", "origin": "KZ", "usd_per_t": 20.0,
                   "importers": ["DE"]}],
    )  # fmt: skip
    p = plan(nt)
    d = p.deliveries.set_index(["refinery", "grade"]).loc[("r", "g")]
    assert d["price_usd_per_t"] == pytest.approx(100)
    assert d["transport_usd_per_t"] == pytest.approx(10)
    assert d["duties_usd_per_t"] == pytest.approx(20)
    assert d["delivered_cost_usd_per_t"] == pytest.approx(130)
    assert p.objective_usd == pytest.approx(4 * 130 * M)
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(4 * 20 * M)
    check_plan(p)


# --------------------------------------------------------------------------- transit

TRANSIT_NODES = [
    node("f", "KZ", "field"), node("u", "UA"), node("b", "BY"),
    node("r", "SK", "refinery"), node("q", "UA", "refinery"),
]  # fmt: skip
TRANSIT_LINKS = [
    link("fu", "f", "u", 5), link("ur", "u", "r", 5),  # via UA: 10
    link("fb", "f", "b", 8), link("br", "b", "r", 8),  # via BY: 16
    link("uq", "u", "q", 1),  # into a Ukrainian refinery
]  # fmt: skip


def transit_net(policies: list[dict[str, Any]] | None = None) -> Any:
    return net(
        nodes=TRANSIT_NODES, links=TRANSIT_LINKS, supplies=[supply("f", "g", 100)],
        demands=[demand("r", 5), demand("q", 2)], policies=policies,
    )  # fmt: skip


def test_transit_fee_reroutes_when_it_outweighs_the_detour() -> None:
    # Base: r via UA at 110 (5 Mt = 550), q at 106 (2 Mt = 212): 762 MUSD.
    base = plan(transit_net())
    assert base.objective_usd == pytest.approx(762 * M)
    assert flow(base, "ur") == pytest.approx(5)
    # Fee 10 per exit from UA: r via UA 120 > via BY 116 -> 5 × 116 = 580; q pays no fee
    # (crude ends in UA): 212. Total 792 MUSD.
    fee = [{"id": "uaf", "kind": "transit_fee", "country": "UA", "usd_per_t": 10.0}]
    p = plan(transit_net(fee))
    assert p.objective_usd == pytest.approx(792 * M)
    assert flow(p, "br") == pytest.approx(5)
    assert flow(p, "ur") == pytest.approx(0)
    assert flow(p, "uq") == pytest.approx(2)
    check_plan(p)


def test_transit_fee_is_charged_once_and_shows_as_fee_part() -> None:
    # Fee 4: via UA 114 < via BY 116, so r stays on UA and pays 4 once (on leg ur only).
    fee = [{"id": "uaf", "kind": "transit_fee", "country": "UA", "usd_per_t": 4.0}]
    p = plan(transit_net(fee))
    assert p.objective_usd == pytest.approx((5 * 114 + 2 * 106) * M)
    f = p.flows.set_index("link")
    assert f.loc["fu", "fee_usd_per_t"] == 0.0
    assert f.loc["ur", "fee_usd_per_t"] == 4.0
    d = p.deliveries.set_index("refinery")
    assert d.loc["r", "fees_usd_per_t"] == pytest.approx(4)
    assert d.loc["q", "fees_usd_per_t"] == pytest.approx(0)
    check_plan(p)


def test_transit_fee_on_a_leg_crossing_the_country() -> None:
    # One leg f -> r listing UA in its countries: fee charged on it (leaving UA territory).
    nt = net(
        nodes=[node("f", "KZ", "field"), node("r", "SK", "refinery")],
        links=[link("x", "f", "r", 10, countries="KZ;UA;SK")],
        supplies=[supply("f", "g", 100)], demands=[demand("r", 2)],
        policies=[{"id": "uaf", "kind": "transit_fee", "country": "UA", "usd_per_t": 7.0}],
    )  # fmt: skip
    p = plan(nt)
    assert p.objective_usd == pytest.approx(2 * 117 * M)


def test_transit_fee_limited_to_other_origins_leaves_plan_unchanged() -> None:
    fee = [{"id": "uaf", "kind": "transit_fee", "country": "UA", "usd_per_t": 10.0, "origins": ["AZ"]}]
    assert plan(transit_net(fee)).objective_usd == pytest.approx(762 * M)


def test_transit_ban_closes_passage_but_not_deliveries_into_the_country() -> None:
    # KZ crude may not pass UA: r goes via BY (5 × 116 = 580); q (in UA) still gets 2 × 106.
    ban = [{"id": "uab", "kind": "transit_ban", "country": "UA", "origins": ["KZ"]}]
    p = plan(transit_net(ban))
    assert p.objective_usd == pytest.approx(792 * M)
    assert flow(p, "ur") == pytest.approx(0)
    assert flow(p, "br") == pytest.approx(5)
    assert runs(p, "q", "g") == pytest.approx(2)
    check_plan(p)


# --------------------------------------------------------------------------- embargo, share caps

EMB_NODES = [node("fk", "KZ", "field"), node("fr", "RU", "field"), node("r", "DE", "refinery")]
EMB_LINKS = [
    link("k", "fk", "r", 10),  # KZ: 110 + 10 = 120
    link("p", "fr", "r", 15, cap=3),  # RU by pipeline: 90 + 15 = 105, 3 Mt/yr
    link("t", "fr", "r", 10, mode="tanker"),  # RU by sea: 90 + 10 = 100
]


def emb_net(policies: list[dict[str, Any]] | None = None, **dem: Any) -> Any:
    return net(
        nodes=EMB_NODES, links=EMB_LINKS,
        supplies=[supply("fk", "g", 110), supply("fr", "u", 90)],
        demands=[demand("r", 5, **dem)], policies=policies,
    )  # fmt: skip


def test_base_of_embargo_network() -> None:
    p = plan(emb_net())  # 5 Mt RU by sea at 100
    assert p.objective_usd == pytest.approx(500 * M)
    assert flow(p, "t") == pytest.approx(5)


def test_embargo_all_modes() -> None:
    # No RU crude into DE: 5 × 120 = 600 MUSD.
    pol = [{"id": "emb", "kind": "embargo", "importers": ["DE"], "origins": ["RU"]}]
    p = plan(emb_net(pol))
    assert p.objective_usd == pytest.approx(600 * M)
    assert runs(p, "r", "u") == 0.0
    check_plan(p)


def test_embargo_by_mode_leaves_the_pipeline_open() -> None:
    # Seaborne RU banned: pipeline 3 × 105 = 315, KZ 2 × 120 = 240; 555 MUSD.
    pol = [{"id": "emb", "kind": "embargo", "importers": ["DE"], "origins": ["RU"], "modes": ["tanker"]}]
    p = plan(emb_net(pol))
    assert p.objective_usd == pytest.approx(555 * M)
    assert flow(p, "p") == pytest.approx(3)
    assert flow(p, "t") == 0.0
    assert runs(p, "r", "g") == pytest.approx(2)
    check_plan(p)


def test_share_cap_by_origin() -> None:
    # RU ≤ 40 % of 5 Mt = 2 Mt at 100, KZ 3 Mt at 120: 560 MUSD.
    pol = [{"id": "cap", "kind": "share_cap", "importer": "DE", "by": "origin", "country": "RU",
            "max_share_pct": 40.0}]  # fmt: skip
    p = plan(emb_net(pol))
    assert p.objective_usd == pytest.approx(560 * M)
    assert runs(p, "r", "u") == pytest.approx(2)
    assert runs(p, "r", "g") == pytest.approx(3)
    check_plan(p)


def test_share_cap_by_transit() -> None:
    # Transit net without q: r needs 5; via UA 110, via BY 116. UA transit ≤ 20 % of runs:
    # 1 Mt via UA (110) + 4 Mt via BY (4 × 116 = 464): 574 MUSD.
    pol = [{"id": "cap", "kind": "share_cap", "importer": "SK", "by": "transit", "country": "UA",
            "max_share_pct": 20.0}]  # fmt: skip
    nt = net(nodes=TRANSIT_NODES, links=TRANSIT_LINKS, supplies=[supply("f", "g", 100)],
             demands=[demand("r", 5)])  # fmt: skip
    assert plan(nt).objective_usd == pytest.approx(550 * M)
    p = plan(nt.replace(policies=net(nodes=TRANSIT_NODES, links=[], policies=pol).policies))
    assert p.objective_usd == pytest.approx(574 * M)
    assert flow(p, "ur") == pytest.approx(1)
    assert flow(p, "br") == pytest.approx(4)
    conc = p.concentration.set_index(["importer", "by"])
    assert conc.loc[("SK", "transit"), "share_of_intake_pct"]["UA"] == pytest.approx(20.0)
    check_plan(p)


# --------------------------------------------------------------------------- contracts

CON_NODES = [node("fk", "KZ", "field"), node("fa", "AZ", "field"), node("r", "DE", "refinery")]
CON_LINKS = [link("k", "fk", "r", 10), link("a", "fa", "r", 10)]  # KZ 110, AZ 125


def con_net(contracts: list[dict[str, Any]] | None = None, az_max: float = 100.0) -> Any:
    return net(
        nodes=CON_NODES, links=CON_LINKS,
        supplies=[supply("fk", "g", 100), supply("fa", "h", 115, mx=az_max)],
        demands=[demand("r", 5)], contracts=contracts,
    )  # fmt: skip


def test_contract_base_and_hard_minimum() -> None:
    assert plan(con_net()).objective_usd == pytest.approx(550 * M)
    # AZ → r at least 3 Mt: 3 × 125 + 2 × 110 = 595 MUSD.
    p = plan(con_net([{"id": "c", "seller": "AZ", "buyer": "r", "min_mt_per_year": 3.0}]))
    assert p.objective_usd == pytest.approx(595 * M)
    assert runs(p, "r", "h") == pytest.approx(3)
    c = p.contracts.set_index("contract").loc["c"]
    assert c["delivered_mt_per_year"] == pytest.approx(3)
    assert c["shortfall_mt_per_year"] == 0.0
    check_plan(p)


def test_contract_hard_minimum_that_cannot_be_met_is_infeasible() -> None:
    with pytest.raises(InfeasibleError, match="'c'"):
        plan(con_net([{"id": "c", "seller": "AZ", "buyer": "r", "min_mt_per_year": 3.0}], az_max=2.0))


@pytest.mark.parametrize(
    ("top", "expected_musd", "az"),
    [
        # pay 10 per tonne short (3 × 10 = 30) rather than 15 extra per tonne: 550 + 30
        (10.0, 580.0, 0.0),
        # paying 20 short costs more than 15 extra: take 3 Mt AZ, 595
        (20.0, 595.0, 3.0),
    ],
)
def test_contract_take_or_pay(top: float, expected_musd: float, az: float) -> None:
    ct = [{"id": "c", "seller": "AZ", "buyer": "DE", "min_mt_per_year": 3.0, "take_or_pay_usd_per_t": top}]
    p = plan(con_net(ct))
    assert p.objective_usd == pytest.approx(expected_musd * M)
    assert runs(p, "r", "h") == pytest.approx(az)
    assert p.contracts["shortfall_mt_per_year"].iloc[0] == pytest.approx(3 - az)
    assert p.objective_parts_usd["contract_penalty_usd"] == pytest.approx((3 - az) * top * M)


@pytest.mark.parametrize("seller", ["KZ", "fk"])
def test_contract_maximum(seller: str) -> None:
    # At most 2 Mt from KZ (by origin or by supply node): 2 × 110 + 3 × 125 = 595 MUSD.
    p = plan(con_net([{"id": "c", "seller": seller, "buyer": "r", "max_mt_per_year": 2.0}]))
    assert p.objective_usd == pytest.approx(595 * M)
    assert runs(p, "r", "g") == pytest.approx(2)


# --------------------------------------------------------------------------- swap


def swap_net(with_swap: bool) -> Any:
    links = [link("direct", "f", "r", 50), link("pr", "p", "r", 10)]
    if with_swap:
        links.append(link("sw", "f", "p", 5, cap=3, mode="swap", swap_grade_in="g", swap_grade_out="h"))
    return net(
        nodes=[node("f", "KZ", "field"), node("p", "AZ", "port"), node("r", "DE", "refinery")],
        links=links, supplies=[supply("f", "g", 100)], demands=[demand("r", 5)],
    )  # fmt: skip


def test_swap_exchanges_grade_up_to_its_volume() -> None:
    # Without the swap: 5 Mt KZ direct at 150 = 750 MUSD.
    assert plan(swap_net(False)).objective_usd == pytest.approx(750 * M)
    # Swap: KZ g at f -> AZ h at p, fee 5, 3 Mt/yr: 100 + 5 + 10 = 115 × 3 = 345,
    # the rest direct 2 × 150 = 300: 645 MUSD.
    p = plan(swap_net(True))
    assert p.objective_usd == pytest.approx(645 * M)
    assert runs(p, "r", "h") == pytest.approx(3)
    assert runs(p, "r", "g") == pytest.approx(2)
    d = p.deliveries.set_index("grade")
    assert d.loc["h", "origin"] == "AZ"  # judged by the grade delivered
    assert d.loc["h", "delivered_cost_usd_per_t"] == pytest.approx(115)
    swap_paths = p.paths[p.paths["grade_out"] == "h"]
    assert list(swap_paths["nodes"]) == [("f", "p", "r")]
    assert swap_paths["grade"].iloc[0] == "g"
    check_plan(p)


# --------------------------------------------------------------------------- quality


def test_sulfur_ceiling() -> None:
    # Base: all RU (1.5 % S) by sea at 100: 500. Ceiling 1.0 %: 1.5 x_u + 0.5 x_g ≤ 5
    # with x_u + x_g = 5 -> x_u ≤ 2.5: 2.5 × 100 + 2.5 × 120 = 550 MUSD.
    p = plan(emb_net(max_sulfur_pct=1.0))
    assert p.objective_usd == pytest.approx(550 * M)
    assert runs(p, "r", "u") == pytest.approx(2.5)
    check_plan(p)


def test_api_floor() -> None:
    # API ≥ 34: 40 x_g + 30 x_u ≥ 170 with x_g + x_u = 5 -> x_g ≥ 2: 3 × 100 + 2 × 120 = 540.
    p = plan(emb_net(min_api=34.0))
    assert p.objective_usd == pytest.approx(540 * M)
    assert runs(p, "r", "g") == pytest.approx(2)


def test_api_ceiling() -> None:
    # KZ light crude cheap (80 + 10 = 90 vs RU 100): base 5 × 90 = 450.
    # API ≤ 36: 40 x_g + 30 x_u ≤ 180 -> x_g ≤ 3: 3 × 90 + 2 × 100 = 470 MUSD.
    def mk(**dem: Any) -> Any:
        return net(
            nodes=EMB_NODES, links=EMB_LINKS,
            supplies=[supply("fk", "g", 80), supply("fr", "u", 90)], demands=[demand("r", 5, **dem)],
        )  # fmt: skip

    assert plan(mk()).objective_usd == pytest.approx(450 * M)
    p = plan(mk(max_api=36.0))
    assert p.objective_usd == pytest.approx(470 * M)
    assert runs(p, "r", "g") == pytest.approx(3)


def test_slate_caps_a_grade_share() -> None:
    # RU ≤ 30 % of 5 Mt = 1.5 at 100, KZ 3.5 at 120: 150 + 420 = 570 MUSD.
    nt = net(
        nodes=EMB_NODES, links=EMB_LINKS,
        supplies=[supply("fk", "g", 110), supply("fr", "u", 90)], demands=[demand("r", 5)],
        slates=[{"node": "r", "grade": "u", "max_share_pct": 30.0}],
    )  # fmt: skip
    p = plan(nt)
    assert p.objective_usd == pytest.approx(570 * M)
    assert runs(p, "r", "u") == pytest.approx(1.5)


def test_quality_reason_when_a_limit_leaves_demand_unmet() -> None:
    # Only sour RU crude reachable, ceiling 1.0 % S: nothing can be run; 5 Mt unmet.
    nt = net(
        nodes=EMB_NODES, links=EMB_LINKS[1:], supplies=[supply("fr", "u", 90)],
        demands=[demand("r", 5, max_sulfur_pct=1.0)],
    )  # fmt: skip
    p = plan(nt)
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(5)
    assert p.objective_usd == pytest.approx(5 * 1000 * M)


# --------------------------------------------------------------------------- bidirectional


def bidir_net(shared: bool) -> Any:
    # a supplies g, b supplies h, both at 100; each refinery may run at most 50 % of its
    # local grade, so each needs the other side's grade over the a-b link (tariff 5).
    links = [link("ara", "a", "ra", 0), link("brb", "b", "rb", 0)]
    if shared:
        links.append(link("ab", "a", "b", 5, cap=2, bidirectional=True))
    else:
        links += [link("ab", "a", "b", 5, cap=2), link("ba", "b", "a", 5, cap=2)]
    return net(
        nodes=[node("a", "PL", "field"), node("b", "DE", "field"), node("ra", "PL", "refinery"),
               node("rb", "DE", "refinery")],
        links=links, supplies=[supply("a", "g", 100), supply("b", "h", 100)],
        demands=[demand("ra", 4), demand("rb", 4)],
        slates=[{"node": "ra", "grade": "g", "max_share_pct": 50.0},
                {"node": "rb", "grade": "h", "max_share_pct": 50.0}],
    )  # fmt: skip


def test_bidirectional_link_shares_one_capacity_between_directions() -> None:
    # Two one-way links of 2 Mt/yr: 2 Mt each way, both refineries run 4 Mt:
    # 8 × 100 + 4 × 5 = 820 MUSD.
    two = plan(bidir_net(False))
    assert two.objective_usd == pytest.approx(820 * M)
    # One shared 2 Mt/yr: y + z ≤ 2 moved across, runs ≤ 2y and 2z, so 4 Mt run and 4 unmet:
    # 4 × 100 + 2 × 5 + 4 × 1000 = 4,410 MUSD.
    p = plan(bidir_net(True))
    assert p.objective_usd == pytest.approx(4410 * M)
    assert p.link_flows.loc["ab", "mt_per_year"] == pytest.approx(2)
    assert p.unmet["mt_per_year"].sum() == pytest.approx(4)
    check_plan(p)


# --------------------------------------------------------------------------- duals, strict, reasons


def bottleneck_net(cap_b: float = 4.0, dem: float = 6.0) -> Any:
    return net(
        nodes=[node("f", "KZ", "field"), node("j", "RU"), node("r", "DE", "refinery")],
        links=[link("a", "f", "j", 5, cap=10), link("b", "j", "r", 3, cap=cap_b)],
        supplies=[supply("f", "g", 100, mx=20)], demands=[demand("r", dem)],
    )  # fmt: skip


def test_price_at_refinery_is_marginal_cost() -> None:
    # Uncongested (cap 10 ≥ 6): marginal tonne at r costs 100 + 5 + 3 = 108, at j 105.
    p = plan(bottleneck_net(cap_b=10))
    prices = p.prices.set_index(["node", "grade"])["usd_per_t"]
    assert prices[("r", "g")] == pytest.approx(108)
    assert prices[("j", "g")] == pytest.approx(105)
    # and it is the finite difference of the objective in demand
    p2 = plan(bottleneck_net(cap_b=10, dem=7))
    assert p2.objective_usd - p.objective_usd == pytest.approx(108 * M)


def test_shadow_price_of_a_binding_link() -> None:
    # b (4 Mt/yr) binds: 2 Mt unmet at 1000. One more Mt/yr on b saves 1000 − 108 = 892.
    p = plan(bottleneck_net())
    assert p.objective_usd == pytest.approx((4 * 108 + 2 * 1000) * M)
    assert p.link_flows.loc["b", "shadow_price_usd_per_t"] == pytest.approx(892)
    assert bool(p.link_flows.loc["b", "binding"])
    assert list(p.bottlenecks.index) == ["b"]
    assert p.prices.set_index(["node", "grade"]).loc[("r", "g"), "usd_per_t"] == pytest.approx(1000)
    p5 = plan(bottleneck_net(cap_b=5))
    assert p.objective_usd - p5.objective_usd == pytest.approx(892 * M)


def test_unmet_reason_names_the_binding_link() -> None:
    p = plan(bottleneck_net())
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(2)
    reason = p.unmet.loc["r", "reason"]
    assert "'b'" in reason
    assert "892" in reason


def test_unmet_reason_when_shortage_is_cheaper() -> None:
    nt = net(
        nodes=[node("f", "KZ", "field"), node("r", "DE", "refinery")],
        links=[link("a", "f", "r", 5)], supplies=[supply("f", "g", 100)],
        demands=[demand("r", 3, shortage_penalty_usd_per_t=50.0)],
    )  # fmt: skip
    p = plan(nt)
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(3)
    assert "shortage penalty" in p.unmet.loc["r", "reason"]


def test_unmet_reason_names_the_policy() -> None:
    pol = [{"id": "emb", "kind": "embargo", "importers": ["DE"], "origins": ["RU", "KZ"]}]
    p = plan(emb_net(pol))
    assert "emb" in p.unmet.loc["r", "reason"]


def test_strict_mode_raises_naming_the_refinery_and_cause() -> None:
    with pytest.raises(InfeasibleError) as err:
        plan(bottleneck_net(), strict=True)
    text = str(err.value)
    assert "r:" in text
    assert "'b'" in text
    # and a strict plan that can be met solves
    assert plan(bottleneck_net(cap_b=10), strict=True).objective_usd == pytest.approx(6 * 108 * M)


# --------------------------------------------------------------------------- markets, shut-in


def test_market_sales_and_fixed_output_shut_in() -> None:
    # Field must place 10 Mt. Refinery takes 3 (cost 100 + 5), the outlet buys up to 4 at
    # 130 (+ differential 0) over a leg of 10, the other 3 are shut in at 2000.
    nt = net(
        nodes=[node("f", "KZ", "field"), node("r", "DE", "refinery"), node("m", "IT", "market")],
        links=[link("fr", "f", "r", 5), link("fm", "f", "m", 10)],
        supplies=[supply("f", "g", 100, mx=10, mn=10)], demands=[demand("r", 3)],
        markets=[{"node": "m", "price_usd_per_t": 130.0, "max_mt_per_year": 4.0}],
    )  # fmt: skip
    p = plan(nt)
    # supply 10 × 100 + transport 3 × 5 + 4 × 10 + shut-in 3 × 2000 − revenue 4 × 130
    expected = 1000 + 15 + 40 + 6000 - 520
    assert p.objective_usd == pytest.approx(expected * M)
    assert p.sales["mt_per_year"].sum() == pytest.approx(4)
    assert p.sales["price_usd_per_t"].iloc[0] == pytest.approx(130)
    assert p.sales["delivered_cost_usd_per_t"].iloc[0] == pytest.approx(110)
    assert p.shut_in["mt_per_year"].sum() == pytest.approx(3)
    parts = p.objective_parts_usd
    assert parts["market_revenue_usd"] == pytest.approx(-520 * M)
    assert parts["shut_in_penalty_usd"] == pytest.approx(6000 * M)
    kinds = p.paths.groupby("sink_kind")["mt_per_year"].sum()
    assert kinds.to_dict() == pytest.approx({"market": 4, "refinery": 3, "shut_in": 3})
    check_plan(p)


def test_grade_restricted_link() -> None:
    # The cheap link only carries h: KZ crude must take the dear one.
    nt = net(
        nodes=[node("f", "KZ", "field"), node("r", "DE", "refinery")],
        links=[link("cheap", "f", "r", 1, grades="h"), link("dear", "f", "r", 9)],
        supplies=[supply("f", "g", 100)], demands=[demand("r", 2)],
    )  # fmt: skip
    p = plan(nt)
    assert p.objective_usd == pytest.approx(2 * 109 * M)
    assert flow(p, "cheap") == 0.0


def test_plan_frames_are_dataframes() -> None:
    p = plan(bottleneck_net())
    for name in ("flows", "link_flows", "deliveries", "costs", "prices", "unmet", "paths"):
        assert isinstance(getattr(p, name), pd.DataFrame)
    p.to_json()


def test_network_with_nothing_to_decide_plans_to_zero() -> None:
    # An empty LP (HiGHS: model empty) is a plan with nothing in it, not a solver error.
    p = plan(net(nodes=[node("a", "PL")], links=[]))
    assert p.status == "optimal"
    assert p.objective_usd == 0.0
    assert len(p.flows) == 0


def test_network_without_active_links_leaves_demand_unmet() -> None:
    nt = net(
        nodes=[node("f", "KZ", "field"), node("r", "DE", "refinery")],
        links=[link("a", "f", "r", 5, status="closed")],
        supplies=[supply("f", "g", 100)], demands=[demand("r", 2)],
    )  # fmt: skip
    p = plan(nt)
    assert p.objective_usd == pytest.approx(2 * 1000 * M)
    assert "no supply can reach it" in p.unmet.loc["r", "reason"]


def test_contract_by_supply_node_is_flagged_inexact_when_its_grade_is_supplied_elsewhere() -> None:
    # Two KZ fields supply grade g; a contract from field fk counts runs of g from either.
    nt = net(
        nodes=[*CON_NODES, node("fk2", "KZ", "field")],
        links=[*CON_LINKS, link("k2", "fk2", "r", 1)],
        supplies=[supply("fk", "g", 100), supply("fa", "h", 115), supply("fk2", "g", 100)],
        demands=[demand("r", 5)],
        contracts=[
            {"id": "node", "seller": "fk", "buyer": "r", "min_mt_per_year": 1.0},
            {"id": "origin", "seller": "AZ", "buyer": "r", "max_mt_per_year": 1.0},
        ],
    )  # fmt: skip
    c = plan(nt).contracts.set_index("contract")
    assert not c.loc["node", "exact"]
    assert c.loc["origin", "exact"]
    # the contract is met by fk2's cheaper g (101 < 110): all 5 Mt from fk2, 505 MUSD
    assert plan(nt).objective_usd == pytest.approx(505 * M)


def test_unmet_reason_names_a_binding_share_cap_and_slate() -> None:
    # Only RU crude reaches r; RU ≤ 40 % of runs means runs are all RU and ≤ 0.4 × runs,
    # so nothing can be run: 5 Mt unmet, and the reason names the cap.
    pol = [{"id": "cap", "kind": "share_cap", "importer": "DE", "by": "origin", "country": "RU",
            "max_share_pct": 40.0}]  # fmt: skip
    nt = net(nodes=EMB_NODES, links=EMB_LINKS[1:], supplies=[supply("fr", "u", 90)],
             demands=[demand("r", 5)], policies=pol)  # fmt: skip
    p = plan(nt)
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(5)
    assert "share cap 'cap'" in p.unmet.loc["r", "reason"]
    nt2 = net(nodes=EMB_NODES, links=EMB_LINKS[1:], supplies=[supply("fr", "u", 90)],
              demands=[demand("r", 5)], slates=[{"node": "r", "grade": "u", "max_share_pct": 50.0}])  # fmt: skip
    p2 = plan(nt2)
    assert "slate caps u at 50 %" in p2.unmet.loc["r", "reason"]
