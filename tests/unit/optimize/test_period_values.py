"""Per-period values (period_values.csv, scenario ``period_values``): hand-solved networks.

Two calendar years (2023, 2024; year_fraction exactly 1 each) keep every figure whole: a
value of X Mt/yr in a period is X Mt there.
"""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.api import plan
from crudeflow.exceptions import DatasetError, ScenarioError
from crudeflow.io.scenario import parse_scenario
from crudeflow.testing import tiny_network

TWO_YEARS = {"start": "2023-01-01", "end": "2024-12-31", "step": "year"}


def _by_period(frame: Any, col: str = "mt") -> dict[str, float]:
    return {str(k): float(v) for k, v in frame.groupby("period")[col].sum().items() if abs(v) > 1e-9}


def _net(pv: list[dict[str, Any]] | None = None, **kw: Any) -> Any:
    base: dict[str, Any] = {
        "nodes": [{"id": "f", "kind": "field"}, {"id": "m", "kind": "market"}, "r"],
        "links": [
            {"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 10.0, "tariff_usd_per_t": 1.0},
            {"id": "fm", "from": "f", "to": "m", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 1.0},
        ],
        "supplies": [{"node": "f", "max_mt_per_year": 20.0, "price_usd_per_t": 10.0}],
        "demands": [{"node": "r", "demand_mt_per_year": 6.0}],
        "markets": [{"node": "m", "price_usd_per_t": 5.0, "max_mt_per_year": 100.0}],
        "periods": TWO_YEARS,
        "period_values": pv,
    }
    base.update(kw)
    return tiny_network(**base)


def test_a_capacity_per_period_replaces_the_annual_one_in_that_period() -> None:
    p = plan(_net([{"table": "links", "id": "fr", "field": "capacity_mt_per_year", "period": "2024-01-01",
                    "value": 2.5}]))  # fmt: skip
    runs = _by_period(p.deliveries)
    assert runs == pytest.approx({"2023-01-01": 6.0, "2024-01-01": 2.5})
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 3.5})
    lf = p.link_flows.reset_index().set_index(["period", "link"])
    assert lf.loc[("2024-01-01", "fr"), "capacity_mt_per_year"] == pytest.approx(2.5)
    assert lf.loc[("2023-01-01", "fr"), "capacity_mt_per_year"] == pytest.approx(10.0)


def test_demand_and_supply_per_period() -> None:
    p = plan(_net([
        {"table": "demands", "id": "r", "field": "demand_mt_per_year", "period": "2023-01-01", "value": 8.0},
        {"table": "supplies", "id": "f", "grade": "g", "field": "max_mt_per_year", "period": "2024-01-01",
         "value": 3.0},
    ]))  # fmt: skip
    assert _by_period(p.deliveries) == pytest.approx({"2023-01-01": 8.0, "2024-01-01": 3.0})
    assert _by_period(p.unmet) == pytest.approx({"2024-01-01": 3.0})


def test_prices_per_period_change_what_pays() -> None:
    # the market pays 5 (below cost 11): nothing sold; at 30 in 2024, the field sells all it can
    # after the refinery's 6 Mt: 20 − 6 = 14 Mt at 30 − 10 − 1 = 19 USD/t margin
    p = plan(_net([{"table": "markets", "id": "m", "field": "price_usd_per_t", "period": "2024-01-01",
                    "value": 30.0}]))  # fmt: skip
    assert _by_period(p.sales) == pytest.approx({"2024-01-01": 14.0})
    assert p.sales["price_usd_per_t"].tolist() == pytest.approx([30.0])
    # supply price 12 in 2023: 6 Mt × (12 + 1) + 2024: 20 Mt × 11 − 14 × 30
    q = plan(_net([
        {"table": "markets", "id": "m", "field": "price_usd_per_t", "period": "2024-01-01", "value": 30.0},
        {"table": "supplies", "id": "f", "grade": "g", "field": "price_usd_per_t", "period": "2023-01-01",
         "value": 12.0},
    ]))  # fmt: skip
    assert q.objective_usd == pytest.approx((6 * 13 + 20 * 11 - 14 * 30) * 1e6)
    d = q.deliveries.set_index("period")["delivered_cost_usd_per_t"]
    assert d["2023-01-01"] == pytest.approx(13.0)
    assert d["2024-01-01"] == pytest.approx(11.0)


def test_a_tariff_per_period() -> None:
    p = plan(_net([{"table": "links", "id": "fr", "field": "tariff_usd_per_t", "period": "2024-01-01",
                    "value": 4.0}]))  # fmt: skip
    assert p.objective_usd == pytest.approx((6 * 11 + 6 * 14) * 1e6)


def test_an_annual_network_keeps_the_annual_figures() -> None:
    p = plan(_net([{"table": "links", "id": "fr", "field": "capacity_mt_per_year", "period": "2024-01-01",
                    "value": 2.5}], periods=None))  # fmt: skip
    assert float(p.deliveries["mt_per_year"].sum()) == pytest.approx(6.0)


def test_bad_rows_name_file_row_and_column() -> None:
    with pytest.raises(DatasetError) as e:
        _net([
            {"table": "links", "id": "nope", "field": "capacity_mt_per_year", "period": "2023-01-01", "value": 1},
            {"table": "links", "id": "fr", "field": "distance_km", "period": "2023-01-01", "value": 1},
            {"table": "demands", "id": "r", "field": "demand_mt_per_year", "period": "2025-01-01", "value": 1},
            {"table": "supplies", "id": "f", "grade": "x", "field": "max_mt_per_year", "period": "2023-01-01",
             "value": 1},
        ])  # fmt: skip
    msg = str(e.value)
    assert "period_values.csv, row 2, column 'id'" in msg
    assert "period_values.csv, row 3, column 'field'" in msg
    assert "period_values.csv, row 4, column 'period'" in msg
    assert "2025-01-01" in msg
    assert "period_values.csv, row 5, column 'grade'" in msg


SCEN = """name: pv
periods: {start: 2022-01-01, end: 2022-12-31, step: month}
changes:
  - period_values:
      - {table: links, id: fr, field: capacity_mt_per_year, period: 2022-04-01, value: 0}
      - {table: links, id: fr, field: capacity_mt_per_year, period: 2023-04-01, value: 0}
"""


def test_scenario_period_values_outside_the_horizon_name_file_and_line() -> None:
    with pytest.raises(ScenarioError) as e:
        parse_scenario(SCEN, "pv.yaml").apply(_net(periods=None))
    msg = str(e.value)
    assert "pv.yaml, line 6, column 'period'" in msg
    assert "2023-04-01" in msg
    assert "line 5" not in msg


def test_scenario_period_values_close_a_link_in_one_month() -> None:
    net = parse_scenario(SCEN.rsplit("\n", 2)[0] + "\n", "pv.yaml").apply(_net(periods=None))
    got = _by_period(plan(net).unmet)
    assert got == pytest.approx({"2022-04-01": 6.0 * 30 / 365})


def test_dataset_values_outside_a_scenario_horizon_are_an_error_at_plan_time() -> None:
    net = _net([{"table": "links", "id": "fr", "field": "capacity_mt_per_year", "period": "2024-01-01",
                 "value": 2.5}], periods=None)  # fmt: skip
    monthly = parse_scenario(SCEN.split("changes:")[0] + "changes: []\n", "pv.yaml").apply(net)
    with pytest.raises(DatasetError, match=r"period_values\.csv, row 2, column 'period'"):
        plan(monthly)


def test_a_second_value_for_the_same_period_is_an_error() -> None:
    row = {"table": "links", "id": "fr", "field": "capacity_mt_per_year", "period": "2023-01-01", "value": 1}
    with pytest.raises(DatasetError, match=r"period_values\.csv, row 3, column 'period'.*second value"):
        _net([row, {**row, "value": 2}])


def test_period_values_round_trip_through_a_dataset_folder(tmp_path: Any) -> None:
    from crudeflow.io.dataset import read_dataset, write_dataset

    net = _net([{"table": "links", "id": "fr", "field": "capacity_mt_per_year", "period": "2024-01-01",
                 "value": 2.5}])  # fmt: skip
    back = read_dataset(write_dataset(net, tmp_path / "ds"))
    assert back.period_values[["table", "id", "field", "period", "value", "_row"]].to_dict("records") == [
        {"table": "links", "id": "fr", "field": "capacity_mt_per_year", "period": "2024-01-01", "value": 2.5,
         "_row": 2}
    ]  # fmt: skip
    assert "_file" not in (tmp_path / "ds" / "period_values.csv").read_text()
    assert back.periods["label"].tolist() == ["2023-01-01", "2024-01-01"]
    assert back.periods["year_fraction"].tolist() == pytest.approx([1.0, 1.0])
