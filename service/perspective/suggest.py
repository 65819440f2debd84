"""``comments:suggestscore``: validate a suggestion like Perspective, within limits, and store it.

What one suggestion may store is bounded, and each limit is a 400 in Google's shape
naming the field and the limit (a ``google.rpc.BadRequest`` field violation):

- ``comment.text``: ``TOXICITY_MAX_TEXT_BYTES``, as on ``comments:analyze``;
- ``attributeScores``: ``TOXICITY_SUGGEST_MAX_ATTRIBUTES`` entries, names of at most
  ``MAX_ATTRIBUTE_NAME`` characters, ``TOXICITY_SUGGEST_MAX_SPANS`` spans each, and
  span offsets within the comment;
- ``languages``: codes shaped like BCP-47 tags of at most ``MAX_LANGUAGE_CHARS``
  characters (``INVALID_LANGUAGE``), as ``comments:analyze`` checks them;
- ``context``, ``languages``, ``communityId``, ``clientToken`` and ``sessionId``
  together: ``TOXICITY_MAX_TEXT_BYTES`` as stored.

How many are stored is bounded too: ``TOXICITY_SUGGEST_PER_MINUTE`` per API key (or
client address), answered 429 ``RESOURCE_EXHAUSTED`` with ``Retry-After``, and the
store's ``TOXICITY_SUGGESTIONS_MAX_BYTES``, answered 507 (the operator must act).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
from typing import Any

from anyio import to_thread
from fastapi import Request

from service.core.errors import ApiError
from service.core.languages import recorded
from service.middleware.rate_limit import TokenBuckets, bucket_key
from service.perspective import errors as perr
from service.perspective.analyze import check_languages, comment_text
from service.perspective.schemas import AttributeScores, SuggestCommentScoreRequest
from service.perspective.store import FeedbackStore, StoreFull, Suggestion
from service.settings import Settings

log = logging.getLogger("toxicity.suggestions")

MAX_ATTRIBUTE_NAME = 64
"""Longest attribute name, in characters (Perspective's longest, with ``@version``, is under 40)."""


class SuggestQuota:
    """Suggestions per minute per API key or client address: a token bucket each, as the rate limiter keeps."""

    def __init__(self, per_minute: int, keys: tuple[bytes, ...]) -> None:
        self.per_minute = per_minute
        self.keys = keys
        self.buckets = TokenBuckets(per_minute / 60.0, max(per_minute, 1))

    def take(self, request: Request, native: bool = False) -> None:
        """Count one suggestion, or raise 429 once the caller's minute is used up (Google's words unless ``native``)."""
        if self.per_minute <= 0:
            return
        who = bucket_key(request.scope, self.keys)
        wait = self.buckets.take(who)
        if wait <= 0.0:
            return
        retry = max(1, math.ceil(wait))
        if native:
            per = "API key" if who.startswith("key:") else "client address"
            message = (
                f"over the suggestion quota of {self.per_minute} per minute per {per} "
                f"(TOXICITY_SUGGEST_PER_MINUTE); retry after {retry} s"
            )
            raise ApiError.one(429, "rate_limited", message, None, self.per_minute, {"Retry-After": str(retry)})
        raise quota_exceeded("API key" if who.startswith("key:") else "client address", self.per_minute, retry)


def quota_exceeded(per: str, per_minute: int, retry: int) -> ApiError:
    """Return the 429 of a key or address over its suggestions per minute."""
    message = (
        f"Quota exceeded for quota metric 'Suggestions' and limit 'Suggestions per minute per {per}' "
        f"of service 'commentanalyzer.googleapis.com': {per_minute} per minute "
        f"(TOXICITY_SUGGEST_PER_MINUTE). Retry after {retry} s."
    )
    return ApiError.one(429, "RATE_LIMIT_EXCEEDED", message, None, per_minute, {"Retry-After": str(retry)})


def _check_attribute(name: str, scores: AttributeScores, settings: Settings, text_bytes: int) -> None:
    """Validate one entry of ``attributeScores`` like Perspective, within the limits."""
    if not name.strip():
        raise perr.invalid("INVALID_ATTRIBUTE", "Attribute names must be non-empty", "attributeScores")
    if len(name) > MAX_ATTRIBUTE_NAME:
        detail = f"an attribute name is {len(name)} characters; the limit is {MAX_ATTRIBUTE_NAME}"
        raise perr.invalid(
            "INVALID_ATTRIBUTE", "Attribute name too long", "attributeScores", MAX_ATTRIBUTE_NAME, detail
        )
    where = f"attributeScores.{name}"
    if scores.summary_score is None and not scores.span_scores:
        raise perr.invalid(
            "EMPTY_ATTRIBUTE_SCORES", f"Attribute scores for {name} must set summary_score or span_scores", where
        )
    spans = scores.span_scores or []
    if len(spans) > settings.suggest_max_spans:
        limit = settings.suggest_max_spans
        detail = f"{where}.spanScores has {len(spans)} spans; the limit is {limit} (TOXICITY_SUGGEST_MAX_SPANS)"
        raise perr.invalid("TOO_MANY_SPAN_SCORES", f"Too many span scores for {name}", where, limit, detail)
    for span in spans:
        if span.begin is None or span.end is None or span.score is None:
            raise perr.invalid(
                "INVALID_SPAN_SCORE", f"Every span score of {name} must set begin, end and score", f"{where}.spanScores"
            )
        if not 0 <= span.begin <= span.end:
            raise perr.invalid("INVALID_SPAN_SCORE", f"Span of {name} has begin > end", where)
        if span.end > text_bytes:  # UTF-16 offsets never exceed the UTF-8 size, whichever unit a client counts
            detail = f"spans of {name} must end within the comment, at most {text_bytes}"
            raise perr.invalid("INVALID_SPAN_SCORE", f"Span of {name} ends past the comment", where, text_bytes, detail)
    every = [s.score for s in spans if s.score is not None]
    if scores.summary_score is not None:
        every.insert(0, scores.summary_score)
    for score in every:
        if score.value is None:
            raise perr.invalid("SCORE_NOT_SET", f"Every score of {name} must be explicitly set", where)
        if (score.type in (None, "PROBABILITY")) and not 0.0 <= score.value <= 1.0:
            raise perr.invalid("INVALID_SCORE", f"Probability score of {name} must be in [0, 1]", where)


def _stored_extras(request: SuggestCommentScoreRequest, settings: Settings) -> Any:
    """Return the context as stored; raise when it and the other small fields take more than the text limit."""
    context = request.context.model_dump(by_alias=True, exclude_none=True) if request.context else None
    sizes = {"context": len(json.dumps(context)) if context is not None else 0}
    sizes["languages"] = len(json.dumps(request.languages)) if request.languages is not None else 0
    for field, value in (
        ("communityId", request.community_id),
        ("clientToken", request.client_token),
        ("sessionId", request.session_id),
    ):
        sizes[field] = len(value.encode("utf-8", "surrogatepass")) if value is not None else 0
    total, limit = sum(sizes.values()), settings.max_text_bytes
    if total > limit:
        largest = max(sizes, key=lambda k: sizes[k])
        detail = (
            f"context, languages, communityId, clientToken and sessionId take {total} bytes as stored "
            f"({largest}: {sizes[largest]}); the limit is {limit} (TOXICITY_MAX_TEXT_BYTES)"
        )
        raise perr.invalid("SUGGESTION_TOO_LARGE", "Suggestion too large.", largest, limit, detail)
    return context


def check(request: SuggestCommentScoreRequest, settings: Settings) -> Suggestion:
    """Validate a suggestion like Perspective and within the limits; return what to store (the request's languages)."""
    text = comment_text(request.comment, settings)
    codes = check_languages(request.languages) if request.languages else None  # as comments:analyze checks them
    if not request.attribute_scores:
        raise perr.invalid("NO_ATTRIBUTE_SCORES", "Missing attribute_scores", "attributeScores")
    count, limit = len(request.attribute_scores), settings.suggest_max_attributes
    if count > limit:
        detail = f"attributeScores has {count} attributes; the limit is {limit} (TOXICITY_SUGGEST_MAX_ATTRIBUTES)"
        raise perr.invalid("TOO_MANY_ATTRIBUTES", "Too many attribute scores", "attributeScores", limit, detail)
    raw = request.comment.text if request.comment and request.comment.text else ""
    for name, scores in request.attribute_scores.items():
        _check_attribute(name, scores, settings, len(raw.encode("utf-8")))
    context = _stored_extras(request, settings)
    attributes = {k: v.model_dump(by_alias=True, exclude_none=True) for k, v in request.attribute_scores.items()}
    return Suggestion(
        comment_text=text,
        comment_type=request.comment.type if request.comment else None,
        context=context,
        attribute_scores=attributes,
        languages=codes,
        community_id=request.community_id,
        client_token=request.client_token,
        session_id=request.session_id,
    )


async def suggest(body: SuggestCommentScoreRequest, request: Request, settings: Settings) -> dict[str, Any]:
    """Check a suggestion, count it against the caller's quota and store it durably; return the response fields."""
    suggestion = check(body, settings)
    if not body.languages and getattr(request.app.state, "model", None) is not None:
        # Recorded so that a suggestion in another language never trains the English model.
        found = recorded(
            suggestion.comment_text,
            None,
            request.app.state.model,
            request.app.state.detector,
            settings.language_fallback,
        )
        suggestion = dataclasses.replace(suggestion, languages=found or None)
    quota: SuggestQuota = request.app.state.suggest_quota
    quota.take(request)
    store: FeedbackStore = request.app.state.suggestions
    try:
        await to_thread.run_sync(store.add, suggestion)  # a commit waits for the disk; the event loop must not
    except StoreFull as exc:
        log.warning("suggestion store full", extra={"fields": {"used": exc.used, "limit": exc.limit}})
        raise store_full(exc.used, exc.limit) from None
    out: dict[str, Any] = {"clientToken": body.client_token}
    if body.languages:
        out["requestedLanguages"] = body.languages
    return out


def store_full(used: int, limit: int) -> ApiError:
    """Return the 507 of a suggestion refused because the store holds its limit."""
    message = (
        f"Suggestion store is full: its rows take {used} bytes of {limit} "
        "(TOXICITY_SUGGESTIONS_MAX_BYTES); suggestions are refused until old ones expire "
        "(TOXICITY_SUGGESTIONS_RETENTION_DAYS) or the limit is raised."
    )
    return ApiError.one(507, "SUGGESTION_STORE_FULL", message, None, limit)
