"""Perspective's ``commentanalyzer v1alpha1`` messages as pydantic models.

Field names are lowerCamelCase on the wire; the proto's snake_case names are
accepted too, as Google's JSON mapping does. Unknown fields are refused, as Google
does ("Unknown name ...: Cannot find field.").
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from service.core.schemas import MAX_ATTRIBUTE_NAMES, MAX_CONTEXT_ENTRIES, MAX_LANGUAGES

ScoreType = Literal["SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW"]
TextType = Literal["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML"]


class Message(BaseModel):
    """Base for wire messages: camelCase out, camelCase or snake_case in."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, alias_generator=to_camel)


class TextEntry(Message):
    """A body of text."""

    text: StrictStr | None = Field(default=None, description="UTF-8 text; at most 20 KB for comments.")
    type: TextType | None = Field(default=None, description="`PLAIN_TEXT` (default) or `HTML` (converted to text).")


class ArticleAndParentComment(Message):
    """The article and parent comment a comment replies to."""

    article: TextEntry | None = None
    parent_comment: TextEntry | None = Field(default=None)


class Context(Message):
    """What the comment refers to. Accepted and ignored: the model scores the comment alone."""

    entries: list[TextEntry] | None = Field(default=None, max_length=MAX_CONTEXT_ENTRIES)
    article_and_parent_comment: ArticleAndParentComment | None = Field(default=None)


class AttributeParameters(Message):
    """How to score one requested attribute; `{}` means the defaults."""

    score_type: ScoreType | None = Field(
        default=None,
        description="Only `PROBABILITY` (the default) is supported.",
    )
    score_threshold: StrictFloat | StrictInt | None = Field(
        default=None,
        description="Omit scores below this value.",
    )


class AnalyzeCommentRequest(Message):
    """A request to score one comment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "comment": {"text": "You are a pathetic idiot."},
                    "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
                    "languages": ["en"],
                    "doNotStore": True,
                }
            ]
        }
    )

    comment: TextEntry | None = Field(default=None, description="The comment to score.")
    context: Context | None = Field(default=None, description="Accepted and ignored.")
    requested_attributes: dict[StrictStr, AttributeParameters] | None = Field(
        default=None,
        max_length=MAX_ATTRIBUTE_NAMES,
        description="Attribute names (optionally `NAME@version`) to parameters; `{}` means defaults. "
        "Each attribute at most once.",
    )
    languages: list[StrictStr] | None = Field(
        default=None,
        max_length=MAX_LANGUAGES,
        description="ISO 639-1 or BCP-47 codes. Omitted: detected offline (short or unsure text: English).",
    )
    do_not_store: StrictBool | None = Field(
        default=None,
        description="Honoured always: analyzed comments are never stored or logged.",
    )
    client_token: StrictStr | None = Field(default=None, description="Echoed back.")
    session_id: StrictStr | None = Field(default=None)
    community_id: StrictStr | None = Field(default=None)
    span_annotations: StrictBool | None = Field(
        default=None,
        description="Also score each sentence; spans are UTF-16 code units, end exclusive.",
    )
    drop_unsupported_attributes: StrictBool | None = Field(default=None)


class Score(Message):
    """A score value and its type."""

    value: float | None = None
    type: ScoreType | None = None


class SpanScore(Message):
    """A score for part of the text: ``begin``/``end`` in UTF-16 code units, end exclusive."""

    begin: int | None = None
    end: int | None = None
    score: Score | None = None


class AttributeScores(Message):
    """The summary score and span scores of one attribute."""

    summary_score: Score | None = Field(default=None)
    span_scores: list[SpanScore] | None = Field(default=None)


class AnalyzeCommentResponse(Message):
    """Scores keyed by the attribute names as requested."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "attributeScores": {
                        "TOXICITY": {
                            "spanScores": [{"begin": 0, "end": 25, "score": {"value": 0.99, "type": "PROBABILITY"}}],
                            "summaryScore": {"value": 0.99, "type": "PROBABILITY"},
                        }
                    },
                    "languages": ["en"],
                }
            ]
        }
    )

    attribute_scores: dict[str, AttributeScores] = Field()
    languages: list[str]
    detected_languages: list[str] | None = Field(default=None)
    client_token: str | None = Field(default=None)


class SuggestCommentScoreRequest(Message):
    """A suggested score for a comment, kept as feedback."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "comment": {"text": "You are a pathetic idiot."},
                    "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
                    "languages": ["en"],
                    "communityId": "Coral:https://example.org",
                    "clientToken": "comment:1234",
                }
            ]
        }
    )

    comment: TextEntry | None = None
    context: Context | None = None
    attribute_scores: dict[StrictStr, AttributeScores] | None = Field(default=None)
    languages: list[StrictStr] | None = Field(default=None, max_length=MAX_LANGUAGES)
    community_id: StrictStr | None = Field(default=None)
    client_token: StrictStr | None = Field(default=None)
    session_id: StrictStr | None = Field(default=None)


class SuggestCommentScoreResponse(Message):
    """The acknowledgement of a stored suggestion."""

    client_token: str | None = Field(default=None)
    requested_languages: list[str] | None = Field(default=None)
    detected_languages: list[str] | None = Field(default=None)


class GoogleErrorDetail(BaseModel):
    """A typed detail: Perspective's ``errorType``, or ``google.rpc.ErrorInfo``'s ``reason`` and ``domain``."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str = Field(alias="@type", description="The detail's type URL.")
    error_type: str | None = Field(default=None, alias="errorType", description="Perspective's error type.")
    reason: str | None = Field(default=None, description="`ErrorInfo` reason, e.g. `API_KEY_INVALID`.")
    domain: str | None = Field(default=None, description="`ErrorInfo` domain.")


class GoogleError(BaseModel):
    """Google's error body."""

    code: int = Field(description="The HTTP status.")
    message: str = Field(description="Perspective's message, word for word where Perspective has one.")
    status: str = Field(description="The gRPC status name, e.g. `INVALID_ARGUMENT`.")
    details: list[GoogleErrorDetail]


class GoogleErrorResponse(BaseModel):
    """Google's error shape, used by every Perspective route."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": 400,
                        "message": "Comment must be non-empty.",
                        "status": "INVALID_ARGUMENT",
                        "details": [
                            {
                                "@type": "type.googleapis.com/google.commentanalyzer.v1alpha1.Error",
                                "errorType": "COMMENT_EMPTY",
                            }
                        ],
                    }
                }
            ]
        }
    )

    error: GoogleError
