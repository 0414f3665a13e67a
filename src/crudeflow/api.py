"""The Python API behind every CLI command: plain functions returning DataFrames or dataclasses."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crudeflow._types import JSONDict
from crudeflow.analysis.backtest import Backtest, BacktestSummary, backtest_all_scenarios, measure_plan
from crudeflow.analysis.calibrate import BAND, Calibration, write_frictions
from crudeflow.analysis.calibrate import calibrate as calibrate_network
from crudeflow.analysis.compare import Comparison, compare_plans
from crudeflow.exceptions import CrudeflowError
from crudeflow.io.dataset import read_dataset, resolve_dataset
from crudeflow.io.load import DatasetLike, ScenarioLike, load, network_and_scenario
from crudeflow.model.network import Network
from crudeflow.results.plan import Plan
from crudeflow.results.solve import SolverOptions, solve_plan
from crudeflow.results.tables import JSONResult, raw_dict, records

__all__ = [
    "BacktestSummary",
    "Calibration",
    "Comparison",
    "DataOverview",
    "backtest_all",
    "calibrate",
    "compare",
    "compare_plans",
    "confidence_counts",
    "data_overview",
    "export_dataset",
    "load",
    "network_and_scenario",
    "plan",
    "write_plan_csv",
]


@dataclass(frozen=True)
class DataOverview(JSONResult):
    """What ``crudeflow data show`` prints: counts and totals, capacity by mode, the links."""

    summary: dict[str, str | int | float]
    """Name, base year, counts of each table, supply, demand and market totals (Mt/yr)."""
    capacity_by_mode: pd.DataFrame
    """Index ``mode``: links, capacity_mt_per_year, active_links (operating or intermittent)."""
    links: pd.DataFrame
    """Index ``id``: name, from, to, mode, capacity, tariff, distance, countries, status, confidence."""
    confidence: pd.DataFrame
    """Rows per table (index) by confidence grade (columns: official, operator, press,
    estimate, ungraded), with a ``total`` row: how far the dataset's figures can be trusted."""

    def to_dict(self) -> JSONDict:
        """``data show --json``: ``summary`` and the three frames as records."""
        return {
            "summary": raw_dict(self.summary),
            "capacity_by_mode": records(self.capacity_by_mode),
            "links": records(self.links),
            "confidence": records(self.confidence),
        }


def data_overview(dataset: DatasetLike = None) -> DataOverview:
    """Counts, supply and demand totals (Mt/yr), capacity by mode and the links table."""
    net = load(dataset)
    links = net.links
    by_mode = (
        links.assign(active=links["status"].isin(("operating", "intermittent")))
        .groupby("mode")
        .agg(
            links=("name", "size"),
            capacity_mt_per_year=("capacity_mt_per_year", "sum"),
            active_links=("active", "sum"),
        )
    )
    cols = [
        "name",
        "from",
        "to",
        "mode",
        "capacity_mt_per_year",
        "tariff_usd_per_t",
        "distance_km",
        "countries",
        "status",
        "confidence",
    ]
    return DataOverview(net.summary(), by_mode, links[cols], confidence_counts(net))


def confidence_counts(net: Network) -> pd.DataFrame:
    """Rows of each table that carries figures, counted by confidence grade, plus a total row."""
    from crudeflow.schema import CONFIDENCE_GRADES

    grades = [*CONFIDENCE_GRADES, "ungraded"]
    rows: dict[str, pd.Series] = {}
    for name, frame in net.tables().items():
        if "confidence" not in frame.columns or len(frame) == 0:
            continue
        graded = frame["confidence"].fillna("").astype(str).replace("", "ungraded")
        rows[name] = graded.value_counts().reindex(grades, fill_value=0)
    table = pd.DataFrame(rows).T.reindex(columns=grades, fill_value=0).astype(int)
    table.index.name = "table"
    table.loc["total"] = table.sum(axis=0)
    return table


def export_dataset(dataset: str | Path, directory: str | Path, *, force: bool = False) -> Path:
    """Copy a dataset folder (all files, README included) to ``directory`` and check it loads.

    ``directory`` must be new or empty: with ``force``, the dataset's files replace those
    of the same name there and other files are left alone. The copy is made beside the
    target after the dataset is checked, so a failed export changes nothing.
    """
    from crudeflow.io.output import OutputError, atomic_dir, check_dir_target, is_inside

    src = resolve_dataset(dataset)
    dst = Path(directory)
    if is_inside(dst, src):
        msg = f"cannot export {src} into {dst}: that is the dataset's own folder; give another folder"
        raise OutputError(msg)
    check_dir_target(dst, force=force)
    read_dataset(src)
    with atomic_dir(dst, force=force) as tmp:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
    return dst


def write_plan_csv(result: Plan, directory: str | Path, *, force: bool = False) -> Path:
    """Write every table of a plan as CSV into ``directory``, atomically (``plan --csv``).

    ``directory`` must be new, empty, or one this function wrote whose files are unchanged
    (its ``.crudeflow-manifest.json`` says so); ``force`` writes into any folder, replacing
    files of the same name and leaving others alone.
    """
    from crudeflow.io.output import atomic_dir

    with atomic_dir(directory, force=force, manifest=True) as tmp:
        result.to_csv(tmp)
    return Path(directory)


def plan(
    dataset: DatasetLike = None,
    scenario: ScenarioLike = None,
    *,
    strict: bool = False,
    solver_options: SolverOptions | None = None,
    calibrated: bool = False,
) -> Plan:
    """The least-cost supply plan of a network (optionally under a scenario) as a ``Plan``.

    ``scenario`` is a Scenario, a scenario file path or a shipped scenario name. With
    ``strict``, demand that cannot be met raises ``InfeasibleError`` naming it and why.
    ``calibrated`` adds the dataset's calibration frictions (``frictions.csv``) to the
    costs; the scenario changes everything but them.
    """
    net, name = network_and_scenario(dataset, scenario)
    _need_frictions(net, calibrated)
    return solve_plan(net, name, strict=strict, solver_options=solver_options, calibrated=calibrated)


def _need_frictions(net: Network, calibrated: bool) -> None:
    if calibrated and len(net.frictions) == 0:
        msg = (f"--calibrated: dataset '{net.meta.name}' has no frictions.csv "
               "(run `crudeflow calibrate --write` on it first)")  # fmt: skip
        raise CrudeflowError(msg)


def backtest(
    dataset: DatasetLike = None,
    scenario: ScenarioLike = None,
    *,
    year: int | None = None,
    calibrated: bool = False,
) -> Backtest:
    """Plan the dataset (under ``scenario``) and score it against its observed rows: a ``Backtest``.

    Each observed row of the plan's year (``year``, else the year the scenario plans: its
    ``prices_year`` or the first year of its periods, else the dataset's base year) is
    measured the way its ``measure`` columns say (a plan over periods on the months each
    row covers) and passes when the model is within its ``tolerance``; scores per year and role.
    ``calibrated``: the plan with the dataset's calibration frictions (``frictions.csv``).
    """
    net, name = network_and_scenario(dataset, scenario)
    _need_frictions(net, calibrated)
    p = solve_plan(net, name, calibrated=calibrated)
    yr = year if year is not None else getattr(scenario, "year", None)
    return measure_plan(p, net, year=yr, calibrated=calibrated)


def backtest_all(dataset: DatasetLike = None) -> BacktestSummary:
    """The base year and each historical scenario back-tested, with and without frictions (``--all``).

    The historical scenarios are the shipped ones on the dataset that plan another year with
    observed rows (``analysis.backtest.historical_scenarios``); the calibrated plans use the
    dataset's ``frictions.csv`` as it is (the base year's calibration).
    """
    return backtest_all_scenarios(load(dataset))


def calibrate(dataset: DatasetLike = None, *, write: bool = False, band: float = BAND) -> Calibration:
    """Frictions that make the dataset's ``calibrate`` observations optimal (``crudeflow calibrate``).

    With ``write``, they replace the dataset folder's ``frictions.csv`` (and the calibration
    source is added to its ``sources.csv`` if missing); ``band`` as in ``analysis.calibrate``.
    """
    net = load(dataset)
    cal = calibrate_network(net, band=band)
    if write:
        if isinstance(dataset, Network):
            msg = "calibrate --write needs a dataset folder or shipped name, not a Network"
            raise CrudeflowError(msg)
        write_frictions(resolve_dataset(dataset), cal.frictions, cal.year)
    return cal


def compare(
    a: ScenarioLike = "base",
    b: ScenarioLike = "base",
    *,
    dataset: DatasetLike = None,
    strict: bool = False,
    units: str = "mt",
    calibrated: bool = False,
) -> Comparison:
    """Plan two scenarios (``"base"`` for none) and line them up: B minus A in every delta.

    ``units="kbd"``: volumes in kb/d and costs in USD/bbl (``Plan.in_units``);
    ``calibrated``: both plans with the dataset's calibration frictions.
    """
    pa = plan(dataset, None if a in (None, "base") else a, strict=strict, calibrated=calibrated)
    pb = plan(dataset, None if b in (None, "base") else b, strict=strict, calibrated=calibrated)
    return compare_plans(pa.in_units(units), pb.in_units(units))
