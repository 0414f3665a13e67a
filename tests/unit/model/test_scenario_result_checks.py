"""Checks on a scenario's result: bounds, changes to inactive links, implausible values (review #9, #5, #7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow import ScenarioError, write_dataset
from crudeflow.cli import app
from crudeflow.exceptions import Problem
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


@pytest.fixture
def net() -> Network:
    # a (KZ field, 10..20 Mt/yr) -> r (BY refinery); 'new' is a planned link, 'dry' has no capacity
    return tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            {"id": "b", "country": "RU"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[
            {"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 30, "tariff_usd_per_t": 10},
            {
                "id": "ab",
                "from": "a",
                "to": "b",
                "capacity_mt_per_year": 5,
                "tariff_usd_per_t": 3,
                "status": "planned",
            },
            {"id": "br", "from": "b", "to": "r", "capacity_mt_per_year": 0, "tariff_usd_per_t": 3},
        ],
        supplies=[{"node": "a", "min_mt_per_year": 10, "max_mt_per_year": 20, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 15, "min_api": 20, "max_api": 40}],
        contracts=[{"id": "k", "seller": "KZ", "buyer": "BY", "min_mt_per_year": 2, "max_mt_per_year": 8}],
    )


def _apply(changes: str, net: Network) -> Network:
    return parse_scenario("name: s\nchanges:\n" + changes, "t.yaml").apply(net)


def _problems(changes: str, net: Network) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        _apply(changes, net)
    return [p for p in info.value.problems if p.severity == "error"]


# ---- bounds (review #9): infeasible bounds are a file-and-line error, not a solver failure


def test_scale_of_a_supply_max_below_its_min_is_an_error_at_its_line(net: Network) -> None:
    (p,) = _problems(
        "  - capacity: {ar: 25}\n"
        "  - scale: [{table: supplies, id: a/g, column: max_mt_per_year, factor: 0.4}]\n",
        net,
    )
    assert (p.file, p.row, p.column) == ("t.yaml", 4, "scale.factor")
    assert p.expected == "min_mt_per_year <= max_mt_per_year for supplies 'a/g' once every change is applied"
    assert p.found == "min_mt_per_year 10 > max_mt_per_year 8"  # 20 x 0.4 = 8


def test_set_of_a_supply_min_above_its_max_is_an_error(net: Network) -> None:
    (p,) = _problems("  - set: [{table: supplies, id: a/g, column: min_mt_per_year, value: 500}]\n", net)
    assert (p.row, p.column) == (3, "set.value")
    assert p.found == "min_mt_per_year 500 > max_mt_per_year 20"


def test_contract_and_quality_bounds_are_checked(net: Network) -> None:
    found = _problems(
        "  - set:\n"
        "      - {table: contracts, id: k, column: max_mt_per_year, value: 1}\n"
        "      - {table: demands, id: r, column: min_api, value: 45}\n",
        net,
    )
    assert [(p.row, p.found) for p in found] == [
        (4, "min_mt_per_year 2 > max_mt_per_year 1"),
        (5, "min_api 45 > max_api 40"),
    ]


def test_a_later_change_that_restores_the_bounds_is_fine(net: Network) -> None:
    out = _apply(
        "  - set: [{table: supplies, id: a/g, column: min_mt_per_year, value: 25}]\n"
        "  - set: [{table: supplies, id: a/g, column: max_mt_per_year, value: 30}]\n",
        net,
    )
    assert out.supplies.loc[("a", "g"), ["min_mt_per_year", "max_mt_per_year"]].tolist() == [25, 30]


def test_cli_exit_2_not_a_solver_failure(net: Network, tmp_path: Path) -> None:
    folder = write_dataset(net, tmp_path / "ds")
    scen = tmp_path / "s.yaml"
    scen.write_text(
        "name: s\nchanges:\n  - set: [{table: supplies, id: a/g, column: min_mt_per_year, value: 500}]\n"
    )
    res = CliRunner().invoke(app, ["plan", "-d", str(folder), "-s", str(scen)])
    assert res.exit_code == 2
    assert "s.yaml, line 3, column 'set.value'" in res.output
    assert "HiGHS" not in res.output


# ---- changes to links that carry no flow (review #5): a warning naming link, status and fix


def test_capacity_of_a_planned_link_warns_with_the_fix(net: Network) -> None:
    out = _apply("  - capacity: {ab: 10}\n", net)
    (w,) = out.warnings
    assert (w.severity, w.file, w.row, w.column) == ("warning", "t.yaml", 3, "capacity.ab")
    assert "'ab' is planned" in w.expected
    assert "enable_links: [ab]" in w.expected
    assert w.found == "'ab' (planned)"


@pytest.mark.parametrize(
    "change",
    [
        "  - tariff: {ab: 1}\n",
        "  - set: [{table: links, id: ab, column: tariff_usd_per_t, value: 1}]\n",
        "  - scale: [{table: links, id: ab, column: capacity_mt_per_year, factor: 2}]\n",
        "  - disable_links: [ar]\n  - tariff: {ar: 1}\n",
    ],
)
def test_every_link_change_to_an_inactive_link_warns(net: Network, change: str) -> None:
    out = _apply(change, net)
    assert len(out.warnings) == 1
    assert "enable_links" in out.warnings[0].expected


def test_a_tariff_on_a_link_of_capacity_zero_warns(net: Network) -> None:
    (w,) = _apply("  - tariff: {br: 1}\n", net).warnings
    assert w.found == "'br' (capacity 0)"
    assert "capacity: {br: N}" in w.expected


def test_no_warning_when_the_link_is_switched_on_or_closed_on_purpose(net: Network) -> None:
    assert _apply("  - capacity: {ab: 10}\n  - enable_links: [ab]\n", net).warnings == ()
    assert _apply("  - enable_links: [ab]\n  - capacity: {ab: 10}\n", net).warnings == ()
    assert _apply("  - capacity: {ar: 0}\n", net).warnings == ()
    assert _apply("  - capacity: {br: 4}\n", net).warnings == ()
    assert _apply("  - set: [{table: links, id: ab, column: status, value: operating}]\n", net).warnings == ()


def test_cli_plan_prints_the_warning(net: Network, tmp_path: Path) -> None:
    folder = write_dataset(net, tmp_path / "ds")
    scen = tmp_path / "s.yaml"
    scen.write_text("name: s\nchanges:\n  - capacity: {ab: 10}\n")
    res = CliRunner().invoke(app, ["plan", "-d", str(folder), "-s", str(scen)])
    assert res.exit_code == 0
    assert "warning: s.yaml, line 3, column 'capacity.ab'" in res.output
    assert "add 'enable_links: [ab]'" in res.output


# ---- implausible values (review #7): warnings naming the value and the plausible range


@pytest.mark.parametrize(
    ("change", "column", "found", "bound"),
    [
        ("  - demand: {r: 1e9}\n", "demand.r", "1e+09", "0 to 500 Mt/yr"),
        ("  - tariff: {ar: 1e308}\n", "tariff.ar", "1e+308", "0 to 2,000 USD/t"),
        ("  - capacity: {ar: 5000}\n", "capacity.ar", "5000", "0 to 1,000 Mt/yr"),
        ("  - price: [{node: a, grade: g, price_usd_per_t: 1e12}]\n", "price.price_usd_per_t", "1e+12",
         "0 to 5,000 USD/t"),
        ("  - scale: [{table: supplies, id: a/g, column: price_usd_per_t, factor: 100}]\n", "scale.factor",
         "40000", "0 to 5,000 USD/t"),
    ],
)  # fmt: skip
def test_implausible_scenario_values_warn(
    net: Network, change: str, column: str, found: str, bound: str
) -> None:
    (w,) = _apply(change, net).warnings
    assert (w.severity, w.row, w.column, w.found) == ("warning", 3, column, found)
    assert f"a value from {bound}, the plausible range of" in w.expected


def test_implausible_added_link_warns(net: Network) -> None:
    out = _apply(
        "  - add_links:\n"
        "      - {id: x, name: x, from: b, to: r, mode: pipeline, capacity_mt_per_year: 3,"
        " tariff_usd_per_t: 9000, distance_km: 0, source: test}\n",
        net,
    )
    (w,) = out.warnings
    assert (w.row, w.column, w.found) == (4, "add_links[0].tariff_usd_per_t", "'9000'")
    assert "0 to 2,000 USD/t" in w.expected


def test_plausible_values_do_not_warn(net: Network) -> None:
    assert _apply("  - demand: {r: 20}\n  - tariff: {ar: 40}\n", net).warnings == ()
