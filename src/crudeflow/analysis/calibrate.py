"""Calibration: per-corridor frictions (USD/t) that make the observed ``calibrate`` rows optimal.

Inverse optimisation on the LP's duals (``docs/calibration.md``): the plan LP gets one
band row per ``calibrate`` observation (``observed ± band × tolerance``, elastic at
``penalty`` USD/t), is solved once, and each band that binds becomes a friction whose size
is the band's shadow price (plus ``margin``): a *pull* (a discount on the corridor's volume
up to the volume reached) when the plan sent too little, a *push* (a surcharge above it)
when it sent too much. By Lagrangian sufficiency the constrained optimum is then an
optimum of the plain LP with those convex costs added, and the kink at the volume reached
makes the corridor's volume the unique optimal one. A band that does not bind gets no
friction: the frictions are as few and as small as the observations allow.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crudeflow._types import TOL_FLOW_MT, FArray, JSONDict
from crudeflow.analysis._common import as_network
from crudeflow.analysis.backtest import Backtest, measure_plan, observed_records
from crudeflow.exceptions import CrudeflowError, SolverError
from crudeflow.model.network import Network
from crudeflow.optimize.build import PlanOptions, build_lp
from crudeflow.optimize.lp import LP
from crudeflow.optimize.observed import corridor_weights, unit_scale, weights
from crudeflow.optimize.solve import HighsModel, cold_options
from crudeflow.results.solve import solve_plan
from crudeflow.results.tables import JSONResult, records

CALIBRATION_SOURCE = "crudeflow-calibration"
"""The sources.csv id every friction cites: how the frictions were computed."""
CALIBRATION_SOURCE_ROW = {
    "id": CALIBRATION_SOURCE,
    "title": "crudeflow calibration: frictions by inverse optimisation on the plan LP's duals",
    "publisher": "crudeflow",
    "url": "docs/calibration.md",
    "year": "",
    "accessed": "",
    "note": "derived: `crudeflow calibrate --write` computes frictions.csv from observed.csv "
    "(calibrate rows) and the rest of the dataset; not an observation",
}
BAND = 0.5
"""A row the uncalibrated plan misses is aimed at ``observed ± BAND × tolerance`` (the inner
half of its pass band), so its calibrated figure is not left on the edge of the pass test."""
PENALTY_USD_PER_T = 500.0
"""Price of missing a band in the calibration LP: a friction this size says the observation
cannot be reached (the data disagree with it), not that it is a plausible friction."""
MARGIN_USD_PER_T = 0.1
"""Added to each shadow price, so the calibrated volume is the strict optimum (no tie)."""
PLAUSIBLE_USD_PER_T = 100.0
"""Frictions above this are flagged: tens of USD/t are contract terms; hundreds say data."""
FRICTION_COLUMNS = [
    "observation", "corridor", "links", "kind", "friction_usd_per_t", "threshold_mt_per_year", "share_pct",
    "dual_usd_per_t", "uncalibrated", "target", "unit", "computed", "source", "note",
]  # fmt: skip


@dataclass(frozen=True)
class Calibration(JSONResult):
    """The frictions of a dataset's base year and how well they reproduce the observations.

    ``frictions``: the rows of ``frictions.csv`` (index ``id``), sorted by size;
    ``rows``: per ``calibrate`` observation, observed, tolerance, the uncalibrated and
    calibrated model figures and whether each passes; ``missed``: observations the
    calibration LP could not bring into their band (their friction is the penalty);
    ``seconds``: calibration time; ``plan_seconds``: one uncalibrated plan's solve time.
    """

    dataset: str
    year: int
    frictions: pd.DataFrame
    rows: pd.DataFrame
    missed: tuple[str, ...]
    seconds: float
    plan_seconds: float
    band: float = BAND

    def to_dict(self) -> JSONDict:
        """The JSON document: frictions and rows as records, timings in seconds."""
        return {
            "dataset": self.dataset,
            "year": self.year,
            "band": self.band,
            "frictions": records(self.frictions),
            "rows": records(self.rows),
            "missed": list(self.missed),
            "seconds": self.seconds,
            "plan_seconds": self.plan_seconds,
        }


@dataclass(frozen=True)
class _Band:
    obs: dict[str, Any]
    w: FArray
    """Weights over every LP column (corridor volume, Mt/yr equivalent)."""
    lo: float
    hi: float
    share_pct: float


def _columns(lp: LP) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return lp.vars["flow"].labels, lp.vars["supply"].labels, lp.vars["consume"].labels


def _full(lp: LP, parts: dict[str, FArray]) -> FArray:
    w = np.zeros(lp.n_cols)
    for k, v in parts.items():
        w[lp.vars[k].slice] = v
    return w


def _bands(net: Network, lp: LP, recs: list[dict[str, Any]], band: float, x0: FArray) -> list[_Band]:
    """One row per volume observation; two per share (its lower and upper bound).

    A row the uncalibrated plan ``x0`` meets keeps its whole tolerance; a row it misses is
    aimed at ``band`` × its tolerance, so the fix does not sit on the edge of the pass test.
    """
    flows, supply, consume = _columns(lp)
    out = []
    for r in recs:
        meets = abs(_value(r, net, lp, x0) - float(r["value"])) <= float(r["tolerance"])
        half = (1.0 if meets else band) * float(r["tolerance"])
        lo_v, hi_v = max(float(r["value"]) - half, 0.0), float(r["value"]) + half
        if r["unit"] == "%":
            for pct, lo, hi in ((min(lo_v, 100.0), 0.0, math.inf), (min(hi_v, 100.0), -math.inf, 0.0)):
                w = _full(lp, corridor_weights(r, net, flows, supply, consume, pct))
                out.append(_Band(r, w, lo, hi, pct))
        else:
            s = unit_scale(r, net)
            out.append(_Band(r, _full(lp, corridor_weights(r, net, flows, supply, consume)), lo_v / s,
                             hi_v / s, math.nan))  # fmt: skip
    return out


def _value(obs: dict[str, Any], net: Network, lp: LP, x: FArray) -> float:
    flows, supply, consume = _columns(lp)
    xs = {k: x[lp.vars[k].slice] for k in ("flow", "supply", "consume")}
    return weights(obs, net, flows, supply, consume).value(xs)


def calibrate(
    network: Network | str | Path,
    *,
    band: float = BAND,
    penalty_usd_per_t: float = PENALTY_USD_PER_T,
    computed: str | None = None,
) -> Calibration:
    """Frictions that make the ``calibrate`` rows of the base year optimal: a ``Calibration``.

    ``band`` (0 < band ≤ 1): a row the uncalibrated plan misses is aimed within ``band`` ×
    its tolerance; a row it meets keeps its whole tolerance (no friction unless needed).
    ``computed`` is written in each friction's ``computed`` column (default: today's date
    and the crudeflow version). The frictions are checked by solving the calibrated plan.
    """
    if not 0.0 < band <= 1.0:
        msg = f"band must be in (0, 1], not {band!r}"
        raise CrudeflowError(msg)
    net = as_network(network)
    if len(net.periods):
        msg = "calibration is annual: use a dataset without periods"
        raise CrudeflowError(msg)
    t0 = time.perf_counter()
    year = int(net.meta.base_year)
    recs = [r for r in observed_records(net, year) if r["role"] == "calibrate"]
    model = build_lp(net, PlanOptions())
    lp = model.lp
    base = HighsModel(lp, cold_options(lp)).run()
    if not base.ok:
        msg = f"the uncalibrated plan did not solve: HiGHS status {base.status.value}"
        raise SolverError(msg)
    bands = _bands(net, lp, recs, band, base.x)
    n, n_cols = len(bands), lp.n_cols
    if n:
        lab = pd.DataFrame({"observation": [b.obs["id"] for b in bands]})
        slack = lp.add_vars("observe_slack", penalty_usd_per_t, 0.0, np.inf, pd.concat([lab, lab]))
        w = np.vstack([b.w for b in bands])
        r, c = np.nonzero(np.abs(w) > 0)
        rows = np.concatenate([r, np.arange(n), np.arange(n)])
        cols = np.concatenate([c, slack.start + np.arange(n), slack.start + n + np.arange(n)])
        vals = np.concatenate([w[r, c], np.ones(n), -np.ones(n)])
        lp.add_cons("observe", rows, cols, vals, [b.lo for b in bands], [b.hi for b in bands], lab)
    res = HighsModel(lp, cold_options(lp)).run()
    if not res.ok:
        msg = f"the calibration LP did not solve: HiGHS status {res.status.value}"
        raise SolverError(msg)
    stamp = computed if computed is not None else f"{date.today().isoformat()} crudeflow {_version()}"
    fr: list[dict[str, Any]] = []
    missed: list[str] = []
    if n:
        con = lp.cons["observe"]
        act = np.vstack([b.w for b in bands]) @ res.x[:n_cols]
        duals = res.row_dual[con.slice]
        s = res.x[lp.vars["observe_slack"].slice]
        for i, b in enumerate(bands):
            oid = str(b.obs["id"])
            if s[i] > TOL_FLOW_MT or s[n + i] > TOL_FLOW_MT:
                missed.append(oid)
            if abs(duals[i]) <= TOL_FLOW_MT:
                continue
            pull = s[i] > TOL_FLOW_MT or (math.isfinite(b.lo) and act[i] <= b.lo + 1e-6 * max(1.0, abs(b.lo)))
            size = math.ceil(abs(float(duals[i])) * 100.0 - 1e-6) / 100.0 + MARGIN_USD_PER_T
            share = not math.isnan(b.share_pct)
            fid = f"cal-{oid}" + (("-lo" if math.isfinite(b.lo) else "-hi") if share else "")
            note = ("could not be reached: the size is the calibration's penalty, not a plausible friction"
                    if oid in missed else
                    "implausibly large: check the data" if size > PLAUSIBLE_USD_PER_T else "")  # fmt: skip
            fr.append({
                "id": fid, "observation": oid, "corridor": str(b.obs["quantity"]),
                "links": tuple(b.obs["links"]), "kind": "pull" if pull else "push",
                "friction_usd_per_t": round(size, 2), "threshold_mt_per_year": round(float(act[i]), 6),
                "share_pct": b.share_pct, "dual_usd_per_t": round(float(duals[i]), 4),
                "uncalibrated": round(_value(b.obs, net, lp, base.x), 6),
                "target": round(_value(b.obs, net, lp, res.x[:n_cols]), 6), "unit": str(b.obs["unit"]),
                "computed": stamp, "source": CALIBRATION_SOURCE, "note": note,
            })  # fmt: skip
    frictions = frictions_frame(fr)
    rows = _check(net, frictions, recs, year)
    return Calibration(
        dataset=net.meta.name, year=year, frictions=frictions, rows=rows, missed=tuple(dict.fromkeys(missed)),
        seconds=time.perf_counter() - t0, plan_seconds=base.seconds, band=band,
    )  # fmt: skip


def frictions_frame(recs: list[dict[str, Any]]) -> pd.DataFrame:
    """Friction records as a frictions.csv frame (index ``id``), largest friction first."""
    frame = pd.DataFrame(recs, columns=["id", *FRICTION_COLUMNS]).set_index("id")
    return frame.sort_values(["friction_usd_per_t", "observation"], ascending=[False, True], kind="stable")


def _check(net: Network, frictions: pd.DataFrame, recs: list[dict[str, Any]], year: int) -> pd.DataFrame:
    """Each calibrate row, uncalibrated and calibrated (the frictions' check)."""
    cal = net.replace(frictions=frictions)
    before = measure_plan(solve_plan(net), net, year=year).rows.set_index("id")
    after = measure_plan(solve_plan(cal, calibrated=True), cal, year=year, calibrated=True).rows.set_index(
        "id"
    )
    ids = [str(r["id"]) for r in recs]
    out = before.loc[ids, ["quantity", "observed", "tolerance", "unit"]].copy()
    out["uncalibrated"] = before.loc[ids, "model"]
    out["calibrated"] = after.loc[ids, "model"]
    out["ok_uncalibrated"] = before.loc[ids, "ok"].astype(bool)
    out["ok_calibrated"] = after.loc[ids, "ok"].astype(bool)
    out.index.name = "observation"
    return out


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("crudeflow")
    except PackageNotFoundError:  # a source checkout that was never installed
        return "dev"


def backtest_calibrated(network: Network, scenario: str = "base", *, year: int | None = None) -> Backtest:
    """Score the calibrated plan of ``network`` (its frictions.csv) against its observed rows."""
    return measure_plan(solve_plan(network, scenario, calibrated=True), network, year=year, calibrated=True)


def _cell(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return "" if value is None else str(value)


def write_frictions(folder: Path, frictions: pd.DataFrame, year: int) -> Path:
    """Replace ``folder/frictions.csv`` with ``frictions`` (written beside it, then moved).

    The calibration source (of ``year``, the calibrated base year) is appended to
    ``folder/sources.csv`` if it is not there, so the dataset still validates. Returns the path.
    """
    import csv
    import os

    path = folder / "frictions.csv"
    tmp = folder / ".frictions.csv.tmp"
    frame = frictions.reset_index()
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", *FRICTION_COLUMNS])
        for rec in frame[["id", *FRICTION_COLUMNS]].itertuples(index=False):
            w.writerow([_cell(v) for v in rec])
    os.replace(tmp, path)
    sources = folder / "sources.csv"
    if sources.is_file():
        text = sources.read_text(encoding="utf-8")
        if not any(line.split(",", 1)[0] == CALIBRATION_SOURCE for line in text.splitlines()):
            header = next(csv.reader([text.splitlines()[0]]))
            with sources.open("a", newline="", encoding="utf-8") as fh:
                if not text.endswith("\n"):
                    fh.write("\n")
                csv.writer(fh, lineterminator="\n").writerow(
                    [str(year) if h == "year" else CALIBRATION_SOURCE_ROW.get(h, "") for h in header]
                )
    return path
