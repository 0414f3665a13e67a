"""Checks of a scenario's result as a whole, run once every change is applied.

Each finding names the change that caused it (file and line of the item):

- bounds the schema pairs (``Table.bounds``: supplies and contracts min <= max, demands
  min_api <= max_api) broken by the changes: an error, not "HiGHS status infeasible";
- a change to a link that carries no flow (status planned, idle or closed, or capacity 0):
  a warning naming the link, its status and the fix (``enable_links``), since the change
  alone does nothing;
- a value above the column's plausible range (``Column.warn_above``): a warning.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.exceptions import Problem
from crudeflow.model.network import Network
from crudeflow.schema import ACTIVE_STATUSES, TABLES, Column, plausible

_MAPPING_COLUMNS = {
    "capacity": ("links", "capacity_mt_per_year"),
    "tariff": ("links", "tariff_usd_per_t"),
    "demand": ("demands", "demand_mt_per_year"),
}


def suggest_id(name: str, ids: Iterable[Any]) -> str:
    """`` (did you mean 'x'?)`` for the closest known id, or empty text.

    Tables show a generated leg id ``a__b`` as ``a→b``; pasting that back is resolved first.
    """
    known = [str(i) for i in ids]
    if "→" in name and name.replace("→", "__") in known:
        return f" (did you mean '{name.replace('→', '__')}'?)"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _cells(changes: Sequence[Any]) -> Iterator[tuple[Any, int, str, str, Any, str]]:
    """(change, item, table, column, row key, field) of every cell a value change targets."""
    for ch in changes:
        if ch.kind in _MAPPING_COLUMNS:
            table, column = _MAPPING_COLUMNS[ch.kind]
            for n, key in enumerate(ch.value):
                yield ch, n, table, column, str(key), ""
        elif ch.kind == "price":
            for n, item in enumerate(ch.value):
                yield ch, n, "supplies", "price_usd_per_t", (item["node"], item["grade"]), "price_usd_per_t"
        elif ch.kind in ("set", "scale"):
            for n, item in enumerate(ch.value):
                frame_key: Any = str(item["id"])
                if item["table"] in ("supplies", "slates"):
                    frame_key = tuple(frame_key.split("/"))
                fld = "value" if ch.kind == "set" else "factor"
                yield ch, n, item["table"], item["column"], frame_key, fld


def _where(ch: Any, n: int, fld: str) -> tuple[int | None, str]:
    """Line and column label of item ``n`` of a change (as ``Scenario.apply`` reports them)."""
    label = ch.kind + (f".{fld}" if fld else "")
    if ch.kind in _MAPPING_COLUMNS:
        label = f"{ch.kind}.{list(ch.value)[n]}"
    return ch.line_of(n, fld or None), label


def check_result(net: Network, changes: Sequence[Any]) -> list[Problem]:
    """Every bound, inactive-link and plausibility finding on the scenario's result."""
    return [*_bounds(net, changes), *_inactive_links(net, changes), *_implausible(net, changes)]


def _bounds(net: Network, changes: Sequence[Any]) -> list[Problem]:
    out: list[Problem] = []
    cells = list(_cells(changes))
    for name, table in TABLES.items():
        frame: pd.DataFrame = getattr(net, name, pd.DataFrame())
        for lo, hi in table.bounds:
            if len(frame) == 0 or lo not in frame.columns or hi not in frame.columns:
                continue
            bad = frame.index[(frame[lo].to_numpy(float) > frame[hi].to_numpy(float))]
            for key in bad:
                cause = [c for c in cells if c[2] == name and c[3] in (lo, hi) and c[4] == key]
                shown = "/".join(key) if isinstance(key, tuple) else str(key)
                expected = f"{lo} <= {hi} for {name} '{shown}' once every change is applied"
                found = f"{lo} {frame.at[key, lo]:g} > {hi} {frame.at[key, hi]:g}"
                if cause:
                    ch, n, *_, fld = cause[-1]
                    line, label = _where(ch, n, fld)
                    out.append(Problem(ch.file, line, label, expected, found))
                else:
                    file = changes[0].file if changes else "<scenario>"
                    out.append(Problem(file, None, None, expected, found))
    return out


def _inactive_links(net: Network, changes: Sequence[Any]) -> list[Problem]:
    out: list[Problem] = []
    links = net.links
    for ch, n, table, column, key, fld in _cells(changes):
        if table != "links" or key not in links.index or column == "status":
            continue
        status = str(links.at[key, "status"])
        capacity = float(links.at[key, "capacity_mt_per_year"])
        line, label = _where(ch, n, "id" if fld else "")
        if status not in ACTIVE_STATUSES:
            expected = (
                f"a change to a link that carries flow; '{key}' is {status}, so this change alone does "
                f"nothing: add 'enable_links: [{key}]' to the scenario to switch it on"
            )
            out.append(Problem(ch.file, line, label, expected, f"'{key}' ({status})", "warning"))
        elif capacity <= 0 and column != "capacity_mt_per_year":
            expected = (
                f"a change to a link that carries flow; '{key}' has capacity 0, so this change does "
                f"nothing: give it one with 'capacity: {{{key}: N}}'"
            )
            out.append(Problem(ch.file, line, label, expected, f"'{key}' (capacity 0)", "warning"))
    return out


def _implausible(net: Network, changes: Sequence[Any]) -> list[Problem]:
    """Values above ``warn_above`` in the cells the changes set (the last change to a cell)."""
    out: list[Problem] = []
    seen: set[tuple[str, str, Any]] = set()
    for ch, n, table, column, key, fld in reversed(list(_cells(changes))):
        frame: pd.DataFrame = getattr(net, table)
        col: Column | None = next((c for c in TABLES[table].columns if c.name == column), None)
        if col is None or col.warn_above is None or key not in frame.index or column not in frame.columns:
            continue
        if (table, column, key) in seen:
            continue
        seen.add((table, column, key))
        value = float(frame.at[key, column])
        if np.isfinite(value) and value > col.warn_above:
            line, label = _where(ch, n, fld)
            out.append(Problem(ch.file, line, label, plausible(col), f"{value:g}", "warning"))
    return out[::-1]
