"""From names to files: plan a dataset/scenario (and a comparison), then write the report or map.

These are the Python API behind ``crudeflow report`` and ``crudeflow map``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from crudeflow.model.network import Network


@dataclass(frozen=True)
class Planned:
    """A plan, the network it was solved on, and its scenario name."""

    plan: Any
    network: Network
    name: str


def planned(dataset: str | Path | Network | None = None, scenario: Any = None) -> Planned:
    """Apply ``scenario`` (object, file, shipped name, ``"base"`` or None) and solve the plan."""
    from crudeflow.api import _network_and_scenario, plan

    if isinstance(scenario, str) and scenario == "base":
        scenario = None
    if dataset is None and scenario is not None:
        from crudeflow.io.scenario import read_scenario
        from crudeflow.model.scenario import Scenario

        sc = scenario if isinstance(scenario, Scenario) else read_scenario(scenario, defer=True)
        net, name = _network_and_scenario(sc.base, sc)
    else:
        net, name = _network_and_scenario(dataset, scenario)
    p = plan(net)
    return Planned(replace(p, scenario=name), net, name)


def _stress_or_note(network: Network, progress: bool) -> tuple[Any, str | None]:
    """Run the N-1 link ranking if the analysis module is there; else a note saying why not."""
    fn: Any
    try:
        from crudeflow import analysis

        fn = getattr(analysis, "stress", None)
        if fn is None:
            from crudeflow.analysis.contingency import stress

            fn = stress
    except ImportError as exc:
        return None, f"The criticality ranking is not available in this installation ({exc})."
    from crudeflow.exceptions import CrudeflowError

    try:
        return fn(network, assets="links", k=1, progress=progress), None
    except CrudeflowError as exc:
        return None, f"The criticality ranking could not be computed: {exc}"


def scenario_report(
    path: str | Path,
    dataset: str | Path | Network | None = None,
    scenario: Any = None,
    *,
    compare: Any = None,
    stress: bool = False,
    progress: bool = False,
) -> Path:
    """Plan a scenario (and ``compare``, e.g. ``"base"``) and write the offline HTML report.

    With ``stress``, the N-1 link ranking is added when ``crudeflow.analysis`` has it.
    """
    from crudeflow.report.html import Side, write_report

    main = planned(dataset, scenario)
    ref = None
    if compare is not None:
        base_only = compare == "base" or compare is True
        ref = planned(_base_dataset(dataset, scenario), None) if base_only else planned(dataset, compare)
    stress_result, note = (None, None)
    if stress:
        stress_result, note = _stress_or_note(main.network, progress)
    return write_report(
        path,
        Side(main.plan, main.network, main.name),
        main.network,
        compare=Side(ref.plan, ref.network, ref.name) if ref is not None else None,
        stress=stress_result,
        stress_note=note,
    )


def _base_dataset(dataset: Any, scenario: Any) -> Any:
    """The dataset a scenario is applied to: ``dataset`` if given, else the scenario's base."""
    if dataset is not None or scenario is None or scenario == "base":
        return dataset
    from crudeflow.io.scenario import read_scenario
    from crudeflow.model.scenario import Scenario

    sc = scenario if isinstance(scenario, Scenario) else read_scenario(scenario, defer=True)
    return sc.base


def scenario_map(
    path: str | Path, dataset: str | Path | Network | None = None, scenario: Any = None, **kwargs: Any
) -> Path:
    """Plan ``scenario`` and draw its network map to ``path`` (PNG or SVG, matplotlib)."""
    from crudeflow.report.static_map import render_map

    main = planned(dataset, scenario)
    return render_map(main.plan, main.network, path, **kwargs)
