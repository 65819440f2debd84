"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.core.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    """Answer 200 while the process runs, model or not."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="The model is loaded",
    responses={503: {"model": Health, "description": "No model is loaded yet."}},
)
def readyz(request: Request) -> Health | JSONResponse:
    """Answer 200 once a model is loaded, 503 before."""
    model = getattr(request.app.state, "model", None)
    if model is None:
        return JSONResponse({"status": "not ready", "model": None}, status_code=503)
    return Health(status="ready", model=model.version)
