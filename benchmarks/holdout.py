"""Benchmark row for days of cover (issue 13): hot re-solves against cold solves, one run.

```bash
python -m benchmarks.holdout              # BY on monthly-2023, 180 days of weeks, 12 cases
python -m benchmarks.holdout --cases 24 --importer HU
```

For one importer on the shipped ``monthly-2023`` scenario (``caspian-europe`` over the
months of 2023 with its storage), the days-of-cover model (``analysis.holdout``) is built
once; every case that carries flow in the no-loss plan is a candidate and ``--cases`` of
them, evenly spaced, are timed both ways in the same process:

* hot: the live model (``holdout.ImporterCases``: the columns that can matter to the
  importer, the others fixed at the no-loss plan; reset to the no-loss basis when the
  last case moved it, columns closed, re-solved, restored; what ``holdout`` does per case);
* cold: a fresh HiGHS model of the same LP and objective with the columns closed (what a
  run without a live model would do per case).

The hot cases run back to back (as ``holdout`` runs them), then the cold ones. The row is
Σ cold / Σ hot over the same cases (target ≥ 10x), wall clock and CPU time (the machine
may be shared); the objectives must agree.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from crudeflow.analysis.holdout import ImporterCases, case_columns, horizon_network
from crudeflow.io.load import network_and_scenario
from crudeflow.optimize.build import PlanOptions, build_lp
from crudeflow.optimize.solve import HighsModel


def run(
    importer: str = "BY", n_cases: int = 12, step: str = "week", horizon_days: int = 180
) -> dict[str, object]:
    """Time hot and cold solves of ``n_cases`` cases; return the row as a dict."""
    net, _ = network_and_scenario(None, "monthly-2023")
    hnet = horizon_network(net, start="2023-01-01", horizon_days=horizon_days, step=step)
    model = build_lp(hnet)
    live_cases = ImporterCases(model, importer, PlanOptions())
    cost = live_cases.cost
    base = live_cases.base
    cases = case_columns(model, ("links", "nodes", "countries"))
    live = [(n, c) for n, c in cases.items() if float(np.max(base.x[c], initial=0.0)) > 1e-9]
    pick = np.unique(np.linspace(0, len(live) - 1, min(n_cases, len(live))).astype(int))
    # hot: the cases back to back on the live model, as holdout runs them; then cold
    t0, c0 = time.perf_counter(), time.process_time()
    hot = [live_cases.solve(live[i][1]).objective for i in pick]
    hot_s, hot_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    cold = []
    for i in pick:
        cold_m = HighsModel(model.lp)
        cold_m.h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        cold_m.close_cols(live[i][1])
        cold.append(cold_m.run(duals=False).objective)
    cold_s, cold_cpu = time.perf_counter() - t0, time.process_time() - c0
    worst = max(abs(h - c) / max(1.0, abs(c)) for h, c in zip(hot, cold, strict=True))
    return {
        "row": f"holdout {importer}: hot vs cold re-solves, monthly-2023, {horizon_days} days of {step}s",
        "lp_columns": model.lp.n_cols, "lp_rows": model.lp.n_rows, "periods": model.axis.n,
        "cases_timed": len(pick), "cases_with_flow": len(live), "cases_total": len(cases),
        "hot_s_per_case": hot_s / len(pick), "cold_s_per_case": cold_s / len(pick),
        "ratio_cold_over_hot": cold_s / hot_s, "cpu_ratio_cold_over_hot": cold_cpu / hot_cpu,
        "lp_columns_live": len(live_cases.keep) if live_cases.live is not None else model.lp.n_cols,
        "target": ">= 10x", "ok": cold_s / hot_s >= 10.0,
        "max_rel_objective_diff": worst,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Print the row as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--importer", default="BY")
    ap.add_argument("--cases", type=int, default=12)
    ap.add_argument("--step", default="week", choices=("day", "week"))
    ap.add_argument("--horizon-days", type=int, default=180)
    a = ap.parse_args(argv)
    print(json.dumps(run(a.importer, a.cases, a.step, a.horizon_days), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
