"""The native ``POST /v1/score``: check a request, route each comment to its language, build the response.

``plan_score`` checks the limits and names (else a 422), picks each comment's language
(``core.languages.route``) and the attributes and thresholds it is scored with there,
and groups the comments into ``scoring.Part``s, one batcher call per (model,
attributes). ``score_body`` builds the response from the rows. A comment whose
language does not score a requested attribute gets a per-comment error for it; one
whose language scores nothing gets ``language_not_supported`` and empty scores; the
rest of the batch is scored all the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from model import ToxicityModel
from service.core.cancel import NEVER, Cancel
from service.core.errors import ApiError
from service.core.languages import (
    Detect,
    Routed,
    attribute_message,
    experimental,
    language_message,
    route,
    scored,
    thresholds_in,
)
from service.core.profiles import NONE, Profiles
from service.core.schemas import ScoreRequest
from service.core.scoring import Part, check_attributes, check_texts, parts_by_model, readable
from service.settings import Settings

LANGUAGE_NOT_SUPPORTED = "language_not_supported"
ATTRIBUTE_NOT_SUPPORTED = "language_not_supported_by_attribute"
DETECTION_FAILED = "language_detection_failed"


@dataclass(frozen=True, slots=True)
class CommentPlan:
    """One comment's language, the model and attributes it is scored with, and its thresholds and errors."""

    routed: Routed
    model: ToxicityModel | None
    attributes: tuple[str, ...]
    thresholds: Mapping[str, float]
    errors: list[dict[str, Any]] = field(default_factory=list)
    experimental: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ScorePlan:
    """A validated native request: what to score in which language, and the thresholds to flag at."""

    texts: list[str]
    attributes: tuple[str, ...]
    """The attributes asked for (or the root model's scored ones by default)."""
    thresholds: dict[str, float]
    """The root (English) model's thresholds for this request."""
    comments: list[CommentPlan]
    parts: tuple[Part, ...]


def error(code: str, message: str, attribute: str | None = None) -> dict[str, Any]:
    """Return one per-comment error entry, shaped as ``CommentError``."""
    return {"code": code, "attribute": attribute, "message": message}


def plan_score(
    request: ScoreRequest,
    model: ToxicityModel,
    settings: Settings,
    detector: Detect,
    profiles: Profiles = NONE,
    key_profile: str | None = None,
) -> ScorePlan:
    """Check a native request's limits and names; return what to score in which language, or raise a 422.

    ``key_profile`` is the profile the request's API key defaults to (``TOXICITY_KEY_PROFILES``).
    """
    if len(request.comments) > settings.max_batch:
        raise ApiError.one(
            422,
            "batch_too_large",
            f"comments holds {len(request.comments)} comments; the limit is {settings.max_batch} (TOXICITY_MAX_BATCH)",
            "comments",
            settings.max_batch,
        )
    texts = [c.text for c in request.comments]
    check_texts(texts, "comments[{i}].text", settings)
    if request.explain and (chars := sum(map(len, texts))) > settings.max_explain_chars:
        raise ApiError.one(
            422,
            "explain_too_large",
            f"comments hold {chars} characters to explain; the limit is {settings.max_explain_chars} per request "
            "(TOXICITY_MAX_EXPLAIN_CHARS): send fewer comments per request, or leave explain off",
            "comments",
            settings.max_explain_chars,
        )
    names = check_attributes(model, request.attributes, "attributes")
    thresholds = plan_thresholds(request, model, profiles, key_profile)
    by_language: dict[str, Mapping[str, float]] = {model.language: thresholds}
    comments = []
    messages: dict[str, str] = {}
    for comment in request.comments:
        routed = route(comment.text, comment.language, model, detector, settings.language_fallback)
        comments.append(plan_comment(request, model, routed, names, by_language, profiles, key_profile, messages))
    parts = parts_by_model([c.model for c in comments], [c.attributes for c in comments])
    return ScorePlan(texts, names, thresholds, comments, parts)


def plan_comment(
    request: ScoreRequest,
    root: ToxicityModel,
    routed: Routed,
    names: Sequence[str],
    by_language: dict[str, Mapping[str, float]],
    profiles: Profiles,
    key_profile: str | None,
    messages: dict[str, str],
) -> CommentPlan:
    """Return how one comment is scored in its language: its attributes, thresholds and errors."""
    language = routed.language
    if language is None:
        message = "the comment's language could not be detected and TOXICITY_LANGUAGE_FALLBACK is empty; send its "
        return CommentPlan(routed, None, (), {}, [error(DETECTION_FAILED, message + "`language`")])
    if language.model is None or not language.scored_attributes:
        return CommentPlan(routed, None, (), {}, [error(LANGUAGE_NOT_SUPPORTED, language_message(root, language))])
    attributes = scored(language, names)
    errors = []
    for name in names:
        if name not in attributes:
            key = f"{language.tag} {name}"  # a message walks the catalogue: once per request, not per comment
            if key not in messages:
                messages[key] = attribute_message(root, language, name)
            errors.append(error(ATTRIBUTE_NOT_SUPPORTED, messages[key], name))
    sub = language.model
    if sub.language not in by_language:
        by_language[sub.language] = language_thresholds(request, sub, profiles, key_profile)
    return CommentPlan(routed, sub, attributes, by_language[sub.language], errors, experimental(language, attributes))


def plan_thresholds(
    request: ScoreRequest, model: ToxicityModel, profiles: Profiles, key_profile: str | None
) -> dict[str, float]:
    """Return the thresholds that decide ``flagged``, or raise a 422.

    The request's ``profile`` (else the key's), then a ``thresholds`` mapping over it;
    a ``thresholds`` preset name replaces the key's profile and is refused with a
    request's ``profile``, which already chose its preset.
    """
    if request.profile is not None:
        profile = profiles.by_name.get(request.profile)
        if profile is None:
            raise ApiError.one(
                422,
                "unknown_profile",
                f"profile: this server has no profile {request.profile!r} (profiles: {profiles.known()})",
                "profile",
                profiles.known(),
            )
        if isinstance(request.thresholds, str):
            raise ApiError.one(
                422,
                "profile_with_preset",
                f"thresholds names the preset {request.thresholds!r} and profile names {request.profile!r}: send "
                "one (a profile picks its own preset); per-attribute thresholds may adjust a profile",
                "thresholds",
            )
        thresholds = profiles.thresholds(profile.name, model)
    elif key_profile is not None and not isinstance(request.thresholds, str):
        thresholds = profiles.thresholds(key_profile, model)
    else:
        thresholds = model.thresholds()
    if isinstance(request.thresholds, str):
        presets = model.presets()
        if request.thresholds not in presets:
            known = ", ".join(presets) or "none"
            raise ApiError.one(
                422,
                "unknown_preset",
                f"thresholds: this model has no preset {request.thresholds!r} (presets: {known})",
                "thresholds",
                known,
            )
        thresholds.update(presets[request.thresholds])
        return thresholds
    for name, value in (request.thresholds or {}).items():
        if name not in thresholds:
            raise ApiError.one(
                422,
                "unknown_attribute",
                f"thresholds.{name}: unknown attribute (supported: {', '.join(thresholds)})",
                f"thresholds.{name}",
                ", ".join(thresholds),
            )
        thresholds[name] = value
    return thresholds


def language_thresholds(
    request: ScoreRequest, model: ToxicityModel, profiles: Profiles, key_profile: str | None
) -> dict[str, float]:
    """Return a language model's thresholds for a request already checked by ``plan_thresholds``.

    The language's own defaults and presets; explicit numbers (the profile's overrides,
    then the request's per-attribute thresholds) apply in every language.
    """
    preset_name = request.thresholds if isinstance(request.thresholds, str) else None
    name = request.profile if request.profile is not None else (key_profile if preset_name is None else None)
    profile = profiles.by_name.get(name) if name is not None else None
    overrides: dict[str, float] = dict(profile.overrides) if profile is not None else {}
    if isinstance(request.thresholds, dict):
        overrides.update(request.thresholds)
    preset = preset_name if preset_name is not None else (profile.preset if profile is not None else None)
    return thresholds_in(model, preset, overrides)


def score_body(
    request: ScoreRequest,
    model: ToxicityModel,
    settings: Settings,
    plan: ScorePlan,
    scores: Sequence[dict[str, float]],
    cancel: Cancel = NEVER,
) -> dict[str, Any]:
    """Return a native response body, shaped as ``ScoreResponse``, from the comments' scores.

    The body is built from plain dicts and lists for ``json_body``: constructing and
    serialising the pydantic models took 5.4 us per single-comment response against
    1.0 us for orjson (scratch loop). ``ScoreResponse`` still documents it, and a test
    holds the two to the same bytes.
    """
    results = []
    for comment, planned, row in zip(request.comments, plan.comments, scores, strict=True):
        explanation = None
        if request.explain:
            cancel.check()  # between comments: each explanation is the costly step
            explanation = {}
            if planned.model is not None and planned.attributes:
                found = planned.model.explain(comment.text, planned.attributes, settings.max_explain_spans)
                explanation = {e.attribute: readable(e) for e in found}
        language = planned.routed.out()
        if language is not None:
            language["experimental"] = planned.experimental
        result: dict[str, Any] = {
            "id": comment.id,
            "scores": row,
            "flagged": [n for n in planned.attributes if row[n] >= planned.thresholds[n]],
            "explanation": explanation,
            "language": language,
        }
        if planned.errors:
            result["errors"] = planned.errors
        results.append(result)
    return {"model": {"version": model.version}, "results": results}
