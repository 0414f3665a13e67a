"""Property tests of the planner on random small networks (hypothesis).

Without side constraints the plan is a min-cost flow, so its objective must equal
networkx's network simplex on the equivalent graph (integer data: both are exact).
Every plan must conserve crude at every (node, grade), respect capacities (a bidirectional
link's two directions together), and account for its objective part by part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crudeflow.api import plan
from crudeflow.model.network import Network
from crudeflow.optimize.build import build_lp
from crudeflow.optimize.solve import HighsModel, solve_lp
from crudeflow.testing import tiny_network

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GRADES = [
    {"grade": "g", "origin_country": "KZ", "api_gravity": 38.0, "sulfur_pct": 0.6, "bbl_per_t": 7.5},
    {"grade": "h", "origin_country": "RU", "api_gravity": 31.0, "sulfur_pct": 1.6, "bbl_per_t": 7.3},
]
COUNTRIES = ["KZ", "RU", "UA", "PL"]


@dataclass(frozen=True)
class Case:
    """A random network as plain records (so variants are easy to make)."""

    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    supplies: list[dict[str, Any]]
    demands: list[dict[str, Any]]
    policies: list[dict[str, Any]]
    slates: list[dict[str, Any]] | None = None
    contracts: list[dict[str, Any]] | None = None

    def network(self, links: list[dict[str, Any]] | None = None) -> Network:
        return tiny_network(
            nodes=self.nodes, links=self.links if links is None else links, supplies=self.supplies,
            demands=self.demands, grades=GRADES, policies=self.policies, slates=self.slates,
            contracts=self.contracts,
        )  # fmt: skip


@st.composite
def cases(draw: st.DrawFn, *, bidirectional: bool = False, two_grades: bool = False) -> Case:
    """A random general graph (cycles allowed) with fields, refineries and junctions."""
    n_f = draw(st.integers(1, 2))
    n_r = draw(st.integers(1, 3))
    n_j = draw(st.integers(0, 3))
    ids = [f"f{i}" for i in range(n_f)] + [f"r{i}" for i in range(n_r)] + [f"j{i}" for i in range(n_j)]
    kinds = ["field"] * n_f + ["refinery"] * n_r + ["junction"] * n_j
    nodes = [
        {"id": i, "kind": k, "country": draw(st.sampled_from(COUNTRIES))}
        for i, k in zip(ids, kinds, strict=True)
    ]
    pairs = [(a, b) for a in ids for b in ids if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=12))
    links = []
    for k, (a, b) in enumerate(chosen):
        rec: dict[str, Any] = {
            "id": f"l{k}", "from": a, "to": b,
            "capacity_mt_per_year": float(draw(st.integers(1, 10))),
            "tariff_usd_per_t": float(draw(st.integers(0, 10))),
        }  # fmt: skip
        if bidirectional:
            rec["bidirectional"] = draw(st.booleans())
        links.append(rec)
    grades = ["g", "h"] if two_grades else ["g"]
    supplies = [
        {"node": f"f{i}", "grade": draw(st.sampled_from(grades)),
         "max_mt_per_year": float(draw(st.integers(1, 15))),
         "price_usd_per_t": float(draw(st.integers(0, 50)))}
        for i in range(n_f)
    ]  # fmt: skip
    demands = [
        {"node": f"r{i}", "demand_mt_per_year": float(draw(st.integers(1, 10))),
         "shortage_penalty_usd_per_t": float(draw(st.integers(40, 200)))}
        for i in range(n_r)
    ]  # fmt: skip
    policies: list[dict[str, Any]] = []
    if two_grades and draw(st.booleans()):
        policies.append({"id": "duty", "kind": "export_duty", "origin": "KZ", "usd_per_t": 3.0})
    if two_grades and draw(st.booleans()):
        policies.append({"id": "fee", "kind": "transit_fee", "country": "UA", "usd_per_t": 2.0})
    if two_grades and draw(st.booleans()):
        policies.append({"id": "emb", "kind": "embargo", "importers": ["PL"], "origins": ["RU"]})
    if two_grades and draw(st.booleans()):
        policies.append({"id": "ban", "kind": "transit_ban", "country": "UA", "origins": ["KZ"]})
    if two_grades and draw(st.booleans()):
        policies.append({"id": "cap", "kind": "share_cap", "importer": "PL", "by": "origin", "country": "KZ",
                         "max_share_pct": float(draw(st.integers(0, 100)))})  # fmt: skip
    slates = contracts = None
    if two_grades:
        # side constraints: a sulfur ceiling, a slate and a take-or-pay contract, sometimes
        if draw(st.booleans()):
            demands[0]["max_sulfur_pct"] = float(draw(st.sampled_from([0.8, 1.0, 1.4])))
        if draw(st.booleans()):
            slates = [{"node": "r0", "grade": "h", "max_share_pct": float(draw(st.integers(0, 100)))}]
        if draw(st.booleans()):
            contracts = [{"id": "c", "seller": "KZ", "buyer": "r0", "min_mt_per_year": float(draw(st.integers(0, 4))),
                          "take_or_pay_usd_per_t": float(draw(st.integers(0, 80)))}]  # fmt: skip
    return Case(nodes, links, supplies, demands, policies, slates, contracts)


def networkx_cost(case: Case) -> int:
    """Min-cost flow on the equivalent graph: S -> fields (price), S -> refinery (shortage
    penalty, the unmet slack), refinery -> T (its demand), links (tariff); all demand must
    reach T, so the balance is strict and integral."""
    g = nx.MultiDiGraph()
    total = int(sum(d["demand_mt_per_year"] for d in case.demands))
    g.add_node("S", demand=-total)
    g.add_node("T", demand=total)
    for s in case.supplies:
        g.add_edge("S", s["node"], capacity=int(s["max_mt_per_year"]), weight=int(s["price_usd_per_t"]))
    for d in case.demands:
        g.add_edge("S", d["node"], capacity=int(d["demand_mt_per_year"]),
                   weight=int(d["shortage_penalty_usd_per_t"]))  # fmt: skip
        g.add_edge(d["node"], "T", capacity=int(d["demand_mt_per_year"]), weight=0)
    for lk in case.links:
        g.add_edge(lk["from"], lk["to"], capacity=int(lk["capacity_mt_per_year"]),
                   weight=int(lk["tariff_usd_per_t"]))  # fmt: skip
    cost, _ = nx.network_simplex(g)
    return int(cost)


def check_invariants(p: Any, net: Network) -> None:
    """Conservation per (node, grade), capacities, demand balance, cost accounting, paths."""
    tol = 1e-6
    f = p.flows
    sup = p.supply["mt_per_year"]
    inflow = f.groupby(["to", "grade_out"])["mt_per_year"].sum()
    outflow = f.groupby(["from", "grade"])["mt_per_year"].sum()
    runs = p.deliveries.groupby(["refinery", "grade"])["mt_per_year"].sum()
    sales = p.sales.groupby(["node", "grade"])["mt_per_year"].sum()
    shut = p.shut_in["mt_per_year"]
    keys = sup.index.union(inflow.index).union(outflow.index).union(runs.index)
    bal = (
        sup.reindex(keys).fillna(0.0) + inflow.reindex(keys).fillna(0.0) - outflow.reindex(keys).fillna(0.0)
        - runs.reindex(keys).fillna(0.0) - sales.reindex(keys).fillna(0.0) - shut.reindex(keys).fillna(0.0)
    )  # fmt: skip
    assert np.abs(bal.to_numpy()).max(initial=0.0) < tol
    lf = p.link_flows
    assert (lf["mt_per_year"] <= lf["capacity_mt_per_year"] + tol).all()
    assert (f["mt_per_year"] >= 0).all()
    # a bidirectional link: both directions together within the one capacity
    per_link = f.groupby("link")["mt_per_year"].sum()
    cap = net.links["capacity_mt_per_year"].reindex(per_link.index)
    assert (per_link <= cap + tol).all()
    # demand = runs + unmet
    got = runs.groupby(level=0).sum().reindex(net.demands.index).fillna(0.0)
    unmet = p.unmet["mt_per_year"].reindex(net.demands.index).fillna(0.0)
    np.testing.assert_allclose(got + unmet, net.demands["demand_mt_per_year"], atol=tol)
    # objective = sum of its parts; delivered costs allocate supply + transport + duties + fees
    parts = p.objective_parts_usd
    assert sum(parts.values()) == pytest.approx(p.objective_usd, rel=1e-9, abs=1e-3)
    crude_cost = parts["supply_usd"] + parts["transport_usd"] + parts["duties_usd"] + parts["fees_usd"]
    d = p.deliveries
    allocated = float((d["mt_per_year"] * d["delivered_cost_usd_per_t"]).sum()) * 1e6
    assert allocated == pytest.approx(crude_cost, rel=1e-7, abs=1e-2)
    pc = d[["price_usd_per_t", "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t"]].sum(axis=1)
    np.testing.assert_allclose(pc, d["delivered_cost_usd_per_t"], atol=1e-7)
    # paths: per source they sum to supply, per refinery and grade to runs
    paths = p.paths
    by_src = paths.groupby(["source", "grade"])["mt_per_year"].sum()
    placed = sup[sup > tol]
    np.testing.assert_allclose(by_src.reindex(placed.index).fillna(0.0), placed, atol=1e-5)
    by_sink = paths[paths["sink_kind"] == "refinery"].groupby(["sink", "grade_out"])["mt_per_year"].sum()
    np.testing.assert_allclose(by_sink.reindex(runs.index).fillna(0.0), runs, atol=1e-5)
    # every path is a walk along links carrying flow
    link_ends = net.links[["from", "to"]]
    for nodes, links in zip(paths["nodes"], paths["links"], strict=True):
        assert len(nodes) == len(links) + 1
        for a, b, lk in zip(nodes[:-1], nodes[1:], links, strict=True):
            assert {a, b} == {link_ends.loc[lk, "from"], link_ends.loc[lk, "to"]}


class Resolver:
    """One live HiGHS model of a network for cheap what-if re-solves (objective in USD)."""

    def __init__(self, net: Network) -> None:
        self.model = build_lp(net)
        self.hm = HighsModel(self.model.lp)
        self.lp = self.model.lp

    def objective_with_row(self, row: int, lower: float, upper: float) -> float:
        lo0, hi0 = self.lp.row_lower[row], self.lp.row_upper[row]
        self.hm.set_row_bounds(np.array([row]), np.array([lower]), np.array([upper]))
        res = self.hm.run()
        self.hm.set_row_bounds(np.array([row]), np.array([lo0]), np.array([hi0]))
        assert res.ok
        return res.objective * 1e6

    def capacity_row(self, link_pos: int) -> int:
        return self.lp.cons["capacity"].start + link_pos

    def demand_row(self, pos: int) -> int:
        return self.lp.cons["demand"].start + pos


def check_capacity_duals(p: Any, rs: Resolver) -> None:
    """Shadow prices: one more Mt/yr on a link saves at most its shadow price (the objective
    is convex in a capacity, minus the dual a subgradient); one less costs at least it; a
    link with a positive shadow price is full; cutting capacity never lowers the cost."""
    lf = p.link_flows
    for pos, (_lid, r) in enumerate(lf.iterrows()):
        row, cap, sh = rs.capacity_row(pos), r["capacity_mt_per_year"], r["shadow_price_usd_per_t"]
        gain = (p.objective_usd - rs.objective_with_row(row, -np.inf, cap + 1.0)) / 1e6
        assert -1e-6 <= gain <= sh + 1e-6
        for cut in (cap / 2, 0.0):
            loss = (rs.objective_with_row(row, -np.inf, cut) - p.objective_usd) / 1e6
            assert loss >= sh * (cap - cut) - 1e-6 * max(1.0, abs(p.objective_usd) / 1e6)
        if sh > 1e-6:
            assert r["mt_per_year"] == pytest.approx(r["capacity_mt_per_year"])


def check_marginal_costs(p: Any, net: Network, rs: Resolver) -> None:
    """λ, a refinery's marginal cost (dual of its demand row): a grade it runs has balance
    price λ, one it could run but does not is no cheaper, unmet demand caps λ at the
    penalty, so λ = min(penalty, min balance price over runnable grades) when no side
    constraint (share cap, quality, slate, contract) touches the runs. The objective is
    convex in the demand and λ a subgradient: cost(d + 1) − cost(d) ≥ λ ≥ cost(d) − cost(d − 1)."""
    prices = p.prices.set_index(["node", "grade"])["usd_per_t"]
    runnable = pd.MultiIndex.from_frame(rs.lp.vars["consume"].labels[["node", "grade"]])
    dem = net.demands
    side_rows = sum(rs.lp.cons[c].size for c in ("quality", "slate", "share_cap", "contract"))
    for pos, r in enumerate(dem.index):
        lam = float(p.costs.loc[r, "marginal_cost_usd_per_t"])
        pen = float(dem.loc[r, "shortage_penalty_usd_per_t"])
        here = prices.reindex(runnable[runnable.get_level_values(0) == r])
        if not side_rows:  # a share cap adds its own dual to the runs' reduced costs
            assert lam == pytest.approx(min(pen, float(here.min()) if len(here) else pen), abs=1e-6)
        d = float(dem.loc[r, "demand_mt_per_year"])
        row = rs.demand_row(pos)
        up = (rs.objective_with_row(row, d + 1, d + 1) - p.objective_usd) / 1e6
        down = (p.objective_usd - rs.objective_with_row(row, d - 1, d - 1)) / 1e6
        assert up >= lam - 1e-6
        assert down <= lam + 1e-6


@SETTINGS
@given(cases())
def test_min_cost_flow_equals_networkx_and_duals_are_marginal_values(case: Case) -> None:
    net = case.network()
    p = plan(net)
    assert p.status == "optimal"
    assert p.objective_usd / 1e6 == pytest.approx(networkx_cost(case), rel=1e-9, abs=1e-6)
    check_invariants(p, net)
    rs = Resolver(net)
    check_capacity_duals(p, rs)
    check_marginal_costs(p, net, rs)


@SETTINGS
@given(cases(bidirectional=True, two_grades=True))
def test_invariants_with_bidirectional_links_grades_and_policies(case: Case) -> None:
    net = case.network()
    p = plan(net)
    assert p.status == "optimal"
    check_invariants(p, net)
    # duties on importers, fees, bans, embargoes, caps, quality limits, slates and take-or-pay
    # only restrict or charge: never cheaper than the same network without them. A general
    # export duty also prices its origin's supply ex-duty (crude kept at home gets cheaper),
    # so it stays in the comparison network.
    dem = net.demands.copy()
    dem[["max_sulfur_pct", "min_api", "max_api"]] = np.nan
    pol = net.policies
    general = (pol["kind"] == "export_duty") & (pol["importers"].map(len) == 0)
    bare = net.replace(
        policies=pol[general],
        slates=net.slates.iloc[0:0],
        contracts=net.contracts.iloc[0:0],
        demands=dem,
    )
    free = solve_lp(build_lp(bare).lp).objective * 1e6
    assert p.objective_usd >= free - 1e-6 * max(1.0, abs(free))
    rs = Resolver(net)
    check_capacity_duals(p, rs)
    check_marginal_costs(p, net, rs)


def test_networkx_reference_on_a_known_case() -> None:
    # Sanity of the reference itself: one field (price 10, 5 Mt) -> refinery (4 Mt) at 2.
    case = Case(
        nodes=[
            {"id": "f0", "kind": "field", "country": "KZ"},
            {"id": "r0", "kind": "refinery", "country": "PL"},
        ],
        links=[{"id": "l0", "from": "f0", "to": "r0", "capacity_mt_per_year": 3.0, "tariff_usd_per_t": 2.0}],
        supplies=[{"node": "f0", "grade": "g", "max_mt_per_year": 5.0, "price_usd_per_t": 10.0}],
        demands=[{"node": "r0", "demand_mt_per_year": 4.0, "shortage_penalty_usd_per_t": 100.0}],
        policies=[],
    )
    # 3 Mt at 12 + 1 Mt short at 100 = 136
    assert networkx_cost(case) == 136
    assert plan(case.network()).objective_usd == pytest.approx(136e6)
    assert isinstance(plan(case.network()).paths, pd.DataFrame)


@given(cases(bidirectional=True, two_grades=True))
@SETTINGS
def test_one_annual_period_plans_exactly_as_no_periods(case: Case) -> None:
    """Declaring one period of one whole year changes nothing: same objective, same flows."""
    from crudeflow.model.periods import stepped

    net = case.network()
    year = net.replace(periods=stepped("2023-01-01", "2023-12-31", "year"))
    a, b = build_lp(net), build_lp(year)
    ra, rb = solve_lp(a.lp), solve_lp(b.lp)
    assert ra.status == rb.status
    assert ra.objective == rb.objective or (np.isnan(ra.objective) and np.isnan(rb.objective))
    np.testing.assert_array_equal(ra.x, rb.x)
    np.testing.assert_array_equal(a.lp.matrix().toarray(), b.lp.matrix().toarray())


@given(cases(bidirectional=True, two_grades=True))
@SETTINGS
def test_twelve_equal_months_cost_what_the_year_costs(case: Case) -> None:
    """Without storage or dated data, months are the year prorated: same total objective."""
    from crudeflow.model.periods import stepped

    net = case.network()
    months = net.replace(periods=stepped("2023-01-01", "2023-12-31", "month"))
    ra, rb = solve_lp(build_lp(net).lp), solve_lp(build_lp(months).lp)
    assert ra.status == rb.status
    if ra.status.value == "optimal":
        assert rb.objective == pytest.approx(ra.objective, rel=1e-7, abs=1e-6)
