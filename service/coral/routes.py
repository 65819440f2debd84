"""``POST /integrations/coral/moderation``: Coral's external moderation phase, scored by the native scoring path.

The router's one dependency runs before the body is validated: with no secret
configured the route answers 404 (it is off, so nobody runs it unsigned by
accident); an unsigned or wrongly signed request gets 401. The signature covers
the raw body, which the dependency reads once and keeps in the scope
(``raw_body``): the route is hot (``middleware.hot_routes``), and a request the hot
path hands back to FastAPI must find its body again, its stream being spent. Then
the comment is
checked against ``TOXICITY_MAX_TEXT_BYTES`` (``core.scoring.check_texts``),
converted from HTML, scored with ``core.scoring.run_scoring`` (small comments join
the event-loop turn's batch) and answered by ``decide``. Errors use the native
API's plain JSON shape; Coral logs any non-2xx answer and moves on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.routing import APIRoute

from model import ToxicityModel
from service.coral import signature
from service.coral.decide import decide, status_rules
from service.coral.schemas import EXAMPLES, CoralModerationRequest, CoralModerationResponse
from service.core.batcher import Rows
from service.core.deps import model_and_settings
from service.core.errors import ApiError
from service.core.languages import Detect, route
from service.core.schemas import ErrorResponse
from service.core.scoring import Part, check_texts, json_body, one_part, run_scoring
from service.middleware.body_guard import JSONRequest, JSONRoute
from service.perspective.html_text import html_to_text
from service.settings import Settings

PATH = "/integrations/coral/moderation"
RAW_BODY = "toxicity.coral.raw_body"


async def raw_body(request: Request) -> bytes:
    """Return the request's raw body, read from the stream only the first time (then kept in the scope)."""
    if RAW_BODY not in request.scope:
        request.scope[RAW_BODY] = await Request.body(request)
    body: bytes = request.scope[RAW_BODY]
    return body


class CoralRequest(JSONRequest):
    """A ``JSONRequest`` whose raw body, once read, is kept in the scope for every later reader."""

    async def body(self) -> bytes:
        """Return the raw body."""
        return await raw_body(self)


class CoralRoute(JSONRoute):
    """Route class that serves handlers a ``CoralRequest``."""

    def get_route_handler(self):  # type: ignore[no-untyped-def]
        """Wrap FastAPI's handler so it sees the already-parsed body and the kept raw body."""
        handler = APIRoute.get_route_handler(self)

        async def wrapped(request: Request) -> Any:
            return await handler(CoralRequest(request.scope, request.receive))

        return wrapped


async def coral_signed(request: Request) -> None:
    """Answer 404 while no secret is configured, and 401 unless the raw body carries a valid signature."""
    secrets = signature.secrets_of(request.app.state.settings.coral_secrets)
    if not secrets:
        raise switched_off()
    signature.verify(request.headers.get(signature.HEADER), await raw_body(request), secrets)


def switched_off() -> ApiError:
    """Return the 404 of the route while no signing secret is configured."""
    return ApiError.one(
        404, "not_found", f"no route POST {PATH}: the Coral integration is off until TOXICITY_CORAL_SECRETS is set"
    )


def example_error(status: int, settings: Settings) -> ApiError | None:
    """Return the error this route answers with ``status``, made as the route makes it (for the OpenAPI page)."""
    if status == 401:
        try:
            signature.verify(None, b"", ())
        except ApiError as err:
            return err
    if status == 404:
        return switched_off()
    if status == 422:
        try:
            check_texts(["x" * (settings.max_text_bytes + 1)], "comment.body", settings)
        except ApiError as err:
            return err
    return None


ERROR: dict[str, Any] = {"model": ErrorResponse}
ERRORS: dict[int | str, dict[str, Any]] = {
    204: {"description": "Nothing wrong: no attribute at its threshold, no status. Coral moves on."},
    400: {**ERROR, "description": "Invalid JSON or UTF-8 (checked before the signature)."},
    401: {**ERROR, "description": "`X-Coral-Signature` missing, or matching no secret of `TOXICITY_CORAL_SECRETS`."},
    404: {**ERROR, "description": "The route is off: `TOXICITY_CORAL_SECRETS` is empty."},
    413: {**ERROR, "description": "Request body over `TOXICITY_MAX_BODY_BYTES`, refused while reading."},
    422: {**ERROR, "description": "Not Coral's body, or `comment.body` over `TOXICITY_MAX_TEXT_BYTES`."},
    503: {**ERROR, "description": "The model is not loaded yet."},
}

router = APIRouter(tags=["Coral"], route_class=CoralRoute, dependencies=[Depends(coral_signed)])


@dataclass(frozen=True, slots=True)
class CoralPlan:
    """The comment's text to score, the language model that scores it, and the attributes."""

    texts: list[str]
    attributes: tuple[str, ...]
    model: ToxicityModel | None = None
    """The comment's language's model; None when the language scores nothing (no decision)."""
    language: str | None = None
    parts: tuple[Part, ...] = ()


def plan_comment(body: CoralModerationRequest, model: ToxicityModel, settings: Settings, detector: Detect) -> CoralPlan:
    """Return the text the comment shows and its language's model (none if empty), or raise a 422 naming the limit.

    Coral sends no language: it is detected (else ``TOXICITY_LANGUAGE_FALLBACK``). A
    language that scores nothing gets no automatic decision: no texts, hence a 204,
    and the comment goes through the site's normal moderation.
    """
    raw = body.comment.body
    if not raw.strip():
        return CoralPlan([], model.scored_attributes)
    check_texts([raw], "comment.body", settings)
    # Coral sends HTML unless the phase is set to plain text; plain text without markup passes unchanged.
    text = html_to_text(raw) if "<" in raw or "&" in raw else raw
    if not text.strip():
        return CoralPlan([], model.scored_attributes)
    language = route(text, None, model, detector, settings.language_fallback).language
    if language is None or language.model is None or not language.scored_attributes:
        return CoralPlan([], (), None, None if language is None else language.tag)
    sub, attributes = language.model, language.scored_attributes
    return CoralPlan([text], attributes, sub, language.tag, one_part(sub, [text], attributes))


def answer(model: ToxicityModel, settings: Settings, plan: CoralPlan, rows: Rows) -> Response:
    """Return 204, or Coral's actions, status and metadata, for the comment's scores (none: nothing to judge)."""
    rules = status_rules(settings.coral_reject_thresholds, settings.coral_premod_thresholds)
    scorer = plan.model if plan.model is not None else model
    body = decide(rows[0], scorer.thresholds(), rules, model.version, plan.language) if rows else None
    return Response(status_code=204) if body is None else json_body(body)


@router.post(
    PATH,
    response_model=CoralModerationResponse,
    response_model_exclude_none=True,
    summary="Coral: external moderation phase",
    responses=ERRORS,
)
async def coral_moderation(
    body: Annotated[CoralModerationRequest, Body(openapi_examples=EXAMPLES)],
    request: Request,
) -> Response:
    """Moderate one new or edited Coral comment, as Coral's external moderation phase expects.

    Set the phase's callback URL to this route and `TOXICITY_CORAL_SECRETS` to its
    signing secret. Answers 204 when nothing is wrong, else a `FLAG` action naming
    the attributes and scores; `status` (`REJECTED`, `PREMOD`) only above the
    operator's stricter thresholds. The comment is scored in its detected language
    with that language's thresholds; a language the model does not score gets 204,
    no automatic decision, and goes through the site's normal moderation.
    """
    model, settings = model_and_settings(request)
    request.state.comments = 1
    detector = request.app.state.detector
    response = await run_scoring(
        request.app.state.batcher,
        lambda: plan_comment(body, model, settings, detector),
        lambda plan, rows, cancel: answer(model, settings, plan, rows),
        len(body.comment.body),  # a long comment's HTML is converted and scored in the thread pool
        request=request,
    )
    request.state.attributes = model.scored_attributes  # counted by the metrics
    return response
