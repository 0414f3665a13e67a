"""Read a dataset folder into a validated ``Network``; write a ``Network`` back out."""

from __future__ import annotations

import csv
import difflib
import math
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from crudeflow.exceptions import DatasetError, Problem
from crudeflow.io.csvfile import decode_text, read_bytes, read_csv
from crudeflow.io.periods import parse_periods
from crudeflow.io.prices import check_duty_rates
from crudeflow.io.sources_check import check_citations, check_frictions, check_observed
from crudeflow.io.validate import (
    Collector,
    check_dates,
    check_keys,
    check_links,
    check_min_max,
    check_node_kinds,
    check_quality,
    check_refs,
    check_storage,
    parse_table,
    sheet_row,
)
from crudeflow.io.yamlio import LineDict, LineList, describe, load_yaml
from crudeflow.model.network import DatasetMeta, Network
from crudeflow.model.periods import check_period_values, empty_calendar
from crudeflow.model.policies import (
    POLICY_KINDS,
    all_policies,
    country_values,
    fields_of,
    id_values,
    policy_frame,
    to_record,
)
from crudeflow.schema import (
    DATED_TABLES,
    GRADES,
    LINKS,
    PERIOD_FIELDS,
    PERIOD_VALUES,
    TABLES,
    Table,
    plausible,
)
from crudeflow.schema.countries import EU27, ISO_ALPHA2
from crudeflow.units import capacity_agreement, capacity_from_columns

DEFAULT_DATASET = "caspian-europe"


def shipped_datasets() -> list[str]:
    """Names of the datasets shipped inside the package."""
    root = resources.files("crudeflow") / "datasets"
    return sorted(p.name for p in root.iterdir() if p.is_dir() and (p / "nodes.csv").is_file())


def resolve_dataset(name_or_path: str | Path | None) -> Path:
    """A folder path, or the path of a shipped dataset by name (default: caspian-europe)."""
    if name_or_path is None:
        name_or_path = DEFAULT_DATASET
    p = Path(name_or_path)
    if p.is_dir():
        return p
    shipped = resources.files("crudeflow") / "datasets" / str(name_or_path)
    if shipped.is_dir():
        return Path(str(shipped))
    raise DatasetError(
        [
            Problem(
                str(name_or_path),
                None,
                None,
                f"a dataset folder or one of: {', '.join(shipped_datasets())}",
                "no such dataset",
            )
        ],
    )


def read_dataset(path: str | Path | None = None, *, strict_warnings: bool = False) -> Network:
    """Read and validate a dataset folder (or shipped dataset name) into a ``Network``.

    Every problem in every file is collected first; any error raises ``DatasetError``
    listing them all with file, row, column, expected and found. Warnings are kept on
    the returned network's ``warnings``.
    """
    folder = resolve_dataset(path)
    net, problems = load_dataset(folder)
    errors = [p for p in problems if p.severity == "error" or strict_warnings]
    if errors or net is None:
        raise DatasetError(problems, f"{len(errors)} problem(s) in dataset {folder}")
    return net


def _read_yaml_file(path: Path, out: Collector) -> tuple[Any, bool]:
    """The YAML document of a dataset file and whether the file exists; problems go to ``out``."""
    file = path.name
    data = read_bytes(path, file, out, what="a YAML file")
    if isinstance(data, bool):
        return None, data
    text = decode_text(data, file, out)
    if text is None:
        return None, True
    doc, problems = load_yaml(text, file)
    out.problems.extend(problems)
    return doc, True


def load_dataset(folder: Path) -> tuple[Network | None, list[Problem]]:
    """Read a folder, returning the network (None if unusable) and every problem found.

    A file that cannot be read (a directory, no permission, not UTF-8, binary, empty)
    is one problem; every other file is still read and checked, and nothing is
    reported twice because of it (references into an unreadable table are not checked).
    """
    out = Collector()
    before = len(out.problems)
    meta_data, meta_exists = _read_yaml_file(folder / "dataset.yaml", out)
    if not meta_exists:
        out.error(
            "dataset.yaml",
            None,
            None,
            f"a file dataset.yaml with {', '.join(META_REQUIRED)} "
            "(`crudeflow data export caspian-europe DIR` writes an example)",
            "no such file",
        )
    elif len(out.problems) == before and isinstance(meta_data, dict):
        for key in META_REQUIRED:
            if key not in meta_data:
                typo = difflib.get_close_matches(key, [str(k) for k in meta_data], n=1, cutoff=0.6)
                found = f"only '{typo[0]}' (a typo?)" if typo else "nothing"
                out.error("dataset.yaml", None, key, f"a key '{key}' ({META_DOC[key]})", found)
    raw: dict[str, pd.DataFrame | None] = {}
    unreadable: set[str] = set()
    broken: dict[str, frozenset[int]] = {}
    for name, table in TABLES.items():
        read = read_csv(folder / table.file, table, out)
        if read is None:
            raw[name] = None
            if not table.optional:
                unreadable.add(name)  # reported as a missing file by build_network
            continue
        raw[name] = read.frame
        broken[name] = read.broken_rows
        if not read.usable:
            unreadable.add(name)
    pol_data, _ = _read_yaml_file(folder / "policies.yaml", out)
    return build_network(
        raw,
        meta_data,
        pol_data,
        default_name=folder.name,
        out=out,
        unreadable=unreadable,
        broken_rows=broken,
    )


def network_from_records(
    tables: dict[str, list[dict[str, Any]]],
    policies: list[dict[str, Any]] | None = None,
    meta: dict[str, Any] | None = None,
    groups: dict[str, list[str]] | None = None,
) -> Network:
    """Build and validate a Network from Python records (tests, notebooks, generators).

    Values go through the same parsing and checks as files; missing files are empty.
    """
    raw: dict[str, pd.DataFrame | None] = {}
    for name, table in TABLES.items():
        recs = tables.get(name)
        if recs is None:
            raw[name] = None if table.optional else pd.DataFrame(columns=list(table.names))
            continue
        frame = pd.DataFrame(recs)
        raw[name] = (
            frame.map(_format).astype(object) if len(frame) else pd.DataFrame(columns=list(table.names))
        )
    pol_doc: dict[str, Any] = {"policies": policies or []}
    if groups:
        pol_doc["groups"] = groups
    pol_data, _ = load_yaml(yaml.safe_dump(pol_doc), "policies.yaml")
    meta_data = meta or {"name": "records"}
    net, problems = build_network(raw, meta_data, pol_data, default_name="records", out=Collector())
    errors = [p for p in problems if p.severity == "error"]
    if errors or net is None:
        raise DatasetError(problems)
    return net


def build_network(
    raw: dict[str, pd.DataFrame | None],
    meta_data: Any,
    pol_data: Any,
    *,
    default_name: str,
    out: Collector,
    unreadable: Collection[str] = (),
    broken_rows: Mapping[str, Collection[int]] | None = None,
) -> tuple[Network | None, list[Problem]]:
    """Validate raw string tables and YAML documents into a Network, collecting problems.

    ``raw[name] is None`` is a missing file. Tables named in ``unreadable`` had a file
    problem already reported: references into them are not checked (no cascade).
    ``broken_rows`` are spreadsheet rows per table whose problem is already reported.
    """
    broken_rows = broken_rows or {}
    # a citing file that could not be read makes its sources look unused: no such warnings then
    cites_unread = bool(set(unreadable) - {"sources"}) or any(
        p.file == "policies.yaml" and p.severity == "error" for p in out.problems
    )
    meta = _read_meta(meta_data, default_name, out)
    periods = empty_calendar()
    if isinstance(meta_data, dict) and "periods" in meta_data:
        line = meta_data.line_of("periods") if isinstance(meta_data, LineDict) else None
        periods = parse_periods(meta_data["periods"], "dataset.yaml", line, out)
        if periods is None:
            periods = empty_calendar()
    frames: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        rawf = raw.get(name)
        if rawf is None:
            if not table.optional and not any(p.file == table.file for p in out.errors):
                out.error(table.file, None, None, "a file " + table.file, "no such file")
            frames[name] = parse_table(pd.DataFrame(columns=list(table.names)), table, Collector())
            continue
        frame = parse_table(rawf, table, out, broken_rows=broken_rows.get(name, ()))
        check_keys(frame, table, out)
        frames[name] = frame
    links = frames["links"]
    if "capacity_kb_per_day" in links.columns:
        frames["links"] = merge_kb_per_day(
            links, meta.reference_bbl_per_t, out, skip_rows=broken_rows.get("links", ())
        )
    groups, policies = _read_policies(pol_data, out)
    node_ids = frames["nodes"]["id"].tolist()
    grade_ids = frames["grades"]["grade"].tolist()
    source_ids = frames["sources"]["id"].tolist()
    for name, table in TABLES.items():
        check_refs(
            frames[name],
            table,
            out,
            nodes=node_ids,
            grades=grade_ids,
            sources=source_ids,
            groups=groups,
            unreadable=unreadable,
            skip_rows=broken_rows.get(name, ()),
        )
    if "sources" not in unreadable:
        for key, value in meta.extra.items():
            if key.endswith("_source") and value not in source_ids:
                line = meta_data.line_of(key) if isinstance(meta_data, LineDict) else None
                out.error("dataset.yaml", line, key, "an id listed in sources.csv", repr(value))
    _check_policies(
        policies,
        out,
        set(grade_ids),
        None if "sources" in unreadable else set(source_ids),
        set(node_ids),
        groups,
        origins=None if "grades" in unreadable else set(frames["grades"]["origin_country"]),
        importers=None if "nodes" in unreadable else set(frames["nodes"]["country"]),
        transits=None
        if {"nodes", "links"} & set(unreadable)
        else set(frames["nodes"]["country"]) | {c for t in frames["links"]["countries"] for c in t},
        ids={
            "link": None if "links" in unreadable else set(frames["links"]["id"]),
            "node": None if "nodes" in unreadable else set(node_ids),
            "contract": None if "contracts" in unreadable else set(frames["contracts"]["id"]),
        },
    )
    if "links" not in unreadable:
        check_observed(frames["observed"], frames["links"]["id"].tolist(), out)
    check_frictions(frames["frictions"], frames["observed"], out)
    if "sources" not in unreadable:
        check_citations(frames, policies, meta, out, report_unused=not cites_unread)
    policies = policies.drop(columns="line", errors="ignore")
    nodes = frames["nodes"].drop_duplicates("id").set_index("id")
    for name, column in (("demands", "node"), ("slates", "node")):
        check_node_kinds(frames[name], TABLES[name], column, nodes, ("refinery",), out)
    check_node_kinds(frames["markets"], TABLES["markets"], "node", nodes, ("market",), out)
    check_links(frames["links"], nodes, out)
    check_min_max(frames["supplies"], "supplies.csv", "min_mt_per_year", "max_mt_per_year", out)
    check_min_max(frames["contracts"], "contracts.csv", "min_mt_per_year", "max_mt_per_year", out)
    check_quality(frames["demands"], frames["grades"], out)
    check_storage(frames["storage"], out)
    check_duty_rates(frames["duty_rates"], policies, out)
    for name in DATED_TABLES:
        check_dates(frames[name], TABLES[name], out)
    pv = frames["period_values"]
    pv = pv.assign(_file=PERIOD_VALUES.file, _row=np.arange(len(pv), dtype=np.int64) + 2)
    if not {"links", "supplies", "demands", "markets", "storage"} & set(unreadable):
        keyed = {
            "links": frames["links"].set_index("id"),
            "supplies": frames["supplies"].set_index(["node", "grade"]),
            "demands": frames["demands"].set_index("node"),
            "markets": frames["markets"].set_index("node"),
            "storage": frames["storage"].set_index("node"),
        }
        bad_rows = set(broken_rows.get("period_values", ()))
        for p in check_period_values(pv, keyed, PERIOD_FIELDS, periods if len(periods) else None):
            if p.row not in bad_rows:
                out.error(p.file, p.row, p.column, p.expected, p.found)
    if out.errors:
        return None, out.problems
    net = Network(
        meta=meta,
        sources=frames["sources"].set_index("id"),
        grades=frames["grades"].set_index("grade"),
        nodes=nodes,
        links=frames["links"].set_index("id"),
        supplies=frames["supplies"].set_index(["node", "grade"]),
        demands=frames["demands"].set_index("node"),
        markets=frames["markets"].set_index("node"),
        slates=frames["slates"].set_index(["node", "grade"]),
        contracts=frames["contracts"].set_index("id"),
        trade=frames["trade"].reset_index(drop=True),
        policies=policies,
        groups=groups,
        observed=frames["observed"].set_index("id"),
        storage=frames["storage"].set_index("node"),
        stock_obligations=frames["stock_obligations"].set_index("country"),
        frictions=frames["frictions"].set_index("id"),
        period_values=pv.reset_index(drop=True),
        periods=periods,
        prices=frames["prices"].reset_index(drop=True),
        duty_rates=frames["duty_rates"].reset_index(drop=True),
        warnings=tuple(p for p in out.problems if p.severity == "warning"),
    )
    return net, out.problems


def merge_kb_per_day(
    links: pd.DataFrame, reference_bbl_per_t: float, out: Collector, *, skip_rows: Collection[int] = ()
) -> pd.DataFrame:
    """links.csv with capacity_kb_per_day folded into capacity_mt_per_year, row by row.

    A row may give either column (kb/d converted at dataset.yaml's reference bbl/t); both
    given and disagreeing beyond rounding, or neither, is an error naming the row.
    """
    mt, conflict = capacity_from_columns(
        links["capacity_mt_per_year"].to_numpy(float),
        links["capacity_kb_per_day"].to_numpy(float),
        reference_bbl_per_t,
    )
    kbd = links["capacity_kb_per_day"].to_numpy(float)
    skip = set(skip_rows)
    for i in np.flatnonzero(np.isnan(mt)):
        if sheet_row(links, int(i)) not in skip:
            out.error(LINKS.file, sheet_row(links, int(i)), "capacity_mt_per_year",
                      "a capacity in capacity_mt_per_year or capacity_kb_per_day", "neither")  # fmt: skip
    for i in np.flatnonzero(conflict):
        out.error(LINKS.file, sheet_row(links, int(i)), "capacity_kb_per_day",
                  capacity_agreement(float(mt[i]), reference_bbl_per_t), f"{kbd[i]:g}")  # fmt: skip
    cap = LINKS.column("capacity_mt_per_year")
    for i in np.flatnonzero(
        np.isnan(links["capacity_mt_per_year"].to_numpy(float)) & (mt > (cap.warn_above or np.inf))
    ):
        out.warn(LINKS.file, sheet_row(links, int(i)), "capacity_kb_per_day",
                 f"{plausible(cap)}; {kbd[i]:g} kb/d is {mt[i]:,.1f} Mt/yr", f"{kbd[i]:g}")  # fmt: skip
    return links.assign(capacity_mt_per_year=mt).drop(columns=["capacity_kb_per_day"])


META_DOC: dict[str, str] = {
    "name": "the dataset's name (a slug)",
    "title": "a one-line title",
    "base_year": "the year the figures describe, e.g. 2023",
    "currency": "the currency of every price, e.g. USD",
    "reference_bbl_per_t": "barrels per tonne used to convert kb/d capacities, e.g. 7.33",
    "benchmark": "the benchmark crude of the outlets' prices, e.g. Brent",
    "description": "what the dataset covers",
}
"""Every key of dataset.yaml (the fields of ``DatasetMeta``); ``KEY_source`` and ``KEY_note``
may document any of them (``reference_bbl_per_t_source: pipeliners-733``)."""
META_REQUIRED = ("name", "base_year", "reference_bbl_per_t")
"""Keys a dataset.yaml file must have: the defaults would otherwise stand in silently."""
_META_BOUNDS = {
    "base_year": (1900.0, 2100.0),
    "reference_bbl_per_t": (GRADES.column("bbl_per_t").low, GRADES.column("bbl_per_t").high),
}


def _read_meta(data: Any, default_name: str, out: Collector) -> DatasetMeta:
    if data is None:
        return DatasetMeta(name=default_name)
    if not isinstance(data, dict):
        out.error("dataset.yaml", None, None, "a mapping of name, base_year, ...", describe(data))
        return DatasetMeta(name=default_name)

    def line(key: str) -> int | None:
        return data.line_of(key) if isinstance(data, LineDict) else None

    kwargs: dict[str, Any] = {k: data[k] for k in META_DOC if k in data}
    for key, typ in (("base_year", int), ("reference_bbl_per_t", float)):
        if key not in kwargs:
            continue
        value = kwargs.pop(key)
        lo, hi = _META_BOUNDS[key]
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and typ is int and value != int(value):
            ok = False
        if ok and not (math.isfinite(value) and lo <= value <= hi):  # type: ignore[operator]
            ok = False
        if not ok:
            what = "a whole number" if typ is int else "a number"
            out.error("dataset.yaml", line(key), key, f"{what} from {lo:g} to {hi:g}", repr(value))
            continue
        kwargs[key] = typ(value)
    for key in ("name", "title", "currency", "benchmark", "description"):
        if key in kwargs and not isinstance(kwargs[key], str):
            if key == "name" or kwargs[key] is not None:
                out.error("dataset.yaml", line(key), key, "text", repr(kwargs[key]))
            del kwargs[key]
    if "name" in kwargs and not kwargs["name"].strip():
        out.error("dataset.yaml", line("name"), "name", "a name", "an empty text")
        del kwargs["name"]
    kwargs.setdefault("name", default_name)
    extra = {k: v for k, v in data.items() if k not in META_DOC and k != "periods"}
    for key in extra:
        stem, _, suffix = str(key).rpartition("_")
        if suffix in ("source", "note") and stem in META_DOC:
            continue
        close = difflib.get_close_matches(str(key), list(META_DOC), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'? " if close else ""
        out.warn(
            "dataset.yaml",
            line(key),
            str(key),
            f"a known key ({hint}keys: {', '.join(META_DOC)}; KEY_source or KEY_note documents one)",
            f"unknown key '{key}', ignored",
        )
    return DatasetMeta(**kwargs, extra=dict(extra))


def _empty_policies() -> pd.DataFrame:
    return policy_frame([], [])


def _read_policies(data: Any, out: Collector) -> tuple[dict[str, tuple[str, ...]], pd.DataFrame]:
    groups: dict[str, tuple[str, ...]] = {"EU": EU27}
    if data is None:
        return groups, _empty_policies()
    if not isinstance(data, LineDict):
        out.error("policies.yaml", 1, None, "a mapping with 'groups' and 'policies'", describe(data))
        return groups, _empty_policies()
    raw_groups = data.get("groups") or {}
    if isinstance(raw_groups, LineDict):
        for name, members in raw_groups.items():
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                out.error(
                    "policies.yaml",
                    raw_groups.line_of(name),
                    f"groups.{name}",
                    "a list of ISO country codes",
                    repr(members),
                )
                continue
            for m in members:
                if m not in ISO_ALPHA2:
                    out.error(
                        "policies.yaml",
                        raw_groups.line_of(name),
                        f"groups.{name}",
                        "an ISO 3166-1 alpha-2 country code",
                        repr(m),
                    )
            groups[str(name)] = tuple(members)
    return groups, parse_policies(data.get("policies") or [], "policies.yaml", out)


def parse_policies(items: Any, file: str, out: Collector) -> pd.DataFrame:
    """Policies from YAML items to a DataFrame indexed by id; problems go to ``out``.

    Every field is parsed and checked as its kind declares it (``crudeflow.model.policies``):
    unknown kinds and fields, values of the wrong type or out of bounds, missing required
    fields and cross-field checks (``valid_to`` before ``valid_from``) are each one problem,
    at the line of the field (or of the item). The frame also has a ``line`` column.
    """
    if not isinstance(items, list):
        out.error(
            file,
            getattr(items, "line", None),
            "policies",
            "a list of policies",
            describe(items),
        )
        return _empty_policies()
    policies = []
    ids: set[str] = set()
    lines: list[int] = []
    for n, item in enumerate(items):
        line = (
            item.line
            if isinstance(item, LineDict)
            else (items.item_lines[n] if isinstance(items, LineList) else None)
        )
        if not isinstance(item, dict):
            out.error(file, line, "policies", "a mapping with id and kind", repr(item))
            continue
        kind = item.get("kind")
        cls = POLICY_KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            out.error(file, line, "kind", f"one of {', '.join(POLICY_KINDS)}", repr(kind))
            continue
        fields = fields_of(cls)
        allowed = sorted({"kind", *fields})

        def where(key: str, item: Any = item, line: int | None = line) -> int | None:
            return item.line_of(key) if isinstance(item, LineDict) and key in item else line

        for key in item:
            if key not in allowed:
                out.error(file, where(key), key, f"a field of a {kind} policy ({', '.join(allowed)})",
                          f"unknown field '{key}'")  # fmt: skip
        pid = str(item.get("id") or f"{kind}-{n + 1}")
        if pid in ids:
            out.error(file, line, "id", "a unique policy id", repr(pid))
            continue
        ids.add(pid)
        values: dict[str, Any] = {}
        for key, f in fields.items():
            if key == "id":
                continue
            value, expected = f.parse(item.get(key))
            if expected is not None:
                out.error(file, where(key), key, expected, repr(item.get(key)))
                value = f.empty  # the policy is kept for the other checks (no cascade)
            elif f.required and value in (None, "", ()):
                out.error(file, line, key, f"a value: {f.spec.description}", "nothing")
            values[key] = value
        policy = cls(id=pid, **values)
        for key, expected, found in policy.check():
            out.error(file, where(key), key, expected, found)
        policies.append(policy)
        lines.append(line or 0)
    return policy_frame(policies, lines)


def _check_policies(
    policies: pd.DataFrame,
    out: Collector,
    grades: set[str],
    sources: set[str] | None,
    nodes: set[str],
    groups: dict[str, tuple[str, ...]],
    file: str = "policies.yaml",
    *,
    origins: set[str] | None = None,
    importers: set[str] | None = None,
    transits: set[str] | None = None,
    ids: dict[str, set[str] | None] | None = None,
) -> None:
    """Every country, group, node and source a policy names must exist.

    Loops over each kind's declared fields: a ``country`` field takes ISO codes or groups,
    an ``importer`` field also a node. ``sources`` is None when sources.csv could not be
    read (nothing to check against). A valid country the dataset never mentions is a
    warning (the policy does nothing for it: a typo like DK for DE), by the field's role:
    ``origins`` are the grades' origin countries, ``importers`` the nodes' countries,
    ``transits`` those of nodes and links; None skips the check.
    """

    def country_ok(c: str) -> bool:
        return c in ISO_ALPHA2 or c in groups

    known = {
        "origin": (origins, "no grade in grades.csv comes from it"),
        "importer": (importers, "no node in nodes.csv is in it"),
        "transit": (transits, "no node or link is in it"),
    }
    line_of = policies["line"] if "line" in policies.columns else pd.Series(0, index=policies.index)
    for p in all_policies(policies.drop(columns="line", errors="ignore")):
        line = int(line_of[p.id]) or None
        for key, ref, values in country_values(p):
            role = p.role_of(key)
            have, why = known[role] if role is not None else (None, "")
            for v in values:
                if have is not None and v in ISO_ALPHA2 and v not in groups and v not in have:
                    out.warn(file, line, key,
                             f"a country the dataset uses (policy '{p.id}' does nothing for {v}: {why})",
                             repr(v))  # fmt: skip
                if country_ok(v) or (ref == "importer" and v in nodes):
                    continue
                if ref == "importer":
                    expected = f"a country code or refinery node (policy '{p.id}')"
                elif isinstance(getattr(p, key), tuple):
                    expected = f"ISO country codes or group names (policy '{p.id}')"
                else:
                    expected = f"an ISO country code (policy '{p.id}')"
                out.error(file, line, key, expected, repr(v))
        for key, ref, values in id_values(p):  # link, node and contract ids (issue 14 kinds)
            have_ids = (ids or {}).get(ref)
            for v in values:
                if have_ids is not None and v not in have_ids:
                    out.error(file, line, key, f"an id listed in {ref}s.csv (policy '{p.id}')", repr(v))
        if p.source and sources is not None and p.source not in sources:
            out.error(file, line, "source", "an id listed in sources.csv", repr(p.source))
        elif not p.source:
            out.error(file, line, "source", f"a source id (policy '{p.id}')", "nothing")
    del grades


def write_dataset(network: Network, path: str | Path) -> Path:
    """Write a ``Network`` as a dataset folder that reads back to an equal ``Network``."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    meta = network.meta
    meta_doc: dict[str, Any] = {
        "name": meta.name, "title": meta.title, "base_year": meta.base_year,
        "currency": meta.currency, "reference_bbl_per_t": meta.reference_bbl_per_t,
        "benchmark": meta.benchmark, "description": meta.description,
    }  # fmt: skip
    meta_doc.update(meta.extra)
    if len(network.periods):  # as labelled ranges: any calendar reads back as it was
        cal = network.periods
        meta_doc["periods"] = [
            {"label": str(lab), "start": str(s)[:10], "end": str(e)[:10]}
            for lab, s, e in zip(cal["label"], cal["start"], cal["end"], strict=True)
        ]
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta_doc, sort_keys=False), encoding="utf-8")
    for name, table in TABLES.items():
        frame = getattr(network, name)
        if table.optional and len(frame) == 0:
            continue
        frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])  # _file, _row
        named = frame.index.name is not None or isinstance(frame.index, pd.MultiIndex)
        _write_table(frame.reset_index() if named else frame, table, folder / table.file)
    groups = {k: list(v) for k, v in network.groups.items() if not (k == "EU" and v == EU27)}
    pols = [to_record(p) for p in all_policies(network.policies)]
    doc: dict[str, Any] = {}
    if groups:
        doc["groups"] = groups
    doc["policies"] = pols
    (folder / "policies.yaml").write_text(
        yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    readme = resolve_readme(network)
    if readme is not None and not (folder / "README.md").exists():
        (folder / "README.md").write_text(readme, encoding="utf-8")
    return folder


def resolve_readme(network: Network) -> str | None:
    """The README of a shipped dataset of the same name, if there is one."""
    shipped = resources.files("crudeflow") / "datasets" / network.meta.name / "README.md"
    return shipped.read_text(encoding="utf-8") if shipped.is_file() else None


def _format(value: Any) -> str:
    if isinstance(value, tuple):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return ""
        return repr(value)
    return "" if value is None else str(value)


def _write_table(frame: pd.DataFrame, table: Table, path: Path) -> None:
    cols = [c for c in table.names if c in frame.columns] + [c for c in frame.columns if c not in table.names]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for rec in frame[cols].itertuples(index=False):
            w.writerow([_format(v) for v in rec])
