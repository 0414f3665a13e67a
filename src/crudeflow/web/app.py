"""The FastAPI app: the JSON API under ``/api``, offline API docs at ``/docs``, the pages.

FastAPI (on Starlette, with pydantic models) was chosen for typed request models, the
OpenAPI schema generated from them, and async endpoints that wait on worker processes
without holding a thread. Every error leaves as JSON ``{"error": {type, message,
problems: [{file, line, row, column, expected, found}]}}``, never a traceback.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

import crudeflow
from crudeflow.exceptions import CrudeflowError, DatasetError, ScenarioError
from crudeflow.web.catalog import Catalog, DatasetRef, check_base, check_scenario_text, problems_json
from crudeflow.web.jobs import Job, QueueFullError, WorkerPool, error_record
from crudeflow.web.settings import Settings
from crudeflow.web.store import NewRun, Store, StoreError
from crudeflow.web.tasks import SAVED_KINDS, versions

log = logging.getLogger("crudeflow.web")

TOKEN_COOKIE = "crudeflow_token"
ERROR_STATUS = {
    "ScenarioError": 422,
    "DatasetError": 422,
    "InfeasibleError": 422,
    "SolverError": 500,
    "InternalError": 500,
    "StoreError": 503,
}
MAX_DRAWS = 100_000
"""Most Monte Carlo draws one job may ask for."""


class ApiError(Exception):
    """An error answered as JSON with an HTTP status (and optional problems and headers)."""

    def __init__(
        self,
        status: int,
        kind: str,
        message: str,
        problems: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        detail: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message
        self.problems = problems or []
        self.headers = headers or {}
        self.detail = detail or []


def _error_response(
    status: int,
    kind: str,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    detail: list[str] | None = None,
) -> JSONResponse:
    body = {"error": {"type": kind, "message": message, "detail": detail or [], "problems": problems or []}}
    return JSONResponse(body, status_code=status, headers=headers)


# ---- request models ---------------------------------------------------------------------------


class ScenarioInput(BaseModel):
    """A dataset and, optionally, a scenario: a shipped name or YAML text (not both)."""

    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(max_length=100, description="Dataset id (see GET /api/datasets).")
    scenario: str | None = Field(None, max_length=100, description="Shipped scenario name, or 'base'.")
    scenario_yaml: str | None = Field(None, description="Scenario YAML text (instead of `scenario`).")
    label: str = Field("", max_length=200, description="A label for the saved run.")


class PlanIn(ScenarioInput):
    """Create a plan: solved in a worker and saved as a run."""

    strict: bool = Field(False, description="No unmet-demand slack: fail if demand can't be met.")
    wait: bool = Field(True, description="Wait for the result (201) or return the job at once (202).")


class ValidateIn(BaseModel):
    """Scenario YAML to check against a dataset (as the editor types)."""

    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(max_length=100)
    scenario_yaml: str


class StressParams(BaseModel):
    """N-1/N-2 parameters (as ``crudeflow stress``)."""

    model_config = ConfigDict(extra="forbid")
    assets: Literal["links", "nodes", "countries"] = "links"
    k: Literal[1, 2] = 1
    top: int = Field(20, ge=1, le=1000)


class MonteCarloParams(BaseModel):
    """Monte Carlo parameters (as ``crudeflow montecarlo``; runs in one worker)."""

    model_config = ConfigDict(extra="forbid")
    n: int = Field(1000, ge=1, le=MAX_DRAWS, description="Draws (years).")
    seed: int = Field(1, ge=0, le=2**31 - 1)
    chunk_size: int = Field(100, ge=1, le=10_000)


class JobIn(ScenarioInput):
    """Start an analysis as a background job."""

    kind: Literal["stress", "montecarlo"]
    params: dict[str, Any] = Field(default_factory=dict, description="StressParams or MonteCarloParams.")


# ---- middleware -------------------------------------------------------------------------------

ASGIApp = Callable[[MutableMapping[str, Any], Any, Any], Awaitable[None]]


class _TooLargeError(Exception):
    pass


def guard(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Wrap the app: the access token on every request, and the request-body size limit."""

    async def send_json(
        send: Any, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
    ) -> None:
        data = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    async def wrapped(scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        req = Request(scope)
        if settings.token:
            auth = req.headers.get("authorization", "")
            given = auth[7:] if auth.lower().startswith("bearer ") else None
            given = given or req.headers.get("x-crudeflow-token") or req.cookies.get(TOKEN_COOKIE)
            query_token = req.query_params.get("token")
            if not settings.token_ok(given) and query_token is not None and settings.token_ok(query_token):
                # a link with ?token=… (as printed at start-up): set the cookie, drop it from the URL
                rest = "&".join(f"{k}={v}" for k, v in req.query_params.multi_items() if k != "token")
                target = req.url.path + (f"?{rest}" if rest else "")
                resp = RedirectResponse(target, status_code=303)
                resp.set_cookie(TOKEN_COOKIE, query_token, httponly=True, samesite="strict")
                await resp(scope, receive, send)
                return
            if not settings.token_ok(given):
                await send_json(
                    send,
                    401,
                    {
                        "error": {
                            "type": "Unauthorized",
                            "detail": [],
                            "problems": [],
                            "message": "this server needs its access token: 'Authorization: Bearer <token>', "
                            "or open the address printed at start-up (…?token=<token>)",
                        }
                    },
                    [(b"www-authenticate", b"Bearer")],
                )
                return
        length = req.headers.get("content-length")
        limit = settings.max_body_bytes
        if length is not None and (not length.isdigit() or int(length) > limit):
            await send_json(
                send,
                413,
                {
                    "error": {
                        "type": "TooLarge",
                        "detail": [],
                        "problems": [],
                        "message": f"request body over {limit:,} bytes",
                    }
                },
                [],
            )
            return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLargeError
            return msg

        started = False

        async def tracking_send(msg: Any) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                msg.setdefault("headers", [])
                msg["headers"] = [*msg["headers"], (b"x-content-type-options", b"nosniff")]
            await send(msg)

        try:
            await app(scope, limited, tracking_send)
        except _TooLargeError:
            if not started:
                await send_json(
                    send,
                    413,
                    {
                        "error": {
                            "type": "TooLarge",
                            "detail": [],
                            "problems": [],
                            "message": f"request body over {limit:,} bytes",
                        }
                    },
                    [],
                )

    return wrapped


# ---- the app ----------------------------------------------------------------------------------


class Server:
    """What the endpoints share: settings, the catalogue, the store, the pool and small caches."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.datasets_dir)
        self.store: Store | None = None
        self.pool: WorkerPool | None = None
        self.versions = versions()
        self.cache: OrderedDict[str, Any] = OrderedDict()

    def start(self) -> None:
        """Open (and migrate) the store, start the workers."""
        self.store = Store(self.settings.store_url)
        self.pool = WorkerPool(self.settings.workers, self.settings.queue_size, on_done=self.save)

    def stop(self) -> None:
        """Stop the workers, close the store."""
        if self.pool is not None:
            self.pool.close()
        if self.store is not None:
            self.store.close()

    def save(self, job: Job) -> None:
        """Save a finished plan or analysis as a run (called in the worker's thread)."""
        if job.kind not in SAVED_KINDS or job.result is None or self.store is None:
            return
        r, m = job.result, job.meta
        timings = {
            **r.get("timings", {}),
            "queued_seconds": (job.started or job.created) - job.created,
            "job_seconds": time.time() - (job.started or job.created),
        }
        job.run_id = self.store.save(
            NewRun(
                kind=job.kind,
                dataset_id=m["dataset_id"],
                dataset_hash=m["dataset_hash"],
                scenario_name=m["scenario_name"],
                scenario_text=m["scenario_text"],
                options=m["options"],
                crudeflow_version=r["crudeflow_version"],
                highs_version=r["highs_version"],
                timings=timings,
                summary=r["summary"],
                results=r["results"],
                label=m.get("label", ""),
            )
        )
        job.result = {"summary": r["summary"], "timings": timings}  # the store has the rest

    def cached(self, key: str) -> Any:
        """A cached value (figures, comparisons, reports) or None."""
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        return None

    def remember(self, key: str, value: Any, keep: int = 24) -> None:
        """Cache a value, dropping the oldest beyond ``keep``."""
        self.cache[key] = value
        while len(self.cache) > keep:
            self.cache.popitem(last=False)

    # -- inputs

    def inputs(self, body: ScenarioInput) -> tuple[DatasetRef, str | None, str]:
        """The dataset, scenario text (None for the base) and scenario name of a request."""
        ref = self.catalog.dataset(body.dataset)
        if body.scenario_yaml is not None and body.scenario not in (None, "", "base"):
            raise ApiError(
                422,
                "RequestError",
                "give either 'scenario' (a shipped name) or 'scenario_yaml', not both",
                [
                    {
                        "file": "<request>",
                        "line": None,
                        "row": None,
                        "column": "scenario",
                        "expected": "one of scenario, scenario_yaml",
                        "found": "both",
                        "severity": "error",
                        "message": "<request>, column 'scenario': expected one of scenario, scenario_yaml, "
                        "found both",
                    }
                ],
            )
        if body.scenario_yaml is not None:
            text: str | None = body.scenario_yaml
        elif body.scenario in (None, "", "base"):
            return ref, None, "base"
        else:
            text = self.catalog.scenario_text(str(body.scenario))
        assert text is not None
        sc = check_scenario_text(text, self.settings.max_scenario_bytes)
        check_base(sc, text, ref.id)
        sc.apply(self.catalog.network(ref))  # unknown ids fail here, with their lines, before a worker runs
        name = sc.name if body.scenario_yaml is not None else str(body.scenario)
        return ref, text, name

    @staticmethod
    def payload(ref: DatasetRef, text: str | None, name: str, options: dict[str, Any]) -> dict[str, Any]:
        """What a worker needs to rebuild the network and scenario."""
        return {
            "dataset_path": str(ref.path),
            "dataset_id": ref.id,
            "dataset_hash": ref.content_hash,
            "scenario_text": text,
            "scenario_name": name,
            "options": options,
        }

    def run_payload(self, run: dict[str, Any]) -> dict[str, Any]:
        """The payload that re-solves a saved run; 409 when its dataset changed or is gone."""
        try:
            ref = self.catalog.dataset(run["dataset_id"])
        except DatasetError:
            raise ApiError(
                409,
                "DatasetChanged",
                f"run {run['id']}: dataset '{run['dataset_id']}' is not on "
                "this server; its saved results are still available",
            ) from None
        if ref.content_hash != run["dataset_hash"]:
            raise ApiError(
                409,
                "DatasetChanged",
                f"run {run['id']}: dataset '{ref.id}' changed since the run "
                f"(content hash {run['dataset_hash'][:12]}… then, {ref.content_hash[:12]}… now); "
                "its saved results are still available",
            )
        p = self.payload(ref, run["scenario_text"], run["scenario_name"], run["options"])
        p["label"] = run.get("label") or run["scenario_name"]
        return p

    def get_run(self, run_id: str) -> dict[str, Any]:
        """A saved run or 404."""
        assert self.store is not None
        run = self.store.get(run_id) if len(run_id) <= 32 else None
        if run is None:
            raise ApiError(404, "NotFound", f"no run '{run_id}' in the store")
        return run

    def submit(self, kind: str, payload: dict[str, Any], meta: dict[str, Any] | None = None) -> Job:
        """Queue a job (503 with Retry-After when the queue is full)."""
        assert self.pool is not None
        try:
            return self.pool.submit(kind, payload, meta)
        except QueueFullError as exc:
            raise ApiError(503, "Busy", str(exc), headers={"Retry-After": str(exc.retry_after)}) from None

    async def wait(self, job: Job, timeout: float | None = None) -> bool:
        """Wait for a job without blocking the event loop; False on time-out."""
        try:
            await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(job.future)), timeout or self.settings.wait_seconds
            )
        except TimeoutError:
            return False
        return True

    async def result_of(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Run a helper task (re-solve, compare, report) to the end; its error as an ApiError."""
        job = self.submit(kind, payload)
        if not await self.wait(job):
            raise ApiError(504, "Timeout", f"the {kind} job {job.id} did not finish in time")
        return job_outcome(job)


def job_outcome(job: Job) -> dict[str, Any]:
    """A finished job's result, or its error raised as an ApiError."""
    if job.status == "done" and job.result is not None:
        return job.result
    if job.status == "cancelled":
        raise ApiError(409, "Cancelled", f"job {job.id} was cancelled")
    err = job.error or {"type": "InternalError", "message": "the job failed", "problems": []}
    raise ApiError(
        ERROR_STATUS.get(err["type"], 500),
        err["type"],
        err["message"],
        err.get("problems"),
        detail=err.get("detail"),
    )


def job_json(job: Job) -> dict[str, Any]:
    """A job with links to itself and its saved run."""
    rec = job.to_json()
    rec["links"] = {
        "self": f"/api/jobs/{job.id}",
        "cancel": f"/api/jobs/{job.id}/cancel",
        "run": f"/api/runs/{job.run_id}" if job.run_id else None,
        "page": f"/runs/{job.run_id}" if job.run_id else f"/jobs/{job.id}",
    }
    return rec


def run_links(run_id: str) -> dict[str, str]:
    """Where a run can be read, downloaded and viewed."""
    return {
        "self": f"/api/runs/{run_id}",
        "page": f"/runs/{run_id}",
        "tables": f"/api/runs/{run_id}/tables",
        "report": f"/api/runs/{run_id}/report",
        "figures": f"/api/runs/{run_id}/figures",
    }


def table_names(results: dict[str, Any]) -> list[str]:
    """The tables of a run's results: every list of records (the ``--json`` frames)."""
    return [k for k, v in results.items() if isinstance(v, list) and all(isinstance(r, dict) for r in v)]


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Records as CSV: columns in first-seen order; lists joined with ';', None empty."""
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c)
            if v is None:
                cells.append("")
            elif isinstance(v, list):
                cells.append(";".join(str(x) for x in v))
            elif isinstance(v, dict):
                cells.append(json.dumps(v))
            else:
                cells.append(str(v))
        w.writerow(cells)
    return buf.getvalue()


def _validation_problems(errors: Any) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ()) if x not in ("body", "query", "path")]
        column = ".".join(loc) or None
        found = e.get("input")
        found_s = "nothing" if e.get("type") == "missing" else repr(found)[:120]
        expected = str(e.get("msg", "a valid value"))
        out.append(
            {
                "file": "<request>",
                "line": None,
                "row": None,
                "column": column,
                "expected": expected,
                "found": found_s,
                "severity": "error",
                "message": f"<request>, column '{column}': {expected}, found {found_s}",
            }
        )
    return out


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for these settings (checked first: an open address needs a token)."""
    settings = settings or Settings()
    settings.check()
    server = Server(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(server.start)
        try:
            yield
        finally:
            await run_in_threadpool(server.stop)

    app = FastAPI(
        title="crudeflow",
        version=crudeflow.__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Least-cost crude supply plans, comparisons and outage analyses over HTTP. Every "
        "run is saved with its inputs, versions and results; errors carry file, line and column.",
    )
    app.state.server = server

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.kind, exc.message, exc.problems, exc.headers, exc.detail)

    @app.exception_handler(CrudeflowError)
    async def _cf_error(_: Request, exc: CrudeflowError) -> JSONResponse:
        rec = error_record(exc)
        status = 503 if isinstance(exc, StoreError) else ERROR_STATUS.get(rec["type"], 422)
        return _error_response(status, rec["type"], rec["message"], rec["problems"], detail=rec["detail"])

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = _validation_problems(exc.errors())
        return _error_response(422, "RequestError", f"{len(problems)} problem(s) in the request", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        return _error_response(exc.status_code, kind, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return _error_response(500, "InternalError", "internal error; the server log has the traceback")

    _api_routes(app, server)
    from crudeflow.web.pages import add_pages

    add_pages(app, server)
    app.add_middleware(_Guard, settings=settings)
    return app


class _Guard:
    """ASGI middleware class around :func:`guard` (Starlette instantiates it with the app)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self._call = guard(app, settings)

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        await self._call(scope, receive, send)


def _api_routes(app: FastAPI, server: Server) -> None:
    @app.get("/api/health", tags=["server"])
    async def health() -> dict[str, Any]:
        """Versions, workers, queue and store."""
        assert server.pool is not None
        assert server.store is not None
        return {"status": "ok", **server.versions, **server.pool.stats(), "store": server.store.display_url}

    @app.get("/api/datasets", tags=["datasets"])
    async def datasets() -> dict[str, Any]:
        """The datasets this server offers: shipped and from its datasets folder."""

        def listing() -> list[dict[str, Any]]:
            out = []
            for i in server.catalog.dataset_ids():
                ref = server.catalog.dataset(i)
                net = server.catalog.network(ref)
                out.append(
                    {
                        "id": i,
                        "source": ref.source,
                        "title": net.meta.title,
                        "content_hash": ref.content_hash,
                        "summary": json.loads(json.dumps(net.summary(), default=float)),
                    }
                )
            return out

        return {"datasets": await run_in_threadpool(listing)}

    @app.get("/api/datasets/{dataset_id}", tags=["datasets"])
    async def dataset(dataset_id: str) -> dict[str, Any]:
        """One dataset: summary, links (with capacity and status), nodes, countries, policies."""
        try:
            ref = server.catalog.dataset(dataset_id)
        except DatasetError as exc:
            raise ApiError(404, "NotFound", str(exc).splitlines()[0], problems_json(exc.problems)) from None
        return await run_in_threadpool(_dataset_json, server, ref)

    @app.get("/api/scenarios", tags=["scenarios"])
    async def scenarios(dataset: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
        """Shipped scenarios (for one dataset when given): name, base, description."""

        def listing() -> list[dict[str, Any]]:
            out = []
            for name in server.catalog.scenario_names():
                sc = check_scenario_text(
                    server.catalog.scenario_text(name), server.settings.max_scenario_bytes
                )
                if dataset is None or sc.base in (None, dataset):
                    out.append({"name": name, "base": sc.base, "description": sc.description.strip()})
            return out

        return {"scenarios": await run_in_threadpool(listing)}

    @app.get("/api/scenarios/{name}", tags=["scenarios"])
    async def scenario(name: str) -> dict[str, Any]:
        """A shipped scenario's YAML text."""
        try:
            text = server.catalog.scenario_text(name)
        except ScenarioError as exc:
            raise ApiError(404, "NotFound", str(exc).splitlines()[0], problems_json(exc.problems)) from None
        return {"name": name, "yaml": text}

    @app.post("/api/scenarios/validate", tags=["scenarios"])
    async def validate(body: ValidateIn) -> dict[str, Any]:
        """Check scenario YAML against a dataset: 200 with its changes, or 422 with every problem."""

        def check() -> dict[str, Any]:
            ref = server.catalog.dataset(body.dataset)
            sc = check_scenario_text(body.scenario_yaml, server.settings.max_scenario_bytes)
            check_base(sc, body.scenario_yaml, ref.id)
            sc.apply(server.catalog.network(ref))
            return {
                "ok": True,
                "name": sc.name,
                "base": sc.base,
                "description": sc.description.strip(),
                "changes": [{"kind": c.kind, "line": c.line} for c in sc.changes],
            }

        return await run_in_threadpool(check)

    @app.post("/api/plans", tags=["plans"], status_code=201)
    async def create_plan(body: PlanIn) -> JSONResponse:
        """Solve a plan in a worker and save it: 201 with the run id (202 with the job if not waiting)."""
        ref, text, name = await run_in_threadpool(server.inputs, body)
        options = {"strict": body.strict}
        meta = {
            "dataset_id": ref.id,
            "dataset_hash": ref.content_hash,
            "scenario_name": name,
            "scenario_text": text,
            "options": options,
            "label": body.label,
        }
        job = server.submit("plan", server.payload(ref, text, name, options), meta)
        if not body.wait or not await server.wait(job):
            return JSONResponse(job_json(job), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})
        if job.status != "done":
            job_outcome(job)
        assert job.run_id is not None
        assert job.result is not None
        body_out = {
            "run_id": job.run_id,
            "job_id": job.id,
            "summary": job.result["summary"],
            "timings": job.result["timings"],
            "links": run_links(job.run_id),
        }
        return JSONResponse(body_out, status_code=201, headers={"Location": f"/api/runs/{job.run_id}"})

    @app.get("/api/runs", tags=["runs"])
    async def runs(
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
        kind: Annotated[Literal["plan", "stress", "montecarlo"] | None, Query()] = None,
        dataset: Annotated[str | None, Query(max_length=100)] = None,
    ) -> dict[str, Any]:
        """Saved runs, newest first (without their results)."""
        assert server.store is not None
        total, rows = await run_in_threadpool(
            lambda: server.store.list_runs(limit=limit, offset=offset, kind=kind, dataset_id=dataset)  # type: ignore[union-attr]
        )
        for r in rows:
            r["links"] = run_links(r["id"])
        return {"total": total, "limit": limit, "offset": offset, "runs": rows}

    @app.get("/api/runs/{run_id}", tags=["runs"])
    async def get_run(run_id: str) -> dict[str, Any]:
        """A saved run: inputs (dataset id and hash, scenario text, options), versions, timings, results."""
        run = await run_in_threadpool(server.get_run, run_id)
        run["links"] = run_links(run_id)
        run["tables"] = table_names(run["results"])
        return run

    @app.get("/api/runs/{run_id}/tables", tags=["runs"])
    async def tables(run_id: str) -> dict[str, Any]:
        """The tables of a run, with their row counts and download links."""
        run = await run_in_threadpool(server.get_run, run_id)
        return {
            "tables": [
                {
                    "name": n,
                    "rows": len(run["results"][n]),
                    "csv": f"/api/runs/{run_id}/tables/{n}.csv",
                    "json": f"/api/runs/{run_id}/tables/{n}.json",
                }
                for n in table_names(run["results"])
            ]
        }

    @app.get("/api/runs/{run_id}/tables/{name}.{fmt}", tags=["runs"])
    async def table(run_id: str, name: str, fmt: Literal["csv", "json"]) -> Response:
        """One table of a run as CSV or JSON records (a download)."""
        run = await run_in_threadpool(server.get_run, run_id)
        names = table_names(run["results"])
        if name not in names:
            raise ApiError(404, "NotFound", f"run {run_id} has no table '{name}'; it has: {', '.join(names)}")
        rows = run["results"][name]
        disposition = {"Content-Disposition": f'attachment; filename="crudeflow-{run_id}-{name}.{fmt}"'}
        if fmt == "csv":
            return Response(to_csv(rows), media_type="text/csv; charset=utf-8", headers=disposition)
        return JSONResponse(rows, headers=disposition)

    @app.get("/api/runs/{run_id}/figures", tags=["runs"])
    async def figures(run_id: str) -> dict[str, Any]:
        """The plan re-solved from its saved inputs, drawn: map, Sankey, delivered cost (plotly JSON)."""
        run = await run_in_threadpool(server.get_run, run_id)
        if run["kind"] != "plan":
            raise ApiError(
                409, "NotAPlan", f"run {run_id} is a {run['kind']} run; figures are drawn for plans"
            )
        key = f"figures:{run_id}"
        out = server.cached(key)
        if out is None:
            res = await server.result_of("replan", server.run_payload(run))
            stored = float(run["results"]["objective_usd"])
            again = float(res["objective_usd"])
            out = {
                "run_id": run_id,
                "objective_usd": stored,
                "replayed_objective_usd": again,
                "reproduced": abs(again - stored) <= 1e-6 * max(1.0, abs(stored)),
                "figures": {k: json.loads(v) for k, v in res["figures"].items()},
            }
            server.remember(key, out)
        return dict(out)

    @app.get("/api/runs/{run_id}/report", tags=["runs"], response_class=HTMLResponse)
    async def report(
        run_id: str, compare: Annotated[str | None, Query(max_length=32)] = None, download: bool = False
    ) -> HTMLResponse:
        """The offline HTML report of a plan run (beside another plan run with ``compare``)."""
        run = await run_in_threadpool(server.get_run, run_id)
        if run["kind"] != "plan":
            raise ApiError(
                409, "NotAPlan", f"run {run_id} is a {run['kind']} run; reports are drawn for plans"
            )
        key = f"report:{run_id}:{compare}"
        html = server.cached(key)
        if html is None:
            payload = server.run_payload(run)
            if compare:
                ref = await run_in_threadpool(server.get_run, compare)
                if ref["kind"] != "plan":
                    raise ApiError(409, "NotAPlan", f"run {compare} is a {ref['kind']} run, not a plan")
                payload["compare"] = server.run_payload(ref)
            html = (await server.result_of("report", payload))["html"]
            server.remember(key, html, keep=24)
        headers = (
            {"Content-Disposition": f'attachment; filename="crudeflow-{run_id}.html"'} if download else {}
        )
        return HTMLResponse(html, headers=headers)

    @app.get("/api/compare", tags=["runs"])
    async def compare(
        a: Annotated[str, Query(max_length=32, description="Run id of plan A.")],
        b: Annotated[str, Query(max_length=32, description="Run id of plan B.")],
    ) -> dict[str, Any]:
        """Two saved plans side by side (``compare --json`` shape, B minus A), re-solved from their inputs."""
        ra = await run_in_threadpool(server.get_run, a)
        rb = await run_in_threadpool(server.get_run, b)
        for r in (ra, rb):
            if r["kind"] != "plan":
                raise ApiError(409, "NotAPlan", f"run {r['id']} is a {r['kind']} run; only plans compare")
        key = f"compare:{a}:{b}"
        out = server.cached(key)
        if out is None:
            res = await server.result_of(
                "compare", {"a": server.run_payload(ra), "b": server.run_payload(rb)}
            )
            keep = ("id", "label", "dataset_id", "scenario_name", "summary", "created_at")
            out = {"a": {k: ra[k] for k in keep}, "b": {k: rb[k] for k in keep}, **res}
            server.remember(key, out)
        return dict(out)

    @app.post("/api/jobs", tags=["jobs"], status_code=202)
    async def start_job(body: JobIn) -> JSONResponse:
        """Start a stress or Monte Carlo analysis in a worker; poll ``/api/jobs/{id}``, cancel at will."""
        model: type[BaseModel] = StressParams if body.kind == "stress" else MonteCarloParams
        try:
            params = model.model_validate(body.params).model_dump()
        except ValidationError as exc:
            problems = _validation_problems(
                [{**e, "loc": ("params", *e.get("loc", ()))} for e in exc.errors()]  # type: ignore[misc]
            )
            raise ApiError(
                422, "RequestError", f"{len(problems)} problem(s) in the {body.kind} parameters", problems
            ) from None
        ref, text, name = await run_in_threadpool(server.inputs, body)
        options = {"params": params}
        meta = {
            "dataset_id": ref.id,
            "dataset_hash": ref.content_hash,
            "scenario_name": name,
            "scenario_text": text,
            "options": options,
            "label": body.label,
        }
        payload = {**server.payload(ref, text, name, {}), "params": params}
        job = server.submit(body.kind, payload, meta)
        return JSONResponse(job_json(job), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})

    @app.get("/api/jobs", tags=["jobs"])
    async def list_jobs(limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        """Jobs this server process knows, newest first (finished ones' runs are in the store)."""
        assert server.pool is not None
        return {"jobs": [job_json(j) for j in server.pool.jobs(limit)], **server.pool.stats()}

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    async def get_job(job_id: str) -> dict[str, Any]:
        """A job's status, progress (fraction done) and, when done, its run."""
        assert server.pool is not None
        job = server.pool.get(job_id)
        if job is None:
            raise ApiError(
                404, "NotFound", f"no job '{job_id}' on this server (jobs live as long as the process)"
            )
        return job_json(job)

    @app.post("/api/jobs/{job_id}/cancel", tags=["jobs"])
    async def cancel_job(job_id: str) -> dict[str, Any]:
        """Cancel a queued job, or stop a running one (its worker process is replaced)."""
        assert server.pool is not None
        job = server.pool.cancel(job_id)
        if job is None:
            raise ApiError(404, "NotFound", f"no job '{job_id}' on this server")
        if job.status in ("done", "failed"):
            raise ApiError(409, "AlreadyFinished", f"job {job_id} already {job.status}")
        await server.wait(job, timeout=10)
        return job_json(job)


def _dataset_json(server: Server, ref: DatasetRef) -> dict[str, Any]:
    """What the scenario form needs: links, nodes, countries and policies with their ids."""
    net = server.catalog.network(ref)

    def recs(frame: Any, cols: list[str]) -> list[dict[str, Any]]:
        from crudeflow.web.tasks import records

        df = frame.reset_index()
        return records(df[[c for c in cols if c in df.columns]])

    links = recs(
        net.links,
        [
            "id",
            "name",
            "from",
            "to",
            "mode",
            "capacity_mt_per_year",
            "tariff_usd_per_t",
            "status",
            "countries",
        ],
    )
    nodes = recs(net.nodes, ["id", "name", "kind", "country"])
    countries = sorted({str(c) for c in net.nodes["country"].dropna()})
    policies = (
        recs(net.policies, ["id", "kind", "importer", "country", "enabled"]) if len(net.policies) else []
    )
    return {
        "id": ref.id,
        "source": ref.source,
        "content_hash": ref.content_hash,
        "title": net.meta.title,
        "summary": json.loads(json.dumps(net.summary(), default=float)),
        "links": links,
        "nodes": nodes,
        "countries": countries,
        "policies": policies,
    }
