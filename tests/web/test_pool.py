"""The worker pool: a bounded queue (full → QueueFullError with a retry time), cancel queued and running."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import DATASET, web_app

pytestmark = pytest.mark.slow


def payload(**extra: Any) -> dict[str, Any]:
    from crudeflow.web.app import Server
    from crudeflow.web.catalog import Catalog

    ref = Catalog().dataset(DATASET)
    return {**Server.payload(ref, None, "base", {}), **extra}


def test_queue_bound_and_cancel() -> None:
    web_app()
    from crudeflow.web.jobs import QueueFullError, WorkerPool

    pool = WorkerPool(workers=1, queue_size=1)
    try:
        slow = pool.submit("montecarlo", payload(params={"n": 100_000}))
        deadline = time.time() + 60
        while slow.status != "running" and time.time() < deadline:
            time.sleep(0.05)
        assert slow.status == "running"
        waiting = pool.submit("plan", payload())
        with pytest.raises(QueueFullError) as exc:
            pool.submit("plan", payload())
        assert exc.value.retry_after >= 1
        assert pool.stats() == {"workers": 1, "busy": 1, "queued": 1, "queue_size": 1}
        pool.cancel(waiting.id)
        assert waiting.status == "cancelled"
        pid = pool._slots[0].proc.pid
        pool.cancel(slow.id)
        slow.future.result(timeout=30)
        assert slow.status == "cancelled"
        after = pool.submit("plan", payload())
        after.future.result(timeout=120)
        assert after.status == "done", after.error
        assert after.result is not None
        assert after.result["summary"]["status"] == "optimal"
        assert pool._slots[0].proc.pid != pid  # a fresh worker replaced the terminated one
        assert waiting.started is None  # a cancelled queued job never ran
    finally:
        pool.close()


def test_worker_errors_come_back_as_records() -> None:
    web_app()
    from crudeflow.web.jobs import WorkerPool

    pool = WorkerPool(workers=1, queue_size=4)
    try:
        bad = pool.submit("plan", payload(scenario_text="name: x\nchanges:\n  - disable_nodes: [atlantis]\n"))
        bad.future.result(timeout=120)
        assert bad.status == "failed"
        assert bad.error is not None
        assert bad.error["type"] == "ScenarioError"
        assert bad.error["problems"][0]["line"] == 3
        assert bad.error["problems"][0]["found"] == "'atlantis'"
    finally:
        pool.close()
