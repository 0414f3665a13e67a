"""Run the crudeflow benchmark suite: ``python -m benchmarks.run [--quick]`` from the repo root.

Every configuration runs in a fresh Python process (``--child``), with one warm-up and the
median of at least five timed runs (three for batches: Monte Carlo). Results go to
``benchmarks/results/<date>.json`` (``--quick`` adds ``-quick``) and a markdown table
between the markers in ``benchmarks/README.md`` (full runs only, unless ``--readme``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "benchmarks" / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
PACKAGES = (
    "crudeflow",
    "highspy",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "ortools",
    "linopy",
    "pynetgen",
    "xarray",
    "matplotlib",
)


# ------------------------------------------------------------------ child side


def child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one configuration in this (fresh) process and return its record."""
    from benchmarks import methods as m

    m.WARMUP = int(spec.get("warmup", 1))
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    net, strict = m.load(spec["instance"])
    load_s = time.perf_counter() - t0
    kind, opt, reps = spec["method"], spec.get("options", "crudeflow"), int(spec.get("reps", 5))
    if kind == "highs_raw":
        out = m.highs_raw(net, strict, opt, reps)
    elif kind == "crudeflow":
        out = m.crudeflow_plan(net, strict, opt, reps, spec.get("paths"))
    elif kind == "networkx":
        out = m.networkx_mcf(net, reps)
    elif kind == "ortools":
        out = m.ortools_mcf(net, reps)
    elif kind == "linopy":
        out = m.linopy_mcf(net, opt, reps) if spec.get("mcf") else m.linopy_lp(net, strict, opt, reps)
    elif kind == "outage_sample":
        out = {"links": m.outage_sample(net, strict, int(spec["k"]))}
    elif kind == "outage_hot":
        out = m.outage_hot(net, strict, opt, spec["links"], reps)
    elif kind == "outage_cold":
        out = m.outage_cold(net, strict, opt, spec["links"], reps)
    elif kind == "outage_ortools":
        out = m.outage_ortools(net, spec["links"])
    elif kind == "outage_networkx":
        out = m.outage_networkx(net, spec["links"])
    elif kind == "stress":
        out = m.stress_sweep(net, reps)
    elif kind == "montecarlo":
        out = m.montecarlo_batch(net, int(spec["n"]), int(spec["workers"]), reps)
    else:
        msg = f"unknown method {kind}"
        raise ValueError(msg)
    out["load_s"] = load_s
    out["loadavg_1min"] = [load_before, os.getloadavg()[0]]
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["network"] = {"nodes": len(net.nodes), "links": len(net.links), "grades": len(net.grades)}
    return out


# ------------------------------------------------------------------ parent side


def run_child(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One configuration in a fresh interpreter; its record (or the error) with the spec."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = Path(f.name)
    cmd = [sys.executable, "-m", "benchmarks.run", "--child", json.dumps(spec), "--out", str(out)]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
        if p.returncode == 0 and out.stat().st_size:
            rec = json.loads(out.read_text())
        else:
            rec = {"error": (p.stderr or p.stdout).strip().splitlines()[-1:] or ["no output"]}
    except subprocess.TimeoutExpired:
        rec = {"error": [f"timed out after {timeout:g} s"]}
    finally:
        out.unlink(missing_ok=True)
    rec["wall_s"] = time.perf_counter() - t0
    return {**spec, **rec}


def key(r: dict[str, Any]) -> str:
    """A record's id: instance/method/options."""
    k = f"{r['instance']}/{r['method']}" + (f"/{r['options']}" if r.get("options") else "")
    return k + ("/no-paths" if r.get("paths") is False else "")


def plan_configs(quick: bool) -> list[dict[str, Any]]:
    """The one-shot plan comparisons (everything except outages and batches)."""
    cfg: list[dict[str, Any]] = []
    mcf = (
        ["netgen-2", "pure-10k"]
        if quick
        else ["netgen-2", "netgen-10k", "pure-10k", "netgen-100k", "pure-100k"]
    )
    raw_sets = (
        ("crudeflow", "highs-default") if quick else ("crudeflow", "highs-default", "dual-nopresolve", "ipm")
    )
    cf_sets = ("crudeflow",) if quick else ("crudeflow", "dual-nopresolve")
    for inst in mcf:
        big = inst.endswith("100k")
        sets = {
            "netgen-100k": ("crudeflow", "highs-default", "ipm"),
            "pure-100k": ("crudeflow", "highs-default"),
        }
        for o in sets.get(inst, raw_sets):
            cfg.append({"instance": inst, "method": "highs_raw", "options": o})
        for o in ("crudeflow",) if big else cf_sets:
            cfg.append({"instance": inst, "method": "crudeflow", "options": o})
        cfg.append({"instance": inst, "method": "ortools"})
        if big:  # networkx needs ~1 min per solve here: one run, no warm-up
            cfg.append({"instance": inst, "method": "networkx", "reps": 1, "warmup": 0, "timeout": 240})
        else:
            cfg.append({"instance": inst, "method": "networkx", "reps": 3 if quick else 5})
        if not big:
            cfg.append({"instance": inst, "method": "linopy", "options": "crudeflow", "mcf": True})
    multi = ["syn-3k"] if quick else ["dataset", "syn-10k", "syn-100k"]
    for inst in multi:
        if inst.endswith("100k"):
            # one cold IPM solve takes 30-80 s here: one timed run each, no warm-up (15-minute budget);
            # HiGHS defaults (dual simplex) get a bounded run to show the gap
            for meth in ("highs_raw", "crudeflow"):
                cfg.append({"instance": inst, "method": meth, "options": "ipm", "reps": 1, "warmup": 0})
            cfg.append(
                {
                    "instance": inst,
                    "method": "highs_raw",
                    "options": "highs-default",
                    "reps": 1,
                    "warmup": 0,
                    "timeout": 90,
                }
            )
            continue
        multi_sets: tuple[str, ...] = (
            ("crudeflow", "highs-default", "ipm")
            if quick
            else ("crudeflow", "highs-default", "dual-nopresolve", "ipm")
        )
        for o in multi_sets:
            cfg.append({"instance": inst, "method": "highs_raw", "options": o})
            if not (quick and o == "highs-default"):
                cfg.append({"instance": inst, "method": "crudeflow", "options": o})
        if inst != "dataset":
            cfg.append({"instance": inst, "method": "linopy", "options": "ipm"})
    # scaling series (crudeflow end to end, IPM cold; the 10k/100k points come from above)
    for inst in [] if quick else ["syn-1k", "syn-3k", "syn-30k"]:
        cfg.append(
            {"instance": inst, "method": "crudeflow", "options": "ipm", "reps": 3 if inst == "syn-30k" else 5}
        )
    if quick:
        for c in cfg:
            c["reps"] = min(int(c.get("reps", 5)), 3)
    return cfg


def outage_configs(quick: bool, sample: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Hot versus cold versus OR-Tools versus networkx re-solves on the same sampled links."""
    cfg: list[dict[str, Any]] = []
    syn = "syn-3k" if quick else "syn-10k"
    for o in ("crudeflow",) if quick else ("crudeflow", "ipm"):
        cfg.append({"instance": syn, "method": "outage_hot", "options": o, "links": sample[syn], "reps": 5})
    for o in ("crudeflow", "highs-default") if quick else ("crudeflow", "highs-default", "ipm"):
        cfg.append({"instance": syn, "method": "outage_cold", "options": o, "links": sample[syn], "reps": 5})
    pure = "pure-10k"
    cfg.append(
        {"instance": pure, "method": "outage_hot", "options": "crudeflow", "links": sample[pure], "reps": 5}
    )
    if not quick:
        cfg.append(
            {
                "instance": pure,
                "method": "outage_cold",
                "options": "crudeflow",
                "links": sample[pure],
                "reps": 5,
            }
        )
    cfg.append({"instance": pure, "method": "outage_ortools", "links": sample[pure]})
    cfg.append({"instance": pure, "method": "outage_networkx", "links": sample[pure]})
    if not quick:
        cfg.append({"instance": syn, "method": "stress", "reps": 1, "timeout": 300})
    n = 32 if quick else 480
    for w in (1, 2):
        cfg.append({"instance": syn, "method": "montecarlo", "n": n, "workers": w, "reps": 3})
    return cfg


def versions() -> dict[str, str]:
    """Installed versions of the packages measured."""
    out = {}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            out[p] = "not installed"
    try:
        out["pypsa"] = metadata.version("pypsa")
    except metadata.PackageNotFoundError:
        out["pypsa"] = "not installed (skipped: see README)"
    return out


def _git() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


# ------------------------------------------------------------------ analysis


def _get(res: dict[str, dict[str, Any]], k: str, field: str = "total_s") -> float:
    """A record's field; a configuration that timed out counts as its timeout (a lower bound)."""
    r = res.get(k)
    if r and "error" in r and field == "total_s" and "timed out after" in r["error"][-1]:
        return float(r["error"][-1].split("after ")[1].split(" s")[0])
    if not r or "error" in r or field not in r:
        return math.nan
    return float(r[field])


def agreement(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per instance: every method's objective against the first one (relative difference)."""
    from benchmarks.instances import INSTANCES

    by: dict[str, list[tuple[str, float]]] = {}
    for r in records:
        if "objective" in r and "error" not in r:
            by.setdefault(r["instance"], []).append((key(r), float(r["objective"])))
    rows = []
    for inst, objs in by.items():
        ref = objs[0][1]
        worst = max(abs(o - ref) / max(1.0, abs(ref)) for _, o in objs)
        known = INSTANCES[inst].known_optimum
        rows.append(
            {
                "instance": inst,
                "methods": len(objs),
                "objective": ref,
                "max_rel_diff": worst,
                "known_optimum": known,
                "known_ok": None if known is None else abs(ref - known) < 0.5,
                "agree": worst <= 1e-6,
            }
        )
    # outages: per link the same objective from every method
    outs: dict[str, list[list[float]]] = {}
    for r in records:
        if r["method"].startswith("outage_") and "objectives" in r:
            outs.setdefault(r["instance"], []).append(r["objectives"])
    for inst, lists in outs.items():
        n = min(len(x) for x in lists)
        worst = 0.0
        for i in range(n):
            vals = [x[i] for x in lists]
            worst = max(worst, max(abs(v - vals[0]) / max(1.0, abs(vals[0])) for v in vals))
        rows.append(
            {
                "instance": f"{inst} (outages)",
                "methods": len(lists),
                "objective": math.nan,
                "max_rel_diff": worst,
                "known_optimum": None,
                "known_ok": None,
                "agree": worst <= 1e-6,
            }
        )
    return rows


def goals(records: list[dict[str, Any]], quick: bool) -> list[dict[str, Any]]:
    """Every goal of the issue with its measured ratio."""
    res = {key(r): r for r in records}
    s10 = "syn-3k" if quick else "syn-10k"
    rows: list[dict[str, Any]] = []

    def add(goal: str, value: float, target: str, ok: bool, how: str) -> None:
        rows.append(
            {
                "goal": goal,
                "measured": value,
                "target": target,
                "met": bool(ok) if value == value else None,
                "how": how,
            }
        )

    best_cf = {}
    for inst in ([s10] if quick else [s10, "syn-100k"]) + ["pure-10k"] + ([] if quick else ["pure-100k"]):
        cands = [(o, _get(res, f"{inst}/crudeflow/{o}")) for o in ("crudeflow", "dual-nopresolve", "ipm")]
        cands = [c for c in cands if c[1] == c[1]]
        if not cands:
            continue
        o, t = min(cands, key=lambda c: c[1])
        best_cf[inst] = (o, t)
        floor = _get(res, f"{inst}/highs_raw/{o}")
        add(
            f"end-to-end plan / raw HiGHS, same options ({inst}, {o})",
            t / floor,
            "<= 1.3",
            t / floor <= 1.3,
            "crudeflow build+pass+solve+results vs Highs passModel+run on the pre-built CSC",
        )
        dflt = _get(res, f"{inst}/highs_raw/highs-default")
        raw_best = _get(res, f"{inst}/highs_raw/{o}")
        bound = "error" in res.get(f"{inst}/highs_raw/highs-default", {})
        add(
            f"chosen options / HiGHS defaults ({inst}, {o})"
            + (" [defaults timed out: upper bound]" if bound else ""),
            raw_best / dflt,
            "<= 0.5",
            raw_best / dflt <= 0.5,
            "raw HiGHS solve with the chosen options vs HiGHS default options",
        )
    for inst, o in (("pure-10k", "crudeflow"), ("pure-100k", "crudeflow"), (s10, "ipm")):
        t = _get(res, f"{inst}/crudeflow/{o}/no-paths")
        if t == t:
            floor = _get(res, f"{inst}/highs_raw/{o}")
            add(
                f"end-to-end plan without path decomposition / raw HiGHS ({inst}, {o})",
                t / floor,
                "<= 1.3",
                t / floor <= 1.3,
                "make_plan(paths=False): what lazy paths would give",
            )
    # outages
    hot = min(
        _get(res, f"{s10}/outage_hot/crudeflow", "per_outage_s"),
        _get(res, f"{s10}/outage_hot/ipm", "per_outage_s"),
    )
    colds = [
        _get(res, f"{s10}/outage_cold/{o}", "per_outage_s") for o in ("crudeflow", "highs-default", "ipm")
    ]
    cold = min(c for c in colds if c == c) if any(c == c for c in colds) else math.nan
    add(
        f"hot outage re-solve speed-up over best cold ({s10})",
        cold / hot,
        ">= 10",
        cold / hot >= 10,
        "median per outage, same sampled links",
    )
    st = res.get(f"{s10}/stress", {})
    if "reference_s" in st:
        ratio = float(st["reference_s"]) / float(st["total_s"])
        add(
            f"full N-1 stress() speed-up over the chained re-solves of 8d364df ({s10})",
            ratio,
            ">= 1.5",
            ratio >= 1.5,
            f"same process: {st.get('reference', 'reference')} against today's stress()",
        )
    noch = _get(res, f"{s10}/outage_hot/crudeflow", "nochange_run_s")
    hot_cf = _get(res, f"{s10}/outage_hot/crudeflow", "per_outage_s")
    add(
        f"hot re-solve / no-change run() ({s10})",
        hot_cf / noch,
        "<= 3",
        hot_cf / noch <= 3,
        "median per outage vs median run() with nothing changed",
    )
    for inst in ["pure-10k"] + ([] if quick else ["pure-100k", "netgen-10k", "netgen-100k"]):
        if inst not in best_cf and math.isnan(_get(res, f"{inst}/crudeflow/crudeflow")):
            continue
        t = best_cf.get(inst, ("crudeflow", _get(res, f"{inst}/crudeflow/crudeflow")))[1]
        add(
            f"one plan vs networkx ({inst})",
            _get(res, f"{inst}/networkx") / t,
            ">= 15",
            _get(res, f"{inst}/networkx") / t >= 15,
            "networkx graph build + network_simplex vs crudeflow end to end",
        )
    p_hot = _get(res, "pure-10k/outage_hot/crudeflow", "per_outage_s")
    nx_o = _get(res, "pure-10k/outage_networkx", "per_outage_s")
    or_o = _get(res, "pure-10k/outage_ortools", "per_outage_s")
    add(
        "N-1 sweep vs networkx (pure-10k, per outage)",
        nx_o / p_hot,
        ">= 50",
        nx_o / p_hot >= 50,
        "median per outage on the same sampled links",
    )
    add(
        "N-1 sweep vs OR-Tools (pure-10k, per outage)",
        or_o / p_hot,
        ">= 2",
        or_o / p_hot >= 2,
        "OR-Tools re-solves from scratch with one capacity set to 0",
    )
    for inst in ["pure-10k", s10] + ([] if quick else ["netgen-10k"]):
        lin = (
            _get(res, f"{inst}/linopy/crudeflow")
            if inst.startswith(("pure", "netgen"))
            else _get(res, f"{inst}/linopy/ipm")
        )
        o = "crudeflow" if inst.startswith(("pure", "netgen")) else "ipm"
        t = _get(res, f"{inst}/crudeflow/{o}")
        add(
            f"build + solve vs linopy ({inst}, {o})",
            lin / t,
            ">= 3",
            lin / t >= 3,
            "linopy model build + HiGHS direct vs crudeflow end to end, same options",
        )
    big = "syn-3k" if quick else "syn-100k"
    mems = [_get(res, f"{big}/crudeflow/{o}", "peak_rss_mb") for o in ("crudeflow", "ipm")]
    mem = max((x for x in mems if x == x), default=math.nan)
    add(f"peak memory of a plan ({big}), MB", mem, "< 2048", mem < 2048, "ru_maxrss of the fresh process")
    mc = [r for r in records if r["method"] == "montecarlo" and "total_s" in r]
    n_max = max((int(r["n"]) for r in mc), default=0)
    m1 = next((r for r in mc if r["workers"] == 1 and int(r["n"]) == n_max), None)
    m2 = next((r for r in mc if r["workers"] == 2 and int(r["n"]) == n_max), None)
    one = float(m1["total_s"]) if m1 else math.nan
    two = float(m2["total_s"]) if m2 else math.nan
    add(
        f"two workers vs one on a Monte Carlo sweep ({s10}, {n_max} draws)",
        one / two,
        ">= 1.5",
        one / two >= 1.5,
        "wall time of the same draws",
    )
    return rows


def scaling(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Log-log slope of end-to-end plan time (IPM) against links; a PNG when matplotlib exists."""
    import numpy as np

    pts = sorted(
        (r["network"]["links"], r["total_s"])
        for r in records
        if r["method"] == "crudeflow"
        and r.get("options") == "ipm"
        and r["instance"].startswith("syn-")
        and r.get("paths") is not False
        and "total_s" in r
    )
    if len(pts) < 2:
        return {"points": pts, "slope": math.nan}
    x, y = np.log10([p[0] for p in pts]), np.log10([p[1] for p in pts])
    slope, icpt = np.polyfit(x, y, 1)
    out: dict[str, Any] = {"points": pts, "slope": float(slope)}
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.5))
        ax.loglog([p[0] for p in pts], [p[1] for p in pts], "o-", label="crudeflow plan (IPM)")
        xs = np.array([pts[0][0], pts[-1][0]])
        ax.loglog(xs, 10 ** (icpt + slope * np.log10(xs)), "--", label=f"fit: slope {slope:.2f}")
        ax.set_xlabel("links")
        ax.set_ylabel("end-to-end plan time (s)")
        ax.legend()
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        png = RESULTS / "scaling.png"
        fig.savefig(png, dpi=100)
        out["png"] = str(png.relative_to(ROOT))
    except ImportError:
        pass
    return out


# ------------------------------------------------------------------ report


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if v != v:
            return "–"
        if abs(v) >= 1e5:
            return f"{v:.6g}"
        return f"{v:.3g}"
    return str(v)


def markdown(doc: dict[str, Any]) -> str:
    """The README tables of one run."""
    lines = [
        f"Run {doc['date']} ({'quick' if doc['quick'] else 'full'}), commit {doc['commit']}, "
        f"{doc['machine']['cpus']} CPUs, Python {doc['machine']['python']}, "
        f"{doc['total_minutes']:.1f} min in total. Versions: "
        + ", ".join(f"{k} {v}" for k, v in doc["versions"].items())
        + ".",
        "",
        "### Goals",
        "",
        "| goal | measured | target | met |",
        "|---|---|---|---|",
    ]
    for g in doc["goals"]:
        met = "–" if g["met"] is None else ("yes" if g["met"] else "**no**")
        lines.append(f"| {g['goal']} | {_fmt(g['measured'])} | {g['target']} | {met} |")
    lines += [
        "",
        "### Agreement (objective of every method on every instance)",
        "",
        "| instance | methods | objective | max relative difference | known optimum |",
        "|---|---|---|---|---|",
    ]
    for a in doc["agreement"]:
        known = (
            ""
            if a["known_optimum"] is None
            else f"{a['known_optimum']:.0f} ({'ok' if a['known_ok'] else 'MISMATCH'})"
        )
        diff = f"{a['max_rel_diff']:.1e}"
        lines.append(f"| {a['instance']} | {a['methods']} | {_fmt(a['objective'])} | {diff} | {known} |")
    lines += [
        "",
        "### Plans (seconds, median of the timed runs after one warm-up)",
        "",
        "| instance | method | options | median s | runs | solve s | build s | results s | iterations "
        "| peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["records"]:
        if r["method"] in ("highs_raw", "crudeflow", "networkx", "ortools", "linopy"):
            opt = r.get("options", "") + (" (no paths)" if r.get("paths") is False else "")
            head = f"| {r['instance']} | {r['method']} | {opt} |"
            if "error" in r:
                lines.append(f"{head} error: {r['error'][-1][:60]} |||||||")
                continue
            build = _fmt(r.get("build_s", r.get("graph_s", math.nan)))
            lines.append(
                f"{head} {_fmt(r['total_s'])} | {r['reps']} | {_fmt(r.get('run_s', math.nan))} | {build} | "
                f"{_fmt(r.get('results_s', math.nan))} | {r.get('iterations', '')} | {r['peak_rss_mb']:.0f} |"
            )
    lines += [
        "",
        "### Outages and batches",
        "",
        "| instance | method | options | per outage s | outages | sweep s | no-change run s "
        "| chained (8d364df) per outage s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in doc["records"]:
        if r["method"].startswith("outage_") and r["method"] != "outage_sample":
            head = f"| {r['instance']} | {r['method']} | {r.get('options', '')} |"
            if "error" in r:
                lines.append(f"{head} error: {r['error'][-1][:60]} ||||||")
                continue
            noch = _fmt(r.get("nochange_run_s", math.nan))
            chained = _fmt(r.get("chained_per_outage_s", math.nan))
            lines.append(
                f"{head} {_fmt(r['per_outage_s'])} | {r['outages']} | {_fmt(r.get('sweep_s', math.nan))} | "
                f"{noch} | {chained} | {r['peak_rss_mb']:.0f} |"
            )
    for r in doc["records"]:
        if r["method"] == "stress" and "total_s" in r:
            lines.append(
                f"| {r['instance']} | full N-1 `stress()` | crudeflow | – | {r['solved']} solved of "
                f"{r['assets']} | {_fmt(r['total_s'])} | – | "
                f"{_fmt(r.get('reference_s', math.nan))} (sweep) | {r['peak_rss_mb']:.0f} |"
            )
        if r["method"] == "montecarlo" and "total_s" in r:
            lines.append(
                f"| {r['instance']} | Monte Carlo, {r['workers']} worker(s) | crudeflow | "
                f"{r['ms_per_draw']:.1f} ms/draw | {r['draws']} draws | {_fmt(r['total_s'])} | – | – | "
                f"{r['peak_rss_mb']:.0f} |"
            )
    sc = doc["scaling"]
    lines += [
        "",
        f"### Scaling: end-to-end plan time ∝ links^{sc['slope']:.2f} (log-log fit over "
        + ", ".join(f"{n:,} links {t:.2f} s" for n, t in sc["points"])
        + ")",
    ]
    if sc.get("png"):
        lines += ["", f"![plan time against size]({Path(sc['png']).relative_to('benchmarks')})"]
    return "\n".join(lines) + "\n"


def write_readme(text: str) -> None:
    """Replace the table between the markers in benchmarks/README.md."""
    doc = README.read_text(encoding="utf-8") if README.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in doc:
        doc += f"\n{START}\n{END}\n"
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments; run as the parent (the suite) or as a child (one configuration)."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small instances only (under two minutes)")
    ap.add_argument("--readme", action="store_true", help="also write the README table for a quick run")
    ap.add_argument("--only", default="", help="run only configurations whose id contains this text")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per configuration")
    ap.add_argument("--report", help="re-analyse a results JSON (goals, agreement, README) without running")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        try:
            rec = child(json.loads(a.child))
        except Exception as exc:
            traceback.print_exc()
            print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
        Path(a.out).write_text(json.dumps(rec, default=float), encoding="utf-8")
        return 0

    from rich.console import Console

    con = Console(stderr=True)
    if a.report:
        path = Path(a.report)
        doc = json.loads(path.read_text(encoding="utf-8"))
        recs = doc["records"]
        doc.update(agreement=agreement(recs), goals=goals(recs, doc["quick"]), scaling=scaling(recs))
        path.write_text(json.dumps(doc, indent=1, default=float), encoding="utf-8")
        if not doc["quick"] or a.readme:
            write_readme(markdown(doc))
        con.print(markdown(doc))
        return 0
    t0 = time.perf_counter()
    records: list[dict[str, Any]] = []

    def go(spec: dict[str, Any]) -> dict[str, Any]:
        if a.only and a.only not in key(spec):
            return {**spec, "error": ["skipped (--only)"]}
        rec = run_child(spec, float(spec.get("timeout", a.timeout)))
        records.append(rec)
        msg = (
            rec["error"][-1] if "error" in rec else f"{rec.get('total_s', rec.get('per_outage_s', 0)):.3f} s"
        )
        con.print(f"[{time.perf_counter() - t0:6.0f} s] {key(spec):45s} {msg}")
        return rec

    try:
        for spec in plan_configs(a.quick):
            go(spec)
        syn = "syn-3k" if a.quick else "syn-10k"
        sample: dict[str, list[str]] = {}
        for inst in (syn, "pure-10k"):
            r = run_child(
                {"instance": inst, "method": "outage_sample", "k": 10 if a.quick else 20}, a.timeout
            )
            sample[inst] = r.get("links", [])
        for spec in outage_configs(a.quick, sample):
            go(spec)
    except KeyboardInterrupt:
        con.print("interrupted: writing the partial results")
    dataset_missing = any(r["instance"] == "dataset" and "error" in r for r in records)
    doc = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": a.quick,
        "commit": _git(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "versions": versions(),
        "dataset_missing": dataset_missing,
        "option_sets": {k: v for k, v in __import__("benchmarks.methods").methods.OPTION_SETS.items()},
        "records": records,
        "agreement": agreement(records),
        "goals": goals(records, a.quick),
        "scaling": scaling(records),
        "total_minutes": (time.perf_counter() - t0) / 60,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    path = RESULTS / f"{stamp}{'-quick' if a.quick else ''}.json"
    path.write_text(json.dumps(doc, indent=1, default=float), encoding="utf-8")
    text = markdown(doc)
    if not a.quick or a.readme:
        write_readme(text)
    con.print(text)
    con.print(f"wrote {path.relative_to(ROOT)}")
    bad = [g for g in doc["agreement"] if not g["agree"] or g["known_ok"] is False]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

__all__ = ["main", "statistics"]
