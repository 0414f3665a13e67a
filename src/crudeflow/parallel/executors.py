"""Three executors behind one small protocol: ``serial``, ``local`` (processes) and ``dask``.

The local executor is a small process pool of its own rather than
``concurrent.futures.ProcessPoolExecutor``, for three guarantees the standard pool does
not give: a script calling crudeflow without an ``if __name__ == "__main__":`` guard
works (workers do not re-run the caller's script), Ctrl-C at any moment (even while
workers start) leaves no worker behind and prints no worker traceback, and a worker that
dies is an error at once, never a hang.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import socket
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

from crudeflow.exceptions import CrudeflowError

JOIN_TIMEOUT_S = 5.0
"""How long a stopped worker gets to exit before it is killed (seconds)."""


class Executor(Protocol):
    """Maps a pure worker over items, yielding ``(position, result)`` as they complete."""

    name: str
    workers: int
    note: str

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

    def __init__(self, note: str = "") -> None:
        self.note = note

    def map(
        self, fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Run items one after another in this process."""
        for i, item in enumerate(items):
            yield i, fn(shared, item)

    def close(self) -> None:
        """Nothing to release."""


def cpu_count() -> int:
    """Cores this process may use (affinity-aware where the platform tells)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def check_workers(workers: int | None) -> tuple[int, str]:
    """Validate a requested number of local workers: (workers to use, note; empty if as asked).

    ``None`` means one per core; below 1 is an error; above the cores available is capped
    (more processes than cores only add start-up time and contention).
    """
    cores = cpu_count()
    if workers is None:
        return cores, ""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        msg = f"workers must be a whole number of at least 1, not {workers!r}"
        raise CrudeflowError(msg)
    if workers > cores:
        return cores, f"workers capped at {cores}, the cores available (asked for {workers})"
    return workers, ""


def _worker_loop(conn: Connection, payload: bytes) -> None:
    """A worker: ``(position, item)`` in, ``(position, ok, result or exception)`` out.

    Started with SIGINT blocked (see ``_starting``): it ignores SIGINT for good before
    unblocking it, so Ctrl-C is the parent's alone. Exits on ``None`` or when the parent
    is gone (end of file on its pipe).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    fn, shared = pickle.loads(payload)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        pos, item = msg
        try:
            out: tuple[int, bool, Any] = (pos, True, fn(shared, item))
        except Exception as exc:  # sent back and re-raised by the parent
            out = (pos, False, exc)
        try:
            try:
                conn.send(out)
            except (pickle.PicklingError, TypeError, AttributeError):
                conn.send((pos, False, RuntimeError(f"{type(out[2]).__name__}: {out[2]}")))
        except OSError:
            return


def _payload(fn: Callable[[Any, Any], Any], shared: Any) -> tuple[bytes, bool]:
    """Pickle ``(fn, shared)`` once; also say whether workers can start without ``__main__``.

    Workers started by ``spawn`` re-run the caller's script (``__main__``) unless told not
    to; a script without a ``__main__`` guard then starts workers of its own and
    multiprocessing hangs. When nothing sent refers to ``__main__`` (crudeflow's own
    workers), workers are started with ``__main__`` hidden, so they never run it.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        return pickle.dumps((fn, shared), protocol=pickle.HIGHEST_PROTOCOL), True
    except (pickle.PicklingError, AttributeError, TypeError):
        pass
    finally:
        if main is not None:
            sys.modules["__main__"] = main
    return pickle.dumps((fn, shared), protocol=pickle.HIGHEST_PROTOCOL), False


@contextmanager
def _starting(hide_main: bool) -> Iterator[None]:
    """While workers start: SIGINT blocked (inherited by them) and deferred here; ``__main__`` hidden.

    A Ctrl-C arriving meanwhile is re-raised once every started worker is known, so the
    caller's cleanup can stop them all.
    """
    main_thread = threading.current_thread() is threading.main_thread()
    pending: list[int] = []
    old_handler: Any = None
    old_mask: Any = None
    if main_thread:
        old_handler = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
        if hasattr(signal, "pthread_sigmask"):
            # starting the resource tracker unblocks SIGINT: have it running first
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
            old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    main = sys.modules.get("__main__")
    if hide_main:
        sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if hide_main and main is not None:
            sys.modules["__main__"] = main
        if main_thread:
            if old_mask is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
            signal.signal(signal.SIGINT, signal.SIG_DFL if old_handler is None else old_handler)
            if pending:
                signal.raise_signal(signal.SIGINT)


class LocalExecutor:
    """Local worker processes, started fresh (``spawn``) with ``shared`` sent once to each.

    ``spawn`` rather than ``fork``: forking a process that already runs threads (BLAS,
    progress bars, a Dask client, the caller's own) can deadlock the child, and Python
    3.12+ warns about it; ``forkserver`` would still re-run ``__main__`` in each worker.
    The cost is the start-up of each worker (imports, about a second), which is why
    small Monte Carlo runs stay in-process.
    """

    name = "local"

    def __init__(self, workers: int | None = None, note: str = "") -> None:
        self.workers, cap_note = check_workers(workers)
        self.note = "; ".join(n for n in (note, cap_note) if n)
        self._procs: list[Any] = []
        self._conns: list[Connection] = []

    def map(
        self, fn: Callable[[Any, Any], Any], shared: Any, items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        """Start the workers, deal items one at a time to idle ones, yield results as they come."""
        todo = list(enumerate(items))
        if not todo:
            return
        payload, hide_main = _payload(fn, shared)
        ctx = multiprocessing.get_context("spawn")
        finished = False
        try:
            with _starting(hide_main):
                for k in range(min(self.workers, len(todo))):
                    here, there = ctx.Pipe(duplex=True)
                    self._conns.append(here)
                    proc = ctx.Process(
                        target=_worker_loop, args=(there, payload), name=f"crudeflow-worker-{k}", daemon=True
                    )
                    self._procs.append(proc)
                    proc.start()
                    there.close()
            queue = iter(todo)
            busy: dict[int, int] = {}
            for k, conn in enumerate(self._conns):
                nxt = next(queue, None)
                if nxt is not None:
                    conn.send(nxt)
                    busy[k] = nxt[0]
            while busy:
                watch: list[Any] = [self._conns[k] for k in busy] + [self._procs[k].sentinel for k in busy]
                ready = wait(watch)
                for k in list(busy):
                    conn, proc = self._conns[k], self._procs[k]
                    if conn in ready or (proc.sentinel in ready and conn.poll()):
                        try:
                            pos, ok, value = conn.recv()
                        except (EOFError, OSError):
                            pos, ok, value = busy[k], False, None
                        if not ok:
                            if isinstance(value, BaseException):
                                raise value
                            proc.join(JOIN_TIMEOUT_S)
                            msg = f"a worker process stopped unexpectedly (exit code {proc.exitcode})"
                            raise CrudeflowError(msg)
                        del busy[k]
                        nxt = next(queue, None)
                        if nxt is not None:
                            conn.send(nxt)
                            busy[k] = nxt[0]
                        yield pos, value
                    elif proc.sentinel in ready:
                        proc.join(JOIN_TIMEOUT_S)
                        msg = f"a worker process stopped unexpectedly (exit code {proc.exitcode})"
                        raise CrudeflowError(msg)
            finished = True
        finally:
            self._stop(graceful=finished)

    def _stop(self, *, graceful: bool) -> None:
        """Stop every worker: ask idle ones to exit, terminate the rest, kill what lingers."""
        procs, conns = self._procs, self._conns
        self._procs, self._conns = [], []
        for conn in conns:
            if graceful:
                with suppress(OSError):
                    conn.send(None)
            else:
                conn.close()
        for proc in procs:
            if proc.pid is not None and not graceful:
                proc.terminate()
        for proc in procs:
            if proc.pid is None:
                continue
            proc.join(JOIN_TIMEOUT_S)
            if proc.exitcode is None:
                proc.kill()
                proc.join(JOIN_TIMEOUT_S)
        for conn in conns:
            conn.close()

    def close(self) -> None:
        """Stop any workers still running (pending items are dropped)."""
        self._stop(graceful=False)


DASK_SCHEMES = ("tcp", "tls", "ws", "wss")


def check_scheduler_address(address: str) -> tuple[str, str, int]:
    """Parse ``SCHEME://HOST:PORT`` (tcp, tls, ws, wss) or raise a ``CrudeflowError`` naming it."""
    scheme, sep, rest = address.partition("://")
    host, colon, port_text = rest.rpartition(":")
    host = host.strip("[]")
    expected = "expected tcp://HOST:PORT (for example tcp://127.0.0.1:8786)"
    if not sep or scheme not in DASK_SCHEMES or not colon or not host or not port_text.isdigit():
        msg = f"Dask scheduler address {address!r} is not valid: {expected}"
        raise CrudeflowError(msg)
    port = int(port_text)
    if not 0 < port < 65536:
        msg = f"Dask scheduler address {address!r}: port {port} is outside 1-65535"
        raise CrudeflowError(msg)
    return scheme, host, port


def _probe_scheduler(address: str, timeout_s: float) -> None:
    """Ask ``address`` who it is (Dask's ``identity``) before a ``Client`` connects.

    Something else listening there (a proxy, another service) would make ``Client`` fail
    with odd errors and print a traceback of its own when collected; here it is a clean
    error. Runs on a thread of its own, so it works inside a running event loop (Jupyter).
    """
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def ask() -> Any:
        from distributed.comm.core import connect

        comm = await connect(address, timeout=timeout_s)
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), timeout_s)
            return await asyncio.wait_for(comm.read(), timeout_s)
        finally:
            comm.abort()

    with ThreadPoolExecutor(1) as pool:
        try:
            reply = pool.submit(asyncio.run, ask()).result()
        except Exception as exc:
            what = f"{type(exc).__name__}: {exc}"[:200]
            msg = f"cannot connect to the Dask scheduler at {address}: no Dask scheduler answered ({what})"
            raise CrudeflowError(msg) from exc
    if not (isinstance(reply, dict) and reply.get("type") == "Scheduler"):
        msg = f"{address} answers, but not as a Dask scheduler"
        raise CrudeflowError(msg)


class DaskExecutor:
    """A Dask distributed cluster given by scheduler address (or an existing ``Client``).

    ``shared`` is scattered to every worker once (broadcast) and passed as a future. An
    address is checked and its port tried before Dask connects, so a malformed or
    unreachable address is a clean error within ``timeout_s``.
    """

    name = "dask"

    def __init__(self, scheduler: Any, *, timeout_s: float = 10.0, note: str = "") -> None:
        self.note = note
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            msg = "the dask executor needs 'distributed': pip install 'distributed>=2024.1'"
            raise CrudeflowError(msg) from exc
        if isinstance(scheduler, Client):
            self.client = scheduler
            self._own = False
        else:
            address = str(scheduler)
            _, host, port = check_scheduler_address(address)
            try:
                with socket.create_connection((host, port), timeout=timeout_s):
                    pass
            except OSError as exc:
                msg = f"cannot reach the Dask scheduler at {address}: {exc or type(exc).__name__}"
                raise CrudeflowError(msg) from exc
            _probe_scheduler(address, timeout_s)
            try:
                self.client = Client(address, timeout=timeout_s, set_as_default=False)
            except Exception as exc:
                msg = f"cannot connect to the Dask scheduler at {address}: {type(exc).__name__}: {exc}"
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
    name: str | None = None,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    timeout_s: float = 10.0,
    note: str = "",
) -> Executor:
    """An executor by name: ``serial``, ``local`` (default) or ``dask`` (needs ``scheduler``).

    A scheduler address implies ``dask`` (``timeout_s`` to connect); ``local`` with one
    worker runs in-process. ``workers`` below 1 is an error; above the cores available
    it is capped, and the executor's ``note`` says so.
    """
    name = name or ("dask" if scheduler is not None else "local")
    if name == "dask":
        if scheduler is None:
            msg = "the dask executor needs a scheduler address (tcp://HOST:PORT)"
            raise CrudeflowError(msg)
        return DaskExecutor(scheduler, timeout_s=timeout_s, note=note)
    if name not in ("serial", "local"):
        msg = f"unknown executor {name!r}: expected serial, local or dask"
        raise CrudeflowError(msg)
    n, cap_note = check_workers(workers)
    full_note = "; ".join(x for x in (note, cap_note) if x)
    if name == "serial" or n == 1:
        return SerialExecutor(full_note)
    return LocalExecutor(n, note=full_note)
