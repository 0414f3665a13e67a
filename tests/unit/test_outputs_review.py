"""Output files (review #19, #20): `report -o` only to .html/.htm; `plan --csv` rounded by unit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow import write_dataset
from crudeflow.cli import app
from crudeflow.testing import tiny_network

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    # a -> b -> r at 0.1 + 0.2 USD/t: a sum that is 0.30000000000000004 in binary floats
    net = tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "KZ"},
            "b",
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[
            {"id": "ab", "from": "a", "to": "b", "capacity_mt_per_year": 10, "tariff_usd_per_t": 0.1},
            {"id": "br", "from": "b", "to": "r", "capacity_mt_per_year": 10, "tariff_usd_per_t": 0.2},
        ],
        supplies=[{"node": "a", "max_mt_per_year": 10, "price_usd_per_t": 400.7}],
        demands=[{"node": "r", "demand_mt_per_year": 0.3}],
    )
    return write_dataset(net, tmp_path / "ds")


@pytest.mark.parametrize("name", ["r.pdf", "r.png", "report"])
def test_report_refuses_a_name_that_is_not_html(folder: Path, tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    res = runner.invoke(app, ["report", "-d", str(folder), "-o", str(out)])
    assert res.exit_code == 2
    assert f"report output must end in .html or .htm (the report is HTML), not '{name}'" in res.output
    assert not out.exists()


def test_plan_csv_is_rounded_by_unit(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    res = runner.invoke(app, ["plan", "-d", str(folder), "--csv", str(out)])
    assert res.exit_code == 0, res.output
    with (out / "costs.csv").open(newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["transport_usd_per_t"] == "0.3"
    assert row["delivered_cost_usd_per_t"] == "401.0"  # 400.7 + 0.1 + 0.2
    assert row["delivered_mt_per_year"] == "0.3"
    for path in out.glob("*.csv"):
        for cell in path.read_text().replace("\n", ",").split(","):
            assert "0000000" not in cell, (path.name, cell)
            assert "9999999" not in cell, (path.name, cell)
