from __future__ import annotations

import pytest

from crudeflow import ScenarioError
from crudeflow.api import plan
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


@pytest.fixture
def net() -> Network:
    # a -> b -> r (refinery), a in KZ, b in RU, r in BY; direct rail a -> r dearer
    return tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            {"id": "b", "country": "RU"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[
            {"id": "ab", "from": "a", "to": "b", "capacity_mt_per_year": 10, "tariff_usd_per_t": 10},
            {"id": "br", "from": "b", "to": "r", "capacity_mt_per_year": 10, "tariff_usd_per_t": 10},
            {
                "id": "ar",
                "from": "a",
                "to": "r",
                "mode": "rail",
                "capacity_mt_per_year": 2,
                "tariff_usd_per_t": 50,
                "countries": "KZ;RU;BY",
            },
        ],
        supplies=[{"node": "a", "max_mt_per_year": 10, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
    )


def test_apply_leaves_base_untouched(net: Network) -> None:
    before = net.links.copy()
    sc = parse_scenario("name: s\nchanges:\n  - disable_links: [ab]\n  - capacity: {ar: 9}\n")
    changed = sc.apply(net)
    assert net.links.equals(before)
    assert changed.links.loc["ab", "status"] == "closed"
    assert changed.links.loc["ar", "capacity_mt_per_year"] == 9


def test_disabled_link_reroutes(net: Network) -> None:
    base = plan(net)
    # cheapest: a-b-r at 420 USD/t x 5 Mt = 2100 MUSD
    assert base.objective_usd == pytest.approx(2100e6)
    sc = parse_scenario("name: s\nchanges:\n  - disable_links: [br]\n")
    p = plan(net, sc)
    # rail carries 2 Mt at 450; 3 Mt unmet at the default 1000 USD/t penalty
    assert p.objective_usd == pytest.approx(2 * 450e6 + 3 * 1000e6)
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(3.0)
    assert "ar" in p.unmet.loc["r", "reason"]


def test_country_as_transit_blocks_routes_through_it(net: Network) -> None:
    sc = parse_scenario("name: s\nchanges:\n  - disable_countries: [{country: RU, as: transit}]\n")
    p = plan(net, sc)
    # both routes touch RU: nothing reaches r
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(5.0)


def test_country_as_supplier(net: Network) -> None:
    sc = parse_scenario("name: s\nchanges:\n  - disable_countries: [{country: KZ, as: supplier}]\n")
    p = plan(net, sc)
    assert p.supply["mt_per_year"].sum() == pytest.approx(0.0)


def test_add_policy_and_link(net: Network) -> None:
    sc = parse_scenario(
        "name: s\nchanges:\n"
        "  - add_policies:\n"
        "      - {id: duty, kind: export_duty, origin: KZ, usd_per_t: 30, source: test}\n"
    )
    p = plan(net, sc)
    # duty charged on a -> b (KZ -> RU) and on rail a -> r, and the KZ supply price is
    # ex-duty (400 - 30): 5 Mt x (370 + 20 + 30) = 5 x 420, the crude pays 30 on leaving KZ
    assert p.objective_usd == pytest.approx(5 * 420e6)
    assert p.deliveries["duties_usd_per_t"].iloc[0] == pytest.approx(30.0)
    assert p.objective_parts_usd["supply_usd"] == pytest.approx(5 * 370e6)


def test_bad_scenario_names_line_and_field() -> None:
    text = "name: s\nchanges:\n  - disable_links: [ab]\n  - tarif: {ab: 3}\n  - capacity: {ab: -2}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "bad.yaml")
    msg = str(info.value)
    assert "bad.yaml, line 4, column 'tarif'" in msg
    assert "bad.yaml, line 5, column 'capacity.ab'" in msg


def test_unknown_id_names_line(net: Network) -> None:
    sc = parse_scenario("name: s\nchanges:\n  - disable_links: [nope]\n", "x.yaml")
    with pytest.raises(ScenarioError) as info:
        sc.apply(net)
    assert "x.yaml, line 3" in str(info.value)
    assert "'nope'" in str(info.value)


def test_malformed_yaml() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario("name: s\nchanges: [\n", "m.yaml")
    assert "m.yaml, line" in str(info.value)
