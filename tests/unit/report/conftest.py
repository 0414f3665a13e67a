"""A small hand-solved network for the report tests.

Kazakh crude (field ``f``, 400 USD/t, up to 20 Mt/yr) runs through Russia (``j``) to a
Belarusian refinery ``r1`` (6 Mt/yr) and a Polish refinery ``r2`` (8 Mt/yr); US crude
(420 USD/t) can reach ``r2`` by tanker from the US Gulf (``p``, off the map).

Optimum worked by hand: ``fj`` (cap 10) and ``j_r1`` (cap 4) are full; r1 gets 4 Mt at
400 + 5 + 3 = 408 USD/t and 2 Mt/yr stays unmet (no other route); r2 gets 6 Mt of Kazakh
crude at 400 + 5 + 10 = 415 and 2 Mt of US crude at 420 + 30 = 450, on average
(6 × 415 + 2 × 450) / 8 = 423.75 USD/t. ``rail`` is closed (disabled); ``r2_r1_back``
runs the wrong way for anyone (idle).
"""

from __future__ import annotations

from typing import Any

import pytest

from crudeflow.testing import tiny_network

GRADES = [
    {"grade": "g", "origin_country": "KZ", "api_gravity": 38.0, "sulfur_pct": 0.6, "bbl_per_t": 7.5},
    {"grade": "u", "origin_country": "US", "api_gravity": 40.0, "sulfur_pct": 0.3, "bbl_per_t": 7.6},
]


def build() -> Any:
    return tiny_network(
        nodes=[
            {"id": "f", "name": "Tengiz field (TCO)", "kind": "field", "country": "KZ", "lat": 46.2, "lon": 53.4},
            {"id": "j", "name": "Samara hub", "country": "RU", "lat": 53.2, "lon": 50.1},
            {"id": "r1", "name": "Mozyr refinery", "kind": "refinery", "country": "BY", "lat": 52.0, "lon": 29.2},
            {"id": "r2", "name": "Plock <b>refinery</b>", "kind": "refinery", "country": "PL", "lat": 52.5,
             "lon": 19.7},
            {"id": "p", "name": "US Gulf Coast", "kind": "port", "country": "US", "lat": 29.0, "lon": -94.0},
        ],
        links=[
            {"id": "fj", "from": "f", "to": "j", "capacity_mt_per_year": 10.0, "tariff_usd_per_t": 5.0,
             "countries": "KZ;RU"},
            {"id": "j_r1", "from": "j", "to": "r1", "capacity_mt_per_year": 4.0, "tariff_usd_per_t": 3.0,
             "countries": "RU;BY"},
            {"id": "j_r2", "from": "j", "to": "r2", "capacity_mt_per_year": 100.0, "tariff_usd_per_t": 10.0,
             "countries": "RU;BY;PL"},
            {"id": "sea", "from": "p", "to": "r2", "mode": "tanker", "capacity_mt_per_year": 100.0,
             "tariff_usd_per_t": 30.0, "countries": "US;PL"},
            {"id": "rail", "from": "f", "to": "r1", "mode": "rail", "capacity_mt_per_year": 5.0,
             "tariff_usd_per_t": 1.0, "countries": "KZ;RU;BY", "status": "closed"},
            {"id": "r2_r1_back", "from": "r2", "to": "j", "capacity_mt_per_year": 5.0,
             "tariff_usd_per_t": 1.0, "countries": "PL;BY;RU"},
        ],
        supplies=[
            {"node": "f", "grade": "g", "price_usd_per_t": 400.0, "max_mt_per_year": 20.0},
            {"node": "p", "grade": "u", "price_usd_per_t": 420.0, "max_mt_per_year": 20.0},
        ],
        demands=[
            {"node": "r1", "demand_mt_per_year": 6.0},
            {"node": "r2", "demand_mt_per_year": 8.0},
        ],
        grades=GRADES,
    )  # fmt: skip


@pytest.fixture(scope="session")
def tiny() -> Any:
    return build()


@pytest.fixture(scope="session")
def tiny_plan(tiny: Any) -> Any:
    from crudeflow.api import plan

    return plan(tiny)
