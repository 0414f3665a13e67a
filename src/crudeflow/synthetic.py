"""Synthetic transport-like networks for benchmarks and scaling tests, built without per-row parsing.

``transport_network`` places fields, ports, junctions, refineries and market outlets on a
map, joins them with pipelines (some bidirectional, some grade-restricted), tanker lanes
between ports and rail, and adds several grades, quality windows, slates, contracts and
share caps. ``frames_network`` turns plain column arrays into a ``Network`` whose tables
have exactly the dtypes ``read_dataset`` produces, so large generated instances skip the
record-by-record validation (which is written for hand-made datasets, not 10^5 links).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import minimum_spanning_tree
from scipy.spatial import cKDTree

from crudeflow.model.network import TABLE_FIELDS, DatasetMeta, Network
from crudeflow.units import great_circle_km

FArray = npt.NDArray[np.float64]
IArray = npt.NDArray[np.int64]

SOURCE_ID = "synthetic"
"""The one source id every generated row cites."""

COUNTRIES = (
    "AZ",
    "BY",
    "BG",
    "CZ",
    "DE",
    "FR",
    "GE",
    "GR",
    "HU",
    "IT",
    "KZ",
    "LT",
    "LV",
    "NL",
    "NO",
    "PL",
    "RO",
    "RS",
    "RU",
    "SK",
    "TM",
    "TR",
    "UA",
    "UZ",
    "AT",
    "HR",
    "FI",
    "SE",
)
"""Countries the generator assigns regions to (real ISO codes so validation holds)."""

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
}


@lru_cache(maxsize=1)
def _template() -> Network:
    """A tiny validated network with every table filled: the dtype reference."""
    from crudeflow.testing import tiny_network

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
            data[col] = np.full(n, np.nan)
        else:
            data[col] = np.full(n, "", dtype=object)
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
    for tname in (t for t in TABLE_FIELDS if t not in ("trade", "periods")):
        cols = tables.get(tname, {})
        n = len(next(iter(cols.values()))) if cols else 0
        frames[tname] = _frame(tname, cols, n)
    frames["trade"] = _template().trade.copy()
    meta = DatasetMeta(name=name, title=name, extra=dict(extra or {}))
    return Network(meta=meta, groups=dict(groups or {}), **frames)


def _ids(prefix: str, n: int) -> npt.NDArray[np.object_]:
    width = len(str(max(n - 1, 0)))
    return np.asarray([f"{prefix}{i:0{width}d}" for i in range(n)], dtype=object)


def _pick(rng: np.random.Generator, pool: IArray, k: int) -> IArray:
    return np.asarray(rng.choice(pool, size=min(k, len(pool)), replace=False), np.int64)


def transport_network(
    n_nodes: int = 2000,
    n_links: int = 10_000,
    *,
    n_grades: int = 4,
    seed: int = 0,
    side_constraints: bool = True,
    pure: bool = False,
) -> Network:
    """A random crude transport network of about ``n_nodes`` nodes and exactly ``n_links`` links.

    Links: a spanning tree of nearest-neighbour pipelines (both directions, high cost, so
    every demand is reachable) plus random short pipelines, rail and port-to-port tanker
    lanes; tariffs USD/t grow with distance (pipeline 0.02, rail 0.05, tanker 0.005
    USD/t/km). ``pure`` gives a pure min-cost flow: one grade, integer capacities (Mt/yr)
    and tariffs (USD/t), directed links, fixed supplies summing to total demand, no
    markets or side constraints (comparable with networkx and OR-Tools when planned
    ``strict``). Otherwise: ``n_grades`` grades, flexible and fixed fields, markets
    absorbing surplus and, with ``side_constraints``, sulfur/API windows, slates,
    contracts and share caps.
    """
    rng = np.random.default_rng(seed)
    if pure:
        n_grades, side_constraints = 1, False
    n = int(n_nodes)
    lat = rng.uniform(35.0, 60.0, n)
    lon = rng.uniform(-5.0, 65.0, n)
    # countries: nearest of a few random region centres
    n_c = min(len(COUNTRIES), max(2, n // 40))
    centres = np.column_stack([lat[:n_c], lon[:n_c]])
    _, region = cKDTree(centres).query(np.column_stack([lat, lon]))
    country = np.asarray(COUNTRIES, dtype=object)[region]
    # kinds
    perm = rng.permutation(n)
    n_field, n_ref = max(n_grades, 2, n // 25), max(2, n // 12)
    n_mkt = 0 if pure else max(1, n // 100)
    n_port = max(2, n // 10)
    fields = np.sort(perm[:n_field])
    refs = np.sort(perm[n_field : n_field + n_ref])
    mkts = np.sort(perm[n_field + n_ref : n_field + n_ref + n_mkt])
    ports = np.sort(perm[n_field + n_ref + n_mkt : n_field + n_ref + n_mkt + n_port])
    kind = np.full(n, "junction", dtype=object)
    kind[fields], kind[refs], kind[mkts], kind[ports] = "field", "refinery", "market", "port"
    node_ids = _ids("n", n)

    # backbone: minimum spanning tree of the 6-nearest-neighbour graph, both directions
    xy = np.column_stack([lat, lon * np.cos(np.radians(lat))])
    k = min(7, n)
    dist, nb = cKDTree(xy).query(xy, k=k)
    rows = np.repeat(np.arange(n), k - 1)
    knn = sp.csr_matrix((dist[:, 1:].ravel() + 1e-9, (rows, nb[:, 1:].ravel())), shape=(n, n))
    tree = minimum_spanning_tree(knn + knn.T).tocoo()
    bt, bh = tree.row.astype(np.int64), tree.col.astype(np.int64)
    b_from, b_to = np.concatenate([bt, bh]), np.concatenate([bh, bt])
    n_back = len(b_from)
    if n_back > n_links:
        msg = f"n_links={n_links} is below the {n_back} backbone links {n_nodes} nodes need"
        raise ValueError(msg)
    # extra links: pipelines/rail to near neighbours, tankers between ports
    n_extra = n_links - n_back
    n_tank = n_extra // 5
    n_near = n_extra - n_tank
    src = rng.integers(0, n, n_near)
    pick = nb[src, rng.integers(1, k, n_near)]
    t_from = ports[rng.integers(0, len(ports), n_tank)]
    t_to = ports[rng.integers(0, len(ports), n_tank)]
    t_to = np.where(t_to == t_from, ports[(np.searchsorted(ports, t_from) + 1) % len(ports)], t_to)
    l_from = np.concatenate([b_from, src, t_from]).astype(np.int64)
    l_to = np.concatenate([b_to, pick, t_to]).astype(np.int64)
    mode = np.concatenate(
        [
            np.full(n_back, "pipeline", dtype=object),
            np.where(rng.random(n_near) < 0.8, "pipeline", "rail").astype(object),
            np.full(n_tank, "tanker", dtype=object),
        ]
    )
    km = great_circle_km(lat[l_from], lon[l_from], lat[l_to], lon[l_to])
    km = np.where(mode == "tanker", km * 1.4, km * 1.1) + 1.0
    rate = np.select([mode == "pipeline", mode == "rail"], [0.02, 0.05], 0.005)
    fixed = np.select([mode == "tanker"], [3.0], 0.5)
    tariff = fixed + rate * km
    cap = rng.uniform(1.0, 20.0, n_links) if pure else rng.lognormal(np.log(30.0), 0.6, n_links)
    is_back = np.arange(n_links) < n_back
    tariff[is_back] = tariff[is_back] * 3.0 + 5.0  # backbone: a costly last resort
    bidir = np.zeros(n_links, bool)

    # supplies and demands (Mt/yr)
    f_cap = rng.uniform(5.0, 40.0, n_field)
    demand = rng.uniform(2.0, 15.0, n_ref)
    if pure:
        cap = np.round(cap).astype(float)
        tariff = np.round(tariff).astype(float)
        f_cap = np.round(f_cap)
        demand = np.round(demand)
        total = max(float(f_cap.sum()), float(demand.sum()))
        # scale the smaller side up to balance exactly (integers)
        if f_cap.sum() < total:
            f_cap[-1] += total - f_cap.sum()
        else:
            demand[-1] += total - demand.sum()
        cap[is_back] = total
        supply_min = f_cap.copy()
    else:
        demand *= 0.8 * f_cap.sum() / demand.sum()
        cap[is_back] = np.maximum(cap[is_back], 50.0)
        supply_min = np.where(rng.random(n_field) < 0.3, 0.5 * f_cap, 0.0)
        bidir = (mode == "pipeline") & (rng.random(n_links) < 0.3)

    grade_ids = _ids("g", n_grades)
    f_grade_of_region = np.arange(n_c) % n_grades
    f_grade = f_grade_of_region[region[fields]]  # a grade comes from its own regions
    f_grade[:n_grades] = np.arange(n_grades)  # every grade has a field
    origin = country[fields[np.array([np.flatnonzero(f_grade == g)[0] for g in range(n_grades)])]]
    api = rng.uniform(22.0, 45.0, n_grades)
    sulfur = rng.uniform(0.1, 2.5, n_grades)
    links: dict[str, Any] = {
        "id": _ids("l", n_links),
        "name": _ids("link ", n_links),
        "from": node_ids[l_from],
        "to": node_ids[l_to],
        "mode": mode,
        "capacity_mt_per_year": cap,
        "tariff_usd_per_t": tariff,
        "distance_km": km,
        "bidirectional": bidir,
        "status": np.full(n_links, "operating", dtype=object),
        "swap_grade_in": np.full(n_links, "", dtype=object),
        "swap_grade_out": np.full(n_links, "", dtype=object),
    }
    if n_grades > 1:
        # most lines carry one or two grades (gathering lines, dedicated systems), trunks all
        u = rng.random(n_links)
        n_allowed = np.where(u < 0.6, 1, np.where(u < 0.85, 2, n_grades))
        g0 = f_grade_of_region[region[l_from]]
        vals = [
            tuple(str(grade_ids[(a + j) % n_grades]) for j in range(c))
            for a, c in zip(g0, n_allowed, strict=True)
        ]
        grades_col = _tuples(n_links, vals)
        grades_col[n_allowed == n_grades] = _tuples(int((n_allowed == n_grades).sum()))
        links["grades"] = grades_col
    tables: dict[str, dict[str, Any]] = {
        "sources": {
            "id": np.asarray([SOURCE_ID], dtype=object),
            "title": ["synthetic network"],
            "publisher": ["crudeflow"],
            "url": ["crudeflow.synthetic"],
            "year": [2023],
        },
        "grades": {
            "grade": grade_ids,
            "name": grade_ids,
            "origin_country": origin,
            "api_gravity": api,
            "sulfur_pct": sulfur,
            "bbl_per_t": np.full(n_grades, 7.3),
            "differential_usd_per_t": np.zeros(n_grades) if pure else rng.uniform(-20, 10, n_grades),
        },
        "nodes": {"id": node_ids, "name": node_ids, "kind": kind, "country": country, "lat": lat, "lon": lon},
        "links": links,
        "supplies": {
            "node": node_ids[fields],
            "grade": grade_ids[f_grade],
            "min_mt_per_year": supply_min,
            "max_mt_per_year": f_cap,
            "price_usd_per_t": np.zeros(n_field) if pure else rng.uniform(350.0, 450.0, n_field),
        },
        "demands": {
            "node": node_ids[refs],
            "demand_mt_per_year": demand,
            "shortage_penalty_usd_per_t": np.full(n_ref, 1000.0),
            "stock_days": np.zeros(n_ref),
        },
    }
    if n_mkt:
        tables["markets"] = {
            "node": node_ids[mkts],
            "price_usd_per_t": rng.uniform(420.0, 480.0, n_mkt),
            "max_mt_per_year": np.full(n_mkt, 0.3 * f_cap.sum() / n_mkt),
        }
    if side_constraints:
        dm = tables["demands"]
        dm["max_sulfur_pct"] = np.where(
            rng.random(n_ref) < 0.3, rng.uniform(np.median(sulfur), 2.6, n_ref), np.nan
        )
        dm["min_api"] = np.where(rng.random(n_ref) < 0.3, rng.uniform(20.0, np.median(api), n_ref), np.nan)
        n_sl = max(1, n_ref // 5)
        sl_ref = _pick(rng, np.arange(n_ref), n_sl)
        tables["slates"] = {
            "node": node_ids[refs[sl_ref]],
            "grade": grade_ids[rng.integers(0, n_grades, len(sl_ref))],
            "max_share_pct": rng.uniform(40.0, 80.0, len(sl_ref)),
        }
        n_ct = max(1, n_ref // 20)
        ct_ref = _pick(rng, np.arange(n_ref), n_ct)
        tables["contracts"] = {
            "id": _ids("c", len(ct_ref)),
            "seller": origin[rng.integers(0, n_grades, len(ct_ref))],
            "buyer": node_ids[refs[ct_ref]],
            "min_mt_per_year": 0.1 * demand[ct_ref],
            "max_mt_per_year": demand[ct_ref],
            "take_or_pay_usd_per_t": np.full(len(ct_ref), 50.0),
        }
        importers = np.unique(country[refs])
        n_pol = min(5, len(importers))
        imp = _pick(rng, np.arange(len(importers)), n_pol)
        tables["policies"] = {
            "id": _ids("cap", n_pol),
            "kind": np.full(n_pol, "share_cap", dtype=object),
            "importer": importers[imp],
            "by": np.full(n_pol, "origin", dtype=object),
            "country": origin[rng.integers(0, n_grades, n_pol)],
            "max_share_pct": np.full(n_pol, 70.0),
            "enabled": np.ones(n_pol, bool),
            "origin": np.full(n_pol, "", dtype=object),
        }
    for tname, cols in tables.items():
        if tname in ("policies",):
            for c in ("usd_per_t",):
                cols.setdefault(c, np.full(len(cols["id"]), np.nan))
    name = f"synthetic-{'pure-' if pure else ''}{n}-{n_links}"
    return frames_network(tables, name=name, extra={"seed": seed, "pure": pure})
