"""Three executors behind one small protocol: ``serial``, ``local`` (processes) and ``dask``."""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from crudeflow.exceptions import CrudeflowError

_SHARED: dict[str, Any] = {}
"""Per worker process: the shared object sent once by the local executor's initializer."""


class Executor(Protocol):
    """Maps a pure worker over items, yielding ``(position, result)`` as they complete."""

    name: str
    workers: int

    def map(
        self, fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Run ``fn(shared, item)`` for every item; yield results as they complete."""
        ...

    def close(self) -> None:
        """Release workers (cancelling pending work)."""
        ...


class SerialExecutor:
    """In-process, in order: the reference and the test double."""

    name = "serial"
    workers = 1

    def map(
        self, fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Run items one after another in this process."""
        for i, item in enumerate(items):
            yield i, fn(shared, item)

    def close(self) -> None:
        """Nothing to release."""


def _init_worker(shared: Any) -> None:
    # Ctrl-C is the parent's to handle: it cancels pending items and keeps finished ones
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _SHARED["value"] = shared


def _call_shared(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    return fn(_SHARED["value"], item)


class LocalExecutor:
    """Local worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn start).

    ``shared`` is pickled once per process through the pool initializer.
    """

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or multiprocessing.cpu_count())
        self._pool: ProcessPoolExecutor | None = None

    def map(
        self, fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Submit every item to the pool; yield results in completion order."""
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_init_worker, initargs=(shared,)
        )
        futures: dict[Future[Any], int] = {
            self._pool.submit(_call_shared, fn, item): i for i, item in enumerate(items)
        }
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            self.close()

    def close(self) -> None:
        """Cancel pending items and shut the pool down."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskExecutor:
    """A Dask distributed cluster given by scheduler address (or an existing ``Client``).

    ``shared`` is scattered to every worker once (broadcast) and passed as a future.
    """

    name = "dask"

    def __init__(self, scheduler: Any, *, timeout_s: float = 10.0) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            msg = "the dask executor needs 'distributed': pip install 'distributed>=2024.1'"
            raise CrudeflowError(msg) from exc
        if isinstance(scheduler, Client):
            self.client = scheduler
            self._own = False
        else:
            try:
                self.client = Client(scheduler, timeout=timeout_s, set_as_default=False)
            except OSError as exc:
                msg = f"cannot reach the Dask scheduler at {scheduler}: {exc}"
                raise CrudeflowError(msg) from exc
            self._own = True
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self._futures: list[Any] = []

    def map(
        self, fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Scatter ``shared``, map items as tasks, yield results as they complete."""
        from distributed import as_completed as dask_completed

        handle = self.client.scatter(shared, broadcast=True, hash=False)
        self._futures = [self.client.submit(fn, handle, item, pure=False) for item in items]
        pos = {f.key: i for i, f in enumerate(self._futures)}
        try:
            for fut in dask_completed(self._futures, loop=self.client.loop):
                yield pos[fut.key], fut.result()
        finally:
            self.client.cancel(self._futures)
            self._futures = []

    def close(self) -> None:
        """Cancel pending tasks; close the client if this executor opened it."""
        if self._futures:
            self.client.cancel(self._futures)
            self._futures = []
        if self._own:
            self.client.close()


def get_executor(
    name: str | None = None, *, workers: int | None = None, scheduler: Any = None, timeout_s: float = 10.0
) -> Executor:
    """An executor by name: ``serial``, ``local`` (default) or ``dask`` (needs ``scheduler``).

    A scheduler address implies ``dask`` (``timeout_s`` to connect); ``local`` with one
    worker runs in-process.
    """
    name = name or ("dask" if scheduler is not None else "local")
    if name == "dask":
        if scheduler is None:
            msg = "the dask executor needs a scheduler address (tcp://HOST:PORT)"
            raise CrudeflowError(msg)
        return DaskExecutor(scheduler, timeout_s=timeout_s)
    if name == "serial" or (name == "local" and workers == 1):
        return SerialExecutor()
    if name == "local":
        return LocalExecutor(workers)
    msg = f"unknown executor {name!r}: expected serial, local or dask"
    raise CrudeflowError(msg)
