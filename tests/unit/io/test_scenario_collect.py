"""A scenario with several problems reports every one with its line: problems found on
reading and problems found against the network together (issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow import ScenarioError, write_dataset
from crudeflow.api import plan
from crudeflow.cli import app
from crudeflow.io.scenario import parse_scenario
from crudeflow.testing import tiny_network

FOUR = (
    "name: four\n"
    "changes:\n"
    "  - scale: [{table: links, id: ab, column: capacity_mt_per_year, factor: -1}]\n"  # 3: reading
    "  - tarif: {ab: 3}\n"  # 4: reading
    "  - disable_links: [ab, nope]\n"  # 5: network
    "  - disable_countries: [{country: FR, as: transit}]\n"  # 6: network
)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    net = tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[{"id": "ab", "from": "a", "to": "r", "capacity_mt_per_year": 10, "tariff_usd_per_t": 10}],
        supplies=[{"node": "a", "max_mt_per_year": 10, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
    )
    return write_dataset(net, tmp_path / "ds")


def test_four_problems_all_reported_by_the_api(folder: Path, tmp_path: Path) -> None:
    sc = tmp_path / "four.yaml"
    sc.write_text(FOUR)
    with pytest.raises(ScenarioError) as info:
        plan(folder, str(sc))
    errors = [p for p in info.value.problems if p.severity == "error"]
    assert [p.row for p in errors] == [3, 4, 5, 6]
    assert [p.column for p in errors] == [
        "scale.factor",
        "tarif",
        "disable_links",
        "disable_countries.country",
    ]
    assert errors[2].found == "'nope'"


def test_four_problems_all_printed_by_the_cli(folder: Path, tmp_path: Path) -> None:
    sc = tmp_path / "four.yaml"
    sc.write_text(FOUR)
    res = CliRunner().invoke(app, ["plan", "--dataset", str(folder), "--scenario", str(sc)])
    assert res.exit_code == 2
    for line in (3, 4, 5, 6):
        assert f"four.yaml, line {line}" in res.output
    assert "Traceback" not in res.output


def test_every_bad_item_of_one_change_is_reported() -> None:
    text = (
        "name: s\nchanges:\n  - set:\n"
        "      - {table: links, id: ab, column: tariff_usd_per_t, value: -1}\n"
        "      - {table: links, id: ab, column: capacity_mt_per_year, value: .nan}\n"
        "  - price:\n"
        "      - {node: a, grade: g}\n"
        "      - {node: a, grade: g, price_usd_per_t: -4}\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "t.yaml")
    rows = sorted(p.row or 0 for p in info.value.problems)
    assert rows == [4, 5, 7, 8]


def test_reading_alone_still_raises_without_a_network() -> None:
    with pytest.raises(ScenarioError):
        parse_scenario(FOUR, "four.yaml")
