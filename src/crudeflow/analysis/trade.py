"""Bilateral trade: reported figures, planned crude flows, and the volume that balances trade.

The reported figures come from the dataset's ``trade`` table with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crudeflow._types import TOL_ZERO as TOL
from crudeflow._types import JSONDict
from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan
from crudeflow.results.solve import solve_plan
from crudeflow.results.tables import JSONResult, raw_value, records


@dataclass(frozen=True)
class TradeBalance(JSONResult):
    """A–B trade from A's side. Values million USD, volumes Mt/yr, prices USD/t.

    ``imbalance_musd`` = A's exports to B − A's imports from B in ``year`` (the latest year
    with both, from A's report or mirrored from B's). The country that would sell crude to
    close it is ``seller`` (B when A exports more, else A); ``balancing_mt_per_year`` is that
    crude volume (never negative; NaN when the seller has no crude in the network) valued at
    the seller's export value ``price_usd_per_t`` (its supply price at origin, ``price_basis``
    says how), not at a delivered cost that includes other countries' tariffs. The planned
    B → A crude is valued the same way (``planned_value_musd``; at its delivered cost in
    ``planned_delivered_value_musd``); ``planned_to_imbalance`` = planned value / |imbalance|.
    ``balancing_note`` says all this in words.
    """

    a: str
    b: str
    figures: pd.DataFrame
    year: int | None
    exports_musd: float
    imports_musd: float
    imbalance_musd: float
    basis: str
    planned_mt_per_year: float
    planned_value_musd: float
    price_usd_per_t: float
    price_basis: str
    balancing_mt_per_year: float
    seller: str = ""
    planned_delivered_value_musd: float = float("nan")
    planned_to_imbalance: float = float("nan")
    balancing_note: str = ""

    def to_dict(self) -> JSONDict:
        """``trade --json``: every field, ``figures`` as records; NaN as null."""
        out: JSONDict = {}
        for name in self.__dataclass_fields__:
            v = getattr(self, name)
            out[name] = records(v) if isinstance(v, pd.DataFrame) else raw_value(v)
        return out


def trade_figures(network: Network, a: str, b: str) -> pd.DataFrame:
    """Every reported A–B trade figure (either reporter), with its source title and URL."""
    t = network.trade
    if len(t) == 0:
        return pd.DataFrame(
            columns=["reporter", "partner", "year", "flow", "value_musd", "source", "title", "url"]
        )
    t = t.reset_index() if t.index.name or isinstance(t.index, pd.MultiIndex) else t
    pair = ((t["reporter"] == a) & (t["partner"] == b)) | ((t["reporter"] == b) & (t["partner"] == a))
    out = t[pair].copy()
    src = network.sources
    out["title"] = src["title"].reindex(out["source"]).to_numpy() if "title" in src else ""
    out["url"] = src["url"].reindex(out["source"]).to_numpy() if "url" in src else ""
    return out.sort_values(["year", "reporter", "flow"]).reset_index(drop=True)


def _exports_imports(fig: pd.DataFrame, a: str, b: str) -> tuple[int | None, float, float, str]:
    """A's exports to and imports from B in the latest year with both; basis says how."""

    def value(rep: str, flow: str, year: int) -> float:
        v = fig[(fig["reporter"] == rep) & (fig["flow"] == flow) & (fig["year"] == year)]["value_musd"]
        return float(v.iloc[0]) if len(v) else float("nan")

    for year in sorted(fig["year"].unique(), reverse=True):
        y = int(year)
        options = [
            (value(a, "exports", y), value(a, "imports", y), f"{a} reported"),
            (value(b, "imports", y), value(b, "exports", y), f"mirrored from {b}"),
        ]
        turnover = value(a, "turnover", y)
        ex, im = value(a, "exports", y), value(a, "imports", y)
        if np.isfinite(turnover) and np.isfinite(ex) != np.isfinite(im):
            ex2 = ex if np.isfinite(ex) else turnover - im
            im2 = im if np.isfinite(im) else turnover - ex
            options.append((ex2, im2, f"{a} reported, one side from turnover"))
        for ex, im, basis in options:
            if np.isfinite(ex) and np.isfinite(im):
                return y, ex, im, basis
    return None, float("nan"), float("nan"), "no year with both exports and imports"


def trade_balance(
    network: Network | str | Path,
    a: str,
    b: str,
    *,
    plan: Plan | None = None,
    benchmark_usd_per_t: float | None = None,
) -> TradeBalance:
    """Trade figures, planned crude flows from B to A and the crude that would balance A–B trade.

    The planned value is the deliveries at A's refineries of grades of origin B at B's
    supply price (and at their delivered cost). The balancing volume is crude of the country
    that would sell (B when A exports more, else A) to the other, valued at the seller's
    export value: its supply price at origin for the crude the buyer runs in the plan, else
    for all its output the plan places, else ``benchmark_usd_per_t`` when given, else the
    mean of its listed supply prices; a seller with no crude is said in ``balancing_note``.
    """
    from crudeflow.analysis.routes import network_countries

    network = as_network(network)
    a, b = str(a).strip().upper(), str(b).strip().upper()
    t = network.trade
    t = t.reset_index() if t.index.name or isinstance(t.index, pd.MultiIndex) else t
    known = network_countries(network) | (set(t["reporter"]) | set(t["partner"]) if len(t) else set())
    unknown = [c for c in (a, b) if c not in known]
    if unknown:
        msg = (
            f"unknown country {', '.join(repr(c) for c in unknown)}: expected a two-letter code of "
            f"this network or its trade table ({', '.join(sorted(map(str, known)))})"
        )
        raise CrudeflowError(msg)
    if a == b:
        msg = f"trade needs two different countries, not {a} twice"
        raise CrudeflowError(msg)
    if benchmark_usd_per_t is not None and not (np.isfinite(benchmark_usd_per_t) and benchmark_usd_per_t > 0):
        msg = f"benchmark price must be a positive number of USD/t, not {benchmark_usd_per_t}"
        raise CrudeflowError(msg)
    fig = trade_figures(network, a, b)
    year, ex, im, basis = _exports_imports(fig, a, b) if len(fig) else (None, np.nan, np.nan, "no figures")
    if year is None:
        found = f"{len(fig)} figure(s) but no year with both" if len(fig) else "no figures, so no year with"
        msg = (
            f"no {a}–{b} trade data: the dataset's trade table has {found} {a}'s exports to and "
            f"imports from {b} (reported by either side); add them to trade.csv"
        )
        raise CrudeflowError(msg)
    p = plan if plan is not None else solve_plan(network)
    dl = p.deliveries
    at_a = network.nodes["country"].reindex(dl["refinery"]).to_numpy() == a
    from_b = dl[at_a & (dl["origin"] == b).to_numpy()]
    mt = float(from_b["mt_per_year"].sum())
    delivered_value = float((from_b["mt_per_year"] * from_b["delivered_cost_usd_per_t"]).sum())
    value = float((from_b["mt_per_year"] * from_b["price_usd_per_t"]).sum())  # at B's supply price
    imbalance = ex - im
    seller, buyer = (b, a) if imbalance >= 0 else (a, b)
    sold = dl[
        (network.nodes["country"].reindex(dl["refinery"]).to_numpy() == buyer)
        & (dl["origin"] == seller).to_numpy()
    ]
    if float(sold["mt_per_year"].sum()) > TOL:  # the seller's crude the buyer runs in the plan
        price = float((sold["mt_per_year"] * sold["price_usd_per_t"]).sum() / sold["mt_per_year"].sum())
        price_basis = f"{seller}'s supply price at origin of the {seller} crude {buyer} runs in the plan"
    else:
        price, price_basis = _export_value(network, p.supply, seller, benchmark_usd_per_t)
    volume = abs(imbalance) / price if price > 0 else float("nan")
    ratio = value / abs(imbalance) if abs(imbalance) > TOL else float("nan")
    if abs(imbalance) <= TOL:
        note = f"{a}–{b} trade is balanced: no crude volume needed"
    elif not np.isfinite(volume):
        note = (
            f"{seller} would have to sell crude to {buyer} to close the {abs(imbalance):,.1f} MUSD "
            "imbalance, "
            f"but {seller} produces no crude in this network: no crude volume balances this trade"
        )
    else:
        side = f"{a} exports more to {b} than it imports" if imbalance > 0 else (
            f"{a} imports more from {b} than it exports, so the crude would flow {a} → {b}")  # fmt: skip
        note = (
            f"{volume:,.2f} Mt/yr of {seller} crude sold to {buyer} at {price:,.2f} USD/t ({price_basis}) "
            f"would close the {abs(imbalance):,.1f} MUSD imbalance ({side})"
        )
    return TradeBalance(
        a=a, b=b, figures=fig, year=year, exports_musd=ex, imports_musd=im, imbalance_musd=imbalance,
        basis=basis, planned_mt_per_year=mt, planned_value_musd=value, price_usd_per_t=price,
        price_basis=price_basis, balancing_mt_per_year=volume, seller=seller,
        planned_delivered_value_musd=delivered_value, planned_to_imbalance=ratio, balancing_note=note,
    )  # fmt: skip


def _export_value(
    network: Network, supply: pd.DataFrame, seller: str, benchmark: float | None
) -> tuple[float, str]:
    """The seller's export value of crude, USD/t, and how it was found (NaN: it has no crude).

    The supply price at origin (supplies.csv), volume-weighted over the seller's output the
    plan places (``supply``: the plan's supply table); a given ``benchmark`` when none is
    placed; else the plain mean of its supply prices. A seller with no grade and no supply
    in the network has no crude to sell.
    """
    origin = network.grades["origin_country"]
    sup = supply.reset_index() if supply.index.name or isinstance(supply.index, pd.MultiIndex) else supply
    own = sup[(origin.reindex(sup["grade"]).to_numpy() == seller)]
    placed = float(own["mt_per_year"].sum()) if len(own) else 0.0
    if placed > TOL:
        price = float((own["mt_per_year"] * own["price_usd_per_t"]).sum()) / placed
        return price, f"{seller}'s supply price at origin, volume-weighted over its output in the plan"
    if benchmark is not None:
        return float(benchmark), "benchmark (given)"
    listed = network.supplies[origin.reindex(network.supplies.index.get_level_values(1)).to_numpy() == seller]
    if len(listed):
        return float(
            listed["price_usd_per_t"].mean()
        ), f"{seller}'s mean supply price at origin (none placed)"
    return float("nan"), f"{seller} has no crude in the network"
