"""Prices by year: a network's grade, supply and market prices rebuilt from ``prices.csv``.

A dataset's prices are those of its base year: market outlets pay the benchmark (Brent) per
reference tonne, a grade's ``differential_usd_per_t`` is its value per tonne relative to the
reference tonne, and supply prices are values minus the transport to the outlet (netbacks).
:func:`reprice` moves a network to another year without rewriting any of that:

* the reference value changes by (benchmark of the year − benchmark of the base year) ×
  ``reference_bbl_per_t``: every market outlet's price moves by it (tariff-based netbacks
  such as an inland outlet keep their deduction);
* a grade's spread to Brent (USD/bbl) is re-read: a grade naming a ``benchmark`` keeps its
  base-year spread to that benchmark and takes the benchmark's spread to Brent of the year;
  a grade without one keeps its base-year spread to Brent;
* every supply price moves by the change of its grade's value per tonne (transport costs
  are USD/t and stay), so a netback stays a netback.

Repricing to the base year itself changes nothing when prices.csv's base-year rows agree
with grades.csv (a test checks the shipped dataset does).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from crudeflow._types import FArray
from crudeflow.exceptions import Problem
from crudeflow.model.network import Network
from crudeflow.units import usd_per_bbl_to_usd_per_t, usd_per_t_to_usd_per_bbl


def benchmark_price(prices: pd.DataFrame, benchmark: str, year: int) -> float | None:
    """The annual average of a benchmark in a year (USD/bbl), or None when prices.csv lacks it."""
    if len(prices) == 0:
        return None
    month = pd.to_numeric(prices["month"], errors="coerce").fillna(0).to_numpy()
    hit = (
        (prices["benchmark"].astype(str).to_numpy() == benchmark)
        & (pd.to_numeric(prices["year"]).to_numpy() == year)
        & (month == 0)
    )
    if not hit.any():
        return None
    return float(prices["price_usd_per_bbl"].to_numpy(float)[np.flatnonzero(hit)[0]])


def grade_benchmarks(net: Network) -> pd.Series:
    """Per grade: the benchmark its spread follows (the dataset benchmark when empty)."""
    ref = net.meta.benchmark
    if "benchmark" not in net.grades.columns:
        return pd.Series(ref, index=net.grades.index, dtype=object)
    col = net.grades["benchmark"].map(lambda v: v.strip() if isinstance(v, str) and v.strip() else ref)
    return col.astype(object)


def grade_spreads_usd_per_bbl(net: Network) -> FArray:
    """Per grade: its spread to the dataset benchmark in the base year (USD/bbl).

    From ``differential_usd_per_t = (B + d) × bbl_per_t − B × reference_bbl_per_t``.
    """
    b0 = benchmark_price(net.prices, net.meta.benchmark, net.meta.base_year)
    if b0 is None:
        return np.full(len(net.grades), np.nan)
    bbl = net.grades["bbl_per_t"].to_numpy(float)
    diff = net.grades["differential_usd_per_t"].to_numpy(float)
    ref_t = usd_per_bbl_to_usd_per_t(b0, net.meta.reference_bbl_per_t)
    return np.asarray(usd_per_t_to_usd_per_bbl(diff + ref_t, bbl) - b0, dtype=float)


def reprice(net: Network, year: int) -> tuple[Network, list[Problem]]:
    """The network at another year's prices (module docstring), and what prices.csv lacks.

    Returns the network unchanged with problems when a benchmark price is missing: one
    problem per (benchmark, year) needed and absent, naming prices.csv.
    """
    ref, base = net.meta.benchmark, net.meta.base_year
    bms = grade_benchmarks(net)
    need = sorted({(ref, base), (ref, year)} | {(b, y) for b in set(bms) - {ref} for y in (base, year)})
    missing = [(b, y) for b, y in need if benchmark_price(net.prices, b, y) is None]
    if missing:
        return net, [
            Problem(
                "prices.csv", None, "price_usd_per_bbl",
                f"an annual row (month empty) for benchmark '{b}' in {y} (prices_year: {year})",
                "no such row",
            )
            for b, y in missing
        ]  # fmt: skip
    price = {(b, y): float(benchmark_price(net.prices, b, y) or 0.0) for b, y in need}
    b0, b1 = price[(ref, base)], price[(ref, year)]
    ref_bbl = net.meta.reference_bbl_per_t
    spread0 = grade_spreads_usd_per_bbl(net)
    bm = bms.to_numpy(dtype=object)
    bm_spread0 = np.array([price[(b, base)] - b0 for b in bm], dtype=float)
    bm_spread1 = np.array([price[(b, year)] - b1 for b in bm], dtype=float)
    spread1 = spread0 - bm_spread0 + bm_spread1
    bbl = net.grades["bbl_per_t"].to_numpy(float)
    diff1 = usd_per_bbl_to_usd_per_t(b1 + spread1, bbl) - usd_per_bbl_to_usd_per_t(b1, ref_bbl)
    value0 = usd_per_bbl_to_usd_per_t(b0, ref_bbl) + net.grades["differential_usd_per_t"].to_numpy(float)
    value1 = usd_per_bbl_to_usd_per_t(b1, ref_bbl) + diff1
    delta = pd.Series(value1 - value0, index=net.grades.index)
    grades = net.grades.assign(differential_usd_per_t=diff1)
    sup = net.supplies
    grade_of = sup.index.get_level_values("grade")
    supplies = sup.assign(
        price_usd_per_t=sup["price_usd_per_t"].to_numpy(float) + delta.reindex(grade_of).to_numpy()
    )
    shift = usd_per_bbl_to_usd_per_t(b1 - b0, ref_bbl)
    markets = net.markets.assign(price_usd_per_t=net.markets["price_usd_per_t"].to_numpy(float) + shift)
    meta = replace(net.meta, base_year=int(year))
    return net.replace(grades=grades, supplies=supplies, markets=markets, meta=meta), []


def benchmark_by_period(
    prices: pd.DataFrame, benchmark: str, cal: pd.DataFrame, year: int
) -> tuple[FArray, list[tuple[int, int]]]:
    """Per period of ``cal``: a benchmark's day-weighted price (USD/bbl), and what is missing.

    Each day takes its month's row of prices.csv where there is one, else its year's
    (annual) row; an empty calendar (an annual plan) takes the annual row of ``year``.
    Returns NaN for a period with a day priced by neither, and the (year, month) pairs
    lacking (month 0: the annual row of ``year`` itself).
    """
    p = prices[prices["benchmark"].astype(str).to_numpy() == benchmark] if len(prices) else prices
    yr = pd.to_numeric(p["year"], errors="coerce").fillna(-1).to_numpy(np.int64)
    mo = pd.to_numeric(p["month"], errors="coerce").fillna(0).to_numpy(np.int64)
    price = p["price_usd_per_bbl"].to_numpy(float)
    table = pd.Series(price, index=pd.Index(yr * 100 + mo)).groupby(level=0).first()
    if len(cal) == 0:
        got = table.get(year * 100)
        return (np.array([np.nan]), [(year, 0)]) if got is None else (np.array([float(got)]), [])
    start = cal["start"].to_numpy().astype("datetime64[D]")
    days = cal["days"].to_numpy(np.int64)
    offs = np.arange(int(days.sum())) - np.repeat(np.cumsum(days) - days, days)
    day = np.repeat(start, days) + offs.astype("timedelta64[D]")
    y = day.astype("datetime64[Y]").astype(np.int64) + 1970
    m = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    monthly = table.reindex(y * 100 + m).to_numpy(float)
    annual = table.reindex(y * 100).to_numpy(float)
    daily = np.where(np.isnan(monthly), annual, monthly)
    per = np.repeat(np.arange(len(cal)), days)
    out = np.bincount(per, weights=np.nan_to_num(daily), minlength=len(cal)) / days
    gap = np.isnan(daily)
    out[np.bincount(per, weights=gap, minlength=len(cal)) > 0] = np.nan
    missing = sorted({(int(a), int(b)) for a, b in zip(y[gap], m[gap], strict=True)})
    return np.asarray(out, dtype=float), missing
