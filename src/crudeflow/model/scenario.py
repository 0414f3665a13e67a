"""Scenarios: declarative changes applied to a base Network, which is never mutated.

A scenario is a list of ``Change`` items (already typed by ``crudeflow.io.scenario``).
``Scenario.apply(network)`` returns a new Network; a change naming an unknown id, country,
node or source raises ``ScenarioError`` with the scenario file and line of the item, every
problem of the scenario listed at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crudeflow.exceptions import Problem, ScenarioError
from crudeflow.model.network import Network
from crudeflow.model.periods import check_period_values
from crudeflow.model.policies import TransitBan, country_values, from_row, id_values, policy_frame
from crudeflow.model.prices import reprice
from crudeflow.model.scenario_checks import check_result, suggest_id
from crudeflow.schema import CONTRACTS, LINKS, NODES, PERIOD_FIELDS, TABLES, Table
from crudeflow.schema.countries import ISO_ALPHA2
from crudeflow.units import capacity_agreement, capacity_from_columns

CHANGE_KINDS: dict[str, str] = {
    "disable_links": "list of link ids to close (status 'closed')",
    "enable_links": "list of link ids to open (status 'operating'), e.g. idle or planned links",
    "disable_nodes": (
        "list of node ids: links touching them close; demand, market and flexible supply go to 0"
        " (fixed output is shut in)"
    ),
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
    "events": (
        "list of dated events (periods only; ISO days, inclusive): {link: ID, out: [FROM, TO]} "
        "closes a link; {link: ID, capacity_factor: F, from: FROM, to: TO} scales its capacity; "
        "{policy: ID, from: FROM, to: TO} puts a policy in force (either date may be left out: "
        "open). A period is cut by the share of its days an event covers; a policy is in force "
        "in the periods it covers at least half of. Every date must lie inside the horizon"
    ),
    "period_values": (
        "list of {table, id, grade, field, period, value} (period_values.csv columns): the value of a "
        "links, supplies, demands or markets column in one period of the horizon"
    ),
}
"""Every change a scenario may make, with the shape of its value."""

TABLE_KEYS = {
    "links": "links", "nodes": "nodes", "grades": "grades", "supplies": "supplies",
    "demands": "demands", "markets": "markets", "slates": "slates", "contracts": "contracts",
}  # fmt: skip


Lines = tuple[dict[str, int], ...]
"""Per item of a change (list entry, mapping key in order, record): the line of the item
under key ``""`` and the line of each of its fields under the field's name."""


@dataclass(frozen=True)
class Change:
    """One typed change with the place it came from (for error messages)."""

    kind: str
    value: Any
    file: str = "<scenario>"
    line: int | None = None
    lines: Lines = field(default=(), compare=False, hash=False)

    def line_of(self, i: int | None = None, fld: str | None = None) -> int | None:
        """Line of item ``i`` (and of its field ``fld``), else of the change itself."""
        if i is None or i >= len(self.lines):
            return self.line
        where = self.lines[i]
        return where.get(fld or "", where.get("", self.line or 0)) or self.line


@dataclass(frozen=True)
class Scenario:
    """A named set of changes to a base dataset (by name or path).

    ``problems`` holds problems found when the file was read with ``defer=True``;
    ``apply`` reports them together with those found against the network.
    """

    name: str
    base: str | None = None
    description: str = ""
    source: str = ""
    changes: tuple[Change, ...] = field(default_factory=tuple)
    problems: tuple[Problem, ...] = field(default=(), compare=False)
    periods: pd.DataFrame | None = field(default=None, compare=False)
    """The calendar a ``periods:`` key declares (replacing the dataset's), applied first."""
    prices_year: int | None = None
    """A ``prices_year:`` key: the network is repriced to that year from prices.csv
    (``crudeflow.model.prices.reprice``) and becomes that year's (base_year), before the changes."""

    def apply(self, network: Network) -> Network:
        """A new Network with every change applied in order; the base is untouched.

        Every problem of every change is collected (a change with a problem is skipped
        so the next ones can still be checked) and raised as one ``ScenarioError``.
        Warnings (a change to a link that carries no flow, an implausible value) are
        added to the returned network's ``warnings``.
        """
        problems: list[Problem] = list(self.problems)
        net = network if self.periods is None else network.replace(periods=self.periods)
        if self.prices_year is not None:
            net, missing = reprice(net, self.prices_year)
            problems += missing
        for ch in self.changes:
            net = _apply_one(net, ch, problems)
        problems += check_result(net, self.changes)  # bounds, inactive links, plausible values
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            problems.sort(key=lambda p: (p.file, p.row or 0))
            raise ScenarioError(problems, f"{len(errors)} problem(s) in scenario '{self.name}'")
        return net.replace(warnings=(*net.warnings, *problems)) if problems else net


def _bad(
    problems: list[Problem],
    ch: Change,
    what: str,
    found: object,
    i: int | None = None,
    fld: str | None = None,
) -> None:
    column = (
        ch.kind
        + (f"[{i}]" if i is not None and ch.kind in _RECORD_KINDS else "")
        + (f".{fld}" if fld else "")
    )
    text = found if found == "nothing" or (isinstance(found, str) and found.startswith("'")) else repr(found)
    problems.append(Problem(ch.file, ch.line_of(i, fld), column, what, text))


_RECORD_KINDS = ("add_nodes", "add_links", "add_contracts", "add_policies")


def _known(problems: list[Problem], ch: Change, ids: list[str], index: pd.Index, table: str) -> list[str]:
    ok = []
    for n, i in enumerate(ids):
        if i in index:
            ok.append(i)
        else:
            _bad(problems, ch, f"an id listed in {table}{suggest_id(i, index)}", i, n)
    return ok


def _close_links(net: Network, ids: list[str]) -> Network:
    links = net.links.copy()
    links.loc[ids, "status"] = "closed"
    return net.replace(links=links)


def network_countries(net: Network) -> set[str]:
    """Every country the network mentions: node countries, grade origins, link territories."""
    out = set(net.nodes["country"].astype(str)) | set(net.grades["origin_country"].astype(str))
    for cs in net.links["countries"]:
        out.update(cs)
    return out


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
    if k in ("capacity", "tariff"):
        column = "capacity_mt_per_year" if k == "capacity" else "tariff_usd_per_t"
        return _set_values(net, "links", column, v, ch, problems)
    if k == "demand":
        return _set_demand(net, v, ch, problems)
    if k == "price":
        frame = net.supplies.copy()
        for n, item in enumerate(v):
            key = (item["node"], item["grade"])
            if key not in frame.index:
                hint = suggest_id("/".join(key), ["/".join(k) for k in frame.index])
                _bad(problems, ch, f"a (node, grade) of supplies.csv{hint}", f"{key[0]}/{key[1]}", n)
                continue
            frame.loc[key, "price_usd_per_t"] = float(item["price_usd_per_t"])
        return net.replace(supplies=frame)
    if k in ("set", "scale"):
        return _set_or_scale(net, ch, problems)
    if k == "add_nodes":
        return _add_nodes(net, v, ch, problems)
    if k == "add_links":
        return _add_links(net, v, ch, problems)
    if k == "add_policies":
        return _add_policies(net, v, ch, problems)
    if k == "remove_policies":
        ok = _known(problems, ch, v, net.policies.index, "policies.yaml")
        return net.replace(policies=net.policies.drop(index=ok))
    if k in ("enable_policies", "disable_policies"):
        ok = _known(problems, ch, v, net.policies.index, "policies.yaml")
        pol = net.policies.copy()
        pol.loc[ok, "enabled"] = k == "enable_policies"
        return net.replace(policies=pol)
    if k == "add_contracts":
        return _add_contracts(net, v, ch, problems)
    if k == "events":
        return _apply_events(net, v, ch, problems)
    if k == "period_values":
        return _add_period_values(net, v, ch, problems)
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


def _set_demand(net: Network, mapping: dict[str, float], ch: Change, problems: list[Problem]) -> Network:
    """Demand changes apply to refineries listed in demands.csv only."""
    frame = net.demands.copy()
    for n, (node, value) in enumerate(mapping.items()):
        if node not in net.nodes.index:
            _bad(problems, ch, f"a refinery node of nodes.csv{suggest_id(node, frame.index)}", node, n)
        elif net.nodes.loc[node, "kind"] != "refinery":
            _bad(problems, ch, "a refinery node", f"'{node}' (a {net.nodes.loc[node, 'kind']} node)", n)
        elif node not in frame.index:
            _bad(problems, ch, "a refinery listed in demands.csv", node, n)
        else:
            frame.loc[node, "demand_mt_per_year"] = float(value)
    return net.replace(demands=frame)


def _set_or_scale(net: Network, ch: Change, problems: list[Problem]) -> Network:
    """``set`` and ``scale`` items; values were type-checked against the schema on reading."""
    for n, item in enumerate(ch.value):
        table, column = item["table"], item["column"]
        tab: pd.DataFrame = getattr(net, table)
        multi = isinstance(tab.index, pd.MultiIndex)
        ident: Any = tuple(str(item["id"]).split("/")) if multi else item["id"]
        if column not in tab.columns:
            _bad(problems, ch, f"a column of {table}", column, n, "column")
            continue
        if ident not in tab.index:
            what = f"an id of {table}" + (" as 'node/grade'" if multi else "")
            known = ["/".join(k) for k in tab.index] if multi else tab.index
            _bad(problems, ch, what + suggest_id(str(item["id"]), known), item["id"], n, "id")
            continue
        col = TABLES[table].column(column)
        if ch.kind == "set":
            value: Any = item["value"]
            refs = [] if col.ref is None else list(value) if isinstance(value, tuple) else [value]
            wrong = [r for r in refs if r != "" and _ref_problem(net, col.ref or "", str(r))]
            for ref in wrong:
                expected = _ref_problem(net, col.ref or "", str(ref))
                _bad(problems, ch, f"{expected} for {table}.{column}", ref, n, "value")
            if wrong:
                continue
        else:
            old = float(tab.loc[ident, column])
            value = old * float(item["factor"])
            if col.high is not None and value > col.high:
                _bad(problems, ch, f"a factor keeping {table}.{column} <= {col.high:g} (it is {old:g})",
                     item["factor"], n, "factor")  # fmt: skip
                continue
        tab = tab.copy()
        tab.at[ident, column] = value
        net = net.replace(**{table: tab})
    return net


def _ref_problem(net: Network, ref: str, item: str) -> str | None:
    """What a foreign-key value should be when ``item`` does not resolve, else None."""
    if ref == "nodes":
        return None if item in net.nodes.index else "a node id of nodes.csv (or of add_nodes)"
    if ref == "grades":
        return None if item in net.grades.index else "a grade of grades.csv"
    if ref == "sources":
        return None if item in net.sources.index else "an id listed in sources.csv"
    if ref == "country":
        return None if item in ISO_ALPHA2 else "an ISO 3166-1 alpha-2 country code"
    return None


def _check_refs(
    net: Network, ch: Change, frame: pd.DataFrame, table: Table, problems: list[Problem]
) -> set[int]:
    """Foreign keys of added records (vectorised per column); returns the rows with problems."""
    bad_rows: set[int] = set()
    for col in table.columns:
        if col.ref not in ("nodes", "grades", "sources", "country") or col.name not in frame.columns:
            continue
        values = frame[col.name]
        if col.dtype == "list":
            values = values.explode().dropna()
        known: Any = {
            "nodes": net.nodes.index, "grades": net.grades.index,
            "sources": net.sources.index, "country": list(ISO_ALPHA2),
        }[col.ref]  # fmt: skip
        miss = values[~values.isin(known) & (values.astype(str) != "")]
        for pos, item in miss.items():
            what = _ref_problem(net, col.ref or "", str(item)) or "a known id"
            _bad(problems, ch, what, str(item), int(pos), col.name)
            bad_rows.add(int(pos))
    return bad_rows


def _new_ids(
    net_index: pd.Index, frame: pd.DataFrame, ch: Change, problems: list[Problem], what: str
) -> set[int]:
    """Rows whose id is already in the base table."""
    bad = np.flatnonzero(frame["id"].isin(net_index).to_numpy())
    for pos in bad:
        _bad(problems, ch, what, str(frame["id"].iloc[pos]), int(pos), "id")
    return {int(p) for p in bad}


def _add_nodes(net: Network, frame: pd.DataFrame, ch: Change, problems: list[Problem]) -> Network:
    bad = _new_ids(net.nodes.index, frame, ch, problems, "a new node id (not one of nodes.csv)")
    bad |= _check_refs(net, ch, frame, NODES, problems)
    if bad:
        return net
    new = frame.set_index("id")
    return net.replace(nodes=pd.concat([net.nodes, new[net.nodes.columns]]))


def _add_links(net: Network, frame: pd.DataFrame, ch: Change, problems: list[Problem]) -> Network:
    bad = _new_ids(net.links.index, frame, ch, problems, "a new link id (not one of links.csv)")
    bad |= _check_refs(net, ch, frame, LINKS, problems)
    frame = frame.copy()
    if "capacity_kb_per_day" in frame.columns:
        ref = net.meta.reference_bbl_per_t
        mt, conflict = capacity_from_columns(frame["capacity_mt_per_year"], frame["capacity_kb_per_day"], ref)
        frame["capacity_mt_per_year"] = mt
        for pos in np.flatnonzero(conflict):
            kbd = float(frame["capacity_kb_per_day"].iloc[pos])
            _bad(problems, ch, capacity_agreement(mt[pos], ref), kbd, int(pos), "capacity_kb_per_day")
            bad.add(int(pos))
    for pos in np.flatnonzero(frame["capacity_mt_per_year"].isna().to_numpy()):
        _bad(problems, ch, "a capacity in capacity_mt_per_year or capacity_kb_per_day", "nothing",
             int(pos), "capacity_mt_per_year")  # fmt: skip
        bad.add(int(pos))
    for pos in np.flatnonzero((frame["from"] == frame["to"]).to_numpy()):
        _bad(problems, ch, "a 'to' node other than 'from'", str(frame["to"].iloc[pos]), int(pos), "to")
        bad.add(int(pos))
    swap = (frame["mode"] == "swap").to_numpy()
    for c in ("swap_grade_in", "swap_grade_out"):
        for pos in np.flatnonzero(swap & (frame[c] == "").to_numpy()):
            _bad(problems, ch, "a grade for a swap link", "nothing", int(pos), c)
            bad.add(int(pos))
    if bad:
        return net
    new = frame.set_index("id")
    return net.replace(links=pd.concat([net.links, new[net.links.columns]]))


def _party_ok(net: Network, name: str, seller: bool) -> bool:
    """Whether a contract party resolves in the network.

    A seller is a supply node or an origin country (or group) of some grade; a buyer is
    a refinery of demands.csv or a country (or group) with one.
    """
    if seller and name in set(net.supplies.index.get_level_values(0)):
        return True
    if not seller and name in net.demands.index:
        return True
    countries = net.expand_countries([name])
    if seller:
        have = set(net.grades["origin_country"])
    else:
        have = set(net.nodes["country"].reindex(net.demands.index))
    return any(c in have for c in countries)


def _add_contracts(net: Network, frame: pd.DataFrame, ch: Change, problems: list[Problem]) -> Network:
    bad = _new_ids(net.contracts.index, frame, ch, problems, "a new contract id (not one of contracts.csv)")
    bad |= _check_refs(net, ch, frame, CONTRACTS, problems)
    for pos, (seller, buyer) in enumerate(zip(frame["seller"], frame["buyer"], strict=True)):
        if not _party_ok(net, str(seller), seller=True):
            _bad(
                problems, ch, "a supply node, or an origin country of some grade", str(seller), pos, "seller"
            )
            bad.add(pos)
        if not _party_ok(net, str(buyer), seller=False):
            _bad(problems, ch, "a refinery of demands.csv, or a country with one", str(buyer), pos, "buyer")
            bad.add(pos)
    lo = frame["min_mt_per_year"].to_numpy(float)
    hi = frame["max_mt_per_year"].to_numpy(float)
    for j in np.flatnonzero(lo > hi):
        _bad(problems, ch, f"min_mt_per_year <= max_mt_per_year ({hi[j]:g})", float(lo[j]),
             int(j), "min_mt_per_year")  # fmt: skip
        bad.add(int(j))
    if bad:
        return net
    new = frame.set_index("id")
    return net.replace(contracts=pd.concat([net.contracts, new[net.contracts.columns]]))


def _add_policies(net: Network, new: pd.DataFrame, ch: Change, problems: list[Problem]) -> Network:
    """New policies, every country, node and source they name checked against the network."""
    countries = network_countries(net)
    groups = set(net.groups)
    bad = False

    def country_problem(c: str) -> str | None:
        if c in groups or c in countries:
            return None
        if c in ISO_ALPHA2:
            return "a country of the network or a group (this code appears nowhere in it)"
        return f"an ISO 3166-1 alpha-2 country code of the network or a group ({', '.join(sorted(groups))})"

    for pos, (pid, row) in enumerate(new.iterrows()):
        if pid in net.policies.index:
            _bad(problems, ch, "a new policy id (not one of policies.yaml)", str(pid), pos, "id")
            bad = True
        for key, ref, items in country_values(from_row(pid, row)):
            for c in items:
                if ref == "importer" and c in net.demands.index:
                    continue
                what = country_problem(str(c))
                if what is not None:
                    _bad(
                        problems,
                        ch,
                        what + (" or a refinery node" if ref == "importer" else ""),
                        str(c),
                        pos,
                        key,
                    )
                    bad = True
        known_ids = {"link": net.links.index, "node": net.nodes.index, "contract": net.contracts.index}
        for key, ref, items in id_values(from_row(pid, row)):  # link, node, contract ids
            for v in items:
                if v not in known_ids[ref]:
                    _bad(problems, ch, f"an id listed in {ref}s.csv", str(v), pos, key)
                    bad = True
        src = row["source"]
        if not src:
            _bad(problems, ch, f"a source id of sources.csv (policy '{pid}')", "nothing", pos, "source")
            bad = True
        elif src not in net.sources.index:
            _bad(problems, ch, "an id listed in sources.csv", str(src), pos, "source")
            bad = True
    if bad:
        return net
    pol = pd.concat([net.policies, new[net.policies.columns]]) if len(net.policies) else new
    return net.replace(policies=pol)


def _disable_nodes(net: Network, ids: list[str]) -> Network:
    links = net.links
    touching = links.index[links["from"].isin(ids) | links["to"].isin(ids)].tolist()
    net = _close_links(net, touching)
    # fixed output (a minimum) stays and, with every link closed, is stranded: reported as
    # shut-in, as `stress --assets nodes` reports the same loss; flexible purchases stop
    sup = net.supplies.copy()
    mask = sup.index.get_level_values(0).isin(ids)
    sup.loc[mask, "max_mt_per_year"] = sup.loc[mask, "min_mt_per_year"]
    dem = net.demands.copy()
    dem.loc[dem.index.isin(ids), "demand_mt_per_year"] = 0.0
    mkt = net.markets.copy()
    mkt.loc[mkt.index.isin(ids), "max_mt_per_year"] = 0.0
    return net.replace(supplies=sup, demands=dem, markets=mkt)


def _disable_countries(
    net: Network, items: list[dict[str, str]], ch: Change, problems: list[Problem]
) -> Network:
    countries = network_countries(net)
    for n, item in enumerate(items):
        country, role = item["country"], item.get("as", "both")
        if role not in ("supplier", "transit", "both"):
            _bad(problems, ch, "as: supplier, transit or both", role, n, "as")
            continue
        if country not in countries:
            known = ", ".join(sorted(countries))
            _bad(problems, ch, f"a country of the network ({known})", country, n, "country")
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
    new = policy_frame([TransitBan(id=pid, country=country, origins=origins, note="scenario")])
    pol = net.policies.drop(index=[pid], errors="ignore")
    return net.replace(policies=pd.concat([pol, new]) if len(pol) else new)


def _add_period_values(net: Network, frame: pd.DataFrame, ch: Change, problems: list[Problem]) -> Network:
    """Per-period values appended to the network's, checked with their YAML lines."""
    rows = np.array([ch.line_of(i) or 0 for i in range(len(frame))], dtype=np.int64)
    new = frame.assign(_file=ch.file, _row=rows)
    for c in net.period_values.columns:
        if c not in new.columns:
            new[c] = ""
    tables = {t: getattr(net, t) for t in PERIOD_FIELDS}
    found = check_period_values(new, tables, PERIOD_FIELDS, net.periods if len(net.periods) else None)
    problems += found
    if any(p.severity == "error" for p in found):
        return net
    pv = pd.concat([net.period_values, new[net.period_values.columns]], ignore_index=True)
    return net.replace(period_values=pv)


def _apply_events(net: Network, items: list[dict[str, Any]], ch: Change, problems: list[Problem]) -> Network:
    """Dated link capacity factors and policy dates (see ``CHANGE_KINDS['events']``)."""
    cal = net.periods
    if len(cal) == 0:
        _bad(
            problems, ch, "periods (a periods: key in the scenario or dataset.yaml) for dated events", "none"
        )
        return net
    first = np.datetime64(cal["start"].iloc[0], "D")
    last = np.datetime64(cal["end"].iloc[-1], "D")
    links: list[dict[str, Any]] = []
    pol = net.policies.copy()
    for col in ("valid_from", "valid_to"):
        if col not in pol.columns:
            pol[col] = ""
    for n, item in enumerate(items):
        ok = True
        for fld in ("from", "to"):
            d = item.get(fld)
            if d is not None and not (first <= d <= last):
                _bad(problems, ch, f"a date inside the horizon {first} .. {last}", str(d), n, fld)
                ok = False
        if not ok:
            continue
        text = {f: "" if item.get(f) is None else str(item[f]) for f in ("from", "to")}
        if "link" in item:
            if item["link"] not in net.links.index:
                _bad(problems, ch, "an id listed in links.csv", item["link"], n, "link")
                continue
            links.append({"link": item["link"], "capacity_factor": item["capacity_factor"],
                          "valid_from": text["from"], "valid_to": text["to"]})  # fmt: skip
        else:
            if item["policy"] not in pol.index:
                _bad(problems, ch, "an id listed in policies.yaml", item["policy"], n, "policy")
                continue
            pol.loc[item["policy"], ["valid_from", "valid_to", "enabled"]] = [text["from"], text["to"], True]
    events = pd.concat(
        [net.link_events, pd.DataFrame(links, columns=net.link_events.columns)], ignore_index=True
    )
    return net.replace(link_events=events, policies=pol)
