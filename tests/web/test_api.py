"""Every endpoint of the JSON API through the in-process client, good and bad input."""

from __future__ import annotations

import csv
import io
import time
from importlib import resources
from typing import Any

import pytest

from .conftest import DATASET, SCENARIO

pytestmark = pytest.mark.slow


def problems(r: Any) -> list[dict[str, Any]]:
    body = r.json()
    assert set(body) == {"error"}, body
    assert "Traceback" not in r.text
    return list(body["error"]["problems"])


def wait_job(client: Any, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        j = client.get(f"/api/jobs/{job_id}").json()
        if j["status"] not in ("queued", "running"):
            return dict(j)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running")


def test_health(client: Any) -> None:
    h = client.get("/api/health").json()
    assert h["status"] == "ok"
    assert h["workers"] == 2
    assert h["queue_size"] == 16
    assert h["highs_version"].count(".") == 2
    assert h["store"].startswith("sqlite:///")


def test_datasets_listing_and_one_dataset(client: Any) -> None:
    from crudeflow.web.catalog import content_hash

    ds = client.get("/api/datasets").json()["datasets"]
    cas = next(d for d in ds if d["id"] == DATASET)
    folder = resources.files("crudeflow") / "datasets" / DATASET
    assert cas["content_hash"] == content_hash(folder)  # type: ignore[arg-type]
    assert cas["source"] == "shipped"
    one = client.get(f"/api/datasets/{DATASET}").json()
    links = {r["id"]: r for r in one["links"]}
    assert links["druzhba_unecha_mozyr"]["mode"] == "pipeline"
    assert "BY" in one["countries"]
    assert len(one["links"]) == one["summary"]["links"]


@pytest.mark.parametrize("bad", ["nope", "..", "...", "%2e%2e%2fetc", "caspian-europe%2f..%2f..", "a" * 150])
def test_unknown_or_traversing_dataset_ids_are_404(client: Any, bad: str) -> None:
    r = client.get(f"/api/datasets/{bad}")
    assert r.status_code == 404
    assert "Traceback" not in r.text
    assert (
        "/" not in r.json()["error"]["message"].split("dataset")[-1]
        or "no dataset" in r.json()["error"]["message"]
    )


def test_plan_on_a_path_instead_of_a_dataset_id_is_refused(client: Any) -> None:
    for bad in ("/etc", "../../../etc", str(resources.files("crudeflow") / "datasets" / DATASET)):
        r = client.post("/api/plans", json={"dataset": bad})
        assert r.status_code == 422, bad
        p = problems(r)
        assert p[0]["column"] == "dataset"
        assert DATASET in p[0]["expected"]


def test_scenarios(client: Any) -> None:
    names = [s["name"] for s in client.get("/api/scenarios", params={"dataset": DATASET}).json()["scenarios"]]
    assert SCENARIO in names
    assert client.get("/api/scenarios", params={"dataset": "other"}).json()["scenarios"] == []
    text = client.get(f"/api/scenarios/{SCENARIO}").json()["yaml"]
    assert text == (resources.files("crudeflow") / "scenarios" / f"{SCENARIO}.yaml").read_text(
        encoding="utf-8"
    )
    r = client.get("/api/scenarios/..%2F..%2Fpyproject")
    assert r.status_code == 404


GOOD = "name: cut\nbase: caspian-europe\nchanges:\n  - capacity: {odessa_brody: 12}\n"


def test_validate_good_scenario(client: Any) -> None:
    r = client.post("/api/scenarios/validate", json={"dataset": DATASET, "scenario_yaml": GOOD})
    assert r.status_code == 200, r.text
    assert r.json()["changes"] == [{"kind": "capacity", "line": 4}]


@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        ("name: x\nchanges:\n  - disable_links: [nope]\n", 3, "disable_links", "'nope'"),
        ("name: x\nbase: other-dataset\nchanges: []\n", 2, "base", "'other-dataset'"),
        ("name: x\nchanges:\n  - capacity: {odessa_brody: -3}\n", 3, "capacity.odessa_brody", "-3"),
        ("name: x\nchanges:\n  - teleport: [a]\n", 3, "teleport", "'teleport'"),
        ("name: x\nchanges: [\n", 3, None, None),
        ("name: x\nchanges: 7\n", 2, "changes", "the number 7"),
    ],
)
def test_validate_reports_line_and_column(
    client: Any, text: str, line: int, column: str | None, found: str | None
) -> None:
    r = client.post("/api/scenarios/validate", json={"dataset": DATASET, "scenario_yaml": text})
    assert r.status_code == 422
    p = problems(r)[0]
    assert p["file"] == "<scenario>.yaml"
    if line is not None:
        assert p["line"] == line, p
        assert f"line {line}" in p["message"]
    if column is not None:
        assert p["column"] == column
        assert p["found"] == found


def test_validate_limits_size_and_alias_expansion(client: Any) -> None:
    big = "name: x\ndescription: '" + "a" * 300_000 + "'\n"
    r = client.post("/api/scenarios/validate", json={"dataset": DATASET, "scenario_yaml": big})
    assert r.status_code == 422
    assert "256,000 bytes" in problems(r)[0]["expected"]
    bomb = (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + "name: x\n"
    )
    t0 = time.perf_counter()
    r = client.post("/api/scenarios/validate", json={"dataset": DATASET, "scenario_yaml": bomb})
    assert time.perf_counter() - t0 < 5
    assert r.status_code == 422
    assert "aliases" in problems(r)[0]["expected"]


def test_request_body_problems_name_the_field(client: Any) -> None:
    r = client.post("/api/plans", json={"dataset": DATASET, "strict": "very", "colour": "red"})
    assert r.status_code == 422
    cols = {p["column"] for p in problems(r)}
    assert {"strict", "colour"} <= cols
    r = client.post("/api/plans", json={})
    assert [p["column"] for p in problems(r)] == ["dataset"]
    r = client.post("/api/plans", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_plan_is_saved_and_matches_the_python_api(client: Any, belarus_run: str) -> None:
    import crudeflow

    run = client.get(f"/api/runs/{belarus_run}").json()
    direct = crudeflow.plan(DATASET, SCENARIO)
    assert run["results"]["objective_usd"] == pytest.approx(direct.objective_usd, rel=1e-9)
    s = run["summary"]
    demand = crudeflow.load(DATASET).demands["demand_mt_per_year"].sum()
    # every tonne of demand is either delivered or reported unmet
    assert s["delivered_mt_per_year"] + s["unmet_mt_per_year"] == pytest.approx(demand, abs=1e-6)
    assert sum(r["mt_per_year"] for r in run["results"]["unmet"]) == pytest.approx(s["unmet_mt_per_year"])
    assert {r["node"] for r in run["results"]["unmet"]} >= {"mozyr", "naftan"}
    assert run["scenario_name"] == SCENARIO
    assert "druzhba_transit_by_south" in run["scenario_text"]
    assert run["options"] == {"strict": False}
    assert run["crudeflow_version"] == crudeflow.__version__
    assert run["timings"]["plan_seconds"] > 0
    assert set(run["results"]) >= {"status", "objective_usd", "flows", "unmet", "deliveries", "bottlenecks"}


def test_plan_with_yaml_and_the_errors_of_a_plan(client: Any) -> None:
    r = client.post(
        "/api/plans", json={"dataset": DATASET, "scenario_yaml": GOOD, "label": "more Odessa-Brody"}
    )
    assert r.status_code == 201, r.text
    run = client.get(r.headers["location"]).json()
    assert run["label"] == "more Odessa-Brody"
    assert run["scenario_text"] == GOOD
    r = client.post("/api/plans", json={"dataset": DATASET, "scenario": SCENARIO, "scenario_yaml": GOOD})
    assert r.status_code == 422
    assert "not both" in r.json()["error"]["message"]
    r = client.post("/api/plans", json={"dataset": DATASET, "scenario": "no-such-scenario"})
    assert r.status_code == 422
    assert SCENARIO in problems(r)[0]["expected"]
    r = client.post("/api/plans", json={"dataset": DATASET, "scenario": SCENARIO, "strict": True})
    assert r.status_code == 422
    assert r.json()["error"]["type"] == "InfeasibleError"
    assert "mozyr" in " ".join([r.json()["error"]["message"], *r.json()["error"]["detail"]])


def test_plan_without_waiting_returns_the_job(client: Any) -> None:
    r = client.post("/api/plans", json={"dataset": DATASET, "wait": False})
    assert r.status_code == 202
    job = wait_job(client, r.json()["id"])
    assert job["status"] == "done"
    assert client.get(job["links"]["run"]).json()["kind"] == "plan"


def test_runs_listing(client: Any, base_run: str, belarus_run: str) -> None:
    body = client.get("/api/runs", params={"limit": 500}).json()
    ids = [r["id"] for r in body["runs"]]
    assert {base_run, belarus_run} <= set(ids)
    created = [r["created_at"] for r in body["runs"]]
    assert created == sorted(created, reverse=True)  # newest first
    assert "results" not in body["runs"][0]
    assert body["total"] >= len(ids)
    assert all(r["kind"] == "plan" for r in client.get("/api/runs", params={"kind": "plan"}).json()["runs"])
    for bad in ({"limit": 0}, {"limit": 10_000}, {"offset": -1}, {"kind": "poem"}):
        r = client.get("/api/runs", params=bad)
        assert r.status_code == 422, bad
        assert problems(r)[0]["column"] in bad
    assert client.get("/api/runs/doesnotexist").status_code == 404


def test_tables_csv_and_json_agree(client: Any, belarus_run: str) -> None:
    listing = client.get(f"/api/runs/{belarus_run}/tables").json()["tables"]
    names = {t["name"] for t in listing}
    assert {"flows", "unmet", "deliveries", "costs", "bottlenecks"} <= names
    rows = client.get(f"/api/runs/{belarus_run}/tables/unmet.json").json()
    r = client.get(f"/api/runs/{belarus_run}/tables/unmet.csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    parsed = list(csv.DictReader(io.StringIO(r.text)))
    assert [p["node"] for p in parsed] == [x["node"] for x in rows]
    assert [float(p["mt_per_year"]) for p in parsed] == pytest.approx([x["mt_per_year"] for x in rows])
    assert client.get(f"/api/runs/{belarus_run}/tables/secrets.csv").status_code == 404
    assert client.get(f"/api/runs/{belarus_run}/tables/unmet.xlsx").status_code == 422


def test_compare_two_runs(client: Any, base_run: str, belarus_run: str) -> None:
    c = client.get("/api/compare", params={"a": base_run, "b": belarus_run}).json()
    ra = client.get(f"/api/runs/{base_run}").json()
    rb = client.get(f"/api/runs/{belarus_run}").json()
    obj = next(t for t in c["totals"] if t["figure"] == "objective_usd")
    assert obj["delta"] == pytest.approx(
        rb["results"]["objective_usd"] - ra["results"]["objective_usd"], rel=1e-9
    )
    unmet = {u["node"]: u for u in c["unmet"]}
    stored = {u["node"]: u["mt_per_year"] for u in rb["results"]["unmet"]}
    assert {n: u["mt_per_year_b"] for n, u in unmet.items() if u["mt_per_year_b"] > 0} == pytest.approx(
        stored
    )
    assert c["a"]["id"] == base_run
    assert client.get("/api/compare", params={"a": base_run, "b": "nope"}).status_code == 404
    assert client.get("/api/compare", params={"a": base_run}).status_code == 422


def test_figures_reproduce_the_saved_plan(client: Any, belarus_run: str) -> None:
    f = client.get(f"/api/runs/{belarus_run}/figures").json()
    assert f["reproduced"] is True
    assert set(f["figures"]) == {"map", "sankey", "cost"}
    assert any(t.get("name") == "links" for t in f["figures"]["map"]["data"])


def test_report_is_offline_html(client: Any, base_run: str, belarus_run: str) -> None:
    r = client.get(f"/api/runs/{belarus_run}/report", params={"compare": base_run, "download": True})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"]
    html = r.text
    assert html.startswith("<!DOCTYPE html>")
    assert SCENARIO in html
    assert "<script src=" not in html  # plotly.js is inline
    assert client.get("/api/runs/nope/report").status_code == 404


def test_montecarlo_job_runs_in_one_worker_and_is_saved(client: Any) -> None:
    r = client.post(
        "/api/jobs", json={"dataset": DATASET, "kind": "montecarlo", "params": {"n": 60, "chunk_size": 20}}
    )
    assert r.status_code == 202, r.text
    job = wait_job(client, r.json()["id"])
    assert job["status"] == "done", job
    run = client.get(f"/api/runs/{job['run_id']}").json()
    assert run["kind"] == "montecarlo"
    res = run["results"]
    assert res["n"] == 60
    assert res["workers"] == 1  # serial inside its job's worker: no nested pool
    assert res["executor"] == "serial"
    for row in res["summary"]:
        assert 0.0 <= row["p_shortfall"] <= 1.0
        assert (
            row["p50_unmet_mt_per_year"]
            <= row["p90_unmet_mt_per_year"]
            <= row["p99_unmet_mt_per_year"] + 1e-9
        )
    assert run["options"] == {"params": {"n": 60, "seed": 1, "chunk_size": 20}}
    assert client.get(f"/api/runs/{job['run_id']}/figures").status_code == 409


def test_stress_job(client: Any) -> None:
    r = client.post(
        "/api/jobs", json={"dataset": DATASET, "scenario": SCENARIO, "kind": "stress", "params": {"top": 5}}
    )
    job = wait_job(client, r.json()["id"])
    assert job["status"] == "done", job
    res = client.get(f"/api/runs/{job['run_id']}").json()["results"]
    ranks = [row["rank"] for row in res["ranking"]]
    assert ranks == [1, 2, 3, 4, 5]
    lost = [row["lost_mt_per_year"] for row in res["ranking"]]
    assert lost == sorted(lost, reverse=True)  # ranked by volume lost first


def test_job_parameters_are_checked(client: Any) -> None:
    r = client.post(
        "/api/jobs", json={"dataset": DATASET, "kind": "montecarlo", "params": {"n": 0, "workers": 8}}
    )
    assert r.status_code == 422
    assert {p["column"] for p in problems(r)} == {"params.n", "params.workers"}
    r = client.post("/api/jobs", json={"dataset": DATASET, "kind": "poetry"})
    assert r.status_code == 422
    assert problems(r)[0]["column"] == "kind"


def test_cancel_a_running_montecarlo_then_the_pool_still_works(client: Any) -> None:
    r = client.post("/api/jobs", json={"dataset": DATASET, "kind": "montecarlo", "params": {"n": 100_000}})
    job_id = r.json()["id"]
    deadline = time.time() + 60
    while client.get(f"/api/jobs/{job_id}").json()["status"] != "running" and time.time() < deadline:
        time.sleep(0.1)
    t0 = time.perf_counter()
    c = client.post(f"/api/jobs/{job_id}/cancel")
    assert c.status_code == 200
    assert c.json()["status"] == "cancelled"
    assert time.perf_counter() - t0 < 10
    assert c.json()["run_id"] is None
    assert client.post(f"/api/jobs/{job_id}/cancel").status_code == 200  # cancelling twice is harmless
    r = client.post("/api/plans", json={"dataset": DATASET})
    assert r.status_code == 201  # the killed worker was replaced
    assert client.post("/api/jobs/nope/cancel").status_code == 404
    done = client.get("/api/jobs").json()["jobs"]
    finished = next(j for j in done if j["status"] == "done")
    assert client.post(f"/api/jobs/{finished['id']}/cancel").status_code == 409
    assert client.get("/api/jobs/nope").status_code == 404


def test_docs_and_schema_list_every_endpoint(client: Any) -> None:
    schema = client.get("/openapi.json").json()
    html = client.get("/docs").text
    assert '<script src="http' not in html
    assert "cdn" not in html.lower()
    paths = [p for p in schema["paths"] if p.startswith("/api/")]
    assert len(paths) >= 14
    for p in paths:
        assert p in html


def test_unknown_route_and_method_are_json(client: Any) -> None:
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["type"] == "NotFound"
    r = client.delete("/api/runs")
    assert r.status_code == 405
    assert r.json()["error"]["type"] == "MethodNotAllowed"


def test_body_size_limit(client: Any) -> None:
    r = client.post("/api/plans", content=b"x" * 1_100_000, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "1,000,000 bytes" in r.json()["error"]["message"]


def test_pages_and_static_files(client: Any, belarus_run: str) -> None:
    for path in ("/", "/runs", f"/runs/{belarus_run}", f"/compare?a={belarus_run}&b={belarus_run}", "/jobs"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert "http://" not in r.text.replace("http://127.0.0.1", "")  # nothing from the internet
    assert "Plan:" in client.get(f"/runs/{belarus_run}").text
    missing = client.get("/runs/nope")
    assert missing.status_code == 404
    assert "There is no run &#39;nope&#39;" in missing.text
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 1_000_000
    assert client.get("/static/countries.geojson").json()["type"] == "FeatureCollection"
    assert client.get("/static/app.js").status_code == 200
    for bad in ("nope.js", "..%2Fapp.py", "..%2F..%2Fstore.py", "__init__.py"):
        assert client.get(f"/static/{bad}").status_code == 404, bad
