"""Helpers for tests and notebooks: tiny networks.

``tiny_network`` builds a hand-checkable network from a few records, filling every
column the schema requires with a neutral default, and validating it like a file (it
lives in ``crudeflow.io.tiny``, so lower layers can build one too).
"""

from __future__ import annotations

from crudeflow.io.tiny import SRC, tiny_network

__all__ = ["SRC", "tiny_network"]
