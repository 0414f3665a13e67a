"""DIMACS minimum-cost flow files (``p min``) read into a crudeflow ``Network``.

Format (one record a line): ``c`` comment; ``p min NODES ARCS`` once, first; ``n ID FLOW``
for nodes with supply (FLOW > 0) or demand (FLOW < 0); ``a TAIL HEAD LOW CAP COST`` per
arc. Node ids run 1..NODES.

Mapping: one grade ``g``; a DIMACS flow unit is 1 Mt/yr and a cost unit 1 USD/t, so the
DIMACS optimum equals the LP objective in million USD (``SolveResult.objective``; the
``Plan.objective_usd`` is 10^6 times it). Supply nodes become fields with a fixed supply
(min = max = FLOW, price 0); demand nodes become refineries that must take exactly
−FLOW: plan with ``strict=True`` (the shortage penalty is also set above any path cost
so a non-strict plan leaves nothing unmet when the instance is feasible). Arcs become
one-way pipelines with the arc cost as tariff. A lower bound ``LOW > 0`` is shifted out
(``x = LOW + x'``, capacity ``CAP − LOW``, ``LOW`` moved from tail to head); the constant
``Σ LOW × COST`` it removes is kept in ``network.meta.extra['objective_offset']``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from crudeflow._types import FArray, IArray
from crudeflow.exceptions import DatasetError, Problem
from crudeflow.model.network import Network

MAX_PROBLEMS = 20
"""Stop collecting problems after this many (a broken file would list every line)."""

COUNTRY = "DE"
"""Country given to every node and to the grade's origin (no policies apply)."""


class DimacsError(DatasetError):
    """A DIMACS file is malformed; ``problems`` lists each problem with its line."""

    what = "DIMACS file"

    def __init__(self, problems: Sequence[Problem], message: str | None = None) -> None:
        self.problems = tuple(problems)
        head = message or f"{len(self.problems)} problem(s) in the DIMACS file"
        body = "".join(
            f"\n  - {p.file}"
            + (f", line {p.row}" if p.row else "")
            + f": expected {p.expected}, found {p.found}"
            for p in self.problems
        )
        Exception.__init__(self, head + body)


@dataclass(frozen=True)
class DimacsProblem:
    """A parsed min-cost flow instance; positions are 0-based (DIMACS id − 1)."""

    path: str
    supply: FArray
    """Per node: supply (> 0) or minus demand (< 0), flow units."""
    tail: IArray
    head: IArray
    lower: FArray
    capacity: FArray
    cost: FArray
    """Per arc: cost per flow unit."""

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.supply)

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return len(self.tail)


class _Problems:
    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[Problem] = []

    def add(self, line: int | None, expected: str, found: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(self.path, line, None, expected, found))

    def raise_if_any(self) -> None:
        if self.items:
            raise DimacsError(self.items, f"{len(self.items)} problem(s) in DIMACS file {self.path}")


def _numbers(
    rows: list[list[str]], lines: list[int], width: int, what: str, out: _Problems
) -> npt.NDArray[np.float64] | None:
    """Parse token rows of a fixed width into a float matrix; report lines that do not fit."""
    ok = True
    for toks, ln in zip(rows, lines, strict=True):
        if len(toks) != width:
            out.add(ln, f"{what} ({width - 1} numbers)", repr(" ".join(toks)))
            ok = False
    if not ok:
        return None
    if not rows:
        return np.zeros((0, width - 1))
    flat = [t for toks in rows for t in toks[1:]]
    try:
        return np.asarray(flat, dtype=np.float64).reshape(len(rows), width - 1)
    except ValueError:
        for toks, ln in zip(rows, lines, strict=True):
            for t in toks[1:]:
                try:
                    float(t)
                except ValueError:
                    out.add(ln, f"{what} with numeric fields", repr(t))
        return None


def parse_dimacs(path: str | Path) -> DimacsProblem:
    """Read a DIMACS ``p min`` file into arrays, reporting malformed lines with file and line."""
    p = Path(path)
    name = str(p)
    out = _Problems(name)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        out.add(None, "a readable DIMACS file", f"{type(exc).__name__}: {exc}")
        out.raise_if_any()
        raise
    lines = text.splitlines()
    p_line: tuple[int, list[str]] | None = None
    n_rows: list[list[str]] = []
    n_lines: list[int] = []
    a_rows: list[list[str]] = []
    a_lines: list[int] = []
    for i, raw in enumerate(lines, start=1):
        toks = raw.split()
        if not toks or toks[0] == "c":
            continue
        tag = toks[0]
        if tag == "a":
            a_rows.append(toks)
            a_lines.append(i)
        elif tag == "n":
            n_rows.append(toks)
            n_lines.append(i)
        elif tag == "p":
            if p_line is not None:
                out.add(i, "one problem line", f"a second one (the first is line {p_line[0]})")
            elif n_rows or a_rows:
                out.add(i, "the problem line before any 'n' or 'a' line", "it after them")
            p_line = (i, toks)
        else:
            out.add(i, "a line starting with c, p, n or a", repr(raw.strip()[:40]))
    if p_line is None:
        out.add(None, "a problem line 'p min NODES ARCS'", "none")
        out.raise_if_any()
    assert p_line is not None
    pl, ptoks = p_line
    n_nodes = n_arcs = -1
    if len(ptoks) != 4 or ptoks[1] != "min" or not (ptoks[2].isdigit() and ptoks[3].isdigit()):
        out.add(pl, "'p min NODES ARCS' with two non-negative integers", repr(" ".join(ptoks)))
    else:
        n_nodes, n_arcs = int(ptoks[2]), int(ptoks[3])
    nodes = _numbers(n_rows, n_lines, 3, "'n ID FLOW'", out)
    arcs = _numbers(a_rows, a_lines, 6, "'a TAIL HEAD LOW CAP COST'", out)
    out.raise_if_any()
    assert nodes is not None
    assert arcs is not None
    if len(a_rows) != n_arcs:
        out.add(pl, f"{n_arcs} arc lines as the problem line says", str(len(a_rows)))
    ln_n, ln_a = np.asarray(n_lines), np.asarray(a_lines)

    def check(
        mask: npt.NDArray[np.bool_], where: npt.NDArray[np.int64], expected: str, found: FArray
    ) -> None:
        for j in np.flatnonzero(mask)[:MAX_PROBLEMS]:
            out.add(int(where[j]), expected, f"{found[j]:g}")

    ids = nodes[:, 0]
    check((ids < 1) | (ids > n_nodes) | (ids != np.round(ids)), ln_n, f"a node id in 1..{n_nodes}", ids)
    for col, label in ((0, "tail"), (1, "head")):
        v = arcs[:, col]
        check((v < 1) | (v > n_nodes) | (v != np.round(v)), ln_a, f"a {label} node id in 1..{n_nodes}", v)
    low, cap = arcs[:, 2], arcs[:, 3]
    check(low < 0, ln_a, "a lower bound >= 0", low)
    check(cap < low, ln_a, "a capacity >= the lower bound", cap)
    out.raise_if_any()
    node_pos = ids.astype(np.int64) - 1
    if len(np.unique(node_pos)) != len(node_pos):
        uniq, counts = np.unique(node_pos, return_counts=True)
        for k in np.flatnonzero(counts > 1)[:MAX_PROBLEMS]:
            dup = np.flatnonzero(node_pos == uniq[k])[1]
            out.add(int(ln_n[dup]), "each node described once", f"node {uniq[k] + 1} again")
    supply = np.zeros(max(n_nodes, 0))
    supply[node_pos] = nodes[:, 1]
    total = float(supply.sum())
    if abs(total) > 1e-9 * max(1.0, float(np.abs(supply).sum())):
        out.add(pl, "supplies and demands summing to zero (a balanced instance)", f"a total of {total:g}")
    out.raise_if_any()
    return DimacsProblem(
        path=name,
        supply=supply,
        tail=arcs[:, 0].astype(np.int64) - 1,
        head=arcs[:, 1].astype(np.int64) - 1,
        lower=low.copy(),
        capacity=cap.copy(),
        cost=arcs[:, 4].copy(),
    )


def to_network(problem: DimacsProblem, *, name: str | None = None) -> Network:
    """The crudeflow Network of a min-cost flow instance (see the module docstring)."""
    from crudeflow.io.frames import SOURCE_ID, frames_network

    n, m = problem.n_nodes, problem.n_arcs
    supply = problem.supply.copy()
    low = problem.lower
    np.subtract.at(supply, problem.tail, low)
    np.add.at(supply, problem.head, low)
    offset = float(np.dot(low, problem.cost))
    node_ids = np.asarray([f"n{i}" for i in range(1, n + 1)], dtype=object)
    kind = np.where(supply > 0, "field", np.where(supply < 0, "refinery", "junction")).astype(object)
    src, snk = np.flatnonzero(supply > 0), np.flatnonzero(supply < 0)
    penalty = float(np.abs(problem.cost).sum()) + 1.0
    link_ids = np.asarray([f"a{i}" for i in range(1, m + 1)], dtype=object)
    tables: dict[str, dict[str, Any]] = {
        "sources": {
            "id": np.asarray([SOURCE_ID], dtype=object),
            "title": [f"DIMACS file {problem.path}"],
            "publisher": ["DIMACS"],
            "url": [problem.path],
            "year": [2023],
        },
        "grades": {
            "grade": np.asarray(["g"], dtype=object),
            "origin_country": [COUNTRY],
            "api_gravity": [35.0],
            "sulfur_pct": [0.5],
            "bbl_per_t": [7.33],
            "differential_usd_per_t": [0.0],
        },
        "nodes": {
            "id": node_ids,
            "name": node_ids,
            "kind": kind,
            "country": np.full(n, COUNTRY, dtype=object),
            "lat": np.zeros(n),
            "lon": np.zeros(n),
        },
        "links": {
            "id": link_ids,
            "name": link_ids,
            "from": node_ids[problem.tail],
            "to": node_ids[problem.head],
            "mode": np.full(m, "pipeline", dtype=object),
            "capacity_mt_per_year": problem.capacity - low,
            "tariff_usd_per_t": problem.cost.astype(float),
            "distance_km": np.zeros(m),
            "bidirectional": np.zeros(m, bool),
            "status": np.full(m, "operating", dtype=object),
            "swap_grade_in": np.full(m, "", dtype=object),
            "swap_grade_out": np.full(m, "", dtype=object),
        },
        "supplies": {
            "node": node_ids[src],
            "grade": np.full(len(src), "g", dtype=object),
            "min_mt_per_year": supply[src],
            "max_mt_per_year": supply[src],
            "price_usd_per_t": np.zeros(len(src)),
        },
        "demands": {
            "node": node_ids[snk],
            "demand_mt_per_year": -supply[snk],
            "shortage_penalty_usd_per_t": np.full(len(snk), penalty),
            "stock_days": np.zeros(len(snk)),
        },
    }
    return frames_network(
        tables, name=name or Path(problem.path).stem, extra={"objective_offset": offset, "format": "dimacs"}
    )


def read_dimacs(path: str | Path) -> Network:
    """A DIMACS min-cost flow file as a Network (plan it ``strict``; see the module docstring)."""
    return to_network(parse_dimacs(path))


def write_dimacs(problem: DimacsProblem, path: str | Path, comment: str = "") -> Path:
    """Write arrays as a DIMACS ``p min`` file (integers where the values are integral)."""

    def fmt(v: FArray) -> list[str]:
        return [str(int(x)) if float(x).is_integer() else repr(float(x)) for x in v]

    lines = [f"c {c}" for c in comment.splitlines()]
    lines.append(f"p min {problem.n_nodes} {problem.n_arcs}")
    nz = np.flatnonzero(problem.supply)
    lines += [f"n {i + 1} {s}" for i, s in zip(nz, fmt(problem.supply[nz]), strict=True)]
    cols = [fmt(problem.lower), fmt(problem.capacity), fmt(problem.cost)]
    lines += [
        f"a {t + 1} {h + 1} {lo} {c} {k}"
        for t, h, lo, c, k in zip(problem.tail, problem.head, *cols, strict=True)
    ]
    out = Path(path)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
