"""Typed results: frames match their declarations, JSON keys are pinned, to_json is to_dict."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from crudeflow.analysis import (
    DIVERSIFY_CURVE,
    MC_DRIVERS,
    MC_SUMMARY,
    MC_SYSTEM,
    ROUTES_TABLE,
    STRESS_CHECKS,
    STRESS_RANKING,
    STRESS_SHUT_IN,
    STRESS_UNMET,
    compare_plans,
    diversify,
    montecarlo,
    routes,
    stress,
)
from crudeflow.api import plan
from crudeflow.model.network import Network
from crudeflow.optimize.status import SolveStatus
from crudeflow.results.tables import JSONResult, ResultTable, col

STRESS_KEYS = ["base_objective_usd", "interrupted", "seconds", "ranking", "unmet_mt_per_year",
               "shut_in_mt_per_year", "checks"]  # fmt: skip
MC_KEYS = ["n", "seed", "executor", "workers", "executor_note", "interrupted", "seconds", "summary", "system",
           "drivers"]  # fmt: skip
DIVERSIFY_KEYS = ["importer", "by", "first_unmet_cap_pct", "base", "curve", "interrupted"]
COMPARE_KEYS = ["units", "totals", "refineries", "flows", "unmet", "concentration"]
ROUTES_KEYS = ["from", "to", "k", "routes"]


def _same_json(res: JSONResult) -> dict[str, object]:
    doc = res.to_dict()
    assert json.loads(res.to_json()) == doc
    assert json.dumps(doc, allow_nan=False)  # no NaN, no NumPy scalars
    return doc


def test_stress_frames_and_json(diamond_net: Network) -> None:
    res = stress(diamond_net, assets="links", k=1)
    assert STRESS_RANKING.problems(res.ranking) == []
    assert STRESS_UNMET.problems(res.unmet) == []
    assert STRESS_SHUT_IN.problems(res.shut_in) == []
    assert STRESS_CHECKS.problems(res.checks) == []
    doc = _same_json(res)
    assert list(doc) == STRESS_KEYS
    assert len(res.to_dict(top=2)["ranking"]) == 2  # type: ignore[arg-type]
    first = doc["ranking"][0]  # type: ignore[index]
    assert list(first) == ["asset", *STRESS_RANKING.names]


def test_montecarlo_frames_and_json(diamond_net: Network) -> None:
    res = montecarlo(diamond_net, n=20, seed=1, workers=1, chunk_size=10)
    assert MC_SUMMARY.problems(res.summary) == []
    assert MC_SYSTEM.problems(res.system) == []
    assert MC_DRIVERS.problems(res.drivers) == []
    assert list(_same_json(res)) == MC_KEYS


def test_routes_and_diversify_frames_and_json(diamond_net: Network) -> None:
    r = routes(diamond_net, "A", "D")
    assert ROUTES_TABLE.problems(r.table) == []
    doc = _same_json(r)
    assert list(doc) == ROUTES_KEYS
    assert [x["links"] for x in doc["routes"]] == [["ab", "bd"], ["ac", "cd"]]  # type: ignore[index,union-attr]
    d = diversify(diamond_net, "BY", caps=(100, 50))
    assert DIVERSIFY_CURVE.problems(d.curve) == []
    assert list(_same_json(d)) == DIVERSIFY_KEYS


def test_comparison_and_plan_status(diamond_net: Network) -> None:
    p = plan(diamond_net)
    assert p.status is SolveStatus.OPTIMAL
    assert p.status == "optimal"
    assert p.to_dict()["status"] == "optimal"
    c = compare_plans(p, p)
    doc = _same_json(c)
    assert list(doc) == COMPARE_KEYS
    assert doc["units"] == "mt"


def test_a_declaration_finds_wrong_columns_and_dtypes() -> None:
    t = ResultTable(
        "t", "row", "id", (col("x_mt_per_year", "float64", "Mt/yr", ""), col("ok", "bool", "", ""))
    )
    good = t.frame([{"id": "a", "x_mt_per_year": 1.0, "ok": True}])
    assert t.problems(good) == []
    assert t.problems(t.frame()) == []  # an empty frame has the declared columns and dtypes
    assert t.frame().dtypes.to_dict() == {"x_mt_per_year": "float64", "ok": "bool"}
    bad = good.assign(ok=["yes"])
    assert [p.endswith("declared bool") and p.startswith("t.ok: ") for p in t.problems(bad)] == [True]
    assert t.problems(good.reset_index()) != []
    assert t.problems(good[["ok", "x_mt_per_year"]]) != []
    assert "| `x_mt_per_year` | float64 | Mt/yr |" in t.describe()


@pytest.mark.parametrize("frame", [pd.DataFrame({"a": [1.5]}), pd.DataFrame({"a": [float("nan")]})])
def test_records_are_json_ready(frame: pd.DataFrame) -> None:
    from crudeflow.results.tables import records

    assert json.dumps(records(frame), allow_nan=False)
