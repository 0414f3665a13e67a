"""Read a ``periods:`` declaration (dataset.yaml or a scenario) into a calendar frame.

Two shapes, both checked with the file and line of every problem:

* a range: ``periods: {start: 2023-01-01, end: 2023-12-31, step: month}`` (step: day, week,
  month, quarter or year; the last period is cut at ``end``);
* a list of labelled ranges: ``periods: [{label: Q1, start: 2023-01-01, end: 2023-03-31}, ...]``
  (contiguous, in order, no overlap).

Dates are ISO days (``YYYY-MM-DD``), quoted or not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.io.validate import Collector
from crudeflow.io.yamlio import LineDict, LineList
from crudeflow.model.periods import STEPS, calendar, check_contiguous, stepped

MAX_PERIODS = 5_000
"""Most periods a declaration may give (about 13 years of days)."""


def parse_date(value: Any) -> np.datetime64 | None:
    """An ISO day from a YAML date or text, or None when it is not one."""
    if isinstance(value, dt.datetime):
        return np.datetime64(value.date(), "D")
    if isinstance(value, dt.date):
        return np.datetime64(value, "D")
    if isinstance(value, str):
        try:
            return np.datetime64(dt.date.fromisoformat(value.strip()), "D")
        except ValueError:
            return None
    return None


def _line(doc: Any, key: str | None, default: int | None) -> int | None:
    if isinstance(doc, LineDict):
        return doc.line_of(key) if key else doc.line
    return default


def parse_periods(spec: Any, file: str, line: int | None, out: Collector) -> pd.DataFrame | None:
    """The calendar a ``periods:`` value declares, or None (problems in ``out``)."""
    before = len(out.errors)
    expected_range = "{start: YYYY-MM-DD, end: YYYY-MM-DD, step: " + " | ".join(STEPS) + "}"
    if isinstance(spec, dict):
        for key in spec:
            if key not in ("start", "end", "step"):
                out.error(file, _line(spec, key, line), f"periods.{key}", "start, end or step", f"'{key}'")
        dates = {}
        for key in ("start", "end"):
            d = parse_date(spec.get(key))
            if d is None:
                out.error(file, _line(spec, key, line), f"periods.{key}", "an ISO date YYYY-MM-DD",
                          repr(spec.get(key)) if key in spec else "nothing")  # fmt: skip
            dates[key] = d
        step = spec.get("step")
        if step not in STEPS:
            out.error(file, _line(spec, "step", line), "periods.step", " | ".join(STEPS),
                      repr(step) if "step" in spec else "nothing")  # fmt: skip
        if len(out.errors) > before:
            return None
        s, e = dates["start"], dates["end"]
        assert s is not None
        assert e is not None
        if e < s:
            out.error(file, _line(spec, "end", line), "periods.end", f"a date on or after {s}", str(e))
            return None
        approx = (
            int((e - s).astype(int))
            // {"day": 1, "week": 7, "month": 28, "quarter": 89, "year": 365}[str(step)]
        )
        if approx > MAX_PERIODS:
            out.error(file, line, "periods", f"at most {MAX_PERIODS} periods", f"about {approx}")
            return None
        return stepped(str(s), str(e), str(step))
    if isinstance(spec, list):
        if not spec:
            out.error(file, line, "periods", "at least one period", "an empty list")
            return None
        if len(spec) > MAX_PERIODS:
            out.error(file, line, "periods", f"at most {MAX_PERIODS} periods", str(len(spec)))
            return None
        starts, ends, labels = [], [], []
        item_lines = spec.item_lines if isinstance(spec, LineList) else [line] * len(spec)
        for i, item in enumerate(spec):
            il = item_lines[i] if i < len(item_lines) else line
            if not isinstance(item, dict):
                out.error(file, il, f"periods[{i}]", "{label, start, end}", repr(item))
                continue
            s = parse_date(item.get("start"))
            e = parse_date(item.get("end"))
            for key, d in (("start", s), ("end", e)):
                if d is None:
                    out.error(file, _line(item, key, il), f"periods[{i}].{key}", "an ISO date YYYY-MM-DD",
                              repr(item.get(key)) if key in item else "nothing")  # fmt: skip
            starts.append(s)
            ends.append(e)
            labels.append(str(item.get("label", s)))
        if len(out.errors) > before:
            return None
        cal = calendar(np.asarray(starts, "datetime64[D]"), np.asarray(ends, "datetime64[D]"), labels)
        wrong = check_contiguous(cal)
        if wrong:
            out.error(file, line, "periods", "contiguous periods in order, each label once", wrong)
            return None
        return cal
    out.error(file, line, "periods", f"{expected_range} or a list of {{label, start, end}}", repr(spec))
    return None
