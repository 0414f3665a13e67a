"""The price cap's tanker market in a plan: the capped origin's crude by tanker class.

Per price cap, period, tanker class and destination: the crude of the cap's origin on
tanker legs (by grade, plus crude swapped or blended out of its grades, from the origin
tag layer), whether it moved on G7-serviced tankers or on the pool of other tankers (the
"shadow fleet"), and the freight premium paid on the pool's share. Built from the solved
``price_cap_g7`` / ``price_cap_shadow`` columns (``optimize.policies``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import TOL_FLOW_MT as TOL
from crudeflow.model.policies import PriceCap, policies_of
from crudeflow.optimize.build import Model
from crudeflow.optimize.policies import price_cap_legs, price_cap_periods
from crudeflow.optimize.tags import Tag
from crudeflow.units import mt_to_t

PRICE_CAP_COLUMNS = (
    "policy", "origin", "tanker_class", "to", "to_country", "mt_per_year", "benchmark_usd_per_bbl",
    "cap_usd_per_bbl", "premium_usd_per_t", "premium_usd", "pool_mt_per_year", "pool_full",
)  # fmt: skip
"""Columns of ``Plan.price_cap`` (with periods: ``period`` first and ``mt`` last)."""


def price_cap_table(model: Model, x: npt.NDArray[np.float64]) -> pd.DataFrame:
    """Per price cap, period in force, tanker class (``g7`` / ``shadow``) and destination: Mt/yr.

    A period's crude of the origin on tankers splits between the classes as the solved
    G7 and pool columns do; ``premium_usd`` is the premium on the pool's share (USD in the
    period, USD/yr for an annual plan); ``pool_full`` says the pool is used up.
    """
    lp, net, idx, axis = model.lp, model.network, model.index, model.axis
    cols = ["period", *PRICE_CAP_COLUMNS, "mt"] if axis.dated else list(PRICE_CAP_COLUMNS)
    if "price_cap_g7" not in lp.vars or lp.vars["price_cap_g7"].size == 0:
        return pd.DataFrame(columns=cols)
    g7, sh, fb = lp.vars["price_cap_g7"], lp.vars["price_cap_shadow"], lp.vars["flow"]
    state = price_cap_periods(net, axis.calendar)
    lab = g7.labels
    key = pd.MultiIndex.from_arrays([lab["policy"].astype(str), lab["period"].to_numpy(np.int64)])
    g7_x, sh_x = x[g7.slice], x[sh.slice]
    total = g7_x + sh_x
    share = np.divide(sh_x, total, out=np.zeros_like(total), where=total > TOL)
    fl = fb.labels
    f_x = x[fb.slice]
    frames = []
    for pid in dict.fromkeys(lab["policy"].astype(str)):  # one per policy (a handful)
        row = lab[lab["policy"].astype(str) == pid].iloc[0]
        origin = str(row["origin"])
        pol = next(p for p in policies_of(net.policies, PriceCap) if p.id == pid)
        legs = np.flatnonzero(price_cap_legs(pol, net, idx, fl))
        vol = [f_x[legs]]
        pos = [legs]
        la = model.tags.layer(Tag("origin", origin))
        if la is not None:
            tank = net.links.loc[idx.link_ids, "mode"].to_numpy(dtype=str)[fl["link_pos"].to_numpy(np.int64)]
            on = tank[la.flow] == "tanker"
            vol.append(x[la.flow_y[on]])
            pos.append(la.flow[on])
        p_all, v_all = np.concatenate(pos), np.concatenate(vol)
        period = fl["period"].to_numpy(np.int64)[p_all]
        at = key.get_indexer(pd.MultiIndex.from_arrays([np.full(len(p_all), pid), period]))
        s = share[at]
        frac = axis.frac[period]
        to = fl["to"].to_numpy(dtype=object)[p_all]
        st = state[state["policy"] == pid].set_index("period")
        base = pd.DataFrame({"period": period, "to": to, "benchmark_usd_per_bbl": st["benchmark_usd_per_bbl"]
                             .reindex(period).to_numpy(float), "frac": frac,
                             "in_force": st["in_force"].reindex(period).to_numpy(bool)})  # fmt: skip
        for cls, part in (("g7", 1.0 - s), ("shadow", s)):
            mt = v_all * part
            frames.append(base.assign(policy=pid, origin=origin, tanker_class=cls, mt=mt,
                                      cap_usd_per_bbl=pol.cap_usd_per_bbl,
                                      premium_usd_per_t=pol.premium_usd_per_t if cls == "shadow" else 0.0,
                                      pool_mt_per_year=pol.shadow_mt_per_year if cls == "shadow" else np.nan,
                                      pool_full=(sh_x[at] >= sh.upper[at] - 1e-6) & (sh.upper[at] > TOL)
                                      if cls == "shadow" else False))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    out = out[(out["mt"] > TOL) & out["in_force"].to_numpy(bool)]  # a period counts under its cap
    keys = ["policy", "origin", "period", "tanker_class", "to"]
    agg = out.groupby(keys, sort=True).agg(
        mt=("mt", "sum"), frac=("frac", "first"), benchmark_usd_per_bbl=("benchmark_usd_per_bbl", "first"),
        cap_usd_per_bbl=("cap_usd_per_bbl", "first"), premium_usd_per_t=("premium_usd_per_t", "first"),
        pool_mt_per_year=("pool_mt_per_year", "first"), pool_full=("pool_full", "first"),
    ).reset_index()  # fmt: skip
    agg["mt_per_year"] = agg["mt"] / agg["frac"]
    agg["premium_usd"] = mt_to_t(agg["mt"].to_numpy(float) * agg["premium_usd_per_t"].to_numpy(float))
    agg["to_country"] = net.nodes["country"].reindex(agg["to"]).to_numpy(dtype=object)
    if axis.dated:
        agg["period"] = axis.calendar["label"].to_numpy(dtype=object)[agg["period"].to_numpy(np.int64)]
    return agg[[c for c in cols if c in agg.columns]].reset_index(drop=True)
