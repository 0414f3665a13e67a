"""The shipped caspian-europe dataset: clean, fully sourced, and covering what the issues name."""

from __future__ import annotations

import pandas as pd
import pytest

from crudeflow import read_dataset
from crudeflow.io.dataset import load_dataset, resolve_dataset
from crudeflow.model.network import Network


@pytest.fixture(scope="module")
def net() -> Network:
    return read_dataset("caspian-europe")


def test_validates_with_zero_errors_and_zero_warnings() -> None:
    _, problems = load_dataset(resolve_dataset("caspian-europe"))
    assert [str(p) for p in problems] == []


def test_every_source_resolves(net: Network) -> None:
    for name, frame in net.tables().items():
        if "source" in frame.columns and name != "policies":
            missing = set(frame["source"]) - set(net.sources.index)
            assert not missing, (name, missing)
    assert set(net.policies["source"]) <= set(net.sources.index)
    assert net.sources["year"].between(1990, 2026).all()


def test_size_and_base_year(net: Network) -> None:
    assert net.meta.base_year == 2023
    assert len(net.nodes) >= 60
    assert len(net.links) >= 90


@pytest.mark.parametrize(
    "refinery",
    ["mozyr", "naftan", "petromidia", "petrobrazi", "plock", "gdansk", "schwedt", "leuna",
     "mol_danube", "slovnaft", "pancevo", "mazeikiai", "kralupy", "litvinov"],
)  # fmt: skip
def test_refineries_have_demand_and_quality(net: Network, refinery: str) -> None:
    d = net.demands.loc[refinery]
    assert d["demand_mt_per_year"] > 0
    assert not pd.isna(d["max_sulfur_pct"])


def test_named_routes_exist(net: Network) -> None:
    names = " ".join(net.links["name"]).lower()
    for word in [
        "cpc",
        "atyrau - samara",
        "btc",
        "supsa",
        "novorossiysk",
        "druzhba",
        "odessa-brody",
        "pomeranian",
        "janaf",
        "tal",
        "rostock - schwedt",
        "polotsk - ventspils",
        "rail",
    ]:
        assert word in names, word
    modes = set(net.links["mode"])
    assert {"pipeline", "tanker", "rail", "swap"} <= modes
    assert net.links.loc["polotsk_ventspils", "status"] == "idle"


def test_grades_and_outlets(net: Network) -> None:
    origins = set(net.grades["origin_country"])
    assert {"KZ", "AZ", "RU", "NO", "US", "SA", "VE", "NG"} <= origins
    countries = set(net.nodes.loc[net.markets.index, "country"])
    assert {"IT", "NL", "CN"} <= countries or len(net.markets) >= 3


def test_trade_has_the_seed_figures(net: Network) -> None:
    t = net.trade
    by_kz = t[(t["reporter"] == "BY") & (t["partner"] == "KZ") & (t["year"] == 2018)]
    assert set(by_kz["flow"]) >= {"exports", "turnover"}
    assert by_kz.loc[by_kz["flow"] == "exports", "value_musd"].iloc[0] == pytest.approx(783.7, abs=1.0)


def test_base_plans_strictly(net: Network) -> None:
    """The 2023 base meets every refinery's demand without the unmet-demand slack (issue 10)."""
    from crudeflow import plan

    p = plan(net, strict=True)
    assert p.status == "optimal"
    assert p.costs["unmet_mt_per_year"].sum() == pytest.approx(0.0, abs=1e-6)


def test_polish_german_entries_cover_their_refineries(net: Network) -> None:
    """Hand check of the one tight corner: with Russian crude embargoed, the Polish and German
    refineries are fed only through Naftoport, Rostock-Schwedt and the KEBCO Druzhba quota."""
    cap = net.links["capacity_mt_per_year"]
    entries = cap["naftoport_transshipment"] + cap["rostock_schwedt"] + cap["druzhba_north_kebco"]
    assert entries == pytest.approx(40.0 + 6.0 + 1.2)
    demand = net.demands.loc[["plock", "gdansk", "schwedt", "leuna"], "demand_mt_per_year"].sum()
    assert demand <= entries
    # Schwedt's 2023 runs: Rostock 6 + Gdansk 2.4 + the 0.993 Mt of KEBCO delivered in 2023
    assert net.demands.loc["schwedt", "demand_mt_per_year"] == pytest.approx(6.0 + 2.4 + 0.993, abs=0.01)


def test_audited_citations_hold(net: Network) -> None:
    """The 2024 audit's findings stay fixed: each figure cites the page that gives it."""
    links = net.links
    assert links.loc["druzhba_unecha_mozyr", "source"] == "survincity-druzhba"
    assert links.loc["polotsk_ventspils", "source"] == "jauns-pv"
    for lid in ("riga_naftan_rail", "ventspils_naftan_rail"):
        assert links.loc[lid, "source"] != "parkiet-klaipeda"
        assert "assumption:" in links.loc[lid, "note"]
    # BTC: the operator's 1.2 mb/d at Azeri BTC's 7.46 bbl/t, with the 50 Mt/yr conflict noted
    assert links.loc["btc_1", "capacity_mt_per_year"] == pytest.approx(1.2e6 * 365 / 7.46 / 1e6, abs=0.05)
    assert "conflict" in links.loc["btc_1", "note"]
    assert {"rferl-kcp-2006", "globalsecurity-kcp", "hcp-batumi-2016"} <= set(net.sources.index)


FIGURE_TABLES = (
    "grades", "nodes", "links", "supplies", "demands", "markets", "slates", "contracts", "trade", "storage",
    "prices", "duty_rates",
)  # fmt: skip


def test_every_figure_row_is_graded_and_sourced_grades_quote_evidence(net: Network) -> None:
    for name in FIGURE_TABLES:
        frame = getattr(net, name)
        assert frame["confidence"].isin(["official", "operator", "press", "estimate"]).all(), name
        sourced = frame[frame["confidence"] != "estimate"]
        assert (sourced["evidence"].str.len() > 10).all(), (
            name,
            list(sourced.index[sourced["evidence"] == ""]),
        )
        # a crudeflow assumption is never graded above estimate
        assumed = frame[frame["source"] == "assumption-crudeflow"]
        assert (assumed["confidence"] == "estimate").all(), name
    # tanker freight comes from the affine fit, so every tanker leg is an estimate
    tankers = net.links[net.links["mode"] == "tanker"]
    assert (tankers["confidence"] == "estimate").all()


def test_data_show_counts_rows_by_confidence(net: Network) -> None:
    from crudeflow.api import data_overview

    conf = data_overview(net).confidence
    assert conf.loc["links"].sum() == len(net.links)
    assert conf.loc["trade", "press"] == len(net.trade)
    assert conf.loc["observed"].sum() == len(net.observed)
    assert conf.loc["total"].sum() == sum(len(getattr(net, t)) for t in (*FIGURE_TABLES, "observed"))
    assert conf.loc["total", "ungraded"] == 0


def test_observed_flows_are_cited_with_tolerances_from_the_rule(net: Network) -> None:
    obs = net.observed
    assert len(obs) >= 20
    assert (obs["evidence"].str.len() > 10).all()
    assert obs["confidence"].isin(["official", "operator", "press"]).all()
    vol = obs[obs["unit"] != "%"]
    floor = (0.10 * vol["value"]).where(vol["unit"] != "Mt/yr", (0.10 * vol["value"]).clip(lower=0.3))
    assert (vol["tolerance"] >= floor - 1e-9).all()
    assert (obs.loc[obs["unit"] == "%", "tolerance"] == 5.0).all()
    # hold out at least a third of the base-year rows; other years only check
    y23 = obs[obs["year"] == 2023]
    assert (y23["role"] == "holdout").sum() * 3 >= len(y23)
    assert (obs.loc[obs["year"] != 2023, "role"] == "holdout").all()
    # the derived share restates two calibrate rows: 56 Mt via CPC of 70.5 Mt exports
    assert obs.loc["cpc-share-2023", "value"] == pytest.approx(100 * 56 / 70.5, abs=0.05)
    assert obs.loc["atyrau-samara-h1-2023", "period"] == "2023-01..2023-06"
