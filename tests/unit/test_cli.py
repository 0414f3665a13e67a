from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow.cli import app

runner = CliRunner()


def test_validate_ok(folder: Path) -> None:
    res = runner.invoke(app, ["data", "validate", str(folder)])
    assert res.exit_code == 0, res.output
    assert "ok" in res.output


def test_validate_broken_names_file_row_column_without_traceback(folder: Path) -> None:
    text = (folder / "links.csv").read_text().replace(",5.0,", ",five,")
    (folder / "links.csv").write_text(text)
    res = runner.invoke(app, ["data", "validate", str(folder)])
    assert res.exit_code == 2
    assert "links.csv, row 2, column 'capacity_mt_per_year'" in res.output
    assert "Traceback" not in res.output


def test_unknown_dataset_exits_2() -> None:
    res = runner.invoke(app, ["data", "show", "no-such-dataset"])
    assert res.exit_code == 2
    assert "no such dataset" in res.output


def test_plan_json_has_the_documented_keys(folder: Path) -> None:
    res = runner.invoke(app, ["plan", "--dataset", str(folder), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    for key in ("status", "objective_usd", "flows", "deliveries", "unmet", "prices", "bottlenecks"):
        assert key in doc
    assert doc["status"] == "optimal"
    # 5 Mt at 410 USD/t + 1 Mt unmet at 1000 USD/t = 3050 MUSD
    assert doc["objective_usd"] == pytest.approx(3050e6)
    assert set(doc["flows"][0]) >= {"link", "from", "to", "grade", "mt_per_year"}
    assert set(doc["deliveries"][0]) >= {
        "refinery",
        "grade",
        "origin",
        "mt_per_year",
        "delivered_cost_usd_per_t",
    }
    assert doc["unmet"][0]["node"] == "r"
    assert doc["unmet"][0]["mt_per_year"] == pytest.approx(1.0)
    assert "ar" in doc["unmet"][0]["reason"]
    assert {"node", "grade", "usd_per_t"} <= set(doc["prices"][0])
    assert doc["bottlenecks"][0]["link"] == "ar"
    # one more tonne of capacity saves the penalty less the route cost: 1000 - 410
    assert doc["bottlenecks"][0]["shadow_price_usd_per_t"] == pytest.approx(590.0)


def test_strict_plan_fails_with_exit_3(folder: Path) -> None:
    res = runner.invoke(app, ["plan", "--dataset", str(folder), "--strict"])
    assert res.exit_code == 3
    assert "r: 1.00 Mt/yr short" in res.output
    assert "Traceback" not in res.output


def test_bad_scenario_exits_2(folder: Path, tmp_path: Path) -> None:
    sc = tmp_path / "s.yaml"
    sc.write_text("name: s\nchanges:\n  - disable_links: [nope]\n")
    res = runner.invoke(app, ["plan", "--dataset", str(folder), "--scenario", str(sc)])
    assert res.exit_code == 2
    assert "s.yaml, line 3" in res.output


def test_plan_csv_writes_tables(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    res = runner.invoke(app, ["plan", "--dataset", str(folder), "--csv", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "flows.csv").is_file()
    assert (out / "deliveries.csv").is_file()


def test_export_then_validate(tmp_path: Path, folder: Path) -> None:
    out = tmp_path / "copy"
    res = runner.invoke(app, ["data", "export", str(folder), str(out)])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["data", "validate", str(out)]).exit_code == 0
