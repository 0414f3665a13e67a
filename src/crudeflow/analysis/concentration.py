"""Supply concentration (HHI by origin and transit) and the cost of diversifying it.

``diversify`` re-plans under a share cap (a ``share_cap`` policy row added to a copy of
the network: the same rule the planner applies to dataset policies) at each level and
reports what each level costs the importer and the system versus the uncapped plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError, InfeasibleError
from crudeflow.model.network import Network
from crudeflow.model.policies import ShareCap, policy_frame
from crudeflow.optimize.policies import importer_nodes
from crudeflow.units import mt_to_t

TOL = 1e-6


def hhi(shares: Mapping[str, float] | pd.Series | Sequence[float]) -> float:
    """Herfindahl-Hirschman index (0-10,000) of shares given in any unit (normalised here)."""
    s = np.asarray(list(shares.values()) if isinstance(shares, Mapping) else shares, float)
    total = s.sum()
    if total <= 0:
        return float("nan")
    return float(((s / total) ** 2).sum() * 10_000)


def concentration(plan: Any, importer: str | None = None, by: str | None = None) -> pd.DataFrame:
    """A plan's concentration table (HHI, top country, shares of intake %), optionally filtered.

    By transit the shares are of intake crossing each country and may sum above 100 %.
    """
    c: pd.DataFrame = plan.concentration
    if importer is not None:
        c = c[c["importer"] == importer]
    if by is not None:
        c = c[c["by"] == by]
    return c.reset_index(drop=True)


def _importer_figures(net: Network, plan: Any, importer: str, by: str, country: str) -> dict[str, Any]:
    nodes = importer_nodes(net, importer)
    costs = plan.costs.loc[plan.costs.index.intersection(nodes)]
    runs = float(costs["delivered_mt_per_year"].sum())
    total = float(costs["total_cost_usd"].fillna(0.0).sum())
    conc = concentration(plan, net.nodes.loc[nodes[0], "country"] if len(nodes) else importer, by)
    share = float(conc["share_of_intake_pct"].iloc[0].get(country, 0.0)) if len(conc) else 0.0
    return {
        "runs_mt_per_year": runs,
        "unmet_mt_per_year": float(costs["unmet_mt_per_year"].sum()),
        "delivered_cost_usd_per_t": total / mt_to_t(runs) if runs > TOL else float("nan"),
        "share_pct": share,
        "hhi": float(conc["hhi"].iloc[0]) if len(conc) else float("nan"),
        "objective_usd": float(plan.objective_usd),
    }


def with_share_cap(network: Network, importer: str, by: str, country: str, max_share_pct: float) -> Network:
    """A copy of the network with one more enabled ``share_cap`` policy."""
    pol = network.policies
    pid = f"diversify-{importer}-{by}-{country}-{max_share_pct:g}"
    cap = ShareCap(id=pid, importer=importer, by=by, country=country, max_share_pct=float(max_share_pct),
                   note="crudeflow diversify")  # fmt: skip
    extra = policy_frame([cap], [0] if "line" in pol.columns else None)
    new = pd.concat([pol, extra[pol.columns]]) if len(pol) else extra
    return network.replace(policies=new)


def _check_caps(caps: Sequence[float]) -> list[float]:
    """Share caps as floats, each a percentage from 0 to 100; an error names every bad one."""
    if isinstance(caps, str | bytes) or len(caps) == 0:
        msg = f"caps must be a list of share caps in % (0 to 100), not {caps!r}"
        raise CrudeflowError(msg)
    out, bad = [], []
    for c in caps:
        try:
            v = float(c)
        except (TypeError, ValueError):
            bad.append(repr(c))
            continue
        if isinstance(c, bool) or not 0.0 <= v <= 100.0:  # also rejects NaN
            bad.append(repr(c) if isinstance(c, bool) else f"{v:g}")
        out.append(v)
    if bad:
        msg = f"caps must be share caps in % from 0 to 100; found {', '.join(bad)}"
        raise CrudeflowError(msg)
    return out


def diversify(
    network: Network | str | Path,
    importer: str,
    *,
    by: str = "origin",
    caps: Sequence[float] = (100, 80, 60, 40, 30),
    country: str | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Cost-of-diversification curve: re-plan with the top supplier's share capped at each level.

    ``importer`` is a country code (or a refinery node); ``by`` is ``origin`` or ``transit``;
    ``country`` defaults to the importer's current top origin / transit country. Per cap
    (%): achieved share, HHI, runs and unmet (Mt/yr), average delivered cost of the
    importer's runs (USD/t) and its increase, the system objective (USD/yr) and its
    increase. ``attrs['first_unmet_cap_pct']`` is the first level that leaves demand unmet
    (or, with ``strict``, is infeasible).
    """
    from crudeflow.api import plan as make_plan

    network = as_network(network)
    if by not in ("origin", "transit"):
        msg = f"by must be origin or transit, not {by!r}"
        raise CrudeflowError(msg)
    if len(importer_nodes(network, importer)) == 0:
        msg = f"'{importer}' has no refineries (demand nodes) in this network"
        raise CrudeflowError(msg)
    caps = _check_caps(caps)
    if country is not None and country not in set(network.nodes["country"]) | {"direct"}:
        msg = f"country '{country}' is not the country of any node in this network"
        raise CrudeflowError(msg)
    base = make_plan(network, strict=strict)
    imp_country = network.nodes.loc[importer, "country"] if importer in network.nodes.index else importer
    if country is None:
        conc = concentration(base, imp_country, by)
        top = conc["share_of_intake_pct"].iloc[0] if len(conc) else {}
        shares = {k: v for k, v in top.items() if k != "direct"}
        if not shares:
            msg = f"'{importer}' has no {by} country to cap in the base plan (all direct?): give --country"
            raise CrudeflowError(msg)
        country = max(shares, key=lambda k: shares[k])
    ref = _importer_figures(network, base, importer, by, country)
    rows = []
    for cap in caps:
        net = with_share_cap(network, importer, by, country, float(cap))
        rec: dict[str, Any] = {"max_share_pct": float(cap), "country": country}
        try:
            p = make_plan(net, strict=strict)
        except InfeasibleError:
            rec.update(status="infeasible")
            rows.append(rec)
            continue
        fig = _importer_figures(net, p, importer, by, country)
        rec.update(status=p.status, **fig)
        rec["extra_usd_per_t"] = fig["delivered_cost_usd_per_t"] - ref["delivered_cost_usd_per_t"]
        rec["extra_total_usd"] = fig["objective_usd"] - ref["objective_usd"]
        rows.append(rec)
    cols = ["max_share_pct", "country", "status", "share_pct", "hhi", "runs_mt_per_year", "unmet_mt_per_year",
            "delivered_cost_usd_per_t", "extra_usd_per_t", "objective_usd", "extra_total_usd"]  # fmt: skip
    out = pd.DataFrame(rows).reindex(columns=cols)
    worse = (out["status"] == "infeasible") | (out["unmet_mt_per_year"] > ref["unmet_mt_per_year"] + TOL)
    out["leaves_demand_unmet"] = worse.to_numpy(bool)
    out.attrs["first_unmet_cap_pct"] = float(out.loc[worse, "max_share_pct"].iloc[0]) if worse.any() else None
    out.attrs["base"] = ref
    out.attrs["importer"] = importer
    out.attrs["by"] = by
    return out
