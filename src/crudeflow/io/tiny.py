"""A tiny validated network from a few records (tests, notebooks, the dtype template).

``tiny_network`` builds a hand-checkable network from a few records, filling every
column the schema requires with a neutral default, and validating it like a file.
"""

from __future__ import annotations

from typing import Any

from crudeflow.io.dataset import network_from_records
from crudeflow.model.network import Network

SRC = "test"
"""The one source id every tiny-network row cites."""

_DEFAULT_COORDS = (50.0, 20.0)


def tiny_network(
    *,
    nodes: list[Any],
    links: list[dict[str, Any]],
    supplies: list[dict[str, Any]] = (),  # type: ignore[assignment]
    demands: list[dict[str, Any]] = (),  # type: ignore[assignment]
    grades: list[dict[str, Any]] | None = None,
    markets: list[dict[str, Any]] | None = None,
    slates: list[dict[str, Any]] | None = None,
    contracts: list[dict[str, Any]] | None = None,
    trade: list[dict[str, Any]] | None = None,
    observed: list[dict[str, Any]] | None = None,
    policies: list[dict[str, Any]] | None = None,
    groups: dict[str, list[str]] | None = None,
    storage: list[dict[str, Any]] | None = None,
    stock_obligations: list[dict[str, Any]] | None = None,
    period_values: list[dict[str, Any]] | None = None,
    periods: Any = None,
    prices: list[dict[str, Any]] | None = None,
    duty_rates: list[dict[str, Any]] | None = None,
    base_year: int | None = None,
) -> Network:
    """A small validated network; strings in ``nodes`` become junctions in Poland.

    A node without a ``kind`` is a refinery when a demand or slate names it, a market
    when a market does, else a junction.

    ``periods`` is a ``periods:`` value of dataset.yaml (e.g. ``{"start": "2023-01-01",
    "end": "2024-12-31", "step": "year"}``). Nodes may give ``country``; links default to
    pipelines with no distance; grades default to one grade ``g`` of origin ``KZ`` (API 35,
    0.5 % S, 7.5 bbl/t).
    """
    refineries = {d["node"] for d in [*demands, *(slates or [])]}
    outlets = {m["node"] for m in markets or []}
    node_recs = []
    for i, n in enumerate(nodes):
        rec: dict[str, Any] = {"id": n} if isinstance(n, str) else dict(n)
        rec.setdefault("name", rec["id"])
        kind = "refinery" if rec["id"] in refineries else "market" if rec["id"] in outlets else "junction"
        rec.setdefault("kind", kind)
        rec.setdefault("country", "PL")
        rec.setdefault("lat", _DEFAULT_COORDS[0] + 0.01 * i)
        rec.setdefault("lon", _DEFAULT_COORDS[1] + 0.01 * i)
        rec.setdefault("source", SRC)
        node_recs.append(rec)
    grade_recs = grades or [
        {
            "grade": "g",
            "origin_country": "KZ",
            "api_gravity": 35.0,
            "sulfur_pct": 0.5,
            "bbl_per_t": 7.5,
        }
    ]
    tables: dict[str, list[dict[str, Any]]] = {
        "sources": [
            {
                "id": SRC,
                "title": "hand-made test network",
                "publisher": "crudeflow",
                "url": "tests",
                "year": 2023,
            }
        ],
        "nodes": node_recs,
        "grades": [{"source": SRC, **g} for g in grade_recs],
        "links": [
            {
                "name": lk["id"],
                "mode": "pipeline",
                "tariff_usd_per_t": 0.0,
                "distance_km": 0.0,
                "source": SRC,
                **lk,
            }
            for lk in links
        ],
        "supplies": [{"source": SRC, "grade": "g", "min_mt_per_year": 0.0, **s} for s in supplies],
        "demands": [{"source": SRC, "shortage_penalty_usd_per_t": 1000.0, **d} for d in demands],
    }
    for name, recs in (
        ("markets", markets),
        ("slates", slates),
        ("contracts", contracts),
        ("trade", trade),
        ("observed", observed),
        ("storage", storage),
        ("stock_obligations", stock_obligations),
        ("prices", prices),
        ("duty_rates", duty_rates),
        ("period_values", period_values),
    ):
        if recs is not None:
            tables[name] = [{"source": SRC, **r} for r in recs]
    pols = [{"source": SRC, **p} for p in (policies or [])]
    meta: dict[str, Any] = {"name": "tiny"}
    if periods is not None:
        meta["periods"] = periods
    if base_year is not None:
        meta["base_year"] = base_year
    return network_from_records(tables, pols, meta, groups)
