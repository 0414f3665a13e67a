"""Citation checks across a whole dataset, and the checks of ``observed.csv``.

A source id is *named* in a ``source`` column, in ``policies.yaml`` (``source``), in a
``dataset.yaml`` key ending in ``_source``, or in a note as a parenthesised item that is one
hyphenated slug, e.g. ``(gem-kcp, kmg-ar2020)``. Every named id must be listed in
``sources.csv`` (error); every listed source must be named somewhere (warning), where a note
also names a listed id by the id itself as a whole word (``searoute 1.6.0 (searoute)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from crudeflow.io.validate import Collector
from crudeflow.model.network import DatasetMeta
from crudeflow.schema import OBSERVED, TABLES

_PAREN = re.compile(r"\(([^()]*)\)")
_SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")
_WORD = re.compile(r"(?<![\w./:-])[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*(?![\w/-])")
_PERIOD = re.compile(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})")
SHARE_MEASURES = ("exporter_share",)


def named_in_note(note: str) -> list[str]:
    """Source ids a note names by convention: parenthesised items that are one hyphenated slug."""
    found: list[str] = []
    for group in _PAREN.findall(note):
        for item in re.split(r"[;,]", group):
            item = item.strip()
            if _SLUG.fullmatch(item):
                found.append(item)
    return found


def words(text: str) -> set[str]:
    """Every id-like word of a text (URLs and paths excluded), for counting listed ids as used."""
    return set(_WORD.findall(text))


def check_citations(
    frames: dict[str, pd.DataFrame],
    policies: pd.DataFrame,
    meta: DatasetMeta,
    out: Collector,
    *,
    report_unused: bool = True,
) -> None:
    """Source ids named anywhere are listed and listed ones used; sourced grades carry evidence.

    ``report_unused=False`` when a file that cites sources could not be read: its sources
    would all look unused, a cascade of warnings caused by the one problem already reported.
    """
    check_sources_used(frames, policies, meta, out, report_unused=report_unused)
    check_evidence(frames, out)


def check_evidence(frames: dict[str, pd.DataFrame], out: Collector) -> None:
    """A row graded official, operator or press quotes its evidence (warning if it does not)."""
    for name, table in TABLES.items():
        frame = frames[name]
        if len(frame) == 0 or "confidence" not in frame.columns or "evidence" not in frame.columns:
            continue
        graded = frame["confidence"].isin(("official", "operator", "press")).to_numpy()
        empty = (frame["evidence"].fillna("").astype(str).str.strip() == "").to_numpy()
        for i in (graded & empty).nonzero()[0]:
            out.warn(
                table.file,
                int(i) + 2,
                "evidence",
                f"a quote or table reference for a '{frame['confidence'].iloc[i]}' figure",
                "an empty cell",
            )


def check_sources_used(
    frames: dict[str, pd.DataFrame],
    policies: pd.DataFrame,
    meta: DatasetMeta,
    out: Collector,
    *,
    report_unused: bool = True,
) -> None:
    """Every source id named anywhere is listed (error); every listed one is named (warning)."""
    sources = frames["sources"]
    listed = [str(s) for s in sources["id"].tolist()]
    known = set(listed)
    used: set[str] = set()
    for name, table in TABLES.items():
        frame = frames[name]
        if len(frame) == 0:
            continue
        if name != "sources" and "source" in frame.columns:
            used.update(str(s) for s in frame["source"] if s)
        if "note" not in frame.columns:
            continue
        for i, note in enumerate(frame["note"].tolist()):
            text = str(note or "")
            _check_named(named_in_note(text), known, table.file, i + 2, "note", out)
            used.update(words(text) & known)
    if len(policies):
        for pid, row in policies.iterrows():
            line = int(row["line"]) if "line" in policies.columns and row["line"] else None
            text = str(row["note"] or "")
            _check_named(named_in_note(text), known, "policies.yaml", line, f"note of '{pid}'", out)
            used.update(words(text) & known)
            if row["source"]:
                used.add(str(row["source"]))
    for key, value in meta.extra.items():
        # an unknown id here is reported by the loader, with its dataset.yaml line
        if str(key).endswith("_source") and str(value) in known:
            used.add(str(value))
    for i, sid in enumerate(listed):
        if report_unused and sid not in used:
            out.warn(
                "sources.csv",
                i + 2,
                "id",
                "a source named by some row, note or policy",
                f"'{sid}' is never used",
            )


def _check_named(
    ids: Iterable[str], known: set[str], file: str, row: int | None, col: str, out: Collector
) -> None:
    for sid in ids:
        if sid not in known:
            out.error(file, row, col, "source ids listed in sources.csv", f"'{sid}' named but not listed")


def check_observed(observed: pd.DataFrame, link_ids: list[str], out: Collector) -> None:
    """Each observed row names known links and has the columns its measure needs."""
    file = OBSERVED.file
    if len(observed) == 0:
        return
    links = set(link_ids)
    for i, rec in enumerate(observed.to_dict(orient="records")):
        row = i + 2
        for link in rec["links"]:
            if link not in links:
                out.error(file, row, "links", "link ids of links.csv", repr(link))
        needs = _needs(rec["measure"])
        for col in needs:
            if not rec[col]:
                out.error(
                    file, row, col, f"a value (measure '{rec['measure']}' needs {col})", "an empty cell"
                )
        if rec["measure"] in ("origin_to_importer", "production") and not (rec["origins"] or rec["grades"]):
            out.error(file, row, "origins", f"origins or grades (measure '{rec['measure']}')", "neither")
        is_share = rec["measure"] in SHARE_MEASURES
        if is_share != (rec["unit"] == "%") and rec["unit"] in OBSERVED.column("unit").choices:  # type: ignore[operator]
            want = "%" if is_share else "a volume unit (Mt/yr, Mt, million bbl/yr)"
            out.error(file, row, "unit", f"{want} for measure '{rec['measure']}'", repr(rec["unit"]))
        if is_share and rec["value"] is not None and rec["value"] > 100:
            out.error(file, row, "value", "a share <= 100 %", f"{rec['value']:g}")
        _check_period(rec, file, row, out)
        if rec["tolerance"] is not None and not rec["tolerance"] > 0:
            out.error(
                file,
                row,
                "tolerance",
                "a tolerance > 0 (from the source's precision)",
                repr(rec["tolerance"]),
            )


def check_frictions(frictions: pd.DataFrame, observed: pd.DataFrame, out: Collector) -> None:
    """Each friction serves a ``calibrate`` row of observed.csv (frictions.csv is derived data)."""
    from crudeflow.schema import FRICTIONS

    if len(frictions) == 0:
        return
    roles = dict(zip(observed["id"], observed["role"], strict=True)) if len(observed) else {}
    for i, obs in enumerate(frictions["observation"].tolist()):
        if roles.get(obs) != "calibrate":
            found = "no such row" if obs not in roles else f"a {roles[obs]} row"
            out.error(FRICTIONS.file, i + 2, "observation",
                      "the id of a calibrate row of observed.csv (rerun `crudeflow calibrate --write`)",
                      f"{obs!r}: {found}")  # fmt: skip


def _needs(measure: Any) -> tuple[str, ...]:
    return {
        "link_flow": ("links",),
        "origin_to_importer": ("importer",),
        "exporter_share": ("links", "exporter"),
        "exports": ("exporter",),
        "production": (),
    }.get(str(measure), ())


def _check_period(rec: dict[str, Any], file: str, row: int, out: Collector) -> None:
    period = str(rec["period"] or "")
    if not period:
        if rec["unit"] == "Mt":
            out.error(file, row, "period", "the months a volume in Mt covers (YYYY-MM..YYYY-MM)", "nothing")
        return
    m = _PERIOD.fullmatch(period)
    year = rec["year"]
    if m is None:
        out.error(file, row, "period", "YYYY-MM..YYYY-MM", repr(period))
        return
    y1, m1, y2, m2 = (int(g) for g in m.groups())
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y1, m1) > (y2, m2) or y1 != year or y2 != year:
        out.error(file, row, "period", f"months of {year} in order (YYYY-MM..YYYY-MM)", repr(period))
