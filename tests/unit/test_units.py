from __future__ import annotations

import numpy as np
import pytest

from crudeflow import units


def test_mt_per_year_to_kb_per_day_by_hand() -> None:
    # 1 Mt/yr of a 7.33 bbl/t crude: 7.33e6 bbl / 365 d = 20,082 bbl/d = 20.082 kb/d
    assert units.mt_per_year_to_kb_per_day(1.0, 7.33) == pytest.approx(20.0822, rel=1e-5)


def test_kb_per_day_round_trip() -> None:
    # CPC's 1.5 mb/d at Tengiz' 7.98 bbl/t: 1500e3 x 365 / 7.98 = 68.61 Mt/yr
    mt = units.kb_per_day_to_mt_per_year(1500.0, 7.98)
    assert mt == pytest.approx(68.609, rel=1e-4)
    assert units.mt_per_year_to_kb_per_day(mt, 7.98) == pytest.approx(1500.0)


def test_price_conversions() -> None:
    # 82.5 USD/bbl Brent at 7.58 bbl/t = 625.35 USD/t
    assert units.usd_per_bbl_to_usd_per_t(82.5, 7.58) == pytest.approx(625.35)
    assert units.usd_per_t_to_usd_per_bbl(625.35, 7.58) == pytest.approx(82.5)


def test_api_to_bbl_per_t() -> None:
    # Azeri BTC, 36.2 API: SG = 141.5 / 167.7 = 0.84377; rho = 842.94 kg/m3; 1000 / (842.94 x 0.158987) = 7.462
    assert units.api_to_density_kg_per_m3(36.2) == pytest.approx(842.94, abs=0.05)
    assert units.api_to_bbl_per_t(36.2) == pytest.approx(7.462, abs=0.002)


def test_tariff_per_100_tkm() -> None:
    # Transneft 0.73 USD per 100 t-km over Atyrau-Samara's 691 km = 5.04 USD/t
    assert units.usd_per_100tkm_to_usd_per_t(0.73, 691.0) == pytest.approx(5.0443)


def test_great_circle() -> None:
    # Quarter of a meridian: pi/2 x 6371.0088 km
    d = units.great_circle_km(0.0, 0.0, 90.0, 0.0)
    assert float(d) == pytest.approx(np.pi / 2 * 6371.0088)
    # Vectorised
    assert units.great_circle_km([0, 0], [0, 0], [0, 0], [1, 2]).shape == (2,)
