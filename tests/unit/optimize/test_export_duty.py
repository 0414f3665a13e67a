"""Export duties as levied: on importers' intake (not transit), quotas, rates by date, ex-duty prices."""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.api import plan
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan
from crudeflow.testing import tiny_network

GRADES = [
    {"grade": "ru", "origin_country": "RU", "api_gravity": 31, "sulfur_pct": 1.0, "bbl_per_t": 7.33},
    {"grade": "no", "origin_country": "NO", "api_gravity": 31, "sulfur_pct": 1.0, "bbl_per_t": 7.33},
]


def _by_grade(p: Plan, refinery: str) -> dict[str, float]:
    d = p.deliveries
    d = d[d["refinery"] == refinery]
    return {str(g): float(v) for g, v in d.groupby("grade")["mt_per_year"].sum().items()}


def _quota_net(duty: dict[str, Any], no_price: float = 450.0, **kw: Any) -> Network:
    # RU crude a -> BY refinery r (10 + supply 400); NO crude n -> r (10 + no_price)
    return tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "RU"},
            {"id": "n", "kind": "field", "country": "NO"},
            {"id": "r", "kind": "refinery", "country": "BY"},
        ],
        links=[
            {"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 20, "tariff_usd_per_t": 10},
            {"id": "nr", "from": "n", "to": "r", "capacity_mt_per_year": 20, "tariff_usd_per_t": 10},
        ],
        grades=GRADES,
        supplies=[
            {"node": "a", "grade": "ru", "max_mt_per_year": 20, "price_usd_per_t": 400},
            {"node": "n", "grade": "no", "max_mt_per_year": 20, "price_usd_per_t": no_price},
        ],
        demands=[{"node": "r", "demand_mt_per_year": 10}],
        policies=[{"id": "d", "kind": "export_duty", "origin": "RU", "importers": ["BY"], **duty}],
        **kw,
    )


def test_duty_is_not_charged_on_transit_through_the_importer() -> None:
    # RU crude to a PL refinery: through BY (10 + 10) or around it through UA (30). A duty on
    # crude for BY must not push transit crude onto the detour (it did: charged entering BY).
    net = tiny_network(
        nodes=[
            {"id": "a", "kind": "field", "country": "RU"},
            {"id": "b", "country": "BY"},
            {"id": "u", "country": "UA"},
            {"id": "r", "kind": "refinery", "country": "PL"},
        ],
        links=[
            {"id": "ab", "from": "a", "to": "b", "capacity_mt_per_year": 20, "tariff_usd_per_t": 10},
            {"id": "br", "from": "b", "to": "r", "capacity_mt_per_year": 20, "tariff_usd_per_t": 10},
            {"id": "au", "from": "a", "to": "u", "capacity_mt_per_year": 20, "tariff_usd_per_t": 15},
            {"id": "ur", "from": "u", "to": "r", "capacity_mt_per_year": 20, "tariff_usd_per_t": 15},
        ],
        grades=GRADES[:1],
        supplies=[{"node": "a", "grade": "ru", "max_mt_per_year": 20, "price_usd_per_t": 400}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
        policies=[{"id": "d", "kind": "export_duty", "origin": "RU", "importers": ["BY"], "usd_per_t": 100}],
    )
    p = plan(net)
    flows = p.flows.groupby("link")["mt_per_year"].sum()
    assert flows.get("br", 0.0) == pytest.approx(5.0)
    assert flows.get("ur", 0.0) == pytest.approx(0.0)
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(0.0)
    assert p.objective_usd == pytest.approx(5e6 * 420)


def test_quota_splits_intake_into_duty_free_and_dutiable() -> None:
    # duty 100: the first 6 Mt of RU crude cost 410, more 510 > NO at 460 -> 6 RU + 4 NO
    p = plan(_quota_net({"usd_per_t": 100, "duty_free_mt_per_year": 6}))
    assert _by_grade(p, "r") == pytest.approx({"ru": 6.0, "no": 4.0})
    assert p.objective_usd == pytest.approx(6e6 * 410 + 4e6 * 460)
    q = p.duties.set_index("policy").loc["d"]
    assert q["intake_mt_per_year"] == pytest.approx(6.0)
    assert q["duty_free_mt_per_year"] == pytest.approx(6.0)
    assert q["dutiable_mt_per_year"] == pytest.approx(0.0)
    assert bool(q["quota_binding"])
    # duty 40: RU above the quota costs 450 < 460: all RU, 4 Mt pay 40 USD/t
    p = plan(_quota_net({"usd_per_t": 40, "duty_free_mt_per_year": 6}))
    assert _by_grade(p, "r") == pytest.approx({"ru": 10.0})
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(4e6 * 40)
    q = p.duties.set_index("policy").loc["d"]
    assert q["dutiable_mt_per_year"] == pytest.approx(4.0)
    assert q["duty_usd"] == pytest.approx(4e6 * 40)


def test_annual_rate_is_the_day_weighted_mean_of_the_rate_table() -> None:
    # 2020 (366 days): 100 USD/t Jan-Jun (182 days), 20 Jul-Dec (184): mean 59.7814...
    rates = [
        {"policy": "d", "valid_from": "2020-01-01", "valid_to": "2020-06-30", "usd_per_t": 100},
        {"policy": "d", "valid_from": "2020-07-01", "valid_to": "2020-12-31", "usd_per_t": 20},
    ]
    net = _quota_net(
        {"usd_per_t": 999, "duty_free_mt_per_year": 6}, no_price=500, duty_rates=rates, base_year=2020
    )
    p = plan(net)
    mean = (182 * 100 + 184 * 20) / 366
    assert _by_grade(p, "r") == pytest.approx({"ru": 10.0})
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(4e6 * mean)


def test_periods_read_their_rate_and_the_quota_spans_the_horizon() -> None:
    # 2021 in two halves (181 and 184 days), rates 100 then 20; quota 6 Mt over the year:
    # the duty-free crude goes to the dear half (all its 10 x 181/365 Mt), 4 Mt pay 20 USD/t
    rates = [
        {"policy": "d", "valid_from": "2021-01-01", "valid_to": "2021-06-30", "usd_per_t": 100},
        {"policy": "d", "valid_from": "2021-07-01", "valid_to": "2021-12-31", "usd_per_t": 20},
    ]
    periods = {"start": "2021-01-01", "end": "2021-12-31", "step": "quarter"}
    net = _quota_net(
        {"usd_per_t": 999, "duty_free_mt_per_year": 6}, no_price=500, duty_rates=rates, periods=periods
    )
    p = plan(net)
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(4e6 * 20)


def test_general_duty_prices_supply_ex_duty_and_spares_the_union() -> None:
    # RU field a (export netback 500) -> BY junction b -> DE outlet m (520) and BY refinery r;
    # NO crude at 460 delivered. General duty 100 with union BY: RU crude for r costs the
    # domestic netback 400 + 10 (no duty entering the union) < 460; exports still break even.
    def net(union: list[str]) -> Network:
        return tiny_network(
            nodes=[
                {"id": "a", "kind": "field", "country": "RU"},
                {"id": "b", "country": "BY"},
                {"id": "n", "kind": "field", "country": "NO"},
                {"id": "r", "kind": "refinery", "country": "BY"},
                {"id": "m", "kind": "market", "country": "DE"},
            ],
            links=[
                {"id": "ab", "from": "a", "to": "b", "capacity_mt_per_year": 50, "tariff_usd_per_t": 10},
                {"id": "br", "from": "b", "to": "r", "capacity_mt_per_year": 50, "tariff_usd_per_t": 0},
                {"id": "bm", "from": "b", "to": "m", "capacity_mt_per_year": 50, "tariff_usd_per_t": 5},
                {"id": "nr", "from": "n", "to": "r", "capacity_mt_per_year": 50, "tariff_usd_per_t": 10},
            ],
            grades=GRADES,
            supplies=[
                {
                    "node": "a",
                    "grade": "ru",
                    "min_mt_per_year": 20,
                    "max_mt_per_year": 20,
                    "price_usd_per_t": 500,
                },
                {"node": "n", "grade": "no", "max_mt_per_year": 20, "price_usd_per_t": 450},
            ],
            demands=[{"node": "r", "demand_mt_per_year": 5}],
            markets=[{"node": "m", "price_usd_per_t": 515, "max_mt_per_year": 100}],
            policies=[{"id": "d", "kind": "export_duty", "origin": "RU", "usd_per_t": 100, "union": union}],
        )

    p = plan(net(["BY"]))
    assert _by_grade(p, "r") == pytest.approx({"ru": 5.0})
    # exports: 15 Mt pay 100 on leaving BY for DE; supply is 20 Mt at 500 - 100
    assert p.objective_parts_usd["duties_usd"] == pytest.approx(15e6 * 100)
    assert p.objective_parts_usd["supply_usd"] == pytest.approx(20e6 * 400)
    # without the union the RU crude pays entering BY: 400 + 10 + 100 = 510 > 460
    p = plan(net([]))
    assert _by_grade(p, "r") == pytest.approx({"no": 5.0})


def test_unmet_reason_names_the_used_up_duty_free_quota() -> None:
    # duty 700: the first 6 Mt of RU crude cost 410; more would cost 1110 and NO 2010, both
    # above the shortage penalty of 1000: 6 RU, 4 Mt short; the quota is worth 590 USD/t.
    p = plan(_quota_net({"usd_per_t": 700, "duty_free_mt_per_year": 6}, no_price=2000))
    assert _by_grade(p, "r") == pytest.approx({"ru": 6.0})
    assert p.unmet.loc["r", "mt_per_year"] == pytest.approx(4.0)
    reason = p.unmet.loc["r", "reason"]
    assert "duty-free quota 'd' (6.00 Mt/yr of RU crude to BY) is used up" in reason
    assert "700.00 USD/t duty" in reason
    q = p.duties.set_index("policy").loc["d"]
    assert bool(q["quota_binding"])
    assert q["quota_value_usd_per_t"] == pytest.approx(590.0)
