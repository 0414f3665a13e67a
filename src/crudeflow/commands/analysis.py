"""Analysis commands: routes, stress (N-1/N-2), holdout (days of cover), montecarlo, diversify, trade."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from crudeflow.commands.terminal import (
    INTERRUPTED_EXIT,
    console,
    err_console,
    exit_if_interrupted,
    fail,
    fit_console,
    frame_table,
    interrupted_before_results,
    print_json,
    print_warnings,
    progress_bar,
)
from crudeflow.exceptions import CrudeflowError

if TYPE_CHECKING:
    import pandas as pd

    from crudeflow.model.network import Network
    from crudeflow.optimize.build import PlanOptions

__all__ = ["INTERRUPTED_EXIT", "MAX_DRAWS", "register", "stress_scope"]

DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help="Dataset folder or shipped name.")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario file or shipped name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
WideOpt = Annotated[bool, typer.Option("--wide", help="Every column, nothing wrapped (wider than 100).")]
UNMET_CAVEAT = (
    "economic cost falls when demand goes unmet (the crude is not bought); "
    "unserved value = unmet × the refineries' base delivered cost"
)
"""Caption of the stress ranking: why a lost asset can lower the economic cost."""
TAIL_MIN_DRAWS = 10
"""Tail drivers from fewer tail draws than this are printed with a note that they are noise."""
MAX_DRAWS = 100_000_000
"""Most Monte Carlo draws one run takes (about a day on one core at ~1 ms a draw)."""


def _cap_workers(workers: int | None) -> int | None:
    """``--workers`` capped at the cores this process may use, with a note on stderr."""
    import os

    if workers is None:
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers > cores:
        err_console.print(f"note: --workers {workers} capped at the {cores} cores available", highlight=False)
        return cores
    return workers


def _check_scheduler(address: str) -> None:
    """A Dask scheduler address must be [PROTOCOL://]HOST:PORT (port 1-65535)."""
    import re

    m = re.fullmatch(r"(?:(tcp|tls|ucx|ws|wss)://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})/?", address)
    if m is None or not 1 <= int(m.group(3)) <= 65535:
        msg = f"--scheduler {address!r} is not a Dask scheduler address: expected tcp://HOST:PORT (1-65535)"
        raise CrudeflowError(msg)


def _net(dataset: str | None, scenario: str | None) -> tuple[Network, str]:
    from crudeflow.io.load import network_and_scenario

    net, name = network_and_scenario(dataset, scenario)
    print_warnings(net.warnings)
    return net, name


def _plan_options(net: Network, calibrated: bool) -> PlanOptions:
    from crudeflow.optimize.build import PlanOptions

    if calibrated and len(net.frictions) == 0:
        msg = f"--calibrated: dataset '{net.meta.name}' has no frictions.csv (`crudeflow calibrate --write`)"
        raise CrudeflowError(msg)
    return PlanOptions(calibrated=calibrated)


def routes_cmd(
    src: Annotated[str, typer.Argument(metavar="FROM", help="Start node id or country code.")],
    dst: Annotated[str, typer.Argument(metavar="TO", help="End node id or country code.")],
    k: Annotated[int, typer.Option("-k", min=1, max=1000, help="How many routes.")] = 5,
    avoid_country: Annotated[
        list[str] | None, typer.Option("--avoid-country", help="Country to avoid.")
    ] = None,
    avoid_mode: Annotated[list[str] | None, typer.Option("--avoid-mode", help="Mode to avoid.")] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="Only this grade.")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="Period of a dated plan (label or first day).")
    ] = None,
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """The k cheapest loop-free routes from FROM to TO with legs, transit and delivered cost."""
    from rich.markup import escape

    from crudeflow.analysis import routes

    try:
        net, _ = _net(dataset, scenario)
        res = routes(net, src, dst, k=k, avoid_countries=tuple(avoid_country or ()),
                     avoid_modes=tuple(avoid_mode or ()), grade=grade, period=period)  # fmt: skip
    except CrudeflowError as exc:
        fail(exc)
        return
    if as_json:
        print_json(res.to_dict()["routes"])
        return
    fit_console(wide)
    df = res.table
    if len(df) == 0:
        console.print(f"no route from {src} to {dst} under these filters", highlight=False)
        return
    cols = [
        "rank", "from", "to", "grade", "delivered_cost_usd_per_t", "price_usd_per_t", "transport_usd_per_t",
        "duties_usd_per_t", "fees_usd_per_t", "bottleneck_mt_per_year", "distance_km", "transit",
    ]  # fmt: skip
    when = f" in {period}" if period else ""
    console.print(frame_table(df[cols], f"Routes {src} → {dst}{when}", wide=wide))
    for r in df.itertuples():
        console.print(f"[bold]{r.rank}[/] {escape(str(r.legs))}", highlight=False)


def stress_cmd(
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    assets: Annotated[str, typer.Option("--assets", help="links | nodes | countries")] = "links",
    k: Annotated[int, typer.Option("--k", min=1, max=2, help="1 (N-1) or 2 (N-2).")] = 1,
    top: Annotated[int, typer.Option("--top", min=1, help="Rows of the ranking to show.")] = 20,
    top_m: Annotated[int, typer.Option("--top-m", min=2, help="N-2 over pairs of the top M of N-1.")] = 10,
    country_role: Annotated[
        str, typer.Option("--country-role", help="supplier | transit | both (countries only).")
    ] = "both",
    country: Annotated[
        str | None, typer.Option("--country", help="Also rank by this country's shut-in and unmet.")
    ] = None,
    days: Annotated[
        float | None,
        typer.Option(
            "--days", min=0.001, help="With periods: each outage lasts this many days (from --start)."
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--start", help="With --days: first day out, YYYY-MM-DD (default: first period)."),
    ] = None,
    as_json: JsonOpt = False,
    wide: WideOpt = False,
    calibrated: Annotated[
        bool, typer.Option("--calibrated", help="Add the dataset's calibration frictions (frictions.csv).")
    ] = False,
) -> None:
    """Remove each asset (or pair) and re-plan hot: cost, unmet demand, shut-in supply, ranking.

    On a dataset or scenario with periods, --days makes each outage last that many days from
    --start, prorated over the periods it covers (stocks carry through; volumes are then Mt
    over the horizon); without --days an outage lasts the whole horizon.
    """
    from crudeflow.analysis import stress
    from crudeflow.analysis.contingency import COUNTRY_ROLES
    from crudeflow.analysis.routes import network_countries

    try:
        if country_role not in COUNTRY_ROLES:
            msg = f"--country-role must be one of {', '.join(COUNTRY_ROLES)}, not {country_role!r}"
            raise CrudeflowError(msg)
        net, _ = _net(dataset, scenario)
        if country is not None and country.upper() not in network_countries(net):
            msg = f"--country {country!r} is not a country of this network"
            raise CrudeflowError(msg)
        with progress_bar(f"N-{k} over {assets}", enabled=not as_json) as bar:
            res = stress(net, assets=assets, k=k, top_m=top_m, country_role=country_role, progress=bar,
                         options=_plan_options(net, calibrated), start=start, days=days)  # fmt: skip
    except CrudeflowError as exc:
        fail(exc)
        return
    except KeyboardInterrupt:
        interrupted_before_results()
        return
    if as_json:
        print_json(res.to_dict(top))
        exit_if_interrupted(res.interrupted)
        return
    fit_console(wide)
    solved = int((~res.ranking["skipped"]).sum())
    skipped = len(res.ranking) - solved
    scope = stress_scope(k, len(res.ranking), assets, res.ranking)
    stop = " [yellow](interrupted)[/]" if res.interrupted else ""
    console.print(
        f"{scope}: {solved} re-solved hot, {skipped} skipped (no base flow); {res.seconds:.2f} s{stop}",
        highlight=False,
    )
    cols = [
        "rank", "unmet_mt_per_year", "shut_in_mt_per_year", "delta_economic_cost_usd", "unserved_value_usd",
        "kind", "status",
    ]  # fmt: skip
    title = "Criticality: ranked by volume lost (unmet + shut-in), then economic cost"
    table = frame_table(res.ranking[cols].head(top), title, wide=wide)
    table.caption = "; ".join([*([str(table.caption)] if table.caption else []), UNMET_CAVEAT])
    console.print(table)
    for name, frame in (("unmet", res.unmet), ("shut_in", res.shut_in)):
        f = frame.head(top)
        f = f.loc[:, (f.abs() > 1e-6).any()]
        if f.shape[1]:
            console.print(frame_table(f, f"Added {name.replace('_', '-')} by country, Mt/yr", wide=wide))
    if country:
        c = country.upper()
        for name, frame in (("shut_in", res.shut_in), ("unmet", res.unmet)):
            if c in frame.columns:
                s = frame[c].sort_values(ascending=False, kind="stable")
                s = s[s > 1e-6].head(top)
                if len(s):
                    console.print(
                        frame_table(s.to_frame(f"{name}_mt_per_year"), f"{c}: {name} by asset", wide=wide)
                    )
    console.print(frame_table(res.checks, "Hot vs cold check", wide=wide))
    exit_if_interrupted(res.interrupted)


HOLDOUT_HELP = """Days of cover: how long IMPORTER's refineries run at full demand after each loss.

For each case (a link, a node, a country as supplier, transit or both; N-k with --k) the
network is planned over --horizon-days of daily or weekly periods from the loss date
(--start), and the first day with unmet demand is interpolated within its period: days
before it + L x W / (W + u), u the unmet, W the finite crude run in that period (its runs
less the steady rate of the routes left, read off the next period's runs per day), so
finite crude is stock wherever its tank is (own, upstream, in a supplier country).

Rule: no foresight before the loss: the horizon starts at the loss with stocks at their
normal level (storage.csv initial level, raised to a stock obligation; refineries without a
storage row hold their demands.stock_days). After the loss the importer's unmet volume is
minimised and its shortages pushed as late as possible (a shortage weighs 1 % more in the
first period than in the last); the importer is served first from the routes and stocks
left, costs and other countries' demand do not count. Stock obligations may be drawn
unless --no-stock-draw. Hot re-solves on one live model per importer. See docs/holdout.md.
"""


def holdout_cmd(
    importer: Annotated[
        str,
        typer.Argument(
            help="Importing country code, several comma-separated, A+B for two as one importer, or 'all'."
        ),
    ],
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    cases: Annotated[
        str,
        typer.Option(
            "--cases",
            help="links, nodes, countries, suppliers, transits or ids link:ID, node:ID, "
            "supplier:CC, transit:CC, country:CC ('+' joins a case of several), comma-separated.",
        ),
    ] = "links,nodes,countries",
    k: Annotated[int, typer.Option("--k", min=1, max=3, help="N-k: also every k of the top M cases.")] = 1,
    top_m: Annotated[int, typer.Option("--top-m", min=2, help="N-k over the top M N-1 cases.")] = 8,
    horizon_days: Annotated[
        int, typer.Option("--horizon-days", min=1, max=3660, help="Days planned after the loss.")
    ] = 180,
    step: Annotated[str, typer.Option("--step", help="day | week (period length).")] = "week",
    start: Annotated[
        str | None,
        typer.Option("--start", help="Loss date YYYY-MM-DD (default: start of the periods or base year)."),
    ] = None,
    no_stock_draw: Annotated[
        bool,
        typer.Option("--no-stock-draw", help="Keep stock obligations (and refinery stock_days) untouched."),
    ] = False,
    top: Annotated[int, typer.Option("--top", min=1, help="Cases shown per importer.")] = 15,
    as_json: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    from crudeflow.analysis import holdout

    try:
        net, _ = _net(dataset, scenario)
        imps = (
            None
            if importer.strip().lower() == "all"
            else [i.strip() for i in importer.split(",") if i.strip()]
        )
        with progress_bar(f"days of cover of {importer}", enabled=not as_json) as bar:
            res = holdout(net, imps, cases=[c for c in cases.split(",") if c.strip()], k=k, top_m=top_m,
                          horizon_days=horizon_days, step=step, start=start, stock_draw=not no_stock_draw,
                          progress=bar)  # fmt: skip
    except CrudeflowError as exc:
        fail(exc)
        return
    except KeyboardInterrupt:
        interrupted_before_results()
        return
    if as_json:
        print_json(res.to_dict(top))
        exit_if_interrupted(res.interrupted)
        return
    fit_console(wide)
    rk = res.ranking
    solved = int((~rk["skipped"]).sum()) - rk["importer"].nunique()
    stop = " [yellow](interrupted)[/]" if res.interrupted else ""
    console.print(
        f"{res.horizon_days} days of {res.step}s from {res.start}, stock obligations "
        f"{'may be drawn' if res.stock_draw else 'kept'}: {solved} cases re-solved hot "
        f"({res.hot_seconds * 1000:.0f} ms each), {int(rk['skipped'].sum())} skipped (no flow on them); "
        f"{res.seconds:.1f} s{stop}",
        highlight=False,
    )
    for imp, g in rk.groupby("importer", sort=False):
        show = g.head(top).copy()
        show["days_of_cover"] = [
            f"> {res.horizon_days}" if b else ("—" if d != d else f"{d:.1f}")
            for d, b in zip(show["days_of_cover"], show["beyond_horizon"], strict=True)
        ]
        cols = [
            "rank",
            "case",
            "days_of_cover",
            "first_short_date",
            "unmet_mt",
            "stock_drawn_mt",
            "drawn_from",
        ]
        title = f"{imp}: days of cover per case (fewest first; > {res.horizon_days}: beyond the horizon)"
        console.print(frame_table(show[cols].set_index("rank"), title, wide=wide))
        rest = len(g) - len(show)
        if rest:
            beyond = int(g["beyond_horizon"].iloc[top:].sum())
            console.print(f"{rest} more cases, {beyond} of them beyond the horizon", highlight=False)
    console.print(f"[dim]rule: {res.rule}[/]", highlight=False)
    exit_if_interrupted(res.interrupted)


holdout_cmd.__doc__ = HOLDOUT_HELP


def stress_scope(k: int, n_cases: int, assets: str, ranking: pd.DataFrame) -> str:
    """``N-1 over 36 countries`` or ``N-2 over 630 pairs of 36 countries``."""
    if k == 1:
        return f"N-1 over {n_cases} {assets}"
    members = {m for ms in ranking["members"] for m in ms}
    return f"N-2 over {n_cases} pairs of {len(members)} {assets}"


def montecarlo_cmd(
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    n: Annotated[int, typer.Option("-n", min=1, max=MAX_DRAWS, help="Number of draws (years).")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**64 - 1, help="Random seed (0 to 2^64-1).")] = 1,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Local worker processes (default: by -n; at most the cores)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address tcp://HOST:PORT.")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, max=MAX_DRAWS, help="Draws per task.")
    ] = 100,
    as_json: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Random link outages: expected and P50/P90/P99 unmet demand and crude cost per importer."""
    from crudeflow.analysis import montecarlo

    try:
        if scheduler is not None:
            _check_scheduler(scheduler)
        workers = _cap_workers(workers)
        net, _ = _net(dataset, scenario)
        with progress_bar("Monte Carlo", enabled=not as_json) as bar:
            res = montecarlo(net, n=n, seed=seed, workers=workers, scheduler=scheduler, chunk_size=chunk_size,
                             progress=bar)  # fmt: skip
    except CrudeflowError as exc:
        fail(exc)
        return
    except KeyboardInterrupt:
        interrupted_before_results()
        return
    if as_json:
        print_json(res.to_dict())
        exit_if_interrupted(res.interrupted)
        return
    fit_console(wide)
    console.print(
        f"{res.n} draws, seed {res.seed}, {res.executor} × {res.workers}: {res.seconds:.1f} s"
        + (f" ({res.executor_note})" if res.executor_note else "")
        + (" [yellow](interrupted: partial results)[/]" if res.interrupted else ""),
        highlight=False,
    )
    console.print(
        frame_table(res.summary, "Per importer (unmet after stocks, Mt/yr; crude cost, MUSD/yr)", wide=wide)
    )
    console.print(
        frame_table(res.system, "System: economic cost (no penalties), then objective (with them), MUSD/yr",
                    wide=wide)
    )  # fmt: skip
    console.print(frame_table(res.drivers, "Tail drivers (outage fraction in draws above P90 unmet)",
                              floatfmt="{:,.3f}", wide=wide))  # fmt: skip
    few = int(res.drivers["tail_draws"].min()) if len(res.drivers) else TAIL_MIN_DRAWS
    if few < TAIL_MIN_DRAWS:
        console.print(
            f"[yellow]note[/]: the tail drivers rest on as few as {few} tail draws (fewer than "
            f"{TAIL_MIN_DRAWS}): read them as noise, not causes; more draws (-n) firm them up",
            highlight=False,
        )
    exit_if_interrupted(res.interrupted)


def diversify_cmd(
    importer: Annotated[str, typer.Argument(help="Importing country code (or refinery node).")],
    by: Annotated[str, typer.Option("--by", help="origin | transit")] = "origin",
    caps: Annotated[str, typer.Option("--caps", help="Share caps, %, comma-separated.")] = "100,80,60,40,30",
    country: Annotated[str | None, typer.Option("--country", help="Country to cap (default: top).")] = None,
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Cost of diversification: re-plan with the top origin/transit share capped at each level."""
    from crudeflow.analysis import diversify

    try:
        levels = [float(c) for c in caps.split(",") if c.strip()]
    except ValueError:
        fail(CrudeflowError(f"--caps must be numbers separated by commas, not {caps!r}"))
        return
    try:
        net, _ = _net(dataset, scenario)
        with progress_bar(f"{importer}: share caps", enabled=not as_json) as bar:
            res = diversify(net, importer, by=by, caps=levels, country=country, progress=bar)
    except CrudeflowError as exc:
        fail(exc)
        return
    except KeyboardInterrupt:
        interrupted_before_results()
        return
    if as_json:
        print_json(res.to_dict())
        exit_if_interrupted(res.interrupted)
        return
    fit_console(wide)
    df, first = res.curve, res.first_unmet_cap_pct
    console.print(
        frame_table(df.drop(columns=["country"]), f"{importer}: capping {by} {res.country}", wide=wide)
    )
    console.print(
        f"demand first left unmet at a cap of {first:g} %"
        if first is not None
        else "demand met at every level",
        highlight=False,
    )
    exit_if_interrupted(res.interrupted)


def trade_cmd(
    a: Annotated[str, typer.Argument(metavar="A", help="Country A (the reporter's side).")],
    b: Annotated[str, typer.Argument(metavar="B", help="Partner country B.")],
    benchmark: Annotated[
        float | None,
        typer.Option(
            "--benchmark", help="Export value USD/t of the selling country's crude if the plan places none."
        ),
    ] = None,
    dataset: DatasetOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bilateral trade figures, planned crude flows B → A and the volume that balances A–B trade."""
    from crudeflow.analysis import trade_balance

    try:
        net, name = _net(dataset, scenario)
        tb = trade_balance(net, a, b, benchmark_usd_per_t=benchmark)
    except CrudeflowError as exc:
        fail(exc)
        return
    if as_json:
        print_json(tb.to_dict())
        return
    cols = ["reporter", "partner", "year", "flow", "value_musd", "source", "url"]
    console.print(
        frame_table(tb.figures[[c for c in cols if c in tb.figures.columns]], f"{tb.a}–{tb.b} trade")
    )
    yr = tb.year if tb.year is not None else "—"
    ratio = (
        f" ({tb.planned_delivered_value_musd:,.1f} delivered), {tb.planned_to_imbalance:,.1f}× the imbalance"
    )
    console.print(
        f"{yr} ({tb.basis}): {tb.a} exports {tb.exports_musd:,.1f}, imports {tb.imports_musd:,.1f} → "
        f"imbalance {tb.imbalance_musd:,.1f} MUSD\n"
        f"planned crude {tb.b} → {tb.a} ({name}): {tb.planned_mt_per_year:,.2f} Mt/yr worth "
        f"{tb.planned_value_musd:,.1f} MUSD/yr at {tb.b}'s supply price{ratio}\n"
        f"balancing: {tb.balancing_note}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the analysis commands to the main app."""
    app.command("routes")(routes_cmd)
    app.command("stress")(stress_cmd)
    app.command("holdout")(holdout_cmd)
    app.command("montecarlo")(montecarlo_cmd)
    app.command("diversify")(diversify_cmd)
    app.command("trade")(trade_cmd)
