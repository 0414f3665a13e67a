"""The terminal side of the CLI: consoles, tables, JSON printing, progress bars and Ctrl-C.

Everything that knows about a terminal lives here (and in ``cli.py``): the analyses report
progress through a plain callback and stop through a cancel token; this module turns
those into a rich progress bar and exit codes.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TextIO

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table as RichTable

from crudeflow._types import JSONValue
from crudeflow.exceptions import CrudeflowError, Problem
from crudeflow.progress import ProgressFn

INTERRUPTED_EXIT = 130
"""Exit code of a run stopped by Ctrl-C, also when it printed the partial results it has."""

NARROW = 100
"""Width tables are laid out for when the terminal's is unknown (pipes, CI logs)."""
WIDE = 10_000
"""Width with ``--wide``: every column, nothing wrapped."""


def terminal_width(stream: TextIO | None = None) -> int:
    """``COLUMNS`` when set, else the terminal's width, else ``NARROW``."""
    import os
    import shutil

    cols = os.environ.get("COLUMNS", "")
    if cols.isdigit() and int(cols) > 0:
        return int(cols)
    if (stream or sys.stdout).isatty():
        return shutil.get_terminal_size((NARROW, 24)).columns
    return NARROW


console = Console(width=terminal_width())
err_console = Console(stderr=True, width=terminal_width(sys.stderr))


def fit_console(wide: bool = False) -> None:
    """Lay tables out for the current width (``COLUMNS``, the terminal) or unbounded."""
    console.width = WIDE if wide else terminal_width()


def rule(title: str) -> None:
    """A titled rule as wide as the terminal (or ``NARROW``), also under ``--wide`` into a pipe."""
    from rich.rule import Rule

    console.print(Rule(title), width=min(console.width, terminal_width()))


def fail(exc: CrudeflowError) -> None:
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


def print_json(obj: JSONValue) -> None:
    """Write a JSON document (a result's ``to_dict()``) to stdout, no rich markup."""
    sys.stdout.write(json.dumps(obj, indent=2) + "\n")


_WORDS = (
    ("mt_per_year", "Mt/yr"), ("kb_per_day", "kb/d"), ("usd_per_t", "USD/t"), ("usd_per_bbl", "USD/bbl"),
    ("_pct", " %"), ("hhi", "HHI of normalised shares"), ("p_shortfall", "probability of any shortfall"),
    ("_musd", " MUSD/yr"),
)  # fmt: skip


def header(col: str) -> str:
    """A column name as words with its unit: ``delivered_cost_usd_per_t`` -> ``delivered cost USD/t``."""
    c = str(col)
    side = ""
    for suffix, word in (("_a", " A"), ("_b", " B")):
        if c.endswith(suffix):
            c, side = c[: -len(suffix)], word
    for name, word in _WORDS:
        c = c.replace(name, word)
    if c.endswith("_usd"):
        c = c[: -len("_usd")] + " M USD"
    return c.replace("_", " ").strip() + side


def _fmt_for(col: str, floatfmt: str) -> tuple[str, bool]:
    """(format, in millions) for a column by its unit."""
    c = str(col)
    if c.endswith("_usd") or c.endswith("_usd_a") or c.endswith("_usd_b"):
        return "{:,.0f}", True
    if "kb_per_day" in c:
        return "{:,.1f}", False
    if "hhi" in c:
        return "{:,.0f}", False
    if c.endswith("_pct"):
        return "{:,.1f}", False
    return floatfmt, False


def short_id(value: str) -> str:
    """A generated tanker-leg id ``mongstad__omisalj`` as ``mongstad→omisalj``."""
    return value.replace("__", "→")


def frame_table(
    frame: pd.DataFrame,
    title: str | None = None,
    max_rows: int = 60,
    floatfmt: str = "{:,.2f}",
    *,
    wide: bool = False,
) -> RichTable:
    """A rich table of a DataFrame (index included when named) that fits the console.

    Headers are words with units (wrapped), USD totals in millions, long text columns go
    last and wrap. Unless ``wide``, numeric columns that are zero throughout are left out
    (named in the caption).
    """
    from crudeflow.units import usd_to_musd

    df: pd.DataFrame = frame
    if df.index.name is not None or isinstance(df.index, pd.MultiIndex):
        df = df.reset_index()
    notes: list[str] = []
    numeric = {
        c: pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns
    }
    if not wide and len(df):
        zero = [c for c in df.columns if numeric[c] and c != "rank" and (df[c].fillna(0).abs() < 5e-7).all()]
        if zero and len(zero) < len(df.columns) - 1:
            df = df.drop(columns=zero)
            notes.append(
                f"zero throughout, not shown: {', '.join(header(c) for c in zero)} (--wide shows them)"
            )
        text = [c for c in df.columns[1:] if not numeric[c] and df[c].astype(str).str.len().max() > 24]
        df = df[[c for c in df.columns if c not in text] + text]
    fmts = {c: _fmt_for(c, floatfmt) for c in df.columns}
    rows: list[list[str]] = []
    for rec in df.head(max_rows).itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, rec, strict=True):
            if isinstance(v, float):
                fmt, millions = fmts[c]
                cells.append("" if v != v else fmt.format(usd_to_musd(v) if millions else v))
            elif isinstance(v, tuple):
                cells.append(";".join(map(str, v)))
            else:
                cells.append(short_id(str(v)) if not wide else str(v))
        rows.append(cells)
    cols = list(df.columns)
    # a cell never wraps unless it is long text: numbers and short words keep their width,
    # a header wraps between words; long text wraps to what is left
    long_text = {
        c for c in cols[1:] if not numeric[c] and max((len(r[cols.index(c)]) for r in rows), default=0) > 24
    }

    def need(c: str) -> int:
        i = cols.index(c)
        words = max((len(w) for w in header(c).split()), default=1)
        if c in long_text:
            return max(words, 12)
        return max([words, *(len(r[i]) for r in rows)])

    if not wide:
        # drop text columns (long text first, then short, from the right) until the figures fit
        def width(cs: list[str]) -> int:
            return sum(need(c) + 3 for c in cs) + 1

        dropped: list[str] = []
        for c in [*reversed([c for c in cols[1:] if c in long_text]),
                  *reversed([c for c in cols[1:] if not numeric[c] and c not in long_text]),
                  *reversed(cols[2:])]:  # fmt: skip
            if width(cols) <= console.width:
                break
            if c not in cols:
                continue
            cols.remove(c)
            dropped.append(c)
        if dropped:
            notes.append(f"too wide, not shown: {', '.join(header(c) for c in dropped)} (--wide shows them)")
    keep = [list(df.columns).index(c) for c in cols]
    # headers on one line when they fit, else wrapped between words to the figures' width
    one_line = wide or sum(max(need(c), len(header(c))) + 3 for c in cols) + 1 <= console.width
    # at least as wide as its title, so the title (and the units in it) reads on one line
    t = RichTable(
        title=title,
        show_lines=False,
        header_style="bold cyan",
        min_width=min(len(title or ""), console.width),
    )
    for c in cols:
        t.add_column(
            header(c) if one_line or c in long_text else textwrap.fill(header(c), need(c)),
            justify="right" if numeric[c] else "left",
            overflow="fold",
            no_wrap=c not in long_text,
            min_width=None if c in long_text else need(c),
        )
    for r in rows:
        t.add_row(*(r[j] for j in keep))
    if len(df) > max_rows:
        notes.append(f"{len(df) - max_rows} more rows (use --json for all)")
    if notes:
        t.caption = "; ".join(notes)
    return t


def exit_if_interrupted(interrupted: bool) -> None:
    """Partial results were printed, flagged ``interrupted``; the exit code says so too."""
    if interrupted:
        raise typer.Exit(INTERRUPTED_EXIT)


def interrupted_before_results() -> None:
    """Ctrl-C before anything finished: one line, no traceback, exit 130."""
    err_console.print("[yellow]interrupted[/] before any result was ready", highlight=False)
    raise typer.Exit(INTERRUPTED_EXIT)


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[ProgressFn]:
    """A rich progress bar on stderr, as a ``progress(done, total)`` callback for an analysis."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True, disable=not enabled,
    )  # fmt: skip
    task = bar.add_task(description, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield update


def print_warnings(problems: Iterable[Problem]) -> None:
    """Each warning (dataset or scenario) on one yellow line of stderr, as ``data validate`` prints them."""
    from rich.markup import escape  # a fix such as 'enable_links: [x]' is text, not markup

    for p in problems:
        if p.severity == "warning":
            err_console.print(f"[yellow]warning[/]: {escape(str(p))}", highlight=False, soft_wrap=True)
