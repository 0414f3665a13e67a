"""Hand-solved networks for issue 14's kinds: transit refusal, reserved capacity, ship-or-pay,
throughput commitments on an outlet and swaps for named buyers.

Each network is planned with and without the rule; the optimum is worked out on paper in the
comments. Objectives are in USD/yr: volumes in Mt/yr × costs in USD/t × 1e6.
"""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.api import plan
from crudeflow.exceptions import DatasetError
from crudeflow.testing import tiny_network

M = 1e6
GRADES = [
    {"grade": "g", "origin_country": "KZ", "api_gravity": 40.0, "sulfur_pct": 0.5, "bbl_per_t": 7.6},
    {"grade": "u", "origin_country": "RU", "api_gravity": 30.0, "sulfur_pct": 1.5, "bbl_per_t": 7.2},
    {"grade": "h", "origin_country": "AZ", "api_gravity": 36.0, "sulfur_pct": 0.2, "bbl_per_t": 7.5},
    {"grade": "m", "origin_country": "VE", "api_gravity": 16.0, "sulfur_pct": 2.5, "bbl_per_t": 6.7},
]
TWO_YEARS = {"start": "2023-01-01", "end": "2024-12-31", "step": "year"}


def node(nid: str, country: str, kind: str = "junction") -> dict[str, Any]:
    return {"id": nid, "country": country, "kind": kind}


def link(lid: str, a: str, b: str, tariff: float, cap: float = 100.0, **kw: Any) -> dict[str, Any]:
    return {"id": lid, "from": a, "to": b, "tariff_usd_per_t": tariff, "capacity_mt_per_year": cap, **kw}


def supply(n: str, grade: str, price: float, mx: float = 100.0, mn: float = 0.0) -> dict[str, Any]:
    return {"node": n, "grade": grade, "price_usd_per_t": price, "max_mt_per_year": mx, "min_mt_per_year": mn}


def net(**kw: Any) -> Any:
    kw.setdefault("grades", GRADES)
    return tiny_network(**kw)


def flow(p: Any, link_id: str, grade: str | None = None) -> float:
    f = p.flows[p.flows["link"] == link_id]
    if grade is not None:
        f = f[f["grade"] == grade]
    col = "mt" if "mt" in f.columns else "mt_per_year"
    return float(f[col].sum())


def runs(p: Any, refinery: str, grade: str | None = None) -> float:
    d = p.deliveries
    d = d[d["refinery"] == refinery]
    if grade is not None:
        d = d[d["grade"] == grade]
    return float(d["mt_per_year"].sum())


def check_parts(p: Any) -> None:
    assert sum(p.objective_parts_usd.values()) == pytest.approx(p.objective_usd, rel=1e-9, abs=1.0)


# --------------------------------------------------------------------------- transit refusal

# KZ crude reaches Belarus (hub h) over Russia (j) for 10 USD/t or over Ukraine (u) for 25;
# from h it runs at Mozyr-like r (BY) or goes on to d (DE) for 5 more.
REF_NODES = [
    node("fk", "KZ", "field"), node("j", "RU"), node("u", "UA"), node("h", "BY"),
    node("r", "BY", "refinery"), node("d", "DE", "refinery"),
]  # fmt: skip
REF_LINKS = [
    link("fj", "fk", "j", 5), link("jh", "j", "h", 5), link("fu", "fk", "u", 15), link("uh", "u", "h", 10),
    link("hr", "h", "r", 0), link("hd", "h", "d", 5),
]  # fmt: skip
REFUSAL = {"id": "ru-no-kz-to-by", "kind": "transit_refusal", "country": "RU", "origins": ["KZ"],
           "importers": ["BY"]}  # fmt: skip


def refusal_net(links: list[dict[str, Any]] = REF_LINKS, policies: list[dict[str, Any]] | None = None) -> Any:
    return net(nodes=REF_NODES, links=links, supplies=[supply("fk", "g", 100)],
               demands=[{"node": "r", "demand_mt_per_year": 5.0}, {"node": "d", "demand_mt_per_year": 3.0}],
               policies=policies)  # fmt: skip


def test_transit_refusal_keeps_transit_but_not_delivery_to_the_importer() -> None:
    # Base: r via RU at 110 (5 Mt = 550), d via RU and BY at 115 (3 Mt = 345): 895 MUSD.
    assert plan(refusal_net()).objective_usd == pytest.approx(895 * M)
    # Refused: r's KZ crude must enter BY over UA: 125 × 5 = 625; d still crosses RU and BY
    # (transit, not delivery to BY): 345. 970 MUSD; 3 Mt on jh (to DE), 5 Mt on uh.
    p = plan(refusal_net(policies=[REFUSAL]))
    assert p.objective_usd == pytest.approx(970 * M)
    assert flow(p, "jh") == pytest.approx(3.0)
    assert flow(p, "uh") == pytest.approx(5.0)
    assert runs(p, "d") == pytest.approx(3.0)
    c = p.commitments.set_index("policy").loc["ru-no-kz-to-by"]
    assert c["binding"]
    assert c["shadow_price_usd_per_t"] == pytest.approx(15.0)  # 125 via UA − 110 via RU
    check_parts(p)


def test_unmet_reason_names_a_binding_transit_refusal() -> None:
    # Without the Ukrainian route r cannot get KZ crude at all: 5 Mt unmet, d still served.
    links = [lk for lk in REF_LINKS if lk["id"] not in ("fu", "uh")]
    p = plan(refusal_net(links, [REFUSAL]))
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(5.0)
    assert "transit refusal 'ru-no-kz-to-by'" in p.unmet.loc["r", "reason"]
    assert runs(p, "d") == pytest.approx(3.0)


# --------------------------------------------------------------------------- reserved capacity

# KZ crude at 100 and RU crude at 110 share one pipe a → r of 10 Mt/yr; r needs 10.
RES_NODES = [
    node("fk", "KZ", "field"),
    node("fr", "RU", "field"),
    node("a", "KZ"),
    node("r", "CN", "refinery"),
]
RES_LINKS = [link("ka", "fk", "a", 0), link("ra", "fr", "a", 0), link("p", "a", "r", 0, cap=10)]


def res_net(ru_max: float = 100.0, policies: list[dict[str, Any]] | None = None, **kw: Any) -> Any:
    return net(nodes=RES_NODES, links=RES_LINKS, supplies=[supply("fk", "g", 100), supply("fr", "u", 110, ru_max)],
               demands=[{"node": "r", "demand_mt_per_year": 10.0}], policies=policies, **kw)  # fmt: skip


def reserve(**kw: Any) -> dict[str, Any]:
    return {"id": "res", "kind": "reserved_capacity", "link": "p", "mt_per_year": 6.0, **kw}


def test_reserved_capacity_keeps_its_part_for_the_holder() -> None:
    # Base: all KZ, 10 × 100 = 1000 MUSD. Reserved 6 for RU: KZ ≤ 4, RU 6: 400 + 660 = 1060.
    assert plan(res_net()).objective_usd == pytest.approx(1000 * M)
    for holder in ({"origin": "RU"}, {"shipper": "fr"}):
        p = plan(res_net(policies=[reserve(**holder)]))
        assert p.objective_usd == pytest.approx(1060 * M)
        assert flow(p, "p", "g") == pytest.approx(4.0)
        c = p.commitments.set_index("policy").loc["res"]
        assert (c["used_mt_per_year"], c["others_mt_per_year"]) == pytest.approx((6.0, 4.0))
        assert c["binding"]


def test_a_reservation_for_a_contract_counts_its_sellers_crude() -> None:
    ct = [{"id": "c", "seller": "RU", "buyer": "r", "min_mt_per_year": 0.0}]
    p = plan(res_net(policies=[reserve(contract="c")], contracts=ct))
    assert flow(p, "p", "u") == pytest.approx(6.0)


def test_release_unused_gives_others_what_the_holder_cannot_use() -> None:
    # RU can ship at most 3. Not released: KZ ≤ 4, RU 3, 3 Mt short at 1000: 400 + 330 + 3000.
    p = plan(res_net(3.0, [reserve(origin="RU")]))
    assert p.objective_usd == pytest.approx(3730 * M)
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(3.0)
    assert "reservation 'res'" in p.unmet.loc["r", "reason"]
    # Released: the reservation shrinks to RU's 3, KZ ≤ 7: 700 + 330 = 1030 MUSD.
    p = plan(res_net(3.0, [reserve(origin="RU", release_unused=True)]))
    assert p.objective_usd == pytest.approx(1030 * M)
    assert flow(p, "p", "g") == pytest.approx(7.0)


def test_a_dated_reservation_binds_only_in_its_periods() -> None:
    p = plan(res_net(policies=[reserve(origin="RU", valid_from="2024-01-01")], periods=TWO_YEARS))
    f = p.flows
    by = f[(f["grade"] == "g") & (f["link"] == "p")].groupby("period")["mt"].sum()
    assert by["2023-01-01"] == pytest.approx(10.0)
    assert by["2024-01-01"] == pytest.approx(4.0)


def test_reservation_with_two_holders_or_an_unknown_link_is_an_error() -> None:
    with pytest.raises(DatasetError) as err:
        res_net(policies=[reserve(origin="RU", shipper="fr", link="nope")])
    text = str(err.value)
    assert "exactly one of origin, shipper, contract" in text
    assert "'nope'" in text
    assert "links.csv" in text


# --------------------------------------------------------------------------- ship-or-pay

# f → r over link a (10 USD/t) or link b (8 USD/t); r needs 5 at 100 USD/t.
SOP_NODES = [node("f", "KZ", "field"), node("x", "KZ"), node("r", "DE", "refinery")]
SOP_LINKS = [link("a", "f", "r", 10), link("b", "f", "x", 8), link("xr", "x", "r", 0)]


def sop_net(policies: list[dict[str, Any]] | None = None, **kw: Any) -> Any:
    return net(nodes=SOP_NODES, links=SOP_LINKS, supplies=[supply("f", "g", 100)],
               demands=[{"node": "r", "demand_mt_per_year": 5.0}], policies=policies, **kw)  # fmt: skip


def sop(paid: float, **kw: Any) -> dict[str, Any]:
    return {
        "id": "sop",
        "kind": "ship_or_pay",
        "link": "a",
        "paid_mt_per_year": paid,
        "fee_usd_per_t": 10.0,
        **kw,
    }


def test_ship_or_pay_volume_is_free_at_the_margin_and_its_fee_fixed() -> None:
    # Base: all via b, 5 × 108 = 540 MUSD.
    assert plan(sop_net()).objective_usd == pytest.approx(540 * M)
    # 3 Mt paid on a at 10 USD/t (30 MUSD fixed): 3 via a at 100, 2 via b at 108: 300 + 216 + 30.
    p = plan(sop_net([sop(3.0)]))
    assert p.objective_usd == pytest.approx(546 * M)
    assert (flow(p, "a"), flow(p, "b")) == pytest.approx((3.0, 2.0))
    c = p.commitments.set_index("policy").loc["sop"]
    assert (c["limit_mt_per_year"], c["used_mt_per_year"]) == pytest.approx((3.0, 3.0))
    assert c["paid_usd_per_year"] == pytest.approx(30 * M)
    assert p.economic_cost_usd == pytest.approx(546 * M)
    check_parts(p)
    # 8 Mt paid, 5 used: all via a at 100 + 80 fixed = 580 MUSD.
    p = plan(sop_net([sop(8.0)]))
    assert p.objective_usd == pytest.approx(580 * M)
    assert flow(p, "a") == pytest.approx(5.0)
    assert p.commitments.set_index("policy").loc["sop", "used_mt_per_year"] == pytest.approx(5.0)
    check_parts(p)


def test_beyond_the_paid_volume_the_tariff_applies() -> None:
    # a at 6 USD/t beats b; 3 paid at 6: 3 free + 2 × 6 + 18 fixed + 500 = 530 = the base.
    links = [link("a", "f", "r", 6), *SOP_LINKS[1:]]
    nt = net(nodes=SOP_NODES, links=links, supplies=[supply("f", "g", 100)],
             demands=[{"node": "r", "demand_mt_per_year": 5.0}],
             policies=[sop(3.0, fee_usd_per_t=6.0)])  # fmt: skip
    p = plan(nt)
    assert p.objective_usd == pytest.approx(530 * M)
    assert p.objective_parts_usd["transport_usd"] == pytest.approx(30 * M)  # 5 × 6 at the tariff
    assert p.objective_parts_usd["ship_or_pay_usd"] == pytest.approx(0.0, abs=1.0)  # 18 paid − 18 credit


def test_ship_or_pay_over_periods_counts_the_years_in_force() -> None:
    # 2023 without it: 540; 2024 with 3 paid: 546. 1086 MUSD over the two years.
    p = plan(sop_net([sop(3.0, valid_from="2024-01-01")], periods=TWO_YEARS))
    assert p.objective_usd == pytest.approx(1086 * M)
    by = p.flows[p.flows["link"] == "a"].groupby("period")["mt"].sum()
    assert by.get("2023-01-01", 0.0) == pytest.approx(0.0, abs=1e-9)
    assert by["2024-01-01"] == pytest.approx(3.0)


# --------------------------------------------------------------------------- outlet commitment


def outlet_net(shortfall: float) -> Any:
    pol = [{"id": "tc", "kind": "throughput_commitment", "market": "m", "min_mt_per_year": 2.0,
            "shortfall_usd_per_t": shortfall}]  # fmt: skip
    return net(nodes=[node("f", "KZ", "field"), node("r", "KZ", "refinery"), node("m", "CN", "market")],
               links=[link("fr", "f", "r", 0), link("fm", "f", "m", 0)],
               supplies=[supply("f", "g", 100, mx=10)], demands=[{"node": "r", "demand_mt_per_year": 5.0}],
               markets=[{"node": "m", "price_usd_per_t": 90.0, "max_mt_per_year": 10.0}],
               policies=pol)  # fmt: skip


def test_throughput_commitment_on_an_outlet() -> None:
    # Selling at 90 crude bought at 100 loses 10/t. Shortfall at 50/t: sell 2 (loses 20 < 100):
    # 500 + 200 − 180 = 520. Shortfall at 3/t: pay 2 × 3 = 6 instead: 506.
    p = plan(outlet_net(50.0))
    assert p.objective_usd == pytest.approx(520 * M)
    assert p.commitments.set_index("policy").loc["tc", "used_mt_per_year"] == pytest.approx(2.0)
    check_parts(p)
    p = plan(outlet_net(3.0))
    assert p.objective_usd == pytest.approx(506 * M)
    assert p.objective_parts_usd["commitment_penalty_usd"] == pytest.approx(6 * M)
    check_parts(p)


# --------------------------------------------------------------------------- swaps for buyers

# Venezuelan m at Jose (80) swapped for Azeri h at Supsa (fee 5, 5 Mt/yr); Azeri h also at
# Sangachal (110). r in Belarus needs 2 (10 from Supsa); the Mediterranean outlet pays 120
# for up to 3 (5 from Supsa).
SWAP_NODES = [
    node("jose", "VE", "field"), node("az", "AZ", "field"), node("supsa", "GE"),
    node("r", "BY", "refinery"), node("med", "IT", "market"),
]  # fmt: skip
SWAP_LINKS = [
    link("sw", "jose", "supsa", 5, cap=5, mode="swap", swap_grade_in="m", swap_grade_out="h"),
    link("azs", "az", "supsa", 0), link("sr", "supsa", "r", 10), link("sm", "supsa", "med", 5),
]  # fmt: skip


def swap_net(buyers: list[str] | None) -> Any:
    pol = None if buyers is None else [{"id": "sb", "kind": "swap_buyers", "link": "sw", "buyers": buyers}]
    return net(nodes=SWAP_NODES, links=SWAP_LINKS, supplies=[supply("jose", "m", 80), supply("az", "h", 110)],
               demands=[{"node": "r", "demand_mt_per_year": 2.0}],
               markets=[{"node": "med", "price_usd_per_t": 120.0, "max_mt_per_year": 3.0}],
               policies=pol)  # fmt: skip


def test_a_swap_for_a_buyer_is_used_only_for_that_buyer() -> None:
    # Untied: the swap runs full (5): 2 to r, 3 sold at med (arbitrage):
    # 5 × (80 + 5) + 2 × 10 + 3 × 5 − 3 × 120 = 100 MUSD.
    p = plan(swap_net(None))
    assert p.objective_usd == pytest.approx(100 * M)
    assert flow(p, "sw") == pytest.approx(5.0)
    # Tied to Belarus: swap ≤ r's runs of h = 2; med takes Sangachal crude:
    # 2 × 95 + 3 × (110 + 5) − 360 = 175 MUSD.
    for buyers in (["BY"], ["r"]):
        p = plan(swap_net(buyers))
        assert p.objective_usd == pytest.approx(175 * M)
        assert flow(p, "sw") == pytest.approx(2.0)
        assert flow(p, "azs") == pytest.approx(3.0)
        check_parts(p)


def test_swap_for_an_unknown_buyer_names_the_field() -> None:
    with pytest.raises(DatasetError) as err:
        swap_net(["nowhere"])
    text = str(err.value)
    assert "policies.yaml" in text
    assert "buyers" in text
    assert "'nowhere'" in text


def test_scenario_policy_naming_an_unknown_link_or_buyer_names_the_field() -> None:
    from crudeflow.exceptions import ScenarioError
    from crudeflow.io.scenario import parse_scenario

    text = (
        "name: s\nchanges:\n  - add_policies:\n"
        "      - {id: x, kind: ship_or_pay, link: nope, paid_mt_per_year: 1, fee_usd_per_t: 2, source: test}\n"
        "      - {id: y, kind: swap_buyers, link: sw, buyers: [nowhere], source: test}\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml").apply(swap_net(None))
    msg = str(info.value)
    assert "s.yaml, line 4, column 'add_policies[0].link'" in msg
    assert "'nope'" in msg
    assert "links.csv" in msg
    assert "'nowhere'" in msg


def test_delivered_cost_charges_no_tariff_on_the_prepaid_volume() -> None:
    # 3 Mt paid on a (tariff 10) and used: those tonnes pay no tariff in the LP, the other
    # 2 Mt go via b at 8. Transport per tonne delivered: (3 × 0 + 2 × 8) / 5 = 3.2 USD/t;
    # delivered 103.2 USD/t × 5 Mt + the fixed 30 MUSD paid = the 546 MUSD objective.
    p = plan(sop_net([sop(3.0)]))
    c = p.costs.loc["r"]
    assert c["transport_usd_per_t"] == pytest.approx(3.2)
    assert c["delivered_cost_usd_per_t"] == pytest.approx(103.2)
    assert 5 * c["delivered_cost_usd_per_t"] * M + 30 * M == pytest.approx(p.objective_usd)
    d = p.deliveries.set_index("refinery").loc["r"]
    assert d["transport_usd_per_t"] == pytest.approx(3.2)
    # 5 Mt on a (tariff 6), 3 of them prepaid: 2 × 6 / 5 = 2.4 USD/t of tariff per tonne
    links = [link("a", "f", "r", 6), *SOP_LINKS[1:]]
    nt = net(nodes=SOP_NODES, links=links, supplies=[supply("f", "g", 100)],
             demands=[{"node": "r", "demand_mt_per_year": 5.0}],
             policies=[sop(3.0, fee_usd_per_t=6.0)])  # fmt: skip
    p = plan(nt)
    assert p.costs.loc["r", "transport_usd_per_t"] == pytest.approx(2.4)
    assert 5 * p.costs.loc["r", "delivered_cost_usd_per_t"] * M + 18 * M == pytest.approx(p.objective_usd)
    if len(p.paths):
        assert (p.paths["transport_usd_per_t"] * p.paths["mt_per_year"]).sum() == pytest.approx(12.0)
