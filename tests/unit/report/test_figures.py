from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from crudeflow.report import figures


def test_map_figure_is_cartesian_with_legend_and_hover(tiny: Any, tiny_plan: Any) -> None:
    fig = figures.map_figure(tiny_plan, tiny)
    types = {t.type for t in fig.data}
    assert types == {"scatter"}  # no geo traces: nothing fetched from a CDN
    names = {t.name for t in fig.data if t.showlegend is not False and t.name}
    assert {"Pipeline", "Tanker", "Refinery", "Field", "Disabled", "At capacity"} <= names
    hover = next(t for t in fig.data if t.name == "links")
    text = " ".join(hover.hovertext)
    assert "flow 10.00 of 10.0 Mt/yr" in text  # fj, full
    assert "shadow price" in text
    assert fig.layout.yaxis.scaleanchor == "x"


def test_sankey_conserves_volume_per_stage(tiny: Any, tiny_plan: Any) -> None:
    fig = figures.sankey_figure(tiny_plan, tiny)
    s = fig.data[0]
    labels = list(s.node.label)
    src, dst, val = np.array(s.link.source), np.array(s.link.target), np.array(s.link.value)
    # 12 Mt/yr delivered in total (4 to r1, 8 to r2): each stage passes it all on
    out_of_origins = val[np.isin(src, [labels.index("Kazakhstan"), labels.index("United States")])].sum()
    assert out_of_origins == pytest.approx(12.0)
    kz = labels.index("Kazakhstan")
    assert val[src == kz].sum() == pytest.approx(10.0)
    # Kazakh crude crosses Russia (to Belarus) and Russia → Belarus (to Poland); US crude goes direct
    assert "via Russia" in labels
    assert "via Russia → Belarus" in labels
    assert "direct" in labels
    into_refineries = val[
        np.isin(dst, [i for i, lab in enumerate(labels) if "Mozyr" in lab or "Plock" in lab])
    ]
    assert into_refineries.sum() == pytest.approx(12.0)


def test_cost_bars_stack_to_delivered_cost(tiny: Any, tiny_plan: Any) -> None:
    fig = figures.cost_figure(tiny_plan, tiny)
    bars = [t for t in fig.data if t.type == "bar"]
    ys = list(bars[0].y)
    total = {y: sum(float(b.x[i]) for b in bars) for i, y in enumerate(ys)}
    # hand-solved: r1 400 + 8 = 408; r2 (6 x 415 + 2 x 450) / 8 = 423.75 USD/t
    r1 = next(y for y in ys if y.startswith("Mozyr"))
    r2 = next(y for y in ys if y.startswith("Plock"))
    assert total[r1] == pytest.approx(408.0)
    assert total[r2] == pytest.approx(423.75)
    note = next(t for t in fig.data if t.type == "scatter")
    assert any("unmet 2.0 Mt/yr" in str(x) for x in note.text)


def test_cost_delta_is_other_minus_base(tiny: Any, tiny_plan: Any) -> None:
    from crudeflow.api import plan

    dearer = tiny.replace(links=tiny.links.assign(tariff_usd_per_t=tiny.links["tariff_usd_per_t"] + 10.0))
    p2 = plan(dearer)
    fig = figures.cost_delta_figure(tiny_plan, p2, tiny)
    net = next(t for t in fig.data if t.name == "Net change")
    # every route is one leg longer by 10 USD/t... except f→j→r: two legs, +20
    d = dict(zip(net.y, net.x, strict=True))
    r1 = next(k for k in d if k.startswith("Mozyr"))
    assert d[r1] == pytest.approx(20.0)


def test_stress_figure_from_a_ranking() -> None:
    import pandas as pd

    ranking = pd.DataFrame(
        {"kind": ["link", "link"], "skipped": [False, True], "delta_objective_usd": [5e8, 0.0],
         "unmet_mt_per_year": [1.5, 0.0]},
        index=pd.Index(["fj", "sea"], name="asset"),
    )  # fmt: skip
    fig = figures.stress_figure(ranking)
    assert list(fig.data[0].y) == ["fj"]
    assert fig.data[0].x[0] == pytest.approx(0.5)  # bn USD/yr
