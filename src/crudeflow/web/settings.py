"""Server settings: where it listens, the store, the access token, limits and pool size."""

from __future__ import annotations

import hmac
import ipaddress
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from crudeflow.exceptions import CrudeflowError, Problem

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_ENV = "CRUDEFLOW_TOKEN"
STORE_ENV = "CRUDEFLOW_STORE"
MAX_BODY_BYTES = 1_000_000
"""Largest request body accepted (bytes): a scenario plus its JSON envelope."""
MAX_SCENARIO_BYTES = 256_000
"""Largest scenario text accepted (bytes, UTF-8); the shipped ones are under 5 kB."""
MAX_YAML_NODES = 50_000
"""Largest scenario YAML after aliases are expanded (nodes): stops alias bombs."""


class SettingsError(CrudeflowError):
    """The server cannot start with these settings (e.g. an open address without a token)."""

    exit_code = 2


def user_data_dir() -> Path:
    """Where crudeflow keeps its files for this user (the default store lives here)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "crudeflow"


def default_store_url() -> str:
    """``$CRUDEFLOW_STORE`` or a SQLite file in the user's data directory."""
    env = os.environ.get(STORE_ENV)
    if env:
        return env
    return f"sqlite:///{user_data_dir() / 'runs.sqlite'}"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_workers() -> int:
    """Worker processes: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know at start-up. Sizes in bytes, times in seconds."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    store_url: str = field(default_factory=default_store_url)
    token: str | None = None
    datasets_dir: Path | None = None
    workers: int = field(default_factory=default_workers)
    queue_size: int = 64
    max_body_bytes: int = MAX_BODY_BYTES
    max_scenario_bytes: int = MAX_SCENARIO_BYTES
    wait_seconds: float = 600.0
    """How long ``POST /api/plans`` waits for its result before answering 202 with the job."""

    def check(self) -> None:
        """Refuse settings that would be unsafe or cannot work, saying which and why."""
        problems: list[Problem] = []
        if not is_loopback(self.host) and not self.token:
            problems.append(
                Problem(
                    "--host",
                    None,
                    None,
                    f"a token (--token or ${TOKEN_ENV}) to listen on {self.host}",
                    "no token: refusing to serve an open address without one",
                )
            )
        if self.token is not None and len(self.token) < 16:
            problems.append(Problem("--token", None, None, "at least 16 characters", f"{len(self.token)}"))
        if self.workers < 1 or self.queue_size < 1:
            problems.append(
                Problem("--workers/--queue", None, None, "at least 1", f"{self.workers}/{self.queue_size}")
            )
        if self.datasets_dir is not None and not self.datasets_dir.is_dir():
            problems.append(Problem("--datasets", None, None, "a folder", str(self.datasets_dir)))
        if problems:
            lines = "".join(f"\n  - {p}" for p in problems)
            msg = f"cannot start the server:{lines}"
            raise SettingsError(msg)

    def token_ok(self, given: str | None) -> bool:
        """Constant-time check of a presented token (always true when no token is set)."""
        if not self.token:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())
