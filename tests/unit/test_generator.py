"""Synthetic transport networks: valid as a dataset, deterministic, and solved to the true optimum."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from crudeflow.api import plan
from crudeflow.io.dataset import read_dataset, write_dataset
from crudeflow.synthetic import transport_network


def test_generated_tables_pass_validation_unchanged(tmp_path: Path) -> None:
    net = transport_network(60, 300, seed=3)
    assert (len(net.nodes), len(net.links), len(net.grades)) == (60, 300, 4)
    back = read_dataset(write_dataset(net, tmp_path / "syn"))
    for name, frame in net.tables().items():
        if name == "trade":
            continue
        other = getattr(back, name)
        assert list(frame.columns) == list(other.columns), name
        assert frame.dtypes.to_dict() == other.dtypes.to_dict(), name
        pd.testing.assert_frame_equal(frame, other, check_index_type=False, obj=name)


def test_same_seed_same_network() -> None:
    a, b = transport_network(40, 200, seed=5), transport_network(40, 200, seed=5)
    assert a.equals(b)
    assert not a.equals(transport_network(40, 200, seed=6))


def test_side_constraints_are_present_and_the_plan_solves() -> None:
    net = transport_network(80, 400, seed=2)
    assert len(net.contracts) > 0
    assert len(net.slates) > 0
    assert len(net.policies) > 0
    assert net.demands["max_sulfur_pct"].notna().any()
    p = plan(net)
    assert p.status == "optimal"
    # every refinery's runs plus its unmet demand equal its demand
    runs = p.deliveries.groupby("refinery")["mt_per_year"].sum().reindex(net.demands.index, fill_value=0.0)
    unmet = p.unmet["mt_per_year"].reindex(net.demands.index, fill_value=0.0)
    np.testing.assert_allclose(runs + unmet, net.demands["demand_mt_per_year"], rtol=1e-7, atol=1e-6)
    # no link above its capacity
    lf = p.link_flows
    assert (lf["mt_per_year"] <= lf["capacity_mt_per_year"] + 1e-6).all()


def test_pure_instance_matches_networkx_optimum() -> None:
    net = transport_network(50, 250, seed=4, pure=True)
    sup = net.supplies["max_mt_per_year"].sum()
    assert sup == pytest.approx(net.demands["demand_mt_per_year"].sum())
    g = nx.MultiDiGraph()
    for n in net.nodes.index:
        g.add_node(n, demand=0)
    for (node, _), s in net.supplies["max_mt_per_year"].items():
        g.nodes[node]["demand"] -= int(s)
    for node, d in net.demands["demand_mt_per_year"].items():
        g.nodes[node]["demand"] += int(d)
    for lid, r in net.links.iterrows():
        g.add_edge(
            r["from"],
            r["to"],
            lid,
            capacity=int(r["capacity_mt_per_year"]),
            weight=int(r["tariff_usd_per_t"]),
        )
    cost, _ = nx.network_simplex(g)
    p = plan(net, strict=True)
    assert p.objective_usd / 1e6 == pytest.approx(cost)
