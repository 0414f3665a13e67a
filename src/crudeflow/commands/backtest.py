"""``crudeflow backtest`` (observed flows against the plan) and ``crudeflow calibrate`` (frictions)."""

from __future__ import annotations

from typing import Annotated

import typer

from crudeflow.exceptions import CrudeflowError

DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help="Dataset folder or shipped name.")]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario file or shipped name.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
CalibratedOpt = Annotated[
    bool,
    typer.Option("--calibrated", help="Also plan with the dataset's frictions.csv; scores side by side."),
]
AllOpt = Annotated[
    bool,
    typer.Option(
        "--all",
        help="Back-test the base and every historical scenario, uncalibrated and calibrated: one table.",
    ),
]
JSON_ROW = ("id", "quantity", "year", "role", "observed", "model", "unit", "tolerance", "ok")
"""Fields of each row of ``backtest --json``."""
FRICTION_SHOW = ["observation", "kind", "friction_usd_per_t", "threshold_mt_per_year", "dual_usd_per_t",
                 "uncalibrated", "target", "unit"]  # fmt: skip
"""Columns of the frictions table ``calibrate`` prints (``--json`` has every column)."""


def register(app: typer.Typer) -> None:
    """Add the ``backtest`` and ``calibrate`` commands to the main app."""
    from crudeflow.commands.terminal import console, fail, frame_table, print_json

    @app.command("backtest")
    def backtest_cmd(
        dataset: DatasetOpt = None,
        scenario: ScenarioOpt = None,
        as_json: JsonOpt = False,
        calibrated: CalibratedOpt = False,
        every: AllOpt = False,
    ) -> None:
        """Observed flows (observed.csv) vs the plan: pass/fail per row, score per year and role."""
        from crudeflow.api import backtest
        from crudeflow.results.tables import records

        if every:
            _summary(dataset, scenario, as_json)
            return
        try:
            bt = backtest(dataset, scenario)
            cal = backtest(dataset, scenario, calibrated=True) if calibrated else None
        except CrudeflowError as exc:
            fail(exc)
            return
        if as_json:
            doc = bt.to_dict()
            doc["rows"] = records(bt.rows[list(JSON_ROW)])
            if cal is not None:
                cdoc = cal.to_dict()
                cdoc["rows"] = records(cal.rows[list(JSON_ROW)])
                doc = {"uncalibrated": doc, "calibrated": cdoc}
            print_json(doc)
            return
        if len(bt.rows) == 0:
            console.print(f"no observed rows of {bt.year} in this dataset (observed.csv)", highlight=False)
            return
        rows = bt.rows.copy()
        rows["ok"] = rows["ok"].map({True: "pass", False: "FAIL"})
        cols = ["id", "role", "observed", "model", "tolerance", "deviation", "unit", "ok"]
        title = f"Back-test {bt.scenario}, {bt.year}: observed vs model"
        if cal is not None:
            rows.insert(rows.columns.get_loc("model") + 1, "calibrated", cal.rows["model"].to_numpy())
            rows["ok_cal"] = cal.rows["ok"].map({True: "pass", False: "FAIL"}).to_numpy()
            cols = ["id", "role", "observed", "model", "calibrated", "tolerance", "unit", "ok", "ok_cal"]
            title += " (uncalibrated and calibrated)"
        console.print(frame_table(rows[cols], title))
        for key in ("year", "role"):
            frame = getattr(bt, f"by_{key}")
            if cal is not None:
                c = getattr(cal, f"by_{key}")
                frame = frame.assign(passed_calibrated=c["passed"], score_calibrated_pct=c["score_pct"])
            console.print(frame_table(frame, f"Score by {key}", floatfmt="{:,.1f}"))
        skipped = ", ".join(f"{n} of {y}" for y, n in bt.not_measured.items())
        if skipped:
            console.print(f"not measured (another year than the plan's): {skipped}", highlight=False)

    def _summary(dataset: str | None, scenario: str | None, as_json: bool) -> None:
        from crudeflow.api import backtest_all

        if scenario is not None:
            fail(CrudeflowError("backtest --all plans every historical scenario: leave out --scenario"))
            return
        try:
            summary = backtest_all(dataset)
        except CrudeflowError as exc:
            fail(exc)
            return
        if as_json:
            print_json(summary.to_dict())
            return
        table = summary.table.rename(columns={"score_pct": "score %", "passed_calibrated": "passed cal",
                                              "score_calibrated_pct": "score cal %"})  # fmt: skip
        console.print(frame_table(table, f"Back-test of {summary.dataset}: every year it can express",
                                  floatfmt="{:,.0f}"))  # fmt: skip
        console.print(
            "misses: the calibrated plan's rows outside their tolerance, model/observed, largest first",
            highlight=False,
        )

    @app.command("calibrate")
    def calibrate_cmd(
        dataset: DatasetOpt = None,
        write: Annotated[
            bool, typer.Option("--write", help="Replace the dataset's frictions.csv with the result.")
        ] = False,
        as_json: JsonOpt = False,
    ) -> None:
        """Frictions (USD/t on observed corridors) that make the calibrate rows of observed.csv optimal."""
        from crudeflow.api import calibrate

        try:
            cal = calibrate(dataset, write=write)
        except CrudeflowError as exc:
            fail(exc)
            return
        if as_json:
            print_json(cal.to_dict())
            return
        n = len(cal.frictions)
        console.print(
            f"{cal.dataset} {cal.year}: {n} friction(s) for {len(cal.rows)} calibrate rows; "
            f"{cal.seconds:.2f} s ({cal.seconds / max(cal.plan_seconds, 1e-9):,.0f} × one plan's solve)",
            highlight=False,
        )
        if n:
            console.print(
                frame_table(cal.frictions[FRICTION_SHOW], "Frictions, largest first (USD/t, Mt/yr)")
            )
        rows = cal.rows[["observed", "uncalibrated", "calibrated", "tolerance", "unit", "ok_uncalibrated",
                         "ok_calibrated"]]  # fmt: skip
        console.print(frame_table(rows, "Calibrate rows: uncalibrated and calibrated plans"))
        if cal.missed:
            console.print(f"[yellow]not reachable (friction = penalty):[/] {', '.join(cal.missed)}")
        if write:
            console.print("wrote frictions.csv (plans use it with --calibrated)", highlight=False)
