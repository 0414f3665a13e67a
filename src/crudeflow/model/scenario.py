"""Scenarios: declarative changes applied to a base Network, which is never mutated.

A scenario is a list of ``Change`` items (already typed by ``crudeflow.io.scenario``).
``Scenario.apply(network)`` returns a new Network; a change naming an unknown id raises
``ScenarioError`` with the scenario file and line of the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.exceptions import Problem, ScenarioError
from crudeflow.model.network import Network

CHANGE_KINDS: dict[str, str] = {
    "disable_links": "list of link ids to close (status 'closed')",
    "enable_links": "list of link ids to open (status 'operating'), e.g. idle or planned links",
    "disable_nodes": "list of node ids: links touching them close; their supply, demand, market go to 0",
    "disable_countries": "list of {country, as: supplier | transit | both}",
    "capacity": "mapping link id -> capacity_mt_per_year",
    "tariff": "mapping link id -> tariff_usd_per_t",
    "demand": "mapping refinery node -> demand_mt_per_year",
    "price": "list of {node, grade, price_usd_per_t} for supplies",
    "set": "list of {table, id, column, value}; id is 'node/grade' for supplies and slates",
    "scale": "list of {table, id, column, factor}",
    "add_nodes": "list of node records (nodes.csv columns)",
    "add_links": "list of link records (links.csv columns)",
    "remove_links": "list of link ids to delete",
    "add_policies": "list of policies (policies.yaml format)",
    "remove_policies": "list of policy ids",
    "enable_policies": "list of policy ids to switch on",
    "disable_policies": "list of policy ids to switch off",
    "add_contracts": "list of contract records (contracts.csv columns)",
    "remove_contracts": "list of contract ids",
}
"""Every change a scenario may make, with the shape of its value."""

TABLE_KEYS = {
    "links": "links", "nodes": "nodes", "grades": "grades", "supplies": "supplies",
    "demands": "demands", "markets": "markets", "slates": "slates", "contracts": "contracts",
}  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One typed change with the place it came from (for error messages)."""

    kind: str
    value: Any
    file: str = "<scenario>"
    line: int | None = None


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to a base dataset (by name or path)."""

    name: str
    base: str | None = None
    description: str = ""
    source: str = ""
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def apply(self, network: Network) -> Network:
        """A new Network with every change applied in order; the base is untouched."""
        problems: list[Problem] = []
        net = network
        for ch in self.changes:
            net = _apply_one(net, ch, problems)
        if problems:
            raise ScenarioError(problems, f"scenario '{self.name}' does not fit its base network")
        return net


def _bad(problems: list[Problem], ch: Change, what: str, found: object) -> None:
    problems.append(Problem(ch.file, ch.line, ch.kind, what, repr(found)))


def _known(problems: list[Problem], ch: Change, ids: list[str], index: pd.Index, table: str) -> list[str]:
    ok = [i for i in ids if i in index]
    for i in ids:
        if i not in index:
            _bad(problems, ch, f"an id listed in {table}", i)
    return ok


def _close_links(net: Network, ids: list[str]) -> Network:
    links = net.links.copy()
    links.loc[ids, "status"] = "closed"
    return net.replace(links=links)


def _apply_one(net: Network, ch: Change, problems: list[Problem]) -> Network:
    k, v = ch.kind, ch.value
    if k == "disable_links":
        return _close_links(net, _known(problems, ch, v, net.links.index, "links.csv"))
    if k == "enable_links":
        ok = _known(problems, ch, v, net.links.index, "links.csv")
        links = net.links.copy()
        links.loc[ok, "status"] = "operating"
        return net.replace(links=links)
    if k == "remove_links":
        ok = _known(problems, ch, v, net.links.index, "links.csv")
        return net.replace(links=net.links.drop(index=ok))
    if k == "disable_nodes":
        ok = _known(problems, ch, v, net.nodes.index, "nodes.csv")
        return _disable_nodes(net, ok)
    if k == "disable_countries":
        return _disable_countries(net, v, ch, problems)
    if k in ("capacity", "tariff", "demand"):
        table, column = {
            "capacity": ("links", "capacity_mt_per_year"),
            "tariff": ("links", "tariff_usd_per_t"),
            "demand": ("demands", "demand_mt_per_year"),
        }[k]
        return _set_values(net, table, column, v, ch, problems)
    if k == "price":
        frame = net.supplies.copy()
        for item in v:
            key = (item["node"], item["grade"])
            if key not in frame.index:
                _bad(problems, ch, "a (node, grade) of supplies.csv", f"{key[0]}/{key[1]}")
                continue
            frame.loc[key, "price_usd_per_t"] = float(item["price_usd_per_t"])
        return net.replace(supplies=frame)
    if k in ("set", "scale"):
        for item in v:
            table = item["table"]
            if table not in TABLE_KEYS:
                _bad(problems, ch, f"a table among {', '.join(TABLE_KEYS)}", table)
                continue
            tab: pd.DataFrame = getattr(net, table)
            column = item["column"]
            if column not in tab.columns:
                _bad(problems, ch, f"a column of {table}", column)
                continue
            multi = isinstance(tab.index, pd.MultiIndex)
            ident: Any = tuple(str(item["id"]).split("/")) if multi else item["id"]
            if ident not in tab.index:
                _bad(problems, ch, f"an id of {table}", item["id"])
                continue
            tab = tab.copy()
            if k == "set":
                tab.loc[ident, column] = item["value"]
            else:
                tab.loc[ident, column] = tab.loc[ident, column] * float(item["factor"])
            net = net.replace(**{table: tab})
        return net
    if k == "add_nodes":
        new = pd.DataFrame(v).set_index("id")
        return net.replace(nodes=pd.concat([net.nodes, new[net.nodes.columns]]))
    if k == "add_links":
        new = pd.DataFrame(v).set_index("id")
        for col in ("from", "to"):
            nodes_ok = set(net.nodes.index)
            for n in new[col]:
                if n not in nodes_ok:
                    _bad(problems, ch, "a node id of nodes.csv (or of add_nodes)", n)
        dup = new.index.intersection(net.links.index)
        for d in dup:
            _bad(problems, ch, "a new link id", d)
        return net.replace(links=pd.concat([net.links, new[net.links.columns]]))
    if k in ("add_policies",):
        new = v
        dup = new.index.intersection(net.policies.index)
        for d in dup:
            _bad(problems, ch, "a new policy id", d)
        return net.replace(policies=pd.concat([net.policies, new[net.policies.columns]]))
    if k == "remove_policies":
        ok = _known(problems, ch, v, net.policies.index, "policies.yaml")
        return net.replace(policies=net.policies.drop(index=ok))
    if k in ("enable_policies", "disable_policies"):
        ok = _known(problems, ch, v, net.policies.index, "policies.yaml")
        pol = net.policies.copy()
        pol.loc[ok, "enabled"] = k == "enable_policies"
        return net.replace(policies=pol)
    if k == "add_contracts":
        new = pd.DataFrame(v).set_index("id")
        return net.replace(contracts=pd.concat([net.contracts, new[net.contracts.columns]]))
    if k == "remove_contracts":
        ok = _known(problems, ch, v, net.contracts.index, "contracts.csv")
        return net.replace(contracts=net.contracts.drop(index=ok))
    _bad(problems, ch, f"one of {', '.join(CHANGE_KINDS)}", k)
    return net


def _set_values(
    net: Network, table: str, column: str, mapping: dict[str, float], ch: Change, problems: list[Problem]
) -> Network:
    frame: pd.DataFrame = getattr(net, table).copy()
    ok = _known(problems, ch, list(mapping), frame.index, f"{table}.csv")
    for i in ok:
        frame.loc[i, column] = float(mapping[i])
    return net.replace(**{table: frame})


def _disable_nodes(net: Network, ids: list[str]) -> Network:
    links = net.links
    touching = links.index[links["from"].isin(ids) | links["to"].isin(ids)].tolist()
    net = _close_links(net, touching)
    sup = net.supplies.copy()
    mask = sup.index.get_level_values(0).isin(ids)
    sup.loc[mask, ["min_mt_per_year", "max_mt_per_year"]] = 0.0
    dem = net.demands.copy()
    dem.loc[dem.index.isin(ids), "demand_mt_per_year"] = 0.0
    mkt = net.markets.copy()
    mkt.loc[mkt.index.isin(ids), "max_mt_per_year"] = 0.0
    return net.replace(supplies=sup, demands=dem, markets=mkt)


def _disable_countries(
    net: Network, items: list[dict[str, str]], ch: Change, problems: list[Problem]
) -> Network:
    for item in items:
        country, role = item["country"], item.get("as", "both")
        if role not in ("supplier", "transit", "both"):
            _bad(problems, ch, "as: supplier, transit or both", role)
            continue
        if role in ("supplier", "both"):
            net = without_supplier(net, country)
        if role in ("transit", "both"):
            net = without_transit(net, country)
    return net


def without_supplier(net: Network, country: str) -> Network:
    """No crude of origin ``country`` is available: its supplies go to zero."""
    sup = net.supplies.copy()
    origin = net.grades["origin_country"].reindex(sup.index.get_level_values(1)).to_numpy()
    mask = origin == country
    sup.loc[mask, ["min_mt_per_year", "max_mt_per_year"]] = 0.0
    return net.replace(supplies=sup)


def without_transit(net: Network, country: str) -> Network:
    """``country`` lets no foreign crude through: a transit ban on every other origin."""
    origins = tuple(sorted(set(net.grades["origin_country"]) - {country}))
    pid = f"scenario-no-transit-{country}"
    row: dict[str, Any] = dict.fromkeys(net.policies.columns, "")
    row.update({"kind": "transit_ban", "country": country, "origins": origins, "modes": (),
                "importers": (), "enabled": True, "source": "", "note": "scenario",
                "usd_per_t": np.nan, "max_share_pct": np.nan})  # fmt: skip
    new = pd.DataFrame([row], index=pd.Index([pid], name="id"))
    pol = net.policies.drop(index=[pid], errors="ignore")
    return net.replace(policies=pd.concat([pol, new]) if len(pol) else new)
