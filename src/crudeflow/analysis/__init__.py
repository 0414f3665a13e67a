"""Analyses on a network or a plan: routes, outages, days of cover, Monte Carlo, concentration, trade.

Each returns a frozen dataclass of DataFrames and scalars with ``to_dict()`` /
``to_json()`` (what the CLI's ``--json`` prints); the long ones take a
``progress(done, total)`` callback and a ``CancelToken``.
"""

from __future__ import annotations

from crudeflow.analysis.compare import Comparison, compare_plans
from crudeflow.analysis.concentration import (
    DIVERSIFY_CURVE,
    Diversification,
    concentration,
    diversify,
    hhi,
    with_share_cap,
)
from crudeflow.analysis.contingency import (
    STRESS_CHECKS,
    STRESS_RANKING,
    STRESS_SHUT_IN,
    STRESS_UNMET,
    StressResult,
    asset_columns,
    stress,
)
from crudeflow.analysis.holdout import (
    HOLDOUT_CHECKS,
    HOLDOUT_DRAWS,
    HOLDOUT_RANKING,
    HOLDOUT_SERIES,
    HoldoutResult,
    holdout,
)
from crudeflow.analysis.montecarlo import (
    DEFAULT_OUTAGES,
    MC_DRIVERS,
    MC_SUMMARY,
    MC_SYSTEM,
    MonteCarloResult,
    montecarlo,
)
from crudeflow.analysis.routes import ROUTES_TABLE, Routes, routes
from crudeflow.analysis.trade import TradeBalance, trade_balance, trade_figures

__all__ = [
    "DEFAULT_OUTAGES",
    "DIVERSIFY_CURVE",
    "HOLDOUT_CHECKS",
    "HOLDOUT_DRAWS",
    "HOLDOUT_RANKING",
    "HOLDOUT_SERIES",
    "MC_DRIVERS",
    "MC_SUMMARY",
    "MC_SYSTEM",
    "ROUTES_TABLE",
    "STRESS_CHECKS",
    "STRESS_RANKING",
    "STRESS_SHUT_IN",
    "STRESS_UNMET",
    "Comparison",
    "Diversification",
    "HoldoutResult",
    "MonteCarloResult",
    "Routes",
    "StressResult",
    "TradeBalance",
    "asset_columns",
    "compare_plans",
    "concentration",
    "diversify",
    "hhi",
    "holdout",
    "montecarlo",
    "routes",
    "stress",
    "trade_balance",
    "trade_figures",
    "with_share_cap",
]
