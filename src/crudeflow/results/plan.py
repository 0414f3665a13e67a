"""The Plan: every result frame keyed by the input ids, with summary, JSON and CSV output."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import TOL_FLOW_MT as TOL
from crudeflow._types import JSONDict, JSONValue
from crudeflow.exceptions import Problem
from crudeflow.metrics import hhi_by_group
from crudeflow.optimize.build import Model
from crudeflow.optimize.observed import FRICTION_BLOCK
from crudeflow.optimize.status import SolveResult, SolveStatus
from crudeflow.optimize.tags import split_by_layer, split_solution
from crudeflow.results.commitments import COMMITMENT_COLUMNS, commitment_cost_usd, commitments, net_tariff
from crudeflow.results.explain import explain_by_period, explain_shut_in, explain_unmet
from crudeflow.results.paths import (
    average_costs,
    average_costs_by_tag,
    decompose,
    path_costs,
    period_paths,
    sink_averages,
)
from crudeflow.results.price_cap import PRICE_CAP_COLUMNS, price_cap_table
from crudeflow.results.tables import clean_dict, clean_records, dumps
from crudeflow.units import check_units, convert_frame, kb_per_day_to_bbl_per_year, mt_to_t, round_for_unit

FRAMES = (
    "flows", "link_flows", "deliveries", "costs", "prices", "bottlenecks", "unmet",
    "shut_in", "sales", "supply", "paths", "concentration", "contracts", "commitments", "duties",
    "price_cap",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Plan:
    """A least-cost supply plan. Volumes Mt/yr, costs USD/t, totals USD/yr.

    Frames: ``flows`` (link × grade, with tariff, duty and fee), ``link_flows`` (per link,
    with utilisation and shadow price = by how much each extra tonne of capacity would lower
    the system cost, USD),
    ``deliveries`` (refinery × grade run, ``origin`` = origin of the grade run — for a swap
    the grade delivered — with delivered cost and its parts: price, transport, duties,
    fees, which add up; volume-weighted averages over every route into the refinery),
    ``costs`` (per refinery, the same parts, total cost and ``marginal_cost_usd_per_t`` =
    the cost of one more tonne of runs there), ``prices`` (marginal cost per node and grade:
    the conservation dual), ``bottlenecks`` (full links with a positive shadow price),
    ``unmet`` (with reasons), ``shut_in`` (fixed output that cannot be placed anywhere),
    ``sales`` (world-market
    outlets: price paid, delivered cost, revenue), ``supply``, ``paths`` (source → … → sink
    with the route's own cost parts; ``origin`` = origin of the grade supplied),
    ``concentration`` (per importing country, by origin and by transit: share of intake
    from each origin / crossing each country, which may sum above 100 %, and the HHI of the
    normalised shares),
    ``contracts``. ``objective_parts_usd`` splits the objective (the system cost, penalties
    included); its values sum to ``objective_usd``. The headline is ``economic_cost_usd``
    (no penalties) beside the unmet and shut-in volumes. Words: ``docs/glossary.md``.
    """

    status: SolveStatus
    """How the solve ended (a ``StrEnum``: compares equal to, and prints as, ``"optimal"``)."""
    objective_usd: float
    scenario: str
    flows: pd.DataFrame
    link_flows: pd.DataFrame
    deliveries: pd.DataFrame
    costs: pd.DataFrame
    prices: pd.DataFrame
    bottlenecks: pd.DataFrame
    unmet: pd.DataFrame
    shut_in: pd.DataFrame
    sales: pd.DataFrame
    supply: pd.DataFrame
    paths: pd.DataFrame
    concentration: pd.DataFrame
    contracts: pd.DataFrame
    solve_seconds: float = 0.0
    iterations: int = 0
    extra: dict[str, JSONValue] = field(default_factory=dict)
    objective_parts_usd: dict[str, float] = field(default_factory=dict)
    """The objective by part (USD/yr): supply, transport, duties, fees, penalties, and
    market revenue (negative); the values sum to ``objective_usd``."""

    economic_cost_parts_usd: dict[str, float] = field(default_factory=dict)
    """The economic cost by part (USD/yr): crude purchases (output placed, at its price),
    transport, duties, fees and market revenue (negative); see ``docs/glossary.md``."""
    duties: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DUTY_COLUMNS))
    """Per export duty on importers' intake (horizon averages, Mt/yr): intake of the origin's
    crude, duty-free (within the quota) and dutiable volumes, mean rate paid, duty (USD over
    the horizon), whether the quota is used up, and its value (USD per extra duty-free t)."""

    @property
    def economic_cost_usd(self) -> float:
        """Crude purchases + transport + duties + fees − market revenue (USD/yr), no penalties."""
        return float(sum(self.economic_cost_parts_usd.values()))

    periods: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The calendar (``crudeflow.model.periods``); empty for an annual plan. With periods,
    every frame but ``costs``, ``concentration`` and ``contracts`` has a row per period with
    a ``period`` column (the period's label), ``mt`` (the volume in the period, Mt) and
    ``mt_per_year`` (the average rate in the period, Mt/yr). ``paths`` follow crude across
    periods: ``loaded`` (period it left its source), ``period`` (period it reached its sink),
    ``mt``, ``held_periods`` and ``held_at`` (tanks on the way; sink kind ``stock`` = left in
    the tanks at the end); holding costs count as transport (``docs/time.md``)."""
    stocks: pd.DataFrame = field(default_factory=pd.DataFrame)
    """With storage: level at the end of each period per storage node and grade (Mt)."""

    units: str = "mt"
    """``mt`` (Mt/yr, USD/t: the model's own) or ``kbd`` (kb/d, USD/bbl; see ``in_units``)."""
    grade_bbl_per_t: dict[str, float] = field(default_factory=dict)
    """Barrels per tonne of each grade (from ``grades.csv``), for ``in_units``."""
    reference_bbl_per_t: float = 7.33
    """bbl/t for a volume with no grade mix to weight by (e.g. demand never delivered)."""
    warnings: tuple[Problem, ...] = ()
    """Warnings (``Problem``) of the dataset and scenario planned, e.g. a change to a closed link."""
    commitments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COMMITMENT_COLUMNS))
    """Ship-or-pay (paid and used), reservations (holder's and others' use), outlet
    commitments, swaps for buyers and transit refusals: limit, use, binding, shadow price."""
    price_cap: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PRICE_CAP_COLUMNS))
    """Per price cap (and period), tanker class (g7 / shadow) and destination: the capped origin's
    crude on tankers (Mt/yr), the premium paid (USD) and whether the pool is full
    (``results.price_cap``); empty without a price_cap policy."""

    def summary(self) -> dict[str, str | float | int]:
        """Headline figures: economic cost (USD/yr), then unmet and shut-in volumes.

        Volumes in Mt/yr (kb/d after ``in_units("kbd")``), the average delivered cost in
        USD/t (USD/bbl). ``objective_usd`` is the full objective (economic cost plus the
        shortage, shut-in and contract penalties and the price of shut-in output); its parts
        are in ``objective_parts_usd``.
        """
        kbd = self.units == "kbd"
        v, c = ("kb_per_day", "usd_per_bbl") if kbd else ("mt_per_year", "usd_per_t")
        d = self.deliveries
        if len(self.periods):
            return self._horizon_summary(v, c)
        runs = float(d[v].sum())
        annual = kb_per_day_to_bbl_per_year(d[v].to_numpy(float)) if kbd else mt_to_t(d[v].to_numpy(float))
        cost = float((annual * d[f"delivered_cost_{c}"].to_numpy(float)).sum())
        per = float(kb_per_day_to_bbl_per_year(runs) if kbd else mt_to_t(runs))
        return {
            "scenario": self.scenario,
            "status": self.status,
            "units": self.units,
            "economic_cost_usd": self.economic_cost_usd,
            f"unmet_{v}": float(self.unmet[v].sum()),
            f"shut_in_{v}": float(self.shut_in[v].sum()),
            f"delivered_{v}": runs,
            f"sold_to_markets_{v}": float(self.sales[v].sum()),
            f"average_delivered_cost_{c}": cost / per if runs else float("nan"),
            "refinery_cost_usd": cost,
            "objective_usd": self.objective_usd,
            "bottlenecks": len(self.bottlenecks),
            "solve_seconds": self.solve_seconds,
        }

    def period_totals(self) -> pd.DataFrame:
        """Per period (label as index): delivered, unmet, shut-in, sold and stock volumes (Mt).

        ``stock_mt`` is the level at the end of the period; empty for an annual plan.
        """
        if len(self.periods) == 0:
            return pd.DataFrame()
        labels = pd.Index(self.periods["label"], name="period")

        def tot(frame: pd.DataFrame) -> pd.Series:
            if len(frame) == 0:
                return pd.Series(0.0, index=labels)
            return frame.groupby("period")["mt"].sum().reindex(labels, fill_value=0.0)

        out = pd.DataFrame({
            "days": self.periods["days"].to_numpy(), "delivered_mt": tot(self.deliveries),
            "unmet_mt": tot(self.unmet), "shut_in_mt": tot(self.shut_in),
            "sold_to_markets_mt": tot(self.sales),
        }, index=labels)  # fmt: skip
        if len(self.stocks):
            out["stock_mt"] = self.stocks.groupby("period")["level_mt"].sum().reindex(labels, fill_value=0.0)
        return out

    def _horizon_summary(self, v: str, c: str) -> dict[str, Any]:
        """Totals over the periods (Mt) and their average rates over the horizon (``v``).

        Costs are USD over the whole horizon; an average rate is the total ÷ the horizon's
        length in years.
        """
        from crudeflow.model.periods import horizon_text

        years = float(self.periods["year_fraction"].sum())
        d = self.deliveries
        mt = d["mt"].to_numpy(float)
        cost = float(mt_to_t(mt * d[f"delivered_cost_{c}"].to_numpy(float)).sum())
        runs = float(mt.sum())
        rate = v != "mt_per_year"

        def both(name: str, frame: pd.DataFrame) -> dict[str, float]:
            total = float(frame["mt"].sum()) if len(frame) else 0.0
            avg = float((frame[v] * frame["mt"] / frame["mt_per_year"].where(frame["mt_per_year"] > 0)).sum()
                        / years) if rate and len(frame) else total / years  # fmt: skip
            return {f"{name}_mt": total, f"{name}_{v}": avg}

        out: dict[str, Any] = {
            "scenario": self.scenario,
            "status": self.status,
            "units": self.units,
            "horizon": horizon_text(self.periods),
            "periods": len(self.periods),
            "years": years,
            "economic_cost_usd": self.economic_cost_usd,
        }
        out.update(both("unmet", self.unmet))
        out.update(both("shut_in", self.shut_in))
        out.update(both("delivered", d))
        out.update(both("sold_to_markets", self.sales))
        out[f"average_delivered_cost_{c}"] = (
            float((mt * d[f"delivered_cost_{c}"]).sum() / runs) if runs else float("nan")
        )
        if len(self.stocks):
            last = self.stocks["period"] == self.periods["label"].iloc[-1]
            out["final_stock_mt"] = float(self.stocks.loc[last, "level_mt"].sum())
        out.update({
            "refinery_cost_usd": cost, "objective_usd": self.objective_usd,
            "bottlenecks": len(self.bottlenecks), "solve_seconds": self.solve_seconds,
        })  # fmt: skip
        return out

    def in_units(self, units: str = "kbd") -> Plan:
        """The plan with volumes in kb/d and prices and costs in USD/bbl (``units="kbd"``).

        Each grade converts by its own bbl/t (``grades.csv``); a total (a refinery's runs, a
        link's flow) converts as the sum of its converted grades, and its cost per barrel
        is its cost in USD over its barrels. Columns are renamed (``*_kb_per_day``,
        ``*_usd_per_bbl``). Contracts (no grade) use ``reference_bbl_per_t``. ``"mt"``
        returns the plan unchanged. USD/yr totals and shares do not change.
        """
        u = check_units(units)
        if u == self.units or u == "mt":
            if u != self.units:
                msg = "a plan in kb/d cannot be converted back: keep the Mt/yr plan"
                raise ValueError(msg)
            return self
        ref = self.reference_bbl_per_t
        g = pd.Series(self.grade_bbl_per_t, dtype=float)

        def by_grade(grades: Any) -> npt.NDArray[np.float64]:
            return np.asarray(g.reindex(pd.Index(grades)).fillna(ref).to_numpy(float))

        def mix(keys: pd.Series, grades: pd.Series, vol: pd.Series) -> pd.Series:
            """Volume-weighted bbl/t of the grades under each key."""
            w = pd.DataFrame({"k": keys.to_numpy(), "m": vol.to_numpy(float)})
            w["mb"] = w["m"] * by_grade(grades)
            agg = w.groupby("k")[["m", "mb"]].sum()
            return (agg["mb"] / agg["m"].where(agg["m"] > 0)).dropna()

        def keyed(frame: pd.DataFrame, keys: Any, eff: pd.Series) -> pd.DataFrame:
            return convert_frame(frame, eff.reindex(pd.Index(keys)).fillna(ref).to_numpy(float))

        d = self.deliveries
        ref_mix = mix(d["refinery"], d["grade"], d["mt_per_year"])
        f = self.flows
        link_mix = mix(f["link"], f["grade"], f["mt_per_year"])
        return replace(
            self,
            units="kbd",
            flows=convert_frame(f, by_grade(f["grade"])),
            link_flows=keyed(self.link_flows, self.link_flows.index, link_mix),
            deliveries=convert_frame(d, by_grade(d["grade"])),
            costs=keyed(self.costs, self.costs.index, ref_mix),
            prices=convert_frame(self.prices, by_grade(self.prices["grade"])),
            bottlenecks=keyed(self.bottlenecks, self.bottlenecks.index, link_mix),
            unmet=keyed(self.unmet, self.unmet.index, ref_mix),
            shut_in=convert_frame(self.shut_in, by_grade(self.shut_in.index.get_level_values("grade"))),
            sales=convert_frame(self.sales, by_grade(self.sales["grade"])),
            supply=convert_frame(self.supply, by_grade(self.supply.index.get_level_values("grade"))),
            paths=convert_frame(self.paths, by_grade(self.paths["grade"])),
            contracts=convert_frame(self.contracts, ref),
            commitments=convert_frame(self.commitments, ref),
            duties=convert_frame(self.duties, ref),
            price_cap=convert_frame(self.price_cap, ref),
        )

    def to_dict(self) -> JSONDict:
        """The JSON document ``plan --json`` prints; keys in the README (``plan --json``)."""
        kbd = self.units == "kbd"

        def rec(df: pd.DataFrame, cols: list[str]) -> list[JSONValue]:
            d = df.reset_index() if df.index.name or isinstance(df.index, pd.MultiIndex) else df
            if kbd:
                cols = [
                    c.replace("mt_per_year", "kb_per_day").replace("usd_per_t", "usd_per_bbl") for c in cols
                ]
            if "period" in d.columns:
                cols = ["period", *cols, *(["mt"] if "mt" in d.columns else [])]
            d = d[[c for c in dict.fromkeys(cols) if c in d.columns]]
            return clean_records(d.to_dict(orient="records"))  # type: ignore[arg-type]

        return {
            "status": str(self.status),
            "units": self.units,
            "objective_usd": round_for_unit("objective_usd", self.objective_usd),
            "scenario": self.scenario,
            "summary": clean_dict(self.summary()),
            "economic_cost_parts_usd": clean_dict(self.economic_cost_parts_usd),
            "objective_parts_usd": clean_dict(self.objective_parts_usd),
            **({"duties": rec(self.duties, list(DUTY_COLUMNS))} if len(self.duties) else {}),
            **({"price_cap": rec(self.price_cap, list(PRICE_CAP_COLUMNS))} if len(self.price_cap) else {}),
            "flows": rec(self.flows, ["link", "from", "to", "grade", "grade_out", "mt_per_year"]),
            "deliveries": rec(
                self.deliveries,
                [
                    "refinery",
                    "grade",
                    "origin",
                    "mt_per_year",
                    "delivered_cost_usd_per_t",
                    "price_usd_per_t",
                    "transport_usd_per_t",
                    "duties_usd_per_t",
                    "fees_usd_per_t",
                ],
            ),
            "unmet": rec(self.unmet, ["node", "mt_per_year", "reason"]),
            "prices": rec(self.prices, ["node", "grade", "usd_per_t"]),
            "bottlenecks": rec(
                self.bottlenecks,
                ["link", "mt_per_year", "capacity_mt_per_year", "shadow_price_usd_per_t"],
            ),
            "costs": rec(self.costs, list(self.costs.reset_index().columns)),
            "shut_in": rec(self.shut_in, ["node", "grade", "mt_per_year", "reason"]),
            "sales": rec(self.sales, ["node", "grade", "mt_per_year", "price_usd_per_t"]),
            "concentration": rec(self.concentration, list(self.concentration.reset_index().columns)),
            "contracts": rec(self.contracts, list(self.contracts.reset_index().columns)),
            **({"commitments": rec(self.commitments, COMMITMENT_COLUMNS)} if len(self.commitments) else {}),
            **(
                {
                    "periods": self.periods.astype({"start": str, "end": str}).to_dict(orient="records"),
                    "stocks": rec(self.stocks, list(self.stocks.columns)),
                    "link_flows": rec(self.link_flows, ["link", "mt_per_year", "capacity_mt_per_year"]),
                    "supply": rec(self.supply, ["node", "grade", "mt_per_year"]),
                }
                if len(self.periods)
                else {}
            ),
        }

    def to_json(self, path: str | Path | None = None) -> str:
        """The JSON document as text (and written to ``path`` when given)."""
        text = dumps(self.to_dict())
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_csv(self, directory: str | Path) -> Path:
        """One CSV per frame in ``directory``."""
        from crudeflow.units import round_frame  # floats rounded by unit, as in the JSON

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name in FRAMES:
            frame: pd.DataFrame = round_frame(getattr(self, name))
            frame.to_csv(
                d / f"{name}.csv",
                index=bool(frame.index.name) or isinstance(frame.index, pd.MultiIndex),
            )
        return d


_clean = clean_records
"""Kept for callers of the old private name."""


PATHS_AUTO_LIMIT = 50_000
"""``make_plan(paths=None)`` decomposes paths while the plan has at most this many flows."""

COST_PARTS = ("price_usd_per_t", "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t")
"""Delivered-cost parts, in the order they add up to ``delivered_cost_usd_per_t``."""


def make_plan(
    model: Model,
    res: SolveResult,
    scenario: str = "base",
    *,
    paths: bool | None = None,
) -> Plan:
    """Turn a solved model into a Plan.

    Delivered costs come from one sparse solve over the (node, grade) states (volume-
    weighted averages of price, transport, duties and fees), not from paths, so they are
    exact with cycles and swaps. Transport is net of ship-or-pay volume already paid for (no
    tariff on it, as in the LP); the paid fee is a fixed cost shown in ``commitments`` and
    ``objective_parts_usd['ship_or_pay_usd']``, not per tonne delivered. ``paths``: decompose
    the flows into paths (True), skip it (False; ``paths`` is empty and transit concentration
    is not reported), or decide by size (None: up to ``PATHS_AUTO_LIMIT`` flows).
    """
    net, lp, idx = model.network, model.lp, model.index
    x, dual = res.x, res.row_dual
    fb, sb, cb = lp.vars["flow"], lp.vars["supply"], lp.vars["consume"]
    ub, mb, shb = lp.vars["unmet"], lp.vars["sale"], lp.vars["shut_in"]
    axis = model.axis
    n_t, dated = axis.n, axis.dated
    period_label = axis.calendar["label"].to_numpy(dtype=object) if dated else np.zeros(1, dtype=object)

    def frac(labels: pd.DataFrame) -> npt.NDArray[np.float64]:
        """Per row: its period's share of a year (volume in the period ÷ this = Mt/yr)."""
        return np.asarray(axis.frac[labels["period"].to_numpy(np.int64)], dtype=float)

    def dated_cols(frame: pd.DataFrame, labels: pd.DataFrame, volume: npt.NDArray[np.float64] | None) -> None:
        """With periods: the period's label first, the volume in the period (Mt) last."""
        if dated:
            frame.insert(0, "period", period_label[labels["period"].to_numpy(np.int64)])
            if volume is not None:
                frame["mt"] = volume

    # flows
    fx = x[fb.slice]
    fl = fb.labels
    on = fx > TOL
    f_frac = frac(fl)
    flows = fl.loc[on, ["link", "from", "to", "grade", "grade_out"]].copy()
    flows["mt_per_year"] = fx[on] / f_frac[on]
    flows["tariff_usd_per_t"] = model.flow_tariff[on]
    flows["duty_usd_per_t"] = model.flow_duty[on]
    flows["fee_usd_per_t"] = model.flow_fee[on]
    cap_rows = lp.cons["capacity"]
    links = net.links.loc[idx.link_ids]
    n_l = len(idx.link_ids)
    # per (period, link): key t · n_links + link, the capacity row's position
    f_key = fl["link_pos"].to_numpy() + n_l * fl["period"].to_numpy(np.int64)
    c_frac = frac(cap_rows.labels)
    link_vol = np.bincount(f_key, weights=fx, minlength=n_l * n_t).astype(np.float64)
    link_total = link_vol / c_frac
    cap = cap_rows.upper / c_frac
    # HiGHS row duals are d(objective)/d(row bound): ≤ 0 on a binding ≤ row when minimising,
    # so the value of one more Mt/yr of capacity (USD/t) is minus the dual.
    shadow = -dual[cap_rows.slice]
    link_flows = pd.DataFrame({
        "from": np.tile(links["from"].to_numpy(), n_t), "to": np.tile(links["to"].to_numpy(), n_t),
        "mode": np.tile(links["mode"].to_numpy(), n_t), "mt_per_year": link_total,
        "capacity_mt_per_year": cap,
        "utilisation": np.divide(link_total, cap, out=np.zeros_like(cap), where=cap > 0),
        "shadow_price_usd_per_t": np.where(np.abs(shadow) > TOL, shadow, 0.0),
    }, index=pd.Index(np.tile(idx.link_ids.to_numpy(), n_t), name="link"))  # fmt: skip
    link_flows["binding"] = (link_total >= cap - 1e-6) & (link_flows["shadow_price_usd_per_t"] > TOL)
    # counter-flow: a bidirectional link used both ways in one period is physically its net
    # flow, the rest a displacement swap; mt_per_year stays the gross the capacity row counts
    f_rev = fl["reverse"].to_numpy(bool) if "reverse" in fl else np.zeros(len(fx), bool)
    rev_total = np.bincount(f_key, weights=np.where(f_rev, fx, 0.0), minlength=n_l * n_t) / c_frac
    fwd_total = link_total - rev_total
    link_flows["forward_mt_per_year"] = fwd_total
    link_flows["reverse_mt_per_year"] = rev_total
    link_flows["net_mt_per_year"] = np.abs(fwd_total - rev_total)
    link_flows["net_direction"] = np.where(
        fwd_total - rev_total > TOL, "forward", np.where(rev_total - fwd_total > TOL, "reverse", "")
    )
    counter_warnings = _counterflow_warnings(flows, fl.loc[on], link_flows, fwd_total, rev_total, dated, n_l)
    dated_cols(link_flows, cap_rows.labels, link_vol)
    flows["capacity_mt_per_year"] = cap[f_key[on]]
    flows["utilisation"] = (link_total / np.where(cap > 0, cap, 1.0))[f_key[on]]
    dated_cols(flows, fl.loc[on], fx[on])
    flows = flows.reset_index(drop=True)
    bottlenecks = link_flows[link_flows["binding"]].sort_values(
        "shadow_price_usd_per_t", ascending=False
    )[[*(["period"] if dated else []), "from", "to", "mode", "mt_per_year", "capacity_mt_per_year",
       "shadow_price_usd_per_t"]]  # fmt: skip

    # prices: the dual of conservation (node, grade) is d(objective)/d(tonne taken out there),
    # i.e. the marginal cost of one more tonne of that grade at that node
    cons = lp.cons["conservation"]
    prices = cons.labels[["node", "grade"]].copy()
    prices["usd_per_t"] = dual[cons.slice]
    dated_cols(prices, cons.labels, None)

    # supply
    sx = x[sb.slice]
    s_frac = frac(sb.labels)
    supply = sb.labels[["node", "grade"]].copy()
    supply["mt_per_year"] = sx / s_frac
    supply["min_mt_per_year"] = sb.lower / s_frac
    supply["max_mt_per_year"] = sb.upper / s_frac
    supply["price_usd_per_t"] = sb.cost
    dated_cols(supply, sb.labels, sx)
    supply = supply.set_index(["node", "grade"])

    # average delivered cost of every (node, grade) state, by part, from one sparse solve
    sg = model.states
    s_on = sx > TOL
    src_state = sg.rows["supply"][s_on]
    src_parts = np.zeros((int(s_on.sum()), 4))
    src_parts[:, 0] = sb.cost[s_on]
    tariff_paid = net_tariff(model, x)  # no tariff on ship-or-pay volume already paid for
    e_parts = np.column_stack(
        [np.zeros(int(on.sum())), tariff_paid[on], model.flow_duty[on], model.flow_fee[on]]
    )
    e_tail, e_head, e_x = sg.flow_tail[on], sg.flow_head[on], fx[on]
    stocks = pd.DataFrame()
    if "stock" in lp.vars:
        # inventory arcs carry crude into the next period (holding cost counts as transport);
        # an initial stock enters as a source valued at its grade's mean supply price
        kb = lp.vars["stock"]
        kx = x[kb.slice]
        carry = (kx > TOL) & (sg.stock_head >= 0)
        e_tail = np.concatenate([e_tail, sg.stock_tail[carry]])
        e_head = np.concatenate([e_head, sg.stock_head[carry]])
        e_x = np.concatenate([e_x, kx[carry]])
        e_parts = np.vstack([e_parts, np.column_stack(
            [np.zeros(int(carry.sum())), kb.cost[carry], np.zeros((int(carry.sum()), 2))])])  # fmt: skip
        init = net.storage[net.storage["initial_mt"] > 0]
        i_grade = init["initial_grade"].to_numpy()
        i_state = sg.row(idx.node_ids.get_indexer(init.index), idx.grade_ids.get_indexer(i_grade), 0)
        mean_price = net.supplies.groupby(level="grade")["price_usd_per_t"].mean()
        i_parts = np.zeros((len(init), 4))
        i_parts[:, 0] = mean_price.reindex(i_grade).fillna(0.0).to_numpy(float)
        src_state = np.concatenate([src_state, i_state[i_state >= 0]])
        src_x = np.concatenate([sx[s_on], init["initial_mt"].to_numpy(float)[i_state >= 0]])
        src_parts = np.vstack([src_parts, i_parts[i_state >= 0]])
        stocks = kb.labels[["node", "grade"]].copy()
        stocks.insert(0, "period", period_label[kb.labels["period"].to_numpy(np.int64)])
        stocks["level_mt"] = kx
        stocks["capacity_mt"] = net.storage["capacity_mt"].reindex(stocks["node"]).to_numpy(float)
        stocks = stocks[(kx > TOL) | (kb.labels["grade"].to_numpy() == net.storage["initial_grade"]
                                     .reindex(stocks["node"]).to_numpy())].reset_index(drop=True)  # fmt: skip
    else:
        src_x = sx[s_on]
    # with a tag layer, the first layer's crude keeps its own averages, as its paths do
    split = split_solution(model.tags.layers[0], lp, sg, x) if model.tags.layers else None
    if split is None:
        avg = average_costs(sg.size, src_state, src_x, src_parts, e_tail, e_head, e_x, e_parts)
    else:
        k_on = carry if "stock" in lp.vars else np.zeros(0, bool)
        avg = average_costs_by_tag(
            sg.size, src_state, src_x, src_parts, e_tail, e_head, e_x, e_parts,
            np.concatenate([split.flow_tagged[on], split.stock_tagged[k_on]]),
            np.concatenate([split.flow_untagged_tags[on], np.zeros(int(k_on.sum()), bool)]),
            np.concatenate([split.flow_tagged_stays[on], split.stock_tagged_stays[k_on]]),
        )  # fmt: skip

    # deliveries (refinery × grade run, origin of the grade run) with delivered cost parts
    cx = x[cb.slice]
    c_on = cx > TOL
    cl = cb.labels[c_on]
    c_avg = sink_averages(
        avg,
        sg.size,
        sg.rows["consume"][c_on],
        cx[c_on],
        None if split is None else split.consume_tagged[c_on],
    )
    deliveries = pd.DataFrame({
        "refinery": cl["node"].to_numpy(), "grade": cl["grade"].to_numpy(),
        "origin": idx.grade_origin[cl["grade_pos"].to_numpy()], "mt_per_year": cx[c_on] / frac(cl),
        "delivered_cost_usd_per_t": c_avg.sum(axis=1),
        **{p: c_avg[:, j] for j, p in enumerate(COST_PARTS)},
    })  # fmt: skip
    dated_cols(deliveries, cl, cx[c_on])
    deliveries = deliveries.sort_values(
        ["period", "refinery", "grade"] if dated else ["refinery", "grade"], ignore_index=True, kind="stable"
    )
    duties = _duties(model, x, dual)
    deliveries = _with_intake_duty(net, deliveries, duties)

    # sinks
    consume = cb.labels[["node", "grade"]].assign(kind="refinery", mt_per_year=cx)
    sale = mb.labels[["node", "grade", "price_usd_per_t"]].assign(kind="market", mt_per_year=x[mb.slice])
    shut = shb.labels[["node", "grade"]].assign(kind="shut_in", mt_per_year=x[shb.slice])

    # paths (optional beyond a size) and their costs
    want_paths = paths if paths is not None else int(on.sum()) <= PATHS_AUTO_LIMIT
    if want_paths and dated:
        # paths on the (node, grade, period) states, through stocks; mt_per_year is the rate
        # in the period the crude arrives (its sink's)
        path_frame = period_paths(model, x)
        loaded = path_frame.pop("loaded").to_numpy(np.int64)
        p_t = path_frame["period"].to_numpy(np.int64)
        path_frame["mt_per_year"] = path_frame["mt"].to_numpy(float) / axis.frac[p_t]
        path_frame["period"] = period_label[p_t]
        path_frame.insert(1, "loaded", period_label[loaded])
    if want_paths and not dated:
        sinks = pd.concat([consume, sale.drop(columns="price_usd_per_t"), shut], ignore_index=True)
        sinks = sinks[sinks["mt_per_year"] > TOL]
        flow_in = fl.loc[on, ["from", "to", "grade", "grade_out"]].assign(
            var=np.flatnonzero(on), mt_per_year=fx[on]
        )
        sup_on = supply.reset_index()
        sup_on = sup_on[sup_on["mt_per_year"] > TOL]
        if model.tags.layers:  # keep the first tag layer's crude apart, as the plan did
            flow_in, sinks, sup_on = split_by_layer(model.tags.layers[0], lp, sg, x, flow_in, sinks, sup_on)
        raw_paths = decompose(sup_on, flow_in, sinks)
        p_price = (
            supply["price_usd_per_t"]
            .reindex(pd.MultiIndex.from_arrays([raw_paths["source"], raw_paths["grade"]]))
            .to_numpy(float)
        )
        path_frame = path_costs(raw_paths, p_price, tariff_paid, model.flow_duty, model.flow_fee)
    if want_paths:
        path_frame["origin"] = net.grades["origin_country"].reindex(path_frame["grade"]).to_numpy()
        link_arr = fl["link"].to_numpy()
        p_links = [tuple(link_arr[list(v)].tolist()) for v in path_frame["vars"]]
        path_frame["links"] = pd.Series(p_links, index=path_frame.index, dtype=object)
        path_frame["transit"] = pd.Series(
            _transit(net, path_frame, fl["reverse"].to_numpy(bool)), index=path_frame.index, dtype=object
        )
        path_frame = path_frame.drop(columns=["vars"])
    else:
        numeric = ("_per_year", "_per_t")
        path_frame = pd.DataFrame(
            {c: pd.Series(dtype=float if c.endswith(numeric) else object) for c in PATH_COLUMNS}
        )

    # unmet, with reasons
    unmet_x = x[ub.slice]
    qual = lp.cons["quality"]
    qrows = qual.labels.assign(binding=np.abs(dual[qual.slice]) > TOL)
    dem_rows = lp.cons["demand"]
    u_frac = frac(ub.labels)
    unmet = pd.DataFrame(
        {"mt_per_year": unmet_x / u_frac, "demand_mt_per_year": dem_rows.upper / u_frac},
        index=pd.Index(ub.labels["node"].to_numpy(), name="node"),
    )
    dated_cols(unmet, ub.labels, unmet_x)
    unmet = unmet[unmet["mt_per_year"] > TOL].copy()
    if n_t == 1:
        unmet["reason"] = (
            explain_unmet(model, unmet, link_flows, qrows, supply, prices, dual) if len(unmet) else []
        )
    else:
        unmet["reason"] = (
            explain_by_period(model, unmet, link_flows, qrows, supply.reset_index(level=1), stocks, dual)
            if len(unmet)
            else []
        )
    shut = shut.assign(mt_per_year=shut["mt_per_year"].to_numpy(float) / frac(shb.labels))
    dated_cols(shut, shb.labels, x[shb.slice])
    keep_cols = ["period", "mt_per_year", "mt"] if dated else ["mt_per_year"]
    shut_in = shut[shut["mt_per_year"] > TOL].set_index(["node", "grade"])[keep_cols]
    if n_t == 1:
        shut_in["reason"] = explain_shut_in(model, shut_in, link_flows) if len(shut_in) else []
    else:
        shut_in["reason"] = (
            explain_by_period(model, shut_in, link_flows, qrows, supply, stocks, dual, shut_in=True)
            if len(shut_in)
            else []
        )

    # per-refinery costs, market sales, concentration, contracts
    if n_t == 1:
        costs = _refinery_costs(net, deliveries, unmet)
        # the demand row's dual: what one more Mt/yr of runs at the refinery would cost (USD/t)
        costs["marginal_cost_usd_per_t"] = dual[lp.cons["demand"].slice]
    else:
        horizon = deliveries.assign(mt_per_year=deliveries["mt"])
        costs = _refinery_costs(
            net.replace(
                demands=net.demands.assign(
                    demand_mt_per_year=np.bincount(
                        net.demands.index.get_indexer(ub.labels["node"]),
                        weights=dem_rows.upper,
                        minlength=len(net.demands),
                    )
                )
            ),
            horizon,
            unmet.assign(mt_per_year=unmet["mt"]).groupby(level="node")[["mt_per_year"]].sum(),
        )
        costs.columns = [c.replace("_mt_per_year", "_mt") for c in costs.columns]
        years = float(axis.frac.sum())
        for col in ("demand", "delivered", "unmet"):  # horizon averages beside the totals
            costs.insert(
                costs.columns.get_loc(f"{col}_mt") + 1, f"{col}_mt_per_year", costs[f"{col}_mt"] / years
            )
        # the mean of the demand rows' duals over the periods, weighted by days
        md = pd.Series(dual[dem_rows.slice] * axis.days[dem_rows.labels["period"].to_numpy(np.int64)])
        costs["marginal_cost_usd_per_t"] = (
            (md.groupby(dem_rows.labels["node"].to_numpy()).sum() / axis.days.sum())
            .reindex(costs.index)
            .to_numpy(float)
        )
    m_vol = x[mb.slice]
    sale = sale.assign(mt_per_year=m_vol / frac(mb.labels))
    dated_cols(sale, mb.labels, m_vol)
    s_on_m = sale["mt_per_year"].to_numpy() > TOL
    sale_cols = ["node", "grade", "mt_per_year", "price_usd_per_t", *(["period", "mt"] if dated else [])]
    sales = sale.loc[s_on_m, sale_cols].reset_index(drop=True)
    m_tag = None if split is None else split.sale_tagged[s_on_m]
    m_avg = sink_averages(avg, sg.size, sg.rows["sale"][s_on_m], m_vol[s_on_m], m_tag).sum(axis=1)
    sales["delivered_cost_usd_per_t"] = m_avg
    sales["revenue_usd"] = mt_to_t(
        sales["mt" if dated else "mt_per_year"].to_numpy(float) * sales["price_usd_per_t"].to_numpy(float)
    )
    horizon_runs = deliveries if n_t == 1 else deliveries.assign(mt_per_year=deliveries["mt"])
    horizon_paths = (
        path_frame if n_t == 1 or not want_paths else path_frame.assign(mt_per_year=path_frame["mt"])
    )
    conc = concentration(net, horizon_paths, horizon_runs, with_transit=bool(want_paths))
    contracts = _contracts(model, x, res)
    parts = objective_parts(model, x)
    econ = economic_cost_parts(model, x)
    return Plan(
        status=res.status, objective_usd=mt_to_t(res.objective), scenario=scenario, flows=flows,
        link_flows=link_flows, deliveries=deliveries, costs=costs, prices=prices,
        bottlenecks=bottlenecks, unmet=unmet, shut_in=shut_in, sales=sales, supply=supply,
        paths=path_frame, concentration=conc, contracts=contracts, solve_seconds=res.seconds,
        iterations=res.iterations, objective_parts_usd=parts, economic_cost_parts_usd=econ,
        duties=duties,
        grade_bbl_per_t={str(k): float(v) for k, v in net.grades["bbl_per_t"].items()},
        reference_bbl_per_t=float(net.meta.reference_bbl_per_t),
        periods=axis.calendar, stocks=stocks, warnings=(*net.warnings, *counter_warnings),
        commitments=commitments(model, x, dual),
        price_cap=price_cap_table(model, x),
    )  # fmt: skip


PATH_COLUMNS = [
    "source", "grade", "sink", "sink_kind", "grade_out", "mt_per_year", "nodes", "price_usd_per_t",
    "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t", "cost_usd_per_t", "origin", "links",
    "transit",
]  # fmt: skip


def objective_parts(model: Model, x: npt.NDArray[np.float64]) -> dict[str, float]:
    """The objective split into what it is made of (USD/yr); the values sum to the objective.

    Supply is every tonne produced at its price (shut-in output included), market revenue
    enters negative.
    """
    lp = model.lp

    def total(block: str, per_t: npt.NDArray[np.float64] | None = None) -> float:
        b = lp.vars[block]
        c = b.cost if per_t is None else per_t
        return mt_to_t(float((x[b.slice] * c).sum()))

    parts = {
        "supply_usd": total("supply"),
        "transport_usd": total("flow", model.flow_tariff),
        "duties_usd": total("flow", model.flow_duty)
        + (total("duty_paid") if "duty_paid" in lp.vars else 0.0),
        "fees_usd": total("flow", model.flow_fee),
        "shortage_penalty_usd": total("unmet"),
        "shut_in_penalty_usd": total("shut_in"),
        "contract_penalty_usd": total("contract_shortfall"),
        "commitment_penalty_usd": total("commit_shortfall"),
        "ship_or_pay_usd": commitment_cost_usd(model, x),
        "market_revenue_usd": total("sale"),
    }
    if "price_cap_shadow" in lp.vars:  # the freight premium of the tankers outside the G7 services
        parts["tanker_premium_usd"] = total("price_cap_shadow")
    if FRICTION_BLOCK in lp.vars:  # a calibrated plan: its frictions, a cost of their own
        parts["friction_usd"] = total(FRICTION_BLOCK)
    return parts


def economic_cost_vector(model: Model) -> npt.NDArray[np.float64]:
    """Per LP column, its economic cost (USD/t): the objective without penalties.

    Supply at its price, flows at tariff + duty + fee, sales at minus their price, and
    shut-in output at minus its price (it is produced in the LP but never bought);
    shortage, shut-in and contract penalties are zero. ``vector @ x`` is USD/yr ÷ 10⁶.
    """
    lp = model.lp
    c = np.zeros(lp.n_cols)
    extra = tuple(b for b in ("duty_paid", "price_cap_shadow") if b in lp.vars)
    for name in ("supply", "flow", "sale", "paid", "prepaid", *extra):  # ship-or-pay: fee paid, tariff not
        b = lp.vars[name]
        c[b.slice] = b.cost
    sb, shb = lp.vars["supply"], lp.vars["shut_in"]
    fixed = np.flatnonzero(sb.lower > 0)
    c[shb.slice] = -np.asarray(sb.cost, float)[fixed]
    return c


def economic_cost_parts(model: Model, x: npt.NDArray[np.float64]) -> dict[str, float]:
    """The economic cost split into its parts (USD/yr); see ``Plan.economic_cost_parts_usd``."""
    lp = model.lp
    sb, shb, fb, mb = lp.vars["supply"], lp.vars["shut_in"], lp.vars["flow"], lp.vars["sale"]
    fixed = np.flatnonzero(sb.lower > 0)
    placed = x[sb.slice].copy()
    placed[fixed] -= x[shb.slice]
    fx = x[fb.slice]
    out = {
        "crude_purchases_usd": mt_to_t(float((placed * sb.cost).sum())),
        "transport_usd": mt_to_t(float((fx * model.flow_tariff).sum())),
        "duties_usd": mt_to_t(float((fx * model.flow_duty).sum()) + _paid(lp, x)),
        "fees_usd": mt_to_t(float((fx * model.flow_fee).sum())),
        "market_revenue_usd": mt_to_t(float((x[mb.slice] * mb.cost).sum())),
        **({"ship_or_pay_usd": commitment_cost_usd(model, x)} if lp.vars["prepaid"].size else {}),
    }
    if "price_cap_shadow" in lp.vars:  # freight premium on the pool of other tankers
        b = lp.vars["price_cap_shadow"]
        out["tanker_premium_usd"] = mt_to_t(float((x[b.slice] * b.cost).sum()))
    return out


def _transit(net: Any, paths: pd.DataFrame, reverse: npt.NDArray[np.bool_]) -> list[tuple[str, ...]]:
    """Countries a path crosses other than its origin and its final country, in order.

    A leg contributes its ``countries`` list (reversed when the path runs a bidirectional
    link backwards) and its end node's country. Dict lookups only: linear in path length.
    """
    node_c: dict[str, str] = dict(zip(net.nodes.index, net.nodes["country"], strict=True))
    link_c: dict[str, tuple[str, ...]] = dict(zip(net.links.index, net.links["countries"], strict=True))
    out: list[tuple[str, ...]] = []
    cols = (paths[c].tolist() for c in ("nodes", "links", "vars", "origin"))
    for nodes, links, vars_, origin in zip(*cols, strict=True):
        seq: list[str] = [node_c[nodes[0]]]
        for n, lk, v in zip(nodes[1:], links, vars_, strict=True):
            lc = link_c[lk]
            for c in (*(lc[::-1] if reverse[v] else lc), node_c[n]):
                if c not in seq:
                    seq.append(c)
        end = node_c[nodes[-1]]
        out.append(tuple(c for c in seq if c not in (origin, end)))
    return out


def concentration(
    net: Any, paths: pd.DataFrame, deliveries: pd.DataFrame | None = None, *, with_transit: bool = True
) -> pd.DataFrame:
    """Per importing country, by origin and by transit: shares of its intake and their HHI.

    ``share_of_intake_pct`` (country → %): by ``origin``, the share of the country's crude
    runs by origin of the grade run (from ``deliveries`` when given, else from refinery
    paths); they sum to 100. By ``transit``, the share of its intake that crosses each
    transit country (``direct`` = crosses none); a cargo crossing two countries counts in
    both, so these **may sum above 100 %**; they need paths. ``top`` and
    ``top_share_of_intake_pct`` name the largest. ``hhi`` (0–10,000) is the
    Herfindahl-Hirschman index of the shares normalised to sum to one.
    """
    cols = ["importer", "by", "hhi", "top", "top_share_of_intake_pct", "share_of_intake_pct"]
    ref = paths[paths["sink_kind"] == "refinery"] if len(paths) else paths
    if deliveries is not None:
        runs = deliveries[["refinery", "origin", "mt_per_year"]]
    else:
        runs = ref.rename(columns={"sink": "refinery"})[["refinery", "origin", "mt_per_year"]]
    if len(runs) == 0:
        return pd.DataFrame(columns=cols)
    country = net.nodes["country"]
    runs = runs.assign(importer=country.reindex(runs["refinery"]).to_numpy())
    tables: list[tuple[str, pd.Series]] = [
        ("origin", runs.groupby(["importer", "origin"])["mt_per_year"].sum())
    ]
    if with_transit and len(ref):
        tr = list(ref["transit"])
        lens = np.fromiter((max(len(t), 1) for t in tr), np.int64, len(tr))
        flat = [c for t in tr for c in (t or ("direct",))]
        ex = pd.DataFrame({
            "importer": np.repeat(country.reindex(ref["sink"]).to_numpy(), lens), "t": flat,
            "mt_per_year": np.repeat(ref["mt_per_year"].to_numpy(float), lens),
        })  # fmt: skip
        tables.append(("transit", ex.groupby(["importer", "t"])["mt_per_year"].sum()))
    totals = runs.groupby("importer")["mt_per_year"].sum()
    rows = []
    for by, vol in tables:
        imp = vol.index.get_level_values(0)
        share = vol / totals.reindex(imp).to_numpy()
        hhi = hhi_by_group(share)
        ordered = share.sort_values(ascending=False, kind="stable")
        first = ordered[~ordered.index.get_level_values(0).duplicated()]
        shares: dict[str, dict[str, float]] = {}
        for (i, k), v in zip(ordered.index.tolist(), ordered.tolist(), strict=True):
            shares.setdefault(str(i), {})[str(k)] = round(float(v) * 100, 2)
        for (i, k), v in zip(first.index.tolist(), first.tolist(), strict=True):
            rows.append({
                "importer": i, "by": by, "hhi": float(hhi[i]), "top": str(k),
                "top_share_of_intake_pct": float(v * 100), "share_of_intake_pct": shares[str(i)],
            })  # fmt: skip
    return pd.DataFrame(rows, columns=cols).sort_values(["importer", "by"], ignore_index=True)


def _refinery_costs(net: Any, deliveries: pd.DataFrame, unmet: pd.DataFrame) -> pd.DataFrame:
    """Per refinery: volumes (Mt/yr), delivered cost and its parts (USD/t), total (USD/yr).

    Costs are volume-weighted over the refinery's deliveries (NaN when it gets none).
    """
    dem = net.demands
    parts = [*COST_PARTS, "delivered_cost_usd_per_t"]
    pos = dem.index.get_indexer(deliveries["refinery"])
    n = len(dem)
    vol = deliveries["mt_per_year"].to_numpy(float)
    got = np.bincount(pos, weights=vol, minlength=n)
    out = pd.DataFrame(index=pd.Index(dem.index, name="refinery"))
    out["country"] = net.nodes["country"].reindex(dem.index).to_numpy()
    out["demand_mt_per_year"] = dem["demand_mt_per_year"].to_numpy(float)
    out["delivered_mt_per_year"] = got
    out["unmet_mt_per_year"] = unmet["mt_per_year"].reindex(dem.index).fillna(0.0).to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        for p in parts:
            w = np.bincount(pos, weights=vol * deliveries[p].to_numpy(float), minlength=n)
            out[p] = np.where(got > 0, w / np.where(got > 0, got, 1.0), np.nan)
    cost = vol * deliveries["delivered_cost_usd_per_t"].to_numpy(float)
    out["total_cost_usd"] = mt_to_t(np.bincount(pos, weights=cost, minlength=n).astype(np.float64))
    return out


CONTRACT_COLUMNS = [
    "contract", "seller", "buyer", "min_mt_per_year", "max_mt_per_year", "delivered_mt_per_year",
    "shortfall_mt_per_year", "hard", "exact",
]  # fmt: skip


DUTY_COLUMNS: tuple[str, ...] = (
    "policy", "origin", "importers", "intake_mt_per_year", "duty_free_mt_per_year", "quota_mt_per_year",
    "dutiable_mt_per_year", "rate_usd_per_t", "duty_usd", "quota_binding", "quota_value_usd_per_t",
)  # fmt: skip


def _paid(lp: Any, x: npt.NDArray[np.float64]) -> float:
    """Duty paid on importers' intake (USD/yr ÷ 10⁶)."""
    if "duty_paid" not in lp.vars:
        return 0.0
    b = lp.vars["duty_paid"]
    return float((x[b.slice] * b.cost).sum())


def _duties(model: Model, x: npt.NDArray[np.float64], dual: npt.NDArray[np.float64]) -> pd.DataFrame:
    """Per export duty on importers' intake: duty-free and dutiable volumes and duty paid."""
    lp = model.lp
    if "duty_paid" not in lp.vars or lp.vars["duty_paid"].size == 0:
        return pd.DataFrame(columns=DUTY_COLUMNS)
    free_b, paid_b = lp.vars["duty_free"], lp.vars["duty_paid"]
    lab = paid_b.labels
    k = int((lab["period"] == 0).sum()) if "period" in lab.columns else paid_b.size
    years = float(model.axis.frac.sum())
    free = x[free_b.slice].reshape(-1, k).sum(axis=0)
    paid = x[paid_b.slice].reshape(-1, k).sum(axis=0)
    duty = (x[paid_b.slice] * paid_b.cost).reshape(-1, k).sum(axis=0)
    quota = lab["duty_free_mt_per_year"].to_numpy(float)[:k]
    q_rows = lp.cons["export_duty_quota"]
    out = lab.iloc[:k][["policy", "origin", "importers"]].reset_index(drop=True)
    out["intake_mt_per_year"] = (free + paid) / years
    out["duty_free_mt_per_year"] = free / years
    out["quota_mt_per_year"] = quota
    out["dutiable_mt_per_year"] = paid / years
    out["rate_usd_per_t"] = np.where(
        paid > TOL, duty / np.maximum(paid, TOL), paid_b.cost.reshape(-1, k).mean(axis=0)
    )
    out["duty_usd"] = mt_to_t(duty)
    out["quota_binding"] = (quota > 0) & (free / years >= quota - 1e-6)
    out["quota_value_usd_per_t"] = -dual[q_rows.slice] if q_rows.size == k else np.nan
    return out[list(DUTY_COLUMNS)]


def _with_intake_duty(net: Any, deliveries: pd.DataFrame, duties: pd.DataFrame) -> pd.DataFrame:
    """Deliveries with each intake duty's mean per tonne added to the runs it charges.

    A duty on importers' intake is paid on the volume beyond the quota; every tonne of the
    origin's crude run there carries its mean share (duty ÷ intake) in ``duties_usd_per_t``.
    """
    if len(duties) == 0 or len(deliveries) == 0:
        return deliveries
    out = deliveries.copy()
    country = net.nodes["country"].reindex(out["refinery"]).to_numpy(dtype=object)
    origin = out["origin"].to_numpy(dtype=object)
    for _, d in duties.iterrows():
        tonnes = float(d["intake_mt_per_year"]) * 1e6
        if tonnes <= 0:
            continue
        years = float(net.periods["year_fraction"].sum()) if len(net.periods) else 1.0
        per_t = float(d["duty_usd"]) / (tonnes * years)
        hit = np.isin(country, list(net.expand_countries(str(d["importers"]).split(";")))) & (
            origin == d["origin"]
        )
        out.loc[hit, "duties_usd_per_t"] += per_t
        out.loc[hit, "delivered_cost_usd_per_t"] += per_t
    return out


def _contracts(model: Model, x: npt.NDArray[np.float64], res: SolveResult) -> pd.DataFrame:
    """Per contract: bounds, delivered and short volumes (Mt/yr), hard or take-or-pay.

    ``exact`` is False when the seller is a supply node whose grades are also supplied
    elsewhere: runs are counted by grade, so the delivered volume may include the same
    grade from other fields.
    """
    lp, net = model.lp, model.network
    rows = lp.cons["contract"]
    if rows.size == 0:
        return pd.DataFrame(columns=CONTRACT_COLUMNS)
    sf = lp.vars["contract_shortfall"]
    out = rows.labels.copy()
    short = x[sf.slice]
    out["delivered_mt_per_year"] = res.row_activity[rows.slice] - short
    out["shortfall_mt_per_year"] = short
    out["hard"] = sf.labels["hard"].to_numpy()
    sup = net.supplies.reset_index()[["node", "grade"]]
    exact = []
    for seller in out["seller"].tolist():
        own = sup["node"] == seller
        exact.append(not own.any() or not sup.loc[~own, "grade"].isin(sup.loc[own, "grade"]).any())
    out["exact"] = exact
    return out[CONTRACT_COLUMNS]


def _counterflow_warnings(
    flows: pd.DataFrame,
    flow_labels: pd.DataFrame,
    link_flows: pd.DataFrame,
    fwd: npt.NDArray[np.float64],
    rev: npt.NDArray[np.float64],
    dated: bool,
    n_links: int,
) -> list[Problem]:
    """One warning per (period, link) carrying flow both ways: netted as a displacement.

    Only the few counter-flow links are visited (rare: the LP is indifferent between a
    swap and the physical net flow only when costs tie), so the loop is not on a hot path.
    """
    both = np.flatnonzero((fwd > TOL) & (rev > TOL))
    out: list[Problem] = []
    if not len(both):
        return out
    rev_flag = flow_labels["reverse"].to_numpy(bool)
    f_period = (
        flow_labels["period"].to_numpy(np.int64) if "period" in flow_labels else np.zeros(len(flows), int)
    )
    for pos in both:
        lid = str(link_flows.index[pos])
        row = link_flows.iloc[pos]
        period = str(row["period"]) if dated else ""
        t = int(pos // n_links)
        here = (flows["link"].to_numpy() == lid) & (f_period == t)

        def side(mask: npt.NDArray[np.bool_], src: str, dst: str) -> str:
            g = flows.loc[mask].groupby("grade")["mt_per_year"].sum().sort_values(ascending=False)
            grades = " + ".join(f"{v:.2f} Mt/yr {k}" for k, v in g.items())
            return f"{grades} {src}->{dst}"

        a = side(here & ~rev_flag, str(row["from"]), str(row["to"]))
        b = side(here & rev_flag, str(row["to"]), str(row["from"]))
        net_dir = (
            f"{row['from']}->{row['to']}"
            if row["net_direction"] == "forward"
            else f"{row['to']}->{row['from']}"
        )
        out.append(
            Problem(
                "plan",
                None,
                f"link {lid}" + (f" ({period})" if period else ""),
                "one physical direction per period",
                f"counter-flow netted as a displacement: {b} against {a}; "
                f"physical net flow {row['net_mt_per_year']:.2f} Mt/yr {net_dir}",
                severity="warning",
            )
        )
    return out


def horizon_rate(plan: Plan, frame: pd.DataFrame, v: str) -> pd.Series:
    """Per index id, the rate ``v`` averaged over the plan's horizon (weighted by period length).

    A plan without periods has one row per id and is returned as is; a plan over periods
    has one row per id and period, so two plans of different horizons compare as rates.
    """
    if "period" not in frame.columns or len(plan.periods) == 0:
        return frame[v]
    frac = plan.periods.set_index("label")["year_fraction"]
    w = frac.reindex(frame["period"].astype(str)).to_numpy(float)
    num = pd.Series(frame[v].to_numpy(float) * w, index=frame.index)
    return num.groupby(level=0).sum() / float(frac.sum())
