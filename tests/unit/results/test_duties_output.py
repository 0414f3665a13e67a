"""plan.duties (and plan.price_cap) reach the terminal and plan --csv, as commitments do."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crudeflow.cli import app

runner = CliRunner()
SCENARIO = "russia-export-duty-belarus-2010"


def test_plan_prints_the_duties_table_when_a_duty_is_levied_on_intake() -> None:
    res = runner.invoke(app, ["plan", "-s", SCENARIO], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    assert "Export duties on importers' intake" in res.stdout
    line = next(ln for ln in res.stdout.splitlines() if "ru-export-duty-belarus-2010" in ln)
    assert "6.30" in line  # the 2010 duty-free quota, Mt/yr
    assert max(len(ln) for ln in res.stdout.splitlines()) <= 100
    base = runner.invoke(app, ["plan"], env={"COLUMNS": "100"})
    assert "Export duties" not in base.stdout  # no intake duty in the 2023 base: no table


def test_plan_csv_writes_duties_and_price_cap(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    res = runner.invoke(app, ["plan", "-s", SCENARIO, "--csv", str(out)])
    assert res.exit_code == 0, res.output
    duties = pd.read_csv(out / "duties.csv").set_index("policy")
    q = duties.loc["ru-export-duty-belarus-2010"]
    assert q["quota_mt_per_year"] == pytest.approx(6.3)
    # duty-free + dutiable = Belarus's intake of Russian crude
    assert q["duty_free_mt_per_year"] + q["dutiable_mt_per_year"] == pytest.approx(q["intake_mt_per_year"])
    assert "duties.csv" in res.stdout
    cap = pd.read_csv(out / "price_cap.csv")
    assert {"policy", "tanker_class", "mt_per_year"} <= set(cap.columns)  # empty: no cap in 2010
