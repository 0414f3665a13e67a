"""Every unit conversion in crudeflow, and nowhere else.

Mass flows are in million tonnes per year (Mt/yr); volumes in thousand barrels per
day (kb/d); money in US dollars. A grade's ``bbl_per_t`` (barrels per tonne, about
7.3 for Urals and 7.9 for light sweet crude) links mass and volume.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

DAYS_PER_YEAR = 365.0
"""Days in a model year (flows are annual averages)."""

M3_PER_BBL = 0.158987294928
"""Cubic metres in one US oil barrel."""

API_REFERENCE = 141.5
API_OFFSET = 131.5
WATER_DENSITY_KG_PER_M3_60F = 999.016
"""Water density at 60 °F, the reference of API gravity."""

T = TypeVar("T", float, npt.NDArray[np.float64])


def mt_per_year_to_kb_per_day(mt_per_year: T, bbl_per_t: T | float) -> T:
    """Convert Mt/yr to kb/d with a grade's barrels per tonne."""
    return mt_per_year * 1e6 * bbl_per_t / DAYS_PER_YEAR / 1e3  # type: ignore[return-value]


def kb_per_day_to_mt_per_year(kb_per_day: T, bbl_per_t: T | float) -> T:
    """Convert kb/d to Mt/yr with a grade's barrels per tonne."""
    return kb_per_day * 1e3 * DAYS_PER_YEAR / bbl_per_t / 1e6  # type: ignore[return-value]


def mt_to_million_bbl(mt: T, bbl_per_t: T | float) -> T:
    """Convert Mt (or Mt/yr) to million barrels (a year) with a grade's barrels per tonne."""
    return mt * bbl_per_t  # type: ignore[return-value]


def usd_per_t_to_usd_per_bbl(usd_per_t: T, bbl_per_t: T | float) -> T:
    """Convert a price or cost in USD/t to USD/bbl."""
    return usd_per_t / bbl_per_t  # type: ignore[return-value]


def usd_per_bbl_to_usd_per_t(usd_per_bbl: T, bbl_per_t: T | float) -> T:
    """Convert a price or cost in USD/bbl to USD/t."""
    return usd_per_bbl * bbl_per_t  # type: ignore[return-value]


def api_to_density_kg_per_m3(api_gravity: T) -> T:
    """Density at 15 °C (kg/m³) from API gravity, by the API definition."""
    sg = API_REFERENCE / (api_gravity + API_OFFSET)
    return sg * WATER_DENSITY_KG_PER_M3_60F  # type: ignore[return-value]


def density_to_bbl_per_t(density_kg_per_m3: T) -> T:
    """Barrels per tonne from density: 1000 / (ρ × 0.158987)."""
    return 1000.0 / (density_kg_per_m3 * M3_PER_BBL)  # type: ignore[return-value]


def api_to_bbl_per_t(api_gravity: T) -> T:
    """Barrels per tonne from API gravity (through the density)."""
    return density_to_bbl_per_t(api_to_density_kg_per_m3(api_gravity))


def kb_per_day_to_bbl_per_year(kb_per_day: T) -> T:
    """Thousand barrels per day to barrels per year."""
    return kb_per_day * 1e3 * DAYS_PER_YEAR  # type: ignore[return-value]


UNITS = ("mt", "kbd")
"""Display units: ``mt`` = Mt/yr and USD/t (the model's own); ``kbd`` = kb/d and USD/bbl."""

UNIT_WORDS = {"mt": "Mt/yr, USD/t", "kbd": "kb/d, USD/bbl"}
"""How each choice of units is named in table headers."""


def check_units(units: str) -> str:
    """``units`` lower-cased if it is one of ``UNITS``, else ``ValueError`` naming the choices."""
    u = str(units).lower()
    if u not in UNITS:
        msg = f"units must be one of {', '.join(UNITS)}, not {units!r}"
        raise ValueError(msg)
    return u


def convert_frame(frame: pd.DataFrame, bbl_per_t: npt.ArrayLike) -> pd.DataFrame:
    """A copy with every ``*mt_per_year*`` column in kb/d and every ``*usd_per_t*`` in USD/bbl.

    ``bbl_per_t`` is one value per row (the row's grade, or for a total the volume-weighted
    bbl/t of the grades in it, so a converted total is the sum of its converted grades).
    Column names change to match (``mt_per_year`` -> ``kb_per_day``, ``usd_per_t`` ->
    ``usd_per_bbl``); other columns are left alone.
    """
    b = np.broadcast_to(np.asarray(bbl_per_t, dtype=float), (len(frame),))
    out = frame.copy()
    names = {}
    for col in frame.columns:
        c = str(col)
        if "mt_per_year" in c:
            out[col] = mt_per_year_to_kb_per_day(frame[col].to_numpy(float), b)
            names[col] = c.replace("mt_per_year", "kb_per_day")
        elif "usd_per_t" in c:
            out[col] = usd_per_t_to_usd_per_bbl(frame[col].to_numpy(float), b)
            names[col] = c.replace("usd_per_t", "usd_per_bbl")
    return out.rename(columns=names)


def usd_per_100tkm_to_usd_per_t(rate_usd_per_100tkm: T, distance_km: T | float) -> T:
    """A pipeline tariff quoted per 100 tonne-km applied to a length, in USD/t."""
    return rate_usd_per_100tkm * distance_km / 100.0  # type: ignore[return-value]


def mt_to_t(mt: T) -> T:
    """Million tonnes to tonnes."""
    return mt * 1e6  # type: ignore[return-value]


def usd_to_musd(usd: T) -> T:
    """US dollars to million US dollars."""
    return usd / 1e6  # type: ignore[return-value]


_DECIMALS_BY_UNIT: tuple[tuple[str, int], ...] = (
    ("usd_per_t", 2),
    ("usd_per_bbl", 2),
    ("mt_per_year", 4),
    ("kb_per_day", 2),
    ("_pct", 2),
    ("hhi", 1),
    ("utilisation", 4),
    ("seconds", 3),
    ("_km", 1),
)
"""Decimals shown for a field by the unit its name ends in or contains (first match wins)."""


def decimals_for(field: str) -> int | None:
    """Decimals a value of this field is rounded to in JSON: Mt/yr 4, USD/t 2, USD 0.

    ``None`` for a field with no known unit (rounded to 6 significant digits instead).
    """
    name = field.lower()
    for unit, dec in _DECIMALS_BY_UNIT:
        if unit in name:
            return dec
    if name.endswith("musd"):
        return 3
    if name.endswith("usd"):
        return 0
    return None


def round_for_unit(field: str, value: float) -> float:
    """A float rounded to the precision of its unit (no ``0.19999999999999907`` in output)."""
    dec = decimals_for(field)
    if dec is None:
        return float(f"{value:.6g}")
    out = round(float(value), dec)
    return 0.0 if out == 0 else out


def round_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every float column rounded by the unit in its name (``round_for_unit``).

    For CSV output, so files read ``21.93`` as the JSON does, not ``21.929999999999996``.
    """
    out = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col].dtype):
            dec = decimals_for(str(col))
            values = frame[col].to_numpy(float)
            if dec is not None:
                out[col] = np.round(values, dec) + 0.0  # + 0.0: no "-0.0"
            else:
                out[col] = [v if not np.isfinite(v) else float(f"{v:.6g}") for v in values]
    return out


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in km (haversine, mean Earth radius 6371.0088 km)."""
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=float)) for v in (lat1, lon1, lat2, lon2))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=float)


DAYS_PER_MONTH = 365.25 / 12
"""Days of an average month: a monthly holding cost is charged per this many days held."""


def days_to_months(days: T) -> T:
    """Days as average months (for holding costs quoted per month)."""
    return days / DAYS_PER_MONTH


def stock_days_to_mt(days: T, mt_per_year: T | float) -> T:
    """A stock of ``days`` of a yearly volume, in Mt (days of net imports → tonnes held)."""
    return days * mt_per_year / DAYS_PER_YEAR


CAPACITY_AGREEMENT_REL = 0.01
"""A Mt/yr and a kb/d capacity on one row agree within 1 % of the Mt/yr figure ..."""
CAPACITY_AGREEMENT_ABS_MT = 0.05
"""... plus 0.05 Mt/yr (half of a capacity rounded to 0.1): rounding, not a second figure."""


def capacity_from_columns(
    mt_per_year: npt.ArrayLike, kb_per_day: npt.ArrayLike, reference_bbl_per_t: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Each row's capacity in Mt/yr from either column, and the rows where the two disagree.

    An empty (NaN) Mt/yr cell takes the kb/d figure converted at ``reference_bbl_per_t``
    (the dataset's reference barrels per tonne); a row with both keeps its Mt/yr figure and
    is flagged when they differ by more than rounding (``CAPACITY_AGREEMENT_*``).
    """
    mt = np.asarray(mt_per_year, dtype=float)
    converted = kb_per_day_to_mt_per_year(np.asarray(kb_per_day, dtype=float), reference_bbl_per_t)
    both = ~np.isnan(mt) & ~np.isnan(converted)
    with np.errstate(invalid="ignore"):
        far = np.abs(mt - converted) > CAPACITY_AGREEMENT_REL * np.abs(mt) + CAPACITY_AGREEMENT_ABS_MT
    return np.where(np.isnan(mt), converted, mt), both & far


def capacity_agreement(mt_per_year: float, reference_bbl_per_t: float) -> str:
    """What a kb/d capacity beside a Mt/yr one must be (the same figure, rounded), in words."""
    kbd = mt_per_year_to_kb_per_day(mt_per_year, reference_bbl_per_t)
    return (
        f"the capacity_mt_per_year figure {mt_per_year:g} in kb/d, {kbd:,.0f} at the reference "
        f"{reference_bbl_per_t:g} bbl/t (within rounding), or one of the two left empty"
    )
