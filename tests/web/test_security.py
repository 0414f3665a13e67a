"""The server refuses open addresses without a token, then wants the token on every request."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import web_app

TOKEN = "s3cret-token-for-tests-0123456789"


def app_with_token(host: str = "0.0.0.0", token: str | None = TOKEN) -> Any:
    create_app = web_app()
    from crudeflow.web.settings import Settings

    return create_app(Settings(host=host, token=token, store_url="sqlite://", workers=1))


def test_open_address_without_token_is_refused() -> None:
    web_app()
    from crudeflow.web.settings import Settings, SettingsError

    for host in ("0.0.0.0", "192.168.1.20", "::", "example.org"):
        with pytest.raises(SettingsError, match="token"):
            Settings(host=host, token=None).check()
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        Settings(host=host, token=None).check()
    with pytest.raises(SettingsError, match="16 characters"):
        Settings(host="0.0.0.0", token="short").check()


def test_serve_command_refuses_open_address_without_token(monkeypatch: pytest.MonkeyPatch) -> None:
    web_app()
    from typer.testing import CliRunner

    from crudeflow.cli import app

    monkeypatch.delenv("CRUDEFLOW_TOKEN", raising=False)
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--store", "sqlite://"])
    assert r.exit_code == 2
    assert "refusing to serve an open address" in r.output
    assert "Traceback" not in r.output


def test_token_is_required_on_every_request() -> None:
    from fastapi.testclient import TestClient

    # no lifespan: the token check answers before any endpoint (or worker) is reached
    c = TestClient(app_with_token())
    for path in ("/api/scenarios", "/docs", "/openapi.json", "/api/runs", "/", "/static/app.css"):
        r = c.get(path)
        assert r.status_code == 401, path
        assert "access token" in r.json()["error"]["message"]
    assert (
        c.get("/api/scenarios", headers={"Authorization": "Bearer wrong-token-wrong-token"}).status_code
        == 401
    )
    assert c.post("/api/plans", json={"dataset": "caspian-europe"}).status_code == 401
    assert c.get("/api/scenarios", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert c.get("/api/scenarios", headers={"X-Crudeflow-Token": TOKEN}).status_code == 200


def test_token_link_sets_a_cookie_for_the_pages() -> None:
    from fastapi.testclient import TestClient

    c = TestClient(app_with_token())
    r = c.get(f"/api/scenarios?dataset=caspian-europe&token={TOKEN}", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/api/scenarios?dataset=caspian-europe"
    assert "httponly" in r.headers["set-cookie"].lower()
    assert c.get("/api/scenarios").status_code == 200  # the cookie now carries the token
    assert TestClient(app_with_token()).get("/api/scenarios?token=nope").status_code == 401


def test_loopback_with_a_token_still_requires_it() -> None:
    from fastapi.testclient import TestClient

    c = TestClient(app_with_token(host="127.0.0.1"))
    assert c.get("/api/scenarios").status_code == 401
