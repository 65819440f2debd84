"""Routes of the Perspective API: analyze, suggestscore and the discovery document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from service.core.auth import perspective_key, suggest_key
from service.core.deps import SettingsDep, model_and_settings
from service.core.errors import ApiError
from service.core.languages import summary
from service.core.scoring import json_response, run_scoring
from service.middleware.body_guard import JSONRoute
from service.perspective.analyze import analyze_response, attribute_base, plan_analyze
from service.perspective.discovery import document, request_root
from service.perspective.schemas import (
    AnalyzeCommentRequest,
    AnalyzeCommentResponse,
    GoogleErrorResponse,
    SuggestCommentScoreRequest,
    SuggestCommentScoreResponse,
)
from service.perspective.suggest import suggest

GOOGLE_ERROR: dict[str, Any] = {
    "model": GoogleErrorResponse,
    "description": "Google's error shape: "
    '`{"error": {"code", "message", "status", "details": [{"@type", "errorType"}]}}`, with Perspective\'s messages.',
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        **GOOGLE_ERROR,
        "description": GOOGLE_ERROR["description"] + " Among them `LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE` "
        '("Attribute THREAT does not support request languages: de") when the comment\'s language does not '
        "score a requested attribute.",
    },
    413: {**GOOGLE_ERROR, "description": "Request body over `TOXICITY_MAX_BODY_BYTES` (Google's shape)."},
    429: {
        **GOOGLE_ERROR,
        "description": "Quota exceeded (`TOXICITY_RATE_LIMIT_PER_SECOND`): `RESOURCE_EXHAUSTED`, `Retry-After`.",
    },
    503: {**GOOGLE_ERROR, "description": "The model is not loaded yet (Google's shape)."},
}

SUGGEST_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    403: {
        **GOOGLE_ERROR,
        "description": "`TOXICITY_SUGGEST_REQUIRE_KEY` is true but no API keys are configured: suggestions are off.",
    },
    429: {
        **GOOGLE_ERROR,
        "description": "Quota exceeded (`TOXICITY_RATE_LIMIT_PER_SECOND`, or `TOXICITY_SUGGEST_PER_MINUTE` "
        "for suggestions): `RESOURCE_EXHAUSTED`, `Retry-After`.",
    },
    507: {
        **GOOGLE_ERROR,
        "description": "The suggestion store is full (`TOXICITY_SUGGESTIONS_MAX_BYTES`): `RESOURCE_EXHAUSTED`.",
    },
    503: {
        **GOOGLE_ERROR,
        "description": "The model is not loaded yet, or the feedback store (PostgreSQL) is unreachable: "
        "`UNAVAILABLE`, `Retry-After`.",
    },
}

api = APIRouter(tags=["Perspective API"], route_class=JSONRoute, dependencies=[Depends(perspective_key)])
# Suggestions have their own key rule (TOXICITY_SUGGEST_REQUIRE_KEY), hence their own router.
suggestions = APIRouter(tags=["Perspective API"], route_class=JSONRoute, dependencies=[Depends(suggest_key)])
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
        lambda: plan_analyze(body, model, detector, settings),
        lambda plan, rows, _: analyze_response(body, plan, rows),
        chars,
        heavy=bool(body.span_annotations),
        request=request,
    )
    # Counted by the metrics; names were validated by plan_analyze(), so the label set stays bounded.
    request.state.attributes = dict.fromkeys(map(attribute_base, body.requested_attributes or {}))
    return json_response(result, exclude_none=True)


@suggestions.post(
    "/v1alpha1/comments:suggestscore",
    response_model=SuggestCommentScoreResponse,
    response_model_exclude_none=True,
    summary="Perspective: suggest a score for a comment",
    responses=SUGGEST_ERRORS,
)
async def comments_suggestscore(
    body: SuggestCommentScoreRequest, request: Request, settings: SettingsDep
) -> dict[str, Any]:
    """Store a suggested score durably (SQLite, WAL); the response is sent only after the commit.

    Limits: the comment as for `analyze`; `TOXICITY_SUGGEST_MAX_ATTRIBUTES` attributes of
    `TOXICITY_SUGGEST_MAX_SPANS` spans; context and ids within `TOXICITY_MAX_TEXT_BYTES`;
    `TOXICITY_SUGGEST_PER_MINUTE` per key or address (429); a full store answers 507.
    """
    request.state.comments = 1
    return await suggest(body, request, settings)


DISCOVERY_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        **GOOGLE_ERROR,
        "description": "`TOXICITY_PUBLIC_BASE_URL` is unset and the `Host` header is not in `TOXICITY_ALLOWED_HOSTS`.",
    },
    404: GOOGLE_ERROR,
}


@discovery.get("/$discovery/rest", summary="Perspective: discovery document", responses=DISCOVERY_ERRORS)
def discovery_document(request: Request, settings: SettingsDep, version: str = "v1alpha1") -> JSONResponse:
    """Return the discovery document Google's API client libraries build from.

    Its description lists the languages scored, each attribute's status and validation
    AUC, and the languages not scored. Its `rootUrl` is `TOXICITY_PUBLIC_BASE_URL`,
    else taken from `Host` only for a host listed in `TOXICITY_ALLOWED_HOSTS`
    (loopback names by default); other hosts get 400.
    """
    if version != "v1alpha1":
        raise discovery_not_found(version)
    prefix = request.url.path[: -len("/$discovery/rest")]
    model = getattr(request.app.state, "model", None)
    languages = summary(model) if model is not None else ""
    if settings.public_base_url:
        return JSONResponse(document(f"{settings.public_base_url.rstrip('/')}{prefix}/", languages))
    base = request_root(request.url.scheme, request.headers.get("host"), settings.allowed_hosts)
    return JSONResponse(document(f"{base}{prefix}/", languages), headers={"Vary": "Host"})  # caches key on the host too


def discovery_not_found(version: str) -> ApiError:
    """Return the 404 of a discovery request for a version other than v1alpha1."""
    return ApiError.one(404, "NOT_FOUND", f"Discovery document not found for API service version {version}")
