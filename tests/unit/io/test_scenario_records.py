"""add_nodes / add_links / add_contracts / add_policies: a record leaving an optional field
out gets the schema default, exactly as an empty CSV cell would (issue 9)."""

from __future__ import annotations

import pytest

from crudeflow import ScenarioError
from crudeflow.api import load, plan
from crudeflow.io.scenario import parse_scenario, read_scenario
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network

LINK_A = "{id: new_ar, name: n1, from: a, to: r, mode: pipeline, capacity_mt_per_year: 10, tariff_usd_per_t: 1, distance_km: 0, source: test}"
LINK_B = "{id: new_br, name: n2, from: b, to: r, mode: pipeline, capacity_mt_per_year: 10, tariff_usd_per_t: 1, distance_km: 0, source: test, grades: [g], status: idle, bidirectional: true}"


@pytest.fixture
def net() -> Network:
    # a (KZ field) -> b (RU) -> r (BY refinery), 10 USD/t a leg; g at 400 USD/t
    return tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            {"id": "b", "country": "RU"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[
            {"id": "ab", "from": "a", "to": "b", "capacity_mt_per_year": 10, "tariff_usd_per_t": 10},
            {"id": "br", "from": "b", "to": "r", "capacity_mt_per_year": 10, "tariff_usd_per_t": 10},
        ],
        supplies=[{"node": "a", "max_mt_per_year": 10, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
        contracts=[{"id": "c0", "seller": "KZ", "buyer": "r", "max_mt_per_year": 20}],
    )


def test_add_links_record_without_grades_carries_crude(net: Network) -> None:
    # the first record omits grades (and status, bidirectional) while the second sets them
    sc = parse_scenario(f"name: s\nchanges:\n  - add_links:\n      - {LINK_A}\n      - {LINK_B}\n")
    changed = sc.apply(net)
    row = changed.links.loc["new_ar"]
    assert row["grades"] == ()
    assert row["status"] == "operating"
    assert row["bidirectional"] is False or row["bidirectional"] == False  # noqa: E712
    assert changed.links.loc["new_br", "grades"] == ("g",)
    # direct a -> r at 1 USD/t beats a -> b -> r at 20: 5 Mt x 401 USD/t
    p = plan(changed)
    assert p.objective_usd == pytest.approx(5 * 401e6)
    assert p.link_flows.loc["new_ar", "mt_per_year"] == pytest.approx(5.0)


def test_added_links_equal_the_same_rows_read_as_csv(net: Network) -> None:
    sc = parse_scenario(f"name: s\nchanges:\n  - add_links:\n      - {LINK_A}\n      - {LINK_B}\n")
    changed = sc.apply(net)
    # the same two records as links.csv rows (an omitted field is an empty cell)
    csv_net = tiny_network(
        nodes=[{"id": "a", "country": "KZ"}, {"id": "b", "country": "RU"}, {"id": "r", "country": "BY"}],
        links=[
            {"id": "new_ar", "name": "n1", "from": "a", "to": "r", "capacity_mt_per_year": 10.0,
             "tariff_usd_per_t": 1.0},
            {"id": "new_br", "name": "n2", "from": "b", "to": "r", "capacity_mt_per_year": 10.0,
             "tariff_usd_per_t": 1.0, "grades": "g", "status": "idle", "bidirectional": "true"},
        ],
    )  # fmt: skip
    for lid in ("new_ar", "new_br"):
        got, want = changed.links.loc[lid], csv_net.links.loc[lid]
        for col in csv_net.links.columns:
            a, b = got[col], want[col]
            same = (a != a and b != b) or a == b  # NaN == NaN for the outage columns
            assert same, (lid, col, a, b)


def test_add_nodes_and_contracts_mixed_optional_fields(net: Network) -> None:
    text = (
        "name: s\nchanges:\n"
        "  - add_nodes:\n"
        "      - {id: n1, name: N1, kind: junction, country: PL, lat: 50, lon: 20, source: test}\n"
        "      - {id: n2, name: N2, kind: junction, country: PL, lat: 50, lon: 21, source: test, note: hi}\n"
        "  - add_contracts:\n"
        "      - {id: c1, seller: KZ, buyer: r, min_mt_per_year: 1, source: test}\n"
        "      - {id: c2, seller: a, buyer: BY, max_mt_per_year: 3, take_or_pay_usd_per_t: 5, source: test}\n"
    )
    changed = parse_scenario(text).apply(net)
    assert changed.nodes.loc["n1", "note"] == ""
    assert changed.nodes.loc["n2", "note"] == "hi"
    c1, c2 = changed.contracts.loc["c1"], changed.contracts.loc["c2"]
    assert c1["max_mt_per_year"] == float("inf")  # the schema default: no ceiling
    assert c1["take_or_pay_usd_per_t"] != c1["take_or_pay_usd_per_t"]  # NaN: a hard minimum
    assert c2["min_mt_per_year"] == 0.0
    assert c2["take_or_pay_usd_per_t"] == 5.0
    # c2 caps a's crude at r to 3 Mt: 2 Mt of the 5 Mt demand go unmet (1000 USD/t penalty)
    p = plan(changed)
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(2.0)


def test_add_policies_mixed_optional_fields(net: Network) -> None:
    text = (
        "name: s\nchanges:\n  - add_policies:\n"
        "      - {id: d1, kind: export_duty, origin: KZ, usd_per_t: 30, source: test}\n"
        "      - {id: d2, kind: export_duty, origin: RU, usd_per_t: 5, importers: [BY], source: test, enabled: false}\n"
    )
    changed = parse_scenario(text).apply(net)
    assert changed.policies.loc["d1", "importers"] == ()
    assert bool(changed.policies.loc["d1", "enabled"]) is True
    assert bool(changed.policies.loc["d2", "enabled"]) is False
    # KZ duty 30 on a -> b with the KZ supply priced ex-duty (400 - 30): 5 Mt x (390 + 30)
    p = plan(changed)
    assert p.objective_usd == pytest.approx(5 * 420e6)
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(5 * 30e6)


def test_unknown_record_field_is_an_error_with_its_line(net: Network) -> None:
    text = f"name: s\nchanges:\n  - add_links:\n      - {LINK_A[:-1]}, grade: [g]}}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "t.yaml")
    assert "t.yaml, line 4, column 'add_links[0].grade'" in str(info.value)


def test_missing_required_field_names_record_and_field() -> None:
    text = "name: s\nchanges:\n  - add_links:\n      - {id: x, from: a, to: r}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "t.yaml")
    msg = str(info.value)
    assert "t.yaml, line 4, column 'add_links[0].capacity_mt_per_year'" in msg
    assert "found nothing" in msg


def test_capacity_in_kb_per_day_is_converted(net: Network) -> None:
    text = (
        "name: s\nchanges:\n  - add_links:\n      - {id: k, name: k, from: a, to: r, mode: pipeline, "
        "capacity_kb_per_day: 100, tariff_usd_per_t: 1, distance_km: 0, source: test}\n"
    )
    changed = parse_scenario(text).apply(net)
    # 100 kb/d x 365 / 7.33 bbl/t / 1000 = 4.98 Mt/yr
    assert changed.links.loc["k", "capacity_mt_per_year"] == pytest.approx(100 * 365 / 7.33 / 1000)


def test_shipped_belarus_scenario_keeps_southern_druzhba_transit() -> None:
    sc = read_scenario("belarus-without-russian-crude")
    # the 2023 wartime measures lifted, so Odessa-Brody could carry crude for Belarus
    net = sc.apply(read_scenario("no-2023-measures").apply(load(sc.base)))
    for lid in ("druzhba_transit_by_south", "druzhba_transit_by_north"):
        link = net.links.loc[lid]
        assert link["grades"] == ("urals", "siberian_light")
        assert link["status"] == "operating"
    p = plan(net)
    # the southern transit is alive: Urals for Slovakia and Hungary passes Belarus on it ...
    on_south = p.flows[p.flows["link"] == "druzhba_transit_by_south"]
    assert on_south["mt_per_year"].sum() > 0
    assert set(on_south["grade"]) <= {"urals", "siberian_light"}
    # ... so they no longer take Odessa-Brody from Belarus: far less of Belarus's demand is
    # unmet than the 10.6 Mt/yr the dead link gave
    by = p.unmet["mt_per_year"][p.costs["country"].reindex(p.unmet.index) == "BY"].sum()
    assert by < 8.0
    # and no Russian-origin crude reaches Mozyr or Naftan (the scenario's share cap)
    runs = p.deliveries[p.deliveries["refinery"].isin(["mozyr", "naftan"])]
    assert (runs["origin"] != "RU").all()


def test_every_shipped_scenario_adds_only_resolvable_records() -> None:
    from crudeflow.io.scenario import shipped_scenarios

    for name in shipped_scenarios():
        sc = read_scenario(name)
        net = sc.apply(load(sc.base))
        for grades in net.links["grades"]:
            assert set(grades) <= set(net.grades.index), (name, grades)
        assert not net.links.index.duplicated().any()
