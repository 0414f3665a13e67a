from __future__ import annotations

import itertools
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest

from crudeflow.analysis import routes
from crudeflow.exceptions import CrudeflowError
from crudeflow.model.network import Network
from crudeflow.testing import tiny_network


def _grid() -> tuple[Network, nx.DiGraph]:
    """A 3x3 grid of junctions with distinct tariffs, plus a refinery at the far corner."""
    rng = np.random.default_rng(7)
    nodes = [f"n{r}{c}" for r in range(3) for c in range(3)]
    links, g = [], nx.DiGraph()
    for r in range(3):
        for c in range(3):
            for dr, dc in ((0, 1), (1, 0), (0, -1), (-1, 0)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < 3 and 0 <= cc < 3:
                    t = float(np.round(rng.uniform(1, 20), 3))
                    a, b = f"n{r}{c}", f"n{rr}{cc}"
                    links.append({"id": f"{a}_{b}", "from": a, "to": b, "capacity_mt_per_year": 5,
                                  "tariff_usd_per_t": t})  # fmt: skip
                    g.add_edge(a, b, weight=t)
    net = tiny_network(
        nodes=[{"id": n, "country": "PL"} for n in nodes], links=links,
        supplies=[{"node": "n00", "max_mt_per_year": 5, "price_usd_per_t": 50}],
        demands=[{"node": "n22", "demand_mt_per_year": 1}],
    )  # fmt: skip
    return net, g


def test_k_best_order_matches_networkx() -> None:
    net, g = _grid()
    got = routes(net, "n00", "n22", k=12).table
    ref = []
    for path in nx.shortest_simple_paths(g, "n00", "n22", weight="weight"):
        ref.append((tuple(path), sum(g[a][b]["weight"] for a, b in itertools.pairwise(path))))
        if len(ref) == 12:
            break
    assert [tuple(n) for n in got["nodes"]] == [p for p, _ in ref]
    np.testing.assert_allclose(got["transport_usd_per_t"], [c for _, c in ref])
    np.testing.assert_allclose(got["delivered_cost_usd_per_t"], [50 + c for _, c in ref])
    assert (got["price_usd_per_t"] == 50).all()


def test_routes_parts_filters_and_bottleneck(diamond_net: Network) -> None:
    r = routes(diamond_net, "A", "D").table
    assert [tuple(x) for x in r["links"]] == [("ab", "bd"), ("ac", "cd")]
    assert r["delivered_cost_usd_per_t"].tolist() == [102.0, 104.0]
    assert r["bottleneck_mt_per_year"].tolist() == [3.0, 5.0]
    assert r["transit"].tolist() == [("RU",), ("UA",)]
    no_ru = routes(diamond_net, "KZ", "BY", avoid_countries=["RU"]).table
    assert [tuple(x) for x in no_ru["links"]] == [("ac", "cd")]
    assert len(routes(diamond_net, "A", "D", avoid_modes=["pipeline"])) == 0


def test_routes_respect_policies(make_diamond: Callable[..., Network]) -> None:
    net = make_diamond(policies=[
        {"id": "ban", "kind": "transit_ban", "country": "RU", "origins": ["KZ"]},
        {"id": "duty", "kind": "export_duty", "origin": "KZ", "usd_per_t": 7},
        {"id": "fee", "kind": "transit_fee", "country": "UA", "usd_per_t": 3},
    ])  # fmt: skip
    r = routes(net, "A", "D").table
    assert [tuple(x) for x in r["links"]] == [("ac", "cd")]
    row = r.iloc[0]
    assert (row["price_usd_per_t"], row["transport_usd_per_t"], row["duties_usd_per_t"], row["fees_usd_per_t"]) == (
        100.0, 4.0, 7.0, 3.0,
    )  # fmt: skip
    assert row["delivered_cost_usd_per_t"] == 114.0


def test_route_from_node_without_supply_has_zero_price(diamond_net: Network) -> None:
    r = routes(diamond_net, "B", "D").table
    assert r["price_usd_per_t"].tolist() == [0.0]
    assert r["delivered_cost_usd_per_t"].tolist() == [1.0]


def test_unknown_endpoint_raises(diamond_net: Network) -> None:
    with pytest.raises(CrudeflowError, match="neither a node id"):
        routes(diamond_net, "nowhere", "D")


def _inner_transit() -> Network:
    """A (KZ) -> D (BY) directly on a pipeline crossing UA (tariff 1), or via B (LT) at 2 + 2.

    The direct link's end nodes are in KZ and BY: UA is only in its ``countries`` column.
    """
    return tiny_network(
        nodes=[
            {"id": "A", "country": "KZ", "kind": "field"},
            {"id": "B", "country": "LT"},
            {"id": "D", "country": "BY", "kind": "refinery"},
        ],
        links=[
            {"id": "ad", "from": "A", "to": "D", "capacity_mt_per_year": 5, "tariff_usd_per_t": 1,
             "countries": "UA"},
            {"id": "ab", "from": "A", "to": "B", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2},
            {"id": "bd", "from": "B", "to": "D", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2},
        ],
        supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "D", "demand_mt_per_year": 4}],
        groups={"BLACKSEA": ["UA", "GE"]},
    )  # fmt: skip


def test_avoiding_a_country_only_crossed_inside_a_leg_drops_the_route() -> None:
    net = _inner_transit()
    every = routes(net, "A", "D").table
    assert [tuple(x) for x in every["links"]] == [("ad",), ("ab", "bd")]
    assert every["transit"].tolist() == [("UA",), ("LT",)]
    for avoid in (["UA"], ["ua"], ["BLACKSEA"]):
        r = routes(net, "A", "D", avoid_countries=avoid).table
        assert [tuple(x) for x in r["links"]] == [("ab", "bd")], avoid
        assert r["delivered_cost_usd_per_t"].tolist() == [104.0]
