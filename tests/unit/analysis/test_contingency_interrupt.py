"""Ctrl-C in the N-1 pass that an N-2 run of links or nodes starts with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crudeflow.analysis import stress
from crudeflow.model.network import Network


def _interrupt_on_call(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    from crudeflow.optimize.solve import HighsModel

    real = HighsModel.run
    calls = {"n": 0}

    def run(self: HighsModel, *, check: bool = True, duals: bool = True) -> object:
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real(self, check=check, duals=duals)

    monkeypatch.setattr(HighsModel, "run", run)


def test_n2_interrupted_in_its_n1_pass_is_flagged_not_complete(
    diamond_net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    # solves: 1 N-2 base, 2 N-1 base, 3-6 the four used links of N-1; Ctrl-C on the third
    # link leaves an N-1 ranking of two links, from which one pair of six would be taken
    _interrupt_on_call(monkeypatch, 5)
    res = stress(diamond_net, assets="links", k=2, top_m=4)
    assert res.interrupted
    assert len(res.ranking) == 0  # no pair is reported: the pairs to try were never known


def test_n2_uninterrupted_solves_every_pair(diamond_net: Network) -> None:
    res = stress(diamond_net, assets="links", k=2, top_m=4)
    assert not res.interrupted
    assert len(res.ranking) == 6  # C(4, 2) pairs of the four used links


def test_stress_cli_flags_an_interrupted_run(
    tmp_path: Path, diamond_net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from crudeflow.cli import app
    from crudeflow.io.dataset import write_dataset

    write_dataset(diamond_net, tmp_path / "ds")
    _interrupt_on_call(monkeypatch, 5)
    res = CliRunner().invoke(
        app, ["stress", "-d", str(tmp_path / "ds"), "--k", "2", "--top-m", "4", "--json"]
    )
    assert res.exit_code == 130  # partial (here empty) results are not a finished run
    assert json.loads(res.stdout)["interrupted"] is True
    _interrupt_on_call(monkeypatch, 1)  # Ctrl-C before the base plan is solved: nothing to show
    res = CliRunner().invoke(app, ["stress", "-d", str(tmp_path / "ds")])
    assert res.exit_code == 130
    assert "interrupted" in res.output
    assert "Traceback" not in res.output
