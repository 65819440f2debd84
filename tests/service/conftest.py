"""Fixtures that drive the real app in-process, lifespan included."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from service.app import create_app
from service.settings import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def per_request_state(app: ASGIApp) -> ASGIApp:
    """Give each request its own copy of the lifespan state, as uvicorn does.

    asgi-lifespan hands every request the same dict, so one request's counts would
    otherwise leak into the next.
    """

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "state" in scope:
            scope = {**scope, "state": dict(scope["state"])}
        await app(scope, receive, send)

    return wrapped


async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with LifespanManager(per_request_state(app)) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def client(tiny_artifact: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app serving the tiny model, with small limits."""
    settings = Settings(model_path=tiny_artifact, max_batch=5, max_text_bytes=200, max_body_bytes=4096)
    async for c in running(create_app(settings)):
        yield c


@pytest.fixture
async def shipped_client() -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app serving the shipped model with default settings."""
    async for c in running(create_app(Settings())):
        yield c


SCORER = {"Authorization": "Bearer score-key"}
ADMIN = {"Authorization": "Bearer op-key"}
"""Headers of the ``keyed`` app's scoring key and operator key."""


@pytest.fixture
def serving(tiny_artifact: Path, tmp_path: Path) -> Path:
    """Return a copy of the tiny model's artifact for a test whose retrain may replace it (never the session's)."""
    return Path(shutil.copytree(tiny_artifact, tmp_path / "serving"))


@pytest.fixture
def keyed_store(tmp_path: Path) -> dict[str, Any]:
    """The ``keyed`` app's suggestion store: SQLite here; a module may override it (``store_settings``)."""
    return {"suggestions_db": tmp_path / "s.sqlite3"}


@pytest.fixture
async def keyed(serving: Path, keyed_store: dict[str, Any]) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app serving ``serving``, with a scoring key, an operator key and no suggestion quota."""
    settings = Settings(
        model_path=serving,
        api_keys="score-key",
        admin_keys="op-key",
        suggest_per_minute=0,
        max_text_bytes=200,
        **keyed_store,
    )
    async for c in running(create_app(settings)):
        yield c


@pytest.fixture(scope="session")
def multilingual_artifact(tiny_artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the tiny English artifact with German and Hinglish sub-models (``tests.service.multilingual``).

    ``TOXICITY_TEST_MULTILINGUAL_MODEL`` names a real multilingual artifact to run the same tests against.
    """
    from tests.service.multilingual import build

    named = os.environ.get("TOXICITY_TEST_MULTILINGUAL_MODEL")
    if named:
        return Path(named)
    return build(tiny_artifact, tmp_path_factory.mktemp("multilingual") / "model")


@pytest.fixture
async def multi(multilingual_artifact: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app serving the multilingual test artifact."""
    settings = Settings(model_path=multilingual_artifact, max_batch=8, max_text_bytes=400)
    async for c in running(create_app(settings)):
        yield c
