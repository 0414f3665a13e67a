"""``crudeflow holdout`` on the one-link dataset: JSON rows, table, and bad input as one red line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow.cli import app

runner = CliRunner()


def test_json_gives_the_ranking_rows(folder: Path) -> None:
    # r needs 6 Mt/yr and the one link brings 5 (no tanks): short from day 0, even with no loss;
    # over 14 days 14/365 × 1 Mt unmet without a loss, 14/365 × 6 Mt with the link lost
    res = runner.invoke(app, ["holdout", "BY", "-d", str(folder), "--cases", "link:ar", "--horizon-days", "14",
                              "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    rows = {r["case"]: r for r in doc["ranking"]}
    assert rows["link:ar"]["days_of_cover"] == 0.0
    assert rows["link:ar"]["unmet_mt"] == pytest.approx(14 / 365 * 6, abs=1e-3)
    assert rows["(no loss)"]["unmet_mt"] == pytest.approx(14 / 365 * 1, abs=1e-3)
    assert [r["rank"] for r in doc["ranking"]] == [1, 2]
    assert doc["horizon_days"] == 14
    assert doc["step"] == "week"


def test_table_and_bad_importer(folder: Path) -> None:
    res = runner.invoke(app, ["holdout", "BY", "-d", str(folder), "--cases", "links", "--horizon-days", "14"])
    assert res.exit_code == 0, res.output
    assert "days of cover" in res.output
    bad = runner.invoke(app, ["holdout", "XX", "-d", str(folder)])
    assert bad.exit_code == 2
    assert "not a country with refinery demand" in bad.output
    step = runner.invoke(app, ["holdout", "BY", "-d", str(folder), "--step", "month"])
    assert step.exit_code == 2
    assert "step must be" in step.output
