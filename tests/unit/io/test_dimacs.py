"""DIMACS min-cost flow reader: hand-checked optima, the networkx NETGEN instance, and errors."""

from __future__ import annotations

import bz2
import pickle
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from crudeflow.api import plan
from crudeflow.io.dimacs import DimacsError, DimacsProblem, parse_dimacs, read_dimacs, write_dimacs

NETGEN_2 = Path(nx.__file__).parent / "algorithms" / "flow" / "tests" / "netgen-2.gpickle.bz2"
NETGEN_2_OPTIMUM = 6749969302
"""The optimum networkx's own tests assert for this instance."""

# 1 (supply 4) -> 2 -> 4 (demand 4) is the cheap route (2 USD/t) but 1->2 carries only 3;
# the fourth unit goes 1 -> 3 -> 4 (4 USD/t). Optimum 3 * 2 + 1 * 4 = 10.
SMALL = """c hand-made
p min 4 5
n 1 4
n 4 -4
a 1 2 0 3 1
a 1 3 0 5 3
a 2 4 0 5 1
a 3 4 0 5 1
a 2 3 0 2 0
"""


def _write(tmp_path: Path, text: str, name: str = "x.min") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_small_instance_hand_checked(tmp_path: Path) -> None:
    net = read_dimacs(_write(tmp_path, SMALL))
    p = plan(net, strict=True)
    assert p.objective_usd / 1e6 == pytest.approx(10.0)
    flows = p.link_flows["mt_per_year"]
    assert flows["a1"] == pytest.approx(3.0)
    assert flows["a3"] == pytest.approx(3.0)
    assert flows["a2"] == pytest.approx(1.0)
    assert flows["a4"] == pytest.approx(1.0)
    assert len(p.unmet) == 0


def test_lower_bound_is_shifted_into_an_offset(tmp_path: Path) -> None:
    # forcing 2 units over 1 -> 3 (cost 3): 2 * (3 + 1) + 2 * (1 + 1) = 12 in total
    net = read_dimacs(_write(tmp_path, SMALL.replace("a 1 3 0 5 3", "a 1 3 2 5 3")))
    offset = net.meta.extra["objective_offset"]
    assert offset == pytest.approx(6.0)
    p = plan(net, strict=True)
    assert p.objective_usd / 1e6 + offset == pytest.approx(12.0)
    assert net.links.loc["a2", "capacity_mt_per_year"] == pytest.approx(3.0)


def test_tables_map_supply_demand_and_arcs(tmp_path: Path) -> None:
    net = read_dimacs(_write(tmp_path, SMALL))
    assert list(net.supplies.index) == [("n1", "g")]
    assert net.supplies.loc[("n1", "g"), "min_mt_per_year"] == 4.0
    assert net.supplies.loc[("n1", "g"), "max_mt_per_year"] == 4.0
    assert net.demands.loc["n4", "demand_mt_per_year"] == 4.0
    assert net.nodes.loc["n2", "kind"] == "junction"
    assert net.links.loc["a5", ["from", "to"]].tolist() == ["n2", "n3"]
    assert net.links["tariff_usd_per_t"].tolist() == [1.0, 3.0, 1.0, 1.0, 0.0]


def _netgen2_problem() -> DimacsProblem:
    with bz2.BZ2File(NETGEN_2, "rb") as f:
        g = pickle.load(f)
    nodes = sorted(g.nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    edges = list(g.edges(data=True))
    return DimacsProblem(
        path="netgen-2",
        supply=-np.asarray([g.nodes[v].get("demand", 0) for v in nodes], float),
        tail=np.asarray([pos[u] for u, _, _ in edges], np.int64),
        head=np.asarray([pos[v] for _, v, _ in edges], np.int64),
        lower=np.zeros(len(edges)),
        capacity=np.asarray([d["capacity"] for *_, d in edges], float),
        cost=np.asarray([d["weight"] for *_, d in edges], float),
    )


@pytest.mark.skipif(not NETGEN_2.exists(), reason="networkx test fixture not installed")
def test_netgen2_known_optimum(tmp_path: Path) -> None:
    path = write_dimacs(_netgen2_problem(), tmp_path / "netgen-2.min")
    net = read_dimacs(path)
    assert len(net.links) == 1416
    p = plan(net, strict=True)
    assert round(p.objective_usd / 1e6) == NETGEN_2_OPTIMUM
    # conservation: every demand met exactly
    assert p.deliveries.groupby("refinery")["mt_per_year"].sum().to_dict() == pytest.approx(
        net.demands["demand_mt_per_year"].to_dict()
    )


def test_round_trip(tmp_path: Path) -> None:
    a = parse_dimacs(_write(tmp_path, SMALL))
    b = parse_dimacs(write_dimacs(a, tmp_path / "y.min"))
    for f in ("supply", "tail", "head", "lower", "capacity", "cost"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("c none\na 1 2 0 3 1\n", None, "problem line"),
        ("p min 2 1\nn 1 1\nn 2 -1\na 1 2 0 3\n", 4, "'a TAIL HEAD LOW CAP COST'"),
        ("p min 2 1\nn 1 1\nn 2 -1\na 1 x 0 3 1\n", 4, "numeric"),
        ("p min 2 1\nn 1 1\nn 2 -1\na 1 3 0 3 1\n", 4, "head node id in 1..2"),
        ("p min 2 1\nn 1 1\nn 2 -2\na 1 2 0 3 1\n", 1, "summing to zero"),
        ("p min 2 1\nn 1 1\nn 2 -1\na 1 2 4 3 1\n", 4, "capacity >= the lower bound"),
        ("p min 2 1\nn 1 1\nn 2 -1\nx 1 2\na 1 2 0 3 1\n", 4, "c, p, n or a"),
        ("p max 2 1\nn 1 1\nn 2 -1\na 1 2 0 3 1\n", 1, "p min NODES ARCS"),
        ("p min 2 2\nn 1 1\nn 2 -1\na 1 2 0 3 1\n", 1, "2 arc lines"),
        ("p min 2 1\nn 1 1\nn 1 1\nn 2 -2\na 1 2 0 3 1\n", 3, "each node described once"),
    ],
)
def test_malformed_input_names_file_and_line(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    path = _write(tmp_path, text, "bad.min")
    with pytest.raises(DimacsError) as info:
        read_dimacs(path)
    msg = str(info.value)
    assert str(path) in msg
    assert words in msg
    if line is not None:
        assert f"line {line}:" in msg
        assert any(p.row == line for p in info.value.problems)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DimacsError, match="readable DIMACS file"):
        read_dimacs(tmp_path / "nope.min")
