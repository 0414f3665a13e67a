"""The "Norway problem": plain YAML scalars follow the YAML 1.2 core schema (review #10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow import read_dataset, write_dataset
from crudeflow.cli import app
from crudeflow.io.scenario import parse_scenario
from crudeflow.io.yamlio import load_yaml
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NO", "NO"), ("no", "no"), ("No", "No"), ("yes", "yes"), ("on", "on"), ("OFF", "OFF"),
        ("y", "y"), ("n", "n"), ("true", True), ("False", False), ("TRUE", True), ("tRuE", True),
        ("~", None), ("null", None), ("017", 17), ("0o17", 15), ("0x1F", 31),
        ("1e9", 1e9), (".5", 0.5), ("-2.5E-3", -0.0025), ("1_000", "1_000"), ("1:30", "1:30"),
        ("2024-01-05", "2024-01-05"), ("0b101", "0b101"), ("-.inf", float("-inf")),
    ],
)  # fmt: skip
def test_plain_scalars_follow_the_core_schema(text: str, value: object) -> None:
    data, problems = load_yaml(f"a: {text}\nb: [{text}]\n", "x.yaml")
    assert problems == []
    assert data["a"] == value
    assert type(data["a"]) is type(value)
    assert data["b"] == [value]


def test_nan_is_a_float() -> None:
    data, _ = load_yaml("a: .nan\n", "x.yaml")
    assert data["a"] != data["a"]


def test_no_as_a_key_is_text() -> None:
    data, _ = load_yaml("NO: 1\nyes: 2\n", "x.yaml")
    assert data == {"NO": 1, "yes": 2}


@pytest.fixture
def norway() -> Network:
    """Johan Sverdrup (NO) and Tengiz (KZ) crude to a Polish refinery; a Norwegian terminal."""
    return tiny_network(
        nodes=[
            {"id": "mongstad", "kind": "field", "country": "NO"},
            {"id": "tengiz", "kind": "field", "country": "KZ"},
            {"id": "plock", "kind": "refinery", "country": "PL"},
        ],
        grades=[
            {"grade": "js", "origin_country": "NO", "api_gravity": 28, "sulfur_pct": 0.8, "bbl_per_t": 7.2},
            {"grade": "g", "origin_country": "KZ", "api_gravity": 35, "sulfur_pct": 0.5, "bbl_per_t": 7.5},
        ],
        links=[
            {
                "id": "sea",
                "from": "mongstad",
                "to": "plock",
                "capacity_mt_per_year": 10,
                "tariff_usd_per_t": 5,
            },
            {
                "id": "land",
                "from": "tengiz",
                "to": "plock",
                "capacity_mt_per_year": 10,
                "tariff_usd_per_t": 30,
            },
        ],
        supplies=[
            {"node": "mongstad", "grade": "js", "max_mt_per_year": 10, "price_usd_per_t": 500},
            {"node": "tengiz", "grade": "g", "max_mt_per_year": 10, "price_usd_per_t": 450},
        ],
        demands=[{"node": "plock", "demand_mt_per_year": 6}],
    )


def test_no_in_disable_countries_is_norway(norway: Network) -> None:
    sc = parse_scenario("name: s\nchanges:\n  - disable_countries: [{country: NO, as: supplier}]\n", "s.yaml")
    out = sc.apply(norway)
    assert out.supplies.loc[("mongstad", "js"), "max_mt_per_year"] == 0.0
    assert out.supplies.loc[("tengiz", "g"), "max_mt_per_year"] == 10.0


def test_no_in_add_policies_origins_and_country_is_norway(norway: Network) -> None:
    text = (
        "name: s\nchanges:\n  - add_policies:\n"
        "      - {id: e, kind: embargo, importers: [PL], origins: [NO], source: test}\n"
        "      - {id: c, kind: share_cap, importer: PL, by: origin, country: NO, max_share_pct: 20, source: test}\n"
    )
    out = parse_scenario(text, "s.yaml").apply(norway)
    assert out.policies.loc["e", "origins"] == ("NO",)
    assert out.policies.loc["c", "country"] == "NO"


def test_no_in_policies_yaml_is_norway(norway: Network, tmp_path: Path) -> None:
    folder = write_dataset(norway, tmp_path / "ds")
    (folder / "policies.yaml").write_text(
        "policies:\n"
        "  - {id: e, kind: embargo, importers: [PL], origins: [NO], source: test}\n"
        "  - {id: f, kind: transit_fee, country: NO, usd_per_t: 2, source: test}\n",
        encoding="utf-8",
    )
    net = read_dataset(folder)
    assert net.policies.loc["e", "origins"] == ("NO",)
    assert net.policies.loc["f", "country"] == "NO"


def test_cli_plan_with_norway_unquoted(norway: Network, tmp_path: Path) -> None:
    folder = write_dataset(norway, tmp_path / "ds")
    scen = tmp_path / "s.yaml"
    scen.write_text("name: s\nchanges:\n  - disable_countries: [{country: NO, as: supplier}]\n")
    res = CliRunner().invoke(app, ["plan", "-d", str(folder), "-s", str(scen), "--json"])
    assert res.exit_code == 0, res.output
    assert '"origin": "NO"' not in res.output
    assert '"origin": "KZ"' in res.output
