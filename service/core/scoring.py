"""Turn a validated request into scorer calls and a response; checks limits on the way.

No numpy or scikit-learn here: the scorer returns plain floats and explanations.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson
from fastapi import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from model import ToxicityModel
from model.errors import UnknownAttribute
from service.core.errors import ApiError, Problem
from service.core.schemas import ScoreRequest
from service.settings import Settings

T = TypeVar("T")


def check_texts(texts: Sequence[str], field: str, settings: Settings) -> None:
    """Raise one 422 naming every empty, too long or unencodable text."""
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
        if not text.strip():
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


def plan_score(request: ScoreRequest, model: ToxicityModel, settings: Settings) -> ScorePlan:
    """Check a native request's limits and names; return what to score, or raise a 422."""
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
    names = check_attributes(model, request.attributes, "attributes")
    thresholds = model.thresholds()
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
    return ScorePlan(texts, names, thresholds)


def score_body(
    request: ScoreRequest, model: ToxicityModel, settings: Settings, plan: ScorePlan, scores: Sequence[dict[str, float]]
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
            explanation = {
                e.attribute: {
                    "logit": e.logit,
                    "intercept": e.intercept,
                    "other": e.other,
                    "spans": [
                        {"start": s.start, "end": s.end, "text": s.text, "weight": s.weight, "kind": s.kind}
                        for s in e.spans
                    ],
                }
                for e in model.explain(comment.text, names, settings.max_explain_spans)
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


Rows = list[dict[str, float]]
"""What ``ToxicityModel.score`` returns: one ``{attribute: probability}`` per text."""


@dataclass(slots=True)
class _Ask:
    model: ToxicityModel
    texts: Sequence[str]
    attributes: tuple[str, ...]
    future: asyncio.Future[Rows]


class ScoreBatcher:
    """Scores the small requests that start in the same event-loop turn with one model call.

    Under load a worker's event loop starts many requests per turn: every connection
    with a complete request has its task stepped before the loop polls the sockets
    again, and nothing in a small scoring request waits on I/O before it is scored.
    Each request asks ``score`` and waits. The first ask of a turn schedules the batch
    with ``call_soon``, which queues it behind the request tasks already queued, so it
    runs once every request started in that turn has asked. It then makes one
    ``model.score`` call per (model, attributes) for all of them and hands each request
    its own rows. Nothing waits on a timer.

    One call instead of one per request shares the kernel's per-call work and its cache
    misses: after each request's framework work the vocabulary tables and weights are
    cold again. The work on the loop is the same the requests did inline one by one,
    so a batch stalls the loop no longer than they did. A request whose client went
    away (its future cancelled) is not scored. If a call fails, its requests are scored
    one by one, so one failing request fails only itself.

    Waiting for the batch costs a request two more loop turns, which is only worth
    paying when other requests join it. After ``SOLO_LIMIT`` batches in a row that
    held one request each (a client at a time), the next ``DIRECT_ASKS`` asks are
    scored at once, without waiting; then batching is tried again.
    """

    SOLO_LIMIT = 64
    DIRECT_ASKS = 1024

    def __init__(self) -> None:
        self._open: list[_Ask] | None = None  # the asks of the turn whose batch is scheduled
        self._open_loop: asyncio.AbstractEventLoop | None = None
        self._solo = 0  # batches in a row of one ask
        self._direct = 0  # asks still to score at once

    def score(self, model: ToxicityModel, texts: Sequence[str], attributes: Sequence[str]) -> asyncio.Future[Rows]:
        """Return a future of ``model.score(texts, attributes)``, scored with this turn's batch."""
        loop = asyncio.get_running_loop()
        ask = _Ask(model, texts, tuple(attributes), loop.create_future())
        if self._direct > 0:
            self._direct -= 1
            _answer(ask)
            return ask.future
        asks = self._open
        if asks is None or self._open_loop is not loop:
            asks = self._open = []
            self._open_loop = loop
            loop.call_soon(self._run, asks)
        asks.append(ask)
        return ask.future

    def _run(self, asks: list[_Ask]) -> None:
        if self._open is asks:
            self._open = None
        if len(asks) > 1:
            self._solo = 0
        else:
            self._solo += 1
            if self._solo >= self.SOLO_LIMIT:
                self._solo = 0
                self._direct = self.DIRECT_ASKS
        groups: dict[tuple[int, tuple[str, ...]], list[_Ask]] = {}
        for ask in asks:
            if not ask.future.done():  # cancelled: nobody is waiting
                groups.setdefault((id(ask.model), ask.attributes), []).append(ask)
        for group in groups.values():
            if len(group) == 1:
                _answer(group[0])
                continue
            texts = [text for ask in group for text in ask.texts]
            try:
                rows = group[0].model.score(texts, group[0].attributes)
            except Exception:  # noqa: BLE001 - each request then gets its own result or error
                for ask in group:
                    _answer(ask)
                continue
            start = 0
            for ask in group:
                end = start + len(ask.texts)
                ask.future.set_result(rows[start:end])
                start = end


def _answer(ask: _Ask) -> None:
    """Score one ask on its own; its future gets the rows or the error."""
    try:
        rows = ask.model.score(ask.texts, ask.attributes)
    except Exception as exc:  # noqa: BLE001 - raised in the request's own task
        ask.future.set_exception(exc)
    else:
        ask.future.set_result(rows)


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
    finish: Callable[[P, Rows], T],
    chars: int,
    heavy: bool = False,
) -> T:
    """Validate, score and build a response: small requests on the loop, in the turn's batch.

    ``plan`` checks the request and returns what to score (or raises the request's
    error); ``finish`` builds the response from the rows. A request of more than
    ``INLINE_CHARS`` characters, or a ``heavy`` one (explanations, span scores), runs
    all three steps in the thread pool instead.
    """
    if chars <= INLINE_CHARS and not heavy:
        planned = plan()
        return finish(planned, await batcher.score(model, planned.texts, planned.attributes))

    def whole() -> T:
        planned = plan()
        return finish(planned, model.score(planned.texts, planned.attributes))

    return await run_in_threadpool(whole)


def json_response(body: BaseModel, exclude_none: bool = False) -> Response:
    """Serialise a response model once, in pydantic-core, with its aliases."""
    return Response(body.model_dump_json(by_alias=True, exclude_none=exclude_none), media_type="application/json")


def json_body(body: dict[str, Any]) -> Response:
    """Serialise a response built from plain dicts and lists, with orjson."""
    return Response(orjson.dumps(body), media_type="application/json")
