"""The import graph points down the layers only, and shared definitions have one home.

Layers (low → high), ``ARCHITECTURE.md`` "Layers": schema, units, exceptions and the small
shared modules → model → io → (synthetic, testing) → optimize, parallel → results →
analysis → report → api → commands, web → cli. Every ``import`` counts: module level,
inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import crudeflow

SRC = Path(crudeflow.__file__).resolve().parent

RANK: dict[str, int] = {
    "_types": 0,
    "exceptions": 0,
    "metrics": 0,
    "progress": 0,
    "schema": 0,
    "units": 0,
    "model": 1,
    "io": 2,
    "synthetic": 3,
    "testing": 3,
    "optimize": 4,
    "parallel": 4,
    "results": 5,
    "analysis": 6,
    "report": 7,
    "api": 8,
    "": 8,  # the package itself: the public API re-exported
    "commands": 9,
    "web": 9,
    "cli": 10,
}
"""Rank of each top-level module or package of ``crudeflow``; imports go to a rank <= own."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer(module: str) -> str:
    """``crudeflow.analysis.routes`` -> ``analysis``; ``crudeflow`` -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(module: str, text: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) of every crudeflow import in a module's source, at any depth."""
    package = module if is_package else module.rpartition(".")[0]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((node.lineno, target))
            if target == "crudeflow":  # from crudeflow import analysis
                out += [(node.lineno, f"crudeflow.{a.name}") for a in node.names if a.name in RANK]
    return [(line, t) for line, t in out if t == "crudeflow" or t.startswith("crudeflow.")]


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "datasets" not in p.parts)


def upward_imports(modules: dict[str, tuple[str, bool]]) -> list[str]:
    """Every import from a lower layer to a higher one: ``module:line: a (rank) -> b (rank)``.

    ``modules``: module name -> (source text, is a package ``__init__``).
    """
    bad = []
    for module, (text, is_package) in modules.items():
        here = _layer(module)
        for line, target in _imports(module, text, is_package):
            there = _layer(target)
            if RANK[there] > RANK[here]:
                bad.append(
                    f"{module}:{line}: {here or 'crudeflow'} ({RANK[here]}) -> {target} ({RANK[there]})"
                )
    return bad


def _all_modules() -> dict[str, tuple[str, bool]]:
    return {_module_name(p): (p.read_text(encoding="utf-8"), p.name == "__init__.py") for p in _sources()}


def test_every_module_has_a_layer() -> None:
    unknown = sorted({_layer(_module_name(p)) for p in _sources()} - set(RANK))
    assert unknown == [], f"give these modules a rank in RANK (and ARCHITECTURE.md): {unknown}"


def test_imports_point_down_the_layers() -> None:
    assert upward_imports(_all_modules()) == []


def test_the_checker_sees_hidden_imports() -> None:
    # the old tangles: report -> api inside a function, io -> synthetic, commands -> cli
    probe = {
        "crudeflow.report.probe": (
            "def f():\n    from crudeflow.api import plan\n    from . import html\n",
            False,
        ),
        "crudeflow.io.probe": ("if True:\n    import crudeflow.synthetic\n", False),
        "crudeflow.commands.probe": ("from crudeflow import cli\n", False),
    }
    assert upward_imports(probe) == [
        "crudeflow.report.probe:2: report (7) -> crudeflow.api (8)",
        "crudeflow.io.probe:2: io (2) -> crudeflow.synthetic (3)",
        "crudeflow.commands.probe:1: commands (9) -> crudeflow.cli (10)",
    ]
    assert (3, "crudeflow.report") in _imports("crudeflow.report.probe", probe["crudeflow.report.probe"][0])


def _assigned(name: str) -> list[str]:
    """Modules that assign ``name`` at module level."""
    out = []
    for path in _sources():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                out.append(_module_name(path))
    return out


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("FArray", "crudeflow._types"),
        ("IArray", "crudeflow._types"),
        ("BArray", "crudeflow._types"),
        ("DAYS_PER_YEAR", "crudeflow.units"),
        ("HHI_SCALE", "crudeflow.metrics"),
    ],
)
def test_shared_definitions_have_one_home(name: str, home: str) -> None:
    assert _assigned(name) == [home]


def test_one_hhi_implementation() -> None:
    defs = [
        _module_name(p)
        for p in _sources()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name in ("hhi", "hhi_by_group")
    ]
    assert sorted(defs) == ["crudeflow.metrics", "crudeflow.metrics"]


def test_tolerances_come_from_one_module() -> None:
    # a float literal bound to a tolerance-like name anywhere but _types is a second definition
    found = []
    for path in _sources():
        if path.name == "_types.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for t in node.targets:
                    if isinstance(t, ast.Name) and ("TOL" in t.id or t.id == "EPS"):
                        found.append(f"{_module_name(path)}.{t.id}")
    assert found == []
