"""Two solved plans side by side: totals, per refinery, changed link flows, unmet and HHI (B − A)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from crudeflow._types import TOL_FLOW_MT, JSONDict
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan, horizon_rate
from crudeflow.results.tables import JSONResult, records

COMPARISON_FRAMES = ("totals", "refineries", "flows", "unmet", "concentration")
"""The frames of a ``Comparison``, in the order ``compare --json`` prints them."""


@dataclass(frozen=True)
class Comparison(JSONResult):
    """Two plans side by side: totals, per-refinery cost, changed flows, unmet and HHI (B − A).

    ``totals`` (index ``figure``; columns: A's scenario, B's scenario, ``delta``): the
    summary figures. ``refineries`` (index ``refinery``): country, delivered and unmet
    volume and delivered cost of each side (``_a``, ``_b``) and ``delta_cost_*``,
    ``delta_unmet_*``. ``flows`` (index ``link``): links whose flow changed, largest
    change first. ``unmet`` (index ``node``): unmet demand of each side with B's reason.
    ``concentration`` (index importer, by): ``hhi_a``, ``hhi_b``, ``delta_hhi``. Volumes
    Mt/yr and costs USD/t, or kb/d and USD/bbl when the plans are in ``kbd`` (``units``).
    """

    a: Plan
    b: Plan
    totals: pd.DataFrame
    refineries: pd.DataFrame
    flows: pd.DataFrame
    unmet: pd.DataFrame
    concentration: pd.DataFrame

    @property
    def units(self) -> str:
        """``mt`` or ``kbd``: the units both plans are in."""
        return self.a.units

    def to_dict(self) -> JSONDict:
        """``compare --json``: ``units`` and one list of records per frame (``COMPARISON_FRAMES``)."""
        out: JSONDict = {"units": self.units}
        for name in COMPARISON_FRAMES:
            out[name] = records(getattr(self, name))
        return out


def _hhi_of(p: Plan) -> pd.Series:
    """A plan's HHI per (importer, by), read from its concentration table."""
    c = p.concentration
    return c.set_index(["importer", "by"])["hhi"] if len(c) else pd.Series(dtype=float)


def compare_plans(pa: Plan, pb: Plan, network_b: Network | None = None) -> Comparison:
    """Line up two solved plans: totals, per refinery, changed link flows, unmet and HHI (B − A).

    The totals lead with the economic cost, then the unmet and shut-in volumes (the
    ``summary`` figures, in the plans' units). With ``network_b``, changed flows also show
    each link's from, to and mode.
    """
    sa, sb = pa.summary(), pb.summary()
    skip = ("scenario", "status", "units", "bottlenecks", "solve_seconds", "horizon", "periods", "years")
    keys = [
        k
        for k in sa
        if k not in skip and k in sb and isinstance(sa[k], int | float) and not isinstance(sa[k], bool)
    ]
    totals = pd.DataFrame(
        {"a": [sa[k] for k in keys], "b": [sb[k] for k in keys]},
        index=pd.Index(keys, name="figure"),
    )
    totals["delta"] = totals["b"] - totals["a"]
    name_b = str(pb.scenario) if pb.scenario != pa.scenario else f"{pb.scenario} (b)"
    totals.columns = pd.Index([str(pa.scenario), name_b, "delta"])
    kbd = pa.units == "kbd"
    v, c = ("kb_per_day", "usd_per_bbl") if kbd else ("mt_per_year", "usd_per_t")
    cols = [f"delivered_{v}", f"unmet_{v}", f"delivered_cost_{c}"]
    ref = pa.costs[["country", *cols]].merge(
        pb.costs[cols], left_index=True, right_index=True, how="outer", suffixes=("_a", "_b")
    )
    ref[f"delta_cost_{c}"] = ref[f"delivered_cost_{c}_b"] - ref[f"delivered_cost_{c}_a"]
    ref[f"delta_unmet_{v}"] = ref[f"unmet_{v}_b"] - ref[f"unmet_{v}_a"]
    flows = pd.DataFrame(
        {f"{v}_a": horizon_rate(pa, pa.link_flows, v), f"{v}_b": horizon_rate(pb, pb.link_flows, v)}
    )
    flows = flows.fillna(0.0)
    flows[f"delta_{v}"] = flows[f"{v}_b"] - flows[f"{v}_a"]
    flows = flows[flows[f"delta_{v}"].abs() > TOL_FLOW_MT]
    flows = flows.iloc[np.argsort(-flows[f"delta_{v}"].abs().to_numpy(), kind="stable")]
    if network_b is not None:
        links = network_b.links.reindex(flows.index)
        for col in ("mode", "to", "from"):
            flows.insert(0, col, links[col].to_numpy())
    flows.index.name = "link"
    ua, ub = horizon_rate(pa, pa.unmet, v), horizon_rate(pb, pb.unmet, v)
    unmet = pd.DataFrame({f"{v}_a": ua, f"{v}_b": ub}).fillna(0.0)
    unmet[f"delta_{v}"] = unmet[f"{v}_b"] - unmet[f"{v}_a"]
    why = pb.unmet["reason"].astype(object)
    why = why[[isinstance(r, str) and r != "" for r in why]]
    reasons = why[~why.index.duplicated()].reindex(unmet.index)  # a plan over periods: the first
    unmet["reason_b"] = [r if isinstance(r, str) else "" for r in reasons]
    unmet.index.name = "node"
    conc = pd.DataFrame({"hhi_a": _hhi_of(pa), "hhi_b": _hhi_of(pb)})
    conc["delta_hhi"] = conc["hhi_b"] - conc["hhi_a"]
    return Comparison(pa, pb, totals, ref, flows, unmet, conc)
