"""Shipped scenarios do what they say: no change to a link that carries no flow (review #5)."""

from __future__ import annotations

import pytest

from crudeflow.api import load, plan
from crudeflow.io.scenario import read_scenario, shipped_scenarios
from crudeflow.model.network import Network


@pytest.fixture(scope="module")
def base() -> Network:
    return load("caspian-europe")


@pytest.mark.parametrize("name", shipped_scenarios())
def test_shipped_scenario_has_no_warning(base: Network, name: str) -> None:
    sc = read_scenario(name)
    assert sc.apply(base).warnings == base.warnings


def test_trans_caspian_expansion_opens_kuryk_and_feeds_aktau(base: Network) -> None:
    net = read_scenario("trans-caspian-expansion").apply(base)
    links = net.links
    # the description: Aktau -> Baku 12.5 and Kuryk -> Baku 10 Mt/yr; Kuryk and its feeder were planned
    assert base.links.loc["kuryk_sangachal", "status"] == "planned"
    assert base.links.loc["kz_other_kuryk", "status"] == "planned"
    for lid, cap in (
        ("aktau_sangachal", 12.5),
        ("uzen_aktau", 12.5),
        ("kuryk_sangachal", 10),
        ("kz_other_kuryk", 10),
    ):
        assert links.loc[lid, "status"] == "operating"
        assert links.loc[lid, "capacity_mt_per_year"] == cap
    p = plan(net)
    flows = p.flows.groupby("link")["mt_per_year"].sum()
    # Kuryk carries crude (nothing did before the fix), and the Aktau feeder no longer caps
    # Aktau's tankers (7.5 Mt/yr less 2.2 to Makhachkala held Aktau -> Baku at 5.3 Mt/yr)
    assert flows.get("kuryk_sangachal", 0.0) > 1.0
    assert flows.get("kuryk_sangachal", 0.0) <= flows.get("kz_other_kuryk", 0.0) + 1e-6
    assert flows.get("uzen_aktau", 0.0) < 12.5 - 1e-6
    assert "uzen_aktau" not in set(p.bottlenecks.index)
    across = flows.get("aktau_sangachal", 0.0) + flows.get("kuryk_sangachal", 0.0)
    assert across > 5.3 + 1.0
