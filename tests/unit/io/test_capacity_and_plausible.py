"""capacity_kb_per_day on any row, conflicts refused (review #8); implausible CSV values warned (#7)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crudeflow import DatasetError, ScenarioError, read_dataset
from crudeflow.exceptions import Problem
from crudeflow.io.dataset import load_dataset
from crudeflow.io.scenario import parse_scenario
from crudeflow.testing import tiny_network

# the folder fixture's links.csv rows: 2 cpc (67 Mt/yr), 3 druzhba (20), 4 sea (100); reference 7.33 bbl/t
KBD_PER_MT = 7.33 * 1000 / 365  # 1 Mt/yr = 20.08 kb/d at 7.33 bbl/t


def _edit(path: Path, column: str, values: dict[int, str]) -> None:
    """Set cells of one column (adding it when missing) by spreadsheet row (header = 1)."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if column not in rows[0]:
        rows[0].append(column)
        for r in rows[1:]:
            r.append("")
    col = rows[0].index(column)
    for row, value in values.items():
        rows[row - 1][col] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _problems(folder: Path) -> list[Problem]:
    return load_dataset(folder)[1]


def test_a_row_may_give_only_kb_per_day(folder: Path) -> None:
    links = folder / "links.csv"
    _edit(links, "capacity_kb_per_day", {3: "400"})
    _edit(links, "capacity_mt_per_year", {3: ""})
    net = read_dataset(folder)
    # 400 kb/d x 365 d / 7.33 bbl/t / 1000 = 19.918 Mt/yr; the other rows keep their Mt/yr
    assert net.links.loc["druzhba", "capacity_mt_per_year"] == pytest.approx(400 * 365 / 7.33 / 1000)
    assert net.links.loc["cpc", "capacity_mt_per_year"] == 67


def test_both_filled_and_agreeing_within_rounding_is_fine(folder: Path) -> None:
    _edit(folder / "links.csv", "capacity_kb_per_day", {2: "1345", 3: "400"})  # 67 -> 1345.5; 20 -> 401.6
    net = read_dataset(folder)
    assert net.links.loc["cpc", "capacity_mt_per_year"] == 67  # the Mt/yr figure is kept
    assert net.links.loc["druzhba", "capacity_mt_per_year"] == 20


def test_both_filled_and_disagreeing_is_an_error_naming_the_row(folder: Path) -> None:
    _edit(folder / "links.csv", "capacity_kb_per_day", {2: "100"})
    errors = [p for p in _problems(folder) if p.severity == "error"]
    assert len(errors) == 1
    (p,) = errors
    assert (p.file, p.row, p.column, p.found) == ("links.csv", 2, "capacity_kb_per_day", "100")
    assert f"{67 * KBD_PER_MT:,.0f}" == "1,346"
    assert p.expected.startswith(
        "the capacity_mt_per_year figure 67 in kb/d, 1,346 at the reference 7.33 bbl/t"
    )


def test_neither_filled_is_one_error(folder: Path) -> None:
    links = folder / "links.csv"
    _edit(links, "capacity_kb_per_day", {2: "100"})
    _edit(links, "capacity_mt_per_year", {2: "", 3: ""})
    errors = [p for p in _problems(folder) if p.severity == "error"]
    assert [(p.row, p.column, p.found) for p in errors] == [(3, "capacity_mt_per_year", "neither")]


def test_scenario_link_with_both_disagreeing_is_an_error() -> None:
    net = tiny_network(
        nodes=["a", "r"], links=[{"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 5}]
    )
    text = (
        "name: s\nchanges:\n  - add_links:\n"
        "      - {id: k, name: k, from: a, to: r, mode: pipeline, capacity_kb_per_day: 100,"
        " capacity_mt_per_year: 1, tariff_usd_per_t: 1, distance_km: 0, source: test}\n"
        "      - {id: j, name: j, from: r, to: a, mode: pipeline, capacity_kb_per_day: 100,"
        " tariff_usd_per_t: 1, distance_km: 0, source: test}\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "t.yaml").apply(net)
    (p,) = info.value.problems
    assert (p.row, p.column, p.found) == (4, "add_links[0].capacity_kb_per_day", "100.0")
    assert "capacity_mt_per_year figure 1 in kb/d, 20 at the reference 7.33 bbl/t" in p.expected


def test_scenario_link_with_only_kb_per_day_next_to_one_with_mt(folder: Path) -> None:
    net = tiny_network(
        nodes=["a", "r"], links=[{"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 5}]
    )
    text = (
        "name: s\nchanges:\n  - add_links:\n"
        "      - {id: k, name: k, from: a, to: r, mode: pipeline, capacity_mt_per_year: 3,"
        " tariff_usd_per_t: 1, distance_km: 0, source: test}\n"
        "      - {id: j, name: j, from: r, to: a, mode: pipeline, capacity_kb_per_day: 100,"
        " tariff_usd_per_t: 1, distance_km: 0, source: test}\n"
    )
    out = parse_scenario(text, "t.yaml").apply(net)
    assert out.links.loc["k", "capacity_mt_per_year"] == 3
    assert out.links.loc["j", "capacity_mt_per_year"] == pytest.approx(100 * 365 / 7.33 / 1000)


@pytest.mark.parametrize(
    ("file", "column", "row", "value", "bound"),
    [
        ("demands.csv", "demand_mt_per_year", 2, "1e9", "0 to 500 Mt/yr"),
        ("supplies.csv", "price_usd_per_t", 2, "1e12", "0 to 5,000 USD/t"),
        ("markets.csv", "price_usd_per_t", 2, "6000", "0 to 5,000 USD/t"),
        ("links.csv", "capacity_mt_per_year", 3, "5000", "0 to 1,000 Mt/yr"),
        ("links.csv", "tariff_usd_per_t", 3, "1e308", "0 to 2,000 USD/t"),
    ],
)
def test_implausible_csv_values_warn_once(
    folder: Path, file: str, column: str, row: int, value: str, bound: str
) -> None:
    _edit(folder / file, column, {row: value})
    problems = _problems(folder)
    assert [p for p in problems if p.severity == "error"] == []
    (w,) = [p for p in problems if p.file == file]  # one warning, not also "a pipeline tariff up to 100"
    assert (w.severity, w.row, w.column, w.found) == ("warning", row, column, repr(value))
    assert w.expected.startswith(f"a value from {bound}, the plausible range of {column}")


def test_implausible_kb_per_day_capacity_warns(folder: Path) -> None:
    links = folder / "links.csv"
    _edit(links, "capacity_kb_per_day", {3: "30000"})  # 1,494 Mt/yr
    _edit(links, "capacity_mt_per_year", {3: ""})
    (w,) = [p for p in _problems(folder) if p.file == "links.csv"]
    assert (w.severity, w.row, w.column) == ("warning", 3, "capacity_kb_per_day")
    assert "30000 kb/d is 1,493.9 Mt/yr" in w.expected


def test_a_plausible_dataset_has_no_such_warning(folder: Path) -> None:
    assert [p for p in _problems(folder) if "plausible" in p.expected] == []


def test_dataset_error_lists_the_conflict(folder: Path) -> None:
    _edit(folder / "links.csv", "capacity_kb_per_day", {4: "1"})
    with pytest.raises(DatasetError, match=r"links.csv, row 4, column 'capacity_kb_per_day'"):
        read_dataset(folder)
