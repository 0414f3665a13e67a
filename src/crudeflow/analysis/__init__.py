"""Analyses on a network or a plan: routes, outages, Monte Carlo, concentration, trade."""

from __future__ import annotations

from crudeflow.analysis.concentration import concentration, diversify, hhi, with_share_cap
from crudeflow.analysis.contingency import StressResult, asset_columns, stress
from crudeflow.analysis.montecarlo import DEFAULT_OUTAGES, MonteCarloResult, montecarlo
from crudeflow.analysis.routes import routes
from crudeflow.analysis.trade import TradeBalance, trade_balance, trade_figures

__all__ = [
    "DEFAULT_OUTAGES",
    "MonteCarloResult",
    "StressResult",
    "TradeBalance",
    "asset_columns",
    "concentration",
    "diversify",
    "hhi",
    "montecarlo",
    "routes",
    "stress",
    "trade_balance",
    "trade_figures",
    "with_share_cap",
]
