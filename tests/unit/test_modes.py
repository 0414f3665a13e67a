"""The modes table: one place for every per-mode fact, and no silent default for a mode
missing from it."""

from __future__ import annotations

import pytest

from crudeflow.analysis import montecarlo
from crudeflow.analysis.montecarlo import DEFAULT_OUTAGES
from crudeflow.api import plan
from crudeflow.exceptions import CrudeflowError
from crudeflow.io.validate import Collector, check_links
from crudeflow.model.network import Network
from crudeflow.model.policies import Embargo, fields_of
from crudeflow.report import geo
from crudeflow.schema import LINKS
from crudeflow.schema.modes import MODE_TABLE, MODES, UnknownModeError, mode_values
from crudeflow.testing import tiny_network


def _net(mode: str = "pipeline") -> Network:
    """A (KZ) feeds refinery R (BY, 2 Mt/yr) over one 5 Mt/yr link of the given mode."""
    return tiny_network(
        nodes=[{"id": "A", "country": "KZ", "lat": 45.0, "lon": 50.0},
               {"id": "R", "country": "BY", "kind": "refinery", "lat": 52.0, "lon": 28.0}],
        links=[{"id": "ar", "from": "A", "to": "R", "mode": mode, "capacity_mt_per_year": 5,
                "tariff_usd_per_t": 1, "distance_km": 2000}],
        supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "R", "demand_mt_per_year": 2}],
    )  # fmt: skip


def test_the_table_is_the_one_list_of_modes() -> None:
    assert LINKS.column("mode").choices == MODES
    assert fields_of(Embargo)["modes"].spec.choices == MODES
    assert set(DEFAULT_OUTAGES) == set(MODES)
    colours = [m.colour for m in MODE_TABLE.values()]
    assert len(set(colours)) == len(colours)  # every mode drawn in its own colour (barge too)
    assert DEFAULT_OUTAGES["barge"] == (1.0, 7.0)
    assert [m for m in MODES if MODE_TABLE[m].seaborne] == ["tanker"]
    assert [m for m in MODES if MODE_TABLE[m].paper] == ["swap"]


def test_lookup_of_a_mode_missing_from_the_table_is_an_error() -> None:
    assert list(mode_values(["tanker", "rail", "tanker"], "outage_mean_days")) == [5.0, 3.0, 5.0]
    with pytest.raises(UnknownModeError, match="'hovercraft'") as err:
        mode_values(["tanker", "hovercraft"], "outage_rate_per_year")
    assert isinstance(err.value, CrudeflowError)  # the CLI prints one red line, exit 2
    net = _net()
    links = net.links.copy()
    links["mode"] = "hovercraft"
    with pytest.raises(UnknownModeError):
        plan(net.replace(links=links))  # the planner's paper/seaborne lookups too


def test_montecarlo_refuses_a_link_mode_missing_from_the_table() -> None:
    net = _net()
    links = net.links.copy()
    links["mode"] = "hovercraft"  # bypasses validation, as a hand-edited Network could
    with pytest.raises(CrudeflowError, match=r"'hovercraft' \(links ar\)"):
        montecarlo(net.replace(links=links), n=2, seed=1, workers=1)


def test_montecarlo_refuses_an_outage_default_for_an_unknown_mode() -> None:
    with pytest.raises(CrudeflowError, match="'pipe'"):
        montecarlo(_net(), n=2, seed=1, workers=1, default_outages={"pipe": (1.0, 1.0)})


def test_barge_outages_come_from_the_table() -> None:
    # a barge link with no outage columns takes (1/yr, 7 days): some draws lose capacity
    res = montecarlo(_net("barge"), n=200, seed=4, workers=1, default_outages={"barge": (200.0, 365.0)})
    assert res.summary.loc["BY", "p_shortfall"] == 1.0  # always out: the override is applied
    res = montecarlo(_net("barge"), n=50, seed=4, workers=1, default_outages={"barge": (0.0, 0.0)})
    assert res.summary.loc["BY", "p_shortfall"] == 0.0


@pytest.mark.parametrize("mode", ["barge", "tanker", "rail"])
def test_map_colour_comes_from_the_table(mode: str) -> None:
    net = _net(mode)
    lk = geo.map_data(plan(net), net).links
    assert lk.loc["ar", "colour"] == MODE_TABLE[mode].colour  # barge was drawn grey before


def test_validator_reads_the_tariff_ceiling_from_the_table() -> None:
    net = _net()
    links = net.links.copy()
    links["tariff_usd_per_t"] = 150.0
    out = Collector()
    check_links(links.reset_index(), net.nodes, out)
    assert [(p.column, p.severity) for p in out.problems] == [("tariff_usd_per_t", "warning")]
    assert "pipeline tariff up to 100 USD/t" in str(out.problems[0])
    rail = links.assign(mode="rail")
    out = Collector()
    check_links(rail.reset_index(), net.nodes, out)
    assert out.problems == []  # rail has no ceiling in the table
