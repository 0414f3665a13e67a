"""Read a dataset folder into a validated ``Network``; write a ``Network`` back out."""

from __future__ import annotations

import csv
import math
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from crudeflow.exceptions import DatasetError, Problem
from crudeflow.io.sources_check import check_citations, check_observed
from crudeflow.io.validate import (
    Collector,
    check_keys,
    check_links,
    check_min_max,
    check_quality,
    check_refs,
    parse_table,
)
from crudeflow.io.yamlio import LineDict, LineList, load_yaml
from crudeflow.model.network import DatasetMeta, Network
from crudeflow.schema import (
    LINKS,
    POLICY_COMMON,
    POLICY_KINDS,
    TABLES,
    Table,
)
from crudeflow.schema.countries import EU27, ISO_ALPHA2
from crudeflow.units import kb_per_day_to_mt_per_year

DEFAULT_DATASET = "caspian-europe"
POLICY_COLUMNS = (
    "kind", "origin", "origins", "importers", "importer", "country", "modes", "by",
    "usd_per_t", "max_share_pct", "enabled", "source", "note",
)  # fmt: skip
LIST_FIELDS = {"origins", "importers", "modes"}


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


def _read_csv(path: Path) -> pd.DataFrame:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        return pd.DataFrame()
    header = [h.strip() for h in rows[0]]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[1:] if any(c.strip() for c in r)]
    return pd.DataFrame(body, columns=header, dtype=object)


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


def load_dataset(folder: Path) -> tuple[Network | None, list[Problem]]:
    """Read a folder, returning the network (None if unusable) and every problem found."""
    out = Collector()
    meta_data = None
    meta_path = folder / "dataset.yaml"
    if meta_path.is_file():
        meta_data, problems = load_yaml(meta_path.read_text(encoding="utf-8"), "dataset.yaml")
        out.problems.extend(problems)
    raw: dict[str, pd.DataFrame | None] = {}
    for name, table in TABLES.items():
        path = folder / table.file
        raw[name] = _read_csv(path) if path.is_file() else None
    pol_data = None
    pol_path = folder / "policies.yaml"
    if pol_path.is_file():
        pol_data, problems = load_yaml(pol_path.read_text(encoding="utf-8"), "policies.yaml")
        out.problems.extend(problems)
    return build_network(raw, meta_data, pol_data, default_name=folder.name, out=out)


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
) -> tuple[Network | None, list[Problem]]:
    """Validate raw string tables and YAML documents into a Network, collecting problems."""
    meta = _read_meta(meta_data, default_name, out)
    frames: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        rawf = raw.get(name)
        if rawf is None:
            if not table.optional:
                out.error(table.file, None, None, "a file " + table.file, "no such file")
            frames[name] = parse_table(pd.DataFrame(columns=list(table.names)), table, Collector())
            continue
        frame = parse_table(rawf, table, out)
        check_keys(frame, table, out)
        frames[name] = frame
    links = frames["links"]
    if "capacity_kb_per_day" in links.columns:
        kbd = links["capacity_kb_per_day"].astype(float)
        use = links["capacity_mt_per_year"].isna() & kbd.notna()
        links.loc[use, "capacity_mt_per_year"] = kb_per_day_to_mt_per_year(
            kbd[use].to_numpy(float), meta.reference_bbl_per_t
        )
        for i in np.flatnonzero(links["capacity_mt_per_year"].isna().to_numpy()):
            out.error(
                LINKS.file,
                int(i) + 2,
                "capacity_mt_per_year",
                "a capacity in capacity_mt_per_year or capacity_kb_per_day",
                "neither",
            )
        frames["links"] = links.drop(columns=["capacity_kb_per_day"])
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
        )
    _check_policies(policies, out, set(grade_ids), set(source_ids), set(node_ids), groups)
    check_observed(frames["observed"], frames["links"]["id"].tolist(), out)
    check_citations(frames, policies, meta, out)
    policies = policies.drop(columns="line", errors="ignore")
    nodes = frames["nodes"].drop_duplicates("id").set_index("id")
    check_links(frames["links"], nodes, out)
    check_min_max(frames["supplies"], "supplies.csv", "min_mt_per_year", "max_mt_per_year", out)
    check_min_max(frames["contracts"], "contracts.csv", "min_mt_per_year", "max_mt_per_year", out)
    check_quality(frames["demands"], frames["grades"], out)
    if meta.reference_bbl_per_t <= 0:
        out.error(
            "dataset.yaml",
            None,
            "reference_bbl_per_t",
            "a positive number",
            str(meta.reference_bbl_per_t),
        )
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
        trade=frames["trade"],
        policies=policies,
        groups=groups,
        observed=frames["observed"].set_index("id"),
        warnings=tuple(p for p in out.problems if p.severity == "warning"),
    )
    return net, out.problems


def _read_meta(data: Any, default_name: str, out: Collector) -> DatasetMeta:
    if data is None:
        return DatasetMeta(name=default_name)
    if not isinstance(data, dict):
        if data is not None:
            out.error("dataset.yaml", None, None, "a mapping of name, base_year, ...", type(data).__name__)
        return DatasetMeta(name=default_name)
    known = {
        "name",
        "title",
        "base_year",
        "currency",
        "reference_bbl_per_t",
        "benchmark",
        "description",
    }
    kwargs: dict[str, Any] = {k: data[k] for k in known if k in data}
    for key, typ in (("base_year", int), ("reference_bbl_per_t", float)):
        if key in kwargs:
            try:
                kwargs[key] = typ(kwargs[key])
            except (TypeError, ValueError):
                line = data.line_of(key) if isinstance(data, LineDict) else None
                out.error("dataset.yaml", line, key, f"a {typ.__name__}", repr(kwargs.pop(key)))
    kwargs.setdefault("name", default_name)
    extra = {k: v for k, v in data.items() if k not in known}
    return DatasetMeta(**kwargs, extra=dict(extra))


def _empty_policies() -> pd.DataFrame:
    return pd.DataFrame(columns=list(POLICY_COLUMNS), index=pd.Index([], name="id"))


def _read_policies(data: Any, out: Collector) -> tuple[dict[str, tuple[str, ...]], pd.DataFrame]:
    groups: dict[str, tuple[str, ...]] = {"EU": EU27}
    if data is None:
        return groups, _empty_policies()
    if not isinstance(data, LineDict):
        out.error("policies.yaml", 1, None, "a mapping with 'groups' and 'policies'", type(data).__name__)
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
    """Policies from YAML items to a DataFrame indexed by id; problems go to ``out``."""
    if not isinstance(items, list):
        out.error(
            file,
            getattr(items, "line", None),
            "policies",
            "a list of policies",
            type(items).__name__,
        )
        return _empty_policies()
    rows: list[dict[str, Any]] = []
    ids: list[str] = []
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
        if kind not in POLICY_KINDS:
            out.error(file, line, "kind", f"one of {', '.join(POLICY_KINDS)}", repr(kind))
            continue
        allowed = set(POLICY_KINDS[kind]) | POLICY_COMMON
        for key in item:
            if key not in allowed:
                kl = item.line_of(key) if isinstance(item, LineDict) else line
                out.error(
                    file,
                    kl,
                    key,
                    f"a field of a {kind} policy ({', '.join(sorted(allowed))})",
                    f"unknown field '{key}'",
                )
        pid = str(item.get("id") or f"{kind}-{n + 1}")
        if pid in ids:
            out.error(file, line, "id", "a unique policy id", repr(pid))
            continue
        row: dict[str, Any] = {c: None for c in POLICY_COLUMNS}
        row.update({"kind": kind, "enabled": True, "note": "", "source": ""})
        row.update(dict.fromkeys(("origin", "importer", "country", "by"), ""))
        for key, value in item.items():
            if key not in allowed or key == "id":
                continue
            kl = item.line_of(key) if isinstance(item, LineDict) else line
            if key in LIST_FIELDS:
                vals = value if isinstance(value, list) else [value]
                row[key] = tuple(str(v) for v in vals)
            elif key in ("usd_per_t", "max_share_pct"):
                try:
                    f = float(value)
                except (TypeError, ValueError):
                    out.error(file, kl, key, "a number", repr(value))
                    continue
                if not math.isfinite(f) or f < 0 or (key == "max_share_pct" and f > 100):
                    out.error(
                        file,
                        kl,
                        key,
                        "a finite number >= 0" + (" and <= 100" if key == "max_share_pct" else ""),
                        repr(value),
                    )
                    continue
                row[key] = f
            elif key == "enabled":
                if not isinstance(value, bool):
                    out.error(file, kl, key, "true or false", repr(value))
                    continue
                row[key] = value
            else:
                row[key] = "" if value is None else str(value)
        for req in POLICY_KINDS[kind]:
            desc = POLICY_KINDS[kind][req]
            if not desc.startswith("optional") and row.get(req) in (None, "", ()):
                out.error(file, line, req, f"a value: {desc}", "nothing")
        if kind == "share_cap" and row.get("by") not in (None, "origin", "transit"):
            out.error(
                file,
                item.line_of("by") if isinstance(item, LineDict) else line,
                "by",
                "origin or transit",
                repr(row["by"]),
            )
        rows.append(row)
        ids.append(pid)
        lines.append(line or 0)
    frame = pd.DataFrame(rows, columns=list(POLICY_COLUMNS), index=pd.Index(ids, name="id"))
    frame["line"] = lines
    for c in LIST_FIELDS:
        frame[c] = [v if isinstance(v, tuple) else () for v in frame[c]]
    for c in ("usd_per_t", "max_share_pct"):
        frame[c] = frame[c].astype(float)
    frame["enabled"] = frame["enabled"].astype(bool)
    return frame


def _check_policies(
    policies: pd.DataFrame,
    out: Collector,
    grades: set[str],
    sources: set[str],
    nodes: set[str],
    groups: dict[str, tuple[str, ...]],
    file: str = "policies.yaml",
) -> None:
    """Every country, group, node and source a policy names must exist."""

    def country_ok(c: str) -> bool:
        return c in ISO_ALPHA2 or c in groups

    for pid, row in policies.iterrows():
        line = int(row["line"]) or None
        for key in ("origin", "country"):
            v = row[key]
            if v and not country_ok(v):
                out.error(file, line, key, f"an ISO country code (policy '{pid}')", repr(v))
        for key in ("origins", "importers"):
            for v in row[key]:
                if not country_ok(v):
                    out.error(
                        file,
                        line,
                        key,
                        f"ISO country codes or group names (policy '{pid}')",
                        repr(v),
                    )
        imp = row["importer"]
        if imp and not (country_ok(imp) or imp in nodes):
            out.error(
                file,
                line,
                "importer",
                f"a country code or refinery node (policy '{pid}')",
                repr(imp),
            )
        for m in row["modes"]:
            if m not in LINKS.column("mode").choices:  # type: ignore[operator]
                out.error(file, line, "modes", "pipeline, tanker, rail, barge or swap", repr(m))
        if row["source"] and row["source"] not in sources:
            out.error(file, line, "source", "an id listed in sources.csv", repr(row["source"]))
        elif not row["source"]:
            out.error(file, line, "source", f"a source id (policy '{pid}')", "nothing")
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
    (folder / "dataset.yaml").write_text(yaml.safe_dump(meta_doc, sort_keys=False), encoding="utf-8")
    for name, table in TABLES.items():
        frame = getattr(network, name)
        if table.optional and len(frame) == 0:
            continue
        named = frame.index.name is not None or isinstance(frame.index, pd.MultiIndex)
        _write_table(frame.reset_index() if named else frame, table, folder / table.file)
    groups = {k: list(v) for k, v in network.groups.items() if not (k == "EU" and v == EU27)}
    pols = []
    for pid, row in network.policies.iterrows():
        item: dict[str, Any] = {"id": str(pid), "kind": row["kind"]}
        for key in POLICY_KINDS[row["kind"]]:
            v = row[key]
            if v is None or v == "" or v == () or (isinstance(v, float) and math.isnan(v)):
                continue
            item[key] = list(v) if isinstance(v, tuple) else v
        if not row["enabled"]:
            item["enabled"] = False
        item["source"] = row["source"]
        if row["note"]:
            item["note"] = row["note"]
        pols.append(item)
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
