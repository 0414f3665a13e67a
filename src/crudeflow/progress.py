"""Progress callbacks and cancel tokens: how a caller follows and stops a long analysis.

An analysis that sweeps cases (``stress``, ``montecarlo``, ``diversify``) takes
``progress(done, total)``, called with monotone ``done`` from 0 to ``total`` (cases,
draws or levels), and a ``cancel`` token it checks between cases. A cancelled run stops
there and returns the cases finished so far, flagged ``interrupted``. Nothing here knows
of terminals: the CLI draws its progress bar from the callback, a web worker forwards it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeAlias

ProgressFn: TypeAlias = Callable[[int, int], None]
"""``progress(done, total)``: ``done`` never decreases and ends at ``total`` on a full run."""


class _Event(Protocol):
    def set(self) -> None: ...
    def is_set(self) -> bool: ...


class CancelToken:
    """A flag a caller sets to stop an analysis between cases: ``cancel()``, ``cancelled``.

    Backed by a ``threading.Event`` (another thread of this process cancels), or by a
    ``multiprocessing`` event for a token shared with a worker process
    (``CancelToken.for_processes()``; pass the token to the process that runs the analysis).
    """

    def __init__(self, event: _Event | None = None) -> None:
        self._event: _Event = event if event is not None else threading.Event()

    @classmethod
    def for_processes(cls) -> CancelToken:
        """A token that works across processes (a ``multiprocessing`` event, spawn context)."""
        import multiprocessing

        return cls(multiprocessing.get_context("spawn").Event())

    def cancel(self) -> None:
        """Ask the analysis to stop at its next check (between cases)."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once ``cancel()`` was called."""
        return self._event.is_set()

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"


def is_cancelled(token: CancelToken | None) -> bool:
    """True when a token is given and cancelled."""
    return token is not None and token.cancelled


def report(progress: ProgressFn | None, done: int, total: int) -> None:
    """Call ``progress(done, total)`` when a callback is given."""
    if progress is not None:
        progress(done, total)
