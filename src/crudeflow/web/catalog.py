"""Which datasets and scenarios the server may use, and the checks on scenario text.

Datasets come only from the shipped set and one configured folder, looked up by id in
a listing (a request never supplies a path). Scenario text is size-limited, its YAML
alias expansion bounded, then parsed by crudeflow's own scenario reader; its ``base``
must be the chosen dataset.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

import crudeflow
from crudeflow.exceptions import DatasetError, Problem, ScenarioError
from crudeflow.io.scenario import parse_scenario
from crudeflow.model.network import Network
from crudeflow.model.scenario import Scenario
from crudeflow.web.settings import MAX_YAML_NODES

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
SCENARIO_FILE = "<scenario>.yaml"
"""The file name scenario problems carry (so they are reported by YAML line)."""


@dataclass(frozen=True)
class DatasetRef:
    """A dataset the server may load: its id, folder, where it comes from and content hash."""

    id: str
    path: Path
    source: str  # "shipped" or "folder"
    content_hash: str


def content_hash(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes, in sorted order (hex)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


class Catalog:
    """Datasets by id (shipped first, then the configured folder) and the shipped scenarios."""

    def __init__(self, datasets_dir: Path | None = None) -> None:
        self.datasets_dir = datasets_dir
        self._lock = threading.Lock()
        self._networks: dict[str, Network] = {}

    def _folders(self) -> dict[str, tuple[Path, str]]:
        found: dict[str, tuple[Path, str]] = {}
        for name in crudeflow.shipped_datasets():
            found[name] = (Path(str(resources.files("crudeflow") / "datasets" / name)), "shipped")
        if self.datasets_dir is not None and self.datasets_dir.is_dir():
            for p in sorted(self.datasets_dir.iterdir()):
                if p.is_dir() and (p / "nodes.csv").is_file() and ID_RE.match(p.name) and p.name not in found:
                    found[p.name] = (p.resolve(), "folder")
        return found

    def dataset_ids(self) -> list[str]:
        """Every dataset id the server offers."""
        return list(self._folders())

    def dataset(self, dataset_id: str) -> DatasetRef:
        """The dataset with this id, or DatasetError naming the ids there are."""
        folders = self._folders()
        if not ID_RE.match(dataset_id) or dataset_id not in folders:
            raise DatasetError(
                [Problem("<request>", None, "dataset", f"one of: {', '.join(folders)}", repr(dataset_id))],
                f"no dataset '{dataset_id}' on this server",
            )
        path, source = folders[dataset_id]
        return DatasetRef(dataset_id, path, source, content_hash(path))

    def network(self, ref: DatasetRef) -> Network:
        """The dataset loaded and validated (cached by content hash)."""
        key = f"{ref.id}:{ref.content_hash}"
        with self._lock:
            net = self._networks.get(key)
        if net is None:
            net = crudeflow.load(ref.path)
            with self._lock:
                self._networks[key] = net
        return net

    @staticmethod
    def scenario_names() -> list[str]:
        """The shipped scenarios, by name."""
        return list(crudeflow.shipped_scenarios())

    def scenario_text(self, name: str) -> str:
        """The YAML text of a shipped scenario (looked up by name in the listing)."""
        names = self.scenario_names()
        if name not in names:
            raise ScenarioError(
                [Problem("<request>", None, "scenario", f"one of: base, {', '.join(names)}", repr(name))],
                f"no shipped scenario '{name}'",
            )
        return (resources.files("crudeflow") / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")


def check_scenario_text(text: str, max_bytes: int, file: str = SCENARIO_FILE) -> Scenario:
    """Parse scenario YAML after the size and alias-expansion limits; ScenarioError otherwise."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise ScenarioError([Problem(file, None, None, f"at most {max_bytes:,} bytes", f"{size:,} bytes")])
    _check_yaml_size(text, file)
    try:
        return parse_scenario(text, file, default_name="scenario")
    except yaml.YAMLError as exc:
        # crudeflow's line-keeping loader fails on an empty value ("changes:" and nothing after
        # it) with a position inside a re-serialised fragment, not the file: name the cause
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            [Problem(file, None, None, "valid YAML (a key with an empty value needs [] or null)", str(what))]
        ) from None


def _check_yaml_size(text: str, file: str) -> None:
    """Refuse YAML whose aliases expand past ``MAX_YAML_NODES`` nodes (a 'billion laughs')."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return  # the scenario parser reports the syntax error with its line
    if root is None:
        return
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if depth > 100:
            return MAX_YAML_NODES + 1
        sizes[key] = MAX_YAML_NODES + 1  # a cycle counts as too big
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k, depth + 1) + size(v, depth + 1)
                if total > MAX_YAML_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v, depth + 1)
                if total > MAX_YAML_NODES:
                    break
        sizes[key] = total
        return total

    if size(root, 0) > MAX_YAML_NODES:
        raise ScenarioError(
            [
                Problem(
                    file,
                    root.start_mark.line + 1,
                    None,
                    f"at most {MAX_YAML_NODES:,} YAML nodes once aliases are expanded",
                    "more (aliases nested too deep or repeated too often)",
                )
            ]
        )


def check_base(sc: Scenario, text: str, dataset_id: str, file: str = SCENARIO_FILE) -> None:
    """A scenario whose ``base:`` names another dataset is refused, pointing at that line."""
    if sc.base is None or sc.base == dataset_id:
        return
    line = next(
        (i for i, s in enumerate(text.splitlines(), start=1) if re.match(r"^base\s*:", s)),
        None,
    )
    raise ScenarioError(
        [Problem(file, line, "base", f"'{dataset_id}' (the chosen dataset) or no base", f"'{sc.base}'")],
        f"the scenario is written for dataset '{sc.base}', not '{dataset_id}'",
    )


def problems_json(problems: tuple[Problem, ...] | list[Problem]) -> list[dict[str, Any]]:
    """Problems as JSON records: file, line or row, column, expected, found, severity, text."""
    out = []
    for p in problems:
        by_line = p.file.endswith((".yaml", ".yml")) or p.file.startswith("<")
        out.append(
            {
                "file": p.file,
                "line": p.row if by_line else None,
                "row": None if by_line else p.row,
                "column": p.column,
                "expected": p.expected,
                "found": p.found,
                "severity": p.severity,
                "message": str(p),
            }
        )
    return out
