"""``POST /v1/moderations``: OpenAI's moderation contract, scored by the native scoring path.

A thin route like ``comments:analyze``: the request is checked against the native
API's limits (``TOXICITY_MAX_BATCH`` inputs of ``TOXICITY_MAX_TEXT_BYTES`` each,
through ``core.scoring.check_texts``), scored with ``core.scoring.run_scoring``
(small requests join the event-loop turn's batch) and mapped to categories by
``mapping``. Keys are the app's configured set (``app.state.api_keys``), presented
as OpenAI's clients send them: ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response

from model import ToxicityModel
from service.core.auth import matches, presented_key
from service.core.batcher import Rows
from service.core.deps import model_and_settings
from service.core.errors import ApiError, Problem, not_ready
from service.core.languages import Detect, language_message, route, thresholds_in
from service.core.profiles import NONE, Profiles
from service.core.scoring import Part, check_texts, json_body, parts_by_model, run_scoring
from service.middleware.body_guard import JSONRoute
from service.openai import mapping
from service.openai.errors import PATH as PATH  # re-exported: the route's path
from service.openai.schemas import EXAMPLES, ModerationRequest, ModerationResponse, OpenAIErrorResponse
from service.openai.schemas import Part as Part_
from service.settings import Settings

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="toxicity"'}


async def bearer_key(request: Request) -> None:
    """Require one of the configured keys, when keys are configured: ``Authorization: Bearer <key>``.

    ``X-API-Key`` is accepted too, as on the native API: the rate limiter and the
    OpenAPI document read a key on ``/v1/...`` the same way (``core.auth.presented_key``).
    """
    keys: tuple[bytes, ...] = request.app.state.api_keys
    if not keys:
        return
    presented = presented_key(request.scope, perspective=False)
    if not matches(presented, keys):
        raise missing_key() if not presented else wrong_key()


def missing_key() -> ApiError:
    """Return the 401 of a request without a key."""
    return ApiError.one(
        401,
        "missing_api_key",
        "You didn't provide an API key: send Authorization: Bearer <key> with one of the service's keys.",
        headers=WWW_AUTHENTICATE,
    )


def wrong_key() -> ApiError:
    """Return the 401 of a request whose key is none of the configured ones."""
    return ApiError.one(401, "invalid_api_key", "Incorrect API key provided.", headers=WWW_AUTHENTICATE)


ERROR: dict[str, Any] = {"model": OpenAIErrorResponse}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        **ERROR,
        "description": "An invalid request, in OpenAI's shape (`BadRequestError` in its client): invalid JSON, "
        "an unknown or mistyped field, an empty, too long or image input, too many inputs, an input whose "
        "(detected) language the model does not score (`language_not_supported`), or a body over "
        "`TOXICITY_MAX_BODY_BYTES`.",
    },
    401: {**ERROR, "description": "No valid `Authorization: Bearer` key (only when keys are configured)."},
    429: {**ERROR, "description": "Over the rate limit (`TOXICITY_RATE_LIMIT_PER_SECOND`), with `Retry-After`."},
    503: {**ERROR, "description": "The model is not loaded yet (`InternalServerError` in the client)."},
}

router = APIRouter(tags=["OpenAI moderation"], route_class=JSONRoute, dependencies=[Depends(bearer_key)])


def example_error(status: int, settings: Settings) -> ApiError | None:
    """Return the error this route answers with ``status``, made as the route makes it (for the OpenAPI page)."""
    if status == 400:
        too_long = ["x" * (settings.max_text_bytes + 1)]
        try:
            check_texts(["fine", *too_long], "input[{i}]", settings)
        except ApiError as err:
            return err
    return {401: wrong_key(), 503: not_ready()}.get(status)


@dataclass(frozen=True, slots=True)
class ModerationPlan:
    """A checked moderation request: the texts, which model scores each, and how to map each input's scores."""

    texts: list[str]
    parts: tuple[Part, ...]
    live: list[tuple[mapping.Category, ...]]
    """Per input: the categories its language's model covers."""
    thresholds: list[dict[str, float]]
    """Per input: its language's thresholds."""


def _items(body: ModerationRequest) -> Sequence[str | Part_]:
    return [body.input] if isinstance(body.input, str) else body.input


def thresholds(
    body: ModerationRequest, model: ToxicityModel, profiles: Profiles, key_profile: str | None
) -> dict[str, float]:
    """Return the thresholds behind ``flagged``: ``model`` naming a preset or a profile, else the key's profile.

    Any other ``model`` (OpenAI's own names) keeps the key's profile, or the model's defaults.
    ``model`` may be a language's model: its own defaults and presets, a profile's overrides.
    """
    if body.model is not None and body.model in model.presets():
        return mapping.thresholds_for(model, body.model)
    named = body.model if body.model in profiles.by_name else key_profile
    if named is None:
        return model.thresholds()
    if model.languages is not None:  # the root model: resolved once and cached
        return profiles.thresholds(named, model)
    profile = profiles.by_name[named]
    return thresholds_in(model, profile.preset, profile.overrides)


def plan_moderation(
    body: ModerationRequest,
    model: ToxicityModel,
    settings: Settings,
    detector: Detect,
    profiles: Profiles = NONE,
    key_profile: str | None = None,
) -> ModerationPlan:
    """Check the inputs against the native limits; return what to score, or raise a 400 naming each problem.

    Each input is scored in its detected language (OpenAI's request has no language
    field; else ``TOXICITY_LANGUAGE_FALLBACK``). An input whose language scores
    nothing is refused (400 naming the input and its language): OpenAI's results have
    no per-input error, and all-false categories would read as a judgement.
    """
    items = _items(body)
    if not items:
        raise ApiError.one(422, "input_empty", "input is an empty array; send at least one text", "input", 1)
    if len(items) > settings.max_batch:
        raise ApiError.one(
            422,
            "too_many_inputs",
            f"input holds {len(items)} items; the limit is {settings.max_batch} (TOXICITY_MAX_BATCH)",
            "input",
            settings.max_batch,
        )
    texts: list[str] = []
    problems = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            texts.append(item)
        elif item.type == "image_url" or item.image_url is not None:
            problems.append(
                Problem(
                    "image_input_not_supported",
                    f"input[{i}] is an image; this service moderates text only",
                    f"input[{i}]",
                )
            )
        elif item.text is None:
            problems.append(Problem("missing_text", f"input[{i}] is a text part without `text`", f"input[{i}].text"))
        else:
            texts.append(item.text)
    if problems:
        raise ApiError(422, problems)
    where = "input" if isinstance(body.input, str) else "input[{i}]"
    check_texts(texts, where, settings)
    models: list[ToxicityModel] = []
    by_language: dict[str, tuple[tuple[mapping.Category, ...], dict[str, float]]] = {}
    for i, text in enumerate(texts):
        language = route(text, None, model, detector, settings.language_fallback).language
        field = where.format(i=i)
        if language is None:
            message = f"{field}: its language could not be detected and TOXICITY_LANGUAGE_FALLBACK is empty"
            problems.append(Problem("language_detection_failed", message, field))
        elif language.model is None or not mapping.covered(language.model):
            problems.append(Problem("language_not_supported", f"{field}: {language_message(model, language)}", field))
        else:
            models.append(language.model)
            if language.tag not in by_language:
                live = mapping.covered(language.model)
                by_language[language.tag] = (live, thresholds(body, language.model, profiles, key_profile))
    if problems:
        raise ApiError(422, problems)
    mapped = [by_language[m.language] for m in models]
    parts = parts_by_model(models, [mapping.needed(live) for live, _ in mapped])
    return ModerationPlan(texts, parts, [live for live, _ in mapped], [t for _, t in mapped])


def moderation_body(body: ModerationRequest, model: ToxicityModel, plan: ModerationPlan, rows: Rows) -> dict[str, Any]:
    """Return the response, shaped as ``ModerationResponse``, from the inputs' scores."""
    return {
        # An identifier, not a secret: the module's generator costs no system call.
        "id": f"modr-{random.getrandbits(128):032x}",
        "model": body.model if body.model is not None else model.version,
        "results": [
            mapping.result(row, limits, live)
            for row, limits, live in zip(rows, plan.thresholds, plan.live, strict=True)
        ],
    }


@router.post(
    PATH,
    response_model=ModerationResponse,
    summary="OpenAI: classify text as potentially harmful",
    responses=ERRORS,
)
async def moderations(
    body: Annotated[ModerationRequest, Body(openapi_examples=EXAMPLES)],
    request: Request,
) -> Response:
    """Classify texts in OpenAI's moderation contract; point the `openai` client's `base_url` here.

    Categories come from this model's attributes (the table is in the README and in
    `GET /v1/model`); the ones it does not cover are always `false` with score `0.0`.
    Each input is scored in its detected language: a category none of whose attributes
    that language scores is `false`, `0.0`, with no applied input types; an input whose
    language scores nothing is refused (400 naming the input and the language).
    """
    model, settings = model_and_settings(request)
    profiles: Profiles = request.app.state.profiles
    key_profile = profiles.for_key(presented_key(request.scope, perspective=False)) if profiles.keys else None
    items = _items(body)
    request.state.comments = len(items)
    chars = sum(len(item) if isinstance(item, str) else len(item.text or "") for item in items)
    detector = request.app.state.detector
    result = await run_scoring(
        request.app.state.batcher,
        lambda: plan_moderation(body, model, settings, detector, profiles, key_profile),
        lambda plan, rows, cancel: moderation_body(body, model, plan, rows),
        chars,
        request=request,  # a large request in the thread pool stops if its client leaves
    )
    request.state.attributes = mapping.needed(mapping.covered(model))  # counted by the metrics
    return json_body(result)
