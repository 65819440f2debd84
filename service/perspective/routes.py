"""Routes of the Perspective API: analyze, suggestscore and the discovery document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from service.core.auth import perspective_key
from service.core.deps import SettingsDep, model_and_settings
from service.core.errors import ApiError
from service.core.scoring import json_response, run_scoring
from service.middleware.body_guard import JSONRoute
from service.perspective.analyze import analyze_response, attribute_base, plan_analyze, suggest
from service.perspective.discovery import document
from service.perspective.schemas import (
    AnalyzeCommentRequest,
    AnalyzeCommentResponse,
    GoogleErrorResponse,
    SuggestCommentScoreRequest,
    SuggestCommentScoreResponse,
)

GOOGLE_ERROR: dict[str, Any] = {
    "model": GoogleErrorResponse,
    "description": "Google's error shape: "
    '`{"error": {"code", "message", "status", "details": [{"@type", "errorType"}]}}`, with Perspective\'s messages.',
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: GOOGLE_ERROR,
    413: {**GOOGLE_ERROR, "description": "Request body over `TOXICITY_MAX_BODY_BYTES` (Google's shape)."},
    429: {
        **GOOGLE_ERROR,
        "description": "Quota exceeded (`TOXICITY_RATE_LIMIT_PER_SECOND`): `RESOURCE_EXHAUSTED`, `Retry-After`.",
    },
    503: {**GOOGLE_ERROR, "description": "The model is not loaded yet (Google's shape)."},
}

api = APIRouter(tags=["Perspective API"], route_class=JSONRoute, dependencies=[Depends(perspective_key)])
discovery = APIRouter(tags=["Perspective API"])


@api.post(
    "/v1alpha1/comments:analyze",
    response_model=AnalyzeCommentResponse,
    summary="Perspective: analyze a comment",
    responses=ERRORS,
)
async def comments_analyze(body: AnalyzeCommentRequest, request: Request) -> Response:
    """Score one comment, as Perspective's `comments:analyze` does.

    Unknown query parameters Google clients add (`alt`, `$.xgafv`, `fields`,
    `prettyPrint`, `quotaUser`) are ignored. Span scores are per sentence with
    `begin`/`end` in UTF-16 code units, end exclusive.
    """
    model, settings = model_and_settings(request)
    request.state.comments = 1
    detector = request.app.state.detector
    chars = len(body.comment.text or "") if body.comment else 0
    result = await run_scoring(
        request.app.state.batcher,
        model,
        lambda: plan_analyze(body, model, detector, settings),
        lambda plan, rows, _: analyze_response(body, plan, rows),
        chars,
        heavy=bool(body.span_annotations),
        request=request,
    )
    # Counted by the metrics; names were validated by plan_analyze(), so the label set stays bounded.
    request.state.attributes = dict.fromkeys(map(attribute_base, body.requested_attributes or {}))
    return json_response(result, exclude_none=True)


@api.post(
    "/v1alpha1/comments:suggestscore",
    response_model=SuggestCommentScoreResponse,
    response_model_exclude_none=True,
    summary="Perspective: suggest a score for a comment",
    responses=ERRORS,
)
def comments_suggestscore(body: SuggestCommentScoreRequest, request: Request, settings: SettingsDep) -> dict[str, Any]:
    """Store a suggested score durably (SQLite, WAL); the response is sent only after the commit."""
    request.state.comments = 1
    return suggest(body, request.app.state.suggestions, settings)


@discovery.get("/$discovery/rest", summary="Perspective: discovery document", responses={404: GOOGLE_ERROR})
def discovery_document(request: Request, settings: SettingsDep, version: str = "v1alpha1") -> JSONResponse:
    """Return the discovery document Google's API client libraries build from."""
    if version != "v1alpha1":
        raise ApiError.one(404, "NOT_FOUND", f"Discovery document not found for API service version {version}")
    prefix = request.url.path[: -len("/$discovery/rest")]
    base = settings.public_base_url.rstrip("/") if settings.public_base_url else str(request.base_url).rstrip("/")
    return JSONResponse(document(f"{base}{prefix}/"))
