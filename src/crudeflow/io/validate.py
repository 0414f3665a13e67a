"""Checks driven by ``crudeflow.schema``, collecting every Problem in one pass.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data
row is row 2. A frame read from a file carries that number as ``index + 2`` (blank rows
are skipped but still counted); frames built from records have a plain 0-based index.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.exceptions import Problem
from crudeflow.schema import LINKS, Column, Table, plausible
from crudeflow.schema.countries import ISO_ALPHA2
from crudeflow.schema.modes import MODES, mode_values
from crudeflow.units import great_circle_km

TRUE = {"true", "yes", "1", "y", "t"}
FALSE = {"false", "no", "0", "n", "f", ""}


@dataclass
class Collector:
    """Accumulates problems from every check, errors and warnings alike."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, file: str, row: int | None, column: str | None, expected: str, found: str) -> None:
        """Record an error."""
        self.problems.append(Problem(file, row, column, expected, found, "error"))

    def warn(self, file: str, row: int | None, column: str | None, expected: str, found: str) -> None:
        """Record a warning (suspicious but usable)."""
        self.problems.append(Problem(file, row, column, expected, found, "warning"))

    @property
    def errors(self) -> list[Problem]:
        """Only the errors."""
        return [p for p in self.problems if p.severity == "error"]


def sheet_row(frame: pd.DataFrame, i: int) -> int:
    """The spreadsheet row (header = 1) of the frame's ``i``-th row (0-based position)."""
    return int(frame.index[i]) + 2


def _parse_cell(raw: str, col: Column) -> tuple[Any, str | None]:
    """Parse one CSV cell to the column's dtype; return (value, error description)."""
    text = raw.strip()
    if col.dtype == "str":
        return text, None
    if col.dtype == "list":
        return tuple(p.strip() for p in text.split(";") if p.strip()), None
    if col.dtype == "bool":
        low = text.lower()
        if low in TRUE:
            return True, None
        if low in FALSE:
            return False, None
        return None, "true or false"
    if col.dtype == "int":
        try:
            f = float(text)
        except ValueError:
            return None, "a whole number"
        if not math.isfinite(f) or f != int(f):
            return None, "a whole number"
        return int(f), None
    try:
        value = float(text)
    except ValueError:
        if "," in text:
            return None, "a number without ',' (write 1000, not 1,000; 46.1528, not 46,1528)"
        return None, "a number"
    if math.isnan(value) or math.isinf(value):
        return None, "a finite number"
    return value, None


def parse_table(
    raw: pd.DataFrame, table: Table, out: Collector, *, broken_rows: Collection[int] = ()
) -> pd.DataFrame:
    """Type-check and convert a table read as strings; problems go to ``out``.

    Missing optional columns get their defaults; unknown columns are kept and warned.
    Rows with errors keep a default value so later checks still run. Cells of
    ``broken_rows`` (spreadsheet rows whose structural problem is already reported) fall
    back to defaults without a second report. The result keeps ``raw``'s index.
    """
    file = table.file
    present = list(raw.columns)
    sheet = [int(r) + 2 for r in raw.index]
    quiet = set(broken_rows)
    for name in present:
        if name not in table.names and name not in table.alternatives.values():
            out.warn(
                file,
                1,
                name,
                f"one of the columns {', '.join(table.names)}",
                f"unknown column '{name}'",
            )
    result: dict[str, list[Any]] = {}
    for col in table.columns:
        if col.name not in present:
            alt = table.alternatives.get(col.name)
            if alt and alt in present:
                result[col.name] = [float("nan")] * len(raw)
                continue
            if col.required:
                what = f"a column '{col.name}'" + (f" (or '{alt}')" if alt else "")
                out.error(file, 1, col.name, what, "no such column")
            result[col.name] = [col.default] * len(raw)
            continue
        values: list[Any] = []
        # a cell left empty for the alternative column (capacity_kb_per_day) is checked once
        # both are merged: a row needs one of the two (crudeflow.units.capacity_from_columns)
        alt_present = table.alternatives.get(col.name) in present
        for i, cell in enumerate(raw[col.name].tolist()):
            row = sheet[i]
            text = "" if cell is None else str(cell)
            if text.strip() == "" and col.dtype not in ("list",):
                if alt_present:
                    values.append(float("nan"))
                    continue
                if col.required and col.default is None and row not in quiet:
                    out.error(file, row, col.name, f"a value ({col.description})", "an empty cell")
                values.append(col.default)
                continue
            value, problem = _parse_cell(text, col)
            if row in quiet:
                if problem is not None or (
                    col.choices is not None and col.dtype != "list" and value not in col.choices
                ):
                    value = col.default
            elif problem is not None:
                out.error(file, row, col.name, problem, repr(text))
                value = col.default
            elif isinstance(value, float | int) and not isinstance(value, bool):
                if col.nonneg and value < 0:
                    out.error(file, row, col.name, "a number >= 0", repr(text))
                if col.low is not None and value < col.low:
                    out.error(file, row, col.name, f"a value >= {col.low:g}", repr(text))
                if col.high is not None and value > col.high:
                    out.error(file, row, col.name, f"a value <= {col.high:g}", repr(text))
                elif col.warn_above is not None and value > col.warn_above:
                    out.warn(file, row, col.name, plausible(col), repr(text))
            elif col.choices is not None and col.dtype == "list":
                for item in value:
                    if item not in col.choices:
                        out.error(file, row, col.name, f"items from {', '.join(col.choices)}", repr(item))
            elif col.choices is not None and value not in col.choices:
                out.error(file, row, col.name, f"one of {', '.join(col.choices)}", repr(text))
            values.append(value)
        result[col.name] = values
    for alt in table.alternatives.values():
        if alt in present:
            col = Column(alt, "float", alt, nonneg=True)
            vals: list[Any] = []
            for i, cell in enumerate(raw[alt].tolist()):
                text = str(cell)
                if text.strip() == "":
                    vals.append(float("nan"))
                    continue
                value, problem = _parse_cell(text, col)
                if problem is not None or (value is not None and value < 0):
                    if sheet[i] not in quiet:
                        out.error(file, sheet[i], alt, problem or "a number >= 0", repr(text))
                    value = float("nan")
                vals.append(value)
            result[alt] = vals
    extra = [c for c in present if c not in result]
    frame = pd.DataFrame(result, index=raw.index.copy())
    for c in extra:
        frame[c] = raw[c].astype(str).to_numpy()
    return frame


def check_keys(frame: pd.DataFrame, table: Table, out: Collector) -> None:
    """Duplicate keys are errors (the first occurrence wins)."""
    if not table.key or len(frame) == 0:
        return
    dup = frame.duplicated(list(table.key), keep="first")
    for i in np.flatnonzero(dup.to_numpy()):
        key = ", ".join(str(frame.iloc[i][k]) for k in table.key)
        out.error(
            table.file,
            sheet_row(frame, int(i)),
            table.key[0],
            "a unique " + "+".join(table.key),
            f"duplicate '{key}'",
        )


def check_refs(
    frame: pd.DataFrame,
    table: Table,
    out: Collector,
    *,
    nodes: Iterable[str],
    grades: Iterable[str],
    sources: Iterable[str],
    groups: Iterable[str] = (),
    unreadable: Collection[str] = (),
    skip_rows: Collection[int] = (),
) -> None:
    """Every foreign key resolves: nodes, grades, sources and ISO country codes.

    References into a table named in ``unreadable`` (its file is broken, already
    reported) and cells of ``skip_rows`` (spreadsheet rows already reported) are not checked.
    """
    known = {
        "nodes": set(nodes),
        "grades": set(grades),
        "sources": set(sources),
    }
    skip = set(skip_rows)
    for col in table.columns:
        if col.ref is None or col.name not in frame.columns or col.ref in unreadable:
            continue
        if col.ref == "node_or_country" and "nodes" in unreadable:
            continue
        for i, value in enumerate(frame[col.name].tolist()):
            row = sheet_row(frame, i)
            if row in skip:
                continue
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if item is None or item == "" or (isinstance(item, float) and math.isnan(item)):
                    continue
                ok, what = _ref_ok(col.ref, str(item), known, set(groups))
                if not ok:
                    out.error(table.file, row, col.name, what, repr(item))


def _ref_ok(ref: str, item: str, known: dict[str, set[str]], groups: set[str]) -> tuple[bool, str]:
    if ref == "country":
        return item in ISO_ALPHA2, "an ISO 3166-1 alpha-2 country code"
    if ref == "node_or_country":
        ok = item in known["nodes"] or item in ISO_ALPHA2 or item in groups
        return ok, "a node id of nodes.csv or an ISO country code"
    return item in known[ref], f"an id listed in {ref}.csv"


def check_links(links: pd.DataFrame, nodes: pd.DataFrame, out: Collector) -> None:
    """Self-loops, swap columns, and suspicious tariffs or lengths (warnings)."""
    file = "links.csv"
    if len(links) == 0:
        return
    for i in np.flatnonzero((links["from"] == links["to"]).to_numpy()):
        out.error(file, sheet_row(links, int(i)), "to", "a node other than 'from'", repr(links["to"].iloc[i]))
    known = links["mode"].isin(MODES).to_numpy()  # an unknown mode is already an error
    modes = links["mode"].where(known, MODES[0])
    is_swap = mode_values(modes, "paper").astype(bool) & known
    for i in np.flatnonzero(is_swap):
        for c in ("swap_grade_in", "swap_grade_out"):
            if not links[c].iloc[i]:
                out.error(file, sheet_row(links, int(i)), c, "a grade for a swap link", "an empty cell")
    max_tariff = mode_values(modes, "max_tariff_usd_per_t").astype(float)
    tariff = links["tariff_usd_per_t"].to_numpy(float)
    implausible = tariff > (LINKS.column("tariff_usd_per_t").warn_above or np.inf)  # warned once, below
    for i in np.flatnonzero((tariff > max_tariff) & known & ~implausible):
        out.warn(
            file,
            sheet_row(links, int(i)),
            "tariff_usd_per_t",
            f"a {links['mode'].iloc[i]} tariff up to {max_tariff[i]:g} USD/t",
            f"{links['tariff_usd_per_t'].iloc[i]:g}",
        )
    seaborne = pd.Series(mode_values(modes, "seaborne").astype(bool), index=links.index)
    have = links["from"].isin(nodes.index) & links["to"].isin(nodes.index) & ~is_swap
    sub = links[have.to_numpy()]
    if len(sub):
        a = nodes.loc[sub["from"]]
        b = nodes.loc[sub["to"]]
        gc = great_circle_km(a["lat"], a["lon"], b["lat"], b["lon"])
        dist = sub["distance_km"].to_numpy(dtype=float)
        rows = np.flatnonzero(have.to_numpy())
        # sea routes go round continents (searoute distances), so only overland legs get the 3x check
        overland = ~seaborne[have.to_numpy()].to_numpy()
        for j in np.flatnonzero((dist > 0) & (dist > 3 * gc + 5) & overland):
            out.warn(
                file,
                sheet_row(links, int(rows[j])),
                "distance_km",
                f"at most 3 x the great-circle {gc[j]:.0f} km",
                f"{dist[j]:g}",
            )
        for j in np.flatnonzero((dist > 0) & (dist < 0.95 * gc - 5)):
            out.warn(
                file,
                sheet_row(links, int(rows[j])),
                "distance_km",
                f"at least the great-circle {gc[j]:.0f} km",
                f"{dist[j]:g}",
            )


def check_min_max(frame: pd.DataFrame, file: str, lo: str, hi: str, out: Collector) -> None:
    """Min <= max on every row."""
    if len(frame) == 0:
        return
    bad = (frame[lo].astype(float) > frame[hi].astype(float)).to_numpy()
    for i in np.flatnonzero(bad):
        out.error(
            file,
            sheet_row(frame, int(i)),
            lo,
            f"{lo} <= {hi} ({frame[hi].iloc[i]:g})",
            f"{frame[lo].iloc[i]:g}",
        )


def check_quality(demands: pd.DataFrame, grades: pd.DataFrame, out: Collector) -> None:
    """A quality window no grade blend can meet is an error (min API > max API, etc.)."""
    file = "demands.csv"
    if len(demands) == 0 or len(grades) == 0:
        return
    api_lo = demands["min_api"].to_numpy(float)
    api_hi = demands["max_api"].to_numpy(float)
    s_hi = demands["max_sulfur_pct"].to_numpy(float)
    for i in np.flatnonzero(api_lo > api_hi):
        out.error(
            file,
            sheet_row(demands, int(i)),
            "min_api",
            f"min_api <= max_api ({api_hi[i]:g})",
            f"{api_lo[i]:g}",
        )
    min_s = float(grades["sulfur_pct"].min())
    for i in np.flatnonzero(s_hi < min_s):
        out.error(
            file,
            sheet_row(demands, int(i)),
            "max_sulfur_pct",
            f"a ceiling some grade can meet (the sweetest has {min_s:g} %)",
            f"{s_hi[i]:g}",
        )
    max_api, min_api = float(grades["api_gravity"].max()), float(grades["api_gravity"].min())
    for i in np.flatnonzero(api_lo > max_api):
        out.error(
            file,
            sheet_row(demands, int(i)),
            "min_api",
            f"a floor some grade meets (the lightest is {max_api:g})",
            f"{api_lo[i]:g}",
        )
    for i in np.flatnonzero(api_hi < min_api):
        out.error(
            file,
            sheet_row(demands, int(i)),
            "max_api",
            f"a ceiling some grade meets (the heaviest is {min_api:g})",
            f"{api_hi[i]:g}",
        )


def check_node_kinds(
    frame: pd.DataFrame,
    table: Table,
    column: str,
    nodes: pd.DataFrame,
    kinds: tuple[str, ...],
    out: Collector,
) -> None:
    """Rows naming a node of the wrong kind are errors (a demand at a port, say).

    ``nodes`` is indexed by id; unknown ids are left to :func:`check_refs`.
    """
    if len(frame) == 0 or len(nodes) == 0 or column not in frame.columns:
        return
    kind = frame[column].map(nodes["kind"])
    bad = (kind.notna() & ~kind.isin(kinds)).to_numpy()
    for i in np.flatnonzero(bad):
        node = frame[column].iloc[i]
        out.error(
            table.file,
            sheet_row(frame, int(i)),
            column,
            f"a {' or '.join(kinds)} node (kind in nodes.csv)",
            f"'{node}', a {kind.iloc[i]} node",
        )


def check_storage(storage: pd.DataFrame, out: Collector) -> None:
    """Initial, final and working levels within capacity; an initial stock names its grade."""
    file = "storage.csv"
    if len(storage) == 0:
        return
    cap = storage["capacity_mt"].to_numpy(float)
    init = storage["initial_mt"].to_numpy(float)
    final = storage["min_final_mt"].to_numpy(float)
    grade = storage["initial_grade"].astype(str).to_numpy()
    for i in np.flatnonzero(init > cap):
        out.error(
            file,
            sheet_row(storage, int(i)),
            "initial_mt",
            f"at most capacity_mt ({cap[i]:g})",
            f"{init[i]:g}",
        )
    for i in np.flatnonzero(~np.isnan(final) & (final > cap)):
        out.error(
            file,
            sheet_row(storage, int(i)),
            "min_final_mt",
            f"at most capacity_mt ({cap[i]:g})",
            f"{final[i]:g}",
        )
    floor = storage["min_level_mt"].to_numpy(float) if "min_level_mt" in storage else np.zeros(len(cap))
    for i in np.flatnonzero(floor > cap):
        out.error(
            file,
            sheet_row(storage, int(i)),
            "min_level_mt",
            f"at most capacity_mt ({cap[i]:g})",
            f"{floor[i]:g}",
        )
    for i in np.flatnonzero((init > 0) & (grade == "")):
        out.error(
            file, sheet_row(storage, int(i)), "initial_grade", "the grade of the initial stock", "nothing"
        )


def check_dates(frame: pd.DataFrame, table: Table, out: Collector) -> None:
    """valid_from / valid_to are ISO days (or empty) and valid_from ≤ valid_to."""
    if len(frame) == 0 or "valid_from" not in frame.columns:
        return
    import datetime as dt

    def day(v: Any) -> dt.date | bool | None:
        text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return False

    text = frame[["valid_from", "valid_to"]].astype(str).apply(lambda c: c.str.strip())
    filled = (text != "").any(axis=1)
    for i in np.flatnonzero(filled.to_numpy()).tolist():  # only dated rows
        got = {}
        for col in ("valid_from", "valid_to"):
            d = day(frame[col].iloc[i])
            if d is False:
                out.error(table.file, sheet_row(frame, i), col, "an ISO date YYYY-MM-DD or nothing",
                          repr(frame[col].iloc[i]))  # fmt: skip
            got[col] = d
        a, b = got["valid_from"], got["valid_to"]
        if isinstance(a, dt.date) and isinstance(b, dt.date) and b < a:
            out.error(
                table.file, sheet_row(frame, i), "valid_to", f"a date on or after valid_from ({a})", str(b)
            )
