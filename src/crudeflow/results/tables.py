"""Result tables declared once, and the JSON shaping every result shares.

Like pandapower's ``res_*`` declarations, each result frame an analysis returns is
declared here: its index, its columns with dtype, unit and meaning. The code that builds
a frame takes its column order from the declaration (``ResultTable.frame``), the tests
check frames against it (``ResultTable.problems``) and the README's key tables are the
same words. ``records`` and ``clean_records`` turn frames into JSON-ready lists (NumPy
scalars to Python, NaN to null, floats rounded by the unit in their name).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crudeflow._types import JSONDict, JSONValue
from crudeflow.units import round_for_unit

DTYPES = ("float64", "int64", "bool", "str", "tuple", "object")
"""Column kinds: ``str`` and ``tuple`` are stored as object columns of that Python type."""


@dataclass(frozen=True)
class Column:
    """One column of a result frame: name (unit in it), dtype, unit and what it means."""

    name: str
    dtype: str
    unit: str
    description: str


@dataclass(frozen=True)
class ResultTable:
    """A result frame's declaration: its index (or None), its columns, and what a row is.

    ``wide`` frames (an asset × country matrix) declare their index and one ``value``
    column standing for every data column (named at run time).
    """

    name: str
    row: str
    index: str | None
    columns: tuple[Column, ...]
    wide: bool = False

    @property
    def names(self) -> list[str]:
        """Column names in order (the index not included)."""
        return [c.name for c in self.columns]

    def frame(self, rows: Iterable[Mapping[str, object]] = ()) -> pd.DataFrame:
        """A frame of ``rows`` (dicts) with exactly the declared columns, in order, and index.

        An empty frame gets each column's dtype, so empty and full frames look alike.
        """
        recs = list(rows)
        cols = ([self.index] if self.index else []) + self.names
        if recs:
            out = pd.DataFrame(recs).reindex(columns=cols)
        else:
            out = pd.DataFrame({c.name: pd.Series(dtype=_pandas_dtype(c.dtype)) for c in self._all()})
            out = out[cols]
        return out.set_index(self.index) if self.index else out

    def _all(self) -> tuple[Column, ...]:
        idx = (Column(self.index, "str", "", "index"),) if self.index else ()
        return idx + self.columns

    def problems(self, frame: pd.DataFrame) -> list[str]:
        """What is wrong with ``frame`` against this declaration (empty: it conforms)."""
        out: list[str] = []
        if (frame.index.name or None) != self.index:
            out.append(f"{self.name}: index {frame.index.name!r}, declared {self.index!r}")
        if self.wide:
            value = self.columns[0]
            out += [
                f"{self.name}: column {c!r} is {frame[c].dtype}, declared {value.dtype}"
                for c in frame.columns
                if len(frame) and not _dtype_ok(frame[c], value.dtype)
            ]
            return out
        if list(frame.columns) != self.names:
            out.append(f"{self.name}: columns {list(frame.columns)}, declared {self.names}")
            return out
        for c in self.columns:
            if len(frame) and not _dtype_ok(frame[c.name], c.dtype):
                out.append(f"{self.name}.{c.name}: {frame[c.name].dtype}, declared {c.dtype}")
        return out

    def describe(self) -> str:
        """The declaration as a Markdown table (for the README and docs)."""
        lines = [f"`{self.name}` — one row per {self.row}", "", "| column | dtype | unit | meaning |",
                 "|---|---|---|---|"]  # fmt: skip
        lines += [f"| `{c.name}` | {c.dtype} | {c.unit} | {c.description} |" for c in self._all()]
        return "\n".join(lines)


def _pandas_dtype(dtype: str) -> str:
    return {"float64": "float64", "int64": "int64", "bool": "bool"}.get(dtype, "object")


def _dtype_ok(series: pd.Series, dtype: str) -> bool:
    values = series.dropna()
    if dtype == "float64":
        return bool(pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series))
    if dtype == "int64":
        return bool(pd.api.types.is_integer_dtype(series))
    if dtype == "bool":
        return bool(pd.api.types.is_bool_dtype(series))
    if dtype == "str":
        return all(isinstance(v, str) for v in values)
    if dtype == "tuple":
        return all(isinstance(v, tuple) for v in values)
    return True


def col(name: str, dtype: str, unit: str, description: str) -> Column:
    """Shorthand for a ``Column``."""
    return Column(name, dtype, unit, description)


def clean_value(key: str, v: object) -> JSONValue:
    """One value JSON-ready: NumPy to Python, NaN/inf to None, floats rounded by ``key``'s unit."""
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, float | np.floating):
        return None if not np.isfinite(v) else round_for_unit(key, float(v))
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, str):
        return str(v)
    if v is None:
        return None
    if isinstance(v, tuple | list | np.ndarray):
        return [clean_value(key, x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): clean_value(key, x) for k, x in v.items()}
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


def clean_records(records: Sequence[Mapping[str, object]]) -> list[JSONValue]:
    """JSON-ready records: NumPy scalars to Python, NaN to null, floats rounded by unit."""
    return [{str(k): clean_value(str(k), v) for k, v in r.items()} for r in records]


def clean_dict(d: Mapping[str, object]) -> JSONDict:
    """One JSON-ready object (see ``clean_value``)."""
    return {str(k): clean_value(str(k), v) for k, v in d.items()}


def raw_value(v: object) -> JSONValue:
    """A value JSON-ready but not rounded: NumPy to Python, NaN/inf to None."""
    if isinstance(v, float | np.floating):
        return float(v) if np.isfinite(v) else None
    if isinstance(v, Mapping):
        return {str(k): raw_value(x) for k, x in v.items()}
    if isinstance(v, tuple | list | np.ndarray):
        return [raw_value(x) for x in v]
    return clean_value("", v)


def raw_dict(d: Mapping[str, object]) -> JSONDict:
    """One JSON-ready object with floats as they are (figures the CLI prints unrounded)."""
    return {str(k): raw_value(v) for k, v in d.items()}


def records(frame: pd.DataFrame) -> list[JSONValue]:
    """A frame as JSON-ready records, its index first when it is named."""
    named = frame.index.name is not None or isinstance(frame.index, pd.MultiIndex)
    df = frame.reset_index() if named else frame
    return clean_records(df.to_dict(orient="records"))  # type: ignore[arg-type]


def dumps(doc: JSONValue) -> str:
    """A JSON document as the CLI prints it (two-space indent)."""
    return json.dumps(doc, indent=2)


class JSONResult:
    """Mixin of every result: ``to_json()`` is ``to_dict()`` as text (what ``--json`` prints)."""

    def to_dict(self) -> JSONDict:
        """The JSON document (override)."""
        raise NotImplementedError

    def to_json(self) -> str:
        """The JSON document as text, two-space indented."""
        return dumps(self.to_dict())
