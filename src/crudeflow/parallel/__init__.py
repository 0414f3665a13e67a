"""Executors chosen by name for chunked sweeps: in-process, local processes, or Dask.

A sweep is a pure worker ``fn(shared, item) -> result`` applied to many small items
(chunks of scenarios). ``shared`` (the LP and its arrays) is sent once per worker
process, not once per item; workers may cache expensive state (a live HiGHS model)
keyed by ``shared``'s token. Results come back as ``(position, result)`` in completion
order so callers can show progress and keep partial results on Ctrl-C.
"""

from __future__ import annotations

from crudeflow.parallel.executors import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    SerialExecutor,
    check_workers,
    cpu_count,
    get_executor,
)

__all__ = [
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "SerialExecutor",
    "check_workers",
    "cpu_count",
    "get_executor",
]
