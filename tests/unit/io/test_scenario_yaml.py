"""YAML limits (alias bombs, size, nesting) and the speed of large scenarios (issue 9)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from crudeflow import DatasetError, ScenarioError, read_dataset, write_dataset
from crudeflow.io import yamlio
from crudeflow.io.scenario import parse_scenario
from crudeflow.io.yamlio import load_yaml
from crudeflow.testing import tiny_network


def _bomb(levels: int = 9) -> str:
    """The 'billion laughs' document: 9 ** levels strings from a few hundred bytes."""
    text = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        text += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n"
    return text


def test_alias_bomb_in_a_scenario_is_refused_with_its_line() -> None:
    text = "name: s\n" + _bomb() + "changes: []\n"
    assert len(text) < 600
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "b.yaml")
    (p,) = info.value.problems
    assert p.file == "b.yaml"
    assert p.expected == f"at most {yamlio.MAX_ALIAS_NODES:,} values reached through aliases"
    # aliases reach 90 + 819 + 7,380 + 66,429 = 74,718 values up to line 6 (l1..l4, each list
    # 1 + 9 x the one before); the first *l4 on line 7 adds 66,430 and passes 100,000
    assert p.row == 7
    assert p.found == "141,148 by *l4 (an alias bomb?)"


def test_alias_bomb_in_dataset_yaml_is_a_dataset_error(tmp_path: Path) -> None:
    net = tiny_network(nodes=["a"], links=[])
    folder = write_dataset(net, tmp_path / "ds")
    (folder / "dataset.yaml").write_text("name: ds\n" + _bomb())
    with pytest.raises(DatasetError) as info:
        read_dataset(folder)
    assert any(p.file == "dataset.yaml" and "aliases" in p.expected for p in info.value.problems)


def test_many_alias_uses_are_refused() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * (yamlio.MAX_ALIASES + 1)) + "]\n"
    _, problems = load_yaml(text, "x.yaml")
    assert problems[0].expected == f"at most {yamlio.MAX_ALIASES:,} alias uses (*name)"


def test_a_few_aliases_are_fine() -> None:
    data, problems = load_yaml("base: &b {capacity: 3}\nx: *b\ny: *b\n", "x.yaml")
    assert problems == []
    assert data["x"] == {"capacity": 3}
    assert data["y"] == {"capacity": 3}


def test_recursive_alias_is_refused() -> None:
    _, problems = load_yaml("a: &a [1, *a]\n", "x.yaml")
    assert problems[0].expected == "no alias inside its own anchor"
    assert problems[0].row == 1


def test_nesting_is_limited() -> None:
    depth = yamlio.MAX_DEPTH + 1
    _, problems = load_yaml("a: " + "[" * depth + "]" * depth + "\n", "x.yaml")
    assert problems[0].expected == f"nesting at most {yamlio.MAX_DEPTH} levels deep"


def test_size_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_YAML_CHARS", 1024 * 1024)
    _, problems = load_yaml("a: " + "x" * (1024 * 1024) + "\n", "big.yaml")
    assert problems[0].expected == "a YAML file of at most 1 MiB"
    assert problems[0].found == "1.0 MiB"


def test_duplicate_key_is_an_error_not_a_silent_overwrite() -> None:
    text = "name: s\nchanges:\n  - capacity: {ab: 3}\n    capacity: {ab: 5}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "d.yaml")
    assert "d.yaml, line 4" in str(info.value)
    assert "'capacity' again" in str(info.value)


def test_python_tags_are_refused() -> None:
    _, problems = load_yaml("a: !!python/object/apply:os.system [ls]\n", "x.yaml")
    assert problems[0].expected == "plain YAML mappings and lists (no tags)"


def test_values_and_lines_as_before() -> None:
    text = "a:\n  - x: 1\n    y: [1.5, true, ~, '2']\n  - {p: 2024-01-05}\nb:\n  c: d\n"
    data, problems = load_yaml(text, "x.yaml")
    assert problems == []
    # YAML 1.2 core schema: a date is text (no timestamp type)
    assert data == {"a": [{"x": 1, "y": [1.5, True, None, "2"]}, {"p": "2024-01-05"}], "b": {"c": "d"}}
    assert data.key_lines == {"a": 1, "b": 5}
    assert data["a"].item_lines == [2, 4]
    assert data["a"][0].key_lines == {"x": 2, "y": 3}
    assert data["b"].line == 6


def test_fifty_thousand_added_links_load_quickly() -> None:
    rows = [
        f"      - {{id: e{i}, name: x{i}, from: a, to: r, mode: pipeline, capacity_mt_per_year: 0.5, "
        f"tariff_usd_per_t: {i % 97}.5, distance_km: 0, source: test, countries: [KZ, BY]}}"
        for i in range(50_000)
    ]
    text = "name: big\nchanges:\n  - add_links:\n" + "\n".join(rows) + "\n"
    assert len(text) > 6_000_000
    start = time.process_time()
    sc = parse_scenario(text, "big.yaml")
    seconds = time.process_time() - start
    frame = sc.changes[0].value
    assert len(frame) == 50_000
    assert frame["tariff_usd_per_t"].iloc[-1] == pytest.approx(49_999 % 97 + 0.5)
    assert frame["countries"].iloc[0] == ("KZ", "BY")
    assert sc.changes[0].line_of(49_999) == 50_003
    # a generous bound (about 1.5 s on a laptop core); before the fix it took 100 s
    assert seconds < 20
