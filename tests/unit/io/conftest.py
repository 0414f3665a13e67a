from __future__ import annotations

from pathlib import Path

import pytest

from crudeflow import write_dataset
from crudeflow.testing import tiny_network


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small valid dataset folder on disk: two grades, a swap, a market, a policy."""
    net = tiny_network(
        nodes=[
            {"id": "tengiz", "kind": "field", "country": "KZ", "lat": 46.1, "lon": 53.4},
            {"id": "novo", "kind": "port", "country": "RU", "lat": 44.7, "lon": 37.8},
            {"id": "mozyr", "kind": "refinery", "country": "BY", "lat": 52.0, "lon": 29.2},
            {"id": "med", "kind": "market", "country": "IT", "lat": 37.2, "lon": 15.2},
        ],
        grades=[
            {
                "grade": "cpc",
                "origin_country": "KZ",
                "api_gravity": 45.0,
                "sulfur_pct": 0.6,
                "bbl_per_t": 7.9,
            },
            {
                "grade": "urals",
                "origin_country": "RU",
                "api_gravity": 31.0,
                "sulfur_pct": 1.5,
                "bbl_per_t": 7.3,
            },
        ],
        links=[
            {
                "id": "cpc",
                "from": "tengiz",
                "to": "novo",
                "capacity_mt_per_year": 67,
                "tariff_usd_per_t": 38,
                "distance_km": 1511,
                "countries": "KZ;RU",
            },
            {
                "id": "druzhba",
                "from": "novo",
                "to": "mozyr",
                "capacity_mt_per_year": 20,
                "tariff_usd_per_t": 20,
                "distance_km": 1500,
            },
            {
                "id": "sea",
                "from": "novo",
                "to": "med",
                "mode": "tanker",
                "capacity_mt_per_year": 100,
                "tariff_usd_per_t": 14,
                "distance_km": 2400,
            },
        ],
        supplies=[
            {
                "node": "tengiz",
                "grade": "cpc",
                "min_mt_per_year": 30,
                "max_mt_per_year": 30,
                "price_usd_per_t": 450,
            },
            {"node": "novo", "grade": "urals", "max_mt_per_year": 50, "price_usd_per_t": 400},
        ],
        demands=[{"node": "mozyr", "demand_mt_per_year": 12, "max_sulfur_pct": 1.8}],
        markets=[{"node": "med", "price_usd_per_t": 560, "max_mt_per_year": 200}],
        trade=[{"reporter": "BY", "partner": "KZ", "year": 2018, "flow": "exports", "value_musd": 783.7}],
        policies=[
            {"id": "emb", "kind": "embargo", "importers": ["EU"], "origins": ["RU"], "modes": ["tanker"]}
        ],
    )
    out = tmp_path / "ds"
    write_dataset(net, out)
    return out
