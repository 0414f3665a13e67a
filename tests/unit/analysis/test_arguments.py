"""Bad arguments to the analyses are errors naming the value (API and CLI, exit 2)."""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from crudeflow.analysis import diversify, routes, trade_balance
from crudeflow.cli import app
from crudeflow.exceptions import CrudeflowError
from crudeflow.io.dataset import write_dataset
from crudeflow.model.network import Network

runner = CliRunner()


def _clean(res: Result, code: int = 2) -> str:
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    return " ".join(res.output.split())


@pytest.fixture
def folder(tmp_path: Path, diamond_net: Network) -> str:
    return str(write_dataset(diamond_net, tmp_path / "ds"))


# --- routes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("avoid", "expected"),
    [(["RUS"], "'RUS' (use a two-letter ISO code"), (["XX"], "'XX' (no node or link"), (["FR"], "'FR'")],
)
def test_unknown_or_malformed_avoided_country_is_an_error(
    diamond_net: Network, avoid: list[str], expected: str
) -> None:
    with pytest.raises(CrudeflowError, match=re.escape(expected)):
        routes(diamond_net, "A", "D", avoid_countries=avoid)


def test_avoided_modes_are_checked_and_case_insensitive(diamond_net: Network) -> None:
    with pytest.raises(CrudeflowError, match="unknown mode 'boat': expected one of pipeline"):
        routes(diamond_net, "A", "D", avoid_modes=["boat"])
    assert len(routes(diamond_net, "A", "D", avoid_modes=["Pipeline"])) == 0
    assert len(routes(diamond_net, "A", "D", avoid_modes=["rail"])) == 2  # a known mode with no links


def test_routes_cli_bad_filters_exit_2(folder: str) -> None:
    assert "'RUS'" in _clean(runner.invoke(app, ["routes", "A", "D", "-d", folder, "--avoid-country", "RUS"]))
    assert "'boat'" in _clean(runner.invoke(app, ["routes", "A", "D", "-d", folder, "--avoid-mode", "boat"]))
    assert "-k" in _clean(runner.invoke(app, ["routes", "A", "D", "-d", folder, "-k", "0"]))


# --- trade -------------------------------------------------------------------------------

TRADE = [
    {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "exports", "value_musd": 783.7},
    {"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "imports", "value_musd": 112.3},
]


def test_trade_unknown_country_same_country_and_bad_benchmark(make_diamond: Callable[..., Network]) -> None:
    net = make_diamond(trade=TRADE)
    with pytest.raises(CrudeflowError, match="unknown country 'XX', 'YY'"):
        trade_balance(net, "XX", "YY")
    with pytest.raises(CrudeflowError, match="two different countries"):
        trade_balance(net, "BY", "by")
    for bad in (-5.0, 0.0, math.nan):
        with pytest.raises(CrudeflowError, match="benchmark price must be a positive number"):
            trade_balance(net, "BY", "KZ", benchmark_usd_per_t=bad)


def test_trade_without_figures_is_an_error_not_nan(make_diamond: Callable[..., Network]) -> None:
    with pytest.raises(CrudeflowError, match=r"no BY–KZ trade data: .* no figures"):
        trade_balance(make_diamond(), "BY", "KZ")
    only_exports = make_diamond(trade=TRADE[:1])
    with pytest.raises(CrudeflowError, match="1 figure\\(s\\) but no year with both"):
        trade_balance(only_exports, "BY", "KZ")


def test_trade_cli_unknown_countries_exit_2(folder: str) -> None:
    text = _clean(runner.invoke(app, ["trade", "XX", "YY", "-d", folder]))
    assert "unknown country 'XX', 'YY'" in text
    assert "nan" not in text


# --- diversify ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caps", "found"),
    [
        ([-5.0], "-5"),
        ([100.0, 120.0], "120"),
        ([math.nan], "nan"),
        ([50.0, math.inf], "inf"),
        (["abc"], "'abc'"),
    ],
)
def test_diversify_caps_outside_0_100_are_named(diamond_net: Network, caps: list[object], found: str) -> None:
    with pytest.raises(CrudeflowError, match=f"caps must be share caps in % from 0 to 100; found {found}$"):
        diversify(diamond_net, "BY", caps=caps)  # type: ignore[arg-type]


def test_diversify_empty_caps_and_unknown_country(diamond_net: Network) -> None:
    with pytest.raises(CrudeflowError, match="caps must be a list"):
        diversify(diamond_net, "BY", caps=[])
    with pytest.raises(CrudeflowError, match="country 'XX' is not the country"):
        diversify(diamond_net, "BY", caps=[50], country="XX")


def test_diversify_cli_bad_caps_exit_2(folder: str) -> None:
    text = _clean(runner.invoke(app, ["diversify", "BY", "-d", folder, "--caps", "nan,-5,120"]))
    assert "found nan, -5, 120" in text
    assert "abc" in _clean(runner.invoke(app, ["diversify", "BY", "-d", folder, "--caps", "50,abc"]))
    assert "origin or transit" in _clean(runner.invoke(app, ["diversify", "BY", "-d", folder, "--by", "x"]))


# --- montecarlo and stress: every bad value exits 2 --------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["montecarlo", "-n", str(2**64)],
        ["montecarlo", "-n", "0"],
        ["montecarlo", "-n", "-3"],
        ["montecarlo", "--seed", "-1"],
        ["montecarlo", "--seed", str(2**64)],
        ["montecarlo", "--workers", "0"],
        ["montecarlo", "--workers", "-3"],
        ["montecarlo", "--chunk-size", "0"],
        ["montecarlo", "--scheduler", "not an address"],
        ["montecarlo", "--scheduler", "tcp://host:99999"],
        ["stress", "--k", "3"],
        ["stress", "--top", "0"],
        ["stress", "--top-m", "1"],
        ["stress", "--assets", "pipes"],
        ["stress", "--assets", "countries", "--country-role", "x"],
        ["stress", "--country-role", "x"],
        ["stress", "--country", "XX"],
        ["diversify", "XX"],
    ],
)
def test_bad_values_exit_2(folder: str, args: list[str]) -> None:
    t0 = time.perf_counter()
    _clean(runner.invoke(app, [*args, "-d", folder]))
    assert time.perf_counter() - t0 < 10  # no 20 s connection attempt to a bad address


def test_workers_beyond_the_cores_are_capped_with_a_note(folder: str) -> None:
    cores = len(os.sched_getaffinity(0))
    res = runner.invoke(app, ["montecarlo", "-d", folder, "-n", "4", "--workers", "1000", "--json"])
    assert res.exit_code == 0, res.output
    assert f"--workers 1000 capped at the {cores} cores available" in " ".join(res.stderr.split())
    doc = json.loads(res.stdout)
    assert doc["n"] == 4
    assert doc["workers"] <= cores
