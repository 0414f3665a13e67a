"""An annual plan reads policy dates against its year (issue 14's leftover).

The plan's year is the dataset's ``base_year`` (a scenario's ``prices_year`` becomes it). A
dated policy is in force when it covers at least half of that year, as for a period
(``optimize.periods.POLICY_SWITCH_SHARE``); a ship-or-pay volume is prorated by the share of
the year it covers. Objectives are USD/yr (Mt/yr × USD/t × 1e6).
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.optimize.test_commitments import M, flow, res_net, reserve, sop, sop_net

import crudeflow as cf
from crudeflow.api import plan
from crudeflow.io.scenario import parse_scenario
from crudeflow.optimize.index import build_index
from crudeflow.optimize.periods import policy_epochs, time_axis


@pytest.mark.parametrize(
    ("base_year", "valid_from", "valid_to", "binds"),
    [
        (2023, None, None, True),  # undated: always
        (2023, "2024-01-01", None, False),  # from next year: not in 2023
        (2024, "2024-01-01", None, True),
        (2010, "2022-02-24", None, False),  # a wartime measure in a 2010 plan
        (2023, "2023-05-01", None, True),  # 245 of 365 days
        (2023, "2023-08-03", None, False),  # 151 of 365 days: under half
        (2023, None, "2023-07-02", True),  # 183 of 365 days
        (2023, None, "2023-07-01", False),  # 182 of 365 days
    ],
)
def test_an_annual_plan_applies_a_dated_reservation_in_force_half_its_year(
    base_year: int, valid_from: str | None, valid_to: str | None, binds: bool
) -> None:
    # Base: all KZ, 10 × 100 = 1000 MUSD. Reserved 6 for RU: KZ ≤ 4, RU 6: 400 + 660 = 1060.
    dates = {k: v for k, v in (("valid_from", valid_from), ("valid_to", valid_to)) if v}
    p = plan(res_net(policies=[reserve(origin="RU", **dates)], base_year=base_year))
    assert p.objective_usd == pytest.approx((1060 if binds else 1000) * M)
    assert flow(p, "p", "g") == pytest.approx(4.0 if binds else 10.0)
    assert ("res" in set(p.commitments["policy"])) is binds  # listed only when in force


def test_an_annual_ship_or_pay_is_prorated_by_the_days_of_the_year_it_covers() -> None:
    # In force 1 Oct - 31 Dec 2023: 92 of 365 days, so 3 × 92/365 Mt paid at 10 USD/t (fixed)
    # and carried on a at no further cost; the rest of the 5 Mt via b at 108.
    share = 92 / 365
    paid = 3.0 * share
    p = plan(sop_net([sop(3.0, valid_from="2023-10-01")], base_year=2023))
    assert flow(p, "a") == pytest.approx(paid)
    assert flow(p, "b") == pytest.approx(5.0 - paid)
    assert p.objective_usd == pytest.approx((paid * 100 + (5 - paid) * 108 + paid * 10) * M)
    c = p.commitments.set_index("policy").loc["sop"]
    assert c["paid_usd_per_year"] == pytest.approx(paid * 10 * M)
    # Out of the plan's year entirely: nothing paid, the base plan (540 MUSD).
    p = plan(sop_net([sop(3.0, valid_from="2024-01-01")], base_year=2023))
    assert p.objective_usd == pytest.approx(540 * M)
    assert len(p.commitments) == 0


def in_force(net: Any) -> dict[str, bool]:
    """Per enabled dated policy of a network: whether the annual plan applies it."""
    ep = policy_epochs(net, build_index(net), time_axis(net))
    return {str(k): bool(v) for k, v in ep.active[0].items()}


def test_prices_year_is_the_year_the_policies_are_read_against() -> None:
    base = cf.read_dataset("caspian-europe")
    text = "name: t\nbase: caspian-europe\nprices_year: {y}\nchanges: []\n"
    y2010 = parse_scenario(text.format(y=2010), "t.yaml").apply(base)
    on = in_force(y2010)
    for pid in ("ua-wartime-no-crude-transit", "lt-no-crude-transit-to-belarus", "eu-embargo-seaborne-russian-crude",
                "pl-de-end-russian-pipeline-crude", "kz-az-transcaspian-2022"):  # fmt: skip
        assert on[pid] is False, pid
    assert "ru-no-kazakh-crude-to-belarus" not in on  # from 2010-01-01: in force all year
    on = in_force(base)  # 2023
    assert on.get("ua-wartime-no-crude-transit", True) is True
    assert on.get("eu-embargo-seaborne-russian-crude", True) is True
