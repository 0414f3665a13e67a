"""Shared type aliases and numerical tolerances: one set for the whole package.

Array aliases name the NumPy dtypes crudeflow passes around; ``JSONValue`` is what a
result's ``to_dict()`` returns (JSON-ready: no NumPy scalars, no NaN). Tolerances are in
the unit their name says; every module takes them from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ForwardRef, TypeAlias, Union

import numpy as np
import numpy.typing as npt

FArray: TypeAlias = npt.NDArray[np.float64]
"""A float64 array (volumes Mt/yr, costs USD/t, ...)."""
IArray: TypeAlias = npt.NDArray[np.int64]
"""An int64 array (positions, LP rows and columns, state codes)."""
BArray: TypeAlias = npt.NDArray[np.bool_]
"""A boolean mask."""

JSONScalar: TypeAlias = str | int | float | bool | None
if TYPE_CHECKING:
    JSONValue: TypeAlias = Union[JSONScalar, list["JSONValue"], dict[str, "JSONValue"]]  # noqa: UP007
else:  # the self-reference resolves here wherever get_type_hints meets it
    _SELF = ForwardRef("JSONValue", module=__name__)
    JSONValue = Union[JSONScalar, list[_SELF], dict[str, _SELF]]  # noqa: UP007
"""A JSON document: what ``json.dumps`` writes without a ``default``."""
JSONDict: TypeAlias = dict[str, JSONValue]
"""A JSON object: the return type of every result's ``to_dict()``."""

TOL_FLOW_MT = 1e-6
"""Flows, volumes and shares below this (Mt/yr) are zero in a plan's tables."""
TOL_PATH_MT = 1e-7
"""Flows below this (Mt/yr) are left out of path decomposition and delivered costs."""
TOL_CHANGE_MT = 1e-7
"""Changes of unmet or shut-in volume below this (Mt/yr) are solver noise, reported as zero."""
TOL_ZERO = 1e-9
"""Generic zero for values already in their natural unit (a flow that carries nothing)."""
TOL_REL = 1e-6
"""Relative agreement required of hot and cold re-solves."""
