"""Origin and path tags: layers of the state graph built only where a policy asks for them.

A *tag* is a fact about a tonne of crude that its grade does not tell: that it has crossed
a country (``transit``), or that it was of an origin before a swap or blend gave it
another grade (``origin``). Both only ever switch on. A tag's *layer* is a sub-flow of
the plan: per state of the layer, the tonnes carrying the tag, conserved like the crude
itself (tagged in = tagged out); per column copied, the tagged part ``y ≤ x`` of the
crude on it. So the layer of ``transit:RU`` holds, on every arc, how much of the crude has
crossed Russia; the rest (``x − y``) has not. Every copy is bounded by the crude it tags,
so flows, capacities, costs and paths stay those of the untagged plan: layers only add
accounting, and results aggregate by reading the crude columns as before.

Crude becomes tagged on *tagging arcs*: physical legs whose territory includes the country
(``transit``), or swaps taking a grade of the origin and delivering one of another origin
(``origin``; crude still of the origin by grade is counted by its grade, so those states
stay out of the layer). The whole of a tagging arc's flow enters the layer at its head.

Layers are built from the policies that name them, and pruned to what they can matter
for: a layer holds the states tagged crude can reach (forward from the tagging arcs)
*and* from which it can reach what a policy counts or closes (backward from it). Tagged
crude leaving the layer goes where no policy looks, so it may leave freely. Policies:

* ``share_cap`` by transit (importer I, country c): the importer's runs of crude of other
  origins that crossed c anywhere on its route, not only on the leg entering I;
* ``share_cap`` by origin: also runs of crude that was of the origin before a swap;
* ``embargo``: crude that was of an embargoed origin may not enter the importers either;
* ``price_cap``: crude that was of the capped origin counts on tanker legs.

One layer per tagged country: the model grows by what the policies ask for (benchmark
``benchmarks/tags.py``). Tags work over periods (states are (node, grade, period), stock
arcs carry tagged crude to the next period): the layers are built on the expanded LP.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import BArray, IArray
from crudeflow.model.network import Network
from crudeflow.model.policies import Embargo, ShareCap, policies_of
from crudeflow.optimize.index import NetIndex
from crudeflow.optimize.lp import LP
from crudeflow.optimize.policies import importer_nodes, territory
from crudeflow.optimize.states import StateGraph, reachable
from crudeflow.schema.modes import mode_values

INF = np.inf

TagKind = Literal["transit", "origin"]


@dataclass(frozen=True, order=True)
class Tag:
    """A tag: crude that crossed ``country`` (transit) or was of origin ``country``."""

    kind: TagKind
    country: str

    @property
    def name(self) -> str:
        """``kind:country``, the label of the layer's columns and rows."""
        return f"{self.kind}:{self.country}"


@dataclass(frozen=True)
class Layer:
    """One built layer: its states and the columns it copies, with their tag columns.

    ``flow`` / ``consume`` / ``sale`` / ``stock`` are positions inside those blocks of the
    crude columns copied; ``*_y`` the global columns of their tagged parts.
    """

    tag: Tag
    states: IArray
    flow: IArray
    flow_y: IArray
    consume: IArray
    consume_y: IArray
    sale: IArray
    sale_y: IArray
    stock: IArray
    stock_y: IArray
    entering: IArray
    """Flow positions of the tagging arcs into the layer (all their crude turns tagged)."""


@dataclass(frozen=True)
class Tagged:
    """The layers built for a network's policies (none when no policy needs a tag)."""

    layers: tuple[Layer, ...] = ()

    def layer(self, tag: Tag) -> Layer | None:
        """The layer of a tag, or None when no policy asked for it or it is empty."""
        return next((la for la in self.layers if la.tag == tag), None)


@dataclass
class _Need:
    """What policies ask of one tag: states they count at or close arcs from."""

    targets: list[IArray]


class _Cols:
    """Per column facts of the expanded LP the layers read (aligned arrays)."""

    def __init__(self, net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> None:
        f = lp.vars["flow"].labels
        self.f_link = f["link_pos"].to_numpy(np.int64)
        self.f_to = f["to_pos"].to_numpy(np.int64)
        self.f_from = f["from_pos"].to_numpy(np.int64)
        self.f_oin = idx.grade_origin[f["gin_pos"].to_numpy(np.int64)]
        self.f_oout = idx.grade_origin[f["gout_pos"].to_numpy(np.int64)]
        self.f_period = f["period"].to_numpy(np.int64) if "period" in f else np.zeros(len(f), np.int64)
        modes = net.links.loc[idx.link_ids, "mode"].to_numpy(dtype=str)
        self.f_mode = modes[self.f_link]
        self.f_paper = mode_values(modes, "paper").astype(bool)[self.f_link]
        c = lp.vars["consume"].labels
        self.c_node = c["node"].to_numpy(dtype=str)
        self.c_origin = idx.grade_origin[c["grade_pos"].to_numpy(np.int64)]
        self.c_period = c["period"].to_numpy(np.int64) if "period" in c else np.zeros(len(c), np.int64)
        s_lab = sg.labels()
        self.state_origin = idx.grade_origin[s_lab["grade_pos"].to_numpy(np.int64)]
        self.state_country = idx.node_country[s_lab["node_pos"].to_numpy(np.int64)]


def _needs(net: Network, idx: NetIndex, lp: LP, sg: StateGraph, cols: _Cols) -> dict[Tag, _Need]:
    """The tags the enabled policies ask for, with the state rows each counts or closes."""
    out: dict[Tag, _Need] = {}

    def need(tag: Tag, targets: IArray) -> None:
        out.setdefault(tag, _Need([])).targets.append(targets)

    for p in policies_of(net.policies, ShareCap):
        runs = np.isin(cols.c_node, importer_nodes(net, p.importer)) & (cols.c_origin != p.country)
        tag = Tag("transit" if p.by == "transit" else "origin", p.country)
        need(tag, sg.rows["consume"][runs])
    for e in policies_of(net.policies, Embargo):
        into = np.flatnonzero(_embargo_legs(net, idx, cols, e))
        for o in net.expand_countries(e.origins):
            need(Tag("origin", o), sg.flow_tail[into])
    for pc in _price_caps(net):
        need(Tag("origin", pc), sg.flow_tail[cols.f_mode == "tanker"])
    return out


def _price_caps(net: Network) -> list[str]:
    """Origins of the enabled price caps (a kind appended by the price-cap work)."""
    pol = net.policies
    if "origin" not in pol.columns:
        return []
    hit = (pol["kind"] == "price_cap") & pol["enabled"].astype(bool)
    return sorted(set(pol.loc[hit, "origin"].astype(str)))


def _embargo_legs(net: Network, idx: NetIndex, cols: _Cols, e: Embargo) -> BArray:
    """Flow columns into the embargo's importers (by its modes)."""
    hit = np.isin(idx.node_country[cols.f_to], net.expand_countries(e.importers))
    if e.modes:
        hit &= np.isin(cols.f_mode, list(e.modes))
    return np.asarray(hit, dtype=bool)


def tagging(net: Network, idx: NetIndex, cols: _Cols, tag: Tag) -> BArray:
    """Per flow column: all its crude carries the tag at its head."""
    if tag.kind == "transit":
        crosses = territory(net, idx).has([tag.country])[cols.f_link]
        return np.asarray(crosses & ~cols.f_paper, dtype=bool)
    return np.asarray((cols.f_oin == tag.country) & (cols.f_oout != tag.country), dtype=bool)


def add_tags(net: Network, idx: NetIndex, lp: LP, sg: StateGraph, active: pd.DataFrame) -> Tagged:
    """Add the layers the policies ask for to a built (expanded) LP; see the module docstring.

    Appends one variable block ``tag`` (the tagged part of each copied column) and two row
    families, ``tag_conservation`` (per layer state) and ``tag_bound`` (``y − x ≤ 0``), and
    puts the tagged runs into the ``share_cap`` rows and closes embargoed tagged legs.
    ``active`` says per dated policy and period whether it is in force (``PolicyEpochs``).
    """
    cols = _Cols(net, idx, lp, sg)
    needs = _needs(net, idx, lp, sg, cols)
    if not needs:
        return Tagged()
    layers = []
    for tag in sorted(needs):
        la = _layer(net, idx, lp, sg, cols, tag, np.concatenate(needs[tag].targets).astype(np.int64))
        if la is not None:
            layers.append(la)
    tagged = Tagged(tuple(layers))
    _share_cap_entries(net, lp, cols, tagged)
    _price_cap_entries(net, lp, cols, tagged)
    _close_embargoed(net, idx, lp, cols, tagged, active)
    return tagged


def _layer(
    net: Network, idx: NetIndex, lp: LP, sg: StateGraph, cols: _Cols, tag: Tag, targets: IArray
) -> Layer | None:
    """Build one layer: prune its states, add its columns and rows; None when it is empty."""
    tags_at = tagging(net, idx, cols, tag)
    allowed = np.ones(sg.size, bool)
    if tag.kind == "origin":
        allowed &= cols.state_origin != tag.country
    else:
        # states at the country's own nodes: every physical leg out of them tags all its
        # crude, so they need no layer state unless a paper leg (a swap) leaves them or a
        # policy counts runs there
        keep = np.zeros(sg.size, bool)
        keep[targets] = True
        keep[sg.flow_tail[cols.f_paper]] = True
        allowed &= (cols.state_country != tag.country) | keep
    fwd = reachable(sg, sg.flow_head[tags_at], allowed, forward=True)
    bwd = reachable(sg, targets, allowed, forward=False)
    in_layer = fwd & bwd
    if not in_layer.any():
        return None
    states = np.flatnonzero(in_layer).astype(np.int64)
    local = np.full(sg.size, -1, np.int64)
    local[states] = np.arange(len(states))
    f, c = lp.vars["flow"], lp.vars["consume"]
    fl = np.flatnonzero(in_layer[sg.flow_tail]).astype(np.int64)
    cn = np.flatnonzero(in_layer[sg.rows["consume"]]).astype(np.int64)
    sale_b = lp.vars["sale"]
    sl = np.flatnonzero(in_layer[sg.rows["sale"]]).astype(np.int64)
    stock_b = lp.vars.get("stock")
    st = (
        np.flatnonzero(in_layer[sg.stock_tail]).astype(np.int64)
        if stock_b is not None
        else np.zeros(0, np.int64)
    )
    copied = [("flow", f.start, fl), ("consume", c.start, cn), ("sale", sale_b.start, sl)]
    if stock_b is not None:
        copied.append(("stock", stock_b.start, st))
    labels = pd.concat(
        [pd.DataFrame({"tag": tag.name, "block": name, "col": start + pos}) for name, start, pos in copied],
        ignore_index=True,
    )
    n_y = len(labels)
    yb = lp.add_vars(f"tag:{tag.name}", 0.0, 0.0, INF, labels)
    y = yb.start + np.arange(n_y, dtype=np.int64)
    at = np.cumsum([0, *(len(p) for _, _, p in copied)])
    fy, cy, sy = y[at[0] : at[1]], y[at[1] : at[2]], y[at[2] : at[3]]
    sty = y[at[3] : at[4]] if stock_b is not None else np.zeros(0, np.int64)
    # conservation per layer state: tagged in − tagged out = 0
    r_in, c_in = [], []
    head_in = in_layer[sg.flow_head[fl]] & ~tags_at[fl]
    r_in.append(local[sg.flow_head[fl[head_in]]])
    c_in.append(fy[head_in])
    tag_in = np.flatnonzero(tags_at & in_layer[sg.flow_head])  # all of a tagging arc's crude
    r_in.append(local[sg.flow_head[tag_in]])
    c_in.append(f.start + tag_in)
    r_out = [local[sg.flow_tail[fl]], local[sg.rows["consume"][cn]], local[sg.rows["sale"][sl]]]
    c_out = [fy, cy, sy]
    if stock_b is not None and len(st):
        nxt = sg.stock_head[st] >= 0
        into = nxt.copy()
        into[nxt] = in_layer[sg.stock_head[st[nxt]]]
        r_in.append(local[sg.stock_head[st[into]]])
        c_in.append(sty[into])
        r_out.append(local[sg.stock_tail[st]])
        c_out.append(sty)
    rin, rout = np.concatenate(r_in), np.concatenate(r_out)
    lab = sg.labels().iloc[states].reset_index(drop=True).assign(tag=tag.name)
    z = np.zeros(len(states))
    lp.add_cons(
        f"tag_conservation:{tag.name}",
        np.concatenate([rin, rout]), np.concatenate([*c_in, *c_out]),
        np.concatenate([np.ones(len(rin)), -np.ones(len(rout))]), z, z, lab,
    )  # fmt: skip
    # each tagged part within the crude it tags: y − x ≤ 0
    x = labels["col"].to_numpy(np.int64)
    rows = np.arange(n_y, dtype=np.int64)
    lp.add_cons(
        f"tag_bound:{tag.name}", np.concatenate([rows, rows]), np.concatenate([y, x]),
        np.concatenate([np.ones(n_y), -np.ones(n_y)]), np.full(n_y, -INF), np.zeros(n_y), labels,
    )  # fmt: skip
    return Layer(tag, states, fl, fy, cn, cy, sl, sy, st, sty, tag_in.astype(np.int64))


def _share_cap_entries(net: Network, lp: LP, cols: _Cols, tagged: Tagged) -> None:
    """Count the tagged runs of each share cap in its rows (one per cap and period)."""
    if "share_cap" not in lp.cons or not tagged.layers:
        return
    block = lp.cons["share_cap"]
    lab = block.labels
    if len(lab) == 0:
        return
    period = lab["period"].to_numpy(np.int64) if "period" in lab else np.zeros(len(lab), np.int64)
    key = pd.MultiIndex.from_arrays([lab["policy"].astype(str), period])
    caps = {p.id: p for p in policies_of(net.policies, ShareCap)}
    rows, cs = [], []
    for pid, p in caps.items():
        la = tagged.layer(Tag("transit" if p.by == "transit" else "origin", p.country))
        if la is None:
            continue
        runs = np.isin(cols.c_node[la.consume], importer_nodes(net, p.importer))
        runs &= cols.c_origin[la.consume] != p.country
        r = key.get_indexer(
            pd.MultiIndex.from_arrays([np.full(int(runs.sum()), pid), cols.c_period[la.consume[runs]]])
        )
        ok = r >= 0
        rows.append(block.start + r[ok])
        cs.append(la.consume_y[runs][ok])
    if not rows:
        return
    r_all, c_all = np.concatenate(rows).astype(np.int64), np.concatenate(cs).astype(np.int64)
    lp.cons["share_cap"] = replace(
        block,
        rows=np.concatenate([block.rows, r_all]),
        cols=np.concatenate([block.cols, c_all]),
        vals=np.concatenate([block.vals, np.ones(len(r_all))]),
    )


def _price_cap_entries(net: Network, lp: LP, cols: _Cols, tagged: Tagged) -> None:
    """Count crude that was of a capped origin on tanker legs in its price-cap rows (per period)."""
    block = lp.cons.get("price_cap")
    if block is None or block.size == 0 or not tagged.layers:
        return
    lab = block.labels
    period = lab["period"].to_numpy(np.int64) if "period" in lab else np.zeros(len(lab), np.int64)
    key = pd.MultiIndex.from_arrays([lab["policy"].astype(str), period])
    rows, cs = [], []
    pairs = lab[["policy", "origin"]].astype(str).drop_duplicates()
    for pid, origin in zip(pairs["policy"], pairs["origin"], strict=True):  # one per policy
        la = tagged.layer(Tag("origin", origin))
        if la is None:
            continue
        on = cols.f_mode[la.flow] == "tanker"
        at = pd.MultiIndex.from_arrays([np.full(int(on.sum()), pid), cols.f_period[la.flow[on]]])
        r = key.get_indexer(at)
        ok = r >= 0
        rows.append(block.start + r[ok])
        cs.append(la.flow_y[on][ok])
    if not rows:
        return
    r_all = np.concatenate(rows).astype(np.int64)
    c_all = np.concatenate(cs).astype(np.int64)
    lp.cons["price_cap"] = replace(
        block,
        rows=np.concatenate([block.rows, r_all]),
        cols=np.concatenate([block.cols, c_all]),
        vals=np.concatenate([block.vals, np.ones(len(r_all))]),
    )


def _close_embargoed(
    net: Network, idx: NetIndex, lp: LP, cols: _Cols, tagged: Tagged, active: pd.DataFrame
) -> None:
    """Tagged crude of an embargoed origin may not take legs into the importers."""
    for e in policies_of(net.policies, Embargo):
        legs = _embargo_legs(net, idx, cols, e)
        on = _in_force(e.id, active, cols.f_period)
        for o in net.expand_countries(e.origins):
            la = tagged.layer(Tag("origin", o))
            if la is None:
                continue
            hit = legs[la.flow] & on[la.flow]
            block = lp.vars[f"tag:{la.tag.name}"]
            block.upper[la.flow_y[hit] - block.start] = 0.0


def _in_force(pid: str, active: pd.DataFrame, period: IArray) -> npt.NDArray[np.bool_]:
    """Per column (by its period): the policy is in force (undated policies always are)."""
    if pid not in active.index:
        return np.ones(len(period), bool)
    return np.asarray(active.loc[pid].to_numpy(bool)[period], dtype=bool)


def tagged_flows(tagged: Tagged, lp: LP, x: npt.NDArray[np.float64]) -> pd.DataFrame:
    """Per layer and flow column copied: the tagged part (Mt/yr), from a solution ``x``."""
    frames = []
    f = lp.vars["flow"]
    for la in tagged.layers:
        lab = f.labels.iloc[la.flow].reset_index(drop=True)
        frames.append(lab.assign(tag=la.tag.name, tagged_mt_per_year=x[la.flow_y]))
    if not frames:
        return pd.DataFrame(columns=["tag", "link", "grade", "tagged_mt_per_year"])
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class Split:
    """A solution split by one layer, per column of the crude blocks (whole blocks).

    ``*_tagged``: the tagged part of each column (clipped to ``[0, column]``, 0 outside the
    layer); ``flow_untagged_tags``: the untagged part of the flow arrives tagged (a tagging
    arc into the layer); ``flow_tagged_stays`` / ``stock_tagged_stays``: the tagged part is
    still tagged at the head (the head is a layer state; elsewhere no policy looks).
    """

    flow_tagged: npt.NDArray[np.float64]
    flow_untagged_tags: BArray
    flow_tagged_stays: BArray
    stock_tagged: npt.NDArray[np.float64]
    stock_tagged_stays: BArray
    consume_tagged: npt.NDArray[np.float64]
    sale_tagged: npt.NDArray[np.float64]


def split_solution(la: Layer, lp: LP, sg: StateGraph, x: npt.NDArray[np.float64]) -> Split:
    """Split a solution ``x`` by a layer (see ``Split``), for paths and delivered costs."""
    in_layer = np.zeros(sg.size, bool)
    in_layer[la.states] = True

    def part(block: str, pos: IArray, ycols: IArray) -> npt.NDArray[np.float64]:
        b = lp.vars.get(block)
        out = np.zeros(0 if b is None else b.size)
        if b is not None and len(pos):
            out[pos] = np.clip(x[ycols], 0.0, np.maximum(x[b.start + pos], 0.0))
        return out

    enters = np.zeros(lp.vars["flow"].size, bool)
    enters[la.entering] = True
    stock_stays = np.zeros(len(sg.stock_head), bool)
    nxt = sg.stock_head >= 0
    stock_stays[nxt] = in_layer[sg.stock_head[nxt]]
    return Split(
        flow_tagged=part("flow", la.flow, la.flow_y),
        flow_untagged_tags=enters,
        flow_tagged_stays=np.asarray(in_layer[sg.flow_head], dtype=bool),
        stock_tagged=part("stock", la.stock, la.stock_y),
        stock_tagged_stays=stock_stays,
        consume_tagged=part("consume", la.consume, la.consume_y),
        sale_tagged=part("sale", la.sale, la.sale_y),
    )


def split_by_layer(
    la: Layer,
    lp: LP,
    sg: StateGraph,
    x: npt.NDArray[np.float64],
    flows: pd.DataFrame,
    sinks: pd.DataFrame,
    supply: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Path inputs split into a layer's tagged and untagged parts (``results.paths.decompose``).

    ``flows`` has ``var`` (flow position) and ``mt_per_year``; ``sinks`` is indexed by its
    position in consume, then sale, then shut-in columns. Each flow row becomes an untagged
    part (tagged at its head when it enters the layer) and a tagged part (untagged again at
    a head outside the layer, where no policy looks); sinks split likewise.
    """
    f = lp.vars["flow"]
    y_f = np.zeros(f.size)
    y_f[la.flow] = x[la.flow_y]
    in_layer = np.zeros(sg.size, bool)
    in_layer[la.states] = True
    enters = np.zeros(f.size, bool)
    enters[la.entering] = True
    v = flows["var"].to_numpy(np.int64)
    amt = flows["mt_per_year"].to_numpy(float)
    tagged = np.minimum(y_f[v], amt)
    head_in = in_layer[sg.flow_head[v]]
    untag = flows.assign(mt_per_year=amt - tagged, from_tag=0, to_tag=enters[v].astype(np.int64))
    tag = flows.assign(mt_per_year=tagged, from_tag=1, to_tag=head_in.astype(np.int64))
    out_f = pd.concat([untag, tag], ignore_index=True)
    out_f = out_f[out_f["mt_per_year"] > 1e-12].reset_index(drop=True)
    n_c = lp.vars["consume"].size
    y_s = np.zeros(n_c + lp.vars["sale"].size + lp.vars["shut_in"].size)
    y_s[la.consume] = x[la.consume_y]
    y_s[n_c + la.sale] = x[la.sale_y]
    pos = sinks.index.to_numpy(np.int64)
    s_amt = sinks["mt_per_year"].to_numpy(float)
    s_tag = np.minimum(y_s[pos], s_amt)
    out_s = pd.concat(
        [sinks.assign(mt_per_year=s_amt - s_tag, tag=0), sinks.assign(mt_per_year=s_tag, tag=1)],
        ignore_index=True,
    )
    out_s = out_s[out_s["mt_per_year"] > 1e-12].reset_index(drop=True)
    return out_f, out_s, supply.assign(tag=0)
