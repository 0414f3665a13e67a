"""``crudeflow backtest``: observed flows against the plan, row by row, with scores."""

from __future__ import annotations

from typing import Annotated

import typer

from crudeflow.exceptions import CrudeflowError

DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help="Dataset folder or shipped name.")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario file or shipped name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
JSON_ROW = ("id", "quantity", "year", "role", "observed", "model", "unit", "tolerance", "ok")
"""Fields of each row of ``backtest --json``."""


def register(app: typer.Typer) -> None:
    """Add the ``backtest`` command to the main app."""
    from crudeflow.commands.terminal import console, fail, frame_table, print_json

    @app.command("backtest")
    def backtest_cmd(
        dataset: DatasetOpt = None, scenario: ScenarioOpt = None, as_json: JsonOpt = False
    ) -> None:
        """Observed flows (observed.csv) vs the plan: pass/fail per row, score per year and role."""
        from crudeflow.api import backtest
        from crudeflow.results.tables import records

        try:
            bt = backtest(dataset, scenario)
        except CrudeflowError as exc:
            fail(exc)
            return
        if as_json:
            doc = bt.to_dict()
            doc["rows"] = records(bt.rows[list(JSON_ROW)])
            print_json(doc)
            return
        if len(bt.rows) == 0:
            console.print(f"no observed rows of {bt.year} in this dataset (observed.csv)", highlight=False)
            return
        rows = bt.rows.copy()
        rows["ok"] = rows["ok"].map({True: "pass", False: "FAIL"})
        cols = ["id", "role", "observed", "model", "tolerance", "deviation", "unit", "ok"]
        console.print(frame_table(rows[cols], f"Back-test {bt.scenario}, {bt.year}: observed vs model"))
        for key, frame in (("year", bt.by_year), ("role", bt.by_role)):
            console.print(frame_table(frame, f"Score by {key}", floatfmt="{:,.1f}"))
        skipped = ", ".join(f"{n} of {y}" for y, n in bt.not_measured.items())
        if skipped:
            console.print(f"not measured (another year than the plan's): {skipped}", highlight=False)
