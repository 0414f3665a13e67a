"""Back-test: each measure read by hand on a two-route network, pass/fail at the band's edge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from crudeflow import api
from crudeflow.cli import app
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


def obs(oid: str, value: float, tol: float, role: str = "calibrate", **kw: Any) -> dict[str, Any]:
    rec = {"id": oid, "quantity": oid, "year": 2023, "value": value, "unit": "Mt/yr",
           "measure": "link_flow", "links": ("fc",), "tolerance": tol, "role": role}  # fmt: skip
    rec.update(kw)
    return rec


def two_routes(observed: list[dict[str, Any]]) -> Network:
    """KZ field f (10 Mt/yr fixed) to a Polish refinery r: cheap route via c (5 USD/t), dear via d (9)."""
    return tiny_network(
        nodes=[{"id": "f", "kind": "field", "country": "KZ"}, "c", "d", {"id": "r", "country": "PL"}],
        links=[
            {"id": "fc", "from": "f", "to": "c", "capacity_mt_per_year": 20, "tariff_usd_per_t": 5},
            {"id": "cr", "from": "c", "to": "r", "capacity_mt_per_year": 20},
            {"id": "fd", "from": "f", "to": "d", "capacity_mt_per_year": 20, "tariff_usd_per_t": 9},
            {"id": "dr", "from": "d", "to": "r", "capacity_mt_per_year": 20},
        ],
        supplies=[{"node": "f", "min_mt_per_year": 10, "max_mt_per_year": 10, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 10}],
        observed=observed,
    )


def test_each_measure_reads_the_plan() -> None:
    # the plan sends all 10 Mt/yr the cheap way, f -> c -> r
    net = two_routes([
        obs("cheap", 10.0, 0.5),
        obs("dear", 4.0, 0.3, role="holdout", links=("fd",)),
        obs("cheap-bbl", 75.0, 1.0, unit="million bbl/yr", links=("fc",)),  # 10 Mt x 7.5 bbl/t
        obs("cheap-h1", 5.0, 0.1, unit="Mt", period="2023-01..2023-06"),
        obs("exports", 10.0, 0.3, measure="exports", exporter="KZ"),
        obs("share", 100.0, 5.0, unit="%", measure="exporter_share", exporter="KZ", links=("fc",)),
        obs("to-pl", 10.0, 0.3, measure="origin_to_importer", origins=("KZ",), importer="PL"),
        obs("prod", 10.0, 0.3, measure="production", origins=("KZ",)),
        obs("other-year", 1.0, 0.3, year=2022),
    ])  # fmt: skip
    bt = api.backtest(net)
    got = bt.rows.set_index("id")
    assert got.loc["cheap", "model"] == pytest.approx(10.0)
    assert got.loc["dear", "model"] == pytest.approx(0.0)
    assert got.loc["cheap-bbl", "model"] == pytest.approx(75.0)
    assert got.loc["cheap-h1", "model"] == pytest.approx(5.0)
    assert got.loc["exports", "model"] == pytest.approx(10.0)
    assert got.loc["share", "model"] == pytest.approx(100.0)
    assert got.loc["to-pl", "model"] == pytest.approx(10.0)
    assert got.loc["prod", "model"] == pytest.approx(10.0)
    assert "other-year" not in got.index
    assert bt.not_measured == {2022: 1}
    assert not got.loc["dear", "ok"]
    assert got.drop(index="dear")["ok"].all()
    roles = bt.by_role
    assert roles.loc["calibrate", "passed"] == 7
    assert roles.loc["holdout", "score_pct"] == pytest.approx(0.0)
    assert bt.score() == pytest.approx(100.0 * 7 / 8)


def test_tolerance_edge_passes_and_beyond_fails() -> None:
    net = two_routes([obs("edge", 9.5, 0.5), obs("past", 9.49, 0.5)])
    got = api.backtest(net).rows.set_index("id")["ok"]
    assert got["edge"]
    assert not got["past"]


def test_origin_and_grade_filters() -> None:
    net = two_routes([obs("ru-only", 0.0, 0.3, origins=("RU",)), obs("kz-only", 10.0, 0.3, origins=("KZ",))])
    got = api.backtest(net).rows.set_index("id")["model"]
    assert got["ru-only"] == pytest.approx(0.0)
    assert got["kz-only"] == pytest.approx(10.0)


def test_cli_json_rows(tmp_path: Any) -> None:
    from crudeflow import write_dataset

    folder = write_dataset(two_routes([obs("cheap", 10.0, 0.5)]), tmp_path / "ds")
    res = CliRunner().invoke(app, ["backtest", "--dataset", str(folder), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    row = doc["rows"][0]
    assert set(row) >= {"quantity", "year", "role", "observed", "model", "unit", "tolerance", "ok"}
    assert row["ok"] is True
    assert row["model"] == pytest.approx(10.0)
    assert doc["by_role"][0]["score_pct"] == pytest.approx(100.0)
    text = CliRunner().invoke(app, ["backtest", "--dataset", str(folder)])
    assert text.exit_code == 0, text.output
    assert "pass" in text.output


def test_shipped_base_reproduces_the_issue_figures() -> None:
    """The uncalibrated 2023 base: CPC Kazakh 47.2 (obs 56), China 6 (obs 1.2), no Kazakh crude in BTC."""
    bt = api.backtest()
    got = bt.rows.set_index("id")
    assert len(got) == 16
    assert (got["year"] == 2023).all()
    assert set(got["role"]) == {"calibrate", "holdout"}
    assert got.loc["kcp-ru-2023", "ok"]


def test_report_has_backtest_section() -> None:
    from crudeflow.report.html import build_report

    net = two_routes([obs("cheap", 10.0, 0.5)])
    html = build_report(api.plan(net), net)
    assert 'id="backtest"' in html
    assert "backtest-chart" in html


def _monthly(net: Network, tmp_path: Any, text: str) -> Network:
    from crudeflow.io.scenario import read_scenario

    f = tmp_path / "months.yaml"
    f.write_text("name: months\n" + text, encoding="utf-8")
    return read_scenario(f).apply(net)


def test_a_plan_over_periods_is_measured_on_each_row_window(tmp_path: Any) -> None:
    # January-June 2023 by month; the cheap route is shut in March, so March goes the dear way
    net = _monthly(
        two_routes([
            obs("cheap-h1", 4.1096, 0.001, unit="Mt", period="2023-01..2023-06"),
            obs("dear-mar", 0.8493, 0.001, unit="Mt", period="2023-03..2023-03", links=("fd",)),
            obs("dear-q1-rate", 3.4247, 0.001, period="2023-01..2023-03", links=("fd",)),
            obs("whole-year", 10.0, 0.5),  # the horizon covers half of 2023: not expressible
        ]),
        tmp_path,
        "periods: {start: 2023-01-01, end: 2023-06-30, step: month}\nchanges:\n  - events:\n"
        "      - {link: fc, capacity_factor: 0.0, from: 2023-03-01, to: 2023-03-31}\n",
    )  # fmt: skip
    bt = api.backtest(net)
    got = bt.rows.set_index("id")
    assert bt.year == 2023
    # 10 Mt/yr over 181 days less March's 31: 10 × 150 / 365 Mt the cheap way
    assert got.loc["cheap-h1", "model"] == pytest.approx(10.0 * 150 / 365, abs=1e-4)
    assert got.loc["dear-mar", "model"] == pytest.approx(10.0 * 31 / 365, abs=1e-4)
    # a rate over Q1: March's 0.8493 Mt over a quarter of a year = 3.397 Mt/yr
    assert got.loc["dear-q1-rate", "model"] == pytest.approx(10.0 * 31 / 365 * 4, abs=1e-4)
    assert "whole-year" not in got.index
    assert bt.not_measured == {2023: 1}
    assert got.loc[["cheap-h1", "dear-mar"], "ok"].all()


def test_historical_scenarios_are_those_of_another_year_with_observed_rows() -> None:
    from crudeflow.analysis.backtest import historical_scenarios, scenario_year

    scs = historical_scenarios(api.load())
    assert [(s.name, scenario_year(s)) for s in scs] == [
        ("russia-export-duty-belarus-2010", 2010),
        ("belarus-odessa-brody-2011", 2011),
        ("belarus-russian-stop-2020-q1", 2020),
        ("cpc-outage-2022", 2022),
        ("eu-embargo-2022", 2022),
    ]


def test_backtest_all_scores_each_year_uncalibrated_and_calibrated(tmp_path: Any) -> None:
    from crudeflow.analysis.backtest import backtest_all_scenarios
    from crudeflow.analysis.calibrate import calibrate
    from crudeflow.io.scenario import read_scenario

    # 2023 (annual base): 4 ± 0.5 Mt/yr the dear way, which the uncalibrated plan misses;
    # 2022 (a monthly scenario): 10 Mt on the cheap route in the year, which only it meets
    net = two_routes([obs("dear", 4.0, 0.5, links=("fd",)),
                      obs("cheap-2022", 10.0, 0.5, role="holdout", year=2022)])  # fmt: skip
    net = net.replace(frictions=calibrate(net, computed="test").frictions)
    f = tmp_path / "y2022.yaml"
    f.write_text("name: y2022\nperiods: {start: 2022-01-01, end: 2022-12-31, step: month}\nchanges: []\n",
                 encoding="utf-8")  # fmt: skip
    s = backtest_all_scenarios(net, [read_scenario(f)])
    t = s.table.set_index(["scenario", "role"])
    assert t.loc[("base", "calibrate"), ["year", "rows", "passed", "passed_calibrated"]].tolist() == [
        2023,
        1,
        0,
        1,
    ]
    assert t.loc[("y2022", "holdout"), ["year", "rows", "passed", "passed_calibrated"]].tolist() == [
        2022,
        1,
        1,
        0,
    ]
    # the calibrated 2022 plan keeps the 2023 pull: 3.75 the dear way, 6.25 the cheap way
    assert t.loc[("y2022", "holdout"), "misses"] == "cheap-2022 6.25/10"
    assert t.loc[("base", "calibrate"), "misses"] == ""
    assert json.loads(s.to_json())["table"][0]["scenario"] == "base"
    cli = CliRunner().invoke(app, ["backtest", "--all", "--scenario", "x"])
    assert cli.exit_code == 2
    assert "leave out --scenario" in cli.output


def test_report_shows_the_summary_of_every_year(tmp_path: Any) -> None:
    from crudeflow.analysis.backtest import backtest_all_scenarios
    from crudeflow.report.html import build_report

    net = two_routes([obs("cheap", 10.0, 0.5)])
    s = backtest_all_scenarios(net, [])
    html = build_report(api.plan(net), net, backtest_summary=s)
    assert "Every year the dataset can express" in html
    assert "Every year the dataset can express" not in build_report(api.plan(net), net)
