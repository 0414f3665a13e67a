"""``crudeflow report`` (offline HTML) and ``crudeflow map`` (PNG/SVG) commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crudeflow.exceptions import CrudeflowError

DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help="Dataset folder or shipped name.")]
ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", "-s", help="Scenario file or shipped scenario name.")
]
CompareOpt = Annotated[
    str | None,
    typer.Option("--compare", "-c", help="Reference scenario (file or name) or 'base', shown side by side."),
]
StressOpt = Annotated[bool, typer.Option("--stress", help="Add the N-1 criticality ranking of links.")]


def register(app: typer.Typer) -> None:
    """Add the ``report`` and ``map`` commands to the main app."""
    from crudeflow.cli import _fail, console, err_console

    @app.command("report")
    def report_cmd(
        dataset: DatasetOpt = None,
        scenario: ScenarioOpt = None,
        compare: CompareOpt = None,
        stress: StressOpt = False,
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
            "report.html"
        ),
    ) -> None:
        """One self-contained HTML report (map, Sankey, costs, tables) that needs no network."""
        from crudeflow.report.run import scenario_report

        try:
            with err_console.status("planning and drawing the report…"):
                out = scenario_report(
                    output, dataset, scenario, compare=compare, stress=stress, progress=False
                )
        except CrudeflowError as exc:
            _fail(exc)
            return
        size = out.stat().st_size / 1e6
        console.print(f"report written to {out} ({size:,.1f} MB, works offline)", highlight=False)

    @app.command("map")
    def map_cmd(
        dataset: DatasetOpt = None,
        scenario: ScenarioOpt = None,
        output: Annotated[Path, typer.Option("--output", "-o", help="Image to write: .png or .svg.")] = Path(
            "map.png"
        ),
        dpi: Annotated[int, typer.Option(help="Resolution of a PNG (dots per inch).")] = 200,
        width: Annotated[float, typer.Option(help="Image width in inches.")] = 13.0,
    ) -> None:
        """The network map of a plan as a static PNG or SVG (matplotlib, offline)."""
        from crudeflow.report.run import scenario_map

        try:
            out = scenario_map(output, dataset, scenario, dpi=dpi, width_in=width)
        except CrudeflowError as exc:
            _fail(exc)
            return
        console.print(f"map written to {out}", highlight=False)
