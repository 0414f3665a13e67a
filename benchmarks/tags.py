"""Benchmark rows for origin and path tags (issue 15): growth against the untagged model.

```bash
python -m benchmarks.tags                 # shipped dataset + synthetic 10k links, 1 / 3 / 10 tags
python -m benchmarks.tags --timeout 300   # give up on a row after 300 s (default 900)
```

Each row plans the same network with and without transit caps (one ``share_cap`` by
transit per tagged country, so one tag layer each) and reports, as ratios against the
untagged plan in the same run: LP columns, rows and non-zeros, build + solve CPU seconds
(median of three after a warm-up; CPU time, so rows compare on a shared machine), and the
peak memory (ru_maxrss) of a fresh process. A row that does not finish within the timeout
(warm-up and repeats together) is printed as such.
Shipped: the countries are the main transit countries of the caspian-europe dataset (RU,
UA, ...), capped for every refinery country at 100 % (the layers are built, nothing binds).
Synthetic: ``transport_network(2000, 10_000)`` with caps on its first countries.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

SHIPPED_TRANSIT = ("RU", "UA", "TR", "GE", "AZ", "KZ", "BY", "PL", "LT", "LV")


def _capped(net: Any, countries: tuple[str, ...]) -> Any:
    """The network with a non-binding transit cap for each country on every importer."""
    from crudeflow.model.policies import ShareCap, all_policies, policy_frame

    importers = sorted(set(net.nodes["country"].reindex(net.demands.index).astype(str)))
    extra = [
        ShareCap(id=f"bench-{c}-{i}", importer=i, by="transit", country=c, max_share_pct=100.0)
        for c in countries
        for i in importers
        if i != c
    ]
    return net.replace(policies=policy_frame([*all_policies(net.policies), *extra]))


def _network(kind: str) -> Any:
    if kind == "shipped":
        from crudeflow.io.dataset import read_dataset

        return read_dataset("caspian-europe")
    from crudeflow.synthetic import transport_network

    return transport_network(2000, 10_000, side_constraints=False)


def _countries(net: Any, kind: str, k: int) -> tuple[str, ...]:
    if kind == "shipped":
        return SHIPPED_TRANSIT[:k]
    return tuple(sorted(set(net.nodes["country"].astype(str)))[:k])


def _measure(kind: str, k: int) -> dict[str, Any]:
    """Size and time of one plan (k tagged countries; 0 = untagged), in this process."""
    from crudeflow.optimize.build import build_lp
    from crudeflow.optimize.solve import solve_lp

    net = _network(kind)
    if k:
        net = _capped(net, _countries(net, kind, k))

    def run() -> Any:
        m = build_lp(net)
        res = solve_lp(m.lp)
        assert res.ok, res.status
        return m

    m = run()
    times = []
    for _ in range(3):
        t0 = time.process_time()
        run()
        times.append(time.process_time() - t0)
    a = m.lp.matrix()
    return {
        "cols": m.lp.n_cols, "rows": m.lp.n_rows, "nnz": int(a.nnz),
        "layers": len(m.tags.layers), "seconds": statistics.median(times),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }  # fmt: skip


def _fresh(kind: str, k: int, timeout: float) -> dict[str, Any] | None:
    """``_measure`` in a child process, so its peak memory is its own (None: timed out)."""
    code = f"import json, benchmarks.tags as b; print(json.dumps(b._measure({kind!r}, {k})))"
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> None:
    """Print one row per (network, tagged countries) with ratios to the untagged plan."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.tags")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per row (default 900)")
    args = ap.parse_args(argv)
    print("network   tags layers   cols×  rows×   nnz×  time×   mem×     cpu_s  mem_mb")
    for kind, ks in (("shipped", (1, 3, 10)), ("synthetic", (1, 3, 10))):
        base = _fresh(kind, 0, args.timeout)
        assert base is not None, f"the untagged {kind} plan did not finish in {args.timeout} s"
        for k in ks:
            r = _fresh(kind, k, args.timeout)
            if r is None:
                print(f"{kind:9} {k:4}  did not finish in {args.timeout:.0f} s (warm-up + 3 runs)")
                continue
            print(
                f"{kind:9} {k:4} {r['layers']:6} {r['cols'] / base['cols']:7.2f}"
                f"{r['rows'] / base['rows']:7.2f}"
                f"{r['nnz'] / base['nnz']:7.2f}{r['seconds'] / base['seconds']:7.2f}"
                f"{r['rss_mb'] / base['rss_mb']:7.2f} {r['seconds']:9.3f} {r['rss_mb']:7.0f}"
            )


if __name__ == "__main__":
    main()
