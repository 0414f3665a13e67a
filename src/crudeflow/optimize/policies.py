"""Policies and contracts as LP pieces: each policy kind's effect, registered under its name.

A kind is declared (fields, rule in words) in ``crudeflow.model.policies``; its effect on
the LP is one function here (or in ``constraints.py`` for constraint rows), registered
with :func:`closes`, :func:`charges` or :func:`adds_rows` under the kind's name:

* ``closes``: ``fn(policy, arcs) -> bool mask`` of flow variables the policy removes;
* ``charges``: ``fn(policy, arcs) -> USD/t`` per flow variable, added to the duty or the
  fee part of the cost;
* ``adds_rows``: ``fn(policies, net, idx, lp, states) -> Rows``, one constraint block named
  after the kind (built after the slate rows, before the contracts).

:func:`flow_policy` applies every enabled ``closes``/``charges`` policy at once; the LP
builder takes the row blocks from :func:`policy_families`. Rules, per flow variable on a
leg from node *a* to node *b*, are stated on each kind's declaration and on its effect.

Contracts (seller S, buyer B): runs at B's refineries of S's grades (grades of origin S,
or grades supplied at node S — from any supply of those grades) within [min, max]; each
tonne below min costs take-or-pay (or, with none given, is infeasible).

A swap link takes grade A at its start and delivers grade B at its end; its capacity is
the agreed volume (an upper bound) and its tariff the fee. Paper modes (swaps, see the
modes table) pay no duty or transit fee.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import BArray, FArray, IArray
from crudeflow.model.network import Network
from crudeflow.model.policies import (
    POLICY_KINDS,
    Embargo,
    ExportDuty,
    Policy,
    PriceCap,
    TransitBan,
    TransitFee,
    policies_of,
)
from crudeflow.optimize.index import NetIndex
from crudeflow.schema.modes import mode_values

if TYPE_CHECKING:
    from crudeflow.optimize.constraints import Rows
    from crudeflow.optimize.lp import LP
    from crudeflow.optimize.states import StateGraph


@dataclass(frozen=True)
class Territory:
    """Boolean (link × country) membership: which countries each active link touches."""

    countries: pd.Index
    member: BArray

    def has(self, codes: tuple[str, ...] | list[str]) -> BArray:
        """Per link, whether its territory includes any of these countries."""
        cols = self.countries.get_indexer(list(codes))
        cols = cols[cols >= 0]
        if len(cols) == 0:
            return np.zeros(self.member.shape[0], bool)
        return np.asarray(self.member[:, cols].any(axis=1)).ravel()


def territory(net: Network, idx: NetIndex) -> Territory:
    """Countries of each active link's endpoints and ``countries`` list, as a bool matrix."""
    links = net.links.loc[idx.link_ids]
    n = len(links)
    cf = net.nodes["country"].reindex(links["from"]).to_numpy(dtype=str)
    ct = net.nodes["country"].reindex(links["to"]).to_numpy(dtype=str)
    lens = np.fromiter(map(len, links["countries"]), np.int64, n)
    extra = np.asarray(list(chain.from_iterable(links["countries"])), dtype=str)
    rows = np.concatenate([np.arange(n), np.arange(n), np.repeat(np.arange(n), lens)])
    codes = np.concatenate([cf, ct, extra]).astype(str)
    universe = pd.Index(np.unique(codes))
    member = np.zeros((n, len(universe)), bool)
    member[rows, universe.get_indexer(codes)] = True
    return Territory(universe, member)


def enabled(net: Network, kind: str) -> pd.DataFrame:
    """Enabled policies of one kind (rows of ``net.policies``)."""
    p = net.policies
    return p[(p["kind"] == kind) & p["enabled"].astype(bool)]


class Arcs:
    """Per flow variable facts an effect reads, as aligned arrays (computed once per build).

    ``c_from``/``c_to``: countries of the leg's end nodes; ``o_in``/``o_out``: origin of the
    grade taken and delivered (they differ on swaps); ``paper``: the link's mode is a paper
    exchange (a swap); ``modes``: the link's mode. ``terr`` is built on first use.
    """

    def __init__(self, net: Network, idx: NetIndex, terr: Territory | None = None) -> None:
        self.net, self.idx = net, idx
        links = net.links.loc[idx.link_ids]
        self.var_link = idx.var_link
        link_modes = links["mode"].to_numpy(dtype=str)
        self.modes = link_modes[self.var_link]
        self.paper = mode_values(link_modes, "paper").astype(bool)[self.var_link]
        self.c_from = idx.node_country[idx.var_from]
        self.c_to = idx.node_country[idx.var_to]
        self.o_in = idx.grade_origin[idx.var_gin]
        self.o_out = idx.grade_origin[idx.var_gout]
        self._terr = terr

    @property
    def n(self) -> int:
        """Number of flow variables."""
        return len(self.var_link)

    @property
    def terr(self) -> Territory:
        """Countries each link touches (built on first use: only transit rules need it)."""
        if self._terr is None:
            self._terr = territory(self.net, self.idx)
        return self._terr

    def crosses(self, country: str) -> BArray:
        """Per flow variable: its leg's territory includes ``country``."""
        return self.terr.has([country])[self.var_link]

    def countries(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        """Country codes and groups expanded to country codes."""
        return self.net.expand_countries(codes)


Component = Literal["duty", "fee"]


@dataclass(frozen=True)
class Effect:
    """How one policy kind acts on the LP: its form, function and (for charges) cost part."""

    kind: str
    form: Literal["close", "charge", "rows"]
    fn: Callable[..., Any]
    component: Component | None = None


EFFECTS: dict[str, Effect] = {}
"""Every registered effect by kind name (see :func:`effects` for the complete set)."""

EFFECT_MODULES = ("crudeflow.optimize.policies", "crudeflow.optimize.constraints")
"""Modules that register effects: ``closes``/``charges`` here, ``adds_rows`` in constraints."""

F = TypeVar("F", bound=Callable[..., Any])


def _register(effect: Effect) -> None:
    if effect.kind in EFFECTS and EFFECTS[effect.kind].fn is not effect.fn:
        msg = f"policy kind '{effect.kind}' has two effects"
        raise ValueError(msg)
    EFFECTS[effect.kind] = effect


def closes(kind: str) -> Callable[[F], F]:
    """Register ``fn(policy, arcs) -> bool mask`` of the flow variables a kind removes."""

    def deco(fn: F) -> F:
        _register(Effect(kind, "close", fn))
        return fn

    return deco


def charges(kind: str, component: Component) -> Callable[[F], F]:
    """Register ``fn(policy, arcs) -> USD/t`` per flow variable, a cost part (duty or fee)."""

    def deco(fn: F) -> F:
        _register(Effect(kind, "charge", fn, component))
        return fn

    return deco


def adds_rows(kind: str) -> Callable[[F], F]:
    """Register ``fn(policies, net, idx, lp, states) -> Rows``: a constraint block."""

    def deco(fn: F) -> F:
        _register(Effect(kind, "rows", fn))
        return fn

    return deco


def effects() -> dict[str, Effect]:
    """Every registered effect, after importing the modules that register them."""
    for module in EFFECT_MODULES:
        importlib.import_module(module)
    return EFFECTS


def in_force(net: Network, kind: str) -> list[Policy]:
    """The enabled policies of one kind, typed, in file order."""
    return policies_of(net.policies, POLICY_KINDS[kind])


def _check_effects(net: Network) -> dict[str, Effect]:
    """The effects, after checking every enabled policy's kind has one (a contributor's slip)."""
    table = effects()
    used = set(net.policies.loc[net.policies["enabled"].astype(bool), "kind"].astype(str))
    missing = sorted(used - set(table))
    if missing:
        msg = f"policy kind(s) {', '.join(missing)} have no effect registered in crudeflow.optimize"
        raise LookupError(msg)
    return table


@dataclass(frozen=True)
class FlowPolicy:
    """Per flow variable: kept or removed, duty and fee (USD/t), and what removed it."""

    keep: BArray
    duty: FArray
    fee: FArray
    removed_by: dict[str, IArray]
    """Policy id -> positions of the flow variables it removed."""


def flow_policy(net: Network, idx: NetIndex, terr: Territory | None = None) -> FlowPolicy:
    """Apply every enabled closing and charging policy to every flow variable at once.

    Kinds apply in declaration order, policies of a kind in file order; a variable two
    policies close is credited to the first. ``terr`` is built only if a rule needs it.
    """
    table = _check_effects(net)
    arcs = Arcs(net, idx, terr)
    keep = np.ones(arcs.n, bool)
    parts: dict[Component, FArray] = {"duty": np.zeros(arcs.n), "fee": np.zeros(arcs.n)}
    removed: dict[str, IArray] = {}
    for kind in POLICY_KINDS:
        eff = table.get(kind)
        if eff is None or eff.form == "rows":
            continue
        for p in in_force(net, kind):
            if eff.form == "charge":
                assert eff.component is not None
                parts[eff.component] += eff.fn(p, arcs)
            else:
                hit = np.asarray(eff.fn(p, arcs), bool)
                removed[p.id] = np.flatnonzero(hit & keep)
                keep &= ~hit
    return FlowPolicy(keep, parts["duty"], parts["fee"], removed)


Family = Callable[[Network, NetIndex, "LP", "StateGraph"], "Rows"]


def policy_families() -> tuple[tuple[str, Family], ...]:
    """(kind, constraint family) for every kind whose effect adds rows, in declaration order."""
    table = effects()
    out: list[tuple[str, Family]] = []
    for kind in POLICY_KINDS:
        eff = table.get(kind)
        if eff is not None and eff.form == "rows":
            out.append((kind, _family(kind, eff)))
    return tuple(out)


def _family(kind: str, eff: Effect) -> Family:
    def family(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
        _check_effects(net)
        rows: Rows = eff.fn(in_force(net, kind), net, idx, lp, sg)
        return rows

    family.__name__ = f"{kind}_rows"
    return family


# --- the effects of closing and charging kinds ------------------------------------------


@charges("export_duty", "duty")
def export_duty(p: ExportDuty, a: Arcs) -> FArray:
    """USD/t (mean rate of the horizon) on legs leaving the origin's customs territory.

    Only the general duty (no importers) charges legs; a duty on named importers is charged
    on their refinery intake by :func:`export_duty_rows`. Per-period rates adjust this in
    ``optimize.periods``.
    """
    return np.where(export_duty_legs(p, a), float(duty_rates(p, a.net, horizon_calendar(a.net)).mean()), 0.0)


# --- export duties as levied: legs, rates by date, intake rows with a duty-free quota ------


def export_duty_legs(p: ExportDuty, a: Arcs) -> BArray:
    """Per flow variable: a leg of the origin's crude leaving its customs territory (general duty)."""
    if p.importers:
        return np.zeros(a.n, bool)
    inside = [p.origin, *a.countries(p.union)]
    hit: BArray = (a.o_in == p.origin) & np.isin(a.c_from, inside) & ~np.isin(a.c_to, inside) & ~a.paper
    return hit


def horizon_calendar(net: Network) -> pd.DataFrame:
    """The network's periods, or its base year as one period (what an annual plan stands for)."""
    if len(net.periods):
        return net.periods
    from crudeflow.model.periods import calendar

    y = int(net.meta.base_year)
    return calendar([f"{y}-01-01"], [f"{y}-12-31"])


def duty_rates(p: ExportDuty, net: Network, cal: pd.DataFrame) -> FArray:
    """Per period of ``cal``: the policy's day-weighted rate (USD/t) from duty_rates.csv.

    Days no row of the policy covers pay ``usd_per_t``.
    """
    from crudeflow.model.periods import coverage

    dr = net.duty_rates
    rows = dr[dr["policy"].astype(str) == p.id] if len(dr) else dr
    if len(rows) == 0:
        return np.full(len(cal), float(p.usd_per_t))
    vf = pd.to_datetime(rows["valid_from"]).to_numpy().astype("datetime64[D]")
    vt = pd.to_datetime(rows["valid_to"]).to_numpy().astype("datetime64[D]")
    cov = coverage(cal, vf, vt)  # (rows, periods)
    covered = np.clip(cov.sum(axis=0), 0.0, 1.0)
    rate = rows["usd_per_t"].to_numpy(float) @ cov + (1.0 - covered) * float(p.usd_per_t)
    return np.asarray(rate, dtype=float)


def general_duties(net: Network) -> list[ExportDuty]:
    """Enabled general export duties (no importers): they charge legs and lower supply prices."""
    return [p for p in policies_of(net.policies, ExportDuty) if not p.importers]


def importer_duties(net: Network) -> list[ExportDuty]:
    """Enabled export duties on named importers' refinery intake."""
    return [p for p in policies_of(net.policies, ExportDuty) if p.importers]


def ex_duty_supply(net: Network, cal: pd.DataFrame) -> FArray:
    """Per (period, supply row): USD/t the general duties take off the supply price.

    Supply prices are export netbacks; a general duty of the grade's origin lowers them to
    the domestic netback (module ``crudeflow.model.policies``, ExportDuty).
    """
    sup = net.supplies
    out = np.zeros((len(cal), len(sup)))
    origin = net.grades["origin_country"].reindex(sup.index.get_level_values("grade")).to_numpy(dtype=str)
    for p in general_duties(net):
        out += duty_rates(p, net, cal)[:, None] * (origin == p.origin)[None, :]
    return out


def intake_duty_vars(net: Network, idx: NetIndex, lp: LP) -> tuple[list[ExportDuty], IArray, IArray]:
    """Per importer duty: the consume columns it charges (policy position, column) pairs."""
    pols = importer_duties(net)
    if not pols or "consume" not in lp.vars:
        return pols, np.zeros(0, np.int64), np.zeros(0, np.int64)
    cb = lp.vars["consume"]
    node_c = net.nodes["country"].reindex(cb.labels["node"]).to_numpy(dtype=str)
    g_origin = idx.grade_origin[cb.labels["grade_pos"].to_numpy(np.int64)]
    pos, cols = [], []
    for k, p in enumerate(pols):
        hit = np.flatnonzero(np.isin(node_c, net.expand_countries(p.importers)) & (g_origin == p.origin))
        pos.append(np.full(len(hit), k, np.int64))
        cols.append(cb.start + hit)
    return pols, np.concatenate(pos).astype(np.int64), np.concatenate(cols).astype(np.int64)


def export_duty_rows(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per importer duty and period: intake of the origin's crude = duty-free + duty-paid.

    Adds the ``duty_free`` (no cost) and ``duty_paid`` (the rate) columns, one per policy;
    ``export_duty_quota_rows`` bounds the duty-free ones by the quota.
    """
    from crudeflow.optimize.constraints import Rows

    pols, pos, cols = intake_duty_vars(net, idx, lp)
    k = len(pols)
    if k == 0:
        z = np.zeros(0, np.int64)
        return Rows(z, z, np.zeros(0), np.zeros(0), np.zeros(0), pd.DataFrame(columns=DUTY_LABELS))
    labels = duty_labels(pols)
    cal = horizon_calendar(net)
    free = lp.add_vars("duty_free", 0.0, 0.0, np.inf, labels)
    rate = np.array([duty_rates(p, net, cal).mean() for p in pols])
    paid = lp.add_vars("duty_paid", rate, 0.0, np.inf, labels)
    ks = np.arange(k, dtype=np.int64)
    return Rows(
        np.concatenate([pos, ks, ks]).astype(np.int64),
        np.concatenate([cols, free.start + ks, paid.start + ks]).astype(np.int64),
        np.concatenate([np.ones(len(cols)), -np.ones(k), -np.ones(k)]),
        np.zeros(k), np.zeros(k), labels,
    )  # fmt: skip


def export_duty_quota_rows(net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per importer duty: duty-free intake ≤ the quota (a horizon row: Mt/yr × years)."""
    from crudeflow.optimize.constraints import Rows

    if "duty_free" not in lp.vars:
        z = np.zeros(0, np.int64)
        return Rows(z, z, np.zeros(0), np.zeros(0), np.zeros(0), pd.DataFrame(columns=DUTY_LABELS))
    free = lp.vars["duty_free"]
    pols = importer_duties(net)
    ks = np.arange(free.size, dtype=np.int64)
    quota = np.array([p.duty_free_mt_per_year for p in pols], dtype=float)
    return Rows(ks, free.start + ks, np.ones(free.size), np.full(free.size, -np.inf), quota, free.labels)


DUTY_LABELS = ["policy", "origin", "importers", "duty_free_mt_per_year"]


def duty_labels(pols: list[ExportDuty]) -> pd.DataFrame:
    """Labels of the per-policy duty columns and rows."""
    return pd.DataFrame({
        "policy": [p.id for p in pols], "origin": [p.origin for p in pols],
        "importers": [";".join(p.importers) for p in pols],
        "duty_free_mt_per_year": [p.duty_free_mt_per_year for p in pols],
    })  # fmt: skip


@charges("transit_fee", "fee")
def transit_fee(p: TransitFee, a: Arcs) -> FArray:
    """USD/t on crude of other origins on legs crossing the country and ending outside it."""
    t = p.country
    hit = a.crosses(t) & (a.c_to != t) & (a.o_in != t) & ~a.paper
    if p.origins:
        hit &= np.isin(a.o_in, a.countries(p.origins))
    return np.where(hit, p.usd_per_t, 0.0)


@closes("transit_ban")
def transit_ban(p: TransitBan, a: Arcs) -> BArray:
    """Closes legs crossing the country and ending outside it to crude of the origins."""
    t = p.country
    hit: BArray = a.crosses(t) & (a.c_to != t) & np.isin(a.o_in, a.countries(p.origins)) & (a.o_in != t)
    return hit


@closes("embargo")
def embargo(p: Embargo, a: Arcs) -> BArray:
    """Closes legs into the importers (by the modes given) to crude of the origins.

    A swap into an importer is closed when it takes or delivers a grade of the origins (an
    embargo holds through swaps; ``optimize.tags`` follows swapped crude further on).
    """
    banned = a.countries(p.origins)
    taken = np.isin(a.o_in, banned)
    hit: BArray = np.isin(a.c_to, a.countries(p.importers)) & (taken | np.isin(a.o_out, banned))
    if p.modes:
        hit &= np.isin(a.modes, list(p.modes))
    return hit


def importer_nodes(net: Network, importer: str) -> npt.NDArray[np.str_]:
    """Demand nodes of an importer given as a refinery node id, a country or a group."""
    demands = net.demands
    if importer in demands.index:
        return np.asarray([importer], dtype=str)
    countries = net.expand_countries([importer])
    mask = net.nodes["country"].reindex(demands.index).isin(countries).to_numpy()
    return np.asarray(demands.index.to_numpy(dtype=str)[mask], dtype=str)


def seller_grades(net: Network, seller: str) -> npt.NDArray[np.str_]:
    """Grades a seller delivers: grades supplied at a supply node, or grades of an origin."""
    sup = net.supplies.reset_index()
    if seller in set(sup["node"]):
        return np.asarray(np.unique(sup.loc[sup["node"] == seller, "grade"].to_numpy(dtype=str)), dtype=str)
    countries = net.expand_countries([seller])
    mask = net.grades["origin_country"].isin(countries).to_numpy()
    return np.asarray(net.grades.index.to_numpy(dtype=str)[mask], dtype=str)


# --- the price cap and the services ban: G7 and other tankers (appended by the price-cap work)

PRICE_CAP_LABELS = ["policy", "origin", "benchmark", "cap_usd_per_bbl", "premium_usd_per_t"]


def price_cap_legs(p: PriceCap, net: Network, idx: NetIndex, flow: pd.DataFrame) -> BArray:
    """Per flow column (labels ``flow``): a tanker leg carrying a grade of the cap's origin."""
    modes = net.links.loc[idx.link_ids, "mode"].to_numpy(dtype=str)[flow["link_pos"].to_numpy(np.int64)]
    origin = idx.grade_origin[flow["gin_pos"].to_numpy(np.int64)]
    hit: BArray = (modes == "tanker") & (origin == p.origin)
    return hit


@adds_rows("price_cap")
def price_cap_rows(pols: list[PriceCap], net: Network, idx: NetIndex, lp: LP, sg: StateGraph) -> Rows:
    """Per price cap: the origin's crude on tanker legs − G7 part − other-tanker part = 0.

    Adds the columns ``price_cap_g7`` (no cost) and ``price_cap_shadow`` (the premium, USD/t),
    one per policy; :func:`price_cap_bounds` sets their bounds per period once the LP is
    expanded (G7 closed above the cap, the pool prorated), and ``optimize.tags`` adds the
    crude swapped out of the origin's grades on tanker legs to these rows.
    """
    from crudeflow.optimize.constraints import Rows

    k = len(pols)
    if k == 0:  # no columns either: plans without a cap keep their blocks and cost parts
        z = np.zeros(0, np.int64)
        return Rows(z, z, np.zeros(0), np.zeros(0), np.zeros(0), pd.DataFrame(columns=PRICE_CAP_LABELS))
    labels = pd.DataFrame({
        "policy": [p.id for p in pols], "origin": [p.origin for p in pols],
        "benchmark": [p.benchmark for p in pols], "cap_usd_per_bbl": [p.cap_usd_per_bbl for p in pols],
        "premium_usd_per_t": [p.premium_usd_per_t for p in pols],
    }, columns=PRICE_CAP_LABELS)  # fmt: skip
    g7 = lp.add_vars("price_cap_g7", 0.0, 0.0, np.inf, labels)
    shadow = lp.add_vars(
        "price_cap_shadow", labels["premium_usd_per_t"].to_numpy(float), 0.0,
        np.array([p.shadow_mt_per_year for p in pols], dtype=float), labels,
    )  # fmt: skip
    f = lp.vars["flow"]
    legs = [np.flatnonzero(price_cap_legs(p, net, idx, f.labels)) for p in pols]
    ks = np.arange(k, dtype=np.int64)
    rows = np.concatenate([np.repeat(ks, [len(v) for v in legs]), ks, ks]).astype(np.int64)
    cols = np.concatenate([f.start + np.concatenate([np.zeros(0, np.int64), *legs]), g7.start + ks,
                           shadow.start + ks]).astype(np.int64)  # fmt: skip
    vals = np.concatenate([np.ones(len(rows) - 2 * k), -np.ones(2 * k)])
    return Rows(rows, cols, vals, np.zeros(k), np.zeros(k), labels)


def price_cap_periods(net: Network, cal: pd.DataFrame) -> pd.DataFrame:
    """Per enabled price cap and period of ``cal`` (empty: the base year): whether it binds.

    Columns: policy, period (position), benchmark price (USD/bbl), in_force (dates cover at
    least half the period), above_cap (price > cap) and pool (Mt/yr). A benchmark price
    missing from prices.csv is a ``DatasetError`` naming the months lacking.
    """
    from crudeflow.exceptions import DatasetError, Problem
    from crudeflow.model.periods import coverage
    from crudeflow.model.prices import benchmark_by_period
    from crudeflow.optimize.periods import POLICY_SWITCH_SHARE

    pols = policies_of(net.policies, PriceCap)
    n_t = max(len(cal), 1)
    span = cal if len(cal) else horizon_calendar(net)
    frames, problems = [], []
    for p in pols:  # one per policy (a handful), vectorised over periods
        price, missing = benchmark_by_period(net.prices, p.benchmark, cal, int(net.meta.base_year))
        if missing:
            when = ", ".join(f"{y}" if m == 0 else f"{y}-{m:02d}" for y, m in missing[:6])
            problems.append(Problem(
                "prices.csv", None, "price_usd_per_bbl",
                f"a row for benchmark '{p.benchmark}' (price_cap '{p.id}') in each month planned, "
                "or in its year", f"none for {when}" + (" ..." if len(missing) > 6 else ""),
            ))  # fmt: skip
            continue
        vf = np.array([p.valid_from or np.datetime64("NaT")], dtype="datetime64[D]")
        vt = np.array([p.valid_to or np.datetime64("NaT")], dtype="datetime64[D]")
        on = coverage(span, vf, vt)[0] >= POLICY_SWITCH_SHARE
        frames.append(pd.DataFrame({
            "policy": p.id, "period": np.arange(n_t), "benchmark_usd_per_bbl": price,
            "in_force": np.broadcast_to(on, (n_t,)), "above_cap": price > p.cap_usd_per_bbl,
            "pool_mt_per_year": p.shadow_mt_per_year,
        }))  # fmt: skip
    if problems:
        raise DatasetError(problems)
    if not frames:
        return pd.DataFrame(columns=["policy", "period", "benchmark_usd_per_bbl", "in_force", "above_cap",
                                     "pool_mt_per_year"])  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def price_cap_bounds(net: Network, lp: LP, cal: pd.DataFrame, frac: FArray) -> pd.DataFrame:
    """Bounds of the expanded LP's G7 and other-tanker columns, per policy and period.

    Where a cap is in force and the benchmark is above it: G7 closed, the pool open to
    ``shadow_mt_per_year`` × the period's share of a year. Elsewhere: G7 open, pool closed
    (at or below the cap nothing needs it). Returns :func:`price_cap_periods`.
    """
    state = price_cap_periods(net, cal)
    if "price_cap_g7" not in lp.vars or lp.vars["price_cap_g7"].size == 0:
        return state
    g7, shadow = lp.vars["price_cap_g7"], lp.vars["price_cap_shadow"]
    lab = g7.labels
    period = lab["period"].to_numpy(np.int64) if "period" in lab else np.zeros(len(lab), np.int64)
    key = pd.MultiIndex.from_arrays([state["policy"].astype(str), state["period"].to_numpy(np.int64)])
    at = key.get_indexer(pd.MultiIndex.from_arrays([lab["policy"].astype(str), period]))
    binding = (state["in_force"].to_numpy(bool) & state["above_cap"].to_numpy(bool))[at]
    pool = state["pool_mt_per_year"].to_numpy(float)[at] * np.asarray(frac, float)[period]
    g7.upper[:] = np.where(binding, 0.0, np.inf)
    shadow.upper[:] = np.where(binding, pool, 0.0)
    return state
