"""The local pool's guarantees, worker-count checks and Dask address checks."""

from __future__ import annotations

import os
import re
import time

import pytest

from crudeflow.exceptions import CrudeflowError
from crudeflow.parallel import LocalExecutor, SerialExecutor, check_workers, cpu_count, get_executor
from crudeflow.parallel.executors import check_scheduler_address


def _die_on_three(shared: int, item: int) -> int:
    if item == 3:
        os._exit(7)  # a crash the worker cannot report
    return shared + item


def _fail_on_two(shared: int, item: int) -> int:
    if item == 2:
        msg = f"item {item} is bad"
        raise ValueError(msg)
    return shared + item


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    ex = LocalExecutor(2)
    with pytest.raises(CrudeflowError, match="worker process stopped unexpectedly"):
        dict(ex.map(_die_on_three, 10, list(range(6))))
    assert ex._procs == []  # every worker stopped and reaped


def test_a_worker_exception_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="item 2 is bad"):
        dict(LocalExecutor(2).map(_fail_on_two, 10, list(range(5))))


def test_stopping_early_stops_the_workers() -> None:
    ex = LocalExecutor(2)
    it = ex.map(_fail_on_two, 10, [0, 1, 3, 4, 5])
    first = next(it)
    procs = list(ex._procs)
    assert first[1] in (10, 11)
    it.close()  # what Ctrl-C in the caller's loop does
    assert all(p.exitcode is not None for p in procs)


def test_worker_counts_are_checked_and_capped() -> None:
    for bad in (0, -3):
        with pytest.raises(CrudeflowError, match=f"at least 1, not {bad}"):
            check_workers(bad)
        with pytest.raises(CrudeflowError, match="at least 1"):
            get_executor(workers=bad)
    n, note = check_workers(1000)
    assert n == cpu_count()
    assert note == f"workers capped at {cpu_count()}, the cores available (asked for 1000)"
    ex = get_executor(workers=1000)
    assert ex.workers == cpu_count()
    assert "capped" in ex.note
    assert check_workers(1) == (1, "")
    assert isinstance(get_executor(workers=1), SerialExecutor)


@pytest.mark.parametrize(
    "address", ["nonsense", "tcp://nonsense", "tcp://host:port", "http://h:8786", "tcp://:8786", "tcp://h:0"]
)
def test_malformed_scheduler_address_is_a_clean_error_at_once(address: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(CrudeflowError, match="Dask scheduler address"):
        get_executor(scheduler=address, timeout_s=30.0)
    assert time.monotonic() - t0 < 5.0  # not after a connect timeout


def test_scheduler_address_parts() -> None:
    assert check_scheduler_address("tcp://10.0.0.1:8786") == ("tcp", "10.0.0.1", 8786)
    assert check_scheduler_address("tls://[::1]:8786") == ("tls", "::1", 8786)


def test_refused_scheduler_is_a_clean_error_within_the_timeout() -> None:
    t0 = time.monotonic()
    with pytest.raises(
        CrudeflowError, match=re.escape("cannot reach the Dask scheduler at tcp://127.0.0.1:1:")
    ):
        get_executor(scheduler="tcp://127.0.0.1:1", timeout_s=3.0)
    assert time.monotonic() - t0 < 3.0 + 5.0


def test_something_else_on_the_port_is_a_clean_error() -> None:
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def answer_garbage() -> None:
        for _ in range(2):  # the reachability check, then the identity probe
            conn, _ = server.accept()
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4)

    t = threading.Thread(target=answer_garbage, daemon=True)
    t.start()
    try:
        with pytest.raises(
            CrudeflowError,
            match=re.escape(f"cannot connect to the Dask scheduler at tcp://127.0.0.1:{port}:"),
        ):
            get_executor(scheduler=f"tcp://127.0.0.1:{port}", timeout_s=3.0)
    finally:
        server.close()
