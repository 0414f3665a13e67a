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

Plain (unquoted) scalars are read by the YAML 1.2 core schema, not PyYAML's YAML 1.1
rules, so a country code is never a boolean (the "Norway problem": ``country: NO``):

- ``true`` and ``false``, in any case, are booleans; ``yes``, ``no``, ``on``, ``off``, ``y``,
  ``n`` are text (``NO`` is Norway);
- ``null``, ``Null``, ``NULL``, ``~`` and an empty value are null;
- ``[-+]?[0-9]+`` is an integer (``017`` is 17), as are ``0o17`` (octal) and ``0x1F`` (hex);
- ``1.5``, ``.5``, ``1e9``, ``-2.5E-3``, ``.inf``, ``-.inf`` and ``.nan`` are floats;
- anything else is text: dates (``2024-01-05``), ``1_000``, ``1:30`` and ``0b101`` included.

Quoted scalars are always text.
"""

from __future__ import annotations

import re
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
"""libyaml's parser when PyYAML was built with it (it caps nesting at 1,000 itself)."""
_SCALARS: dict[Any, Any] = yaml.constructor.SafeConstructor.yaml_constructors

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {
    **{f"{s}.{w}": float(f"{s or '+'}inf") for s in ("", "+", "-") for w in ("inf", "Inf", "INF")},
    **{f".{word}": float("nan") for word in ("nan", "NaN", "NAN")},
}


def core_scalar(text: str) -> Any:
    """The value of a plain (unquoted) scalar by the YAML 1.2 core schema (see the module doc)."""
    if text in _NULLS:
        return None
    low = text.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if _INT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            return text
    if _FLOAT.fullmatch(text):
        return float(text)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if len(text) > 2 and text[0] == "0" and text[1] in "ox":
        try:
            return int(text[2:], 8 if text[1] == "o" else 16)
        except ValueError:
            return text
    return text


def describe(value: Any) -> str:
    """A YAML value in words for an error's "found": a mapping, a list, text 'x', the number 3."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        keys = ", ".join(map(str, list(value)[:4])) + (", ..." if len(value) > 4 else "")
        return f"a mapping ({keys})" if value else "an empty mapping"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value:g}"
    text = str(value)
    return f"text '{text if len(text) <= 60 else text[:57] + '...'}'"


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
    """A document broke one of the module's limits or rules (caught by ``load_yaml``)."""

    def __init__(self, line: int, what: str, found: str = "more") -> None:
        super().__init__(what)
        self.line = line
        self.what = what
        self.found = found


_STR = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Builder:
    """Builds LineDict/LineList/scalars straight from parser events, within the limits.

    Building from events (libyaml's parser) rather than from a composed node graph is
    several times faster on large files, and lets alias expansion be counted exactly.
    """

    def __init__(self) -> None:
        self.constructor = yaml.constructor.SafeConstructor()
        self.plain: dict[str, Any] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.nodes = 0
        self.aliases = 0
        self.alias_nodes = 0

    def scalar(self, ev: Any) -> Any:
        """A scalar's Python value; plain scalars by the YAML 1.2 core schema (:func:`core_scalar`)."""
        tag = ev.tag
        if tag is None or tag == "!":
            if ev.implicit[0]:
                value = core_scalar(ev.value)
                self.plain[ev.value] = value  # the same text resolves the same way
                return value
            return ev.value  # quoted: a string
        return self._construct(tag, ev)

    def _construct(self, tag: str, ev: Any) -> Any:
        if tag == _STR:
            return ev.value
        ctor = _SCALARS.get(tag)
        if ctor is None:
            raise YamlLimitError(ev.start_mark.line + 1, "plain YAML values (no tags)", repr(tag))
        node = yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style)
        try:
            return ctor(self.constructor, node)
        except (ValueError, OverflowError) as exc:  # e.g. a date such as 2024-13-45
            raise YamlLimitError(ev.start_mark.line + 1, "valid YAML values", str(exc)) from None

    def build(self, text: str) -> Any:
        """The one document of ``text`` as Python values (None when empty)."""
        loader = _Loader(text)
        try:
            return self._build(loader.get_event)
        finally:
            loader.dispose()

    def _build(self, get_event: Any) -> Any:  # one hot loop, on purpose
        stack: list[Any] = []  # open collections: [container, line, anchor, start count, key]
        root: Any = None
        docs = 0
        plain = self.plain
        miss = _NO_KEY
        top: Any = None  # stack[-1]
        while True:
            ev = get_event()
            kind = type(ev)
            if kind is _ScalarEvent:
                self.nodes += 1
                if ev.tag is None and ev.implicit[0]:
                    value = plain.get(ev.value, miss)
                    if value is miss:
                        value = self.scalar(ev)
                else:
                    value = self.scalar(ev)
                if ev.anchor is not None:
                    self.anchors[ev.anchor] = (value, 1)
                if top is not None and top[4] is not miss:  # the value of a key: no line needed
                    top[0][top[4]] = value
                    top[4] = miss
                    continue
                line = ev.start_mark.line + 1
            elif kind is _MappingStartEvent or kind is _SequenceStartEvent:
                line = ev.start_mark.line + 1
                if ev.tag not in _COLLECTION_TAGS:
                    raise YamlLimitError(line, "plain YAML mappings and lists (no tags)", repr(ev.tag))
                if len(stack) >= MAX_DEPTH:
                    raise YamlLimitError(line, f"nesting at most {MAX_DEPTH} levels deep")
                self.nodes += 1
                container: Any
                if kind is _MappingStartEvent:
                    container = LineDict()
                    container.key_lines = {}
                else:
                    container = LineList()
                    container.item_lines = []
                container.line = line
                if ev.anchor is not None:
                    self.open_anchors.add(ev.anchor)
                top = [container, line, ev.anchor, self.nodes - 1, miss]  # the count includes itself
                stack.append(top)
                continue
            elif kind is _MappingEndEvent or kind is _SequenceEndEvent:
                value, line, anchor, start, _ = stack.pop()
                top = stack[-1] if stack else None
                if anchor is not None:
                    self.anchors[anchor] = (value, self.nodes - start)
                    self.open_anchors.discard(anchor)
            elif kind is _AliasEvent:
                line = ev.start_mark.line + 1
                value = self._alias(ev, line)
            elif kind is _DocumentStartEvent:
                docs += 1
                if docs > 1:
                    raise YamlLimitError(ev.start_mark.line + 1, "a single YAML document", "another '---'")
                continue
            elif kind is _StreamEndEvent or ev is None:
                return root
            else:  # stream start, document end
                continue
            if top is None:
                root = value
                continue
            parent = top[0]
            if type(parent) is LineList:
                parent.append(value)
                parent.item_lines.append(line)
            elif top[4] is miss:
                key = value if type(value) is str else str(value)
                if key in parent.key_lines:
                    raise YamlLimitError(line, "each key once in a mapping", f"'{key}' again")
                top[4] = key
                parent.key_lines[key] = line
            else:
                parent[top[4]] = value
                top[4] = miss

    def _alias(self, ev: yaml.AliasEvent, line: int) -> Any:
        name = ev.anchor
        if name in self.open_anchors:
            raise YamlLimitError(line, "no alias inside its own anchor", f"*{name}")
        if name not in self.anchors:
            raise YamlLimitError(line, "an alias to an anchor defined before it", f"*{name}")
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise YamlLimitError(line, f"at most {MAX_ALIASES:,} alias uses (*name)")
        value, size = self.anchors[name]
        self.alias_nodes += size
        self.nodes += size
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise YamlLimitError(
                line,
                f"at most {MAX_ALIAS_NODES:,} values reached through aliases",
                f"{self.alias_nodes:,} by *{name} (an alias bomb?)",
            )
        return value


_NO_KEY: Any = object()
_ScalarEvent = yaml.ScalarEvent
_AliasEvent = yaml.AliasEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_DocumentStartEvent = yaml.DocumentStartEvent
_StreamEndEvent = yaml.StreamEndEvent


def load_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text; a syntax error or a broken limit becomes a Problem with its line."""
    if len(text) > MAX_YAML_CHARS:
        limit = f"a YAML file of at most {MAX_YAML_CHARS // (1024 * 1024)} MiB"
        return None, [Problem(file, None, None, limit, f"{len(text) / (1024 * 1024):.1f} MiB")]
    try:
        return _Builder().build(text), []
    except YamlLimitError as exc:
        return None, [Problem(file, exc.line, None, exc.what, exc.found)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(file, line, None, "valid YAML", str(what))]
