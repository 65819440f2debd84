"""``comments:analyze``: validation like Perspective, then scoring (``suggest`` holds ``comments:suggestscore``).

Differences from Perspective, by design and documented in the README:

- A comment is scored in one language: the first of ``languages`` that scores every
  requested attribute (else ``LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE``), or the detected
  one; short or uncertain text without ``languages`` is treated as
  ``TOXICITY_LANGUAGE_FALLBACK`` (English). Its own model scores it (and its spans).
- Only ``PROBABILITY`` scores exist.
- A comment may be 20 KB of UTF-8 (Perspective's later limit).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from model import Status, ToxicityModel
from model.languages import Language
from model.sentences import split_sentences
from service.core.errors import ApiError
from service.core.languages import catalogue, route
from service.core.schemas import LANGUAGE_PATTERN, MAX_LANGUAGE_CHARS
from service.core.scoring import Part, nul_at, one_part
from service.perspective import errors as perr
from service.perspective.html_text import html_to_text
from service.perspective.language import Detector
from service.perspective.schemas import (
    AnalyzeCommentRequest,
    AnalyzeCommentResponse,
    AttributeScores,
    Score,
    SpanScore,
    TextEntry,
)
from service.settings import Settings

_LANGUAGE_CODE = re.compile(LANGUAGE_PATTERN)
"""Used with ``fullmatch``: ``$`` alone would accept a code ending in a newline (``"en\\n"``)."""


def check_languages(codes: Sequence[str]) -> list[str]:
    """Return the request's ``languages``, each once, or raise ``INVALID_LANGUAGE`` for a bad one.

    A code must look like a BCP-47 tag and take at most ``MAX_LANGUAGE_CHARS``
    characters, as ``/v1/score`` requires; the error names the code (cut to the limit)
    and the limit.
    """
    for code in codes:
        if len(code) > MAX_LANGUAGE_CHARS:
            detail = f"a language code is {len(code)} characters; the limit is {MAX_LANGUAGE_CHARS}"
            message = f"Invalid language code: {code[:16]}... is longer than {MAX_LANGUAGE_CHARS} characters"
            raise perr.invalid("INVALID_LANGUAGE", message, "languages", MAX_LANGUAGE_CHARS, detail)
        if not _LANGUAGE_CODE.fullmatch(code):
            raise perr.invalid("INVALID_LANGUAGE", f"Invalid language code: {code}", "languages")
    return list(dict.fromkeys(codes))  # each once, however often sent


def comment_text(entry: TextEntry | None, settings: Settings) -> str:
    """Return the comment's plain text, or raise Perspective's error."""
    if entry is None or entry.text is None or not entry.text.strip():
        raise perr.invalid("COMMENT_EMPTY", perr.COMMENT_EMPTY, "comment.text")
    try:
        size = len(entry.text.encode("utf-8"))
    except UnicodeEncodeError:
        raise perr.invalid("INVALID_TEXT", "Comment text holds an unpaired surrogate.", "comment.text") from None
    if (nul := nul_at(entry.text)) >= 0:
        raise perr.invalid(
            "INVALID_TEXT", f"Comment text holds a NUL character (U+0000) at character {nul}.", "comment.text"
        )
    if size > settings.max_text_bytes:
        limit = settings.max_text_bytes
        detail = f"comment.text is {size} bytes of UTF-8; the limit is {limit} (TOXICITY_MAX_TEXT_BYTES)"
        raise perr.invalid("COMMENT_TOO_LONG", perr.COMMENT_TOO_LONG, "comment.text", limit, detail)
    if entry.type == "HTML":
        text = html_to_text(entry.text)
        if not text.strip():
            raise perr.invalid("COMMENT_EMPTY", perr.COMMENT_EMPTY, "comment.text")
        return text
    return entry.text


def attribute_base(name: str) -> str:
    """Return the model attribute a requested name means: ``toxicity@v2`` -> ``TOXICITY``."""
    return name.split("@", 1)[0].strip().upper()


def requested(model: ToxicityModel, request: AnalyzeCommentRequest) -> list[tuple[str, str, float | None]]:
    """Return ``(name as requested, model attribute, threshold)`` per requested attribute."""
    if not request.requested_attributes:
        raise perr.invalid("NO_REQUESTED_ATTRIBUTES", perr.NO_REQUESTED_ATTRIBUTES, "requestedAttributes")
    out = []
    seen: dict[str, str] = {}
    for name, params in request.requested_attributes.items():
        base = attribute_base(name)
        info = model.info.get(base)
        # Unsupported attributes are refused exactly like unknown ones; experimental ones are scored.
        if info is None or info.status == Status.UNSUPPORTED:
            raise perr.invalid("UNKNOWN_ATTRIBUTE", f"Unknown requested attribute: {name}", "requestedAttributes")
        if base in seen:
            # Each name gets its own scores (and span scores) in the answer: refused, not multiplied.
            raise perr.invalid(
                "DUPLICATE_ATTRIBUTE",
                f"Requested attributes {seen[base]} and {name} are the same attribute; request it once",
                "requestedAttributes",
            )
        seen[base] = name
        if params.score_type not in (None, "PROBABILITY", "SCORE_TYPE_UNSPECIFIED"):
            raise perr.invalid(
                "UNSUPPORTED_SCORE_TYPE",
                f"Requested score type {params.score_type} is not supported by attribute {name}",
                "requestedAttributes",
            )
        threshold = None if params.score_threshold is None else float(params.score_threshold)
        out.append((name, base, threshold))
    return out


def not_supported(attribute: str, languages: str) -> ApiError:
    """Return Perspective's error for an attribute the comment's language does not score."""
    return perr.invalid(
        "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE",
        f"Attribute {attribute} does not support request languages: {languages}",
        "languages",
    )


def _check(language: Language, wanted: Sequence[tuple[str, str, float | None]], languages: str) -> Language:
    """Return ``language`` if it scores every requested attribute, else raise for the first it does not."""
    for name, base, _ in wanted:
        if language.status(base) == Status.UNSUPPORTED:
            raise not_supported(name, languages)
    return language


def languages_for(
    request_languages: Sequence[str] | None,
    text: str,
    wanted: Sequence[tuple[str, str, float | None]],
    root: ToxicityModel,
    detector: Detector,
    settings: Settings,
) -> tuple[Language, list[str], list[str] | None]:
    """Return the language that scores the comment, the effective languages and, when detected, the detected list.

    Of the request's ``languages``, the first that scores every requested attribute;
    without them, the detected language, else ``TOXICITY_LANGUAGE_FALLBACK``. The
    detected list is what the detector listed, None when it listed nothing (detection
    off, or text too short to rank): the fallback is never reported as detected.
    """
    known = catalogue(root)
    if request_languages:
        codes = check_languages(request_languages)  # deduplicated before any is resolved
        candidates = [known.get(code, text) for code in codes]
        named = ", ".join(codes)
        for candidate in candidates:
            if all(candidate.status(base) != Status.UNSUPPORTED for _, base, _ in wanted):
                return candidate, codes, None
        _check(next((c for c in candidates if c.scored_attributes), candidates[0]), wanted, named)
    routed = route(text, None, root, detector, settings.language_fallback)  # the rule every contract follows
    detected = list(routed.detected) or None
    if routed.language is None:
        raise perr.invalid("LANGUAGE_DETECTION_FAILED", perr.LANGUAGE_DETECTION_FAILED, "languages")
    code = settings.language_fallback if routed.source == "fallback" else routed.language.tag
    return _check(routed.language, wanted, code), [code], detected


def utf16_offsets(text: str) -> list[int]:
    """Return, for each Python index 0..len(text), its offset in UTF-16 code units."""
    out = [0] * (len(text) + 1)
    acc = 0
    for i, c in enumerate(text):
        out[i] = acc
        acc += 2 if ord(c) > 0xFFFF else 1
    out[len(text)] = acc
    return out


@dataclass(frozen=True, slots=True)
class AnalyzePlan:
    """A validated ``comments:analyze`` request: what to score and how to report it."""

    text: str
    wanted: list[tuple[str, str, float | None]]
    language: Language
    languages: list[str]
    detected: list[str] | None
    spans: list[tuple[int, int]]
    texts: list[str]  # the comment, then each sentence when span scores are asked for
    attributes: tuple[str, ...]
    parts: tuple[Part, ...]  # the language's model scores every text


def plan_analyze(
    request: AnalyzeCommentRequest, model: ToxicityModel, detector: Detector, settings: Settings
) -> AnalyzePlan:
    """Check one Perspective request; return what to score, or raise Perspective's error."""
    text = comment_text(request.comment, settings)
    wanted = requested(model, request)
    if request.context is not None and request.context.entries and request.context.article_and_parent_comment:
        raise perr.invalid(
            "INVALID_CONTEXT",
            "Context can have either entries or article_and_parent_comment, but both were set",
            "context",
        )
    language, languages, detected = languages_for(request.languages, text, wanted, model, detector, settings)
    attributes = tuple(dict.fromkeys(base for _, base, _ in wanted))
    whole = [(0, len(text))]
    # The model's own splitter (a linear scan): span scores, explanations and the combined score agree.
    spans = (split_sentences(text) or whole) if request.span_annotations else whole
    if len(spans) > settings.max_span_sentences:
        limit = settings.max_span_sentences
        raise perr.invalid(
            "TOO_MANY_SPANS",
            f"Comment has {len(spans)} sentences; span annotations are limited to {limit} per comment.",
            "spanAnnotations",
            limit,
            f"spanAnnotations: the comment has {len(spans)} sentences; the limit is {limit} "
            "(TOXICITY_MAX_SPAN_SENTENCES); send it without spanAnnotations or in parts",
        )
    texts = [text] + ([text[a:b] for a, b in spans] if request.span_annotations else [])
    assert language.model is not None  # it scores every requested attribute
    parts = one_part(language.model, texts, attributes)
    return AnalyzePlan(text, wanted, language, languages, detected, spans, texts, attributes, parts)


def analyze_response(
    request: AnalyzeCommentRequest, plan: AnalyzePlan, rows: Sequence[dict[str, float]]
) -> AnalyzeCommentResponse:
    """Return the Perspective response from the scores of ``plan.texts``."""
    units = utf16_offsets(plan.text)
    summary = rows[0]
    span_rows = rows[1:] if request.span_annotations else [summary]
    scores: dict[str, AttributeScores] = {}
    for name, base, threshold in plan.wanted:
        value = summary[base]
        if threshold is not None and value < threshold:
            continue  # Perspective omits scores below the requested threshold
        span_scores = [
            SpanScore(begin=units[a], end=units[b], score=Score(value=row[base], type="PROBABILITY"))
            for (a, b), row in zip(plan.spans, span_rows, strict=True)
            if threshold is None or row[base] >= threshold
        ]
        scores[name] = AttributeScores(summary_score=Score(value=value, type="PROBABILITY"), span_scores=span_scores)
    return AnalyzeCommentResponse(
        attribute_scores=scores,
        languages=plan.languages,
        detected_languages=plan.detected,
        client_token=request.client_token,
    )
