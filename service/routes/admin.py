"""Operator endpoints: ``POST /v1/admin/reload`` and the review queue of suggestions.

``GET /v1/admin/suggestions`` lists stored suggestions newest first (filters and a
cursor), ``POST /v1/admin/suggestions/review`` accepts or rejects up to 500 at once,
``GET /v1/admin/suggestions/export`` streams them as CSV or JSON Lines.

Every route here needs an operator key: the router declares ``require_admin``, so a
route added to it later is guarded too. Scoring keys get 403.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from service import reload as reloading
from service.core.auth import require_admin
from service.core.errors import ApiError
from service.core.schemas import ErrorResponse, ReloadResult
from service.feedback import queue
from service.perspective.store import FeedbackStore

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


QUEUE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **{code: v for code, v in RESPONSES.items() if code != 409},
    400: {"model": ErrorResponse, "description": "Invalid JSON or invalid UTF-8."},
    413: {"model": ErrorResponse, "description": "Request body over `TOXICITY_MAX_BODY_BYTES`."},
    422: {"model": ErrorResponse, "description": "A bad filter or body: the message names the field and the limit."},
    503: {"model": ErrorResponse, "description": "The feedback store (PostgreSQL) is unreachable; `Retry-After`."},
}

Status = Literal["pending", "accepted", "rejected"]
Source = Literal["api", "console"]
AttributeName = Annotated[
    str | None, Query(pattern=r"^[A-Za-z0-9_@.\-]{1,64}$", description="Only suggestions for this attribute.")
]


class ReviewIn(BaseModel):
    """A decision on many suggestions at once."""

    model_config = ConfigDict(extra="forbid")

    ids: list[StrictInt] = Field(min_length=1, max_length=queue.MAX_REVIEW, description="Suggestion ids (<= 500).")
    status: Literal["accepted", "rejected"] = Field(description="The decision.")


class ReviewOut(BaseModel):
    """How many suggestions the decision changed."""

    updated: int = Field(description="Ids that exist and now have the status.")


def _store(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.suggestions
    return store


@router.get("/suggestions", summary="List stored suggestions, newest first", responses=QUEUE_RESPONSES)
async def list_suggestions(
    request: Request,
    status: Annotated[Status | None, Query(description="Only this review status.")] = None,
    attribute: AttributeName = None,
    source: Annotated[Source | None, Query(description="Only from the API or the console.")] = None,
    limit: Annotated[int, Query(ge=1, le=queue.MAX_PAGE, description="Most suggestions returned (<= 200).")] = 50,
    before: Annotated[int | None, Query(ge=1, description="Only ids below this (the previous page's `next`).")] = None,
) -> dict[str, Any]:
    """Return a page of suggestions with their text, attribute, label, source and status; `next` pages on."""
    filters = queue.Filters(status=status, attribute=attribute, source=source)
    return await to_thread.run_sync(queue.page, _store(request), filters, limit, before)


@router.post(
    "/suggestions/review", response_model=ReviewOut, summary="Accept or reject suggestions", responses=QUEUE_RESPONSES
)
async def review_suggestions(body: ReviewIn, request: Request) -> ReviewOut:
    """Set the status of up to 500 suggestions; ids that do not exist are not counted."""
    updated = await to_thread.run_sync(queue.review, _store(request), body.ids, body.status)
    return ReviewOut(updated=updated)


@router.get("/suggestions/export", summary="Export suggestions as CSV or JSON Lines", responses=QUEUE_RESPONSES)
async def export_suggestions(
    request: Request,
    status: Annotated[Status | None, Query(description="Only this review status.")] = "accepted",
    attribute: AttributeName = None,
    source: Annotated[Source | None, Query(description="Only from the API or the console.")] = None,
    format: Annotated[Literal["csv", "jsonl"], Query(description="`csv` (with a header) or `jsonl`.")] = "csv",
) -> StreamingResponse:
    """Stream one row per suggested attribute (id, received_at, source, status, attribute, label, text)."""
    filters = queue.Filters(status=status, attribute=attribute, source=source)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    name = f"suggestions-{status or 'all'}.{format}"
    chunks = queue.export_chunks(_store(request), filters, format)
    first = await to_thread.run_sync(next, chunks)  # an unreachable store answers 503 before the stream starts
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
