"""The store on SQLite and on a real PostgreSQL: migration from empty, runs shared between servers.

The PostgreSQL tests use ``$CRUDEFLOW_TEST_POSTGRES_URL`` (``.ci/run`` installs Debian's
PostgreSQL, starts it and sets it), each in a fresh schema; they skip locally without it
and fail under ``CI=true``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import DATASET, SCENARIO, ServerProcess, web_app

COLUMNS = {
    "id",
    "created_at",
    "kind",
    "label",
    "dataset_id",
    "dataset_hash",
    "scenario_name",
    "scenario_text",
    "options",
    "crudeflow_version",
    "highs_version",
    "timings",
    "summary",
    "results",
}


def sample_run(**over: Any) -> Any:
    from crudeflow.web.store import NewRun

    fields = {
        "kind": "plan",
        "dataset_id": DATASET,
        "dataset_hash": "ab" * 32,
        "scenario_name": "cut",
        "scenario_text": "name: cut\nchanges: []\n",
        "options": {"strict": False},
        "crudeflow_version": "0.1.0",
        "highs_version": "1.16.0",
        "timings": {"plan_seconds": 0.25},
        "summary": {"unmet_mt_per_year": 1.5},
        "results": {
            "unmet": [{"node": "mozyr", "mt_per_year": 1.5, "reason": "ä → ü"}],
            "objective_usd": 7.1e10,
        },
    }
    fields.update(over)
    return NewRun(**fields)


def check_migration_from_empty(url: str) -> None:
    web_app()
    from sqlalchemy import inspect

    from crudeflow.web.store import Store

    store = Store(url)
    assert store.revision() == "0001"
    cols = {c["name"] for c in inspect(store.engine).get_columns("runs")}
    assert cols == COLUMNS
    assert store.count() == 0
    run_id = store.save(sample_run())
    again = Store(url)  # a second open finds the schema current and the run there
    assert again.revision() == "0001"
    got = again.get(run_id)
    assert got is not None
    assert got["results"] == sample_run().results
    assert got["scenario_text"] == sample_run().scenario_text
    total, rows = again.list_runs(kind="plan")
    assert total == 1
    assert rows[0]["id"] == run_id
    assert "results" not in rows[0]
    assert again.list_runs(kind="stress") == (0, [])
    store.close()
    again.close()


def test_sqlite_migration_from_empty(tmp_path: Path) -> None:
    check_migration_from_empty(f"sqlite:///{tmp_path / 'deep' / 'folder' / 'runs.sqlite'}")


def test_postgres_migration_from_empty(pg_url: str) -> None:
    check_migration_from_empty(pg_url)


def test_bad_store_url_is_a_clear_error(tmp_path: Path) -> None:
    web_app()
    from crudeflow.web.store import Store, StoreError

    with pytest.raises(StoreError, match="not a database URL"):
        Store("definitely not a url")
    with pytest.raises(StoreError, match="cannot open the store"):
        Store("postgresql://nobody:secret@127.0.0.1:1/none")


def shared_between_servers(url: str) -> None:
    """Server A plans and saves; server B, another process on the same store, reads it back whole."""
    import httpx2 as httpx

    a, b = ServerProcess(url), ServerProcess(url)
    try:
        a.wait_ready()
        b.wait_ready()
        r = httpx.post(f"{a.url}/api/plans", json={"dataset": DATASET, "scenario": SCENARIO}, timeout=120)
        assert r.status_code == 201, r.text
        run_id = r.json()["run_id"]
        from_a = httpx.get(f"{a.url}/api/runs/{run_id}", timeout=30).json()
        from_b = httpx.get(f"{b.url}/api/runs/{run_id}", timeout=30).json()
        assert from_b == from_a
        assert from_b["results"]["objective_usd"] > 0
        assert run_id in [x["id"] for x in httpx.get(f"{b.url}/api/runs", timeout=30).json()["runs"]]
        # B can re-solve A's run from its saved inputs
        fig = httpx.get(f"{b.url}/api/runs/{run_id}/figures", timeout=120).json()
        assert fig["reproduced"] is True
    finally:
        out_a, out_b = a.stop(), b.stop()
    assert "Traceback" not in out_a + out_b, out_a + out_b


@pytest.mark.slow
def test_sqlite_runs_shared_between_server_processes(tmp_path: Path) -> None:
    web_app()
    shared_between_servers(f"sqlite:///{tmp_path / 'runs.sqlite'}")


@pytest.mark.slow
def test_postgres_runs_shared_between_server_processes(pg_url: str) -> None:
    shared_between_servers(pg_url)


def _open_store(url: str) -> str | None:
    from crudeflow.web.store import Store

    store = Store(url)
    try:
        return store.revision()
    finally:
        store.close()


def test_postgres_servers_migrating_an_empty_schema_at_once(pg_url: str) -> None:
    """Four processes opening the store together on an empty schema all end at the newest one."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    web_app()
    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        revisions = list(pool.map(_open_store, [pg_url] * 4, timeout=120))
    assert revisions == ["0001"] * 4
