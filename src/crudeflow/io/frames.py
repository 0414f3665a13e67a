"""Networks from column arrays, skipping per-row validation (generated and converted instances).

``frames_network`` turns plain column arrays into a ``Network`` whose tables have exactly
the dtypes ``read_dataset`` produces (taken from a tiny validated template), so large
generated instances (``crudeflow.synthetic``) and converted files (``io.dimacs``) skip the
record-by-record validation written for hand-made datasets.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow.io.tiny import tiny_network
from crudeflow.model.network import TABLE_FIELDS, DatasetMeta, Network
from crudeflow.model.policies import _all_fields as fields_of_all
from crudeflow.schema import TABLES

SOURCE_ID = "synthetic"
"""The one source id every generated row cites."""

INDEX = {
    "sources": ["id"],
    "grades": ["grade"],
    "nodes": ["id"],
    "links": ["id"],
    "supplies": ["node", "grade"],
    "demands": ["node"],
    "markets": ["node"],
    "slates": ["node", "grade"],
    "contracts": ["id"],
    "policies": ["id"],
    "observed": ["id"],
    "storage": ["node"],
    "stock_obligations": ["country"],
    "frictions": ["id"],
}


@lru_cache(maxsize=1)
def _template() -> Network:
    """A tiny validated network with every table filled: the dtype reference."""
    return tiny_network(
        nodes=["a", {"id": "b", "kind": "refinery", "country": "DE"}, {"id": "m", "kind": "market"}],
        links=[
            {"id": "ab", "from": "a", "to": "b", "capacity_mt_per_year": 5},
            {"id": "am", "from": "a", "to": "m", "capacity_mt_per_year": 5},
        ],
        supplies=[{"node": "a", "grade": "g", "max_mt_per_year": 10, "price_usd_per_t": 1}],
        demands=[{"node": "b", "demand_mt_per_year": 3}],
        markets=[{"node": "m", "price_usd_per_t": 500, "max_mt_per_year": 100}],
        slates=[{"node": "b", "grade": "g", "max_share_pct": 100}],
        contracts=[{"id": "c1", "seller": "KZ", "buyer": "b", "min_mt_per_year": 1, "max_mt_per_year": 3}],
        policies=[
            {
                "id": "p",
                "kind": "share_cap",
                "importer": "DE",
                "by": "origin",
                "country": "KZ",
                "max_share_pct": 90,
            }
        ],
    )


def _tuples(n: int, values: list[tuple[str, ...]] | None = None) -> npt.NDArray[np.object_]:
    out = np.empty(n, dtype=object)
    out[:] = [()] * n if values is None else values
    return out


def _float_default(table: str, col: str) -> float:
    """A missing numeric column's value: its declared default, as an empty CSV cell reads.

    Policy fields keep their registry default (``duty_free_mt_per_year``: 0), table columns
    their schema default (``transit_days``: 0); NaN where none is declared.
    """
    if table == "policies":
        f = fields_of_all().get(col)
        return float("nan") if f is None else float(f.empty)
    spec = TABLES.get(table)
    column = next((c for c in spec.columns if c.name == col), None) if spec is not None else None
    default = None if column is None else column.default
    return (
        float(default) if isinstance(default, int | float) and not isinstance(default, bool) else float("nan")
    )


def _str_default(table: str, col: str) -> str:
    """A missing text column's value: a policy field's registry default (``benchmark``: Urals), else ''."""
    if table == "policies":
        f = fields_of_all().get(col)
        if f is not None and isinstance(f.empty, str):
            return f.empty
    return ""


def _frame(name: str, columns: dict[str, Any], n: int) -> pd.DataFrame:
    """One table shaped like the template's: missing columns take neutral defaults."""
    tmpl = getattr(_template(), name)
    flat = tmpl.reset_index()
    data: dict[str, Any] = {}
    for col in flat.columns:
        if col in columns:
            data[col] = columns[col]
        elif col in ("source",):
            data[col] = np.full(n, SOURCE_ID, dtype=object)
        elif flat[col].dtype == object:
            data[col] = _tuples(n)
        elif flat[col].dtype == bool:
            data[col] = np.zeros(n, bool)
        elif pd.api.types.is_float_dtype(flat[col].dtype):
            data[col] = np.full(n, _float_default(name, col))
        else:
            data[col] = np.full(n, _str_default(name, col), dtype=object)
    frame = pd.DataFrame(data, columns=list(flat.columns))
    frame = frame.astype(flat.dtypes.to_dict())
    return frame.set_index(INDEX[name]) if name in INDEX else frame


def frames_network(
    tables: dict[str, dict[str, Any]],
    *,
    name: str,
    groups: dict[str, tuple[str, ...]] | None = None,
    extra: dict[str, Any] | None = None,
) -> Network:
    """A Network from column arrays per table (ids included), dtypes as ``read_dataset`` gives.

    No validation: callers generate consistent data (see ``transport_network``).
    """
    frames: dict[str, pd.DataFrame] = {}
    unkeyed = ("trade", "periods", "prices", "duty_rates", "period_values")
    for tname in (t for t in TABLE_FIELDS if t not in unkeyed):
        cols = tables.get(tname, {})
        n = len(next(iter(cols.values()))) if cols else 0
        frames[tname] = _frame(tname, cols, n)
    frames["trade"] = _template().trade.copy()
    frames["prices"] = _template().prices.copy()
    frames["duty_rates"] = _template().duty_rates.copy()
    frames["period_values"] = _template().period_values.copy()
    meta = DatasetMeta(name=name, title=name, extra=dict(extra or {}))
    return Network(meta=meta, groups=dict(groups or {}), **frames)
