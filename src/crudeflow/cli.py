"""The ``crudeflow`` command line: a thin typer shell over the Python API.

A ``CrudeflowError`` becomes one red line (plus its listed problems) and an exit code;
never a traceback. Heavy modules are imported inside the commands that need them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from crudeflow.commands.terminal import (
    NARROW,
    WIDE,
    console,
    err_console,
    fail,
    fit_console,
    frame_table,
    header,
    print_json,
    print_warnings,
    rule,
    short_id,
    terminal_width,
)
from crudeflow.exceptions import CrudeflowError

__all__ = [
    "NARROW",
    "WIDE",
    "app",
    "console",
    "err_console",
    "fit_console",
    "frame_table",
    "header",
    "main",
    "print_json",
    "short_id",
    "terminal_width",
]

_fail = fail

if TYPE_CHECKING:
    import pandas as pd

    from crudeflow.results.plan import Plan

app = typer.Typer(
    name="crudeflow",
    help="Cross-border crude supply: routes, least-cost plans, outages, diversification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="List, show, validate and export datasets.", no_args_is_help=True)
app.add_typer(data_app, name="data")

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
    links: Annotated[bool, typer.Option("--links", help="Also list every link, one per line.")] = False,
    wide: Annotated[
        bool, typer.Option("--wide", help="The links with every column (implies --links).")
    ] = False,
) -> None:
    """Counts, supply and demand totals, capacity by mode, rows by confidence; links with --links."""
    from crudeflow.api import data_overview

    try:
        ov = data_overview(dataset)
    except CrudeflowError as exc:
        _fail(exc)
        return
    if as_json:
        print_json(ov.to_dict())
        return
    s = ov.summary
    console.print(f"[bold]{s['name']}[/] (base year {s['base_year']})")
    t = RichTable(show_header=False)
    for k, v in s.items():
        if k not in ("name", "base_year"):
            t.add_row(k, f"{v:,.1f}" if isinstance(v, float) else str(v))
    console.print(t)
    console.print(frame_table(ov.capacity_by_mode, "Capacity by mode"))
    console.print(frame_table(ov.confidence, "Rows by confidence of their sourced figure"))
    if not (links or wide):
        console.print(f"{len(ov.links)} links: --links lists them, --json gives every field", highlight=False)
        return
    fit_console(wide)
    cols = ["id", "mode", "capacity_mt_per_year", "tariff_usd_per_t", "status", "confidence"]
    table = ov.links if wide else ov.links[[c for c in cols if c in ov.links.columns]]
    console.print(frame_table(table, "Links", max_rows=len(table), wide=wide))


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


UnitsOpt = Annotated[
    str, typer.Option("--units", help="mt: Mt/yr and USD/t; kbd: kb/d and USD/bbl (each grade by its bbl/t).")
]
WideOpt = Annotated[bool, typer.Option("--wide", help="Every column, nothing wrapped (wider than 100).")]
CalibratedOpt = Annotated[
    bool, typer.Option("--calibrated", help="Add the dataset's calibration frictions (frictions.csv).")
]


def _units(units: str) -> str:
    from crudeflow.units import check_units

    try:
        return check_units(units)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--units") from None


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
    units: UnitsOpt = "mt",
    wide: WideOpt = False,
    by_period: Annotated[
        bool, typer.Option("--by-period", help="With periods: tables per period, not only totals.")
    ] = False,
    calibrated: CalibratedOpt = False,
) -> None:
    """The least-cost supply plan: economic cost, unmet and shut-in volumes, costs, bottlenecks."""
    from crudeflow.api import plan, write_plan_csv
    from crudeflow.io.output import check_dir_target

    u = _units(units)
    try:
        if csv_dir is not None:
            check_dir_target(csv_dir, force=force, manifest=True)
        p = plan(dataset, scenario, strict=strict, calibrated=calibrated).in_units(u)
        if csv_dir is not None:
            write_plan_csv(p, csv_dir, force=force)
    except CrudeflowError as exc:
        _fail(exc)
        return
    print_warnings(p.warnings)
    if as_json:
        print_json(p.to_dict())
        return
    if csv_dir is not None:
        from crudeflow.results.plan import FRAMES

        for name in FRAMES:
            console.print(
                f"wrote {csv_dir / (name + '.csv')} ({len(getattr(p, name))} rows)", highlight=False
            )
        return
    fit_console(wide)
    if len(p.periods):
        show_periods(p, wide=wide, by_period=by_period)
        return
    show_plan(p, wide=wide)


def show_periods(p: Plan, *, wide: bool = False, by_period: bool = False) -> None:
    """A plan over periods: totals over the horizon, then (``by_period``) per-period tables."""
    s = p.summary()
    v, vu = ("kb_per_day", "kb/d") if s["units"] == "kbd" else ("mt_per_year", "Mt/yr")
    rule(f"[bold]Plan: {s['scenario']}[/] ({s['status']}) · {s['horizon']}")
    console.print(
        f"economic cost [bold]{float(s['economic_cost_usd']) / 1e9:,.2f} bn USD[/] over the horizon · "
        f"unmet [bold]{s['unmet_mt']:,.2f} Mt[/] · shut in [bold]{s['shut_in_mt']:,.2f} Mt[/]\n"
        f"delivered {s['delivered_mt']:,.1f} Mt ({s[f'delivered_{v}']:,.1f} {vu} on average) · "
        f"sold to world markets {s['sold_to_markets_mt']:,.1f} Mt"
        + (f" · final stocks {s['final_stock_mt']:,.2f} Mt" if "final_stock_mt" in s else ""),
        highlight=False,
    )
    console.print(frame_table(p.period_totals(), "Volumes per period (Mt)", wide=wide))
    # over a horizon the volumes are in Mt; their yearly rates (_mt_per_year) only with --wide
    hidden = ("marginal_cost_usd_per_t",)
    cost_cols = [c for c in p.costs.columns if wide or (c not in hidden and not c.endswith("_mt_per_year"))]
    console.print(frame_table(p.costs[cost_cols], "Delivered cost per refinery over the horizon (Mt, USD/t)",
                              wide=wide))  # fmt: skip
    show_duties(p, wide=wide)
    show_price_cap(p, wide=wide, by_period=by_period)
    if not by_period:
        console.print("per-period tables: --by-period · every row: --json or --csv", highlight=False)
        return
    console.print(frame_table(p.deliveries, "Deliveries per period (Mt; rate Mt/yr)", wide=wide))
    if len(p.unmet):
        console.print(frame_table(p.unmet, "Unmet demand per period (Mt)", wide=wide))
    if len(p.shut_in):
        console.print(frame_table(p.shut_in, "Shut-in per period (Mt)", wide=wide))
    if len(p.stocks):
        console.print(frame_table(p.stocks, "Stock levels at the end of each period (Mt)", wide=wide))
    bn = p.bottlenecks if wide else p.bottlenecks.drop(columns=["from", "to"])
    console.print(frame_table(bn, "Bottlenecks per period (shadow price USD/t)", wide=wide))
    show_commitments(p, wide=wide)


def show_commitments(p: Plan, *, wide: bool = False) -> None:
    """Ship-or-pay, reservations, outlet commitments, swaps for buyers, transit refusals (if any)."""
    if len(p.commitments):
        vu, cu = ("kb/d", "USD/bbl") if p.units == "kbd" else ("Mt/yr", "USD/t")
        title = f"Commitments: ship-or-pay, reservations, swaps for buyers, transit refusals ({vu}, {cu})"
        cm = [str(c) for c in p.commitments.columns]
        cols = [
            "kind", "on", *(c for c in cm if c.startswith(("limit", "used", "others"))), "binding",
            *(c for c in cm if c.startswith("shadow_price")), *(c for c in cm if c.startswith("paid")),
        ]  # fmt: skip
        frame = p.commitments.set_index("policy")[cols if wide else [c for c in cols[1:] if c != cols[-1]]]
        console.print(frame_table(frame, title, wide=wide))


def show_duties(p: Plan, *, wide: bool = False) -> None:
    """Export duties on importers' intake (if any): duty-free within the quota, dutiable, duty paid."""
    if len(p.duties) == 0:
        return
    vu, cu = ("kb/d", "USD/bbl") if p.units == "kbd" else ("Mt/yr", "USD/t")
    title = f"Export duties on importers' intake: duty-free quota and duty paid ({vu}, {cu})"
    cols = [str(c) for c in p.duties.columns if c != "policy" and (wide or c not in ("origin", "importers"))]
    console.print(frame_table(p.duties.set_index("policy")[cols], title, wide=wide))


def show_price_cap(p: Plan, *, wide: bool = False, by_period: bool = False) -> None:
    """The price cap's tanker table: the capped origin's crude by tanker class and destination."""
    t = p.price_cap
    if len(t) == 0:
        return
    dated = "period" in t.columns
    v = "kb_per_day" if p.units == "kbd" else "mt_per_year"
    if dated and not by_period:  # horizon totals (Mt) per policy, class and destination
        keys = ["policy", "tanker_class", "to", "to_country"]
        t = t.groupby(keys, sort=False)[["mt", "premium_usd"]].sum().reset_index()
        title = "Price cap: capped crude on tankers over the horizon by class and destination (Mt, USD)"
    else:
        cols = [*(["period"] if dated else []), "policy", "tanker_class", "to", "to_country", v,
                *(["mt"] if dated else []), "benchmark_usd_per_bbl", "premium_usd", "pool_full"]  # fmt: skip
        t = t[[c for c in cols if c in t.columns]]
        title = "Price cap: capped crude on tankers by class (g7 / shadow) and destination"
    console.print(frame_table(t.set_index("policy"), title, wide=wide))


def show_plan(p: Plan, *, wide: bool = False) -> None:
    """Print a plan as rich tables: the headline first, then the tables (``docs/glossary.md``)."""
    from crudeflow.units import UNIT_WORDS

    s = p.summary()
    kbd = s["units"] == "kbd"
    v, c, vu, cu = ("kb_per_day", "usd_per_bbl", "kb/d", "USD/bbl") if kbd else (
        "mt_per_year", "usd_per_t", "Mt/yr", "USD/t")  # fmt: skip
    tag = f" ({UNIT_WORDS[p.units]})"
    rule(f"[bold]Plan: {s['scenario']}[/] ({s['status']})")
    console.print(
        f"economic cost [bold]{p.economic_cost_usd / 1e9:,.2f} bn USD/yr[/] · "
        f"unmet [bold]{s[f'unmet_{v}']:,.2f} {vu}[/] · shut in [bold]{s[f'shut_in_{v}']:,.2f} {vu}[/]\n"
        f"delivered {s[f'delivered_{v}']:,.1f} {vu} at {s[f'average_delivered_cost_{c}']:,.2f} {cu} · "
        f"sold to world markets {s[f'sold_to_markets_{v}']:,.1f} {vu}\n"
        f"system cost with penalties {p.objective_usd / 1e9:,.2f} bn USD/yr · "
        "words: docs/glossary.md",
        highlight=False,
    )
    if "friction_usd" in p.objective_parts_usd:
        console.print(
            f"calibrated: frictions {p.objective_parts_usd['friction_usd'] / 1e9:,.3f} bn USD/yr in the "
            "system cost (frictions.csv; not in the economic cost)",
            highlight=False,
        )
    cost_cols = ["country", f"demand_{v}", f"delivered_{v}", f"unmet_{v}", f"price_{c}", f"transport_{c}",
                 f"duties_{c}", f"fees_{c}", f"delivered_cost_{c}"]  # fmt: skip
    console.print(frame_table(p.costs[cost_cols], "Delivered cost per refinery" + tag, wide=wide))
    console.print(frame_table(p.deliveries, "Deliveries by grade and origin" + tag, wide=wide))
    if len(p.unmet):
        console.print(frame_table(p.unmet, "Unmet demand and why" + tag, wide=wide))
    if len(p.shut_in):
        console.print(frame_table(p.shut_in, "Shut-in: fixed output that cannot be placed" + tag, wide=wide))
    bn = p.bottlenecks if wide else p.bottlenecks.drop(columns=["from", "to"])
    unit = "barrel" if kbd else "tonne"
    title = f"Bottlenecks: full links, shadow price per extra {unit} of capacity{tag}"
    console.print(frame_table(bn, title, wide=wide))
    show_commitments(p, wide=wide)
    show_duties(p, wide=wide)
    sales = p.sales.groupby("node")[v].sum().to_frame()
    console.print(frame_table(sales, "Sold to world-market outlets" + tag, wide=wide))
    show_price_cap(p, wide=wide)
    conc = p.concentration
    if not wide:
        conc = conc.drop(columns=["share_of_intake_pct"])
    console.print(
        frame_table(
            conc,
            "Concentration: share of intake by origin / crossing each transit country (may sum > 100 %)",
            wide=wide,
        )
    )


_FIGURES = {
    "economic_cost_usd": ("economic cost, bn USD/yr", 1e-9, "{:,.2f}"),
    "refinery_cost_usd": ("refinery crude cost, bn USD/yr", 1e-9, "{:,.2f}"),
    "objective_usd": ("system cost with penalties, bn USD/yr", 1e-9, "{:,.2f}"),
}


def _totals_text(totals: pd.DataFrame) -> pd.DataFrame:
    """Compare totals as text: each figure in its own unit (bn USD/yr for USD totals)."""
    import pandas as pd

    rows = {}
    for key, vals in totals.iterrows():
        label, scale, fmt = _FIGURES.get(str(key), (header(str(key)), 1.0, "{:,.2f}"))
        rows[label] = [fmt.format(float(x) * scale) for x in vals]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=list(totals.columns))
    out.index.name = "figure"
    return out


@app.command("compare")
def compare_cmd(
    a: Annotated[str, typer.Argument(help="Scenario (file or name) or 'base'.")],
    b: Annotated[str, typer.Argument(help="Scenario (file or name) or 'base'.")],
    dataset: DatasetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    units: UnitsOpt = "mt",
    wide: WideOpt = False,
    calibrated: CalibratedOpt = False,
) -> None:
    """Two plans side by side: economic cost, unmet and shut-in, cost per refinery, changed flows."""
    from crudeflow.api import compare
    from crudeflow.units import UNIT_WORDS

    u = _units(units)
    try:
        c = compare(a, b, dataset=dataset, units=u, calibrated=calibrated)
    except CrudeflowError as exc:
        _fail(exc)
        return
    print_warnings(dict.fromkeys([*c.a.warnings, *c.b.warnings]))
    if as_json:
        print_json(c.to_dict())
        return
    fit_console(wide)
    tag = f" ({UNIT_WORDS[u]})"
    v, cu = ("kb_per_day", "usd_per_bbl") if u == "kbd" else ("mt_per_year", "usd_per_t")
    console.print(frame_table(_totals_text(c.totals), f"{c.a.scenario} → {c.b.scenario}{tag}", wide=wide))
    ref = c.refineries
    if not wide:
        keep = ["country", f"unmet_{v}_a", f"unmet_{v}_b", f"delivered_cost_{cu}_a", f"delivered_cost_{cu}_b",
                f"delta_cost_{cu}"]  # fmt: skip
        ref = ref[keep]
    console.print(frame_table(ref, "Per refinery (A → B)" + tag, wide=wide))
    console.print(frame_table(c.flows, "Changed link flows" + tag, wide=wide))
    if len(c.unmet):
        console.print(frame_table(c.unmet, "Unmet demand" + tag, wide=wide))
    console.print(frame_table(c.concentration, "Concentration (HHI of normalised shares)", wide=wide))


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
