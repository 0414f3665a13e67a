"""Headline figures: economic cost, one meaning of shut-in, units, wording (issue 10)."""

from __future__ import annotations

import pytest

from crudeflow.api import plan
from crudeflow.testing import tiny_network

M = 1e6


def _field_refinery_market() -> object:
    # Field f must place 10 Mt at 100 USD/t. Refinery r takes 3 over a 5 USD/t leg; the outlet
    # m buys up to 4 at 130 USD/t over a 10 USD/t leg; the other 3 Mt are shut in.
    return tiny_network(
        nodes=[{"id": "f", "country": "KZ", "kind": "field"}, {"id": "r", "country": "DE", "kind": "refinery"},
               {"id": "m", "country": "IT", "kind": "market"}],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 50, "tariff_usd_per_t": 5},
               {"id": "fm", "from": "f", "to": "m", "capacity_mt_per_year": 50, "tariff_usd_per_t": 10}],
        supplies=[{"node": "f", "min_mt_per_year": 10, "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 3}],
        markets=[{"node": "m", "price_usd_per_t": 130.0, "max_mt_per_year": 4.0}],
    )  # fmt: skip


def test_economic_cost_is_the_sum_of_its_parts_by_hand() -> None:
    p = plan(_field_refinery_market())
    parts = p.economic_cost_parts_usd
    # bought: the 7 Mt placed (3 to r, 4 to m) at 100; the 3 Mt shut in are never bought
    assert parts["crude_purchases_usd"] == pytest.approx(700 * M)
    assert parts["transport_usd"] == pytest.approx((3 * 5 + 4 * 10) * M)
    assert parts["duties_usd"] == 0.0
    assert parts["fees_usd"] == 0.0
    assert parts["market_revenue_usd"] == pytest.approx(-4 * 130 * M)
    assert p.economic_cost_usd == pytest.approx((700 + 55 - 520) * M)
    s = p.summary()
    assert s["economic_cost_usd"] == pytest.approx(235 * M)
    assert s["shut_in_mt_per_year"] == pytest.approx(3.0)
    assert s["unmet_mt_per_year"] == 0.0
    # the full objective keeps the 3 Mt × 2000 USD/t shut-in penalty (and their price)
    assert s["objective_usd"] == pytest.approx((1000 + 55 + 6000 - 520) * M)
    assert sum(p.objective_parts_usd.values()) == pytest.approx(p.objective_usd)
    # the headline comes first, the volumes beside it
    assert list(s)[3:6] == ["economic_cost_usd", "unmet_mt_per_year", "shut_in_mt_per_year"]


def test_economic_cost_excludes_the_shortage_penalty() -> None:
    # r needs 5 but the leg carries 2: 3 Mt unmet at 1000 USD/t is in the objective only.
    nt = tiny_network(
        nodes=[{"id": "f", "country": "KZ", "kind": "field"}, {"id": "r", "country": "DE", "kind": "refinery"}],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 2, "tariff_usd_per_t": 5}],
        supplies=[{"node": "f", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
    )  # fmt: skip
    s = plan(nt).summary()
    assert s["economic_cost_usd"] == pytest.approx(2 * 105 * M)
    assert s["unmet_mt_per_year"] == pytest.approx(3.0)
    assert s["objective_usd"] == pytest.approx((2 * 105 + 3 * 1000) * M)


def test_shadow_price_in_words_that_parse() -> None:
    # r needs 5, the cheap leg (cap 2) saves 20 USD/t over the dear one
    nt = tiny_network(
        nodes=[{"id": "f", "country": "KZ", "kind": "field"}, {"id": "r", "country": "DE", "kind": "refinery"}],
        links=[{"id": "cheap", "from": "f", "to": "r", "capacity_mt_per_year": 2, "tariff_usd_per_t": 5},
               {"id": "dear", "from": "f", "to": "r", "capacity_mt_per_year": 1, "tariff_usd_per_t": 25}],
        supplies=[{"node": "f", "max_mt_per_year": 10, "price_usd_per_t": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 5}],
    )  # fmt: skip
    p = plan(nt)
    # 2 Mt unmet at 1000 USD/t: one more tonne on 'cheap' replaces a tonne short, 1000 − 105
    reason = p.unmet.loc["r", "reason"]
    assert (
        "link 'cheap' is full at 2.00 Mt/yr (each extra tonne of capacity would lower the "
        "system cost by 895 USD)" in reason
    )
    assert "Mt/yr there would save" not in reason


def test_json_floats_rounded_for_their_unit() -> None:
    import json

    from crudeflow.units import round_for_unit

    assert round_for_unit("mt_per_year", 0.19999999999999907) == 0.2
    assert round_for_unit("unmet_mt_per_year", 1.234567) == 1.2346
    assert round_for_unit("delivered_cost_usd_per_t", 601.0349) == 601.03
    assert round_for_unit("economic_cost_usd", 71357649771.43) == 71357649771.0
    assert round_for_unit("rel_diff", 1.234567891e-12) == 1.23457e-12
    p = plan(_field_refinery_market())
    text = p.to_json()
    doc = json.loads(text)
    assert doc["summary"]["economic_cost_usd"] == 235e6
    # no float in the document carries more digits than its unit allows
    for rec in doc["deliveries"]:
        assert rec["mt_per_year"] == round(rec["mt_per_year"], 4)
        assert rec["delivered_cost_usd_per_t"] == round(rec["delivered_cost_usd_per_t"], 2)
    assert "9999999" not in text
    assert "0000001" not in text


def _two_grades() -> object:
    # r runs 2 Mt of light (8 bbl/t, 100 USD/t + 4) and 3 Mt of heavy (6 bbl/t, 90 USD/t + 4).
    return tiny_network(
        nodes=[{"id": "f", "country": "KZ", "kind": "field"}, {"id": "h", "country": "KZ", "kind": "field"},
               {"id": "r", "country": "DE", "kind": "refinery"}],
        links=[{"id": "fr", "from": "f", "to": "r", "capacity_mt_per_year": 2, "tariff_usd_per_t": 4},
               {"id": "hr", "from": "h", "to": "r", "capacity_mt_per_year": 3, "tariff_usd_per_t": 4}],
        grades=[{"grade": "light", "origin_country": "KZ", "api_gravity": 40, "sulfur_pct": 0.2, "bbl_per_t": 8.0},
                {"grade": "heavy", "origin_country": "KZ", "api_gravity": 25, "sulfur_pct": 1.0, "bbl_per_t": 6.0}],
        supplies=[{"node": "f", "grade": "light", "max_mt_per_year": 9, "price_usd_per_t": 100},
                  {"node": "h", "grade": "heavy", "max_mt_per_year": 9, "price_usd_per_t": 90}],
        demands=[{"node": "r", "demand_mt_per_year": 6}],
    )  # fmt: skip


def test_kbd_converts_each_grade_by_its_own_bbl_per_t_and_totals_as_sums() -> None:
    p = plan(_two_grades())
    k = p.in_units("kbd")
    d = k.deliveries.set_index("grade")
    # 2 Mt/yr × 8 bbl/t = 16 Mbbl/yr = 43.836 kb/d; 3 Mt/yr × 6 = 18 Mbbl/yr = 49.315 kb/d
    assert d.loc["light", "kb_per_day"] == pytest.approx(16e6 / 365 / 1e3)
    assert d.loc["heavy", "kb_per_day"] == pytest.approx(18e6 / 365 / 1e3)
    assert d.loc["light", "delivered_cost_usd_per_bbl"] == pytest.approx(104 / 8)
    assert d.loc["heavy", "delivered_cost_usd_per_bbl"] == pytest.approx(94 / 6)
    # the refinery total is the sum of its converted grades, its cost per barrel USD / bbl
    c = k.costs.loc["r"]
    assert c["delivered_kb_per_day"] == pytest.approx(34e6 / 365 / 1e3)
    assert c["delivered_cost_usd_per_bbl"] == pytest.approx((2 * 104 + 3 * 94) / 34)
    # 1 Mt/yr unmet converts at the refinery's grade mix (34 Mbbl / 5 Mt = 6.8 bbl/t)
    assert c["unmet_kb_per_day"] == pytest.approx(6.8e6 / 365 / 1e3)
    s = k.summary()
    assert s["units"] == "kbd"
    assert s["delivered_kb_per_day"] == pytest.approx(34e6 / 365 / 1e3)
    assert s["average_delivered_cost_usd_per_bbl"] == pytest.approx((2 * 104 + 3 * 94) / 34)
    assert s["economic_cost_usd"] == p.summary()["economic_cost_usd"]
    assert s["refinery_cost_usd"] == pytest.approx(p.summary()["refinery_cost_usd"])
    lf = k.link_flows
    assert lf.loc["fr", "capacity_kb_per_day"] == pytest.approx(16e6 / 365 / 1e3)
    assert "mt_per_year" not in " ".join(map(str, k.deliveries.columns))
    assert k.to_dict()["deliveries"][0]["kb_per_day"] > 0
    with pytest.raises(ValueError, match="units must be one of"):
        p.in_units("bpd")


def test_report_cards_lead_with_economic_cost_and_volumes() -> None:
    from crudeflow.report.html import Side, _summary_cards

    nt = _field_refinery_market()
    html = _summary_cards(Side(plan(nt), nt, "base"), None)  # type: ignore[arg-type]
    labels = [part.split("</div>")[0] for part in html.split('<div class="k">')[1:]]
    assert labels[:3] == ["Economic cost", "Unmet demand", "Shut-in output"]
    assert "0.24 <small>bn USD/yr" in html  # 235 MUSD (0.235 bn), not the 6.5 bn objective
    assert "System cost" not in html
