"""From names to files: plan a dataset/scenario (and a comparison), then write the report or map.

These are the Python API behind ``crudeflow report`` and ``crudeflow map``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from crudeflow.io.load import DatasetLike, ScenarioLike, network_and_scenario, read_any_scenario
from crudeflow.model.network import Network
from crudeflow.progress import ProgressFn
from crudeflow.results.plan import Plan
from crudeflow.results.solve import solve_plan

if TYPE_CHECKING:
    from crudeflow.analysis.contingency import StressResult


@dataclass(frozen=True)
class Planned:
    """A plan, the network it was solved on, and its scenario name."""

    plan: Plan
    network: Network
    name: str


def planned(dataset: DatasetLike = None, scenario: ScenarioLike = None) -> Planned:
    """Apply ``scenario`` (object, file, shipped name, ``"base"`` or None) and solve the plan."""
    if isinstance(scenario, str) and scenario == "base":
        scenario = None
    if dataset is None and scenario is not None:
        sc = read_any_scenario(scenario)
        net, name = network_and_scenario(sc.base, sc)
    else:
        net, name = network_and_scenario(dataset, scenario)
    p = solve_plan(net)
    return Planned(replace(p, scenario=name), net, name)


def _stress_or_note(
    network: Network, progress: ProgressFn | None = None
) -> tuple[StressResult | None, str | None]:
    """Run the N-1 link ranking if the analysis module is there; else a note saying why not."""
    try:
        from crudeflow.analysis import stress
    except ImportError as exc:
        return None, f"The criticality ranking is not available in this installation ({exc})."
    from crudeflow.exceptions import CrudeflowError

    try:
        return stress(network, assets="links", k=1, progress=progress), None
    except CrudeflowError as exc:
        return None, f"The criticality ranking could not be computed: {exc}"


def scenario_report(
    path: str | Path,
    dataset: str | Path | Network | None = None,
    scenario: ScenarioLike = None,
    *,
    compare: ScenarioLike | bool = None,
    stress: bool = False,
    progress: ProgressFn | None = None,
    holdout: str | Sequence[str] | None = None,
    backtest_all: bool = False,
) -> Path:
    """Plan a scenario (and ``compare``, e.g. ``"base"``) and write the offline HTML report.

    With ``stress``, the N-1 link ranking is added when ``crudeflow.analysis`` has it.
    ``holdout`` (importer codes, or ``"all"``) adds their days of cover per case
    (``crudeflow.analysis.holdout`` with its defaults). ``backtest_all`` adds the back-test
    of the base and every historical scenario (``crudeflow backtest --all``) of the base dataset.
    """
    from crudeflow.report.html import Side, write_report

    main = planned(dataset, scenario)
    ref = None
    if compare is not None and compare is not False:
        if compare is True or compare == "base":
            ref = planned(_base_dataset(dataset, scenario), None)
        else:
            ref = planned(dataset, compare)
    stress_result, note = (None, None)
    if stress:
        stress_result, note = _stress_or_note(main.network, progress)
    cover = None
    if holdout is not None:
        from crudeflow.analysis.holdout import holdout as days_of_cover

        cover = days_of_cover(main.network, holdout, progress=progress)
    summary = None
    if backtest_all:
        from crudeflow.analysis.backtest import backtest_all_scenarios
        from crudeflow.io.load import load

        summary = backtest_all_scenarios(load(_base_dataset(dataset, scenario)))
    return write_report(
        path,
        Side(main.plan, main.network, main.name),
        main.network,
        compare=Side(ref.plan, ref.network, ref.name) if ref is not None else None,
        stress=stress_result,
        stress_note=note,
        holdout=cover,
        backtest_summary=summary,
    )


def _base_dataset(dataset: DatasetLike, scenario: ScenarioLike) -> DatasetLike:
    """The dataset a scenario is applied to: ``dataset`` if given, else the scenario's base."""
    if dataset is not None or scenario is None or scenario == "base":
        return dataset
    return read_any_scenario(scenario).base


def scenario_map(
    path: str | Path,
    dataset: DatasetLike = None,
    scenario: ScenarioLike = None,
    *,
    title: str | None = None,
    width_in: float = 13.0,
    dpi: int = 200,
    show_idle: bool = False,
) -> Path:
    """Plan ``scenario`` and draw its network map to ``path`` (PNG or SVG, matplotlib)."""
    from crudeflow.report.static_map import render_map

    main = planned(dataset, scenario)
    return render_map(
        main.plan, main.network, path, title=title, width_in=width_in, dpi=dpi, show_idle=show_idle
    )
