from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crudeflow.cli import app
from crudeflow.io.dataset import write_dataset
from crudeflow.model.network import Network

runner = CliRunner()


@pytest.fixture
def folder(tmp_path: Path, make_diamond: Callable[..., Network]) -> str:
    trade = [
        {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "exports", "value_musd": 783.7},
        {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "imports", "value_musd": 112.3},
    ]
    write_dataset(make_diamond(trade=trade), tmp_path / "ds")
    return str(tmp_path / "ds")


def _json(args: list[str]) -> object:
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_routes_cli(folder: str) -> None:
    out = _json(["routes", "KZ", "BY", "-d", folder, "--avoid-country", "RU", "--json"])
    assert isinstance(out, list)
    assert [r["links"] for r in out] == [["ac", "cd"]]
    text = runner.invoke(app, ["routes", "A", "D", "-d", folder])
    assert text.exit_code == 0
    assert "[pipeline]" in text.stdout


def test_stress_cli(folder: str) -> None:
    out = _json(["stress", "-d", folder, "--json"])
    assert isinstance(out, dict)
    assert out["ranking"][0]["delta_objective_usd"] == pytest.approx(896e6)
    text = runner.invoke(app, ["stress", "-d", folder, "--assets", "countries", "--country", "KZ"])
    assert text.exit_code == 0, text.output


def test_montecarlo_cli(folder: str) -> None:
    out = _json(["montecarlo", "-d", folder, "-n", "20", "--workers", "1", "--json"])
    assert isinstance(out, dict)
    assert out["n"] == 20
    assert {r["importer"] for r in out["summary"]} == {"BY"}


def test_diversify_and_trade_cli(folder: str) -> None:
    out = _json(["diversify", "BY", "-d", folder, "--caps", "100,50", "--json"])
    assert isinstance(out, dict)
    assert [r["max_share_pct"] for r in out["curve"]] == [100.0, 50.0]
    tb = _json(["trade", "BY", "KZ", "-d", folder, "--json"])
    assert isinstance(tb, dict)
    assert tb["imbalance_musd"] == pytest.approx(671.4)
    text = runner.invoke(app, ["trade", "BY", "KZ", "-d", folder])
    assert "671.4" in text.stdout
    # planned 4 Mt/yr at KZ's 100 USD/t = 400 MUSD/yr, 0.6 x the imbalance; 671.4 / 100 = 6.71 Mt/yr
    out = " ".join(text.stdout.split())
    assert "worth 400.0 MUSD/yr at KZ's supply price (410.0 delivered), 0.6× the imbalance" in out
    assert "balancing: 6.71 Mt/yr of KZ crude sold to BY at 100.00 USD/t" in out
    back = " ".join(runner.invoke(app, ["trade", "KZ", "BY", "-d", folder]).stdout.split())
    assert "balancing: 6.71 Mt/yr of KZ crude sold to BY" in back
    assert "-6.71" not in back


def test_cli_errors_are_one_line(folder: str) -> None:
    res = runner.invoke(app, ["routes", "nowhere", "BY", "-d", folder])
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    res = runner.invoke(app, ["stress", "-d", folder, "--assets", "pipes"])
    assert res.exit_code == 2
