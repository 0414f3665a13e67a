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
