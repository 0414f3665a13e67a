"""Benchmark rows for plans over periods (issue 12), as ratios measured in one run.

```bash
python -m benchmarks.periods            # every row (the 10k x 52 rows take minutes)
python -m benchmarks.periods --quick    # shipped rows and 10k x 1/4/12 only
```

Rows:
* shipped: build + solve + results of the 12-month 2023 plan (caspian-europe with monthly
  periods and its storage) against the annual plan; target ≤ 12x.
* synthetic 10k links x 12 periods, end to end (``build_lp`` + HiGHS + ``make_plan``)
  against raw HiGHS on the same LP (``passModel`` of the built matrix + ``run``); target
  ≤ 1.3x. The synthetic network is ``transport_network(2000, 10_000, pure=True)`` (one
  grade: the multi-grade 52-period LP is a 2-million-column multi-commodity flow).
* scaling: end-to-end seconds over 1, 4, 12 and 52 weekly/monthly periods and the slope of
  log(time) against log(periods) (1 = linear).
* peak memory (ru_maxrss) of the 10k x 52 plan, in a fresh process; target < 2 GB.

Each timing is the median of three runs after a warm-up, in this process (process start
excluded); the memory row runs in a child process so earlier rows do not count. The
synthetic rows give wall-clock ratios and CPU-time ratios (``process_time``; HiGHS runs on
one thread): on a shared machine the wall-clock ratio of a 6-second solve moves by ±30 %
from run to run, the CPU ratio much less.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from crudeflow.model.network import Network
from crudeflow.model.periods import stepped


def median_seconds(fn: Callable[[], Any], runs: int = 3) -> float:
    """Median wall seconds of ``runs`` calls of ``fn`` after one warm-up call."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _paired(a: Callable[[], Any], b: Callable[[], Any], runs: int) -> tuple[float, float, float, float]:
    """Medians of two callables timed alternately (a shared machine drifts between runs).

    Wall seconds of a and b, then CPU seconds of this process (``process_time``): HiGHS runs
    on one thread here, so CPU time leaves out the waits a loaded machine adds at random.
    """
    a()
    b()
    ta, tb, ca, cb = [], [], [], []
    for _ in range(runs):
        for fn, out, cpu in ((a, ta, ca), (b, tb, cb)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            out.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return statistics.median(ta), statistics.median(tb), statistics.median(ca), statistics.median(cb)


def _end_to_end(net: Network) -> Callable[[], Any]:
    from crudeflow.optimize.build import build_lp
    from crudeflow.optimize.solve import solve_lp
    from crudeflow.results.plan import make_plan

    def run() -> Any:
        m = build_lp(net)
        res = solve_lp(m.lp)
        assert res.ok, res.status
        return make_plan(m, res, paths=False)

    return run


def _raw_highs(net: Network) -> Callable[[], Any]:
    import highspy

    from crudeflow.optimize.build import build_lp
    from crudeflow.optimize.solve import DEFAULT_OPTIONS, cold_options

    lp = build_lp(net).lp
    a = lp.matrix()
    opts = {**DEFAULT_OPTIONS, **cold_options(lp)}

    def run() -> Any:
        h = highspy.Highs()
        for k, v in opts.items():
            h.setOptionValue(k, v)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = lp.n_cols, lp.n_rows
        model.col_cost_, model.col_lower_, model.col_upper_ = lp.cost, lp.col_lower, lp.col_upper
        model.row_lower_, model.row_upper_ = lp.row_lower, lp.row_upper
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_, model.a_matrix_.index_, model.a_matrix_.value_ = a.indptr, a.indices, a.data
        h.passModel(model)
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        return h

    return run


def _synthetic(n_periods: int) -> Network:
    from crudeflow.synthetic import transport_network

    net = transport_network(2000, 10_000, seed=1, pure=True)
    if n_periods == 1:
        return net
    if n_periods == 52:
        return net.replace(periods=stepped("2023-01-01", "2023-12-30", "week"))
    step = {4: "quarter", 12: "month"}[n_periods]
    return net.replace(periods=stepped("2023-01-01", "2023-12-31", step))


def shipped_row() -> dict[str, Any]:
    """12-month shipped plan against the annual one."""
    from crudeflow.api import load

    net = load()
    monthly = net.replace(periods=stepped("2023-01-01", "2023-12-31", "month"))
    annual_s = median_seconds(_end_to_end(net))
    monthly_s = median_seconds(_end_to_end(monthly))
    return {"row": "shipped 12 months / annual", "annual_s": annual_s, "monthly_s": monthly_s,
            "ratio": monthly_s / annual_s, "target": "<= 12"}  # fmt: skip


def synthetic_rows(periods: tuple[int, ...]) -> list[dict[str, Any]]:
    """End to end against raw HiGHS per number of periods, and the scaling slope."""
    rows = []
    for n in periods:
        net = _synthetic(n)
        e2e, raw, e2e_cpu, raw_cpu = _paired(_end_to_end(net), _raw_highs(net), runs=1 if n >= 52 else 5)
        target = "<= 1.3" if n == 12 else ""
        rows.append({"row": f"synthetic 10k links x {n} periods", "periods": n, "end_to_end_s": e2e,
                     "raw_highs_s": raw, "ratio": e2e / raw, "end_to_end_cpu_s": e2e_cpu,
                     "raw_highs_cpu_s": raw_cpu, "ratio_cpu": e2e_cpu / raw_cpu,
                     "target": target})  # fmt: skip
    if len(rows) > 1:
        x = np.log([r["periods"] for r in rows])
        y = np.log([r["end_to_end_s"] for r in rows])
        slope = float(np.polyfit(x, y, 1)[0])
        y_cpu = np.log([r["end_to_end_cpu_s"] for r in rows])
        slope_cpu = float(np.polyfit(x, y_cpu, 1)[0])
        ns = [r["periods"] for r in rows]
        rows.append({"row": "scaling slope log(time) / log(periods)", "periods": ns, "slope": slope,
                     "slope_cpu": slope_cpu})  # fmt: skip
    return rows


def memory_row(n_periods: int = 52) -> dict[str, Any]:
    """Peak memory of one synthetic 10k-link plan over ``n_periods``, in a fresh process."""
    code = (
        f"import resource, benchmarks.periods as b; b._end_to_end(b._synthetic({n_periods}))(); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    kb = int(out.stdout.strip().splitlines()[-1])
    return {"row": f"peak memory 10k x {n_periods}", "peak_mb": kb / 1024, "target": "< 2048 MB"}


def main(argv: list[str]) -> int:
    """Run the rows and print them as JSON lines."""
    quick = "--quick" in argv
    rows = [shipped_row(), *synthetic_rows((1, 4, 12) if quick else (1, 4, 12, 52))]
    if not quick:
        rows.append(memory_row(52))
    for r in rows:
        print(json.dumps(r))
    print(json.dumps({"peak_mb_this_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
