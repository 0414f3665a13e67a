"""``crudeflow report`` (offline HTML) and ``crudeflow map`` (PNG/SVG) commands."""

from __future__ import annotations

import math
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
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]

MAX_PIXELS = 20_000
"""Largest map side in pixels (width × dpi): matplotlib refuses 65,536 and memory runs out first."""


def register(app: typer.Typer) -> None:
    """Add the ``report`` and ``map`` commands to the main app."""
    from crudeflow.commands.terminal import console, err_console
    from crudeflow.commands.terminal import fail as _fail

    @app.command("report")
    def report_cmd(
        dataset: DatasetOpt = None,
        scenario: ScenarioOpt = None,
        compare: CompareOpt = None,
        stress: StressOpt = False,
        holdout: Annotated[
            str | None,
            typer.Option(
                "--holdout", help="Add days of cover of these importers (comma-separated, or 'all')."
            ),
        ] = None,
        backtest_all: Annotated[
            bool,
            typer.Option(
                "--backtest-all", help="Add the back-test of the base and every historical scenario."
            ),
        ] = False,
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")] = Path(
            "report.html"
        ),
        force: ForceOpt = False,
    ) -> None:
        """One self-contained HTML report (map, Sankey, costs, tables) that needs no network."""
        from crudeflow.io.output import OutputError, atomic_file, check_file_target
        from crudeflow.report.run import scenario_report

        try:
            check_file_target(output, force=force)
            if output.suffix.lower() not in (".html", ".htm"):
                msg = f"report output must end in .html or .htm (the report is HTML), not {output.name!r}"
                raise OutputError(msg)
            status = err_console.status("planning and drawing the report…")
            with status, atomic_file(output, force=force) as tmp:
                cover = None if holdout is None else [h.strip() for h in holdout.split(",") if h.strip()]
                scenario_report(tmp, dataset, scenario, compare=compare, stress=stress, holdout=cover,
                                backtest_all=backtest_all)  # fmt: skip
            out = output
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
        dpi: Annotated[int, typer.Option(min=1, max=2400, help="Resolution of a PNG (dots per inch).")] = 200,
        width: Annotated[
            float, typer.Option(min=1.0, max=200.0, help="Image width in inches (1 to 200).")
        ] = 13.0,
        force: ForceOpt = False,
    ) -> None:
        """The network map of a plan as a static PNG or SVG (matplotlib, offline)."""
        from crudeflow.io.output import OutputError, atomic_file, check_file_target
        from crudeflow.report.run import scenario_map

        try:
            if output.is_dir():
                msg = (
                    f"cannot write {output}: it is a folder; give an image name such as {output / 'map.png'}"
                )
                raise OutputError(msg)
            if output.suffix.lower() not in (".png", ".svg"):
                msg = f"map output must end in .png or .svg, not {output.name!r}"
                raise OutputError(msg)
            if not math.isfinite(width):
                msg = f"--width must be a number of inches, not {width}"
                raise CrudeflowError(msg)
            if width * dpi > MAX_PIXELS:
                msg = (
                    f"--width {width:g} × --dpi {dpi} makes a map {width * dpi:,.0f} pixels wide; "
                    f"at most {MAX_PIXELS:,}: lower --dpi or --width"
                )
                raise CrudeflowError(msg)
            check_file_target(output, force=force)
            with atomic_file(output, force=force) as tmp:
                scenario_map(tmp, dataset, scenario, dpi=dpi, width_in=width)
            out = output
        except CrudeflowError as exc:
            _fail(exc)
            return
        console.print(f"map written to {out}", highlight=False)
