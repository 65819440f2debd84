"""The app factory: everything is assembled here, at start-up, never at import."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service import logs
from service import reload as reloading
from service.console import routes as console
from service.coral import routes as coral
from service.coral.decide import describe as coral_contract
from service.core import errors, profiles
from service.core.auth import load_admin_keys, load_keys
from service.core.batcher import ScoreBatcher
from service.core.cancel import HeavySlots
from service.core.metrics import Metrics
from service.feedback import routes as feedback
from service.middleware.access_log import AccessLog, route_table
from service.middleware.body_guard import BodyGuard
from service.middleware.hot_routes import HotRoutes, hot_routes
from service.middleware.rate_limit import RateLimit
from service.openai import errors as openai_errors  # noqa: F401 - registers OpenAI-shaped errors
from service.openai import mapping as openai_mapping
from service.openai import routes as openai
from service.perspective import errors as perspective_errors  # noqa: F401 - registers Google-shaped errors
from service.perspective import routes as perspective
from service.perspective import stores
from service.perspective.language import Detector
from service.perspective.store import keep_purged
from service.perspective.suggest import SuggestQuota
from service.routes import admin, docs, health, metrics, native
from service.settings import Settings, networks

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
* **OpenAI moderation** (`/v1/moderations`): OpenAI's moderation contract, for
  the `openai` client, guardrail frameworks and LLM gateways.
* **Coral** (`/integrations/coral/moderation`): Coral's external moderation phase,
  signed with `TOXICITY_CORAL_SECRETS` (off, 404, without one).

Scores are calibrated probabilities. Comment text is never logged.
"""


def create_app(settings: Settings | None = None, *, reload_on_sighup: bool = False, serving: bool = False) -> FastAPI:
    """Build the ASGI app; the model loads once, in the lifespan.

    ``reload_on_sighup`` makes the serving process reload the model on SIGHUP, and
    ``serving`` freezes the loaded heap out of the garbage collector's sight
    (``service.main`` sets both; tests leave their own process alone).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Verified, smoke-scored and warmed up (fast path compiled) before reporting ready.
        model = reloading.start(app)
        app.state.detector.load()
        app.state.suggestions = stores.open_store(settings)  # SQLite, or PostgreSQL with a URL
        purging = asyncio.create_task(
            keep_purged(
                app.state.suggestions,
                settings.suggestions_retention_days,
                settings.suggestions_accepted_retention_days,
            )
        )
        log.info(
            "model loaded",
            extra={"fields": {"version": model.version, "fast_path": model.fast_path_error or "on"}},
        )
        if serving:
            reloading.freeze_heap()
        stop_listening = reloading.on_sighup(app) if reload_on_sighup else None
        try:
            yield
        finally:
            if stop_listening is not None:
                stop_listening()
            purging.cancel()
            app.state.suggestions.close()  # a purge in progress stops after its batch
            await asyncio.wait({purging})
            # Release what the app loaded: FastAPI's caches may keep a stopped app alive (tests build many).
            app.state.model = None
            app.state.detector.unload()
            app.state.metrics.worker_exiting()
            logs.flush()  # uvicorn's workers leave through os._exit: no logging.shutdown() there

    app = FastAPIOffline(  # mounts the vendored Swagger UI and Redoc files; routes.docs serves the pages
        docs_url=None,
        redoc_url=None,
        title="Comment toxicity service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        swagger_ui_parameters={"defaultModelsExpandDepth": 0},
    )
    app.state.settings = settings
    app.state.model = None
    app.state.api_keys = load_keys(settings)
    app.state.admin_keys = load_admin_keys(settings)
    app.state.profiles = profiles.load(settings, app.state.api_keys)  # ProfileError: one line, file and line
    app.state.detector = Detector(settings.language_detection)
    app.state.metrics = Metrics()
    app.state.batcher = ScoreBatcher()
    app.state.heavy_slots = HeavySlots(settings.max_heavy_requests)
    app.state.suggest_quota = SuggestQuota(settings.suggest_per_minute, app.state.api_keys)
    app.state.reload_lock = asyncio.Lock()
    # How each outside contract maps the model, served by GET /v1/model.
    app.state.contracts = {"openai_moderation": openai_mapping.describe, "coral": coral_contract(settings)}
    errors.install(app)
    stores.install(app)  # 503 while the feedback store is unreachable
    docs.install(app)
    app.include_router(console.router)  # the moderators' page; its API calls carry their own keys
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(native.router)  # its routes declare the key check (native.router)
    app.include_router(feedback.router)  # the native key check, as native.router
    app.include_router(admin.router)  # its router declares the operator-key check (admin.router)
    app.include_router(perspective.api)
    app.include_router(perspective.suggestions)
    app.include_router(perspective.discovery)
    app.include_router(openai.router)
    app.include_router(coral.router)
    hot = [("", native.router), ("", perspective.api), ("", openai.router), ("", coral.router)]
    if settings.perspective_prefix:
        # Coral appends /comments:analyze to whatever base URL it is given.
        for router in (perspective.api, perspective.suggestions, perspective.discovery):
            app.include_router(router, prefix=settings.perspective_prefix, include_in_schema=False)
        hot.append((settings.perspective_prefix, perspective.api))
    app.state.hot_routes = hot_routes(hot)
    # The last added runs first: log and count everything, refuse over-quota requests before reading bodies.
    app.add_middleware(HotRoutes, table=app.state.hot_routes)
    app.add_middleware(
        BodyGuard, max_body_bytes=settings.max_body_bytes, read_timeout=settings.body_read_timeout_seconds
    )
    if settings.rate_limit_per_second > 0:
        app.add_middleware(
            RateLimit, rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst, keys=app.state.api_keys
        )
    app.add_middleware(AccessLog, metrics=app.state.metrics, routes=route_table(app))
    if settings.trusted_proxies:
        # Outermost, so the rate limit sees the client behind a listed proxy. `python -m service` turns
        # uvicorn's own handling off: it would trust X-Forwarded-For from any loopback peer.
        trusted = [str(network) for network in networks(settings.trusted_proxies)]
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    return app
