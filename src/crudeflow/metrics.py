"""The Herfindahl-Hirschman index, the one implementation every table and analysis uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

HHI_SCALE = 10_000.0
"""HHI of one supplier with the whole market (shares as fractions, squared, times this)."""


def hhi(shares: Mapping[str, float] | pd.Series | Sequence[float]) -> float:
    """HHI (0-10,000) of shares given in any unit (normalised here); NaN when they sum to 0."""
    s = np.asarray(list(shares.values()) if isinstance(shares, Mapping) else shares, float)
    total = s.sum()
    if total <= 0:
        return float("nan")
    return float(((s / total) ** 2).sum() * HHI_SCALE)


def hhi_by_group(volumes: pd.Series, level: int = 0) -> pd.Series:
    """HHI per group of a Series indexed (group, member, ...): shares normalised within a group."""
    norm = volumes / volumes.groupby(level=level).transform("sum")
    out: pd.Series = (norm**2).groupby(level=level).sum() * HHI_SCALE
    return out
