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


@dataclass(frozen=True, slots=True)
class Part:
    """Texts of one plan that one model scores for the same attributes: one batcher call."""

    model: ToxicityModel
    indices: tuple[int, ...]
    """Positions in the plan's ``texts``."""
    attributes: tuple[str, ...]


def one_part(model: ToxicityModel, texts: Sequence[str], attributes: Sequence[str]) -> tuple[Part, ...]:
    """Return the parts of a plan whose texts are all scored by ``model`` for ``attributes``."""
    return (Part(model, tuple(range(len(texts))), tuple(attributes)),) if texts and attributes else ()


def parts_by_model(models: Sequence[ToxicityModel | None], attributes: Sequence[Sequence[str]]) -> tuple[Part, ...]:
    """Group texts by (model, attributes): text ``i`` is scored by ``models[i]`` for ``attributes[i]``.

    A text without a model or attributes is in no part: its row stays empty.
    """
    groups: dict[tuple[int, tuple[str, ...]], tuple[ToxicityModel, list[int]]] = {}
    for i, (model, names) in enumerate(zip(models, attributes, strict=True)):
        if model is not None and names:
            groups.setdefault((id(model), tuple(names)), (model, []))[1].append(i)
    return tuple(Part(model, tuple(indices), key[1]) for key, (model, indices) in groups.items())


class Plan(Protocol):
    """What a route's planning step returns: the texts to score and which model scores which."""

    @property
    def texts(self) -> Sequence[str]:
        """The texts, in the order ``finish`` expects their rows."""

    @property
    def parts(self) -> Sequence[Part]:
        """Which model scores which texts for which attributes; a text in no part gets an empty row."""


def _assemble(count: int, parts: Sequence[Part], scored: Sequence[Rows]) -> Rows:
    """Return one row per text from each part's rows (an empty row for a text no part holds)."""
    if len(parts) == 1 and len(parts[0].indices) == count:
        return scored[0]
    rows: Rows = [{} for _ in range(count)]
    for part, part_rows in zip(parts, scored, strict=True):
        for i, row in zip(part.indices, part_rows, strict=True):
            rows[i] = row
    return rows


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
    plan: Callable[[], P],
    finish: Callable[[P, Rows, Cancel], T],
    chars: int,
    heavy: bool = False,
    request: Request | None = None,
) -> T:
    """Validate, score and build a response: small requests on the loop, in the turn's batch.

    ``plan`` checks the request and returns what to score (or raises the request's
    error): its ``parts`` say which model scores which texts, each part one batcher
    call, so the comments of a mixed-language batch are each scored in their own
    language; ``finish`` builds the response from the rows, checking the ``Cancel`` it
    is given between costly steps. A request of more than ``INLINE_CHARS``
    characters, or a ``heavy`` one (explanations, span scores), runs all three steps
    in the thread pool instead; a heavy one first waits for one of the app's
    ``HeavySlots``, and stops (499) if its ``request``'s client disconnects.
    """
    if chars <= INLINE_CHARS and not heavy:
        planned = plan()
        texts = planned.texts
        asks = [batcher.score(p.model, [texts[i] for i in p.indices], p.attributes) for p in planned.parts]
        return finish(planned, _assemble(len(texts), planned.parts, [await ask for ask in asks]), NEVER)

    def whole(cancel: Cancel) -> T:
        cancel.check()  # the client may have left while the request waited for a slot
        planned = plan()
        cancel.check()
        texts = planned.texts
        scored = [p.model.score([texts[i] for i in p.indices], p.attributes) for p in planned.parts]
        rows = _assemble(len(texts), planned.parts, scored)
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
