"""The transport modes table (like PyPSA's carriers): every per-mode fact in one place.

The schema's ``links.mode`` choices, the policies' ``modes`` field, Monte Carlo outage
defaults, the map colours and legend names, sea-path drawing, and the link checks of the
validator all read :data:`MODE_TABLE`. A mode missing from it is an error wherever it is
looked up (:func:`mode_values`), never a silent default.

Adding a mode: one row here (and its colour is drawn, its outages drawn, its name allowed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from crudeflow.exceptions import CrudeflowError


class UnknownModeError(CrudeflowError, KeyError):
    """A transport mode that is not in the modes table (bad input: exit code 2)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Mode:
    """One transport mode and what the model, the analyses and the report assume of it."""

    name: str
    """The value of ``links.mode``."""
    display_name: str
    """Name in legends and tables."""
    colour: str
    """Line colour on the maps (the five are colour-blind-distinguishable)."""
    seaborne: bool
    """Moves by sea: drawn along stored sea paths, its length follows sea lanes (no
    great-circle ceiling), the coastal states in its ``countries`` are not land transit."""
    paper: bool
    """A contract exchange, not a physical movement (a swap): it changes the grade, pays no
    duty or transit fee, is never bidirectional and has no length to check."""
    outage_rate_per_year: float
    """Monte Carlo default where a link gives no ``outage_rate_per_year`` (1/yr)."""
    outage_mean_days: float
    """Monte Carlo default where a link gives no ``outage_mean_days`` (days)."""
    max_tariff_usd_per_t: float
    """Tariffs above this are flagged as suspicious (a warning); inf: never (USD/t)."""
    description: str


MODE_TABLE: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode("pipeline", "Pipeline", "#1f5fa8", False, False, 0.5, 10.0, 100.0,
             "oil pipeline; outages rare but long (leaks, maintenance, disputes)"),
        Mode("tanker", "Tanker", "#e07b00", True, False, 1.0, 5.0, float("inf"),
             "seaborne leg between ports; outages from weather and port closures"),
        Mode("rail", "Rail", "#8e44ad", False, False, 2.0, 3.0, float("inf"),
             "rail tank cars; frequent short disruptions"),
        Mode("barge", "Barge", "#8c6d31", False, False, 1.0, 7.0, float("inf"),
             "river or coastal barge; low water and ice"),
        Mode("swap", "Swap", "#2e8b57", False, True, 0.0, 0.0, float("inf"),
             "paper exchange of one grade for another at two places; no physical outage"),
    )
}  # fmt: skip
"""Every transport mode by name, in display order."""

MODES: tuple[str, ...] = tuple(MODE_TABLE)
"""Mode names: the allowed values of ``links.mode`` and of a policy's ``modes``."""


def mode_values(modes: Iterable[Any], attr: str) -> npt.NDArray[Any]:
    """One attribute of :class:`Mode` per given mode name, vectorised.

    Raises :class:`UnknownModeError` naming every mode not in the table (never a silent
    default).
    """
    names = np.asarray([str(m) for m in modes], dtype=str)
    uniq, inv = np.unique(names, return_inverse=True)
    missing = [str(u) for u in uniq if u not in MODE_TABLE]
    if missing:
        msg = f"transport mode(s) {', '.join(map(repr, missing))} not in the modes table ({', '.join(MODES)})"
        raise UnknownModeError(msg)
    table = np.asarray([getattr(MODE_TABLE[m], attr) for m in MODES])
    pos = np.asarray([MODES.index(str(u)) for u in uniq], dtype=np.int64)
    return table[pos[np.asarray(inv, dtype=np.int64).reshape(-1)]]


def modes_markdown() -> str:
    """``docs/modes.md``: the modes table, generated from :data:`MODE_TABLE`."""
    cols = [f.name for f in fields(Mode)]
    lines = [
        "# Transport modes",
        "",
        "<!-- generated from crudeflow.schema.modes by scripts/gen_docs.py: do not edit -->",
        "",
        "The values of `links.mode` and what crudeflow assumes of each (`crudeflow.schema.modes`).",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for m in MODE_TABLE.values():
        lines.append("| " + " | ".join(_cell(getattr(m, c)) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "none" if v == float("inf") else f"{v:g}"
    return str(v)
