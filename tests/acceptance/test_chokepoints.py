"""Sea straits vs transit countries on the shipped dataset (REVIEW #13).

Straits of international transit passage (Gibraltar, Dover, the Danish straits,
Bab-el-Mandeb, Hormuz) are tanker-leg ``chokepoints``, not transit countries; states
that can close an internal strait (TR: Bosphorus, EG: Suez) stay in ``countries``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crudeflow import read_dataset
from crudeflow.api import plan
from crudeflow.io.dataset import load_dataset
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan

COASTAL = {"DK", "SE", "ES", "MA", "YE", "DJ", "IR", "OM", "GB", "FR"}


@pytest.fixture(scope="module")
def net() -> Network:
    return read_dataset("caspian-europe")


@pytest.fixture(scope="module")
def base() -> Plan:
    return plan("caspian-europe")


def test_tanker_legs_list_straits_as_chokepoints_not_countries(net: Network) -> None:
    lk = net.links
    # hand-checked: Supsa -> Klaipeda leaves the Black Sea by the Bosphorus (TR, internal
    # waters) and reaches the Baltic by Gibraltar, Dover and the Danish straits
    assert lk.at["supsa__klaipeda", "countries"] == ("GE", "LT", "TR")
    assert lk.at["supsa__klaipeda", "chokepoints"] == ("gibraltar", "dover", "danish_straits")
    assert lk.at["cpc_terminal__india_sikka", "countries"] == ("RU", "IN", "EG", "TR")
    assert lk.at["cpc_terminal__india_sikka", "chokepoints"] == ("bab_el_mandeb",)
    ends = set(net.nodes["country"])
    listed = {c for cs in lk["countries"] for c in cs}
    assert not (listed & COASTAL) - ends
    assert {p for ps in lk["chokepoints"] for p in ps} == {
        "gibraltar", "dover", "danish_straits", "bab_el_mandeb", "hormuz",
    }  # fmt: skip
    assert all(len(ps) == 0 for ps in lk.loc[lk["mode"] != "tanker", "chokepoints"])


def test_no_importer_transit_exposure_names_a_strait_state(base: Plan) -> None:
    tr = base.concentration.reset_index()
    tr = tr[tr["by"] == "transit"]
    named = {c for shares in tr["share_of_intake_pct"] for c in shares}
    assert named, "no transit concentration reported"
    assert not named & {"DK", "SE", "ES", "MA"}
    # LT and PL take only Norwegian crude by tanker into their own ports: no transit
    for imp in ("LT", "PL"):
        row = tr[tr["importer"] == imp].iloc[0]
        assert row["top"] == "direct"
        # (PL: a tie of equal cost may send ~0.2 Mt/yr of KEBCO to Plock over Druzhba north)
        assert row["top_share_of_intake_pct"] == pytest.approx(100.0, abs=1.0)


def test_transit_ban_on_turkey_still_closes_bosphorus_legs(base: Plan, tmp_path: Path) -> None:
    flows = base.flows.groupby("link")["mt_per_year"].sum()
    # hand-check: CPC -> Augusta (RU;IT;TR) carries Kazakh CPC Blend through the Bosphorus
    assert flows.get("cpc_terminal__med_augusta", 0.0) > 1.0
    sc = tmp_path / "tr-ban.yaml"
    sc.write_text(
        "name: tr-ban\nbase: caspian-europe\nchanges:\n"
        "  - add_policies:\n"
        "      - {id: tr-ban, kind: transit_ban, country: TR, origins: [ALL_ORIGINS], source: assumption-crudeflow}\n",
        encoding="utf-8",
    )
    banned = plan("caspian-europe", sc)
    after = banned.flows.groupby("link")["mt_per_year"].sum()
    lk = read_dataset("caspian-europe").links
    bosphorus = [i for i, cs in lk["countries"].items() if "TR" in cs and lk.at[i, "mode"] == "tanker"]
    assert {"cpc_terminal__med_augusta", "supsa__klaipeda"} <= set(bosphorus)
    # Ceyhan legs start in Turkey and leave it: crude of other origins (KZ, AZ via BTC) is banned too
    for link in bosphorus:
        assert after.get(link, 0.0) == pytest.approx(0.0, abs=1e-6), link


def test_unknown_chokepoint_is_an_error(tmp_path: Path) -> None:
    import shutil

    from crudeflow.io.dataset import resolve_dataset

    src = resolve_dataset("caspian-europe")
    dst = tmp_path / "ds"
    shutil.copytree(src, dst)
    text = (dst / "links.csv").read_text(encoding="utf-8")
    row = next(i for i, line in enumerate(text.splitlines()) if "gibraltar;dover" in line)
    (dst / "links.csv").write_text(text.replace("gibraltar;dover", "gibralter;dover", 1), encoding="utf-8")
    _, problems = load_dataset(dst)
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    assert len(errors) == 1
    msg = str(errors[0])
    assert msg.startswith(f"links.csv, row {row + 1}, column 'chokepoints'")
    assert "'gibralter'" in msg
