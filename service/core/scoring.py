"""Turn a validated request into scorer calls and a response; checks limits on the way.

No numpy or scikit-learn here: the scorer returns plain floats and explanations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson
from fastapi import Request, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from model import ToxicityModel
from model.errors import UnknownAttribute
from model.explain import Explanation
from service.core.batcher import Rows, ScoreBatcher
from service.core.cancel import NEVER, SERVER_RECEIVE, Cancel, ClientGone, watching
from service.core.errors import ApiError, Problem
from service.core.profiles import NONE, Profiles
from service.core.schemas import ScoreRequest
from service.settings import Settings

T = TypeVar("T")


def nul_at(text: str) -> int:
    """Return where ``text`` holds a NUL character (U+0000), or -1.

    NUL is refused in comment text rather than dropped: nothing else in a comment
    means "end of string" to a C library or a database downstream, and a text that
    holds one was not typed by a person. Other control characters are accepted and
    removed by normalisation before scoring (``model.normalize``, stage 2).
    """
    return text.find("\x00")


def check_texts(texts: Sequence[str], field: str, settings: Settings) -> None:
    """Raise one 422 naming every empty, too long, unencodable or NUL-holding text."""
    problems = []
    limit = settings.max_text_bytes
    for i, text in enumerate(texts):
        where = field.format(i=i)
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError as exc:
            problems.append(
                Problem("invalid_text", f"{where} holds an unpaired surrogate at character {exc.start}", where)
            )
            continue
        if (nul := nul_at(text)) >= 0:
            problems.append(
                Problem("invalid_text", f"{where} holds a NUL character (U+0000) at character {nul}", where)
            )
        elif not text.strip():
            problems.append(Problem("comment_empty", f"{where} is empty or whitespace only", where, 1))
        elif size > limit:
            problems.append(
                Problem(
                    "comment_too_long",
                    f"{where} is {size} bytes of UTF-8; the limit is {limit}",
                    where,
                    limit,
                )
            )
    if problems:
        raise ApiError(422, problems)


def check_attributes(model: ToxicityModel, names: Sequence[str] | None, field: str) -> tuple[str, ...]:
    """Return the attributes to score, or raise a 422 naming each unknown one."""
    if names is None:
        return model.scored_attributes
    problems = []
    for i, name in enumerate(names):
        try:
            model.check_attributes([name])
        except UnknownAttribute as exc:
            problems.append(Problem("unknown_attribute", exc.message, f"{field}[{i}]", exc.limit))
    if problems:
        raise ApiError(422, problems)
    if not names:
        raise ApiError.one(422, "no_attributes", f"{field} is empty; omit it to score every attribute", field)
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class ScorePlan:
    """A validated native request: what to score, and the thresholds to flag at."""

    texts: list[str]
    attributes: tuple[str, ...]
    thresholds: dict[str, float]


def plan_score(
    request: ScoreRequest,
    model: ToxicityModel,
    settings: Settings,
    profiles: Profiles = NONE,
    key_profile: str | None = None,
) -> ScorePlan:
    """Check a native request's limits and names; return what to score, or raise a 422.

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
    return ScorePlan(texts, names, plan_thresholds(request, model, profiles, key_profile))


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
    names, thresholds = plan.attributes, plan.thresholds
    results = []
    for comment, row in zip(request.comments, scores, strict=True):
        explanation = None
        if request.explain:
            cancel.check()  # between comments: each explanation is the costly step
            explanation = {
                e.attribute: readable(e) for e in model.explain(comment.text, names, settings.max_explain_spans)
            }
        results.append(
            {
                "id": comment.id,
                "scores": row,
                "flagged": [n for n in names if row[n] >= thresholds[n]],
                "explanation": explanation,
            }
        )
    return {"model": {"version": model.version}, "results": results}


DIGITS = 4
"""Explanations are rounded to this many decimals: readable on the docs page, far finer than a score moves."""


def readable(e: Explanation) -> dict[str, Any]:
    """Return one attribute's explanation as the API shows it: rounded, largest spans first.

    ``other`` is what the listed (rounded) spans leave of the logit, so
    ``intercept + sum(weights) + other == logit`` still holds to the rounding.
    """
    weights = [round(s.weight, DIGITS) for s in e.spans]
    spans = [
        {"start": s.start, "end": s.end, "text": s.text, "weight": w, "kind": s.kind}
        for s, w in zip(e.spans, weights, strict=True)
    ]
    logit, intercept = round(e.logit, DIGITS), round(e.intercept, DIGITS)
    return {
        "logit": logit,
        "intercept": intercept,
        "other": round(logit - intercept - sum(weights), DIGITS),
        "spans": spans,
        "sentences": [{"start": u.start, "end": u.end, "score": round(u.score, DIGITS)} for u in e.sentences],
        "driver": e.driver,
    }


class Plan(Protocol):
    """What a route's planning step returns: the texts to score and the attributes."""

    @property
    def texts(self) -> Sequence[str]:
        """The texts to score, in the order ``finish`` expects their rows."""

    @property
    def attributes(self) -> Sequence[str]:
        """The attributes to score them for."""


P = TypeVar("P", bound=Plan)

INLINE_CHARS = 2_000
"""Requests holding at most this many characters of text are scored on the event loop.

Scoring such a request takes well under a millisecond, less than the hop to a worker
thread (measured: the hop cost about half the throughput of single-comment requests).
Bigger requests and explanations go to the thread pool so they never stall the loop;
the kernel releases the GIL, so two of them can run at once.
"""


async def run_scoring(
    batcher: ScoreBatcher,
    model: ToxicityModel,
    plan: Callable[[], P],
    finish: Callable[[P, Rows, Cancel], T],
    chars: int,
    heavy: bool = False,
    request: Request | None = None,
) -> T:
    """Validate, score and build a response: small requests on the loop, in the turn's batch.

    ``plan`` checks the request and returns what to score (or raises the request's
    error); ``finish`` builds the response from the rows, checking the ``Cancel`` it
    is given between costly steps. A request of more than ``INLINE_CHARS``
    characters, or a ``heavy`` one (explanations, span scores), runs all three steps
    in the thread pool instead; a heavy one first waits for one of the app's
    ``HeavySlots``, and stops (499) if its ``request``'s client disconnects.
    """
    if chars <= INLINE_CHARS and not heavy:
        planned = plan()
        return finish(planned, await batcher.score(model, planned.texts, planned.attributes), NEVER)

    def whole(cancel: Cancel) -> T:
        cancel.check()  # the client may have left while the request waited for a slot
        planned = plan()
        cancel.check()
        rows = model.score(planned.texts, planned.attributes)
        cancel.check()
        return finish(planned, rows, cancel)

    if request is None:
        return await run_in_threadpool(whole, NEVER)
    try:
        async with watching(request.scope.get(SERVER_RECEIVE, request.receive)) as cancel:
            if not heavy:
                return await run_in_threadpool(whole, cancel)
            async with request.app.state.heavy_slots.slot():
                return await run_in_threadpool(whole, cancel)
    except ClientGone:
        raise ApiError.one(
            499, "client_closed", "the client closed the connection before the answer; its work was stopped"
        ) from None


def json_response(body: BaseModel, exclude_none: bool = False) -> Response:
    """Serialise a response model once, in pydantic-core, with its aliases."""
    return Response(body.model_dump_json(by_alias=True, exclude_none=exclude_none), media_type="application/json")


def json_body(body: dict[str, Any]) -> Response:
    """Serialise a response built from plain dicts and lists, with orjson."""
    return Response(orjson.dumps(body), media_type="application/json")
