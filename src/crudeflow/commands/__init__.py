"""CLI command groups beyond ``data`` and ``plan``; each module defines ``register(app)``."""

from __future__ import annotations

import importlib
import importlib.util

import typer

MODULES = ("analysis", "report", "backtest", "serve")
"""Command modules registered on the main app, in help order."""


def register_all(app: typer.Typer) -> None:
    """Register every command module present in this package."""
    for name in MODULES:
        full = f"crudeflow.commands.{name}"
        if importlib.util.find_spec(full) is not None:
            importlib.import_module(full).register(app)
