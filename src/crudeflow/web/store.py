"""Saved runs in a SQL database through SQLAlchemy; the schema is Alembic's (``migrations/``).

A run keeps everything needed to reopen and reproduce it: dataset id and content hash,
the scenario text, crudeflow and HiGHS versions, options, timings and the results JSON
(the shape of ``--json``). SQLite by default, PostgreSQL by URL; the same code for both.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import threading
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Index, String, Text, create_engine, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from crudeflow.exceptions import CrudeflowError

_MIGRATING = threading.Lock()
"""Alembic keeps its context in module globals: one migration at a time per process."""


class StoreError(CrudeflowError):
    """The store cannot be opened or migrated (bad URL, server down, unknown driver)."""

    exit_code = 2


class Base(DeclarativeBase):
    """The declarative base of the store's tables."""


class RunRow(Base):
    """One saved run (a plan or an analysis). Times are UTC; timings in seconds."""

    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(200), default="")
    dataset_id: Mapped[str] = mapped_column(String(200))
    dataset_hash: Mapped[str] = mapped_column(String(64))
    scenario_name: Mapped[str] = mapped_column(String(200))
    scenario_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    crudeflow_version: Mapped[str] = mapped_column(String(40))
    highs_version: Mapped[str] = mapped_column(String(40))
    timings: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_runs_created_at", "created_at"),)


SUMMARY_FIELDS = (
    "id",
    "created_at",
    "kind",
    "label",
    "dataset_id",
    "dataset_hash",
    "scenario_name",
    "crudeflow_version",
    "highs_version",
    "options",
    "timings",
    "summary",
)


@dataclass(frozen=True)
class NewRun:
    """What a finished job hands the store."""

    kind: str
    dataset_id: str
    dataset_hash: str
    scenario_name: str
    scenario_text: str | None
    options: dict[str, Any]
    crudeflow_version: str
    highs_version: str
    timings: dict[str, Any]
    summary: dict[str, Any]
    results: dict[str, Any]
    label: str = ""


def new_run_id() -> str:
    """A URL-safe, unguessable permalink id (12 characters)."""
    return secrets.token_urlsafe(9)


def _record(row: RunRow, full: bool) -> dict[str, Any]:
    names = [*SUMMARY_FIELDS, "scenario_text", "results"] if full else list(SUMMARY_FIELDS)
    rec = {n: getattr(row, n) for n in names}
    created: dt.datetime = rec["created_at"]
    if created.tzinfo is None:  # SQLite returns naive datetimes; they were written as UTC
        created = created.replace(tzinfo=dt.UTC)
    rec["created_at"] = created.isoformat()
    return rec


def alembic_config(url: str) -> Any:
    """The Alembic config for the migrations shipped in this package."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(str(resources.files("crudeflow.web") / "migrations"))))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Store:
    """Runs in a database; ``Store(url)`` migrates it to the newest schema first."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except Exception as exc:
            msg = f"store URL {url!r} is not a database URL (e.g. sqlite:///runs.sqlite, postgresql://…)"
            raise StoreError(msg) from exc
        if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
            parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the one the extra ships
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.display_url = parsed.render_as_string(hide_password=True)
        try:
            self.engine: Engine = create_engine(parsed, pool_pre_ping=True)
        except Exception as exc:
            msg = f"cannot use the store {self.display_url}: {exc}"
            raise StoreError(msg) from exc
        self._write = threading.Lock()
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (creating it in an empty database)."""
        from alembic import command

        # Two servers starting together on an empty database race to create the tables; the
        # loser's transaction fails and rolls back, and its retry finds the schema current.
        attempts = 3
        for attempt in range(1, attempts + 1):
            try:
                with _MIGRATING, self.engine.begin() as conn:
                    cfg = alembic_config(self.display_url)
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
                return
            except Exception as exc:
                if attempt == attempts:
                    msg = f"cannot open the store {self.display_url}: {type(exc).__name__}: {exc}"
                    raise StoreError(msg.splitlines()[0]) from exc
                time.sleep(0.5 * attempt + random.random())

    def revision(self) -> str | None:
        """The schema revision the database is at."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def save(self, run: NewRun) -> str:
        """Store a run; return its id."""
        run_id = new_run_id()
        row = RunRow(
            id=run_id,
            created_at=dt.datetime.now(dt.UTC),
            kind=run.kind,
            label=run.label[:200],
            dataset_id=run.dataset_id,
            dataset_hash=run.dataset_hash,
            scenario_name=run.scenario_name[:200],
            scenario_text=run.scenario_text,
            options=run.options,
            crudeflow_version=run.crudeflow_version,
            highs_version=run.highs_version,
            timings=run.timings,
            summary=run.summary,
            results=run.results,
        )
        with self._write, Session(self.engine) as s, s.begin():
            s.add(row)
        return run_id

    def get(self, run_id: str) -> dict[str, Any] | None:
        """A run with its scenario text and results, or None."""
        with Session(self.engine) as s:
            row = s.get(RunRow, run_id)
            return None if row is None else _record(row, full=True)

    def list_runs(
        self, *, limit: int = 50, offset: int = 0, kind: str | None = None, dataset_id: str | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Runs newest first (without results) and how many match in all."""
        cols = [getattr(RunRow, n) for n in SUMMARY_FIELDS]
        q = select(*cols)
        count = select(func.count()).select_from(RunRow)
        if kind is not None:
            q, count = q.where(RunRow.kind == kind), count.where(RunRow.kind == kind)
        if dataset_id is not None:
            q, count = q.where(RunRow.dataset_id == dataset_id), count.where(RunRow.dataset_id == dataset_id)
        q = q.order_by(RunRow.created_at.desc(), RunRow.id).limit(limit).offset(offset)
        with Session(self.engine) as s:
            total = int(s.execute(count).scalar_one())
            rows = s.execute(q).all()
        out = []
        for r in rows:
            rec = dict(zip(SUMMARY_FIELDS, r, strict=True))
            created: dt.datetime = rec["created_at"]
            rec["created_at"] = (created if created.tzinfo else created.replace(tzinfo=dt.UTC)).isoformat()
            out.append(rec)
        return total, out

    def list_ids(self, ids: list[str]) -> list[dict[str, Any]]:
        """The summaries (no results) of these runs, those that exist."""
        cols = [getattr(RunRow, n) for n in SUMMARY_FIELDS]
        with Session(self.engine) as s:
            rows = s.execute(select(*cols).where(RunRow.id.in_(ids))).all()
        return [dict(zip(SUMMARY_FIELDS, r, strict=True)) for r in rows]

    def count(self) -> int:
        """How many runs are stored."""
        with Session(self.engine) as s:
            return int(s.execute(select(func.count()).select_from(RunRow)).scalar_one())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()
