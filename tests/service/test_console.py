"""The console page and its assets: served from the package, local only, under a strict policy."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from service.app import create_app
from service.console.routes import ASSETS
from service.settings import Settings
from tests.service.conftest import running

pytestmark = pytest.mark.anyio


async def test_console_page_loads_only_its_own_assets(client: httpx.AsyncClient) -> None:
    r = await client.get("/console")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text)
    assert sorted(assets) == ["console/assets/console.css", "console/assets/console.js"]
    imported: set[str] = set()
    for name, media_type in ASSETS.items():
        got = await client.get(f"/console/assets/{name}")
        assert got.status_code == 200, name
        assert got.headers["content-type"] == media_type
        assert got.headers["x-content-type-options"] == "nosniff"
        assert not re.search(rb"https?://", got.content), f"{name} names another host"
        imported |= set(re.findall(r'from "\./([\w.]+)"', got.text))
    # Every module the entry module pulls in is served, and nothing is served that is not used.
    assert imported | {"console.css", "console.js"} == set(ASSETS)
    policy = r.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert r.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("name", ["index.html", "../routes.py", "console.py", "%2e%2e%2froutes.py"])
async def test_only_listed_assets_are_served(client: httpx.AsyncClient, name: str) -> None:
    r = await client.get(f"/console/assets/{name}")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert b"import" not in r.content and b"<html" not in r.content  # no file's source leaks


async def test_an_unknown_asset_names_the_ones_there_are(client: httpx.AsyncClient) -> None:
    error = (await client.get("/console/assets/app.js")).json()["error"]
    assert error["code"] == "not_found" and "batch.js, console.css, console.js" in error["message"]


async def test_console_needs_no_key_but_the_api_it_calls_does(tiny_artifact: Path) -> None:
    async for c in running(create_app(Settings(model_path=tiny_artifact, api_keys="k1"))):
        assert (await c.get("/console")).status_code == 200
        assert (await c.get("/console/assets/console.js")).status_code == 200
        assert (await c.post("/v1/score", json={"comments": [{"text": "hi"}]})).status_code == 401


async def test_console_is_not_in_the_api_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith("/console")]
