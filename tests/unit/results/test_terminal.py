"""The terminal: tables fit 100 columns, --wide, --csv one line per file, --units (issue 10)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow.cli import app
from crudeflow.results.plan import FRAMES

runner = CliRunner()


def _lines(text: str) -> list[str]:
    return text.splitlines()


@pytest.mark.parametrize("args", [["plan"], ["plan", "-s", "cpc-shut"], ["plan", "--units", "kbd"]])
def test_plan_fits_100_columns_on_the_shipped_dataset(args: list[str]) -> None:
    res = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    widest = max(len(line) for line in _lines(res.stdout))
    assert widest <= 100
    assert "economic cost" in res.stdout
    assert "mongstad__" not in res.stdout


def test_compare_fits_100_columns_and_leads_with_economic_cost() -> None:
    res = runner.invoke(app, ["compare", "base", "belarus-without-russian-crude"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    assert max(len(line) for line in _lines(res.stdout)) <= 100
    first = next(line for line in _lines(res.stdout) if "│" in line)
    assert "economic cost, bn USD/yr" in first


def test_wide_shows_every_column() -> None:
    res = runner.invoke(app, ["plan", "--wide"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    assert max(len(line) for line in _lines(res.stdout)) > 100
    assert "duties USD/t" in res.stdout
    assert "share of intake %" in res.stdout


def test_units_in_every_table_header() -> None:
    res = runner.invoke(app, ["plan", "--units", "kbd"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    # every table title names the units (unmet reasons keep link capacities in Mt/yr)
    assert res.stdout.count("(kb/d, USD/bbl)") >= 4
    assert "(Mt/yr, USD/t)" not in res.stdout
    assert re.search(r"delivered [\d,]+\.\d kb/d at [\d.]+ USD/bbl", res.stdout)
    bad = runner.invoke(app, ["plan", "--units", "bpd"])
    assert bad.exit_code == 2
    assert "units must be one of mt, kbd" in bad.output


def test_csv_prints_one_line_per_file(tmp_path: Path) -> None:
    out = tmp_path / "csv"
    res = runner.invoke(app, ["plan", "--csv", str(out)], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    lines = _lines(res.stdout)
    assert len(lines) == len(FRAMES)
    for name, line in zip(FRAMES, lines, strict=True):
        assert (out / f"{name}.csv").exists()
        assert line.startswith("wrote ")
        assert f"{name}.csv" in line


def test_plan_json_has_no_float_noise() -> None:
    res = runner.invoke(app, ["plan", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["economic_cost_usd"] == round(doc["summary"]["economic_cost_usd"])
    for rec in doc["deliveries"]:
        assert rec["mt_per_year"] == round(rec["mt_per_year"], 4)
    assert "9999999" not in res.stdout


def test_n2_over_countries_says_pairs() -> None:
    from crudeflow.commands.analysis import stress_scope

    members = [("A", "B"), ("A", "C"), ("B", "C")]
    import pandas as pd

    assert (
        stress_scope(2, 3, "countries", pd.DataFrame({"members": members}))
        == "N-2 over 3 pairs of 3 countries"
    )
    assert stress_scope(1, 36, "countries", pd.DataFrame({"members": []})) == "N-1 over 36 countries"


def test_a_plan_over_periods_prints_whole_tables_at_100_columns() -> None:
    res = runner.invoke(app, ["plan", "-s", "cpc-outage-2022"], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines() if line.startswith("│")]
    assert rows
    assert all(len(line) <= 100 for line in res.stdout.splitlines())
    # no table is cropped at the right edge: every row closes with its border
    assert all(line.rstrip().endswith("│") for line in rows)
