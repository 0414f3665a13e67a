"""Error messages a user can act on (review #11): no internal type names, one problem per
fault, no cascade of warnings from one unreadable file, a suggestion for an unknown id."""

from __future__ import annotations

from pathlib import Path

import pytest

from crudeflow import ScenarioError
from crudeflow.exceptions import Problem
from crudeflow.io.dataset import load_dataset
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


@pytest.fixture
def net() -> Network:
    return tiny_network(
        nodes=[
            {"id": "novorossiysk", "kind": "field", "country": "RU"},
            {"id": "omisalj", "kind": "refinery", "country": "HR"},
        ],
        links=[
            {
                "id": "novorossiysk__omisalj",
                "from": "novorossiysk",
                "to": "omisalj",
                "capacity_mt_per_year": 9,
            }
        ],
        supplies=[{"node": "novorossiysk", "max_mt_per_year": 9, "price_usd_per_t": 400}],
        demands=[{"node": "omisalj", "demand_mt_per_year": 5}],
    )


def _problems(text: str, net: Network | None = None) -> list[Problem]:
    def run() -> None:
        sc = parse_scenario(text, "t.yaml")
        if net is not None:
            sc.apply(net)

    with pytest.raises(ScenarioError) as info:
        run()
    return list(info.value.problems)


def test_changes_as_a_mapping_says_a_mapping() -> None:
    (p,) = _problems("name: s\nchanges:\n  disable_links: [cpc_1]\n")
    assert (p.row, p.column, p.expected) == (2, "changes", "a list of changes")
    assert p.found == "a mapping (disable_links)"
    assert "LineDict" not in str(p)


@pytest.mark.parametrize(
    ("policy", "column", "found"),
    [
        ("{id: c, kind: share_cap, importer: BY, by: origin, country: RU, max_share_pct: 150, source: test}",
         "max_share_pct", "150"),
        ("{id: d, kind: export_duty, origin: RU, usd_per_t: -500, importers: [BY], source: test}",
         "usd_per_t", "-500"),
    ],
)  # fmt: skip
def test_a_bad_policy_value_is_reported_once(policy: str, column: str, found: str) -> None:
    problems = _problems(f"name: s\nchanges:\n  - add_policies:\n      - {policy}\n")
    assert [(p.row, p.column, p.found) for p in problems] == [(4, column, found)]


def test_unknown_mode_in_add_policies_is_an_error() -> None:
    text = (
        "name: s\nchanges:\n  - add_policies:\n"
        "      - {id: e, kind: embargo, importers: [BY], origins: [RU], modes: [spaceship], source: test}\n"
    )
    (p,) = _problems(text)  # one problem, with its place, the value and the allowed modes
    assert (p.file, p.row, p.column) == ("t.yaml", 4, "modes")
    assert "spaceship" in p.found
    assert "pipeline, tanker, rail, barge, swap" in p.expected


def test_arrow_id_as_tables_show_it_suggests_the_real_id(net: Network) -> None:
    (p,) = _problems('name: s\nchanges:\n  - disable_links: ["novorossiysk→omisalj"]\n', net)
    assert p.expected == "an id listed in links.csv (did you mean 'novorossiysk__omisalj'?)"
    assert p.found == "'novorossiysk→omisalj'"


def test_a_typo_suggests_the_closest_id(net: Network) -> None:
    problems = _problems(
        "name: s\nchanges:\n  - capacity: {novorossiysk__omisal: 3}\n"
        "  - set: [{table: links, id: novorosiysk__omisalj, column: tariff_usd_per_t, value: 2}]\n"
        "  - demand: {omisaj: 3}\n  - price: [{node: novorossisk, grade: g, price_usd_per_t: 3}]\n",
        net,
    )
    assert [p.expected.rsplit(" (", 1)[-1] for p in problems] == [
        "did you mean 'novorossiysk__omisalj'?)",
        "did you mean 'novorossiysk__omisalj'?)",
        "did you mean 'omisalj'?)",
        "did you mean 'novorossiysk/g'?)",
    ]


def test_no_suggestion_for_an_id_like_nothing_known(net: Network) -> None:
    (p,) = _problems("name: s\nchanges:\n  - disable_links: [zzz]\n", net)
    assert p.expected == "an id listed in links.csv"


@pytest.mark.parametrize("how", ["empty", "missing"])
def test_an_unreadable_citing_file_adds_no_source_never_used_warnings(folder: Path, how: str) -> None:
    # demands.csv is the only file citing 'dem-src'; break it
    with (folder / "sources.csv").open("a") as fh:
        fh.write("dem-src,Refinery runs,me,nowhere,2020,,\n")
    path = folder / "demands.csv"
    path.write_text(path.read_text().replace(",test,", ",dem-src,"))
    assert load_dataset(folder)[1] == []
    if how == "empty":
        path.write_text(path.read_text().splitlines()[0] + "\n")
    else:
        path.unlink()
    problems = load_dataset(folder)[1]
    assert [p.file for p in problems if p.severity == "error"] == ["demands.csv"]
    assert [p for p in problems if "never used" in p.found] == []


def test_unused_sources_are_still_reported_when_every_file_reads(folder: Path) -> None:
    with (folder / "sources.csv").open("a") as fh:
        fh.write("spare-src,Spare,me,nowhere,2020,,\n")
    problems = load_dataset(folder)[1]
    assert [p.found for p in problems if "never used" in p.found] == ["'spare-src' is never used"]
