from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from crudeflow.report import build_report, write_report


class Refs(HTMLParser):
    """Every src/href attribute and every element id of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "action", "data", "poster") and v is not None:
                self.refs.append(v)
            if k == "id" and v:
                self.ids.add(v)


def parse(text: str) -> Refs:
    p = Refs()
    p.feed(text)
    return p


@pytest.fixture(scope="module")
def page(tiny: Any, tiny_plan: Any) -> str:
    return build_report(tiny_plan, tiny)


def test_loads_nothing_from_outside(page: str) -> None:
    p = parse(page)
    assert all(not r.strip().lower().startswith(("http", "//")) for r in p.refs), p.refs
    assert "link" not in p.tags  # no external stylesheet or font
    assert "<script src" not in page
    assert "@import" not in page
    assert "url(http" not in page


def test_contains_map_sankey_costs_and_tables(page: str) -> None:
    p = parse(page)
    assert {"map-0", "sankey-0", "cost-0"} <= p.ids
    assert {"summary", "map", "sankey", "costs", "tables"} <= p.ids
    assert '"type":"sankey"' in page
    assert "Plotly.newPlot" in page
    assert len(page) > 3_000_000  # plotly.js itself is inline
    for heading in ("Unmet demand and why", "Bottlenecks", "Link flows", "Delivered cost per refinery"):
        assert heading in page
    # the unmet reason, the binding links and the hand-solved delivered costs are in the tables
    assert "is full at 4.00 Mt/yr" in page
    assert ">j_r1<" in page
    assert ">fj<" in page
    assert ">423.75<" in page
    assert ">408.00<" in page
    assert "Natural Earth" in page


def test_names_are_escaped(page: str) -> None:
    # a node named 'Plock <b>refinery</b>' must not inject markup into the tables
    assert "Plock <b>refinery</b>" not in page.split("<main>")[1].split("<script")[0]


def test_compare_shows_both_and_deltas(tiny: Any, tiny_plan: Any) -> None:
    from crudeflow.api import plan

    # open the closed rail link: r1 gets its missing 2 Mt/yr straight from the field
    opened = tiny.replace(links=tiny.links.assign(status="operating"))
    p2 = plan(opened)
    page = build_report(p2, opened, compare=(tiny_plan, tiny))
    p = parse(page)
    assert {"map-0", "map-1", "sankey-0", "sankey-1", "cost-0", "cost-1", "cost-delta", "changes"} <= p.ids
    assert "What changes" in page
    # r1's unmet demand falls by 2 Mt/yr
    assert ">-2.00<" in page


def test_stress_section_and_note(tiny: Any, tiny_plan: Any) -> None:
    ranking = pd.DataFrame(
        {"kind": ["link"], "skipped": [False], "delta_objective_usd": [2e8], "unmet_mt_per_year": [1.0]},
        index=pd.Index(["fj"], name="asset"),
    )
    page = build_report(tiny_plan, tiny, stress=ranking)
    assert 'id="stress"' in page
    assert "Criticality ranking" in page
    page = build_report(tiny_plan, tiny, stress_note="not available here")
    assert "not available here" in page
    assert 'id="stress-0"' not in page


def test_write_report(tmp_path: Path, tiny: Any, tiny_plan: Any) -> None:
    out = write_report(tmp_path / "sub" / "r.html", tiny_plan, tiny)
    assert out.exists()
    assert out.stat().st_size > 3_000_000
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_stress_is_omitted_with_a_note_when_analysis_is_missing(
    monkeypatch: pytest.MonkeyPatch, tiny: Any
) -> None:
    import sys

    import crudeflow
    from crudeflow.report.run import _stress_or_note

    monkeypatch.setitem(sys.modules, "crudeflow.analysis", None)  # import fails
    monkeypatch.delattr(crudeflow, "analysis", raising=False)
    result, note = _stress_or_note(tiny)
    assert result is None
    assert note is not None
    assert "not available" in note


def test_stress_ranking_from_the_analysis(tiny: Any) -> None:
    pytest.importorskip("crudeflow.analysis.contingency")
    from crudeflow.report.run import _stress_or_note

    result, note = _stress_or_note(tiny)
    assert note is None
    d = result.ranking["delta_objective_usd"]
    # by hand (USD/yr): without j_r1, r1 loses its 4 Mt (4 x 1000 penalty - 4 x 408) and the
    # freed Kazakh 4 Mt replaces 2 Mt of US crude at r2 (-2 x 35): 2,298 M
    assert d["j_r1"] == pytest.approx(2.298e9)
    # without the tanker, r2 is 2 Mt short: 2 x (1000 - 450) = 1,100 M
    assert d["sea"] == pytest.approx(1.1e9)
    # without fj, US crude serves r2 (6 x 35 more) and r1 via r2 -> j (4 x 46 more): 394 M
    assert d["fj"] == pytest.approx(3.94e8)
    assert list(d.index[:3]) == ["j_r1", "sea", "fj"]


def test_summary_cards_colour_by_meaning(tiny: Any, tiny_plan: Any) -> None:
    """Less delivered, more unmet: red (worse), whatever the sign of the change (review #19)."""
    import re

    from crudeflow.api import plan

    opened = tiny.replace(links=tiny.links.assign(status="operating"))
    p2 = plan(opened)

    def card_class(page: str, label: str) -> str:
        m = re.search(re.escape(label) + r'</div>.*?<span class="([^"]*)">Δ', page, flags=re.S)
        assert m is not None, label
        return m.group(1)

    # shown: the plan with r1 short, against the opened one: 2 Mt/yr less delivered, 2 more unmet
    worse = build_report(tiny_plan, tiny, compare=(p2, opened))
    assert card_class(worse, "Delivered to refineries") == "worse"
    assert card_class(worse, "Unmet demand") == "worse"
    better = build_report(p2, opened, compare=(tiny_plan, tiny))
    assert card_class(better, "Delivered to refineries") == "better"
    assert card_class(better, "Unmet demand") == "better"
