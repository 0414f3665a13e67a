"""The ``crudeflow`` command line: a thin typer shell over the Python API.

A ``CrudeflowError`` becomes one red line (plus its listed problems) and an exit code;
never a traceback. Heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table as RichTable

from crudeflow.exceptions import CrudeflowError, Problem

app = typer.Typer(
    name="crudeflow",
    help="Cross-border crude supply: routes, least-cost plans, outages, diversification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="List, show, validate and export datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")

# Pipes and CI logs get wide tables instead of 80 truncated columns.
console = Console(width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 200)


def _fail(exc: CrudeflowError) -> None:
    """Print one red line and each problem, then exit with the error's code."""
    lines = str(exc).splitlines() or [type(exc).__name__]
    problems: tuple[Problem, ...] = getattr(exc, "problems", ())
    err_console.print(f"[bold red]error:[/] {lines[0]}", highlight=False, soft_wrap=True)
    if not problems:
        for line in lines[1:]:
            err_console.print(line, highlight=False, soft_wrap=True)
    for p in problems:
        colour = "red" if p.severity == "error" else "yellow"
        err_console.print(f"  [{colour}]{p.severity}[/]: {p}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def print_json(obj: Any) -> None:
    """Write JSON to stdout (no rich markup)."""
    sys.stdout.write(json.dumps(obj, indent=2, default=_json_default) + "\n")


def _json_default(o: Any) -> Any:
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, tuple | set):
        return list(o)
    return str(o)


def frame_table(
    frame: Any, title: str | None = None, max_rows: int = 60, floatfmt: str = "{:,.2f}"
) -> RichTable:
    """A rich table of a DataFrame (index included when named)."""
    import pandas as pd

    df: pd.DataFrame = frame
    if df.index.name is not None or isinstance(df.index, pd.MultiIndex):
        df = df.reset_index()
    t = RichTable(title=title, show_lines=False, header_style="bold cyan")
    for c in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        t.add_column(str(c), justify="right" if numeric else "left")
    for rec in df.head(max_rows).itertuples(index=False):
        cells = []
        for v in rec:
            if isinstance(v, float):
                cells.append("" if v != v else floatfmt.format(v))
            elif isinstance(v, tuple):
                cells.append(";".join(map(str, v)))
            else:
                cells.append(str(v))
        t.add_row(*cells)
    if len(df) > max_rows:
        t.caption = f"{len(df) - max_rows} more rows (use --json for all)"
    return t


DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help="Dataset folder or shipped name.")]


@data_app.command("list")
def data_list() -> None:
    """List the datasets shipped with crudeflow."""
    from crudeflow.io.dataset import resolve_dataset, shipped_datasets

    for name in shipped_datasets():
        console.print(f"{name}\t{resolve_dataset(name)}", highlight=False)


@data_app.command("show")
def data_show(
    dataset: Annotated[str | None, typer.Argument(help="Dataset folder or shipped name.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts, supply and demand totals, capacity by mode, and the links table."""
    from crudeflow.api import data_overview

    try:
        ov = data_overview(dataset)
    except CrudeflowError as exc:
        _fail(exc)
        return
    if as_json:
        print_json(
            {
                "summary": ov.summary,
                "capacity_by_mode": ov.capacity_by_mode.reset_index().to_dict(orient="records"),
                "links": ov.links.reset_index().to_dict(orient="records"),
            }
        )
        return
    s = ov.summary
    console.print(f"[bold]{s['name']}[/] (base year {s['base_year']})")
    t = RichTable(show_header=False)
    for k, v in s.items():
        if k not in ("name", "base_year"):
            t.add_row(k, f"{v:,.1f}" if isinstance(v, float) else str(v))
    console.print(t)
    console.print(frame_table(ov.capacity_by_mode, "Capacity by mode"))
    console.print(frame_table(ov.links, "Links", max_rows=400))


@data_app.command("validate")
def data_validate(
    path: Annotated[str, typer.Argument(help="Dataset folder or shipped name.")],
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
) -> None:
    """Validate a dataset: every problem with file, row and column; exit 2 on errors."""
    from crudeflow.io.dataset import load_dataset, resolve_dataset

    try:
        folder = resolve_dataset(path)
    except CrudeflowError as exc:
        _fail(exc)
        return
    net, problems = load_dataset(folder)
    errors = [p for p in problems if p.severity == "error" or strict]
    for p in problems:
        colour = "red" if p.severity == "error" else "yellow"
        err_console.print(f"[{colour}]{p.severity}[/]: {p}", highlight=False, soft_wrap=True)
    if errors or net is None:
        err_console.print(f"[bold red]error:[/] {len(errors)} problem(s) in {folder}", highlight=False)
        raise typer.Exit(2)
    s = net.summary()
    warns = len(problems)
    console.print(
        f"[green]ok[/]: {folder} — {s['nodes']} nodes, {s['links']} links, {s['grades']} grades, "
        f"{s['sources']} sources; {warns} warning(s)",
        highlight=False,
    )


@data_app.command("export")
def data_export(
    dataset: Annotated[str, typer.Argument(help="Shipped dataset name or folder.")],
    directory: Annotated[Path, typer.Argument(help="New or empty folder to write (a copy to edit).")],
    force: Annotated[
        bool, typer.Option("--force", help="Write into a non-empty folder, replacing files of the same name.")
    ] = False,
) -> None:
    """Copy a dataset to a new folder to edit; the copy validates and loads."""
    from crudeflow.api import export_dataset

    try:
        out = export_dataset(dataset, directory, force=force)
    except CrudeflowError as exc:
        _fail(exc)
        return
    console.print(f"exported {dataset} to {out}", highlight=False)


ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", "-s", help="Scenario file or shipped scenario name.")
]


@app.command("plan")
def plan_cmd(
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    strict: Annotated[bool, typer.Option(help="No unmet-demand slack: fail if demand can't be met.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    csv_dir: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Write every plan table as CSV into this new, empty or earlier --csv folder"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="With --csv: write into a folder holding other or edited files.")
    ] = False,
) -> None:
    """The least-cost supply plan: deliveries, costs, bottlenecks and unmet demand."""
    from crudeflow.api import plan, write_plan_csv
    from crudeflow.io.output import check_dir_target

    try:
        if csv_dir is not None:
            check_dir_target(csv_dir, force=force, manifest=True)
        p = plan(dataset, scenario, strict=strict)
        if csv_dir is not None:
            write_plan_csv(p, csv_dir, force=force)
    except CrudeflowError as exc:
        _fail(exc)
        return
    if as_json:
        sys.stdout.write(p.to_json() + "\n")
        return
    show_plan(p)
    if csv_dir is not None:
        console.print(f"tables written to {csv_dir}", highlight=False)


def show_plan(p: Any) -> None:
    """Print a plan as rich tables."""
    s = p.summary()
    console.rule(f"[bold]Plan: {s['scenario']}[/] ({s['status']})")
    console.print(
        f"objective [bold]{s['objective_usd'] / 1e9:,.3f} bn USD/yr[/] · delivered "
        f"{s['delivered_mt_per_year']:,.1f} Mt/yr at {s['average_delivered_cost_usd_per_t']:,.1f} USD/t · "
        f"unmet {s['unmet_mt_per_year']:,.2f} Mt/yr · shut in {s['shut_in_mt_per_year']:,.2f} Mt/yr · "
        f"sold to world markets {s['sold_to_markets_mt_per_year']:,.1f} Mt/yr",
        highlight=False,
    )
    cost_cols = ["country", "demand_mt_per_year", "delivered_mt_per_year", "unmet_mt_per_year",
                 "price_usd_per_t", "transport_usd_per_t", "duties_usd_per_t", "fees_usd_per_t",
                 "delivered_cost_usd_per_t"]  # fmt: skip
    console.print(frame_table(p.costs[cost_cols], "Delivered cost per refinery (USD/t)"))
    console.print(frame_table(p.deliveries, "Deliveries by grade and origin"))
    if len(p.unmet):
        console.print(frame_table(p.unmet, "Unmet demand and why"))
    if len(p.shut_in):
        console.print(frame_table(p.shut_in, "Fixed output that cannot be placed"))
    console.print(frame_table(p.bottlenecks, "Bottlenecks (binding links, shadow price USD/t)"))
    sales = p.sales.groupby("node")["mt_per_year"].sum().to_frame()
    console.print(frame_table(sales, "Sold to world-market outlets (Mt/yr)"))
    conc = p.concentration.drop(columns=["shares"])
    console.print(frame_table(conc, "Supply concentration (HHI, 10,000 = one source)"))


@app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="Scenario (file or name) or 'base'.")],
    b: Annotated[str, typer.Argument(help="Scenario (file or name) or 'base'.")],
    dataset: DatasetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Two plans side by side: total cost, cost per refinery, changed flows, new unmet demand."""
    from crudeflow.api import compare

    try:
        c = compare(a, b, dataset=dataset)
    except CrudeflowError as exc:
        _fail(exc)
        return
    if as_json:
        print_json(
            {
                name: getattr(c, name).reset_index().to_dict(orient="records")
                for name in ("totals", "refineries", "flows", "unmet", "concentration")
            }
        )
        return
    console.print(frame_table(c.totals, f"{c.a.scenario} → {c.b.scenario}"))
    console.print(frame_table(c.refineries, "Per refinery (a → b)"))
    console.print(frame_table(c.flows, "Changed link flows (Mt/yr)"))
    if len(c.unmet):
        console.print(frame_table(c.unmet, "Unmet demand"))
    console.print(frame_table(c.concentration, "Concentration (HHI)"))


def _register() -> None:
    from crudeflow.commands import register_all

    register_all(app)


_register()


def main() -> None:
    """Console-script entry point."""
    import os

    try:
        app()
    except CrudeflowError as exc:  # commands catch their own; this is a safety net
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("CRUDEFLOW_DEBUG"):
            raise
        err_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc} "
            "(a bug in crudeflow: please report it; set CRUDEFLOW_DEBUG=1 for the traceback)",
            highlight=False,
        )
        sys.exit(70)


if __name__ == "__main__":
    main()
