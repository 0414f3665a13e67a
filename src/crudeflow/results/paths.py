"""Flow decomposition: split the optimal flows into paths from a supply to a sink.

Works on the (node, grade) state graph so swaps, which change the grade, are followed.
A path ends where its crude is run (a refinery), sold (a world-market outlet) or shut in.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt
import pandas as pd

EPS = 1e-7


def decompose(
    supply: pd.DataFrame,
    flows: pd.DataFrame,
    sinks: pd.DataFrame,
) -> pd.DataFrame:
    """Greedy path decomposition of a feasible flow.

    ``supply``: node, grade, mt_per_year, price_usd_per_t. ``flows``: var, from, to,
    grade, grade_out, mt_per_year. ``sinks``: node, grade, kind, mt_per_year.
    Returns one row per path: source, grade (as supplied), sink, sink_kind, grade_out,
    mt_per_year, nodes (tuple), vars (tuple of flow-variable positions).
    """
    out: dict[tuple[str, str], list[list[object]]] = defaultdict(list)
    cols = [flows[c].tolist() for c in ("var", "from", "to", "grade", "grade_out", "mt_per_year")]
    for var, a, b, g, g_out, mt in zip(*cols, strict=True):
        out[(a, g)].append([int(var), (b, g_out), float(mt)])
    for edges in out.values():
        edges.sort(key=lambda e: -float(e[2]))  # type: ignore[arg-type]
    sink_left: dict[tuple[str, str], list[list[object]]] = defaultdict(list)
    for rec in sinks.itertuples(index=False):
        sink_left[(rec.node, rec.grade)].append([rec.kind, float(rec.mt_per_year)])
    rows: list[dict[str, object]] = []
    for rec in supply.itertuples(index=False):
        left = float(rec.mt_per_year)
        start = (rec.node, rec.grade)
        guard = 0
        while left > EPS and guard < 10_000:
            guard += 1
            state = start
            visited = {state}
            path_vars: list[int] = []
            edges_used: list[list[object]] = []
            nodes = [state[0]]
            amount = left
            sink: list[object] | None = None
            while True:
                s_here = [s for s in sink_left.get(state, []) if float(s[1]) > EPS]  # type: ignore[arg-type]
                if s_here:
                    sink = s_here[0]
                    amount = min(amount, float(sink[1]))  # type: ignore[arg-type]
                    break
                nxt = [e for e in out.get(state, []) if float(e[2]) > EPS]  # type: ignore[arg-type]
                if not nxt:
                    break
                e = nxt[0]
                amount = min(amount, float(e[2]))  # type: ignore[arg-type]
                path_vars.append(int(e[0]))  # type: ignore[call-overload]
                edges_used.append(e)
                state = e[1]  # type: ignore[assignment]
                nodes.append(state[0])
                if state in visited:
                    break
                visited.add(state)
            if sink is None or amount <= EPS:
                # flow that ends nowhere (rounding or a cycle): stop decomposing this supply
                break
            for e in edges_used:
                e[2] = float(e[2]) - amount  # type: ignore[arg-type]
            sink[1] = float(sink[1]) - amount  # type: ignore[arg-type]
            left -= amount
            rows.append({
                "source": start[0], "grade": start[1], "sink": state[0], "sink_kind": sink[0],
                "grade_out": state[1], "mt_per_year": amount, "nodes": tuple(nodes),
                "vars": tuple(path_vars),
            })  # fmt: skip
    cols = ["source", "grade", "sink", "sink_kind", "grade_out", "mt_per_year", "nodes", "vars"]
    return pd.DataFrame(rows, columns=cols)


def path_costs(
    paths: pd.DataFrame,
    price: npt.NDArray[np.float64],
    tariff: npt.NDArray[np.float64],
    duty: npt.NDArray[np.float64],
    fee: npt.NDArray[np.float64],
) -> pd.DataFrame:
    """Add per-tonne cost parts to each path: price, transport, duties, fees, total (USD/t)."""
    out = paths.copy()
    t = np.array([tariff[list(v)].sum() if v else 0.0 for v in paths["vars"]])
    d = np.array([duty[list(v)].sum() if v else 0.0 for v in paths["vars"]])
    f = np.array([fee[list(v)].sum() if v else 0.0 for v in paths["vars"]])
    out["price_usd_per_t"] = price
    out["transport_usd_per_t"] = t
    out["duties_usd_per_t"] = d
    out["fees_usd_per_t"] = f
    out["cost_usd_per_t"] = price + t + d + f
    return out
