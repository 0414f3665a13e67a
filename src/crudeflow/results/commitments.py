"""The commitments table of a plan: what each commitment limits, what was used, whether it binds.

Ship-or-pay, reservations, outlet commitments, swaps for buyers and transit refusals.
Volumes are Mt/yr averaged over the horizon (a ship-or-pay or outlet commitment in force for
part of it, or for part of an annual plan's year, counts that part: ``policy_years``; one
not in force at all is left out); ``binding`` means the row has a non-zero dual in some
period (for ship-or-pay: the paid volume is all used), and the shadow price is the largest
over the periods (USD/t: by how much the system cost would fall per tonne the
limit were looser).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow._types import TOL_FLOW_MT as TOL
from crudeflow.optimize.build import Model
from crudeflow.optimize.lp import LP
from crudeflow.optimize.periods import policy_in_force, policy_years
from crudeflow.units import mt_to_t

COMMITMENT_COLUMNS = [
    "policy", "kind", "on", "limit_mt_per_year", "used_mt_per_year", "others_mt_per_year",
    "paid_usd_per_year", "binding", "shadow_price_usd_per_t",
]  # fmt: skip

KINDS = ("ship_or_pay", "reserved_capacity", "throughput_commitment", "swap_buyers", "transit_refusal")


def commitments(model: Model, x: npt.NDArray[np.float64], dual: npt.NDArray[np.float64]) -> pd.DataFrame:
    """One row per commitment, reservation, swap for buyers and transit refusal in force."""
    lp = model.lp
    years = float(model.axis.frac.sum())
    f = lp.vars["flow"]
    f_link = f.labels["link"].to_numpy(dtype=str)
    fx = x[f.slice]
    act = lp.matrix() @ x if any(k in lp.cons and lp.cons[k].size for k in KINDS) else np.zeros(lp.n_rows)

    def on_link(link: str) -> float:
        return float(fx[f_link == link].sum()) / years

    out: list[dict[str, object]] = []
    for name in KINDS:
        block = lp.cons.get(name)
        if block is None or block.size == 0:
            continue
        lab = block.labels
        d = np.abs(dual[block.slice])
        a = act[block.slice]
        key = (
            lab["policy"].astype(str) + "|" + lab.get("importer", pd.Series("", index=lab.index)).astype(str)
        )
        for k in dict.fromkeys(key):
            rows = np.flatnonzero(key.to_numpy() == k)
            r0 = lab.iloc[rows[0]]
            rec: dict[str, object] = {
                "policy": r0["policy"], "kind": name, "binding": bool((d[rows] > TOL).any()),
                "shadow_price_usd_per_t": float(d[rows].max()),
            }  # fmt: skip
            pid = pd.Series([r0["policy"]])
            share = float(policy_years(model.network, pid, model.axis)[0]) / years
            volume = name in ("ship_or_pay", "throughput_commitment")  # prorated, not switched
            if (share <= 0) if volume else not policy_in_force(model.network, pid, model.axis)[0]:
                continue  # dated out of the plan's horizon (or year): not in force
            if name == "ship_or_pay":
                used = on_link(str(r0["link"]))
                paid = float(r0["paid_mt_per_year"]) * share
                rec.update(on=r0["link"], limit_mt_per_year=paid, used_mt_per_year=used,
                           paid_usd_per_year=mt_to_t(paid * float(r0["fee_usd_per_t"])),
                           binding=used >= paid - TOL and paid > 0)  # fmt: skip
            elif name == "reserved_capacity":
                others = float(a[rows].sum()) / years
                rec.update(on=r0["link"], limit_mt_per_year=float(r0["reserved_mt_per_year"]),
                           used_mt_per_year=on_link(str(r0["link"])) - others,
                           others_mt_per_year=others)  # fmt: skip
            elif name == "throughput_commitment":
                sf = lp.vars["commit_shortfall"]
                short = float(x[sf.slice][sf.labels["policy"].to_numpy() == r0["policy"]].sum())
                rec.update(on=r0["market"], limit_mt_per_year=float(r0["min_mt_per_year"]) * share,
                           used_mt_per_year=(float(a[rows].sum()) - short) / years)  # fmt: skip
            elif name == "swap_buyers":
                rec.update(on=r0["link"], used_mt_per_year=on_link(str(r0["link"])))
            else:
                rec.update(on=f"{r0['country']} → {r0['importer']}")
            out.append(rec)
    return pd.DataFrame(out, columns=COMMITMENT_COLUMNS)


def prepaid_credit(lp: LP, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per flow variable: the tariff (USD/t) a ship-or-pay's prepaid volume takes off it.

    The LP credits the link's tariff on the part of its flow already paid for (the
    ``prepaid`` columns); every tonne on the link carries the same share of that credit:
    tariff × prepaid ÷ flow on the link (over the horizon). Zeros without ship-or-pay.
    """
    f = lp.vars["flow"]
    out = np.zeros(f.size)
    pre = lp.vars.get("prepaid")
    if pre is None or pre.size == 0:
        return out
    f_link = f.labels["link"].to_numpy(dtype=str)
    fx = x[f.slice]
    for link, used, cost in zip(pre.labels["link"].to_numpy(dtype=str), x[pre.slice], pre.cost, strict=True):
        on = f_link == link  # one pass per ship-or-pay contract (a handful)
        total = float(fx[on].sum())
        if used > TOL and total > TOL:
            out[on] += -float(cost) * min(float(used) / total, 1.0)
    return out


def net_tariff(model: Model, x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per flow variable: the tariff it pays (USD/t) net of ship-or-pay prepaid volume.

    As the LP charges it (:func:`prepaid_credit`). The paid fee itself is a fixed cost, not
    per tonne: it is in ``commitments.paid_usd_per_year`` and the objective's
    ``ship_or_pay_usd``, not in delivered costs.
    """
    return np.asarray(model.flow_tariff - prepaid_credit(model.lp, x), dtype=float)


def commitment_cost_usd(model: Model, x: npt.NDArray[np.float64]) -> float:
    """Ship-or-pay paid fees (fixed) less the tariff not charged on prepaid volume (USD)."""
    return mt_to_t(
        sum(float((x[b.slice] * b.cost).sum()) for k, b in model.lp.vars.items() if k in ("paid", "prepaid"))
    )
