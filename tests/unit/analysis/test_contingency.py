from __future__ import annotations

import numpy as np
import pytest

from crudeflow.analysis import asset_columns, stress
from crudeflow.api import plan
from crudeflow.model.network import Network
from crudeflow.optimize.build import build_lp

# Base plan of the diamond: 3 Mt via A-B-D at 102 USD/t, 1 Mt via A-C-D at 104 USD/t.
BASE_USD = (3 * 102 + 1 * 104) * 1e6


def test_n1_links_ranks_the_obvious_asset(diamond_net: Network) -> None:
    res = stress(diamond_net, assets="links")
    assert res.base_objective_usd == pytest.approx(BASE_USD)
    r = res.ranking
    # losing A-C or C-D: 3 Mt via B, 1 Mt unmet at 1000 USD/t instead of 104 -> +896 MUSD
    assert set(r.index[:2]) == {"ac", "cd"}
    assert r.loc["ac", "delta_objective_usd"] == pytest.approx(896e6)
    assert r.loc["cd", "delta_objective_usd"] == pytest.approx(896e6)
    assert r.loc["cd", "unmet_mt_per_year"] == pytest.approx(1.0)
    assert res.unmet.loc["cd", "BY"] == pytest.approx(1.0)
    # A is a flexible supplier (no minimum): selling 1 Mt less is not shut-in
    assert res.shut_in.loc["cd", "KZ"] == 0.0
    # losing B-D: 4 Mt via C at 104 -> +6 MUSD
    assert r.loc["bd", "delta_objective_usd"] == pytest.approx(6e6)
    # A-E carries nothing: skipped, zero delta
    assert bool(r.loc["ae", "skipped"])
    assert r.loc["ae", "delta_objective_usd"] == 0.0
    # hot equals cold on every sampled case, and equals an independent re-plan
    assert (res.checks["rel_diff"] <= 1e-9).all()
    links = diamond_net.links.copy()
    links.loc["cd", "status"] = "closed"
    cold = plan(diamond_net.replace(links=links))
    assert cold.objective_usd - BASE_USD == pytest.approx(r.loc["cd", "delta_objective_usd"])


def test_nodes_and_countries(diamond_net: Network) -> None:
    nodes = stress(diamond_net, assets="nodes").ranking
    # losing the field: all 4 Mt unmet at 1000 -> 4000 - 410 MUSD
    assert nodes.loc["A", "delta_objective_usd"] == pytest.approx(4000e6 - BASE_USD)
    assert nodes.loc["E", "delta_objective_usd"] == 0.0
    transit = stress(diamond_net, assets="countries", country_role="transit").ranking
    assert transit.loc["RU", "delta_objective_usd"] == pytest.approx(6e6)  # all via UA
    assert transit.loc["KZ", "delta_objective_usd"] == 0.0  # its own exports are not transit
    supplier = stress(diamond_net, assets="countries", country_role="supplier").ranking
    assert supplier.loc["KZ", "delta_objective_usd"] == pytest.approx(4000e6 - BASE_USD)
    assert bool(supplier.loc["RU", "skipped"])


def test_n2_pairs(diamond_net: Network) -> None:
    res = stress(diamond_net, assets="links", k=2, top_m=4)
    r = res.ranking
    assert len(r) == 6  # pairs of the four used links
    by_members = {frozenset(m): d for m, d in zip(r["members"], r["delta_objective_usd"], strict=True)}
    assert by_members[frozenset({"cd", "bd"})] == pytest.approx(4000e6 - BASE_USD)
    assert by_members[frozenset({"ac", "cd"})] == pytest.approx(896e6)  # same path twice


def test_asset_columns_cover_each_flow_once(diamond_net: Network) -> None:
    model = build_lp(diamond_net)
    cols = asset_columns(model, "links")
    allc = np.concatenate(list(cols.values()))
    assert sorted(allc.tolist()) == list(range(model.lp.vars["flow"].start, model.lp.vars["flow"].slice.stop))


def test_ctrl_c_returns_partial_results(diamond_net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    from crudeflow.optimize.solve import HighsModel

    real = HighsModel.run
    calls = {"n": 0}

    def interrupted_run(self: HighsModel, *, check: bool = True, duals: bool = True) -> object:
        calls["n"] += 1
        if calls["n"] == 3:  # base, first case, then Ctrl-C
            raise KeyboardInterrupt
        return real(self, check=check, duals=duals)

    monkeypatch.setattr(HighsModel, "run", interrupted_run)
    res = stress(diamond_net, assets="links")
    assert res.interrupted
    assert res.ranking.index.tolist() == ["ab"]  # "ab" solved, interrupted while solving "bd"
    assert res.ranking.loc["ab", "delta_objective_usd"] == pytest.approx(6e6)  # all 4 Mt via C
