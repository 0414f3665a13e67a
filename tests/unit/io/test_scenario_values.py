"""Nonsense scenario values are errors naming file, line, field and value (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow import ScenarioError
from crudeflow.cli import app
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


@pytest.fixture
def net() -> Network:
    # a (KZ field) -> b (RU junction) -> r (BY refinery)
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
    )


def _errors(text: str, net: Network | None = None) -> str:
    """The message of the ScenarioError the change raises on reading or applying."""
    text = "name: s\nchanges:\n" + text
    if net is None:
        with pytest.raises(ScenarioError) as info:
            parse_scenario(text, "t.yaml")
        return str(info.value)
    sc = parse_scenario(text, "t.yaml")
    with pytest.raises(ScenarioError) as info:
        sc.apply(net)
    return str(info.value)


PARSE_CASES = [
    # (change on line 3.., expected "line N, column 'X'", the value shown)
    ("  - scale: [{table: links, id: ab, column: capacity_mt_per_year, factor: -2}]\n", "scale.factor", "-2"),
    (
        "  - scale: [{table: links, id: ab, column: capacity_mt_per_year, factor: .nan}]\n",
        "scale.factor",
        "nan",
    ),
    (
        "  - scale: [{table: links, id: ab, column: capacity_mt_per_year, factor: .inf}]\n",
        "scale.factor",
        "inf",
    ),
    ("  - scale: [{table: links, id: ab, column: status, factor: 2}]\n", "scale.column", "'status'"),
    ("  - set: [{table: links, id: ab, column: capacity_mt_per_year, value: .nan}]\n", "set.value", "nan"),
    ("  - set: [{table: links, id: ab, column: tariff_usd_per_t, value: -5}]\n", "set.value", "-5"),
    ("  - set: [{table: supplies, id: a/g, column: price_usd_per_t, value: -1}]\n", "set.value", "-1"),
    ("  - set: [{table: demands, id: r, column: demand_mt_per_year, value: -3}]\n", "set.value", "-3"),
    ("  - set: [{table: links, id: ab, column: capacity_mt_per_year, value: lots}]\n", "set.value", "'lots'"),
    ("  - set: [{table: links, id: ab, column: status, value: shut}]\n", "set.value", "'shut'"),
    ("  - set: [{table: slates, id: r/g, column: max_share_pct, value: 150}]\n", "set.value", "150"),
    ("  - price: [{node: a, grade: g, price_usd_per_t: -1}]\n", "price.price_usd_per_t", "-1"),
    ("  - price: [{node: a, grade: g, price_usd_per_t: .nan}]\n", "price.price_usd_per_t", "nan"),
    ("  - capacity: {ab: .nan}\n", "capacity.ab", "nan"),
    ("  - tariff: {ab: abc}\n", "tariff.ab", "'abc'"),
    ("  - disable_countries: [{country: XX}]\n", "disable_countries.country", "'XX'"),
    ("  - disable_countries: [{country: RUS, as: transit}]\n", "disable_countries.country", "'RUS'"),
    ("  - disable_countries: [{country: RU, role: transit}]\n", "disable_countries.role", "unknown field 'role'"),
    ("  - add_links:\n      - {id: x, name: x, from: a, to: r, mode: pipeline, capacity_mt_per_year: 1, "
     "tariff_usd_per_t: 1, distance_km: 1, source: test}\n      - {id: x, name: y, from: a, to: r, "
     "mode: pipeline, capacity_mt_per_year: 1, tariff_usd_per_t: 1, distance_km: 1, source: test}\n",
     "add_links[1].id", "duplicate 'x'"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "column", "shown"), PARSE_CASES, ids=[c[1] for c in PARSE_CASES])
def test_nonsense_value_is_an_error_on_reading(change: str, column: str, shown: str) -> None:
    msg = _errors(change)
    line = 5 if column == "add_links[1].id" else 3
    assert f"t.yaml, line {line}, column '{column}'" in msg
    assert f"found {shown}" in msg


APPLY_CASES = [
    ("  - disable_countries: [{country: FR}]\n", "disable_countries.country", "'FR'"),
    ("  - add_policies: [{id: p, kind: embargo, importers: [ZZ], origins: [KZ], source: test}]\n",
     "add_policies[0].importers", "'ZZ'"),
    ("  - add_policies: [{id: p, kind: embargo, importers: [BY], origins: [FR], source: test}]\n",
     "add_policies[0].origins", "'FR'"),
    ("  - add_policies: [{id: p, kind: transit_ban, country: RU, origins: [g], source: test}]\n",
     "add_policies[0].origins", "'g'"),
    ("  - add_policies: [{id: p, kind: transit_ban, country: RU, origins: [KZ], source: nowhere}]\n",
     "add_policies[0].source", "'nowhere'"),
    ("  - demand: {b: 4}\n", "demand", "'b' (a junction node)"),
    ("  - demand: {a: 4}\n", "demand", "'a' (a field node)"),
    ("  - add_nodes: [{id: b, name: B, kind: junction, country: RU, lat: 50, lon: 30, source: test}]\n",
     "add_nodes[0].id", "'b'"),
    ("  - add_contracts: [{id: c, seller: nope, buyer: r, min_mt_per_year: 1, source: test}]\n",
     "add_contracts[0].seller", "'nope'"),
    ("  - add_contracts: [{id: c, seller: FR, buyer: r, min_mt_per_year: 1, source: test}]\n",
     "add_contracts[0].seller", "'FR'"),
    ("  - add_contracts: [{id: c, seller: KZ, buyer: b, min_mt_per_year: 1, source: test}]\n",
     "add_contracts[0].buyer", "'b'"),
    ("  - add_contracts: [{id: c, seller: KZ, buyer: r, min_mt_per_year: 4, max_mt_per_year: 2, source: test}]\n",
     "add_contracts[0].min_mt_per_year", "4.0"),
    ("  - add_links: [{id: x, name: x, from: a, to: zz, mode: pipeline, capacity_mt_per_year: 1, "
     "tariff_usd_per_t: 1, distance_km: 1, source: test, grades: [nope]}]\n", "add_links[0].to", "'zz'"),
    ("  - set: [{table: links, id: ab, column: to, value: zz}]\n", "set.value", "'zz'"),
    ("  - scale: [{table: slates, id: r/g, column: max_share_pct, factor: 2}]\n", "scale.id", "'r/g'"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "column", "shown"), APPLY_CASES, ids=[c[1] for c in APPLY_CASES])
def test_nonsense_value_is_an_error_against_the_network(
    net: Network, change: str, column: str, shown: str
) -> None:
    parse_scenario("name: s\nchanges:\n" + change, "t.yaml")  # reads fine: only the network knows
    msg = _errors(change, net)
    assert f"t.yaml, line 3, column '{column}'" in msg
    assert f"found {shown}" in msg


def test_contract_min_above_max_is_not_left_to_the_solver(net: Network, tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    from crudeflow import write_dataset

    write_dataset(net, folder)
    sc = tmp_path / "c.yaml"
    sc.write_text(
        "name: c\nchanges:\n  - add_contracts:\n"
        "      - {id: c, seller: KZ, buyer: r, min_mt_per_year: 4, max_mt_per_year: 2, source: test}\n"
    )
    res = CliRunner().invoke(app, ["plan", "--dataset", str(folder), "--scenario", str(sc)])
    assert res.exit_code == 2
    assert "c.yaml, line 4, column 'add_contracts[0].min_mt_per_year'" in res.output
    assert "HiGHS" not in res.output
    assert "Traceback" not in res.output


def test_scale_within_bounds_still_works(net: Network) -> None:
    sc = parse_scenario(
        "name: s\nchanges:\n  - scale: [{table: links, id: br, column: capacity_mt_per_year, factor: 0.2}]\n"
        "  - set: [{table: links, id: ab, column: status, value: intermittent}]\n"
    )
    changed = sc.apply(net)
    assert changed.links.loc["br", "capacity_mt_per_year"] == pytest.approx(2.0)
    assert changed.links.loc["ab", "status"] == "intermittent"


def test_scale_past_the_columns_bound_is_an_error() -> None:
    net = tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[{"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 10}],
        supplies=[{"node": "a", "max_mt_per_year": 10, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
        slates=[{"node": "r", "grade": "g", "max_share_pct": 60}],
    )
    sc = parse_scenario(
        "name: s\nchanges:\n  - scale: [{table: slates, id: r/g, column: max_share_pct, factor: 2}]\n",
        "t.yaml",
    )
    with pytest.raises(ScenarioError) as info:
        sc.apply(net)
    # 60 % x 2 = 120 %, past the 100 % a share can be
    assert "t.yaml, line 3, column 'scale.factor'" in str(info.value)
    half = parse_scenario(
        "name: s\nchanges:\n  - scale: [{table: slates, id: r/g, column: max_share_pct, factor: 0.5}]\n"
    ).apply(net)
    assert half.slates.loc[("r", "g"), "max_share_pct"] == pytest.approx(30.0)
