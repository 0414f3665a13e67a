"""YAML loading that keeps line numbers, so errors can point at the line.

Every YAML file crudeflow reads (``dataset.yaml``, ``policies.yaml``, scenarios) goes
through :func:`load_yaml`, which refuses hostile or runaway input with a Problem naming
the file, the line and the limit, instead of hanging or exhausting memory:

- ``MAX_YAML_CHARS`` (32 MiB): the whole text; a 50,000-link scenario is about 6 MB.
- ``MAX_ALIASES`` (1,000): uses of an alias (``*name``) in one document.
- ``MAX_ALIAS_NODES`` (100,000): values reached through aliases, all uses together; this
  stops "billion laughs" documents, whose few hundred bytes expand to billions of values.
- ``MAX_DEPTH`` (64): nesting of mappings and lists (libyaml itself stops at 1,000).

Plain documents with no aliases are limited by size only.
"""

from __future__ import annotations

from typing import Any

import yaml

from crudeflow.exceptions import Problem

MAX_YAML_CHARS = 32 * 1024 * 1024
"""Largest YAML text read, in characters."""
MAX_ALIASES = 1_000
"""Most alias uses (``*name``) in one document."""
MAX_ALIAS_NODES = 100_000
"""Most values reached through aliases in one document, all alias uses together."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS: dict[Any, Any] = yaml.constructor.SafeConstructor.yaml_constructors


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


class YamlLimitError(Exception):
    """A document went past one of the module's limits (caught by ``load_yaml``)."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line
        self.what = what


class _Converter:
    """Turns a composed node graph into LineDict/LineList/scalars within the limits."""

    def __init__(self) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen: set[int] = set()
        self.aliases = 0
        self.alias_nodes = 0

    def convert(self, node: yaml.Node, depth: int = 0, aliased: bool = False) -> Any:
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise YamlLimitError(line, f"nesting at most {MAX_DEPTH} levels deep")
        if isinstance(node, yaml.ScalarNode):
            if aliased:
                self._count_alias_node(line)
            return _SCALARS.get(node.tag, _SCALARS[None])(self.constructor, node)
        if id(node) in self.seen:
            # a collection reached a second time: an alias (or a recursive anchor)
            if not aliased:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    raise YamlLimitError(line, f"at most {MAX_ALIASES} alias uses (*name)")
            aliased = True
        else:
            self.seen.add(id(node))
        if aliased:
            self._count_alias_node(line)
        if isinstance(node, yaml.MappingNode):
            d = LineDict()
            d.line = line
            d.key_lines = {}
            for k, v in node.value:
                key = str(self.convert(k, depth + 1, aliased))
                d[key] = self.convert(v, depth + 1, aliased)
                d.key_lines[key] = k.start_mark.line + 1
            return d
        lst = LineList(self.convert(v, depth + 1, aliased) for v in node.value)
        lst.line = line
        lst.item_lines = [v.start_mark.line + 1 for v in node.value]
        return lst

    def _count_alias_node(self, line: int) -> None:
        self.alias_nodes += 1
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise YamlLimitError(
                line, f"at most {MAX_ALIAS_NODES:,} values reached through aliases (an alias bomb?)"
            )


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error or a broken limit becomes a Problem with its line."""
    if len(text) > MAX_YAML_CHARS:
        limit = f"a YAML file of at most {MAX_YAML_CHARS // (1024 * 1024)} MiB"
        return None, [Problem(file, None, None, limit, f"{len(text) / (1024 * 1024):.1f} MiB")]
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(file, line, None, "valid YAML", str(what))]
    if node is None:
        return None, []
    try:
        return _Converter().convert(node), []
    except YamlLimitError as exc:
        return None, [Problem(file, exc.line, None, exc.what, "more")]
    except (yaml.YAMLError, ValueError, OverflowError) as exc:  # e.g. a malformed date, a python tag
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(file, line, None, "plain YAML values", str(what))]
