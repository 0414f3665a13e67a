"""Load test of ``crudeflow serve`` on loopback: N concurrent plan requests, nothing lost.

Starts the server in its own process (default workers = cores, default queue), times
one plan request alone (median of three, warm), then sends ``--requests`` plan requests
at once (one thread each), and checks every answer is 201 (queued, not refused) and every
run is in the store, readable and distinct. Prints p50/p95/max latency against the single
plan's time. Bounded: at most ``--requests`` requests and ``--timeout`` seconds.

    python -m benchmarks.web_load                 # 50 requests, SQLite in a temporary folder
    python -m benchmarks.web_load --store postgresql://user:pass@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx

SCENARIOS = ("base", "belarus-without-russian-crude", "cpc-shut", "eu-embargo-2022", "no-eu-embargo")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(store: str, port: int, extra: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-c", "from crudeflow.cli import main; main()", "serve", "--port", str(port),
           "--store", store, *extra]  # fmt: skip
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_ready(url: str, proc: subprocess.Popen[str], timeout: float = 120) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            r = httpx.get(f"{url}/api/health", timeout=2)
            if r.status_code == 200:
                return dict(r.json())
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


def plan_body(i: int) -> dict[str, Any]:
    return {"dataset": "caspian-europe", "scenario": SCENARIOS[i % len(SCENARIOS)], "label": f"load-{i}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--store", default=None, help="store URL (default: SQLite in a temporary folder)")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    store = args.store or f"sqlite:///{Path(tmp.name) / 'runs.sqlite'}"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start(store, port, ["--workers", str(args.workers)] if args.workers else [])
    try:
        health = wait_ready(url, proc)
        before = httpx.get(f"{url}/api/runs", params={"limit": 1}, timeout=30).json()["total"]
        # one plan alone, warm: every scenario once (loads and caches the dataset in each worker), then timed
        for i in range(len(SCENARIOS) * health["workers"]):
            httpx.post(f"{url}/api/plans", json=plan_body(i), timeout=120).raise_for_status()
        single = []
        for _ in range(3):
            t0 = time.perf_counter()
            r = httpx.post(f"{url}/api/plans", json=plan_body(1), timeout=120)
            single.append(time.perf_counter() - t0)
            r.raise_for_status()
        one = statistics.median(single)
        warm = len(SCENARIOS) * health["workers"] + 3

        n = args.requests
        latency: list[float] = [0.0] * n
        status: list[int] = [0] * n
        run_ids: list[str | None] = [None] * n
        barrier = threading.Barrier(n)

        def fire(i: int) -> None:
            with httpx.Client(timeout=args.timeout) as c:
                barrier.wait()
                t0 = time.perf_counter()
                try:
                    r = c.post(f"{url}/api/plans", json=plan_body(i))
                    status[i] = r.status_code
                    if r.status_code == 201:
                        run_ids[i] = r.json()["run_id"]
                except httpx.HTTPError as exc:
                    status[i] = -1
                    print(f"request {i}: {exc}", file=sys.stderr)
                latency[i] = time.perf_counter() - t0

        threads = [threading.Thread(target=fire, args=(i,)) for i in range(n)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.timeout)
        wall = time.perf_counter() - t0

        ok = [i for i in range(n) if status[i] == 201]
        total = httpx.get(f"{url}/api/runs", params={"limit": 1}, timeout=30).json()["total"]
        found = 0
        labels_ok = 0
        for i in ok:
            r = httpx.get(f"{url}/api/runs/{run_ids[i]}", timeout=30)
            if r.status_code == 200:
                found += 1
                labels_ok += r.json()["label"] == f"load-{i}"
        q = statistics.quantiles(sorted(latency), n=100, method="inclusive")
        res = {
            "requests": n, "workers": health["workers"], "queue_size": health["queue_size"],
            "store": health["store"], "status_201": len(ok),
            "refused_503": sum(s == 503 for s in status), "errors": sum(s not in (201, 503) for s in status),
            "runs_added": total - before - warm, "runs_readable": found, "labels_match": labels_ok,
            "distinct_run_ids": len({run_ids[i] for i in ok}), "single_plan_seconds": one,
            "p50_seconds": q[49], "p95_seconds": q[94], "max_seconds": max(latency), "wall_seconds": wall,
            "plans_per_second": n / wall, "p50_over_single": q[49] / one, "p95_over_single": q[94] / one,
        }  # fmt: skip
        print(json.dumps(res, indent=2))
        print(
            f"\n{n} concurrent plan requests on {health['workers']} workers (queue {health['queue_size']}): "
            f"{len(ok)} × 201, {res['refused_503']} × 503, {res['errors']} errors; "
            f"{res['runs_added']} runs added, {found} readable, {res['distinct_run_ids']} distinct ids.\n"
            f"one plan alone {one * 1000:.0f} ms; under load p50 {q[49]:.2f} s ({q[49] / one:.1f}×), "
            f"p95 {q[94]:.2f} s ({q[94] / one:.1f}×), max {max(latency):.2f} s; "
            f"{n / wall:.1f} plans/s over {wall:.1f} s"
        )
        if args.json:
            args.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
        lost = len(ok) != n or found != n or res["runs_added"] != n or res["distinct_run_ids"] != n
        if lost:
            raise SystemExit("FAILED: requests refused or runs lost")
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()


if __name__ == "__main__":
    main()
