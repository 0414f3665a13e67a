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

import crudeflow

if TYPE_CHECKING:
    from crudeflow.web.app import Server

ENV = Environment(loader=PackageLoader("crudeflow.web", "templates"), autoescape=select_autoescape(["html"]))


def render(name: str, **context: Any) -> HTMLResponse:
    """A template rendered to an HTML response."""
    return HTMLResponse(ENV.get_template(name).render(version=crudeflow.__version__, **context))


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
        return render("docs.html", ops=_api_operations(schema), models=models, title="crudeflow API")

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
