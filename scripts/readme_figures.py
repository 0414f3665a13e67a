"""Regenerate the figure blocks of README.md from the code, so no quoted figure is typed by hand.

Each block sits between ``<!-- figures:NAME -->`` and ``<!-- /figures:NAME -->``; the text
between the markers is rebuilt from fresh plans of the shipped dataset and scenarios.

    python scripts/readme_figures.py          # rewrite README.md in place
    python scripts/readme_figures.py --check  # exit 1 if README.md's figures have drifted

``tests/acceptance/test_readme_figures.py`` runs the check, so drift fails the suite.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

import crudeflow as cf

README = Path(__file__).resolve().parents[1] / "README.md"
DATASET = "caspian-europe"


@cache
def _net() -> Any:
    return cf.read_dataset(DATASET)


@cache
def _plan(scenario: str | None) -> Any:
    return cf.plan(_net(), scenario)


def _summary(scenario: str | None) -> dict[str, Any]:
    return dict(_plan(scenario).summary())


def _economic_cost_usd(scenario: str | None) -> float:
    """Crude, transport, duties and fees minus market revenue (USD/yr), penalties excluded."""
    return float(_summary(scenario)["economic_cost_usd"])


def _unmet(scenario: str | None, country: str | None = None) -> float:
    p = _plan(scenario)
    if country is None:
        return float(_summary(scenario)["unmet_mt_per_year"])  # a horizon average with periods
    costs = p.costs
    return float(costs.loc[costs["country"] == country, "unmet_mt_per_year"].sum())


def _shut_in(scenario: str | None) -> float:
    return float(_summary(scenario)["shut_in_mt_per_year"])


def _shut_in_of(scenario: str | None, country: str) -> float:
    """Shut-in output of one producing country (Mt/yr)."""
    s = _plan(scenario).shut_in.reset_index()
    where = _net().nodes["country"].reindex(s["node"]).to_numpy() == country
    return float(s.loc[where, "mt_per_year"].sum())


def _avg_cost(scenario: str | None, country: str) -> float:
    """Volume-weighted delivered cost of a country's refinery intake (USD/t)."""
    c = _plan(scenario).costs
    c = c[c["country"] == country]
    vol = c["delivered_mt_per_year"]
    return float((vol * c["delivered_cost_usd_per_t"]).sum() / vol.sum())


def _fmt(x: float, nd: int = 1) -> str:
    return f"{x:,.{nd}f}"


def block_scenario_figures() -> str:
    """A table: each shipped scenario's economic cost against the base, unmet and shut-in."""
    base = _economic_cost_usd(None)
    rows = [
        "| scenario | economic cost, bn USD/yr (Δ vs base) | unmet, Mt/yr (of it Belarus) | shut-in, Mt/yr |",
        "|---|---|---|---|",
        f"| base (2023) | {_fmt(base / 1e9)} | {_fmt(_unmet(None), 2)} ({_fmt(_unmet(None, 'BY'), 2)}) "
        f"| {_fmt(_shut_in(None), 2)} |",
    ]
    for name in cf.shipped_scenarios():
        eco = _economic_cost_usd(name)
        rows.append(
            f"| `{name}` | {_fmt(eco / 1e9)} ({(eco - base) / 1e9:+,.1f}) "
            f"| {_fmt(_unmet(name), 2)} ({_fmt(_unmet(name, 'BY'), 2)}) | {_fmt(_shut_in(name), 2)} |"
        )
    return "\n".join(rows)


@cache
def _lifted_plan(scenario: str) -> Any:
    """A scenario planned on the base without the 2023 wartime and sanctions measures."""
    lifted = cf.read_scenario("no-2023-measures").apply(_net())
    return cf.plan(cf.read_scenario(scenario).apply(lifted))


def block_belarus_story() -> str:
    """The paragraph on what the base and the Belarus scenario say, with their figures."""
    s = "belarus-without-russian-crude"
    lp = _lifted_plan(s)
    lc = lp.costs[lp.costs["country"] == "BY"]
    lifted_unmet = float(lc["unmet_mt_per_year"].sum())
    lifted_cost = float((lc["delivered_mt_per_year"] * lc["delivered_cost_usd_per_t"]).sum())
    lifted_avg = lifted_cost / float(lc["delivered_mt_per_year"].sum())
    return (
        f"On the 2023 base, Belarus's refineries take crude at {_fmt(_avg_cost(None, 'BY'), 0)} USD/t "
        f"delivered on average. With `{s}`, under the measures in force in 2023 (no crude for Belarus "
        f"through Ukraine or the Baltic states), Belarus runs only its own crude and "
        f"{_fmt(_unmet(s, 'BY'), 1)} Mt/yr of its demand stays unmet, each tonne with its reason (which "
        f"links are full, which policies close routes). With those measures lifted (`no-2023-measures` "
        f"applied first), Belarus imports through Odessa-Brody, Odesa and Baltic rail at "
        f"{_fmt(lifted_avg, 0)} USD/t on average and {_fmt(lifted_unmet, 1)} Mt/yr stays unmet. With "
        f"`cpc-shut`, {_fmt(_shut_in_of('cpc-shut', 'KZ'), 1)} Mt/yr of Kazakh output cannot be placed "
        f"(shut in); with `kazakhstan-bypass-russia`, "
        f"{_fmt(_shut_in_of('kazakhstan-bypass-russia', 'KZ'), 1)} Mt/yr."
    )


def _by_origin(scenario: str, country: str) -> dict[str, float]:
    """Refinery intake of a country by origin of the crude (Mt/yr)."""
    p = _plan(scenario)
    d = p.deliveries
    ref = p.costs.index[p.costs["country"] == country]
    d = (
        d[d.index.get_level_values(0).isin(ref)]
        if "refinery" in (d.index.names or [])
        else d[d["refinery"].isin(ref)]
    )
    return {str(k): float(v) for k, v in d.groupby("origin")["mt_per_year"].sum().items() if v > 1e-6}


def _origin_cost(scenario: str, country: str, origin: str) -> float:
    """Volume-weighted delivered cost of one origin's crude at a country's refineries (USD/t)."""
    p = _plan(scenario)
    d = p.deliveries.reset_index()
    ref = set(p.costs.index[p.costs["country"] == country])
    d = d[d["refinery"].isin(ref) & (d["origin"] == origin)]
    return float((d["mt_per_year"] * d["delivered_cost_usd_per_t"]).sum() / d["mt_per_year"].sum())


def block_history() -> str:
    """Belarus in 2010 and 2011 by origin, the duty quota, Odessa-Brody paid and used."""
    y10, y11 = "russia-export-duty-belarus-2010", "belarus-odessa-brody-2011"
    o10, o11 = _by_origin(y10, "BY"), _by_origin(y11, "BY")
    duties = _plan(y10).duties
    free = float(duties["duty_free_mt_per_year"].sum())
    paid = float(duties["dutiable_mt_per_year"].sum())
    com = _plan(y11).commitments
    ob = com[com["kind"] == "ship_or_pay"].iloc[0]

    def origins(o: dict[str, float]) -> str:
        return ", ".join(f"{k} {_fmt(v, 2)}" for k, v in sorted(o.items(), key=lambda kv: -kv[1]))

    ratio = _origin_cost(y10, "BY", "VE") / _origin_cost(y10, "BY", "RU")
    return (
        f"In `{y10}` Belarus refines (Mt/yr by origin) {origins(o10)}: {_fmt(free, 1)} Mt of Russian "
        f"crude enter duty-free under the quota and {_fmt(paid, 2)} Mt pay the duty; Venezuelan crude "
        f"costs {ratio:.2f}× Russian crude delivered. In `{y11}` (no duty) it refines {origins(o11)}; "
        f"Odessa–Brody is paid for {_fmt(float(ob['limit_mt_per_year']), 1)} Mt/yr and carries "
        f"{_fmt(float(ob['used_mt_per_year']), 2)} Mt/yr."
    )


def block_holdout() -> str:
    """Days of cover for Belarus on the monthly 2023 network: the worst cases."""
    from crudeflow.io.load import network_and_scenario

    net, _ = network_and_scenario(DATASET, "monthly-2023")
    res = cf.holdout(net, "BY")
    r = res.ranking
    r = r[r["importer"] == "BY"]
    r = r[(r["rank"] <= 6) | r["case"].isin(["country:RU"])]
    lines = ["| case | days of cover | unmet over 180 days, Mt |", "|---|---|---|"]
    for _, row in r.iterrows():
        d = row["days_of_cover"]
        days = "beyond the horizon" if d != d else f"{float(d):.1f}"
        lines.append(f"| `{row['case']}` | {days} | {float(row['unmet_mt']):.2f} |")
    return "\n".join(lines)


def block_calibration() -> str:
    """Back-test scores of the 2023 base, uncalibrated and calibrated, and the frictions."""
    rows = []
    for cal in (False, True):
        br = cf.backtest(calibrated=cal).by_role
        rows.append({k: (int(br.loc[k, "passed"]), int(br.loc[k, "rows"])) for k in br.index})
    fr = _net().frictions
    parts = ", ".join(
        f"`{i}` {float(r['friction_usd_per_t']):.1f} USD/t ({r['kind']})" for i, r in fr.iterrows()
    )
    (c0, h0), (c1, h1) = (
        (rows[0]["calibrate"], rows[0]["holdout"]),
        (rows[1]["calibrate"], rows[1]["holdout"]),
    )
    return (
        f"Uncalibrated, the 2023 base passes {c0[0]} of {c0[1]} `calibrate` rows and {h0[0]} of {h0[1]} "
        f"`holdout` rows; calibrated, {c1[0]} of {c1[1]} and {h1[0]} of {h1[1]}. The frictions: {parts}."
    )


def block_price_cap() -> str:
    """Russian crude by tanker class under the price cap, with and without the shadow fleet."""
    out = []
    for sc in ("price-cap-2023", "price-cap-2023-no-shadow-fleet"):
        pc = _plan(sc).price_cap
        by = pc.groupby("tanker_class")["mt"].sum() if len(pc) else pd.Series(dtype=float)
        prem = float(pc["premium_usd"].sum()) if len(pc) else 0.0
        out.append(
            f"`{sc}`: G7 tankers {_fmt(float(by.get('g7', 0.0)), 1)} Mt, shadow fleet "
            f"{_fmt(float(by.get('shadow', 0.0)), 1)} Mt, premium {prem / 1e9:.2f} bn USD, "
            f"shut-in {_fmt(_shut_in(sc), 1)} Mt/yr"
        )
    return "; ".join(out) + "."


def block_dataset_size() -> str:
    """One sentence: what the shipped dataset holds, counted from its tables."""
    net = _net()
    strict = cf.plan(net, strict=True)
    return (
        f"The shipped `{DATASET}` dataset (base year {net.meta.base_year}) has {len(net.nodes)} nodes, "
        f"{len(net.links)} links, {len(net.grades)} grades, {len(net.supplies)} supplies, "
        f"{len(net.demands)} refinery demands, {len(net.observed)} observed flows and "
        f"{len(net.sources)} sources; its base plans under `--strict` (economic cost "
        f"{_fmt(float(strict.summary()['economic_cost_usd']) / 1e9)} bn USD/yr, no unmet demand)."
    )


BLOCKS: dict[str, Callable[[], str]] = {
    "dataset-size": block_dataset_size,
    "belarus-story": block_belarus_story,
    "scenario-figures": block_scenario_figures,
    "history": block_history,
    "holdout": block_holdout,
    "calibration": block_calibration,
    "price-cap": block_price_cap,
}

_MARK = re.compile(r"(<!-- figures:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /figures:(?P=name) -->)", re.S)


def render(text: str) -> str:
    """``text`` with every known figure block rebuilt; an unknown block name is an error."""

    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in BLOCKS:
            raise SystemExit(f"README.md: unknown figures block '{name}' (known: {', '.join(BLOCKS)})")
        return m.group(1) + BLOCKS[name]().rstrip("\n") + "\n" + m.group(4)

    return _MARK.sub(sub, text)


def main(argv: list[str]) -> int:
    """Rewrite README.md, or with --check report whether it has drifted (exit 1)."""
    text = README.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print("README.md figures have drifted: run python scripts/readme_figures.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
