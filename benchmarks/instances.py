"""Benchmark instances: the shipped dataset, synthetic transport networks, NETGEN/DIMACS files.

Generated files are cached in ``$TMPDIR/crudeflow-bench`` (not timed, not committed).
"""

from __future__ import annotations

import bz2
import pickle
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from crudeflow.io.dimacs import DimacsProblem, read_dimacs, write_dimacs
from crudeflow.model.network import Network
from crudeflow.synthetic import transport_network

CACHE = Path(tempfile.gettempdir()) / "crudeflow-bench"
FArray = npt.NDArray[np.float64]
IArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Instance:
    """How to build one instance and what it is."""

    name: str
    build: Callable[[], Network]
    pure: bool
    """A pure min-cost flow (one grade, fixed supplies, exact demands): every method applies."""
    strict: bool
    description: str
    known_optimum: float | None = None
    """Optimum in million USD (the DIMACS cost units), when known independently."""


@dataclass(frozen=True)
class MCF:
    """A pure min-cost flow as integer arrays (for networkx and OR-Tools)."""

    n_nodes: int
    tail: IArray
    head: IArray
    capacity: IArray
    cost: IArray
    supply: IArray
    link_ids: list[str]


def netgen2_file() -> Path:
    """networkx's NETGEN test instance written as a DIMACS file."""
    import networkx as nx

    out = CACHE / "netgen-2.min"
    if out.exists():
        return out
    CACHE.mkdir(parents=True, exist_ok=True)
    src = Path(nx.__file__).parent / "algorithms" / "flow" / "tests" / "netgen-2.gpickle.bz2"
    with bz2.BZ2File(src, "rb") as f:
        g = pickle.load(f)
    nodes = sorted(g.nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    e = list(g.edges(data=True))
    prob = DimacsProblem(
        "netgen-2",
        -np.asarray([g.nodes[v].get("demand", 0) for v in nodes], float),
        np.asarray([pos[u] for u, _, _ in e], np.int64),
        np.asarray([pos[v] for _, v, _ in e], np.int64),
        np.zeros(len(e)),
        np.asarray([d["capacity"] for *_, d in e], float),
        np.asarray([d["weight"] for *_, d in e], float),
    )
    return write_dimacs(prob, out, "networkx netgen-2.gpickle.bz2")


def netgen_file(nodes: int, arcs: int, seed: int = 1) -> Path:
    """A NETGEN instance (pynetgen, original NETGEN generator) as a DIMACS file."""
    from pynetgen import netgen_generate

    out = CACHE / f"netgen-{nodes}-{arcs}-{seed}.min"
    if not out.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        s = max(2, min(nodes // 20, 50))
        netgen_generate(
            seed=seed,
            nodes=nodes,
            sources=s,
            sinks=s,
            density=arcs,
            mincost=1,
            maxcost=100,
            supply=nodes * 100,
            mincap=100,
            maxcap=1000,
            fname=str(out),
        )
    return out


def _dataset() -> Network:
    from crudeflow.io.dataset import read_dataset

    return read_dataset("caspian-europe")


def _synthetic(nodes: int, links: int, pure: bool = False) -> Callable[[], Network]:
    return lambda: transport_network(nodes, links, seed=1, pure=pure)


INSTANCES: dict[str, Instance] = {
    i.name: i
    for i in [
        Instance("dataset", _dataset, False, False, "shipped caspian-europe dataset"),
        Instance(
            "netgen-2",
            lambda: read_dimacs(netgen2_file()),
            True,
            True,
            "networkx NETGEN fixture (400 nodes, 1,416 arcs)",
            6749969302.0,
        ),
        Instance(
            "netgen-10k",
            lambda: read_dimacs(netgen_file(1250, 10000)),
            True,
            True,
            "NETGEN 1,250 nodes / 10,000 arcs",
        ),
        Instance(
            "netgen-100k",
            lambda: read_dimacs(netgen_file(12500, 100000)),
            True,
            True,
            "NETGEN 12,500 nodes / 100,000 arcs",
        ),
        Instance(
            "pure-10k",
            _synthetic(2000, 10000, True),
            True,
            True,
            "synthetic single-grade min-cost flow, 2,000 nodes / 10,000 links",
        ),
        Instance(
            "pure-100k",
            _synthetic(20000, 100000, True),
            True,
            True,
            "synthetic single-grade min-cost flow, 20,000 nodes / 100,000 links",
        ),
        Instance(
            "syn-10k",
            _synthetic(2000, 10000),
            False,
            False,
            "synthetic 4 grades + quality, slates, contracts, share caps; 2,000 nodes / 10,000 links",
        ),
        Instance(
            "syn-100k",
            _synthetic(20000, 100000),
            False,
            False,
            "synthetic 4 grades + side constraints; 20,000 nodes / 100,000 links",
        ),
        Instance("syn-1k", _synthetic(200, 1000), False, False, "synthetic, 200 nodes / 1,000 links"),
        Instance("syn-3k", _synthetic(600, 3000), False, False, "synthetic, 600 nodes / 3,000 links"),
        Instance("syn-30k", _synthetic(6000, 30000), False, False, "synthetic, 6,000 nodes / 30,000 links"),
    ]
}


def mcf_arrays(net: Network) -> MCF:
    """The integer min-cost flow of a pure network (links are arcs; supplies and demands fixed)."""
    nodes = net.nodes.index
    links = net.active_links()
    sup = np.zeros(len(nodes))
    s = net.supplies.reset_index()
    np.add.at(sup, nodes.get_indexer(s["node"]), s["max_mt_per_year"].to_numpy(float))
    np.subtract.at(
        sup, nodes.get_indexer(net.demands.index), net.demands["demand_mt_per_year"].to_numpy(float)
    )

    def ints(v: Any) -> IArray:
        a = np.asarray(v, float)
        if not np.all(a == np.round(a)):
            msg = "networkx and OR-Tools need integer data"
            raise ValueError(msg)
        return a.astype(np.int64)

    return MCF(
        n_nodes=len(nodes),
        tail=nodes.get_indexer(links["from"]).astype(np.int64),
        head=nodes.get_indexer(links["to"]).astype(np.int64),
        capacity=ints(links["capacity_mt_per_year"]),
        cost=ints(links["tariff_usd_per_t"]),
        supply=ints(sup),
        link_ids=[str(x) for x in links.index],
    )
