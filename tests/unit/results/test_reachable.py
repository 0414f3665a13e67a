from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from crudeflow.results.paths import _solve_averages, reachable


@pytest.mark.parametrize("seed", range(5))
def test_reachable_matches_networkx(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 30
    edges = rng.integers(0, n, size=(45, 2))
    g = sp.csr_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from(map(tuple, edges))
    got = set(np.flatnonzero(reachable(g, 0)).tolist())
    assert got == {0} | nx.descendants(graph, 0)


def test_average_cost_solve_on_a_cycle_equals_direct_solve() -> None:
    # states 0 -> 1 -> 2 -> 1 (cycle fed from 0); inflows 10, 14, 4
    diag = np.array([10.0, 14.0, 4.0])
    et = np.array([1, 2, 1])
    ef = np.array([0, 1, 2])
    ea = np.array([10.0, 4.0, 4.0])
    b = np.array([[4000.0], [30.0], [8.0]])
    a = np.diag(diag)
    a[et, ef] -= ea
    np.testing.assert_allclose(_solve_averages(diag, et, ef, ea, b), np.linalg.solve(a, b), rtol=1e-9)
