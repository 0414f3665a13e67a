"""No ``Any`` in the public API or the report: every exported function, class field and method.

``mypy --strict`` accepts an explicit ``Any``; this test does not. It resolves each
annotation (``typing.get_type_hints``) and walks it, so ``dict[str, Any]`` and
``list[Any]`` inside a union are found too.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt

import crudeflow
import crudeflow.report


def _has_any(tp: object, seen: frozenset[int] = frozenset()) -> bool:
    if tp is typing.Any:
        return True
    if id(tp) in seen:
        return False
    if isinstance(tp, typing.ForwardRef):  # a recursive alias (JSONValue) refers back to itself
        return False
    args = typing.get_args(tp)
    if typing.get_origin(tp) is np.ndarray:
        args = args[1:]  # NumPy's own NDArray leaves the shape as Any; the dtype is what we name
    return any(_has_any(a, seen | {id(tp)}) for a in args)


def _hints(obj: Callable[..., object] | type) -> dict[str, object]:
    return typing.get_type_hints(obj)


def _members(name: str, obj: object) -> Iterator[tuple[str, Callable[..., object] | type]]:
    """The annotated things of a public name: a function, or a class's fields and public methods."""
    if inspect.isclass(obj):
        if dataclasses.is_dataclass(obj):
            yield name, obj
        for attr, value in vars(obj).items():
            if attr.startswith("_") and attr != "__init__":
                continue
            fn = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if inspect.isfunction(fn):
                yield f"{name}.{attr}", fn
    elif inspect.isfunction(obj):
        yield name, obj


def _offenders(things: Iterator[tuple[str, Callable[..., object] | type]]) -> list[str]:
    bad = []
    for label, obj in things:
        for arg, tp in _hints(obj).items():
            if _has_any(tp):
                bad.append(f"{label}: {arg}: {tp}")
    return bad


def _public_api() -> Iterator[tuple[str, Callable[..., object] | type]]:
    for name in crudeflow.__all__:
        if name == "__version__":
            continue
        yield from _members(name, getattr(crudeflow, name))


def _report_api() -> Iterator[tuple[str, Callable[..., object] | type]]:
    for info in pkgutil.iter_modules(crudeflow.report.__path__, "crudeflow.report."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            yield from _members(f"{info.name}.{name}", obj)


def test_the_checker_finds_any_inside_other_types() -> None:
    def f(a: dict[str, typing.Any], b: int | list[typing.Any] | None, c: npt.NDArray[np.float64]) -> None: ...

    assert _offenders(iter([("f", f)])) == [
        "f: a: dict[str, typing.Any]",
        "f: b: int | list[typing.Any] | None",
    ]
    assert _has_any(np.ndarray[typing.Any, typing.Any])  # an explicit Any dtype is still found


def test_no_any_in_the_public_api() -> None:
    assert _offenders(_public_api()) == []


def test_no_any_in_the_report() -> None:
    assert _offenders(_report_api()) == []
