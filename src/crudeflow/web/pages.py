"""The pages: Jinja2 templates over the JSON API, with plotly.js and outlines served locally.

Nothing is fetched from the internet: plotly.js comes from the installed ``plotly``
package, the country outlines and CSS from ``crudeflow.report``'s static files, and the
page scripts from this package's ``static/`` folder.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

import crudeflow

if TYPE_CHECKING:
    from crudeflow.web.app import Server

ENV = Environment(loader=PackageLoader("crudeflow.web", "templates"), autoescape=select_autoescape(["html"]))


def render(name: str, **context: Any) -> HTMLResponse:
    """A template rendered to an HTML response."""
    return HTMLResponse(ENV.get_template(name).render(version=crudeflow.__version__, **context))


def _not_found(message: str) -> HTMLResponse:
    page = render(
        "error.html",
        page="error",
        data={},
        title="Not found",
        subtitle="",
        plotly=False,
        heading="Not found",
        message=message,
    )
    page.status_code = 404
    return page


def _api_operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": p.get("schema", {}).get("type", ""),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ref = body.get("$ref", "").rsplit("/", 1)[-1]
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or ["other"])[0],
                    "params": params,
                    "body": ref,
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return ops


def add_pages(app: FastAPI, server: Server) -> None:
    """Register the pages, the offline API docs and the static files."""

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        schema = app.openapi()
        models = schema.get("components", {}).get("schemas", {})
        return render("docs.html", ops=_api_operations(schema), models=models, title="crudeflow HTTP API")

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        ids = server.catalog.dataset_ids()
        default = "caspian-europe" if "caspian-europe" in ids else (ids[0] if ids else "")
        return render(
            "index.html",
            page="index",
            data={},
            title="crudeflow",
            plotly=False,
            datasets=ids,
            default_dataset=default,
            subtitle="Pick a dataset and a scenario, change it, run the plan; analyses run in the background",
        )

    @app.get("/runs", include_in_schema=False)
    async def runs_page() -> HTMLResponse:
        return render(
            "runs.html",
            page="runs",
            data={},
            title="Saved runs",
            plotly=False,
            subtitle="Every plan and analysis run on this server's store, newest first.",
        )

    @app.get("/runs/{run_id}", include_in_schema=False)
    async def run_page(run_id: str) -> HTMLResponse:
        assert server.store is not None
        rows = await run_in_threadpool(server.store.list_ids, [run_id]) if len(run_id) <= 32 else []
        if not rows:
            return _not_found(f"There is no run '{run_id}' in this server's store.")
        r = rows[0]
        name = r["label"] or r["scenario_name"]
        return render(
            "run.html",
            page="run",
            data={"run": run_id},
            run_id=run_id,
            plotly=True,
            title=f"{r['kind'].capitalize()}: {name}",
            subtitle=f"Dataset {r['dataset_id']} · run {run_id} · a permalink: this address reopens it.",
        )

    @app.get("/compare", include_in_schema=False)
    async def compare_page(a: str = "", b: str = "") -> HTMLResponse:
        return render(
            "compare.html",
            page="compare",
            data={},
            plotly=False,
            title="Compare two plans",
            subtitle=f"A = run {a}, B = run {b}; every delta is B minus A. Volumes Mt/yr, costs USD/t.",
        )

    @app.get("/jobs", include_in_schema=False)
    async def jobs_page() -> HTMLResponse:
        return render(
            "jobs.html",
            page="jobs",
            data={},
            plotly=False,
            title="Jobs",
            job_id=None,
            subtitle="Background analyses on this server (since it started).",
        )

    @app.get("/jobs/{job_id}", include_in_schema=False)
    async def job_page(job_id: str) -> HTMLResponse:
        return render(
            "jobs.html",
            page="jobs",
            data={"job": job_id},
            plotly=False,
            title="Job",
            job_id=job_id,
            subtitle="Progress, cancel, and the result when it is done.",
        )

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        return _static(name)


STATIC_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".png": "image/png",
}


def _static(name: str) -> Response:
    """A file from this package's static folder, plotly.js, or the report's outlines and CSS."""
    from fastapi.responses import JSONResponse

    headers = {"Cache-Control": "public, max-age=86400"}
    if name == "plotly.min.js":
        from plotly.offline import get_plotlyjs

        return Response(get_plotlyjs(), media_type="text/javascript", headers=headers)
    if name in ("countries.geojson", "report.css"):
        data = (resources.files("crudeflow.report") / "static" / name).read_bytes()
        return Response(data, media_type=STATIC_TYPES["." + name.rsplit(".", 1)[-1]], headers=headers)
    files = {p.name: p for p in (resources.files("crudeflow.web") / "static").iterdir() if p.is_file()}
    if name not in files or "." not in name:
        return JSONResponse(
            {
                "error": {
                    "type": "NotFound",
                    "message": f"no static file '{name}'",
                    "detail": [],
                    "problems": [],
                }
            },
            status_code=404,
        )
    kind = STATIC_TYPES.get("." + name.rsplit(".", 1)[-1], "application/octet-stream")
    return Response(files[name].read_bytes(), media_type=kind, headers=headers)
