"""Fixtures for the web app: an in-process client on a fresh SQLite store, PostgreSQL by URL.

Without the ``web`` extra these tests skip; under ``CI=true`` (``.ci/run``) a missing
extra or a missing PostgreSQL fails instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ENV = "CRUDEFLOW_TEST_POSTGRES_URL"
DATASET = "caspian-europe"
SCENARIO = "belarus-without-russian-crude"


def need(condition: bool, why: str) -> None:
    """Skip when a service or package is missing; fail under CI, where .ci/run provides it."""
    if condition:
        return
    if CI:
        pytest.fail(f"CI=true and {why}")
    pytest.skip(why)


def web_app() -> Any:
    try:
        from crudeflow.web.app import create_app
    except ImportError as exc:
        need(False, f"the web extra is not installed ({exc.name}): pip install -e '.[dev,web]'")
        raise
    return create_app


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One app for the session: two workers, a small queue, SQLite in a temporary folder."""
    create_app = web_app()
    from fastapi.testclient import TestClient

    from crudeflow.web.settings import Settings

    folder = tmp_path_factory.mktemp("store")
    settings = Settings(store_url=f"sqlite:///{folder / 'runs.sqlite'}", workers=2, queue_size=16)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="session")
def base_run(client: Any) -> str:
    r = client.post("/api/plans", json={"dataset": DATASET, "label": "base"})
    assert r.status_code == 201, r.text
    return str(r.json()["run_id"])


@pytest.fixture(scope="session")
def belarus_run(client: Any) -> str:
    r = client.post("/api/plans", json={"dataset": DATASET, "scenario": SCENARIO})
    assert r.status_code == 201, r.text
    return str(r.json()["run_id"])


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema (dropped afterwards)."""
    url = os.environ.get(PG_ENV)
    need(bool(url), f"{PG_ENV} is not set (.ci/run starts PostgreSQL and sets it)")
    assert url is not None
    try:
        import psycopg
    except ImportError:
        need(False, "psycopg is not installed (the web extra)")
        raise
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        conn = psycopg.connect(plain, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        need(False, f"PostgreSQL at {PG_ENV} does not answer: {exc}")
        raise
    schema = f"cf_test_{secrets.token_hex(6)}"
    conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """``crudeflow serve`` in its own process, on a free loopback port."""

    def __init__(self, store_url: str, *extra: str, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        src = str(Path(__file__).resolve().parents[2] / "src")
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        cmd = [
            sys.executable,
            "-c",
            "from crudeflow.cli import main; main()",
            "serve",
            "--port",
            str(self.port),
            "--store",
            store_url,
            "--workers",
            str(workers),
            *extra,
        ]
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        import httpx2 as httpx

        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                out = self.proc.stdout.read() if self.proc.stdout else ""
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{out}")
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError("server did not start in time")

    def stop(self) -> str:
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, _ = self.proc.communicate()
        return out or ""
