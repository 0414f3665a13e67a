"""Read a scenario YAML file into a typed ``Scenario``, keeping line numbers for errors.

Every value is checked against the schema declaration of the column it changes
(``crudeflow.schema``): numbers must be finite and within the column's bounds, tariffs,
prices, capacities and demands not negative, scale factors finite and >= 0, records of
``add_nodes``/``add_links``/``add_contracts`` are parsed exactly as a CSV row would be (a
field a record leaves out takes the column's default, as an empty cell does). Checks
that need the base network (ids, countries, sources) run in ``Scenario.apply``.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from crudeflow.exceptions import Problem, ScenarioError
from crudeflow.io.dataset import parse_policies
from crudeflow.io.periods import parse_date, parse_periods
from crudeflow.io.validate import Collector, check_keys, parse_table
from crudeflow.io.yamlio import LineDict, LineList, describe, load_yaml
from crudeflow.model.scenario import CHANGE_KINDS, TABLE_KEYS, Change, Lines, Scenario
from crudeflow.schema import CONTRACTS, LINKS, NODES, PERIOD_VALUES, TABLES, Column, Table
from crudeflow.schema.countries import ISO_ALPHA2

LIST_OF_IDS = {
    "disable_links", "enable_links", "disable_nodes", "remove_links", "remove_policies",
    "enable_policies", "disable_policies", "remove_contracts",
}  # fmt: skip
MAPPINGS = {"capacity", "tariff", "demand"}
RECORDS: dict[str, Table] = {
    "add_nodes": NODES, "add_links": LINKS, "add_contracts": CONTRACTS, "period_values": PERIOD_VALUES,
}  # fmt: skip
ROLES = ("supplier", "transit", "both")


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


def read_scenario(name_or_path: str | Path, *, defer: bool = False) -> Scenario:
    """Read and type-check a scenario file; every problem is reported with its line.

    With ``defer=True`` problems in the changes do not raise here: they travel on the
    returned Scenario and ``Scenario.apply`` reports them together with the problems
    found against the network, so one run lists every problem of the file.
    """
    path = resolve_scenario(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            [Problem(str(path), None, None, "a readable UTF-8 text file", str(exc))]
        ) from None
    return parse_scenario(text, path.name, default_name=path.stem, defer=defer)


def parse_scenario(
    text: str, file: str = "<scenario>", default_name: str = "scenario", *, defer: bool = False
) -> Scenario:
    """Type-check scenario YAML text into a Scenario, or raise ScenarioError listing problems.

    ``defer``: see :func:`read_scenario`.
    """
    data, problems = load_yaml(text, file)
    out = Collector(list(problems))
    if out.errors:
        raise ScenarioError(out.problems)
    if not isinstance(data, LineDict):
        raise ScenarioError([Problem(file, 1, None, "a mapping with name, base and changes", repr(data))])
    for key in data:
        if key not in ("name", "base", "description", "source", "periods", "prices_year", "changes"):
            known = "one of name, base, description, source, periods, prices_year, changes"
            out.error(file, data.line_of(key), key, known, f"unknown key '{key}'")
    prices_year: int | None = None
    if "prices_year" in data:
        y = data["prices_year"]
        if isinstance(y, int) and not isinstance(y, bool) and 1900 <= y <= 2100:
            prices_year = y
        else:
            want = "a year from 1900 to 2100 with rows in the dataset's prices.csv"
            out.error(file, data.line_of("prices_year"), "prices_year", want, _short(y))
    periods = (
        parse_periods(data["periods"], file, data.line_of("periods"), out) if "periods" in data else None
    )
    raw_changes = data.get("changes") or []
    changes: list[Change] = []
    if not isinstance(raw_changes, list):
        out.error(file, data.line_of("changes"), "changes", "a list of changes", describe(raw_changes))
        raw_changes = []
    for n, item in enumerate(raw_changes):
        line = raw_changes.item_lines[n] if isinstance(raw_changes, LineList) else None
        if not isinstance(item, dict) or len(item) != 1:
            out.error(file, line, "changes", "one change per item, e.g. '- disable_links: [cpc]'",
                      _short(item))  # fmt: skip
            continue
        kind, value = next(iter(item.items()))
        kline = item.line_of(kind) if isinstance(item, LineDict) else line
        if kind not in CHANGE_KINDS:
            out.error(file, kline, kind, f"a change among {', '.join(CHANGE_KINDS)}", f"'{kind}'")
            continue
        typed = _type_change(kind, value, file, kline, out)
        if typed is not None:
            changes.append(Change(kind, typed[0], file, kline, typed[1]))
    if out.errors and not defer:
        raise ScenarioError(out.problems)
    return Scenario(
        name=str(data.get("name") or default_name),
        base=None if data.get("base") is None else str(data["base"]),
        description=str(data.get("description") or ""),
        source=str(data.get("source") or ""),
        changes=tuple(changes),
        problems=tuple(out.problems),
        periods=periods,
        prices_year=prices_year,
    )


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _lines_of(items: Any, n: int, line: int | None) -> Lines:
    """Line of each item (and of each field of a mapping item) for error messages."""
    out: list[dict[str, int]] = []
    for i in range(n):
        item = items[i] if isinstance(items, list) else None
        if isinstance(item, LineDict):
            out.append({"": item.line, **item.key_lines})
        elif isinstance(items, LineList):
            out.append({"": items.item_lines[i]})
        else:
            out.append({"": line or 0})
    return tuple(out)


def _number(v: Any) -> float | None:
    """A YAML value as a float (numbers and numeric strings); None when it is not one."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def _check_number(v: Any, col: Column | None, nonneg: bool = True) -> tuple[float | None, str | None]:
    """A checked float for a numeric column, or (None, what was expected)."""
    f = _number(v)
    if f is None:
        return None, "a number"
    if not math.isfinite(f):
        return None, "a finite number"
    if (nonneg or (col is not None and col.nonneg)) and f < 0:
        return None, "a number >= 0"
    if col is not None and col.low is not None and f < col.low:
        return None, f"a number >= {col.low:g}"
    if col is not None and col.high is not None and f > col.high:
        return None, f"a number <= {col.high:g}"
    return f, None


def _typed_value(v: Any, col: Column) -> tuple[Any, str | None]:
    """A ``set`` value converted to the column's declared dtype, or (None, expected)."""
    if v is None or v == "":
        if col.required and col.default is None:
            return None, f"a value ({col.description})"
        return col.default, None
    if col.dtype in ("float", "int"):
        f, err = _check_number(v, col, nonneg=col.nonneg)
        if err is not None or f is None:
            return None, (err or "a number") + (f" ({col.unit})" if col.unit else "")
        if col.dtype == "int":
            return (int(f), None) if f == int(f) else (None, "a whole number")
        return f, None
    if col.dtype == "bool":
        return (v, None) if isinstance(v, bool) else (None, "true or false")
    if col.dtype == "list":
        items = v if isinstance(v, list) else str(v).split(";") if isinstance(v, str) else None
        if items is None or not all(isinstance(x, str) for x in items):
            return None, "a list of ids"
        out = tuple(x.strip() for x in items if x.strip())
        if col.choices is not None and not set(out) <= set(col.choices):
            return None, f"items from {', '.join(col.choices)}"
        return out, None
    if isinstance(v, dict | list):
        return None, "a single value"
    text = str(v).strip()
    if col.choices is not None and text not in col.choices:
        return None, f"one of {', '.join(col.choices)}"
    return text, None


def _type_change(
    kind: str, value: Any, file: str, line: int | None, out: Collector
) -> tuple[Any, Lines] | None:
    """Check one change's value against its shape; return (typed value, item lines) or None.

    Every problem in the change is recorded, not only the first.
    """
    shape = CHANGE_KINDS[kind]
    if kind in LIST_OF_IDS:
        if not isinstance(value, list):
            out.error(file, line, kind, shape, _short(value))
            return None
        lines = _lines_of(value, len(value), line)
        ok = True
        for i, v in enumerate(value):
            if not isinstance(v, str):
                out.error(file, lines[i][""], kind, "an id (text)", _short(v))
                ok = False
        return (list(value), lines) if ok else None
    if kind in MAPPINGS:
        if not isinstance(value, dict):
            out.error(file, line, kind, shape, _short(value))
            return None
        column = {"capacity": "capacity_mt_per_year", "tariff": "tariff_usd_per_t",
                  "demand": "demand_mt_per_year"}[kind]  # fmt: skip
        col = (LINKS if kind != "demand" else TABLES["demands"]).column(column)
        typed: dict[str, float] = {}
        lines_l: list[dict[str, int]] = []
        for k, v in value.items():
            kl = value.line_of(k) if isinstance(value, LineDict) else line
            f, err = _check_number(v, col)
            if f is None:
                out.error(file, kl, f"{kind}.{k}", f"{err} ({col.unit})", _short(v))
                continue
            typed[str(k)] = f
            lines_l.append({"": kl or 0})
        return typed, tuple(lines_l)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        out.error(file, line, kind, shape, _short(value))
        return None
    if kind == "add_policies":
        sub = Collector()
        frame = parse_policies(value, file, sub)
        modes = LINKS.column("mode").choices or ()  # the modes policies.yaml is checked against
        for pid, pmodes, pline in zip(frame.index, frame["modes"], frame["line"], strict=True):
            if any(p.column == "modes" and p.row == pline for p in sub.problems):
                continue  # parse_policies reported it already: one problem per fault
            for m in (m for m in pmodes if m not in modes):
                sub.error(
                    file, pline or line, "modes", f"modes among {', '.join(modes)} (policy '{pid}')", repr(m)
                )
        out.problems.extend(sub.problems)
        return None if sub.errors else (frame.drop(columns="line"), _lines_of(value, len(value), line))
    if kind in RECORDS:
        return _type_records(kind, value, file, line, out)
    lines = _lines_of(value, len(value), line)
    typed_items: list[dict[str, Any]] = []
    n_errors = len(out.errors)
    for i, v in enumerate(value):
        item = _type_item(kind, v, file, lines[i], out)
        if item is not None:
            typed_items.append(item)
    return None if len(out.errors) > n_errors else (typed_items, lines)


def _type_item(
    kind: str, v: dict[str, Any], file: str, where: dict[str, int], out: Collector
) -> dict[str, Any] | None:
    """One item of disable_countries, price, set or scale, checked; None if it has errors."""
    if kind == "events":
        return _type_event(v, file, where, out)
    need = {
        "disable_countries": ("country",),
        "price": ("node", "grade", "price_usd_per_t"),
        "set": ("table", "id", "column", "value"),
        "scale": ("table", "id", "column", "factor"),
    }[kind]
    optional = ("as",) if kind == "disable_countries" else ()
    ok = True

    def bad(fld: str, expected: str, found: str) -> None:
        nonlocal ok
        ok = False
        out.error(file, where.get(fld, where[""]), f"{kind}.{fld}" if fld else kind, expected, found)

    for key in v:
        if key not in need and key not in optional:
            bad(key, f"a field among {', '.join(need + optional)}", f"unknown field '{key}'")
    for key in need:
        if key not in v:
            bad("", f"a field '{key}' ({CHANGE_KINDS[kind]})", "nothing")
    if not ok:
        return None
    item = dict(v)
    if kind == "disable_countries":
        if not isinstance(v["country"], str) or v["country"] not in ISO_ALPHA2:
            bad("country", "an ISO 3166-1 alpha-2 country code, e.g. RU", _short(v["country"]))
        if v.get("as", "both") not in ROLES:
            bad("as", "supplier, transit or both", _short(v.get("as")))
        item.setdefault("as", "both")
    elif kind == "price":
        col = TABLES["supplies"].column("price_usd_per_t")
        f, err = _check_number(v["price_usd_per_t"], col)
        if f is None:
            bad("price_usd_per_t", f"{err} (USD/t)", _short(v["price_usd_per_t"]))
        item["price_usd_per_t"] = f
        for key in ("node", "grade"):
            item[key] = str(v[key])
    else:
        table = v["table"]
        if table not in TABLE_KEYS:
            bad("table", f"a table among {', '.join(TABLE_KEYS)}", _short(table))
            return None
        schema = TABLES[table]
        names = [c.name for c in schema.columns if c.name not in schema.key]
        if kind == "scale":
            names = [c.name for c in schema.columns if c.dtype == "float"]
        column = v["column"]
        if column not in names:
            what = "a numeric column" if kind == "scale" else "a column"
            bad("column", f"{what} of {table} ({', '.join(names)})", _short(column))
            return None
        col = schema.column(column)
        item["id"] = str(v["id"])
        if kind == "set":
            typed, err = _typed_value(v["value"], col)
            if err is not None:
                bad("value", f"{err} for {table}.{column}", _short(v["value"]))
            item["value"] = typed
        else:
            f, err = _check_number(v["factor"], None)
            if f is None:
                bad("factor", f"{err} (a factor: 0.5 halves, 2 doubles)", _short(v["factor"]))
            item["factor"] = f
    return item if ok else None


def _type_records(
    kind: str, value: list[Any], file: str, line: int | None, out: Collector
) -> tuple[pd.DataFrame, Lines] | None:
    """Records of add_nodes/add_links/add_contracts parsed as the CSV rows would be."""
    table = RECORDS[kind]
    alts = tuple(table.alternatives.values())
    allowed = set(table.names) | set(alts)
    lines = _lines_of(value, len(value), line)
    n_errors = len(out.errors)
    for i, rec in enumerate(value):
        for key in rec:
            if key not in allowed:
                out.error(file, lines[i].get(key, lines[i][""]), f"{kind}[{i}].{key}",
                          f"a column of {table.file} ({', '.join(table.names)})",
                          f"unknown field '{key}'")  # fmt: skip
    # a field some record gives is a column, and a record leaving it out has an empty cell
    # there (the default, as in a CSV); a field no record gives is a missing column (the
    # same default) unless it is required, when every record gets an error naming it
    given: set[str] = set().union(*(rec.keys() for rec in value)) if value else set()
    columns = [c.name for c in table.columns if c.name in given or c.required]
    columns += [a for a in alts if a in given]
    raw = pd.DataFrame({c: [_cell(rec.get(c)) for rec in value] for c in columns}, dtype=object)
    sub = Collector()
    frame = parse_table(raw, table, sub)
    check_keys(frame, table, sub)
    for p in sub.problems:
        i = (p.row or 2) - 2
        rec = value[i] if 0 <= i < len(value) else {}
        col = p.column or ""
        found = p.found
        if found == "an empty cell":
            if col in table.alternatives and table.alternatives[col] in rec:
                continue  # capacity given in the alternative unit: converted at apply time
            found = "nothing" if col not in rec else "an empty value"
        where = lines[i].get(col, lines[i][""]) if 0 <= i < len(lines) else line
        if p.severity == "error":
            out.error(file, where, f"{kind}[{i}].{col}", p.expected, found)
        else:
            out.warn(file, where, f"{kind}[{i}].{col}", p.expected, found)
    if len(out.errors) > n_errors:
        return None
    return frame, lines


def _cell(v: Any) -> str:
    """A YAML value as the text of a CSV cell (missing and null: an empty cell)."""
    if type(v) is str:
        return v
    if isinstance(v, list):
        return ";".join(map(str, v))
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _type_event(v: dict[str, Any], file: str, where: dict[str, int], out: Collector) -> dict[str, Any] | None:
    """Dated event: {link, out: [from, to]}, {link, capacity_factor, from?, to?} or {policy, from?, to?}."""
    ok = True

    def bad(fld: str, expected: str, found: str) -> None:
        nonlocal ok
        ok = False
        out.error(file, where.get(fld, where[""]), f"events.{fld}" if fld else "events", expected, found)

    shape = (
        "{link: ID, out: [FROM, TO]}, {link: ID, capacity_factor: F, from: FROM, to: TO} "
        "or {policy: ID, from, to}"
    )
    target = [k for k in ("link", "policy") if k in v]
    if len(target) != 1:
        bad("", shape, _short(v))
        return None
    allowed = {"link": ("link", "out", "capacity_factor", "from", "to"), "policy": ("policy", "from", "to")}[
        target[0]
    ]
    for key in v:
        if key not in allowed:
            bad(key, f"a field among {', '.join(allowed)}", f"unknown field '{key}'")
    item: dict[str, Any] = {target[0]: str(v[target[0]]), "from": None, "to": None}
    dates: dict[str, Any] = {}
    if "out" in v:
        if "capacity_factor" in v or "from" in v or "to" in v:
            bad("out", "either out: [FROM, TO] or capacity_factor with from/to", "both")
        elif not isinstance(v["out"], list) or len(v["out"]) != 2:
            bad("out", "[FROM, TO] (two ISO days)", _short(v["out"]))
        else:
            dates = {"from": v["out"][0], "to": v["out"][1]}
        item["capacity_factor"] = 0.0
    else:
        dates = {k: v[k] for k in ("from", "to") if k in v}
        if target[0] == "link":
            f, err = _check_number(v.get("capacity_factor"), None)
            if f is None:
                bad(
                    "capacity_factor",
                    f"{err} (0 closes the link, 0.5 halves it)",
                    _short(v.get("capacity_factor")),
                )
            item["capacity_factor"] = f
    for key, raw in dates.items():
        d = parse_date(raw)
        if d is None:
            bad("out" if "out" in v else key, "an ISO date YYYY-MM-DD", _short(raw))
        item[key] = d
    if item["from"] is not None and item["to"] is not None and item["to"] < item["from"]:
        bad("out" if "out" in v else "to", f"an end on or after {item['from']}", str(item["to"]))
    return item if ok else None
