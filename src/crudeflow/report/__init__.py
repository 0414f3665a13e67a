"""Offline reports of a plan: HTML (plotly, inline), figures for notebooks, a static map image.

``build_report(plan, network, compare=..., stress=...)`` returns the HTML text,
``write_report(path, ...)`` writes it, ``render_map(plan, network, path)`` draws the map
to PNG/SVG with matplotlib, and :mod:`crudeflow.report.figures` returns the plotly
figures (``map_figure``, ``sankey_figure``, ``cost_figure``). plotly and matplotlib are
imported only when a figure is drawn.
"""

from __future__ import annotations

from crudeflow.report.html import Side, build_report, write_report
from crudeflow.report.run import scenario_map, scenario_report
from crudeflow.report.static_map import render_map, render_map_png

__all__ = [
    "Side",
    "build_report",
    "render_map",
    "render_map_png",
    "scenario_map",
    "scenario_report",
    "write_report",
]
