"""The app factory: everything is assembled here, at start-up, never at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi_offline import FastAPIOffline

from model import load_model
from service import errors
from service.auth import load_keys, native_key
from service.body import BodyGuard
from service.logs import AccessLog
from service.perspective import errors as perspective_errors  # noqa: F401 - registers Google-shaped errors
from service.perspective import routes as perspective
from service.perspective.language import Detector
from service.perspective.store import SuggestionStore
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
* **Perspective API** (`/v1alpha1/comments:analyze`, `:suggestscore`,
  `/$discovery/rest`): Perspective's wire contract; change only the base URL.

Scores are calibrated probabilities. Comment text is never logged.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI app; the model loads once, in the lifespan."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        model = load_model(settings.model_path)
        model.warm_up()  # build the fast path and load its compiled kernel before reporting ready
        app.state.model = model
        app.state.detector.load()
        app.state.suggestions = SuggestionStore(settings.suggestions_db)
        log.info(
            "model loaded",
            extra={"fields": {"version": model.version, "fast_path": model.fast_path_error or "on"}},
        )
        try:
            yield
        finally:
            app.state.suggestions.close()
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
    app.state.api_keys = load_keys(settings)
    app.state.detector = Detector()
    errors.install(app)
    app.include_router(health.router)
    app.include_router(native.router, dependencies=[Depends(native_key)])
    app.include_router(perspective.api)
    app.include_router(perspective.discovery)
    if settings.perspective_prefix:
        # Coral appends /comments:analyze to whatever base URL it is given.
        for router in (perspective.api, perspective.discovery):
            app.include_router(router, prefix=settings.perspective_prefix, include_in_schema=False)
    app.add_middleware(BodyGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app
