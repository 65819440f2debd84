"""``GET /metrics``: Prometheus exposition, summed over worker processes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from service.core.auth import native_key
from service.core.metrics import CONTENT_TYPE, Metrics

router = APIRouter()


# Out of the OpenAPI document: it is for Prometheus, not API clients (the README documents it).
@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Return the metrics in Prometheus' text format."""
    if request.app.state.settings.metrics_require_key:
        await native_key(request)  # open when no keys are configured
    registry: Metrics = request.app.state.metrics
    body = await run_in_threadpool(registry.exposition)  # reads every worker's file in multiprocess mode
    return Response(body, media_type=CONTENT_TYPE)
