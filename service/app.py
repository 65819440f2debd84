"""The app factory: everything is assembled here, at start-up, never at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from model import load_model
from service import errors
from service.body import BodyGuard
from service.logs import AccessLog
from service.routes import health, native
from service.settings import Settings

log = logging.getLogger("toxicity.app")

DESCRIPTION = """
Self-hosted comment-toxicity scoring with explanations, wire-compatible with
Perspective API.

* **Native API** (`/v1/score`): score one comment or a batch of up to 1,000,
  optionally with the words and phrases behind each score.
* **Model** (`/v1/model`): version, attributes with definitions, status and
  default thresholds, validation metrics, training data.

Scores are calibrated probabilities. Comment text is never logged.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app; the model loads once, in the lifespan."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.model = load_model(settings.model_path)
        log.info("model loaded", extra={"fields": {"version": app.state.model.version}})
        yield
        app.state.model = None

    app = FastAPIOffline(
        title="Comment toxicity service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        swagger_ui_parameters={"defaultModelsExpandDepth": 0},
    )
    app.state.settings = settings
    app.state.model = None
    errors.install(app)
    app.include_router(health.router)
    app.include_router(native.router)
    app.add_middleware(BodyGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app
