"""A pool of solver worker processes with a bounded queue, progress and cancellation.

Each worker is a long-lived process (spawned, so it shares no threads or solver state
with the server) served by one thread here. Jobs wait in a bounded queue; a full queue
raises :class:`QueueFullError` (the API answers 503 with ``Retry-After``). Cancelling a queued
job drops it; cancelling a running job terminates its worker process, which is replaced.
HiGHS's output redirection is per process, so one solve per process is also the safe way.
"""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import queue
import secrets
import signal
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from crudeflow.exceptions import CrudeflowError

STATUSES = ("queued", "running", "done", "failed", "cancelled")
KEEP_FINISHED = 1000
"""Finished jobs kept in memory for polling (their runs are in the store for good)."""


class QueueFullError(CrudeflowError):
    """Every worker is busy and the queue is full; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int, queued: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"the server is busy: {queued} jobs are waiting (the queue is full)")


def error_record(exc: BaseException) -> dict[str, Any]:
    """A CrudeflowError as JSON: type, first line of the message, and every problem."""
    from crudeflow.web.catalog import problems_json

    lines = str(exc).splitlines() or [type(exc).__name__]
    problems = getattr(exc, "problems", ())
    return {
        "type": type(exc).__name__,
        "message": lines[0],
        "detail": lines[1:] if not problems else [],
        "problems": problems_json(problems),
    }


def _worker_main(conn: Connection) -> None:
    """A worker process: run tasks sent by the server, report progress, send results back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    from crudeflow.web.tasks import run_task, warm_up

    warm_up()

    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        kind, payload = msg

        def report(rec: dict[str, Any]) -> None:
            conn.send(("progress", rec))

        try:
            out = run_task(kind, payload, report)
        except CrudeflowError as exc:
            conn.send(("error", error_record(exc)))
        except Exception as exc:
            traceback.print_exc()
            conn.send(
                (
                    "error",
                    {
                        "type": "InternalError",
                        "message": f"internal error in a worker "
                        f"({type(exc).__name__}: {exc}); the server log has the traceback",
                        "detail": [],
                        "problems": [],
                    },
                )
            )
        else:
            conn.send(("done", out))


@dataclass(eq=False)
class Job:
    """One unit of work: its kind, input, state, progress and outcome. Times are Unix seconds."""

    kind: str
    payload: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: secrets.token_urlsafe(9))
    status: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    run_id: str | None = None
    cancel_requested: bool = False
    future: concurrent.futures.Future[Job] = field(default_factory=concurrent.futures.Future)

    @property
    def done(self) -> bool:
        """True once the job finished, failed or was cancelled."""
        return self.status in ("done", "failed", "cancelled")

    def progress_json(self) -> dict[str, Any]:
        """Phase and fraction done (``done``/``total`` as the analysis reports them; none before it does)."""
        p = dict(self.progress)
        if self.status == "done":
            p.update(fraction=1.0)
        elif "total" in p and p.get("total"):
            p["fraction"] = min(1.0, float(p.get("done", 0.0)) / float(p["total"]))
        else:
            p.setdefault("fraction", None)
        return p

    def to_json(self) -> dict[str, Any]:
        """What ``GET /api/jobs/{id}`` answers (the result only once done)."""
        end = self.finished or time.time()
        rec: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "label": self.meta.get("label", ""),
            "dataset": self.meta.get("dataset_id"),
            "scenario": self.meta.get("scenario_name"),
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "queued_seconds": (self.started or end) - self.created,
            "run_seconds": (end - self.started) if self.started else None,
            "progress": self.progress_json(),
            "run_id": self.run_id,
            "error": self.error,
        }
        return rec


Finisher = Callable[[Job], None]
"""Called in the worker's thread when a job succeeds (the server saves its run here)."""


class _Slot:
    """One worker process and the thread that feeds it."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.job: Job | None = None
        self.proc: Any = None
        self.conn: Connection | None = None
        self._spawn()
        self.thread = threading.Thread(target=self._serve, name=f"crudeflow-worker-{index}", daemon=True)

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_worker_main, args=(child,), name=f"crudeflow-solver-{self.index}", daemon=True
        )
        proc.start()
        child.close()
        self.proc, self.conn = proc, parent

    def kill(self) -> None:
        """Terminate the worker process (its thread sees the pipe close)."""
        if self.proc is not None and self.proc.is_alive():
            self.proc.terminate()

    def _serve(self) -> None:
        pool = self.pool
        while True:
            job = pool._queue.get()
            if job is None:
                return
            with pool._lock:
                if job.status == "cancelled":
                    continue
                job.status, job.started, self.job = "running", time.time(), job
            try:
                kind, out = self._run(job)
            finally:
                with pool._lock:
                    self.job = None
            pool._finish(job, kind, out)

    def _run(self, job: Job) -> tuple[str, dict[str, Any]]:
        if self.proc is None or not self.proc.is_alive() or self.conn is None:
            self._spawn()
        assert self.conn is not None
        try:
            self.conn.send((job.kind, job.payload))
            while True:
                kind, data = self.conn.recv()
                if kind == "progress":
                    job.progress = data
                    continue
                return kind, data
        except (EOFError, OSError):
            # the worker died: cancelled (we terminated it) or crashed; start a fresh one
            if self.proc is not None:
                self.proc.join(timeout=5)
            code = None if self.proc is None else self.proc.exitcode
            if self.conn is not None:
                self.conn.close()
            self.proc, self.conn = None, None
            if not self.pool._closing:
                self._spawn()
            if job.cancel_requested:
                return "cancelled", {}
            return "error", {
                "type": "InternalError",
                "message": f"the worker process died (exit code {code})",
                "detail": [],
                "problems": [],
            }


class WorkerPool:
    """``workers`` solver processes and a queue of at most ``queue_size`` waiting jobs."""

    def __init__(self, workers: int, queue_size: int, on_done: Finisher | None = None) -> None:
        self.workers = workers
        self.queue_size = queue_size
        self.on_done = on_done
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._closing = False
        self._mean_seconds = 1.0
        self._slots = [_Slot(self, i) for i in range(workers)]
        for s in self._slots:
            s.thread.start()

    def submit(self, kind: str, payload: dict[str, Any], meta: dict[str, Any] | None = None) -> Job:
        """Queue a job; QueueFullError when the queue already holds ``queue_size`` jobs."""
        job = Job(kind, payload, dict(meta or {}))
        with self._lock:
            self._jobs[job.id] = job
            self._trim()
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            with self._lock:
                self._jobs.pop(job.id, None)
            raise QueueFullError(self.retry_after(), self._queue.qsize()) from None
        return job

    def retry_after(self) -> int:
        """Seconds until a queue place is likely free: the queue's work spread over the workers."""
        return max(1, math.ceil((self._queue.qsize() + 1) * self._mean_seconds / self.workers))

    def get(self, job_id: str) -> Job | None:
        """A job by id (None once forgotten or never known)."""
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self, limit: int = 100) -> list[Job]:
        """The newest jobs first."""
        with self._lock:
            return list(reversed(self._jobs.values()))[:limit]

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job, or terminate the worker running it; finished jobs are left alone."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.done:
                return job
            job.cancel_requested = True
            if job.status == "queued":
                job.status, job.finished = "cancelled", time.time()
                job.future.set_result(job)
                return job
            slot = next((s for s in self._slots if s.job is job), None)
        if slot is not None:
            slot.kill()
        return job

    def stats(self) -> dict[str, Any]:
        """Workers, how many are busy, queued jobs and the queue's size."""
        with self._lock:
            busy = sum(1 for s in self._slots if s.job is not None)
        return {
            "workers": self.workers,
            "busy": busy,
            "queued": self._queue.qsize(),
            "queue_size": self.queue_size,
        }

    def _finish(self, job: Job, kind: str, out: dict[str, Any]) -> None:
        if kind == "done":
            job.result = out
            if self.on_done is not None:
                try:
                    self.on_done(job)
                except CrudeflowError as exc:
                    kind, out = "error", error_record(exc)
                except Exception as exc:
                    traceback.print_exc()
                    kind = "error"
                    out = {
                        "type": "InternalError",
                        "message": f"could not save the run ({type(exc).__name__})",
                        "detail": [],
                        "problems": [],
                    }
        with self._lock:
            job.finished = time.time()
            if job.started is not None and kind == "done":
                self._mean_seconds = 0.8 * self._mean_seconds + 0.2 * (job.finished - job.started)
            if kind == "done":
                job.status = "done"
            elif kind == "cancelled":
                job.status, job.result = "cancelled", None
            else:
                job.status, job.error, job.result = "failed", out, None
        if not job.future.done():
            job.future.set_result(job)

    def _trim(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.done]
        for k in finished[: max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[k]

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting work, cancel what is queued, stop the workers."""
        self._closing = True
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None and not job.done:
                job.status, job.finished = "cancelled", time.time()
                job.future.set_result(job)
        for s in self._slots:
            if s.job is not None:
                s.job.cancel_requested = True
                s.kill()
        for _ in self._slots:
            self._queue.put(None)
        for s in self._slots:
            try:
                if s.conn is not None and s.job is None:
                    s.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.time() + timeout
        for s in self._slots:
            s.thread.join(timeout=max(0.1, deadline - time.time()))
            if s.proc is not None:
                s.proc.join(timeout=max(0.1, deadline - time.time()))
                if s.proc.is_alive():
                    s.proc.kill()
                    s.proc.join(timeout=1)
