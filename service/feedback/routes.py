"""``POST /v1/suggestions``: a moderator's correction of one score, stored with the Perspective suggestions.

The native twin of ``comments:suggestscore``: a scoring key when keys are configured
(as ``/v1/score``), the same text limit, the same per-key quota
(``TOXICITY_SUGGEST_PER_MINUTE``) and the same store and byte limit. The attribute
must be one the model knows; the label is 0 (not this attribute) or 1.
"""

from __future__ import annotations

import logging
from typing import Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from service.core.auth import native_key
from service.core.deps import model_and_settings
from service.core.languages import recorded
from service.core.schemas import LANGUAGE_PATTERN, MAX_LANGUAGE_CHARS, ErrorResponse
from service.core.scoring import check_attributes, check_texts
from service.middleware.body_guard import JSONRoute
from service.perspective.store import FeedbackStore, StoreFull, Suggestion
from service.perspective.suggest import SuggestQuota, store_full

log = logging.getLogger("toxicity.suggestions")

router = APIRouter(prefix="/v1", tags=["native API"], route_class=JSONRoute, dependencies=[Depends(native_key)])


class SuggestionIn(BaseModel):
    """One correction: the comment, the attribute and the moderator's label."""

    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field(description="The comment, as scored (at most `TOXICITY_MAX_TEXT_BYTES` of UTF-8).")
    attribute: StrictStr = Field(max_length=64, description="The attribute corrected, e.g. `TOXICITY`.")
    label: Literal[0, 1] = Field(description="1: the comment has this attribute; 0: it has not.")
    source: Literal["console", "api"] = Field(default="api", description="Who sent it: the console page or the API.")
    language: StrictStr | None = Field(
        default=None,
        max_length=MAX_LANGUAGE_CHARS,
        pattern=LANGUAGE_PATTERN,
        description="The comment's language (BCP-47), as `/v1/score` reported it; default: detected. A suggestion "
        "in another language than English never trains the English model.",
    )


class SuggestionId(BaseModel):
    """The stored suggestion."""

    id: int = Field(description="Its id in the review queue (`GET /v1/admin/suggestions`).")


RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponse, "description": "Invalid JSON or invalid UTF-8."},
    413: {"model": ErrorResponse, "description": "Request body over `TOXICITY_MAX_BODY_BYTES`."},
    401: {"model": ErrorResponse, "description": "No valid API key (only when keys are configured)."},
    422: {"model": ErrorResponse, "description": "Empty or too long text, unknown attribute, label not 0 or 1."},
    429: {"model": ErrorResponse, "description": "Over `TOXICITY_SUGGEST_PER_MINUTE`; `Retry-After` says when."},
    507: {"model": ErrorResponse, "description": "The store holds `TOXICITY_SUGGESTIONS_MAX_BYTES`."},
    503: {"model": ErrorResponse, "description": "The model is not loaded yet, or the feedback store is unreachable."},
}


@router.post("/suggestions", response_model=SuggestionId, summary="Record a correction", responses=RESPONSES)
async def suggest(body: SuggestionIn, request: Request) -> SuggestionId:
    """Store a moderator's label for one attribute of one comment, for review and retraining."""
    model, settings = model_and_settings(request)
    check_texts([body.text], "text", settings)
    (attribute,) = check_attributes(model, [body.attribute], "attribute")
    quota: SuggestQuota = request.app.state.suggest_quota
    quota.take(request, native=True)
    codes = [body.language] if body.language is not None else None
    suggestion = Suggestion(
        comment_text=body.text,
        comment_type="PLAIN_TEXT",
        context=None,
        attribute_scores={attribute: {"summaryScore": {"value": float(body.label), "type": "PROBABILITY"}}},
        languages=recorded(body.text, codes, model, request.app.state.detector, settings.language_fallback) or None,
        community_id=None,
        client_token=None,
        session_id=None,
        source=body.source,
    )
    store: FeedbackStore = request.app.state.suggestions
    try:
        ident = await to_thread.run_sync(store.add, suggestion)
    except StoreFull as exc:
        log.warning("suggestion store full", extra={"fields": {"used": exc.used, "limit": exc.limit}})
        raise store_full(exc.used, exc.limit) from None
    return SuggestionId(id=ident)
