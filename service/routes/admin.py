"""Operator endpoints: ``POST /v1/admin/reload``.

Every route here needs an operator key: the router declares ``require_admin``, so a
route added to it later is guarded too. Scoring keys get 403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from service import reload as reloading
from service.core.auth import require_admin
from service.core.errors import ApiError
from service.core.schemas import ErrorResponse, ReloadResult

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_admin)])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "No valid operator key (`TOXICITY_ADMIN_KEYS`)."},
    403: {
        "model": ErrorResponse,
        "description": "A scoring key, not an operator key; or no operator keys are configured (routes disabled).",
    },
    409: {
        "model": ErrorResponse,
        "description": "The artifact was refused; the previous model still serves. The message says why.",
    },
    429: {"model": ErrorResponse, "description": "Over the rate limit (`TOXICITY_RATE_LIMIT_PER_SECOND`)."},
}


@router.post("/reload", response_model=ReloadResult, summary="Reload the model artifact", responses=RESPONSES)
async def reload_model(request: Request) -> ReloadResult:
    """Load `TOXICITY_MODEL_PATH` again, verify it and swap it in without dropping requests.

    Needs an operator key (`TOXICITY_ADMIN_KEYS`); without one configured the endpoint
    is disabled (403), since anyone could otherwise make the server reload.
    """
    try:
        previous, version = await reloading.reload(request.app)
    except reloading.ReloadFailed as exc:
        raise reload_refused(exc.reason, exc.serving) from None
    return ReloadResult(version=version, previous=previous)


def reload_refused(reason: str, serving: str | None) -> ApiError:
    """Return the 409 of a reload whose artifact was refused (the old model keeps serving)."""
    return ApiError.one(
        409,
        "reload_failed",
        f"the model artifact was refused: {reason}; still serving {serving}",
        "TOXICITY_MODEL_PATH",
    )
