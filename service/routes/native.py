"""The native JSON API: ``POST /v1/score`` and ``GET /v1/model``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response

from service.core.auth import native_key, presented_key
from service.core.deps import ModelDep, SettingsDep, model_and_settings
from service.core.languages import describe as describe_languages
from service.core.native_plan import plan_score, score_body
from service.core.profiles import Profiles
from service.core.schemas import (
    EXAMPLES,
    AttributeOut,
    ErrorResponse,
    LanguageInfo,
    ModelInfo,
    PresetOut,
    ProfileOut,
    ScoreRequest,
    ScoreResponse,
)
from service.core.scoring import json_body, run_scoring
from service.middleware.body_guard import JSONRoute

router = APIRouter(prefix="/v1", tags=["native API"], route_class=JSONRoute, dependencies=[Depends(native_key)])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErrorResponse,
        "description": "Invalid JSON or invalid UTF-8, or JSON nested deeper than 1,024 levels.",
    },
    401: {"model": ErrorResponse, "description": "No valid API key (only when keys are configured)."},
    413: {"model": ErrorResponse, "description": "Request body over `TOXICITY_MAX_BODY_BYTES`, refused while reading."},
    422: {
        "model": ErrorResponse,
        "description": "A field is wrong: empty or too long text, too many comments, unknown attribute, bad threshold, "
        "unknown profile, a malformed `language` (not BCP-47, over 35 characters), wrong type. A language that "
        "does not score an attribute is not an error of the request: the comment's `errors` say so (200).",
    },
    429: {
        "model": ErrorResponse,
        "description": "Over the rate limit (`TOXICITY_RATE_LIMIT_PER_SECOND`); `Retry-After` says when to retry.",
    },
    503: {"model": ErrorResponse, "description": "The model is not loaded yet."},
}


@router.post(
    "/score",
    response_model=ScoreResponse,
    summary="Score comments for toxicity",
    responses=ERRORS,
)
async def score(
    request: Annotated[ScoreRequest, Body(openapi_examples=EXAMPLES)],
    http: Request,
) -> Response:
    """Score one or many comments; optionally explain each score.

    Each comment is scored in its language: its `language` when given, else the
    detected one, else `TOXICITY_LANGUAGE_FALLBACK`. An attribute its language does
    not score is not scored (an entry in the comment's `errors`), never guessed by
    another language's model. Scores are calibrated probabilities. `flagged` lists the attributes at or above
    their threshold. With `explain`, each attribute lists the words and phrases of
    your text (offsets are Python string indices into what you sent, end exclusive)
    with their exact contribution to the raw logit.
    """
    model, settings = model_and_settings(http)
    profiles: Profiles = http.app.state.profiles
    key_profile = profiles.for_key(presented_key(http.scope, perspective=False)) if profiles.keys else None
    http.state.comments = len(request.comments)
    chars = sum(len(c.text) for c in request.comments)
    detector = http.app.state.detector
    result = await run_scoring(
        http.app.state.batcher,
        lambda: plan_score(request, model, settings, detector, profiles, key_profile),
        lambda plan, rows, cancel: score_body(request, model, settings, plan, rows, cancel),
        chars,
        heavy=request.explain,
        request=http,
    )
    http.state.attributes = result["results"][0]["scores"].keys()  # counted by the metrics (at least one comment)
    return json_body(result)


@router.get("/model", response_model=ModelInfo, summary="Describe the loaded model", responses={503: ERRORS[503]})
def model_info(model: ModelDep, settings: SettingsDep, http: Request) -> ModelInfo:
    """Return the version, attributes, metrics, data summary, contract mappings and languages.

    Attributes with definition, status and threshold; languages with each attribute's
    status and validation metrics in that language.
    """
    manifest = model.manifest
    measured = manifest.get("evaluation", {}).get("presets", {})
    attributes = []
    for name, entry in manifest.get("attributes", {}).items():
        presets = {
            preset: PresetOut(
                threshold=chosen["threshold"],
                precision=measured.get(name, {}).get(preset, {}).get("precision"),
                recall=measured.get(name, {}).get(preset, {}).get("recall"),
                rule=chosen.get("rule", ""),
                reached=chosen.get("reached", True),
            )
            for preset, chosen in entry.get("presets", {}).items()
        }
        attributes.append(
            AttributeOut(
                name=name,
                definition=entry.get("definition", ""),
                status=entry.get("status", "experimental"),
                reason=entry.get("reason", ""),
                default_threshold=entry.get("threshold"),
                presets=presets,
            )
        )
    validation = manifest.get("metrics", {}).get("validation", {})
    metrics = {name: by_source.get("all", {}) for name, by_source in validation.items()}
    languages = describe_languages(model)
    for name, figures in metrics.items():  # English's figures are the root manifest's
        if name in languages[0]["attributes"] and not languages[0]["attributes"][name]["metrics"]:
            languages[0]["attributes"][name]["metrics"] = figures
    data = manifest.get("data", {})
    sources = data.get("sources", {})
    training = {
        "sources": sources,
        "train_comments": sum(s.get("train", 0) for s in sources.values()),
        "validation_comments": sum(s.get("validation", 0) for s in sources.values()),
        "files": len(data.get("files", [])),
    }
    return ModelInfo(
        version=model.version,
        created=manifest.get("created"),
        attributes=attributes,
        metrics=metrics,
        training_data=training,
        limits={
            "max_text_bytes": settings.max_text_bytes,
            "max_batch": settings.max_batch,
            "max_body_bytes": settings.max_body_bytes,
            "max_explain_chars": settings.max_explain_chars,
            "max_span_sentences": settings.max_span_sentences,
        },
        contracts={name: describe(model) for name, describe in getattr(http.app.state, "contracts", {}).items()},
        profiles=[
            ProfileOut(name=p.name, description=p.description, preset=p.preset, thresholds=p.resolve(model))
            for p in http.app.state.profiles.by_name.values()
        ],
        languages=[LanguageInfo.model_validate(entry) for entry in languages],
        unsupported_languages=[entry["code"] for entry in languages if not entry["scored"]],
    )
