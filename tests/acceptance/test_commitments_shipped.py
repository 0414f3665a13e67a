"""Issue 14 on the shipped dataset: Russian transit to China reserved, the KMG-SOCAR volumes as
ship-or-pay, the Odessa-Brody ship-or-pay of 2011 and the swap tied to Belarus."""

from __future__ import annotations

import pytest

from crudeflow import plan, read_dataset, read_scenario
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan


@pytest.fixture(scope="module")
def net() -> Network:
    return read_dataset("caspian-europe")


def _on(p: Plan, link: str, grade: str | None = None) -> float:
    f = p.flows[p.flows["link"] == link]
    return float(f[f["grade"] == grade]["mt_per_year"].sum() if grade else f["mt_per_year"].sum())


def _without(net: Network, policy: str) -> Network:
    return net.replace(
        policies=net.policies.assign(enabled=net.policies["enabled"] & (net.policies.index != policy))
    )


def test_cpc_shut_keeps_the_russian_transit_to_china(net: Network) -> None:
    # Without the reservation, stranded Kazakh crude displaces 1 Mt/yr of Russian transit
    # (Omsk output shut in); with it, Russia ships its 10 Mt/yr and Kazakh crude gets the rest.
    shut = read_scenario("cpc-shut")
    before = plan(shut.apply(_without(net, "kz-cn-russian-transit-reserved")))
    assert _on(before, "atasu_alashankou", "siberian_light") == pytest.approx(9.0)
    p = plan(shut.apply(net))
    assert _on(p, "atasu_alashankou", "siberian_light") == pytest.approx(10.0)
    assert _on(p, "atasu_alashankou") - 10.0 == pytest.approx(10.0)  # Kazakh crude: the other half
    assert "omsk" not in p.shut_in.index.get_level_values("node")
    c = p.commitments.set_index("policy").loc["kz-cn-russian-transit-reserved"]
    assert c["binding"]


def test_kazakhstan_china_transit_keeps_russian_sales_without_a_pinned_supply(net: Network) -> None:
    sc = read_scenario("kazakhstan-china-transit")
    p = plan(sc.apply(net))
    assert _on(p, "atasu_alashankou", "siberian_light") == pytest.approx(10.0)
    assert float(p.supply.loc[("omsk", "siberian_light"), "min_mt_per_year"]) == 0.0
    free = plan(sc.apply(_without(net, "kz-cn-russian-transit-reserved")))
    assert _on(free, "atasu_alashankou", "siberian_light") < 10.0 - 0.5


def test_kmg_socar_volumes_are_shipped_as_ship_or_pay(net: Network) -> None:
    p = plan(net)
    assert "kz-az-transcaspian-2022" not in net.contracts.index
    c = p.commitments.set_index("policy").loc["kz-az-transcaspian-2022"]
    # 1.5 Mt/yr from April 2023: 1.125 Mt booked (and shipped) in the 2023 base year
    assert (c["limit_mt_per_year"], c["used_mt_per_year"]) == pytest.approx((1.125, 1.125))
    assert c["paid_usd_per_year"] == pytest.approx(1.125e6 * 15.55)


def test_belarus_2011_books_odessa_brody_and_ties_the_swap_to_belarus(net: Network) -> None:
    p = plan(read_scenario("belarus-odessa-brody-2011").apply(net))
    c = p.commitments.set_index("policy")
    assert c.loc["by-ua-odessa-brody-ship-or-pay-2011", "limit_mt_per_year"] == pytest.approx(4.0)
    assert c.loc["by-ua-odessa-brody-ship-or-pay-2011", "paid_usd_per_year"] == pytest.approx(4e6 * 16.46)
    assert p.deliveries["duties_usd_per_t"].abs().max() == 0.0  # no Russian duty in 2011
    d = p.deliveries
    by_azeri = d[d["refinery"].isin(["mozyr", "naftan"]) & (d["grade"] == "azeri_light")]["mt_per_year"].sum()
    assert _on(p, "swap_ve_az_by") <= by_azeri + 1e-6  # the swap serves Belarus only
    assert "KZ" not in set(d[d["refinery"].isin(["mozyr", "naftan"])]["origin"])
