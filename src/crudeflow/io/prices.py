"""Checks of the dated price tables: duty_rates.csv against policies.yaml.

prices.csv is checked by its schema; ``prices_year`` reports a missing year when a
scenario asks for it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from crudeflow.io.validate import Collector
from crudeflow.schema import DUTY_RATES


def _day(text: object) -> date | None:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        return None


def check_duty_rates(frame: pd.DataFrame, policies: pd.DataFrame, out: Collector) -> None:
    """Every rate row names an export_duty policy, has valid days, and no two rows of a policy overlap."""
    if len(frame) == 0:
        return
    duties = set(policies.index[policies["kind"] == "export_duty"].astype(str)) if len(policies) else set()
    file = DUTY_RATES.file
    spans: dict[str, list[tuple[date, date, int]]] = {}
    for i, (pid, vf, vt) in enumerate(
        zip(frame["policy"], frame["valid_from"], frame["valid_to"], strict=True)
    ):
        row = i + 2
        if str(pid) not in duties:
            out.error(file, row, "policy", "the id of an export_duty policy in policies.yaml", repr(str(pid)))
        a, b = _day(vf), _day(vt)
        if a is None:
            out.error(file, row, "valid_from", "an ISO date YYYY-MM-DD", repr(str(vf)))
        if b is None:
            out.error(file, row, "valid_to", "an ISO date YYYY-MM-DD", repr(str(vt)))
        if a is not None and b is not None:
            if b < a:
                out.error(file, row, "valid_to", f"a date on or after valid_from ({a})", str(b))
                continue
            for a2, b2, row2 in spans.get(str(pid), []):
                if a <= b2 and a2 <= b:
                    out.error(file, row, "valid_from", f"a range not overlapping row {row2} ({a2} to {b2})",
                              f"{a} to {b}")  # fmt: skip
            spans.setdefault(str(pid), []).append((a, b, row))
