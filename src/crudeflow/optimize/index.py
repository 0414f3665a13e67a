"""Integer index arrays of a Network: nodes, grades, arcs and flow variables.

Every LP family reads these arrays; nothing here loops over links in Python.
An *arc* is one direction of an active link (a bidirectional link gives two arcs
sharing one capacity); a *flow variable* is one (arc, grade) pair, or one swap arc
that takes ``grade_in`` at its start and delivers ``grade_out`` at its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import BArray, IArray
from crudeflow.model.network import Network


@dataclass(frozen=True)
class NetIndex:
    """Positions of nodes, grades, links, arcs and flow variables of a network."""

    node_ids: pd.Index
    grade_ids: pd.Index
    link_ids: pd.Index
    """Active links only (status operating or intermittent, capacity > 0)."""
    node_country: npt.NDArray[np.str_]
    grade_origin: npt.NDArray[np.str_]
    # arcs
    arc_link: IArray
    arc_from: IArray
    arc_to: IArray
    arc_reverse: BArray
    # flow variables
    var_arc: IArray
    var_gin: IArray
    var_gout: IArray

    @property
    def var_link(self) -> IArray:
        """Link position of each flow variable."""
        return self.arc_link[self.var_arc]

    @property
    def var_from(self) -> IArray:
        """Start node of each flow variable."""
        return self.arc_from[self.var_arc]

    @property
    def var_to(self) -> IArray:
        """End node of each flow variable."""
        return self.arc_to[self.var_arc]


def build_index(net: Network) -> NetIndex:
    """Index the active part of a network: arcs per direction, variables per allowed grade."""
    nodes = net.nodes
    grades = net.grades
    links = net.active_links()
    node_ids = nodes.index
    grade_ids = grades.index
    n_g = len(grade_ids)
    lf = node_ids.get_indexer(links["from"])
    lt = node_ids.get_indexer(links["to"])
    bidir = links["bidirectional"].to_numpy(bool) & (links["mode"] != "swap").to_numpy()
    n_l = len(links)
    fwd = np.arange(n_l)
    rev = np.flatnonzero(bidir)
    arc_link = np.concatenate([fwd, rev]).astype(np.int64)
    arc_from = np.concatenate([lf, lt[rev]]).astype(np.int64)
    arc_to = np.concatenate([lt, lf[rev]]).astype(np.int64)
    arc_reverse = np.concatenate([np.zeros(n_l, bool), np.ones(len(rev), bool)])
    # allowed grades per link: a boolean (link × grade) mask
    allowed = np.ones((n_l, n_g), bool)
    g_lens = np.fromiter(map(len, links["grades"]), np.int64, n_l)
    restricted = np.flatnonzero(g_lens > 0)
    if len(restricted):
        sub = links["grades"].iloc[restricted]
        lens = g_lens[restricted]
        flat = np.asarray(list(chain.from_iterable(sub)), dtype=object)
        allowed[restricted] = False
        allowed[np.repeat(restricted, lens), grade_ids.get_indexer(flat)] = True
    is_swap = (links["mode"] == "swap").to_numpy()
    allowed[is_swap] = False
    a_idx, g_idx = np.nonzero(allowed[arc_link])
    swap_arcs = np.flatnonzero(is_swap[arc_link])
    gin_swap = grade_ids.get_indexer(links["swap_grade_in"].to_numpy()[arc_link[swap_arcs]])
    gout_swap = grade_ids.get_indexer(links["swap_grade_out"].to_numpy()[arc_link[swap_arcs]])
    return NetIndex(
        node_ids=node_ids,
        grade_ids=grade_ids,
        link_ids=links.index,
        node_country=nodes["country"].to_numpy(dtype=str),
        grade_origin=grades["origin_country"].to_numpy(dtype=str),
        arc_link=arc_link,
        arc_from=arc_from,
        arc_to=arc_to,
        arc_reverse=arc_reverse,
        var_arc=np.concatenate([a_idx, swap_arcs]).astype(np.int64),
        var_gin=np.concatenate([g_idx, gin_swap]).astype(np.int64),
        var_gout=np.concatenate([g_idx, gout_swap]).astype(np.int64),
    )
