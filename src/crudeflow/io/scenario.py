"""Read a scenario YAML file into a typed ``Scenario``, keeping line numbers for errors."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from crudeflow.exceptions import Problem, ScenarioError
from crudeflow.io.dataset import parse_policies
from crudeflow.io.validate import Collector, parse_table
from crudeflow.io.yamlio import LineDict, load_yaml
from crudeflow.model.scenario import CHANGE_KINDS, Change, Scenario
from crudeflow.schema import CONTRACTS, LINKS, NODES, Table

LIST_OF_IDS = {
    "disable_links", "enable_links", "disable_nodes", "remove_links", "remove_policies",
    "enable_policies", "disable_policies", "remove_contracts",
}  # fmt: skip
MAPPINGS = {"capacity", "tariff", "demand"}
RECORDS: dict[str, Table] = {"add_nodes": NODES, "add_links": LINKS, "add_contracts": CONTRACTS}


def shipped_scenarios() -> list[str]:
    """Names of the example scenarios shipped with crudeflow."""
    root = resources.files("crudeflow") / "scenarios"
    return sorted(p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml"))


def resolve_scenario(name_or_path: str | Path) -> Path:
    """A scenario file path, or the path of a shipped scenario by name."""
    p = Path(name_or_path)
    if p.is_file():
        return p
    shipped = resources.files("crudeflow") / "scenarios" / f"{name_or_path}.yaml"
    if shipped.is_file():
        return Path(str(shipped))
    raise ScenarioError(
        [Problem(str(name_or_path), None, None,
                 f"a scenario file or one of: {', '.join(shipped_scenarios())}", "no such scenario")]
    )  # fmt: skip


def read_scenario(name_or_path: str | Path) -> Scenario:
    """Read and type-check a scenario file; every problem is reported with its line."""
    path = resolve_scenario(name_or_path)
    return parse_scenario(path.read_text(encoding="utf-8"), path.name, default_name=path.stem)


def parse_scenario(text: str, file: str = "<scenario>", default_name: str = "scenario") -> Scenario:
    """Type-check scenario YAML text into a Scenario, or raise ScenarioError listing problems."""
    data, problems = load_yaml(text, file)
    out = Collector(list(problems))
    if out.errors:
        raise ScenarioError(out.problems)
    if not isinstance(data, LineDict):
        raise ScenarioError([Problem(file, 1, None, "a mapping with name, base and changes", repr(data))])
    for key in data:
        if key not in ("name", "base", "description", "source", "changes"):
            out.error(file, data.line_of(key), key, "one of name, base, description, source, changes",
                      f"unknown key '{key}'")  # fmt: skip
    raw_changes = data.get("changes") or []
    changes: list[Change] = []
    if not isinstance(raw_changes, list):
        out.error(file, data.line_of("changes"), "changes", "a list of changes", type(raw_changes).__name__)
        raw_changes = []
    for item in raw_changes:
        line = getattr(item, "line", None)
        if not isinstance(item, dict) or len(item) != 1:
            out.error(file, line, "changes", "one change per item, e.g. '- disable_links: [cpc]'", repr(item))
            continue
        kind, value = next(iter(item.items()))
        kline = item.line_of(kind) if isinstance(item, LineDict) else line
        if kind not in CHANGE_KINDS:
            out.error(file, kline, kind, f"a change among {', '.join(CHANGE_KINDS)}", f"'{kind}'")
            continue
        typed = _type_change(kind, value, file, kline, out)
        if typed is not None:
            changes.append(Change(kind, typed, file, kline))
    if out.errors:
        raise ScenarioError(out.problems)
    return Scenario(
        name=str(data.get("name") or default_name),
        base=None if data.get("base") is None else str(data["base"]),
        description=str(data.get("description") or ""),
        source=str(data.get("source") or ""),
        changes=tuple(changes),
    )


def _type_change(kind: str, value: Any, file: str, line: int | None, out: Collector) -> Any:
    """Check one change's value against its shape; return the typed value or None."""
    shape = CHANGE_KINDS[kind]
    if kind in LIST_OF_IDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            out.error(file, line, kind, shape, repr(value))
            return None
        return list(value)
    if kind in MAPPINGS:
        if not isinstance(value, dict):
            out.error(file, line, kind, shape, repr(value))
            return None
        typed: dict[str, float] = {}
        for k, v in value.items():
            kl = value.line_of(k) if isinstance(value, LineDict) else line
            if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                out.error(file, kl, f"{kind}.{k}", "a number >= 0", repr(v))
                continue
            typed[str(k)] = float(v)
        return typed
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        out.error(file, line, kind, shape, repr(value))
        return None
    if kind == "disable_countries":
        for v in value:
            if "country" not in v or v.get("as", "both") not in ("supplier", "transit", "both"):
                out.error(file, getattr(v, "line", line), kind, shape, repr(dict(v)))
                return None
        return [dict(v) for v in value]
    if kind == "price":
        for v in value:
            if not {"node", "grade", "price_usd_per_t"} <= set(v):
                out.error(file, getattr(v, "line", line), kind, shape, repr(dict(v)))
                return None
        return [dict(v) for v in value]
    if kind in ("set", "scale"):
        need = {"table", "id", "column", "value" if kind == "set" else "factor"}
        for v in value:
            if not need <= set(v):
                out.error(file, getattr(v, "line", line), kind, shape, repr(dict(v)))
                return None
        return [dict(v) for v in value]
    if kind == "add_policies":
        sub = Collector()
        frame = parse_policies(value, file, sub)
        for p in sub.problems:
            out.problems.append(p)
        return None if sub.errors else frame.drop(columns="line")
    table = RECORDS[kind]
    raw = pd.DataFrame([{k: _cell(v) for k, v in rec.items()} for rec in value], dtype=object)
    sub = Collector()
    frame = parse_table(raw, table, sub)
    for p in sub.problems:
        out.problems.append(Problem(file, line, f"{kind}[{(p.row or 2) - 2}].{p.column}", p.expected, p.found,
                                    p.severity))  # fmt: skip
    if sub.errors:
        return None
    return frame.to_dict(orient="records")


def _cell(v: Any) -> str:
    if isinstance(v, list):
        return ";".join(map(str, v))
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)
