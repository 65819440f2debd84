"""Request and response schemas of the native JSON API, with descriptions and examples."""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StrictBool, StrictStr, Tag

from model.artifact import DEFAULT_PATH, MANIFEST_FILE

Probability = Annotated[float, Field(ge=0.0, le=1.0)]

MAX_ATTRIBUTE_NAMES = 32
"""Most attribute names one request may list (``attributes``, ``thresholds``, Perspective's
``requestedAttributes``): more than any model scores, so no real request comes near it."""
MAX_LANGUAGES = 16
"""Most language codes in a Perspective request's ``languages``."""
MAX_LANGUAGE_CHARS = 35
"""Longest language code a request may send (BCP-47's recommended maximum)."""
LANGUAGE_PATTERN = r"^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$"
"""A BCP-47 language tag's shape: ``de``, ``pt-BR``, ``hi-Latn``, ``zh_Hans`` (underscores accepted)."""
MAX_CONTEXT_ENTRIES = 16
"""Most entries in a Perspective request's ``context.entries``."""
PresetName = Literal["high_precision", "balanced", "high_recall"]
UNION_TAGS = frozenset({"mapping", "preset"})
"""Branch names pydantic puts in an error's location; ``core.errors.field_path`` leaves them out."""


def _thresholds_kind(value: Any) -> str:
    """Pick the branch by the input's shape, so a bad mapping is not also reported as a bad preset name."""
    return "preset" if isinstance(value, str) else "mapping"


Thresholds = Annotated[
    Annotated[dict[StrictStr, Probability], Field(max_length=MAX_ATTRIBUTE_NAMES), Tag("mapping")]
    | Annotated[PresetName, Tag("preset")],
    Discriminator(_thresholds_kind),
]

FRIENDLY = "Thanks for the thoughtful reply, I hadn't considered the budget side of this. Have a good weekend!"


@cache
def shipped_version() -> str:
    """Return the shipped model's version, for examples (the served model's replaces it once loaded)."""
    manifest = json.loads((DEFAULT_PATH / MANIFEST_FILE).read_text(encoding="utf-8"))
    return str(manifest["version"])


HOSTILE = (
    "Mayor Crookston and Councillor Pettigrift are at it again. These clowns couldn't run a bath, "
    "let alone a city. Vote the idiots out."
)
INSULT = "You are a pathetic idiot and nobody here wants to read your garbage."
GERMAN = "Vielen Dank für diesen ausgezeichneten Artikel, ich habe ihn mit großem Interesse gelesen."
PORTUGUESE = "Que artigo excelente, obrigado por explicar o orçamento da cidade com tanta clareza."

EXAMPLES: dict[str, dict[str, Any]] = {
    "hostile": {
        "summary": "A hostile news comment mocking politicians' names",
        "value": {"comments": [{"text": HOSTILE, "id": "c-1041"}], "explain": True},
    },
    "friendly": {
        "summary": "A friendly reply",
        "value": {"comments": [{"text": FRIENDLY, "id": "c-1042"}]},
    },
    "insult": {
        "summary": "A direct insult, two attributes, a stricter INSULT threshold",
        "value": {
            "comments": [{"text": INSULT}],
            "attributes": ["TOXICITY", "INSULT"],
            "thresholds": {"INSULT": 0.7},
        },
    },
    "batch": {
        "summary": "A batch of three comments",
        "value": {
            "comments": [
                {"text": FRIENDLY, "id": "a"},
                {"text": HOSTILE, "id": "b"},
                {"text": INSULT, "id": "c"},
            ],
            "attributes": ["TOXICITY", "INSULT", "IDENTITY_ATTACK"],
        },
    },
    "languages": {
        "summary": "A mixed batch: German named, Portuguese detected, English; THREAT is not scored in every language",
        "value": {
            "comments": [
                {"text": GERMAN, "id": "de-1", "language": "de"},
                {"text": PORTUGUESE, "id": "pt-1"},
                {"text": INSULT, "id": "en-1"},
            ],
            "attributes": ["TOXICITY", "THREAT"],
        },
    },
}


class Comment(BaseModel):
    """One comment to score."""

    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field(
        description="The comment as the user wrote it: plain text, at most 20 KB of UTF-8 "
        "(`TOXICITY_MAX_TEXT_BYTES`), not empty or whitespace only.",
        examples=[HOSTILE],
        # Documented, not enforced here: scoring.check_texts refuses with its own codes and the limit.
        json_schema_extra={"minLength": 1, "pattern": r"\S"},
    )
    id: StrictStr | None = Field(
        default=None,
        max_length=256,
        description="Your identifier for the comment, echoed back in its result.",
        examples=["c-1041"],
    )
    language: StrictStr | None = Field(
        default=None,
        max_length=MAX_LANGUAGE_CHARS,
        pattern=LANGUAGE_PATTERN,
        description="The comment's language as a BCP-47 tag (`de`, `pt-BR`, `hi-Latn`), at most 35 characters. "
        "Default: detected from the text, else `TOXICITY_LANGUAGE_FALLBACK` (English). `GET /v1/model` lists "
        "the languages and what each scores.",
        examples=["de"],
    )


class ScoreRequest(BaseModel):
    """Score one or many comments."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [EXAMPLES["hostile"]["value"]]},
    )

    comments: list[Comment] = Field(
        min_length=1,
        description="The comments, at most `TOXICITY_MAX_BATCH` (default 1,000). Results keep this order.",
    )
    attributes: list[StrictStr] | None = Field(
        default=None,
        max_length=MAX_ATTRIBUTE_NAMES,
        description="Attributes to score, e.g. `TOXICITY`, `INSULT`. Default: every attribute the model "
        "supports or marks experimental (see `GET /v1/model`). A name listed twice is scored once.",
        examples=[["TOXICITY", "INSULT"]],
    )
    explain: StrictBool = Field(
        default=False,
        description="Also return, per attribute, the words and phrases that pushed the score up or down.",
    )
    thresholds: Thresholds | None = Field(
        default=None,
        description="What decides `flagged`: a preset of the model's (`high_precision`, `balanced`, the "
        "default, or `high_recall`; `GET /v1/model` lists each attribute's threshold, precision and recall), "
        "or per-attribute thresholds in [0, 1], the others keeping the model's defaults.",
        examples=[{"INSULT": 0.7}, "high_precision"],
    )
    profile: StrictStr | None = Field(
        default=None,
        max_length=64,
        description="A threshold profile of this server's (`GET /v1/model` lists them, `TOXICITY_PROFILES_FILE`): "
        "its thresholds decide `flagged`. Default: the API key's profile (`TOXICITY_KEY_PROFILES`), else the "
        "model's defaults. `thresholds` as a mapping adjusts the profile's; a preset name with a profile is "
        "refused (422).",
        examples=["news-strict"],
    )


class SpanOut(BaseModel):
    """A word or phrase of the original text and how much it moved the raw score."""

    start: int = Field(description="Start offset into the text you sent (Python string index, inclusive).")
    end: int = Field(description="End offset into the text you sent (exclusive): `text[start:end]`.")
    text: str = Field(description="The span itself, `text[start:end]`.")
    weight: float = Field(description="Contribution to the raw logit: positive raises the score.")
    kind: str = Field(description="`word` (unigram plus its character n-grams) or `phrase` (a word bigram).")


class SentenceOut(BaseModel):
    """One sentence of a long comment and its own score."""

    start: int = Field(description="Start offset into the text you sent (Python string index, inclusive).")
    end: int = Field(description="End offset (exclusive).")
    score: float = Field(description="The sentence's own calibrated probability for this attribute.")


class ExplanationOut(BaseModel):
    """Why one attribute scored as it did: ``intercept + sum(spans.weight) + other == logit``."""

    logit: float = Field(description="Raw linear score of the whole comment before calibration.")
    intercept: float = Field(description="The head's bias term.")
    other: float = Field(description="Summed weight of spans left out of the list (see `TOXICITY_MAX_EXPLAIN_SPANS`).")
    spans: list[SpanOut] = Field(description="Largest contributions first.")
    sentences: list[SentenceOut] = Field(
        default_factory=list,
        description="A long comment is also scored sentence by sentence (the score combines the whole and "
        "its highest sentence): each sentence's own score. Empty for a comment scored whole.",
    )
    driver: int | None = Field(
        default=None, description="Index in `sentences` of the highest-scoring sentence, which drove the score."
    )


class LanguageOut(BaseModel):
    """The language a comment was scored in, and where that came from."""

    code: str = Field(description="BCP-47 tag of the language, e.g. `en`, `de`, `hi-Latn`.")
    name: str = Field(description="The language's name in English.")
    source: Literal["request", "detected", "fallback"] = Field(
        description="`request` (the comment's `language`), `detected` from the text, or `fallback` "
        "(`TOXICITY_LANGUAGE_FALLBACK`: detection was unsure, e.g. a very short text)."
    )
    confidence: float | None = Field(description="The detector's probability for this language (detected only).")
    experimental: list[str] = Field(
        default_factory=list, description="Attributes scored whose status in this language is `experimental`."
    )


class CommentError(BaseModel):
    """Why a comment, or one attribute of it, was not scored."""

    code: str = Field(
        description="`language_not_supported_by_attribute` (this attribute is not scored in the comment's "
        "language), `language_not_supported` (the language scores nothing), `language_detection_failed` "
        "(unsure detection and no fallback)."
    )
    attribute: str | None = Field(description="The attribute not scored, or null when none of the comment was.")
    message: str = Field(description="What is wrong, naming the language, the attribute and the languages scoring it.")


class CommentResult(BaseModel):
    """Scores for one comment."""

    id: str | None = Field(description="The `id` you sent, or null.")
    scores: dict[str, float] = Field(
        description="Calibrated probability per attribute, for the attributes the comment's language scores."
    )
    flagged: list[str] = Field(
        description="Attributes whose score is at or above the threshold (the language's own defaults)."
    )
    explanation: dict[str, ExplanationOut] | None = Field(
        default=None, description="Per attribute, when `explain` was true."
    )
    language: LanguageOut | None = Field(
        description="The language the comment was scored in; null only when it could not be detected and "
        "`TOXICITY_LANGUAGE_FALLBACK` is empty."
    )
    errors: list[CommentError] | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="Present only when something was not scored: one entry per requested attribute the "
        "language does not score, or one for the whole comment.",
    )


class ModelRef(BaseModel):
    """Which model produced the scores."""

    version: str


class ScoreResponse(BaseModel):
    """Results in request order."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model": {"version": shipped_version()},
                    "results": [
                        {
                            "id": "c-1041",
                            "scores": {"TOXICITY": 0.97, "INSULT": 0.91},
                            "flagged": ["TOXICITY", "INSULT"],
                            "explanation": None,
                            "language": {
                                "code": "en",
                                "name": "English",
                                "source": "detected",
                                "confidence": 0.9981,
                                "experimental": [],
                            },
                        }
                    ],
                }
            ]
        }
    )

    model: ModelRef
    results: list[CommentResult]


class PresetOut(BaseModel):
    """One named threshold of an attribute and what it gave on held-out data."""

    threshold: float
    precision: float | None = Field(description="Precision at this threshold on the held-out report rows.")
    recall: float | None = Field(description="Recall at this threshold on the held-out report rows.")
    rule: str = Field(description="How the threshold was chosen.")
    reached: bool = Field(description="Whether the rule's target was reached (else the highest-F1 threshold).")


class AttributeOut(BaseModel):
    """One attribute of the loaded model."""

    name: str
    definition: str
    status: str = Field(description="`supported` or `experimental` (scored); `unsupported` (not scored).")
    reason: str = Field(description="Why the attribute has this status, with the evidence.")
    default_threshold: float | None = Field(description="Threshold used for `flagged` when none is sent.")
    presets: dict[str, PresetOut] = Field(
        default_factory=dict,
        description="Named thresholds (`high_precision`, `balanced`, `high_recall`) with the precision and "
        "recall each gave on held-out validation comments (see the model card for the rules).",
    )


class ProfileOut(BaseModel):
    """A threshold profile and the thresholds it gives with the loaded model."""

    name: str
    description: str
    preset: str | None = Field(description="The model's preset it starts from, or null for the defaults.")
    thresholds: dict[str, float] = Field(description="Every scored attribute's threshold under this profile.")


class LanguageAttributeOut(BaseModel):
    """One attribute in one language: its status and validation figures."""

    status: str = Field(description="`supported`, `experimental` (scored) or `unsupported` (not scored).")
    reason: str = Field(description="Why it has this status, when the artifact says.")
    metrics: dict[str, Any] = Field(description="Validation figures of this language's model for it (e.g. AUC).")


class LanguageInfo(BaseModel):
    """One language the service knows, and what it scores."""

    code: str = Field(description="BCP-47 tag, as `language` on `/v1/score` takes it.")
    name: str
    scored: bool = Field(description="Whether any attribute is scored in this language.")
    reason: str = Field(description="Why nothing is scored, for a language that scores nothing.")
    sources: list[str] = Field(description="The training sets of this language's model.")
    attributes: dict[str, LanguageAttributeOut]


class ModelInfo(BaseModel):
    """The loaded model's manifest essentials."""

    version: str
    created: str | None
    attributes: list[AttributeOut]
    metrics: dict[str, dict[str, Any]] = Field(
        description="Validation metrics per attribute, pooled over sources (see the model card for each source)."
    )
    training_data: dict[str, Any] = Field(description="Sources and comment counts the model was trained on.")
    limits: dict[str, int] = Field(description="Request limits of this server.")
    contracts: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="How each outside contract maps this model: `openai_moderation` (each category's attributes "
        "and rule, and the unsupported categories), `coral` (on or off, and its thresholds).",
    )
    profiles: list[ProfileOut] = Field(
        default_factory=list,
        description="The server's threshold profiles (`TOXICITY_PROFILES_FILE`), for `profile` on `/v1/score`.",
    )
    languages: list[LanguageInfo] = Field(
        default_factory=list,
        description="Every language this server knows: English first, then those scored, then those not scored, "
        "each with every attribute's status and validation metrics.",
    )
    unsupported_languages: list[str] = Field(
        default_factory=list, description="Tags of the known languages that score no attribute."
    )


class Health(BaseModel):
    """Liveness or readiness."""

    status: str
    model: str | None = None


class ReloadResult(BaseModel):
    """The model now serving after a reload."""

    version: str = Field(description="Version of the model now serving.")
    previous: str | None = Field(description="Version that served before the reload.")


class ErrorDetail(BaseModel):
    """One problem with a request."""

    code: str = Field(description="Stable machine-readable code, e.g. `comment_too_long`.")
    message: str = Field(description="What is wrong, naming the field and the limit.")
    field: str | None = Field(description="The offending field, e.g. `comments[0].text`, or `body`.")
    limit: Any = Field(default=None, description="The limit that was broken, when there is one.")


class ErrorBody(ErrorDetail):
    """The first problem, the HTTP status and, when there are several, every problem."""

    status: int = Field(description="The HTTP status, repeated.")
    details: list[ErrorDetail] | None = Field(default=None, description="Every problem, when there is more than one.")


class ErrorResponse(BaseModel):
    """The native API's one error shape."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "status": 422,
                        "code": "comment_too_long",
                        "message": "comments[0].text is 25000 bytes of UTF-8; the limit is 20480",
                        "field": "comments[0].text",
                        "limit": 20480,
                    }
                }
            ]
        }
    )

    error: ErrorBody
