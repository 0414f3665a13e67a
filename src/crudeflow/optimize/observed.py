"""Observed rows as weights on LP columns, and calibration frictions built on them.

An observed row of ``observed.csv`` says how the model measures it, in columns
(``measure``, ``links``, ``origins``, ``grades``, ``importer``, ``exporter``): here that
becomes a weight per LP column (flow, supply or refinery run), so the model's figure is a
dot product with the plan's volumes. The back-test reads plans with these weights; the
calibration adds them as rows; a calibrated plan prices them with ``frictions.csv``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import TOL_ZERO, FArray, IArray
from crudeflow.exceptions import CrudeflowError
from crudeflow.model.network import Network
from crudeflow.optimize.lp import LP
from crudeflow.units import mt_to_million_bbl

_PERIOD = re.compile(r"(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})")


def period_fraction(period: str) -> float:
    """Share of a year that ``'YYYY-MM..YYYY-MM'`` covers (1.0 for an empty period)."""
    m = _PERIOD.fullmatch(str(period or ""))
    if m is None:
        return 1.0
    y1, m1, y2, m2 = (int(g) for g in m.groups())
    return ((y2 - y1) * 12 + m2 - m1 + 1) / 12.0


@dataclass(frozen=True)
class Weights:
    """How one observation reads the LP columns: ``num · x`` (``100 num·x / den·x`` for a share).

    Each mapping is keyed by column set (``flow``, ``supply``, ``consume``) with one weight
    per row of that set, in the observation's unit per Mt/yr.
    """

    num: dict[str, FArray]
    den: dict[str, FArray] | None = None

    def value(self, x: Mapping[str, FArray]) -> float:
        """The model's figure for volumes ``x`` (Mt/yr per column of each set)."""
        top = sum(float(w @ x[k]) for k, w in self.num.items())
        if self.den is None:
            return top
        bottom = sum(float(w @ x[k]) for k, w in self.den.items())
        return 100.0 * top / bottom if bottom > TOL_ZERO else float("nan")


def _origin(net: Network, grades: pd.Series) -> FArray:
    return np.asarray(net.grades["origin_country"].reindex(grades).to_numpy(dtype=object))


def _country(net: Network, nodes: pd.Series) -> FArray:
    return np.asarray(net.nodes["country"].reindex(nodes).to_numpy(dtype=object))


def _crude_mask(obs: Mapping[str, Any], net: Network, grades: pd.Series) -> npt.NDArray[np.bool_]:
    """Rows whose grade is in ``grades`` (if given) and whose origin is in ``origins`` (if given)."""
    keep = np.ones(len(grades), bool)
    if obs["grades"]:
        keep = keep & grades.isin(list(obs["grades"])).to_numpy()
    if obs["origins"]:
        keep = keep & np.isin(_origin(net, grades), list(obs["origins"]))
    return keep


def _scale(obs: Mapping[str, Any], net: Network, grades: pd.Series) -> FArray:
    """Observed units per Mt/yr of each row: 1, the period's share of a year, or bbl/t."""
    unit = obs["unit"]
    if unit == "million bbl/yr":
        bbl = net.grades["bbl_per_t"].reindex(grades).to_numpy(float)
        return np.asarray(mt_to_million_bbl(np.ones(len(grades)), bbl), float)
    if unit == "Mt":
        return np.full(len(grades), period_fraction(obs["period"]))
    return np.ones(len(grades))


def _exports(obs: Mapping[str, Any], net: Network, flows: pd.DataFrame) -> FArray:
    """1 on flows of the exporter's crude on arcs that leave its territory."""
    ex = obs["exporter"]
    leaves = (_country(net, flows["from"]) == ex) & (_country(net, flows["to"]) != ex)
    return np.asarray(leaves & (_origin(net, flows["grade"]) == ex), dtype=float)


def weights(
    obs: Mapping[str, Any],
    net: Network,
    flows: pd.DataFrame,
    supply: pd.DataFrame,
    consume: pd.DataFrame,
) -> Weights:
    """The weights of one observation over flow (link, from, to, grade), supply and run rows."""
    zf, zs, zc = np.zeros(len(flows)), np.zeros(len(supply)), np.zeros(len(consume))
    measure = obs["measure"]
    if measure == "link_flow":
        on = flows["link"].isin(list(obs["links"])).to_numpy() & _crude_mask(obs, net, flows["grade"])
        w = on * _scale(obs, net, flows["grade"])
        return Weights({"flow": w, "supply": zs, "consume": zc})
    if measure == "exports":
        w = _exports(obs, net, flows) * _scale(obs, net, flows["grade"])
        return Weights({"flow": w, "supply": zs, "consume": zc})
    if measure == "exporter_share":
        on = flows["link"].isin(list(obs["links"])).to_numpy() & (
            _origin(net, flows["grade"]) == obs["exporter"]
        )
        return Weights(
            {"flow": on.astype(float), "supply": zs, "consume": zc},
            {"flow": _exports(obs, net, flows), "supply": zs, "consume": zc},
        )
    if measure == "production":
        w = _crude_mask(obs, net, supply["grade"]) * _scale(obs, net, supply["grade"])
        return Weights({"flow": zf, "supply": w, "consume": zc})
    if measure == "origin_to_importer":
        imp = obs["importer"]
        at = (consume["node"] == imp).to_numpy() | (_country(net, consume["node"]) == imp)
        w = (at & _crude_mask(obs, net, consume["grade"])) * _scale(obs, net, consume["grade"])
        return Weights({"flow": zf, "supply": zs, "consume": w})
    msg = f"unknown measure {measure!r}"
    raise CrudeflowError(msg)


def unit_scale(obs: Mapping[str, Any], net: Network) -> float:
    """Observed units per Mt/yr of corridor flow, so a corridor volume reads in Mt/yr equivalent.

    1 for Mt/yr; the period's share of a year for Mt; the reference bbl/t for million bbl/yr.
    """
    unit = obs["unit"]
    if unit == "Mt":
        return period_fraction(obs["period"])
    if unit == "million bbl/yr":
        return float(mt_to_million_bbl(1.0, float(net.meta.reference_bbl_per_t)))
    return 1.0


def corridor_weights(
    obs: Mapping[str, Any],
    net: Network,
    flows: pd.DataFrame,
    supply: pd.DataFrame,
    consume: pd.DataFrame,
    share_pct: float | None = None,
) -> dict[str, FArray]:
    """The observation's corridor volume as weights in Mt/yr equivalent per LP column.

    A volume row: its weights divided by ``unit_scale``. A share row read against a bound
    ``share_pct``: numerator − share × denominator (≥ 0 exactly when the share is ≥ the bound).
    """
    w = weights(obs, net, flows, supply, consume)
    if w.den is None:
        s = unit_scale(obs, net)
        return {k: v / s for k, v in w.num.items()}
    frac = float(share_pct if share_pct is not None else obs["value"]) / 100.0
    return {k: w.num[k] - frac * w.den[k] for k in w.num}


FRICTION_BLOCK = "friction"
"""Name of the LP's friction columns and rows (one of each per friction)."""


def add_frictions(lp: LP, net: Network, frictions: pd.DataFrame, frac: FArray | None = None) -> None:
    """Add the calibration frictions to a built LP: one column and one row per friction and period.

    A ``pull`` of ``f`` USD/t up to threshold ``q`` is a column ``u ≤ q`` priced ``−f`` with
    the row ``u − corridor(x) ≤ 0`` (so ``u = min(corridor, q)``); a ``push`` above ``q`` is
    ``v ≥ 0`` priced ``+f`` with ``corridor(x) − v ≤ q``. Both are convex costs on the
    corridor volume, so the plan stays an LP whose duals and hot re-solves work as before.
    Over periods (``frac``: each period's share of a year; the LP's columns carry a ``period``
    position), each friction is applied per period on that period's columns, its threshold
    prorated like any annual volume (``q × frac``): a year of identical months reproduces the
    annual calibrated plan.
    """
    if len(frictions) == 0:
        return
    obs = net.observed
    labels = {k: lp.vars[k].labels for k in ("flow", "supply", "consume")}
    shares = np.ones(1) if frac is None else np.asarray(frac, float)
    n_t = len(shares)
    n = len(frictions)
    rows: list[IArray] = []
    cols: list[IArray] = []
    vals: list[FArray] = []
    pull = (frictions["kind"] == "pull").to_numpy()
    size = frictions["friction_usd_per_t"].to_numpy(float)
    thr = frictions["threshold_mt_per_year"].to_numpy(float)
    share = frictions["share_pct"].to_numpy(float)
    period = {k: (v["period"].to_numpy(np.int64) if n_t > 1 else np.zeros(len(v), np.int64))
              for k, v in labels.items()}  # fmt: skip
    start = lp.n_cols
    for i, (fid, ob) in enumerate(zip(frictions.index, frictions["observation"], strict=True)):
        if ob not in obs.index:
            msg = f"friction {fid!r} serves observation {ob!r}, which observed.csv does not have"
            raise CrudeflowError(msg)
        rec = dict(obs.loc[ob], id=ob)
        w = corridor_weights(rec, net, labels["flow"], labels["supply"], labels["consume"],
                             None if np.isnan(share[i]) else float(share[i]))  # fmt: skip
        sign = -1.0 if pull[i] else 1.0
        for k, wk in w.items():
            nz = np.flatnonzero(np.abs(wk) > TOL_ZERO)
            rows.append(i * n_t + period[k][nz])
            cols.append(lp.vars[k].start + nz)
            vals.append(sign * wk[nz])
        rows.append(i * n_t + np.arange(n_t, dtype=np.int64))
        cols.append(start + i * n_t + np.arange(n_t, dtype=np.int64))
        vals.append(np.full(n_t, 1.0 if pull[i] else -1.0))
    fl = pd.DataFrame({"friction": np.repeat(frictions.index.to_numpy(), n_t),
                       "observation": np.repeat(frictions["observation"].to_numpy(), n_t),
                       "kind": np.repeat(frictions["kind"].to_numpy(), n_t),
                       "friction_usd_per_t": np.repeat(size, n_t),
                       "threshold_mt_per_year": np.repeat(thr, n_t)})  # fmt: skip
    if n_t > 1:
        fl["period"] = np.tile(np.arange(n_t, dtype=np.int64), n)
    q = (thr[:, None] * shares[None, :]).ravel()
    pl = np.repeat(pull, n_t)
    lp.add_vars(FRICTION_BLOCK, np.where(pl, -np.repeat(size, n_t), np.repeat(size, n_t)),
                np.where(pl, -np.inf, 0.0), np.where(pl, q, np.inf), fl)  # fmt: skip
    lp.add_cons(FRICTION_BLOCK, np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                np.full(n * n_t, -np.inf), np.where(pl, 0.0, q), fl)  # fmt: skip
