"""``crudeflow serve``: the local web app and HTTP API (needs the ``web`` extra)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from crudeflow.exceptions import CrudeflowError


class WebExtraMissingError(CrudeflowError):
    """The web dependencies are not installed."""

    exit_code = 2


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the main app."""
    from crudeflow.commands.terminal import console, fail

    @app.command("serve")
    def serve_cmd(
        host: Annotated[
            str, typer.Option(help="Address to listen on; anything but loopback needs --token.")
        ] = ("127.0.0.1"),
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8765,
        store: Annotated[
            str | None,
            typer.Option(
                help="Database URL for saved runs (default: SQLite in your data folder; "
                "postgresql://user:pass@host/db for a shared store). Env: CRUDEFLOW_STORE."
            ),
        ] = None,
        token: Annotated[
            str | None, typer.Option(help="Access token required on every request. Env: CRUDEFLOW_TOKEN.")
        ] = None,
        datasets: Annotated[
            Path | None, typer.Option(help="A folder of dataset folders to offer beside the shipped ones.")
        ] = None,
        workers: Annotated[int | None, typer.Option(help="Solver processes (default: the cores).")] = None,
        queue: Annotated[int, typer.Option(help="Jobs that may wait for a worker before 503.")] = 64,
    ) -> None:
        """Start the web app and HTTP API (pages, saved runs, background analyses; docs at /docs)."""
        try:
            _serve(host, port, store, token, datasets, workers, queue, console)
        except CrudeflowError as exc:
            fail(exc)


def _serve(
    host: str,
    port: int,
    store: str | None,
    token: str | None,
    datasets: Path | None,
    workers: int | None,
    queue: int,
    console: Any,
) -> None:
    try:
        import uvicorn
        from sqlalchemy.engine import make_url

        from crudeflow.web.app import create_app
        from crudeflow.web.settings import TOKEN_ENV, Settings, default_store_url, default_workers
    except ImportError as exc:
        msg = f"the web app needs the 'web' extra: pip install 'crudeflow[web]' (missing: {exc.name})"
        raise WebExtraMissingError(msg) from None
    settings = Settings(
        host=host,
        port=port,
        store_url=store or default_store_url(),
        token=token or os.environ.get(TOKEN_ENV),
        datasets_dir=datasets,
        workers=workers or default_workers(),
        queue_size=queue,
    )
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + ("?token=<your token>" if settings.token else "")
    print_ = console.print
    print_(
        f"crudeflow is serving on [bold]{address}[/] (API docs at /docs); Ctrl-C stops it", highlight=False
    )
    print_(
        f"saved runs go to {make_url(settings.store_url).render_as_string(hide_password=True)}; "
        f"{settings.workers} solver processes, queue of {settings.queue_size}",
        highlight=False,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=10)
