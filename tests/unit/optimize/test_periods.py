"""Hand-solved networks over periods: storage, outages, dated policies, partial periods.

Two periods of one calendar year each (2023, 2024) have a year_fraction of exactly 1, so
every annual figure holds as it is in each period and the numbers stay easy to check.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crudeflow.api import plan
from crudeflow.exceptions import DatasetError
from crudeflow.model.periods import stepped
from crudeflow.testing import tiny_network

TWO_YEARS = {"start": "2023-01-01", "end": "2024-12-31", "step": "year"}
MONTHS = {"start": "2023-01-01", "end": "2023-12-31", "step": "month"}


def _net(**kw: Any) -> Any:
    base: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field"}, {"id": "s", "kind": "storage"}, "r"],
        "links": [
            {"id": "fs", "from": "f", "to": "s", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
            {"id": "sr", "from": "s", "to": "r", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
        ],
        "supplies": [
            {"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0, "valid_to": "2023-12-31"}
        ],
        "demands": [{"node": "r", "demand_mt_per_year": 4.0}],
        "periods": TWO_YEARS,
    }
    base.update(kw)
    return tiny_network(**base)


def _by_period(frame: Any, col: str = "mt") -> dict[str, float]:
    return {str(k): float(v) for k, v in frame.groupby("period")[col].sum().items()}


def test_storage_carries_a_surplus_into_the_next_period() -> None:
    # supply only in 2023; tanks of 3 Mt carry 3 of the 4 Mt 2024 needs; 1 Mt is short
    net = _net(storage=[{"node": "s", "capacity_mt": 3.0, "min_final_mt": 0.0}])
    p = plan(net)
    assert _by_period(p.supply.reset_index()) == pytest.approx({"2023-01-01": 7.0, "2024-01-01": 0.0})
    lvl = p.stocks.set_index("period")["level_mt"]
    assert lvl["2023-01-01"] == pytest.approx(3.0)
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 1.0})
    # 7 Mt at 10 + 2 legs × 1 USD/t on 7 Mt + 1 Mt short at 1000 USD/t
    assert p.objective_usd == pytest.approx((7 * 10 + 7 * 2 + 1 * 1000) * 1e6)
    s = p.summary()
    assert s["horizon"] == "2 periods, 2023-01-01 to 2024-12-31"
    assert s["delivered_mt"] == pytest.approx(7.0)
    assert s["unmet_mt"] == pytest.approx(1.0)


def test_without_storage_the_second_period_is_short() -> None:
    p = plan(_net())
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 4.0})


def test_an_outage_is_covered_by_stocks_exactly_up_to_their_level() -> None:
    # refinery tanks hold 2.5 Mt; the only link is out in 2024: 2.5 Mt drawn, 1.5 Mt short
    net = _net(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "valid_to": "2023-12-31"}],
        supplies=[{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}],
        storage=[
            {"node": "r", "capacity_mt": 2.5, "initial_mt": 2.5, "initial_grade": "g", "min_final_mt": 0.0}
        ],
    )
    p = plan(net)
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 1.5})
    assert _by_period(p.deliveries) == pytest.approx({"2023-01-01": 4.0, "2024-01-01": 2.5})
    lvl = p.stocks.groupby("period")["level_mt"].sum()
    assert lvl["2023-01-01"] == pytest.approx(2.5)
    assert lvl.get("2024-01-01", 0.0) == pytest.approx(0.0)


def test_final_level_defaults_to_the_initial_level() -> None:
    # final ≥ initial: the 2.5 Mt must be back at the end, so nothing can be drawn in 2024
    net = _net(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "valid_to": "2023-12-31"}],
        supplies=[{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}],
        storage=[{"node": "r", "capacity_mt": 2.5, "initial_mt": 2.5, "initial_grade": "g"}],
    )
    assert _by_period(plan(net).unmet) == pytest.approx({"2024-01-01": 4.0})


def test_a_stock_obligation_is_a_floor_until_released() -> None:
    kw: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field"}, {"id": "r", "kind": "refinery", "country": "BY"}],
        "links": [
            {"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "valid_to": "2023-12-31"}
        ],
        "supplies": [{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}],
        "storage": [
            {"node": "r", "capacity_mt": 2.5, "initial_mt": 2.5, "initial_grade": "g", "min_final_mt": 0.0}
        ],
    }
    # 73 days of 5 Mt/yr net imports = 1 Mt held: only 1.5 Mt may be drawn
    held = _net(**kw, stock_obligations=[{"country": "BY", "days_of_net_imports": 73.0,
                                          "net_imports_mt_per_year": 5.0}])  # fmt: skip
    assert _by_period(plan(held).unmet) == pytest.approx({"2024-01-01": 2.5})
    released = _net(**kw, stock_obligations=[{"country": "BY", "days_of_net_imports": 73.0,
                                              "net_imports_mt_per_year": 5.0, "released": True}])  # fmt: skip
    assert _by_period(plan(released).unmet) == pytest.approx({"2024-01-01": 1.5})


def test_injection_rate_limits_the_fill() -> None:
    # tanks of 3 Mt fill at most 2 Mt/yr: 2 Mt carried, 2 Mt short in 2024
    net = _net(
        storage=[{"node": "s", "capacity_mt": 3.0, "min_final_mt": 0.0, "max_injection_mt_per_year": 2.0}]
    )
    assert _by_period(plan(net).unmet) == pytest.approx({"2024-01-01": 2.0})


def test_holding_cost_is_charged_per_month_held() -> None:
    net = _net(storage=[{"node": "s", "capacity_mt": 3.0, "min_final_mt": 0.0,
                         "holding_cost_usd_per_t_per_month": 1.0}])  # fmt: skip
    p = plan(net)
    # 3 Mt held through 2023 (365 days = 11.99 average months) at 1 USD/t/month
    months = 365 / (365.25 / 12)
    assert p.objective_usd == pytest.approx((7 * 10 + 7 * 2 + 1000 + 3 * months) * 1e6)


def test_a_partial_period_prorates_by_days() -> None:
    # a link opening on 11 January carries 21/31 of January's capacity: 36.5 × 31/365 × 21/31
    net = tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[
            {"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 36.5, "valid_from": "2023-01-11"}
        ],
        supplies=[{"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r", "demand_mt_per_year": 36.5}],
        periods=MONTHS,
    )
    p = plan(net)
    jan = p.flows[p.flows["period"] == "2023-01-01"]
    assert float(jan["mt"].sum()) == pytest.approx(2.1)
    feb = p.flows[p.flows["period"] == "2023-02-01"]
    assert float(feb["mt"].sum()) == pytest.approx(2.8)
    assert _by_period(p.unmet) == pytest.approx({"2023-01-01": 1.0})  # 3.1 demanded, 2.1 carried


def test_a_dated_policy_switches_on_and_off_at_its_dates() -> None:
    # an embargo on KZ crude into PL from 1 March to 30 April: the cheap direct KZ link is
    # closed in those months and the refinery takes RU crude instead
    net = tiny_network(
        nodes=[{"id": "kz", "kind": "field", "country": "KZ"}, {"id": "ru", "kind": "field", "country": "RU"},
               {"id": "r", "kind": "refinery", "country": "PL"}],
        links=[{"id": "a", "from": "kz", "to": "r", "capacity_mt_per_year": 100.0},
               {"id": "b", "from": "ru", "to": "r", "capacity_mt_per_year": 100.0}],
        grades=[{"grade": "g", "origin_country": "KZ", "api_gravity": 35.0, "sulfur_pct": 0.5, "bbl_per_t": 7.5},
                {"grade": "h", "origin_country": "RU", "api_gravity": 32.0, "sulfur_pct": 1.5, "bbl_per_t": 7.3}],
        supplies=[{"node": "kz", "grade": "g", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0},
                  {"node": "ru", "grade": "h", "max_mt_per_year": 100.0, "price_usd_per_t": 20.0}],
        demands=[{"node": "r", "demand_mt_per_year": 12.0}],
        policies=[{"id": "emb", "kind": "embargo", "importers": ["PL"], "origins": ["KZ"]}],
        periods=MONTHS,
    )  # fmt: skip
    pols = net.policies.assign(valid_from=["2023-03-01"], valid_to=["2023-04-30"])
    p = plan(net.replace(policies=pols))
    by = p.flows.groupby(["period", "link"])["mt"].sum().unstack(fill_value=0.0)
    on = ["2023-03-01", "2023-04-01"]
    assert (by.loc[on, "a"] == 0).all()
    assert np.allclose(by.loc[on, "b"], [12 * 31 / 365, 12 * 30 / 365])
    off = [lab for lab in by.index if lab not in on]
    assert np.allclose(by.loc[off, "a"], 12 * p.periods.set_index("label").loc[off, "year_fraction"])
    assert "b" not in by.columns or np.allclose(by.loc[off, "b"], 0)


def test_bad_periods_in_dataset_yaml_name_the_field() -> None:
    with pytest.raises(DatasetError) as e:
        _net(periods={"start": "2023-01-01", "end": "2023-13-01", "step": "month"})
    assert "periods.end" in str(e.value)
    with pytest.raises(DatasetError) as e:
        _net(periods=[{"label": "a", "start": "2023-01-01", "end": "2023-06-30"},
                      {"label": "b", "start": "2023-08-01", "end": "2023-12-31"}])  # fmt: skip
    assert "gap" in str(e.value)


def test_bad_valid_dates_name_file_row_and_column() -> None:
    with pytest.raises(DatasetError) as e:
        _net(
            supplies=[{"node": "f", "max_mt_per_year": 1.0, "price_usd_per_t": 1.0, "valid_to": "2023-02-30"}]
        )
    assert "supplies.csv" in str(e.value)
    assert "valid_to" in str(e.value)


def test_a_month_is_its_share_of_the_year() -> None:
    cal = stepped("2024-01-01", "2024-12-31", "month")
    assert cal["year_fraction"].sum() == pytest.approx(1.0)
    assert cal["year_fraction"].iloc[1] == pytest.approx(29 / 366)


CPC_LIKE = """name: outage
periods: {start: 2022-01-01, end: 2022-12-31, step: month}
changes:
  - events:
      - {link: fr, out: [2022-03-22, 2022-04-21]}
      - {link: fr, capacity_factor: 0.5, from: 2022-08-01, to: 2022-09-30}
"""


def _one_link() -> Any:
    return tiny_network(
        nodes=[{"id": "f", "kind": "field"}, "r"],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 36.5}],
        supplies=[{"node": "f", "max_mt_per_year": 100.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r", "demand_mt_per_year": 36.5}],
    )


def test_link_events_cut_the_days_they_cover() -> None:
    from crudeflow.io.scenario import parse_scenario

    net = parse_scenario(CPC_LIKE, "outage.yaml").apply(_one_link())
    got = _by_period(plan(net).flows)
    # 0.1 Mt/day: March loses 10 days (22-31), April 21 days; Aug and Sep run at half
    assert got["2022-03-01"] == pytest.approx(2.1)
    assert got["2022-04-01"] == pytest.approx(0.9)
    assert got["2022-05-01"] == pytest.approx(3.1)
    assert got["2022-08-01"] == pytest.approx(1.55)
    assert got["2022-09-01"] == pytest.approx(1.5)


def test_events_outside_the_horizon_name_file_and_line() -> None:
    from crudeflow.exceptions import ScenarioError
    from crudeflow.io.scenario import parse_scenario

    text = CPC_LIKE.replace("2022-04-21", "2023-01-05")
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, "outage.yaml").apply(_one_link())
    msg = str(e.value)
    assert "outage.yaml, line 5, column 'events.to'" in msg
    assert "2023-01-05" in msg
    # a day that does not exist is refused by the YAML reader, with its line
    with pytest.raises(ScenarioError, match=r"outage\.yaml, line 6"):
        parse_scenario(CPC_LIKE.replace("from: 2022-08-01", "from: 2022-08-32"), "outage.yaml")
    # an end before the start, quoted so the YAML reader passes it on as text
    bad = CPC_LIKE.replace("[2022-03-22, 2022-04-21]", "['2022-03-22', '2022-03-01']")
    with pytest.raises(ScenarioError, match=r"line 5, column 'events\.out'.*on or after 2022-03-22"):
        parse_scenario(bad, "outage.yaml")


def test_events_need_periods() -> None:
    from crudeflow.exceptions import ScenarioError
    from crudeflow.io.scenario import parse_scenario

    text = "name: x\nchanges:\n  - events:\n      - {link: fr, out: [2022-03-22, 2022-04-21]}\n"
    with pytest.raises(ScenarioError, match="periods"):
        parse_scenario(text, "x.yaml").apply(_one_link())


def _tank_net(**kw: Any) -> Any:
    # supply at flat price both years, refinery tanks of 3 Mt holding 2.5 Mt at 1 USD/t/month
    base: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field"}, "r"],
        "links": [{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 100.0}],
        "supplies": [{"node": "f", "max_mt_per_year": 10.0, "price_usd_per_t": 10.0}],
    }
    base.update(kw)
    return _net(**base)


def _tanks(floor: float, **extra: Any) -> list[dict[str, Any]]:
    return [{"node": "r", "capacity_mt": 3.0, "initial_mt": 2.5, "initial_grade": "g", "min_level_mt": floor,
             "holding_cost_usd_per_t_per_month": 1.0, **extra}]  # fmt: skip


def test_a_normal_plan_keeps_the_working_level() -> None:
    # holding costs money and prices are flat: without a floor the plan empties the tanks in
    # 2023 and refills them in 2024 (final ≥ initial); a 2 Mt working level keeps 2 Mt in
    # 2023, so 2023 buys 4 − 0.5 = 3.5 Mt and 2024 buys 4 + 0.5 = 4.5 Mt
    empty = plan(_tank_net(storage=_tanks(0.0)))
    assert empty.stocks.groupby("period")["level_mt"].sum().get("2023-01-01", 0.0) == pytest.approx(0.0)
    p = plan(_tank_net(storage=_tanks(2.0)))
    lvl = p.stocks.groupby("period")["level_mt"].sum()
    assert lvl["2023-01-01"] == pytest.approx(2.0)
    assert lvl["2024-01-01"] == pytest.approx(2.5)
    assert _by_period(p.supply.reset_index()) == pytest.approx({"2023-01-01": 3.5, "2024-01-01": 4.5})
    months = np.array([365, 366]) / (365.25 / 12)
    assert p.objective_usd == pytest.approx((8 * 10 + 2.0 * months[0] + 2.5 * months[1]) * 1e6)


def test_a_crisis_draws_the_working_level_where_per_period_values_release_it() -> None:
    # the only link is out in 2024; full tanks of 2.5 Mt, all of it working stock, no final level
    kw: dict[str, Any] = {
        "links": [
            {"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 100.0, "valid_to": "2023-12-31"}
        ],
        "storage": _tanks(2.5, min_final_mt=0.0, capacity_mt=2.5),
    }
    assert _by_period(plan(_tank_net(**kw)).unmet) == pytest.approx({"2024-01-01": 4.0})
    release = [{"table": "storage", "id": "r", "field": "min_level_mt", "period": "2024-01-01", "value": 0.0}]
    p = plan(_tank_net(**kw, period_values=release))
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 1.5})  # 2.5 Mt drawn of the 4 Mt
    assert p.stocks.groupby("period")["level_mt"].sum()["2023-01-01"] == pytest.approx(2.5)


def test_a_working_level_above_the_tanks_names_file_row_and_column() -> None:
    with pytest.raises(DatasetError) as err:
        _tank_net(storage=_tanks(3.5))
    assert any(
        p.file == "storage.csv" and p.row == 2 and p.column == "min_level_mt" for p in err.value.problems
    )
    above = [{"table": "storage", "id": "r", "field": "min_level_mt", "period": "2024-01-01", "value": 4.0}]
    with pytest.raises(DatasetError) as err2:
        plan(_tank_net(storage=_tanks(2.0), period_values=above))
    (prob,) = err2.value.problems
    assert (prob.file, prob.row, prob.column) == ("period_values.csv", 2, "value")
