"""The period calendar: the time axis of a plan (pure data, no I/O).

A network without periods is *annual*: one implicit period whose volumes are Mt/yr. A
network with periods has a calendar frame, one row per period in order, with

* ``label``: the ISO start date (``2023-01-01``) or the label the dataset gave (``Q1``);
* ``start``, ``end``: first and last day (inclusive), ``datetime64[D]``;
* ``days``: days in the period;
* ``year_fraction``: the period's share of a year, Σ over its days of 1 / (days in that
  day's calendar year) — so a whole calendar year is exactly 1, January 2023 is 31/365 and
  February 2024 is 29/366. Annual figures (Mt/yr) are prorated by it.

Periods are contiguous and do not overlap: a gap or an overlap would silently lose or
double volumes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import FArray, IArray
from crudeflow.exceptions import Problem

STEPS = ("day", "week", "month", "quarter", "year")
"""Step sizes a ``{start, end, step}`` period spec may use."""
PERIOD_COLUMNS = ("label", "start", "end", "days", "year_fraction")


def empty_calendar() -> pd.DataFrame:
    """The calendar of an annual network: no periods."""
    return pd.DataFrame(
        {
            "label": pd.Series(dtype=object),
            "start": pd.Series(dtype="datetime64[s]"),
            "end": pd.Series(dtype="datetime64[s]"),
            "days": pd.Series(dtype=np.int64),
            "year_fraction": pd.Series(dtype=float),
        }
    )


def _days(x: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(x, dtype="datetime64[D]")


def year_fraction(start: npt.ArrayLike, end: npt.ArrayLike) -> FArray:
    """Per (start, end inclusive) range: Σ over its days of 1 / days in that day's year."""
    s, e = _days(start), _days(end) + np.timedelta64(1, "D")
    if s.size == 0:
        return np.zeros(0)
    y0 = int(s.min().astype("datetime64[Y]").astype(int)) + 1970
    y1 = int(e.max().astype("datetime64[Y]").astype(int)) + 1970
    years = np.arange(y0, y1 + 1)
    ys = np.array([f"{y:04d}-01-01" for y in years], dtype="datetime64[D]")
    ye = np.array([f"{y + 1:04d}-01-01" for y in years], dtype="datetime64[D]")
    length = (ye - ys).astype(np.int64).astype(float)
    lo = np.maximum(s[:, None], ys[None, :])
    hi = np.minimum(e[:, None], ye[None, :])
    overlap = np.clip((hi - lo).astype(np.int64), 0, None).astype(float)
    return np.asarray((overlap / length[None, :]).sum(axis=1), dtype=float)


def calendar(starts: npt.ArrayLike, ends: npt.ArrayLike, labels: list[str] | None = None) -> pd.DataFrame:
    """A calendar frame from first and last days (inclusive); labels default to ISO starts."""
    s, e = _days(starts), _days(ends)
    lab = labels if labels is not None else [str(d) for d in s]
    return pd.DataFrame(
        {
            "label": pd.Series(lab, dtype=object),
            "start": s.astype("datetime64[s]"),
            "end": e.astype("datetime64[s]"),
            "days": ((e - s).astype(np.int64) + 1).astype(np.int64),
            "year_fraction": year_fraction(s, e),
        }
    )


def stepped(start: str, end: str, step: str) -> pd.DataFrame:
    """Contiguous periods of one step from ``start`` to ``end`` (inclusive; the last is cut)."""
    s, e = np.datetime64(start, "D"), np.datetime64(end, "D")
    stop = e + np.timedelta64(1, "D")
    if step == "day":
        firsts = np.arange(s, stop, np.timedelta64(1, "D"))
    elif step == "week":
        firsts = np.arange(s, stop, np.timedelta64(7, "D"))
    else:
        months = {"month": 1, "quarter": 3, "year": 12}[step]
        m0 = s.astype("datetime64[M]")
        n = int((stop.astype("datetime64[M]") - m0).astype(int)) + 2
        mstarts = (m0 + np.arange(0, n * months, months)).astype("datetime64[D]")
        offset = s - m0.astype("datetime64[D]")
        firsts = mstarts + offset
        firsts = firsts[firsts < stop]
    nexts = np.append(firsts[1:], stop)
    return calendar(firsts, nexts - np.timedelta64(1, "D"))


def coverage(periods: pd.DataFrame, start: npt.ArrayLike, end: npt.ArrayLike) -> FArray:
    """Per (range, period): the share of the period's days inside each [start, end] range.

    ``start``/``end`` are inclusive days; NaT means open on that side. Shape (n_ranges, T).
    """
    ps = _days(periods["start"].to_numpy())
    pe = _days(periods["end"].to_numpy()) + np.timedelta64(1, "D")
    s = _days(start)
    e0 = _days(end)
    s = np.where(np.isnat(s), ps.min() if len(ps) else s, s)
    last = pe.max() - np.timedelta64(1, "D") if len(pe) else e0
    e = np.where(np.isnat(e0), last, e0) + np.timedelta64(1, "D")
    lo = np.maximum(s[:, None], ps[None, :])
    hi = np.minimum(e[:, None], pe[None, :])
    days = (pe - ps).astype(np.int64).astype(float)
    overlap = np.clip((hi - lo).astype(np.int64), 0, None).astype(float)
    return np.asarray(overlap / days[None, :], dtype=float)


def check_contiguous(periods: pd.DataFrame) -> str | None:
    """None when periods follow each other day after day; else what is wrong."""
    s = _days(periods["start"].to_numpy())
    e = _days(periods["end"].to_numpy())
    if (e < s).any():
        i = int(np.flatnonzero(e < s)[0])
        return f"period {periods['label'].iloc[i]} ends before it starts"
    gap = s[1:] - (e[:-1] + np.timedelta64(1, "D"))
    if (gap != np.timedelta64(0, "D")).any():
        i = int(np.flatnonzero(gap != np.timedelta64(0, "D"))[0]) + 1
        what = "overlaps" if gap[i - 1] < np.timedelta64(0, "D") else "leaves a gap after"
        return f"period {periods['label'].iloc[i]} {what} the one before"
    if periods["label"].duplicated().any():
        return f"label {periods['label'][periods['label'].duplicated()].iloc[0]} used twice"
    return None


def horizon_text(periods: pd.DataFrame) -> str:
    """'annual' or '12 periods, 2023-01-01 to 2023-12-31'."""
    if len(periods) == 0:
        return "annual"
    s = str(_days(periods["start"].to_numpy())[0])
    e = str(_days(periods["end"].to_numpy())[-1])
    return f"{len(periods)} period{'s' if len(periods) != 1 else ''}, {s} to {e}"


def period_positions(periods: pd.DataFrame, names: npt.ArrayLike) -> IArray:
    """Position of each named period: its label, or the ISO first day of a period; −1 if none."""
    names_s = pd.Index(np.asarray(names, dtype=object).astype(str)).str.strip()
    pos = pd.Index(periods["label"].astype(str)).get_indexer(names_s)
    starts = pd.Index([str(d) for d in _days(periods["start"].to_numpy())])
    by_start = starts.get_indexer(names_s) if starts.is_unique else np.full(len(names_s), -1)
    return np.asarray(np.where(pos >= 0, pos, by_start), dtype=np.int64)


def check_period_values(
    values: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    fields: dict[str, tuple[str, ...]],
    periods: pd.DataFrame | None,
) -> list[Problem]:
    """Problems of per-period value rows: field, id (and grade), period and duplicates.

    ``values`` carries ``_file`` / ``_row`` (where each row came from); ``tables`` the
    links, supplies, demands and markets frames; ``periods`` the horizon (None: not known
    yet, periods are checked once a scenario or the dataset declares them).
    """
    out: list[Problem] = []
    if len(values) == 0:
        return out
    file = values["_file"].astype(str).to_numpy()
    row = values["_row"].to_numpy()
    table = values["table"].astype(str).to_numpy()
    ids = values["id"].astype(str).to_numpy()
    grade = values["grade"].fillna("").astype(str).to_numpy()
    fld = values["field"].astype(str).to_numpy()
    ok = np.ones(len(values), bool)
    for i in range(len(values)):  # one check per row of a small table, not per arc
        t = table[i]
        if t not in fields:
            continue  # the table column's own check reports it
        if fld[i] not in fields[t]:
            out.append(Problem(file[i], int(row[i]), "field", f"a column of {t} given per period: "
                               f"{', '.join(fields[t])}", repr(fld[i])))  # fmt: skip
            ok[i] = False
        frame = tables[t]
        if t == "supplies":
            if (ids[i], grade[i]) not in frame.index:
                col = "grade" if ids[i] in frame.index.get_level_values(0) else "id"
                found = f"'{ids[i]}/{grade[i]}'"
                out.append(Problem(file[i], int(row[i]), col, "a (node, grade) of supplies.csv", found))
                ok[i] = False
        elif ids[i] not in frame.index:
            what = "a link id of links.csv" if t == "links" else f"a node of {t}.csv"
            out.append(Problem(file[i], int(row[i]), "id", what, repr(ids[i])))
            ok[i] = False
        elif grade[i]:
            what = f"empty (grades apply to supplies only, not {t})"
            out.append(Problem(file[i], int(row[i]), "grade", what, repr(grade[i])))
            ok[i] = False
    if periods is not None:
        pos = period_positions(periods, values["period"].to_numpy())
        what = f"a period of the horizon ({horizon_text(periods)}), by label or first day"
        for j in np.flatnonzero(pos < 0):
            out.append(Problem(file[j], int(row[j]), "period", what, repr(str(values["period"].iloc[j]))))
            ok[j] = False
        key = pd.DataFrame({"t": table, "i": ids, "g": grade, "f": fld, "p": pos})
        dup = key.duplicated(keep="first").to_numpy() & ok
        for j in np.flatnonzero(dup):
            found = f"a second value for {ids[j]} {fld[j]} in {values['period'].iloc[j]}"
            out.append(Problem(file[j], int(row[j]), "period", "one value per row, field and period", found))
    return out
