"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from service.core.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz(request: Request) -> Health:
    """Answer 200 while the process runs, with the loaded model's version (null before one is loaded)."""
    model = getattr(request.app.state, "model", None)
    return Health(status="ok", model=model.version if model is not None else None)


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
