"""YAML loading that keeps line numbers, so errors can point at the line."""

from __future__ import annotations

from typing import Any

import yaml

from crudeflow.exceptions import Problem


class LineDict(dict[str, Any]):
    """A mapping from YAML that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of a key, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A sequence from YAML that remembers each item's line (1-based)."""

    line: int = 0
    item_lines: list[int]


def _convert(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        d = LineDict()
        d.line = node.start_mark.line + 1
        d.key_lines = {}
        for k, v in node.value:
            key = str(_convert(k))
            d[key] = _convert(v)
            d.key_lines[key] = k.start_mark.line + 1
        return d
    if isinstance(node, yaml.SequenceNode):
        lst = LineList(_convert(v) for v in node.value)
        lst.line = node.start_mark.line + 1
        lst.item_lines = [v.start_mark.line + 1 for v in node.value]
        return lst
    return yaml.safe_load(yaml.serialize(node))


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error becomes a Problem with its line, not an exception."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(file, line, None, "valid YAML", str(what))]
    if node is None:
        return None, []
    return _convert(node), []
