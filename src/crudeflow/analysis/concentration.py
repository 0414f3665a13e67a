"""Supply concentration (HHI by origin and transit) and the cost of diversifying it.

``diversify`` re-plans under a share cap (a ``share_cap`` policy row added to a copy of
the network: the same rule the planner applies to dataset policies) at each level and
reports what each level costs the importer and the system versus the uncapped plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crudeflow._types import TOL_FLOW_MT as TOL
from crudeflow._types import JSONDict
from crudeflow.analysis._common import as_network
from crudeflow.exceptions import CrudeflowError, InfeasibleError
from crudeflow.metrics import hhi
from crudeflow.model.network import Network
from crudeflow.model.policies import ShareCap, policy_frame
from crudeflow.optimize.policies import importer_nodes
from crudeflow.progress import CancelToken, ProgressFn, is_cancelled, report
from crudeflow.results.plan import Plan
from crudeflow.results.solve import solve_plan
from crudeflow.results.tables import JSONResult, ResultTable, col, raw_dict, records
from crudeflow.units import mt_to_t

__all__ = ["DIVERSIFY_CURVE", "Diversification", "concentration", "diversify", "hhi", "with_share_cap"]

DIVERSIFY_CURVE = ResultTable(
    "curve", "share cap level", None,
    (
        col("max_share_pct", "float64", "%", "the cap on the capped country's share of intake"),
        col("country", "str", "", "the country capped"),
        col("status", "str", "", "solve status (``infeasible`` with ``strict`` when no plan meets it)"),
        col("share_pct", "float64", "%", "the share achieved"),
        col("hhi", "float64", "", "HHI (0-10,000) of the importer's intake"),
        col("runs_mt_per_year", "float64", "Mt/yr", "the importer's refinery runs"),
        col("unmet_mt_per_year", "float64", "Mt/yr", "the importer's unmet demand"),
        col("delivered_cost_usd_per_t", "float64", "USD/t", "average delivered cost of its runs"),
        col("extra_usd_per_t", "float64", "USD/t", "increase over the uncapped plan"),
        col("objective_usd", "float64", "USD/yr", "system objective"),
        col("extra_total_usd", "float64", "USD/yr", "increase of the system objective"),
        col("leaves_demand_unmet", "bool", "", "more unmet demand than uncapped (or infeasible)"),
    ),
)  # fmt: skip
"""``Diversification.curve``: one row per cap, in the order given."""


@dataclass(frozen=True)
class Diversification(JSONResult):
    """The cost-of-diversification curve of one importer (``DIVERSIFY_CURVE``).

    ``base`` holds the uncapped plan's figures (runs_mt_per_year, unmet_mt_per_year,
    delivered_cost_usd_per_t, share_pct, hhi, objective_usd); ``first_unmet_cap_pct`` is
    the first cap that leaves demand unmet (or is infeasible), None if none does.
    """

    importer: str
    by: str
    country: str
    curve: pd.DataFrame
    base: dict[str, float]
    first_unmet_cap_pct: float | None
    interrupted: bool = False
    """Stopped early (cancel token or Ctrl-C): the curve holds the levels finished."""

    def to_dict(self) -> JSONDict:
        """``diversify --json``: importer, by, first_unmet_cap_pct, base, curve (records), interrupted."""
        return {
            "importer": self.importer, "by": self.by, "first_unmet_cap_pct": self.first_unmet_cap_pct,
            "base": raw_dict(self.base), "curve": records(self.curve), "interrupted": self.interrupted,
        }  # fmt: skip


def concentration(plan: Plan, importer: str | None = None, by: str | None = None) -> pd.DataFrame:
    """A plan's concentration table (HHI, top country, shares of intake %), optionally filtered.

    By transit the shares are of intake crossing each country and may sum above 100 %.
    """
    c: pd.DataFrame = plan.concentration
    if importer is not None:
        c = c[c["importer"] == importer]
    if by is not None:
        c = c[c["by"] == by]
    return c.reset_index(drop=True)


def _importer_figures(net: Network, plan: Plan, importer: str, by: str, country: str) -> dict[str, float]:
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
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> Diversification:
    """Cost-of-diversification curve: re-plan with the top supplier's share capped at each level.

    ``importer`` is a country code (or a refinery node); ``by`` is ``origin`` or ``transit``;
    ``country`` defaults to the importer's current top origin / transit country. Per cap
    (%): achieved share, HHI, runs and unmet (Mt/yr), average delivered cost of the
    importer's runs (USD/t) and its increase, the system objective (USD/yr) and its
    increase. ``first_unmet_cap_pct`` is the first level that leaves demand unmet (or,
    with ``strict``, is infeasible). ``progress(done, total)`` counts levels; a
    ``cancel`` token (or Ctrl-C) stops between levels, keeping those done (``interrupted``).
    """
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
    base = solve_plan(network, strict=strict)
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
    rows: list[dict[str, object]] = []
    interrupted = False
    report(progress, 0, len(caps))
    try:
        for cap in caps:
            if is_cancelled(cancel):
                interrupted = True
                break
            net = with_share_cap(network, importer, by, country, float(cap))
            rec: dict[str, object] = {"max_share_pct": float(cap), "country": country}
            try:
                p = solve_plan(net, strict=strict)
            except InfeasibleError:
                rec.update(status="infeasible")
            else:
                fig = _importer_figures(net, p, importer, by, country)
                rec.update(status=str(p.status), **fig)
                rec["extra_usd_per_t"] = fig["delivered_cost_usd_per_t"] - ref["delivered_cost_usd_per_t"]
                rec["extra_total_usd"] = fig["objective_usd"] - ref["objective_usd"]
            rows.append(rec)
            report(progress, len(rows), len(caps))
    except KeyboardInterrupt:
        interrupted = True
    out = DIVERSIFY_CURVE.frame(rows)
    worse = (out["status"] == "infeasible") | (out["unmet_mt_per_year"] > ref["unmet_mt_per_year"] + TOL)
    out["leaves_demand_unmet"] = worse.to_numpy(bool)
    out[DIVERSIFY_CURVE.names[3:11]] = out[DIVERSIFY_CURVE.names[3:11]].astype(float)
    first = float(out.loc[worse, "max_share_pct"].iloc[0]) if worse.any() else None
    return Diversification(importer, by, str(country), out, ref, first, interrupted)
