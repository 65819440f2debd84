"""Operator endpoints: ``POST /v1/admin/reload``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from service import reload as reloading
from service.core.errors import ApiError
from service.core.schemas import ErrorResponse, ReloadResult

router = APIRouter(prefix="/v1/admin", tags=["admin"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No valid API key (keys are configured)."},
    403: {"model": ErrorResponse, "description": "Reload is disabled: no API keys are configured."},
    409: {
        "model": ErrorResponse,
        "description": "The artifact was refused; the previous model still serves. The message says why.",
    },
    429: {"model": ErrorResponse, "description": "Over the rate limit (`TOXICITY_RATE_LIMIT_PER_SECOND`)."},
}


@router.post("/reload", response_model=ReloadResult, summary="Reload the model artifact", responses=RESPONSES)
async def reload_model(request: Request) -> ReloadResult:
    """Load `TOXICITY_MODEL_PATH` again, verify it and swap it in without dropping requests.

    Needs an API key; without configured keys the endpoint is disabled (403), since
    anyone could otherwise make the server reload.
    """
    if not request.app.state.api_keys:
        raise ApiError.one(
            403,
            "reload_disabled",
            "model reload is disabled because no API keys are configured (TOXICITY_API_KEYS or "
            "TOXICITY_API_KEYS_FILE); configure a key, or send SIGHUP to reload",
        )
    try:
        previous, version = await reloading.reload(request.app)
    except reloading.ReloadFailed as exc:
        raise ApiError.one(
            409,
            "reload_failed",
            f"the model artifact was refused: {exc.reason}; still serving {exc.serving}",
            "TOXICITY_MODEL_PATH",
        ) from None
    return ReloadResult(version=version, previous=previous)
