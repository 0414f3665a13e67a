"""The historical scenarios back-tested on their own years, with the 2023 calibration."""

from __future__ import annotations

import pytest

from crudeflow import api


def test_each_historical_scenario_scores_its_own_year() -> None:
    years = {"russia-export-duty-belarus-2010": 2010, "belarus-odessa-brody-2011": 2011,
             "belarus-russian-stop-2020-q1": 2020, "cpc-outage-2022": 2022}  # fmt: skip
    for name, year in years.items():
        bt = api.backtest(None, name, calibrated=True)
        assert bt.year == year
        assert len(bt.rows) >= 3
        assert (bt.rows["year"] == year).all()
        assert set(bt.rows["role"]) == {"holdout"}


def test_history_rows_read_the_scenarios_as_their_sources_say() -> None:
    got = api.backtest(None, "belarus-odessa-brody-2011").rows.set_index("id")
    # the 2011 contract brings 0.99 Mt of Azeri crude, and it goes through Odessa-Brody
    assert got.loc["by-odessa-brody-2011", "model"] == pytest.approx(0.99, abs=1e-6)
    v = api.backtest(None, "russia-export-duty-belarus-2010").rows.set_index("id")
    assert v.loc["by-ve-2010", "model"] == pytest.approx(1.5, abs=1e-6)
    # January-November: the annual plan's Russian runs in Belarus x 11/12
    assert v.loc["by-ru-jan-nov-2010", "model"] > v.loc["by-ru-jan-nov-2010", "observed"]


def test_a_calibrated_monthly_plan_runs_and_keeps_the_frictions_per_month() -> None:
    p = api.plan(None, "cpc-outage-2022", calibrated=True)
    assert len(p.periods) == 12
    assert "friction_usd" in p.objective_parts_usd


def test_the_two_2023_holdout_misses_were_data() -> None:
    bt = api.backtest()
    got = bt.rows.set_index("id")
    # Russian shippers' crude enters CPC: 6.5 Mt (2022's 58.7 - 52.2) beside the Kazakh volume
    p = api.plan()
    ru = p.flows[(p.flows["link"] == "cpc_3") & (p.flows["grade"] == "cpc_blend_ru")]["mt_per_year"].sum()
    assert ru == pytest.approx(6.5)
    assert got.loc["cpc-total-2023", "model"] == pytest.approx(got.loc["cpc-kz-2023", "model"] + 6.5)
    assert got.loc["cpc-total-2023", "ok"]
    # the KMG-SOCAR route ran from April 2023: 1.5 x 9/12 Mt of Kazakh crude into BTC
    assert got.loc["btc-kz-tengiz-2023", "model"] == pytest.approx(1.125)
    assert got.loc["btc-kz-tengiz-2023", "ok"]
    assert bt.score("holdout") == pytest.approx(100.0)
    assert api.backtest(calibrated=True).score("holdout") >= 70.0
